//! `hoist md` end to end: a fixture blog and an Obsidian vault with every image reference form
//! migrated into the loopback S3 server (rewritten files compared byte for byte, objects
//! compared with the images), a second run that changes nothing, undo, a run killed half-way
//! and finished by a rerun, and `md check` against live, missing and stalled links.

use std::io::{Read, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use hoist_core::link::public_url;
use hoist_e2e::{Launch, World};
use hoist_imaging::fixtures;

const PROFILE: &str = "key_template = \"md/{fileName}.{extName}\"\nprocessing = { format = \"original\" }\nlink_format = \"url\"";

/// A loopback HTTP server for remote images: `/live.png` serves `png`, `/stall.png` never
/// answers, anything else is 404. Each connection has its own thread; the server stops
/// accepting after `max` connections or 30 s, and a stalled connection is dropped after 8 s.
fn image_host(png: Vec<u8>, max: usize) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    listener.set_nonblocking(true).unwrap();
    std::thread::spawn(move || {
        let end = Instant::now() + Duration::from_secs(30);
        let mut served = 0;
        while served < max && Instant::now() < end {
            let Ok((mut sock, _)) = listener.accept() else {
                std::thread::sleep(Duration::from_millis(10));
                continue;
            };
            served += 1;
            let png = png.clone();
            std::thread::spawn(move || {
                sock.set_nonblocking(false).unwrap();
                sock.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
                let mut buf = [0u8; 4096];
                let n = sock.read(&mut buf).unwrap_or(0);
                let req = String::from_utf8_lossy(&buf[..n]).into_owned();
                let head = req.starts_with("HEAD ");
                let (status, body): (&str, &[u8]) = if req.contains(" /live.png ") {
                    ("200 OK", &png)
                } else if req.contains(" /stall.png ") {
                    std::thread::sleep(Duration::from_secs(8));
                    return;
                } else {
                    ("404 Not Found", b"")
                };
                let resp = format!(
                    "HTTP/1.1 {status}\r\ncontent-type: image/png\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
                    body.len()
                );
                let _ = sock.write_all(resp.as_bytes());
                if !head {
                    let _ = sock.write_all(body);
                }
            });
        }
    });
    format!("http://{addr}")
}

fn write(path: &Path, bytes: &[u8]) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, bytes).unwrap();
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap()
}

/// A distinct small PNG per `n`.
fn png(n: u32) -> Vec<u8> {
    fixtures::screenshot_png(8 + n, 8)
}

const HELLO: &str = r#"---
title: "Hello"
cover: img/cover.png
---
# Hello 你好

![Cover](img/cover.png "The cover")
Two: ![shot](<img/my shot 截图.png>) and again ![again](img/cover.png).
![ref image][logo]
![encoded](img/my%20shot%20%E6%88%AA%E5%9B%BE.png)

<p align="center"><img src="img/diagram.png" width="300"></p>

![win](img\win.png)
![site](/images/banner.png)
![gone](img/missing.png)
![dead](REMOTE/404.png)
![live](REMOTE/live.png)

```md
![in code](img/cover.png)
```

Inline code: `![inline](img/cover.png)`.

    ![indented](img/cover.png)

[logo]: img/logo.png "Logo"
"#;

const HELLO_AFTER: &str = r#"---
title: "Hello"
cover: img/cover.png
---
# Hello 你好

![Cover]({cover.png} "The cover")
Two: ![shot](<{my shot 截图.png}>) and again ![again]({cover.png}).
![ref image][logo]
![encoded]({my shot 截图.png})

<p align="center"><img src="{diagram.png}" width="300"></p>

![win]({win.png})
![site]({banner.png})
![gone](img/missing.png)
![dead](REMOTE/404.png)
![live]({live.png})

```md
![in code](img/cover.png)
```

Inline code: `![inline](img/cover.png)`.

    ![indented](img/cover.png)

[logo]: {logo.png} "Logo"
"#;

const SECOND: &str = "![Cover again](../posts/img/cover.png)\r\nSame image, CRLF lines.\r\n";
const SECOND_AFTER: &str = "![Cover again]({cover.png})\r\nSame image, CRLF lines.\r\n";

const DAILY: &str = "# Daily\n\n![[pasted 1.png]]\n![[pasted 1.png|300]]\n![[chart.png|A chart]]\n![[Other note]]\n![plain](attachments/pasted%201.png)\n";
const DAILY_AFTER: &str = "# Daily\n\n![pasted 1]({pasted 1.png})\n![pasted 1|300]({pasted 1.png})\n![A chart]({chart.png})\n![[Other note]]\n![plain]({pasted 1.png})\n";

