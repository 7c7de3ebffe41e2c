//! hoist-history: the SQLite record of every upload and its job state — the CLI's `history`
//! commands, the desktop gallery, the persisted upload queue, dedup by content hash and PicGo
//! gallery import all read and write it. Owns the schema and its migrations; knows nothing of
//! S3, images or config: plain data in, plain data out, and time is always the caller's input.

mod db;
mod error;
mod model;
mod schema;
mod search;
mod sql;

pub use db::History;
pub use error::HistoryError;
pub use model::{
    DEFAULT_LIMIT, JobError, NewRecord, ORIGIN_BUCKET, ORIGIN_MIRROR, ORIGIN_PICGO, ORIGIN_PICLIST,
    ORIGIN_UPLOAD, Query, Record, Status, Update, is_hoist_upload,
};
pub use schema::SCHEMA_VERSION;
