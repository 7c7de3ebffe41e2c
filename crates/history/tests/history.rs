//! Behaviour of `History` through its public API, on real SQLite files in temp folders:
//! round trips, paging, filters, search, dedup, the job queue, and how refused files are left.

use std::fs;
use std::path::{Path, PathBuf};

use hoist_history::{
    History, HistoryError, JobError, NewRecord, ORIGIN_PICGO, Query, Record, SCHEMA_VERSION,
    Status, Update,
};
use tempfile::TempDir;

fn temp_db() -> (TempDir, PathBuf, History) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("history.db");
    let h = History::open(&path).unwrap();
    (dir, path, h)
}

fn done(t: i64, profile: &str, name: &str) -> NewRecord {
    NewRecord {
        status: Status::Done,
        key: Some(format!("2026/01/{name}")),
        url: Some(format!("https://img.example.com/2026/01/{name}")),
        ..NewRecord::queued(t, profile, name)
    }
}

fn ids(recs: &[Record]) -> Vec<i64> {
    recs.iter().map(|r| r.id).collect()
}

fn search(h: &History, text: &str) -> Vec<String> {
    let q = Query {
        search: Some(text.into()),
        limit: 0,
        ..Query::default()
    };
    let mut names: Vec<String> = h
        .list(&q)
        .unwrap()
        .into_iter()
        .map(|r| r.source_name)
        .collect();
    assert_eq!(
        h.count(&q).unwrap(),
        names.len() as u64,
        "count for {text:?}"
    );
    names.sort();
    names
}

#[test]
fn insert_get_update_round_trip() {
    let (_d, _p, h) = temp_db();
    let new = NewRecord {
        created_at_ms: 1_767_225_600_000,
        profile: "blog".into(),
        source_name: "Screenshot 2026-01-01.png".into(),
        source_path: Some("/home/me/Pictures/Screenshot 2026-01-01.png".into()),
        key: Some("2026/01/ab12cd34.webp".into()),
        key_template: Some("{year}/{month}/{sha256:8}.{ext}".into()),
        url: Some("https://img.example.com/2026/01/ab12cd34.webp".into()),
        mime: Some("image/webp".into()),
        bytes_in: Some(5_000_000_000),
        bytes_out: Some(120_345),
        width: Some(2560),
        height: Some(1440),
        sha256: Some("ab".repeat(32)),
        status: Status::Done,
        error_code: None,
        error_message: None,
        attempts: 1,
        origin: "upload".into(),
        import_ref: None,
        note: Some("WebP holds at most 16383 px on a side: uploaded as PNG".into()),
    };
    let id = h.insert(&new).unwrap();
    let got = h.get(id).unwrap().unwrap();
    let expected = Record {
        id,
        created_at_ms: new.created_at_ms,
        updated_at_ms: new.created_at_ms,
        profile: new.profile.clone(),
        source_name: new.source_name.clone(),
        source_path: new.source_path.clone(),
        key: new.key.clone(),
        key_template: new.key_template.clone(),
        url: new.url.clone(),
        mime: new.mime.clone(),
        bytes_in: new.bytes_in,
        bytes_out: new.bytes_out,
        width: new.width,
        height: new.height,
        sha256: new.sha256.clone(),
        status: Status::Done,
        error_code: None,
        error_message: None,
        attempts: 1,
        origin: "upload".into(),
        import_ref: None,
        note: new.note.clone(),
    };
    assert_eq!(got, expected);
    assert_eq!(h.get(id + 1).unwrap(), None);

    let upd = Update {
        key: Some("2026/01/other.png".into()),
        url: Some("https://cdn.example.com/other.png".into()),
        mime: Some("image/png".into()),
        bytes_in: Some(10),
        bytes_out: Some(9),
        width: Some(u32::MAX),
        height: Some(1),
        sha256: Some("cd".repeat(32)),
        attempts: Some(3),
        note: Some(None),
        ..Update::at(new.created_at_ms + 5)
    };
    h.update(id, &upd).unwrap();
    let got = h.get(id).unwrap().unwrap();
    assert_eq!(
        got,
        Record {
            updated_at_ms: new.created_at_ms + 5,
            key: upd.key.clone(),
            url: upd.url.clone(),
            mime: upd.mime.clone(),
            bytes_in: Some(10),
            bytes_out: Some(9),
            width: Some(u32::MAX),
            height: Some(1),
            sha256: upd.sha256.clone(),
            attempts: 3,
            note: None,
            ..expected
        }
    );
}

