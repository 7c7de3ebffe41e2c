//! `hoist history check` end to end: links of real uploads asked over HTTP, an object deleted
//! from the bucket found broken, and `--reupload` storing it again from its kept source under the
//! same key, so the link that was published works again; a source that is gone stays broken.

use hoist_e2e::{World, http_get};
use hoist_imaging::fixtures;

#[test]
fn a_deleted_object_is_found_and_uploaded_again_under_its_link() {
    let w = World::with_profile_extra(
        "key_template = \"links/{fileName}.{extName}\"\nprocessing = { format = \"keep\" }\nlink_format = \"url\"",
    );
    let a = w.input("kept.png", &fixtures::screenshot_png(200, 120));
    let b = w.input("gone.png", &fixtures::screenshot_png(210, 120));
    let up = w.run(&[
        "upload",
        "--no-copy",
        a.to_str().unwrap(),
        b.to_str().unwrap(),
    ]);
    up.expect_code(0);
    let links = up.lines();
    let (kept_url, gone_url) = (links[0].to_owned(), links[1].to_owned());
    let kept_bytes = w.object("links/kept.png").unwrap();

    let all_good = w.run(&["history", "check"]);
    all_good.expect_code(0);
    assert!(
        all_good
            .stderr
            .contains("2 uploads, 2 links checked: 0 broken"),
        "{all_good:?}"
    );

    // Both objects disappear from the bucket (a lifecycle rule, a hand in the console); one
    // source file disappears from the disk too.
    std::fs::remove_file(w.server.object_file("links/kept.png")).unwrap();
    std::fs::remove_file(w.server.object_file("links/gone.png")).unwrap();
    std::fs::remove_file(&b).unwrap();
    assert_eq!(http_get(&kept_url).0, 404);
    let check = w.run(&["history", "check"]);
    check.expect_code(1);
    let lines = check.lines();
    assert_eq!(lines.len(), 2, "{check:?}");
    assert!(
        lines
            .iter()
            .any(|l| l.contains(&format!("{kept_url}: 404 Not Found"))),
        "{check:?}"
    );
    assert!(
        lines
            .iter()
            .any(|l| l.contains(&gone_url) && l.ends_with("; its source is not kept")),
        "{check:?}"
    );
    assert!(
        check
            .stderr
            .contains("stores again the 1 whose source file is kept"),
        "{check:?}"
    );

    // The re-upload stores the kept file under the same key: the published link works again.
    let again = w.run(&["history", "check", "--reupload", "--no-copy"]);
    again.expect_code(1);
    assert_eq!(again.lines(), [kept_url.as_str()], "{again:?}");
    assert!(again.stderr.contains("1 upload stays broken"), "{again:?}");
    let (status, _, body) = http_get(&kept_url);
    assert_eq!((status, &body), (200, &kept_bytes));
    let after = w.run(&["history", "check"]);
    after.expect_code(1);
    assert!(
        after
            .stderr
            .contains("2 uploads, 2 links checked: 1 broken"),
        "{after:?}"
    );
    assert_eq!(after.lines().len(), 1, "{after:?}");
    // The same rows: re-uploading updates the row rather than adding one.
    let list = w.run(&["history", "list", "--json"]);
    assert_eq!(list.lines().len(), 2, "{list:?}");
    let gone_again = w.run(&["history", "check", "--reupload", "--no-copy"]);
    gone_again.expect_code(1);
    assert!(
        gone_again.stderr.contains("their source files are gone"),
        "{gone_again:?}"
    );
}
