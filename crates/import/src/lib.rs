//! Importing a PicGo / PicList setup into Hoist: finding its `data.json` (following
//! `configPath`), turning its S3 configs, paste style and gallery into Hoist profiles and history
//! rows (pure functions over parsed JSON), and applying that plan to the config file, the
//! keychain and the history. Other uploaders (SM.MS, GitHub, …) are not converted, and no secret
//! ever goes anywhere but the keychain: gallery rows are rebuilt from a short list of link
//! fields, never copied.
//!
//! The way through: [`load`] (`locate`: where the files are, reading them) → [`plan`] (`plan`:
//! `profiles` with `urls` and `links` for the S3 configs, `gallery` for the history rows) →
//! [`apply`] (`apply`: config file, keychain, history).

mod apply;
mod error;
#[cfg(test)]
mod fixtures;
mod flavor;
mod gallery;
mod json;
mod links;
mod locate;
mod plan;
mod profiles;
mod urls;

pub use apply::{ApplyOptions, ProfileAction, ProfileReport, Report, SecretAction, apply};
pub use error::ImportError;
pub use flavor::Flavor;
pub use links::{PICGO_HTML, PICGO_MARKDOWN, PICGO_UBB};
pub use locate::{Loaded, Located, candidates, load, read_gallery};
pub use plan::{Plan, plan};
pub use profiles::PlannedProfile;
