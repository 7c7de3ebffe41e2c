//! `hoist watch` end to end against the loopback S3 server: a folder's old images are left
//! alone, a file written slowly in chunks is uploaded once it is whole, a download renamed into
//! place is uploaded and its partial name is not, a copy of an uploaded file is skipped, images
//! added while the watcher was stopped are uploaded when it starts again (and nothing twice),
//! and a folder deleted and made again is watched again.

use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Child, Stdio};
use std::sync::mpsc::{Receiver, channel};
use std::time::{Duration, Instant};

use hoist_e2e::{Launch, World, http_get};
use hoist_imaging::fixtures;

const LONG: Duration = Duration::from_secs(30);

/// A running `hoist watch` and the lines of its stdout; killed when dropped.
struct Watching {
    child: Child,
    lines: Receiver<String>,
}

impl Watching {
    fn start(w: &World, dir: &Path) -> Watching {
        let mut c = w.hoist();
        c.args(["watch", "--settle", "300", "--format", "url"]);
        // Linux proves the change notices work (the rescan is 30 s, beyond every wait here);
        // under Wine a notice may not come, and the rescan finds the files.
        if cfg!(windows) {
            c.args(["--rescan", "1"]);
        }
        let mut child = c
            .arg(dir)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn_now()
            .expect("start hoist watch");
        let out = child.stdout.take().unwrap();
        let (tx, lines) = channel();
        std::thread::spawn(move || {
            for line in BufReader::new(out).lines().map_while(Result::ok) {
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        Watching { child, lines }
    }

    /// The next link printed, within [`LONG`].
    fn link(&self) -> String {
        self.lines
            .recv_timeout(LONG)
            .expect("no link printed in time")
    }

    /// Nothing more printed for a while.
    fn quiet_for(&self, d: Duration) {
        if let Ok(line) = self.lines.recv_timeout(d) {
            panic!("unexpected output: {line}");
        }
    }
}

impl Drop for Watching {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Waits until the watcher is looking (its baseline ledger is written).
fn wait_ledger(w: &World) {
    let dir = w.config_dir().join("watch");
    let t = Instant::now();
    while std::fs::read_dir(&dir).map_or(0, |d| d.count()) == 0 {
        assert!(t.elapsed() < LONG, "the watcher never wrote its ledger");
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn new_images_in_a_watched_folder_are_uploaded_once_whole() {
    let w = World::with_profile_extra(
        "key_template = \"shots/{fileName}.{extName}\"\nprocessing = { format = \"keep\" }",
    );
    let dir = w.dir.path().join("Screenshots");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("old.png"), fixtures::screenshot_png(50, 40)).unwrap();

    let watching = Watching::start(&w, &dir);
    wait_ledger(&w);

    // Written in three chunks, 150 ms apart (less than the 300 ms settle time): one upload,
    // of the whole file.
    let slow = fixtures::screenshot_png(300, 200);
    let mut f = std::fs::File::create(dir.join("slow.png")).unwrap();
    for chunk in slow.chunks(slow.len() / 3 + 1) {
        f.write_all(chunk).unwrap();
        f.flush().unwrap();
        std::thread::sleep(Duration::from_millis(150));
    }
    drop(f);
    let url = watching.link();
    assert!(url.ends_with("/shots/slow.png"), "{url}");
    assert_eq!(http_get(&url).2, slow);

    // A browser's download: the partial name first, then renamed into place.
    let download = fixtures::screenshot_png(120, 90);
    std::fs::write(dir.join("photo.png.crdownload"), &download).unwrap();
    std::thread::sleep(Duration::from_millis(800));
    std::fs::rename(dir.join("photo.png.crdownload"), dir.join("photo.png")).unwrap();
    let url = watching.link();
    assert!(url.ends_with("/shots/photo.png"), "{url}");
    assert_eq!(http_get(&url).2, download);

    // A copy of an uploaded file is not uploaded again.
    std::fs::write(dir.join("slow copy.png"), &slow).unwrap();
    watching.quiet_for(Duration::from_millis(1500));
    assert_eq!(w.object_keys().len(), 2, "old.png and the copy stay local");
    drop(watching);

    // Added while stopped: uploaded when the watcher starts again; nothing else is.
    let later = fixtures::screenshot_png(130, 90);
    std::fs::write(dir.join("while-off.png"), &later).unwrap();
    let watching = Watching::start(&w, &dir);
    let url = watching.link();
    assert!(url.ends_with("/shots/while-off.png"), "{url}");
    watching.quiet_for(Duration::from_millis(1500));
    assert_eq!(w.object_keys().len(), 3);

    // The folder deleted and made again is watched again.
    std::fs::remove_dir_all(&dir).unwrap();
    std::thread::sleep(Duration::from_millis(500));
    std::fs::create_dir_all(&dir).unwrap();
    let again = fixtures::screenshot_png(140, 90);
    std::fs::write(dir.join("again.png"), &again).unwrap();
    let url = watching.link();
    assert!(url.ends_with("/shots/again.png"), "{url}");
    assert_eq!(http_get(&url).2, again);
    assert_eq!(w.object_keys().len(), 4);
}