#[test]
fn record_serializes_for_the_cli() {
    let h = History::open_in_memory().unwrap();
    let id = h.insert(&done(7, "blog", "a.png")).unwrap();
    let json = serde_json::to_value(h.get(id).unwrap().unwrap()).unwrap();
    assert_eq!(json["status"], "done");
    assert_eq!(json["id"], id);
    assert_eq!(json["url"], "https://img.example.com/2026/01/a.png");
    assert!(json["width"].is_null());
}

#[test]
fn status_transitions_and_errors() {
    let (_d, _p, h) = temp_db();
    let id = h.insert(&NewRecord::queued(100, "blog", "a.png")).unwrap();
    assert_eq!(h.get(id).unwrap().unwrap().status, Status::Queued);

    for (t, st) in [(101, Status::Processing), (102, Status::Uploading)] {
        h.update(id, &Update::status(t, st)).unwrap();
        let r = h.get(id).unwrap().unwrap();
        assert_eq!((r.status, r.updated_at_ms), (st, t));
    }
    h.update(
        id,
        &Update {
            attempts: Some(1),
            ..Update::failed(103, "s3.timeout", "the bucket did not answer in 30 s")
        },
    )
    .unwrap();
    let r = h.get(id).unwrap().unwrap();
    assert_eq!(r.status, Status::Failed);
    assert_eq!(r.error_code.as_deref(), Some("s3.timeout"));
    assert_eq!(
        r.error_message.as_deref(),
        Some("the bucket did not answer in 30 s")
    );

    // A status-only update keeps the error; a retry clears it explicitly.
    h.update(id, &Update::status(104, Status::Failed)).unwrap();
    assert!(h.get(id).unwrap().unwrap().error_code.is_some());
    h.update(
        id,
        &Update {
            status: Some(Status::Queued),
            error: Some(None),
            ..Update::at(105)
        },
    )
    .unwrap();
    let r = h.get(id).unwrap().unwrap();
    assert_eq!(r.status, Status::Queued);
    assert_eq!((r.error_code, r.error_message), (None, None));
    assert_eq!(r.attempts, 1);

    h.update(
        id,
        &Update {
            status: Some(Status::Done),
            url: Some("https://x/a.png".into()),
            error: Some(Some(JobError {
                code: "c".into(),
                message: "m".into(),
            })),
            ..Update::at(106)
        },
    )
    .unwrap();
    let r = h.get(id).unwrap().unwrap();
    assert_eq!(r.status, Status::Done);
    assert_eq!(r.error_code.as_deref(), Some("c"));

    let missing = h.update(id + 100, &Update::at(1)).unwrap_err();
    assert_eq!(missing.code(), "history.not_found");
}

#[test]
fn list_is_newest_first_and_keyset_pages_cover_everything_once() {
    let (_d, _p, h) = temp_db();
    // Inserted out of time order (as an import would be), with ties on created_at_ms.
    let times = [50, 10, 30, 30, 30, 70, 20, 60, 40, 30, 80, 5];
    let mut expected: Vec<(i64, i64)> = times
        .iter()
        .enumerate()
        .map(|(i, &t)| {
            let id = h.insert(&done(t, "blog", &format!("{i}.png"))).unwrap();
            (t, id)
        })
        .collect();
    expected.sort_by(|a, b| b.cmp(a));
    let expected_ids: Vec<i64> = expected.iter().map(|&(_, id)| id).collect();

    let all = h
        .list(&Query {
            limit: 0,
            ..Query::default()
        })
        .unwrap();
    assert_eq!(ids(&all), expected_ids);

    let mut q = Query {
        limit: 5,
        ..Query::default()
    };
    let mut seen = Vec::new();
    loop {
        let page = h.list(&q).unwrap();
        assert!(page.len() <= 5);
        let Some(last) = page.last() else { break };
        q = q.page_after(last);
        seen.extend(ids(&page));
    }
    assert_eq!(seen, expected_ids);

    // A bare before_id (as a CLI flag would give) is looked up.
    let q = Query {
        before_id: Some(expected_ids[3]),
        limit: 4,
        ..Query::default()
    };
    assert_eq!(ids(&h.list(&q).unwrap()), expected_ids[4..8]);

    // Deleting the cursor row does not break the next page when its time is known.
    let first = h
        .list(&Query {
            limit: 3,
            ..Query::default()
        })
        .unwrap();
    let next = Query {
        limit: 3,
        ..Query::default()
    }
    .page_after(&first[2]);
    assert!(h.delete(first[2].id).unwrap());
    assert_eq!(ids(&h.list(&next).unwrap()), expected_ids[3..6]);
    let bare = Query {
        before_id: Some(first[2].id),
        ..Query::default()
    };
    assert_eq!(h.list(&bare).unwrap_err().code(), "history.not_found");
}

