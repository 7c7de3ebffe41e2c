//! Turning history rows back into jobs: retrying a failed upload and resuming the ones a crash
//! interrupted. The row keeps where its source is (a path, a URL, or the spooled copy of a
//! clipboard image; for a mirror copy, the URL of the upload it copies), so nothing has to be
//! given again.

use std::collections::BTreeMap;
use std::path::PathBuf;

use hoist_history::{ORIGIN_MIRROR, Record, Status, is_hoist_upload};

use crate::error::Error;
use crate::fetch;
use crate::pipeline::{Job, Source};

/// The job that continues `rec`, or why it cannot be retried.
pub fn job_for(rec: &Record) -> Result<Job, Error> {
    if rec.status == Status::Done {
        return Err(refuse(rec, "it is already uploaded".into()));
    }
    continue_row(rec)
}

/// The job that uploads a finished upload's source again into the same row, for a link found
/// broken (`hoist history check --reupload`): the object is stored anew, under the same key
/// when the template gives it again (so the published link works again), and the row gets
/// the new link.
pub fn reupload_job_for(rec: &Record) -> Result<Job, Error> {
    if rec.status != Status::Done {
        return Err(refuse(rec, "it is not uploaded; retry it instead".into()));
    }
    continue_row(rec)
}

fn refuse(rec: &Record, reason: String) -> Error {
    Error::NotRetryable {
        id: rec.id,
        name: rec.source_name.clone(),
        reason,
    }
}

/// The job continuing `rec` from its kept source, whatever its status.
fn continue_row(rec: &Record) -> Result<Job, Error> {
    let refuse = |reason: String| refuse(rec, reason);
    if !is_hoist_upload(&rec.origin) {
        return Err(refuse(format!(
            "it was imported ({}), not uploaded by Hoist",
            rec.origin
        )));
    }
    let Some(src) = rec.source_path.as_deref() else {
        return Err(refuse("its source was not kept".into()));
    };
    let source = if fetch::is_url(src) {
        Source::Url(src.to_owned())
    } else {
        let path = PathBuf::from(src);
        if !path.is_file() {
            return Err(refuse(format!("the file {src} is no longer there")));
        }
        Source::Path(path)
    };
    Ok(Job {
        source,
        history_id: Some(rec.id),
        name: Some(rec.source_name.clone()),
        cancel: None,
        mirror_copy: rec.origin == ORIGIN_MIRROR,
    })
}

/// The jobs that continue `rows`, grouped by the profile each was uploaded with (retry and
/// resume run each group with its own profile), and the rows that cannot be continued, with why.
pub fn jobs_by_profile(rows: &[Record]) -> (BTreeMap<String, Vec<Job>>, Vec<Error>) {
    group_jobs(rows, job_for)
}

/// [`jobs_by_profile`] for re-uploads of finished rows ([`reupload_job_for`]).
pub fn reupload_jobs_by_profile(rows: &[Record]) -> (BTreeMap<String, Vec<Job>>, Vec<Error>) {
    group_jobs(rows, reupload_job_for)
}

fn group_jobs(
    rows: &[Record],
    job: fn(&Record) -> Result<Job, Error>,
) -> (BTreeMap<String, Vec<Job>>, Vec<Error>) {
    let mut groups: BTreeMap<String, Vec<Job>> = BTreeMap::new();
    let mut refused = Vec::new();
    for rec in rows {
        match job(rec) {
            Ok(job) => groups.entry(rec.profile.clone()).or_default().push(job),
            Err(e) => refused.push(e),
        }
    }
    (groups, refused)
}

#[cfg(test)]
mod tests {
    use hoist_history::{NewRecord, ORIGIN_PICGO, ORIGIN_UPLOAD};

    use super::*;

    fn record(status: Status, origin: &str, source: Option<String>) -> Record {
        let h = hoist_history::History::open_in_memory().unwrap();
        let id = h
            .insert(&NewRecord {
                status,
                origin: origin.into(),
                source_path: source,
                ..NewRecord::queued(1, "p", "shot.png")
            })
            .unwrap();
        h.get(id).unwrap().unwrap()
    }