/// `template` with `REMOTE` replaced by the image host and each `{name}` by the public URL
/// of `md/name`.
fn expand(w: &World, template: &str, remote: &str) -> String {
    let mut out = template.replace("REMOTE", remote);
    for name in [
        "cover.png",
        "my shot 截图.png",
        "logo.png",
        "diagram.png",
        "win.png",
        "banner.png",
        "live.png",
        "pasted 1.png",
        "chart.png",
    ] {
        let url = public_url(&w.server.public_base(), &format!("md/{name}"), "");
        out = out.replace(&format!("{{{name}}}"), &url);
    }
    out
}

#[test]
fn a_blog_and_a_vault_move_into_the_bucket_byte_exact_and_undo_puts_them_back() {
    let w = World::with_profile_extra(PROFILE);
    let live = png(99);
    let remote = image_host(live.clone(), 16);
    let root = w.dir.path().join("md");
    let site = root.join("site");
    let vault = root.join("vault");
    let images: Vec<(PathBuf, &str, Vec<u8>)> = vec![
        (site.join("posts/img/cover.png"), "cover.png", png(1)),
        (
            site.join("posts/img/my shot 截图.png"),
            "my shot 截图.png",
            png(2),
        ),
        (site.join("posts/img/logo.png"), "logo.png", png(3)),
        (site.join("posts/img/diagram.png"), "diagram.png", png(4)),
        (site.join("posts/img/win.png"), "win.png", png(5)),
        (site.join("static/images/banner.png"), "banner.png", png(6)),
        (
            vault.join("attachments/pasted 1.png"),
            "pasted 1.png",
            png(7),
        ),
        (
            vault.join("attachments/deep/chart.png"),
            "chart.png",
            png(8),
        ),
    ];
    for (path, _, bytes) in &images {
        write(path, bytes);
    }
    std::fs::create_dir_all(vault.join(".obsidian")).unwrap();
    let hello = site.join("posts/hello.md");
    let second = site.join("drafts/second.md");
    let daily = vault.join("notes/daily.md");
    let originals = [
        (&hello, HELLO.replace("REMOTE", &remote)),
        (&second, SECOND.to_owned()),
        (&daily, DAILY.to_owned()),
    ];
    for (path, text) in &originals {
        write(path, text.as_bytes());
    }
    let static_dir = site.join("static");
    let args = [
        "md",
        "migrate",
        site.to_str().unwrap(),
        vault.to_str().unwrap(),
        "--remote",
        "--site-root",
        static_dir.to_str().unwrap(),
    ];

    // A dry run shows the change as a diff and touches nothing.
    let mut dry = args.to_vec();
    dry.push("--dry-run");
    let run = w.run(&dry);
    run.expect_code(1);
    let cover = public_url(&w.server.public_base(), "md/cover.png", "");
    assert!(
        run.stdout
            .contains(&format!("+![Cover]({cover} \"The cover\")")),
        "{run:?}"
    );
    assert!(run.stdout.contains("--- a/"), "{run:?}");
    for (path, text) in &originals {
        assert_eq!(&read(path), text);
    }
    assert_eq!(w.object("md/cover.png"), None, "a dry run uploads nothing");

    // The real run: every reference form rewritten, all other bytes kept.
    let run = w.run(&args);
    run.expect_code(1);
    assert_eq!(read(&hello), expand(&w, HELLO_AFTER, &remote));
    assert_eq!(read(&second), expand(&w, SECOND_AFTER, &remote));
    assert_eq!(read(&daily), expand(&w, DAILY_AFTER, &remote));
    for (_, name, bytes) in &images {
        assert_eq!(
            w.object(&format!("md/{name}")).as_ref(),
            Some(bytes),
            "{name}"
        );
    }
    assert_eq!(w.object("md/live.png"), Some(live));
    assert!(
        run.stderr
            .contains("hello.md:16: img/missing.png: no such file"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("hello.md:17: "), "{}", run.stderr);
    assert!(run.stderr.contains("404"), "{}", run.stderr);
    // Nine images, each once, though cover.png is used by two posts and "my shot" twice.
    assert!(
        run.stderr.contains(
            "3 Markdown files, 3 changed; 9 images uploaded, 0 already in the bucket; 14 references rewritten"
        ),
        "{}",
        run.stderr
    );

    // A second run finds everything hosted and changes nothing.
    let again = w.run(&args);
    again.expect_code(1);
    assert!(
        again.stderr.contains("3 Markdown files, 0 changed"),
        "{}",
        again.stderr
    );
    assert_eq!(read(&hello), expand(&w, HELLO_AFTER, &remote));

    // Undo puts the originals back; a second undo has nothing left to do.
    let undo = w.run(&["md", "undo"]);
    undo.expect_code(0);
    for (path, text) in &originals {
        assert_eq!(&read(path), text);
    }
    let list = w.run(&["md", "undo", "--list"]);
    assert!(list.stdout.contains("3 files  (undone)"), "{list:?}");
    w.run(&["md", "undo"]).expect_code(2);
}

#[test]
fn a_migration_killed_half_way_leaves_whole_files_and_a_rerun_finishes_it() {
    let w = World::with_profile_extra(PROFILE);
    let site = w.dir.path().join("site");
    const N: u32 = 80;
    let post = |i: u32| format!("# Post {i}\n\n![shot {i}](img/i{i}.png)\n\nText after.\n");
    for i in 0..N {
        write(&site.join(format!("posts/p{i:02}.md")), post(i).as_bytes());
        write(&site.join(format!("posts/img/i{i}.png")), &png(i));
    }
    let expected = |i: u32| {
        let url = public_url(&w.server.public_base(), &format!("md/i{i}.png"), "");
        format!("# Post {i}\n\n![shot {i}]({url})\n\nText after.\n")
    };
    let mut child = w
        .hoist()
        .args([
            "md",
            "migrate",
            site.to_str().unwrap(),
            "--concurrency",
            "1",
        ])
        .stderr(std::process::Stdio::null())
        .spawn_now()
        .unwrap();
    // Killed once a first file is rewritten. (Not once the backup manifest has a line: the
    // original is recorded before its file is replaced, so a kill then finds none rewritten.)
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let rewritten = (0..N).any(|i| {
            std::fs::read_to_string(site.join(format!("posts/p{i:02}.md")))
                .is_ok_and(|t| t == expected(i))
        });
        if rewritten || child.try_wait().unwrap().is_some() {
            break;
        }
        assert!(Instant::now() < deadline, "no file rewritten in 120 s");
        std::thread::sleep(Duration::from_millis(5));
    }
    child.kill().ok();
    child.wait().unwrap();
    let mut done = 0;
    for i in 0..N {
        let text = read(&site.join(format!("posts/p{i:02}.md")));
        if text == expected(i) {
            done += 1;
        } else {
            assert_eq!(
                text,
                post(i),
                "p{i:02}.md is neither the original nor the result"
            );
        }
    }
    eprintln!("killed after {done} of {N} files");
    assert!(done > 0);

    let rerun = w.run(&["md", "migrate", site.to_str().unwrap()]);
    rerun.expect_code(0);
    for i in 0..N {
        assert_eq!(read(&site.join(format!("posts/p{i:02}.md"))), expected(i));
        assert_eq!(w.object(&format!("md/i{i}.png")), Some(png(i)));
    }
    assert!(
        rerun.stderr.contains(&format!("{} changed", N - done)),
        "{}",
        rerun.stderr
    );
}