#[test]
fn profile_and_status_filters_and_count() {
    let (_d, _p, h) = temp_db();
    let mut t = 0;
    let mut add = |profile: &str, status: Status| {
        t += 1;
        h.insert(&NewRecord {
            status,
            ..NewRecord::queued(t, profile, format!("{t}.png"))
        })
        .unwrap()
    };
    let b1 = add("blog", Status::Done);
    let w1 = add("work", Status::Failed);
    let b2 = add("blog", Status::Failed);
    let b3 = add("blog", Status::Done);
    let _w2 = add("work", Status::Done);

    let q = |profile: Option<&str>, status: Option<Status>| Query {
        profile: profile.map(str::to_string),
        status,
        limit: 0,
        ..Query::default()
    };
    assert_eq!(ids(&h.list(&q(Some("blog"), None)).unwrap()), [b3, b2, b1]);
    assert_eq!(
        ids(&h.list(&q(None, Some(Status::Failed))).unwrap()),
        [b2, w1]
    );
    assert_eq!(
        ids(&h.list(&q(Some("blog"), Some(Status::Done))).unwrap()),
        [b3, b1]
    );
    assert_eq!(h.list(&q(Some("nope"), None)).unwrap(), []);
    assert_eq!(h.count(&q(None, None)).unwrap(), 5);
    assert_eq!(h.count(&q(Some("work"), None)).unwrap(), 2);
    assert_eq!(h.count(&q(Some("blog"), Some(Status::Failed))).unwrap(), 1);
    // count ignores paging.
    let paged = Query {
        before_id: Some(b3),
        limit: 1,
        ..q(Some("blog"), None)
    };
    assert_eq!(h.count(&paged).unwrap(), 3);
}