    #[test]
    fn failed_upload_of_an_existing_file_is_retried_under_its_name() {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("spooled-copy");
        std::fs::write(&f, b"x").unwrap();
        let rec = record(Status::Failed, ORIGIN_UPLOAD, Some(f.display().to_string()));
        let job = job_for(&rec).unwrap();
        assert_eq!(job.history_id, Some(rec.id));
        assert_eq!(job.name.as_deref(), Some("shot.png"));
        assert!(matches!(job.source, Source::Path(p) if p == f));
    }

    #[test]
    fn urls_are_downloaded_again() {
        let rec = record(
            Status::Uploading,
            ORIGIN_UPLOAD,
            Some("https://h/a.png".into()),
        );
        let job = job_for(&rec).unwrap();
        assert!(matches!(job.source, Source::Url(_)));
        assert!(!job.mirror_copy);
    }

    #[test]
    fn a_failed_mirror_copy_is_copied_again_from_its_upload() {
        let rec = record(
            Status::Failed,
            ORIGIN_MIRROR,
            Some("https://cdn.test/a.webp".into()),
        );
        let job = job_for(&rec).unwrap();
        assert!(matches!(job.source, Source::Url(ref u) if u == "https://cdn.test/a.webp"));
        assert!(job.mirror_copy);
    }

    #[test]
    fn refusals_say_why() {
        for (rec, why) in [
            (
                record(Status::Done, ORIGIN_UPLOAD, Some("/x".into())),
                "already uploaded",
            ),
            (
                record(Status::Failed, ORIGIN_PICGO, Some("/x".into())),
                "imported",
            ),
            (record(Status::Failed, ORIGIN_UPLOAD, None), "not kept"),
            (
                record(
                    Status::Failed,
                    ORIGIN_UPLOAD,
                    Some("/nonexistent/a.png".into()),
                ),
                "no longer there",
            ),
        ] {
            let e = job_for(&rec).unwrap_err();
            assert_eq!(e.code(), "job.not_retryable");
            assert!(e.to_string().contains(why), "{e}");
        }
    }

    #[test]
    fn only_finished_uploads_are_uploaded_again_into_their_row() {
        let done = record(Status::Done, ORIGIN_UPLOAD, Some("https://h/1.png".into()));
        let job = reupload_job_for(&done).unwrap();
        assert_eq!(job.history_id, Some(done.id));
        let failed = record(
            Status::Failed,
            ORIGIN_UPLOAD,
            Some("https://h/1.png".into()),
        );
        let e = reupload_job_for(&failed).unwrap_err();
        assert!(e.to_string().contains("retry it instead"), "{e}");
        let imported = record(Status::Done, ORIGIN_PICGO, Some("/x".into()));
        assert!(
            reupload_job_for(&imported)
                .unwrap_err()
                .to_string()
                .contains("imported")
        );
        let (groups, refused) = reupload_jobs_by_profile(&[done, failed]);
        assert_eq!((groups.len(), refused.len()), (1, 1));
    }

    #[test]
    fn rows_are_grouped_by_their_profile_and_refusals_kept() {
        let url = |u: &str| Some(u.to_owned());
        let mut a = record(Status::Failed, ORIGIN_UPLOAD, url("https://h/1.png"));
        let mut b = record(Status::Failed, ORIGIN_UPLOAD, url("https://h/2.png"));
        let mut c = record(Status::Failed, ORIGIN_UPLOAD, url("https://h/3.png"));
        let gone = record(Status::Failed, ORIGIN_UPLOAD, None);
        a.profile = "work".into();
        b.profile = "blog".into();
        c.profile = "work".into();
        let (groups, refused) = jobs_by_profile(&[a, b, gone, c]);
        let sizes: Vec<(&str, usize)> = groups.iter().map(|(p, j)| (p.as_str(), j.len())).collect();
        assert_eq!(sizes, [("blog", 1), ("work", 2)]);
        assert_eq!(refused.len(), 1);
        assert_eq!(refused[0].code(), "job.not_retryable");
    }
}