#[test]
fn md_check_lists_broken_links_with_file_line_and_reason() {
    let w = World::new();
    let remote = image_host(png(1), 8);
    let dir = w.dir.path().join("notes");
    let text = format!(
        "![a]({remote}/live.png)\n![b]({remote}/gone.png)\n<img src=\"{remote}/stall.png\">\n![c]({remote}/live.png)\n![d](img/nothere.png)\n"
    );
    write(&dir.join("check.md"), text.as_bytes());
    write(
        &dir.join("ok.md"),
        format!("![a]({remote}/live.png)\n").as_bytes(),
    );
    let run = w.run(&["md", "check", dir.to_str().unwrap(), "--timeout", "2"]);
    run.expect_code(1);
    let lines = run.lines();
    assert_eq!(lines.len(), 3, "{run:?}");
    assert!(
        lines[0].ends_with(&format!(
            "check.md:2: {remote}/gone.png: 404 Not Found (the file is not there)"
        )),
        "{run:?}"
    );
    assert!(
        lines[1].contains("check.md:3: ") && lines[1].ends_with("no answer within 2 s"),
        "{run:?}"
    );
    assert!(
        lines[2].contains("check.md:5: img/nothere.png: no such file"),
        "{run:?}"
    );
    assert!(
        run.stderr
            .contains("2 Markdown files: 3 remote links and 1 local images checked, 3 broken"),
        "{run:?}"
    );
    let ok = w.run(&["md", "check", dir.join("ok.md").to_str().unwrap()]);
    ok.expect_code(0);
}