#[test]
fn search_matches_substrings_and_treats_every_character_literally() {
    let (_d, _p, h) = temp_db();
    let names = [
        "Screenshot 2026-01-01 at 10.00.00.png",
        "my holiday photo.jpg",
        r#"quote a"b*c.png"#,
        "-x marks.png",
        "屏幕截图 2026.png",
        "微信截图_20260101.png",
        "100% done.png",
        "100x done.png",
        "snake_case.png",
        "snakeXcase.png",
        r"back\slash.png",
        "IMG_0001.JPG",
    ];
    for (i, n) in names.iter().enumerate() {
        h.insert(&done(i as i64, "blog", n)).unwrap();
    }
    assert_eq!(
        search(&h, "shot"),
        ["Screenshot 2026-01-01 at 10.00.00.png"]
    );
    assert_eq!(
        search(&h, "SCREEN"),
        ["Screenshot 2026-01-01 at 10.00.00.png"]
    );
    // Spaces separate terms; all must match, in any order.
    assert_eq!(search(&h, "photo holiday"), ["my holiday photo.jpg"]);
    assert_eq!(search(&h, "  my   photo "), ["my holiday photo.jpg"]);
    assert_eq!(search(&h, "holiday nothing"), Vec::<String>::new());
    // FTS syntax is just text.
    assert_eq!(search(&h, r#"a"b*"#), [r#"quote a"b*c.png"#]);
    assert_eq!(search(&h, r#"""#), [r#"quote a"b*c.png"#]);
    assert_eq!(search(&h, "-x"), ["-x marks.png"]);
    assert_eq!(search(&h, "-x marks"), ["-x marks.png"]);
    assert_eq!(search(&h, "NEAR( OR AND"), Vec::<String>::new());
    // Unicode: 2 characters go through LIKE, 4 through the trigram index.
    assert_eq!(
        search(&h, "截图"),
        ["屏幕截图 2026.png", "微信截图_20260101.png"]
    );
    assert_eq!(search(&h, "屏幕截图"), ["屏幕截图 2026.png"]);
    assert_eq!(search(&h, "微信截图_"), ["微信截图_20260101.png"]);
    // LIKE wildcards are literal, in short and long terms.
    assert_eq!(search(&h, "%"), ["100% done.png"]);
    assert_eq!(search(&h, "0%"), ["100% done.png"]);
    assert_eq!(search(&h, "100%"), ["100% done.png"]);
    assert_eq!(search(&h, "e_c"), ["snake_case.png"]);
    assert_eq!(search(&h, "_c"), ["snake_case.png"]);
    assert_eq!(search(&h, r"\"), [r"back\slash.png"]);
    assert_eq!(search(&h, "g_0"), ["IMG_0001.JPG"]);
    // Keys and URLs are searched too.
    assert_eq!(search(&h, "2026/01/IMG_").len(), 1);
    assert_eq!(search(&h, "img.example.com").len(), names.len());
    // Blank search is no filter.
    assert_eq!(search(&h, "   ").len(), names.len());
}

#[test]
fn search_pages_in_the_same_order_as_list() {
    let (_d, _p, h) = temp_db();
    // Out-of-order times (imports), ties within one millisecond, negative times, and a mix
    // of matching and non-matching names across two profiles.
    let times = [
        50,
        10,
        30,
        30,
        30,
        70,
        20,
        60,
        40,
        30,
        80,
        5,
        -7,
        30,
        1_767_225_600_000,
    ];
    for (i, &t) in times.iter().enumerate() {
        let name = if i % 3 == 2 {
            format!("photo {i}.jpg")
        } else {
            format!("Screenshot {i}.png")
        };
        let profile = if i % 2 == 0 { "blog" } else { "work" };
        h.insert(&done(t, profile, &name)).unwrap();
    }
    for (profile, text) in [
        (None, "shot"),
        (Some("blog"), "shot"),
        (None, "png sc"),
        (None, "o"),
    ] {
        let all = Query {
            profile: profile.map(str::to_string),
            limit: 0,
            ..Query::default()
        };
        let expected: Vec<i64> = h
            .list(&all)
            .unwrap()
            .into_iter()
            .filter(|r| {
                text.split(' ')
                    .all(|t| r.source_name.to_lowercase().contains(t))
            })
            .map(|r| r.id)
            .collect();
        assert!(expected.len() >= 3, "{text}");
        let mut q = Query {
            search: Some(text.into()),
            limit: 2,
            ..all.clone()
        };
        let mut seen = Vec::new();
        loop {
            let page = h.list(&q).unwrap();
            let Some(last) = page.last() else { break };
            q = q.page_after(last);
            seen.extend(ids(&page));
        }
        assert_eq!(seen, expected, "{profile:?} {text:?}");
        assert_eq!(h.count(&q).unwrap(), expected.len() as u64);

        // A bare before_id works for search pages too, and so does a deleted cursor row.
        let bare = Query {
            before_id: Some(expected[0]),
            before_created_at_ms: None,
            limit: 0,
            ..q.clone()
        };
        assert_eq!(ids(&h.list(&bare).unwrap()), expected[1..]);
    }
    let first = h
        .list(&Query {
            search: Some("shot".into()),
            limit: 3,
            ..Query::default()
        })
        .unwrap();
    let next = Query {
        search: Some("shot".into()),
        limit: 0,
        ..Query::default()
    }
    .page_after(&first[2]);
    let before = ids(&h.list(&next).unwrap());
    h.delete(first[2].id).unwrap();
    assert_eq!(ids(&h.list(&next).unwrap()), before);
}

#[test]
fn search_follows_updates_deletes_and_filters() {
    let (_d, _p, h) = temp_db();
    let a = h
        .insert(&NewRecord::queued(1, "blog", "clipboard.png"))
        .unwrap();
    let b = h.insert(&done(2, "work", "clipboard.png")).unwrap();
    assert_eq!(search(&h, "kittens"), Vec::<String>::new());
    h.update(
        a,
        &Update {
            key: Some("pets/kittens.webp".into()),
            status: Some(Status::Done),
            ..Update::at(3)
        },
    )
    .unwrap();
    assert_eq!(search(&h, "kittens"), ["clipboard.png"]);
    let q = Query {
        profile: Some("work".into()),
        search: Some("clip".into()),
        ..Query::default()
    };
    assert_eq!(ids(&h.list(&q).unwrap()), [b]);
    assert!(h.delete(a).unwrap());
    assert_eq!(search(&h, "kittens"), Vec::<String>::new());
    assert_eq!(search(&h, "clipboard"), ["clipboard.png"]);
}

#[test]
fn dedup_finds_the_newest_done_upload_of_the_same_content() {
    let (_d, _p, h) = temp_db();
    let sha = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
    let tpl = "{year}/{sha256:8}.{ext}";
    let rec = |t: i64, profile: &str, status: Status, template: &str| NewRecord {
        sha256: Some(sha.into()),
        key_template: Some(template.into()),
        status,
        url: Some(format!("https://x/{t}")),
        ..NewRecord::queued(t, profile, "a.png")
    };
    assert_eq!(h.find_done_by_sha256("blog", tpl, sha).unwrap(), None);
    let _old = h.insert(&rec(1, "blog", Status::Done, tpl)).unwrap();
    let newest = h.insert(&rec(2, "blog", Status::Done, tpl)).unwrap();
    h.insert(&rec(3, "blog", Status::Failed, tpl)).unwrap();
    h.insert(&rec(4, "blog", Status::Uploading, tpl)).unwrap();
    h.insert(&rec(5, "work", Status::Done, tpl)).unwrap();
    h.insert(&rec(6, "blog", Status::Done, "{name}.{ext}"))
        .unwrap();

    let found = h.find_done_by_sha256("blog", tpl, sha).unwrap().unwrap();
    assert_eq!(found.id, newest);
    assert_eq!(found.url.as_deref(), Some("https://x/2"));
    assert_eq!(
        h.find_done_by_sha256("blog", tpl, &"0".repeat(64)).unwrap(),
        None
    );
    assert_eq!(h.find_done_by_sha256("other", tpl, sha).unwrap(), None);
}

#[test]
fn unfinished_lists_interrupted_jobs_oldest_first() {
    let (_d, path, h) = temp_db();
    let q1 = h.insert(&NewRecord::queued(10, "blog", "1.png")).unwrap();
    let p = h.insert(&NewRecord::queued(5, "blog", "2.png")).unwrap();
    let u = h.insert(&NewRecord::queued(20, "work", "3.png")).unwrap();
    let d = h.insert(&NewRecord::queued(1, "blog", "4.png")).unwrap();
    let f = h.insert(&NewRecord::queued(2, "blog", "5.png")).unwrap();
    h.update(p, &Update::status(11, Status::Processing))
        .unwrap();
    h.update(u, &Update::status(21, Status::Uploading)).unwrap();
    h.update(d, &Update::status(12, Status::Done)).unwrap();
    h.update(f, &Update::failed(13, "x", "y")).unwrap();
    // Simulate a crash: drop the handle, reopen, find the queue.
    drop(h);
    let h = History::open(&path).unwrap();
    assert_eq!(ids(&h.unfinished().unwrap()), [p, q1, u]);
}

#[test]
fn delete_removes_only_that_record_and_ids_are_not_reused() {
    let (_d, _p, h) = temp_db();
    let a = h.insert(&done(1, "blog", "a.png")).unwrap();
    let b = h.insert(&done(2, "blog", "b.png")).unwrap();
    assert!(h.delete(b).unwrap());
    assert!(!h.delete(b).unwrap());
    assert_eq!(h.get(b).unwrap(), None);
    assert!(h.get(a).unwrap().is_some());
    let c = h.insert(&done(3, "blog", "c.png")).unwrap();
    assert!(c > b, "ids are never reused");
}

#[test]
fn import_refs_are_found_and_unique() {
    let h = History::open_in_memory().unwrap();
    let rec = NewRecord {
        origin: ORIGIN_PICGO.into(),
        import_ref: Some("0b7e-uuid".into()),
        ..done(1, "blog", "a.png")
    };
    assert_eq!(
        h.find_by_import_ref(ORIGIN_PICGO, "0b7e-uuid").unwrap(),
        None
    );
    let id = h.insert(&rec).unwrap();
    assert_eq!(
        h.find_by_import_ref(ORIGIN_PICGO, "0b7e-uuid").unwrap(),
        Some(id)
    );
    assert_eq!(
        h.find_by_import_ref("import:piclist", "0b7e-uuid").unwrap(),
        None
    );
    let err = h.insert(&rec).unwrap_err();
    assert_eq!(err.code(), "history.duplicate_import");
    assert!(err.to_string().contains("0b7e-uuid"));
    // Records without an import_ref are never duplicates of each other.
    h.insert(&done(2, "blog", "a.png")).unwrap();
    h.insert(&done(2, "blog", "a.png")).unwrap();

    // insert_many is all or nothing.
    let before = h.count(&Query::default()).unwrap();
    let batch = [done(3, "blog", "x.png"), rec.clone()];
    assert_eq!(
        h.insert_many(&batch).unwrap_err().code(),
        "history.duplicate_import"
    );
    assert_eq!(h.count(&Query::default()).unwrap(), before);
    let new_ids = h.insert_many(&batch[..1]).unwrap();
    assert_eq!(new_ids.len(), 1);
}

#[test]
fn reopen_persists_and_two_handles_share_the_file() {
    let (_d, path, h) = temp_db();
    let id = h.insert(&done(1, "blog", "a.png")).unwrap();
    let other = History::open(&path).unwrap();
    assert_eq!(other.get(id).unwrap().unwrap().source_name, "a.png");
    other
        .update(id, &Update::status(2, Status::Failed))
        .unwrap();
    assert_eq!(h.get(id).unwrap().unwrap().status, Status::Failed);
    drop(h);
    drop(other);
    let h = History::open(&path).unwrap();
    assert_eq!(h.get(id).unwrap().unwrap().status, Status::Failed);
    assert_eq!(h.path(), path);
}

fn set_user_version(path: &Path, v: i64) {
    let conn = rusqlite_conn(path);
    conn.execute_batch(&format!("PRAGMA user_version = {v}"))
        .unwrap();
}

// Raw access for simulating files written by other versions or programs.
fn rusqlite_conn(path: &Path) -> rusqlite::Connection {
    rusqlite::Connection::open(path).unwrap()
}

#[test]
fn a_newer_schema_is_refused_and_left_untouched() {
    let (_d, path, h) = temp_db();
    h.insert(&done(1, "blog", "a.png")).unwrap();
    drop(h);
    set_user_version(&path, SCHEMA_VERSION + 1);
    let before = fs::read(&path).unwrap();

    let err = History::open(&path).unwrap_err();
    assert_eq!(err.code(), "history.newer_schema");
    let msg = err.to_string();
    assert!(msg.contains(&path.display().to_string()), "{msg}");
    assert!(msg.contains(&(SCHEMA_VERSION + 1).to_string()), "{msg}");
    assert_eq!(fs::read(&path).unwrap(), before);
}

#[test]
fn a_non_database_file_is_refused_and_byte_identical() {
    let dir = tempfile::tempdir().unwrap();
    for (name, content) in [
        ("notes.db", b"hello, this is not SQLite\n".repeat(100)),
        ("tiny.db", b"x".to_vec()),
        (
            "image.db",
            vec![0x89, b'P', b'N', b'G', 13, 10, 26, 10, 0, 0, 0, 13],
        ),
    ] {
        let path = dir.path().join(name);
        fs::write(&path, &content).unwrap();
        let err = History::open(&path).unwrap_err();
        assert_eq!(err.code(), "history.not_a_database", "{name}: {err}");
        assert!(err.to_string().contains(&path.display().to_string()));
        assert_eq!(fs::read(&path).unwrap(), content, "{name} changed");
        let leftovers: Vec<_> = fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .filter(|n| n.contains('-'))
            .collect();
        assert_eq!(leftovers, Vec::<String>::new());
    }
}

#[test]
fn another_programs_sqlite_file_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("other.db");
    rusqlite_conn(&path)
        .execute_batch("CREATE TABLE notes (body TEXT); INSERT INTO notes VALUES ('hi');")
        .unwrap();
    let before = fs::read(&path).unwrap();
    let err = History::open(&path).unwrap_err();
    assert_eq!(err.code(), "history.not_a_database");
    assert_eq!(fs::read(&path).unwrap(), before);
}

#[test]
fn a_missing_folder_is_an_open_error_and_is_not_created() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("no-such-dir").join("history.db");
    let err = History::open(&path).unwrap_err();
    assert_eq!(err.code(), "history.open");
    assert!(err.to_string().contains("does not exist"), "{err}");
    assert!(err.to_string().contains(&path.display().to_string()));
    assert!(!path.parent().unwrap().exists());

    let err = History::open(dir.path()).unwrap_err();
    assert_eq!(err.code(), "history.open");
}

/// Root (and CAP_DAC_OVERRIDE) can write read-only files, so permission tests prove nothing
/// there; they check for that and say so instead of passing vacuously.
#[cfg(unix)]
fn can_write_anyway(path: &Path) -> bool {
    fs::OpenOptions::new().append(true).open(path).is_ok()
}

#[cfg(unix)]
#[test]
fn a_read_only_file_or_folder_is_a_clear_open_error() {
    use std::os::unix::fs::PermissionsExt;

    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("history.db");
    let h = History::open(&path).unwrap();
    h.insert(&done(1, "blog", "a.png")).unwrap();
    drop(h);
    let before = fs::read(&path).unwrap();

    fs::set_permissions(&path, fs::Permissions::from_mode(0o444)).unwrap();
    if can_write_anyway(&path) {
        eprintln!("skipped: this process can write read-only files (root?)");
        return;
    }
    let err = History::open(&path).unwrap_err();
    assert_eq!(err.code(), "history.open");
    let msg = err.to_string();
    assert!(msg.contains(&path.display().to_string()), "{msg}");
    assert!(
        msg.contains("read-only") || msg.contains("permission"),
        "{msg}"
    );
    assert_eq!(fs::read(&path).unwrap(), before);
    fs::set_permissions(&path, fs::Permissions::from_mode(0o644)).unwrap();

    // A read-only folder: no new file can be created there, and an existing database cannot
    // get its -wal/-shm files.
    fs::set_permissions(dir.path(), fs::Permissions::from_mode(0o555)).unwrap();
    let err = History::open(&dir.path().join("new.db")).unwrap_err();
    assert_eq!(err.code(), "history.open", "{err}");
    let err = History::open(&path).unwrap_err();
    assert_eq!(err.code(), "history.open", "{err}");
    assert!(err.to_string().contains("folder"), "{err}");
    fs::set_permissions(dir.path(), fs::Permissions::from_mode(0o755)).unwrap();
    assert_eq!(fs::read(&path).unwrap(), before);
}

#[test]
fn errors_are_plain_one_liners_with_stable_codes() {
    let e: HistoryError = History::open(Path::new("/definitely/not/here/history.db")).unwrap_err();
    assert_eq!(e.code(), "history.open");
    assert!(!e.to_string().contains('\n'));
}

/// Regression: two processes creating the history at the same moment (two `hoist upload` runs
/// started together) once made one of them read a half-initialised file and call it "a SQLite
/// database of another program". Threads with their own connections race the same way.
#[test]
fn concurrent_first_opens_all_succeed() {
    for round in 0..50 {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("history.sqlite");
        let handles: Vec<_> = (0..6)
            .map(|_| {
                let path = path.clone();
                std::thread::spawn(move || History::open(&path).map(|_| ()))
            })
            .collect();
        for h in handles {
            h.join()
                .unwrap()
                .unwrap_or_else(|e| panic!("round {round}: {e}"));
        }
    }
}
