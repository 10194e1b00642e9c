//! A headless Chromium for tests of HTML pages: the DOM after the page's scripts ran, at a given
//! viewport width, and screenshots.
//!
//! Use it from a test file with `mod support_browser;` and start each test with
//! [`browser_or_skip`]. The browser is `$NN_CHROMIUM` if set, else the first of `chromium`,
//! `chromium-browser` and `google-chrome` found on `PATH`. Without one the tests fail, saying
//! how to install it, unless `NN_BROWSER_TESTS=skip`, which makes them print a notice and pass.

#![allow(dead_code)]

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::{Condvar, Mutex};
use std::time::{Duration, Instant};

/// The executables tried, in order, when `NN_CHROMIUM` is not set.
const CANDIDATES: [&str; 3] = ["chromium", "chromium-browser", "google-chrome"];

/// How long one browser run may take before it is killed and the test fails.
const TIMEOUT: Duration = Duration::from_secs(60);

/// The narrowest window headless Chromium lays out: narrower pages are measured inside an
/// `<iframe>` of the wanted width.
const NARROWEST_WINDOW: u32 = 500;

/// The milliseconds of virtual time a page gets to load and run its scripts.
const VIRTUAL_TIME_MS: u32 = 5000;

/// The browsers running now, across the test threads of a test binary: more than one per core
/// only slows each down.
static RUNNING: (Mutex<usize>, Condvar) = (Mutex::new(0), Condvar::new());

/// Holds one of the places for a running browser until dropped.
struct Slot;

impl Slot {
    fn take() -> Slot {
        let limit = std::thread::available_parallelism().map_or(2, |n| n.get().max(2));
        let (running, freed) = &RUNNING;
        let mut count = running.lock().unwrap_or_else(|e| e.into_inner());
        while *count >= limit {
            count = freed.wait(count).unwrap_or_else(|e| e.into_inner());
        }
        *count += 1;
        Slot
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        let (running, freed) = &RUNNING;
        *running.lock().unwrap_or_else(|e| e.into_inner()) -= 1;
        freed.notify_one();
    }
}

/// A Chromium executable that runs headless.
#[derive(Clone, Debug)]
pub struct Browser {
    executable: PathBuf,
}

/// The browser for a test, or `None` (after a loud notice on stderr) when the environment sets
/// `NN_BROWSER_TESTS=skip`.
///
/// # Panics
/// When no browser is found and the tests are not skipped, with how to install one.
pub fn browser_or_skip() -> Option<Browser> {
    if std::env::var("NN_BROWSER_TESTS").as_deref() == Ok("skip") {
        eprintln!(
            "\n*** NN_BROWSER_TESTS=skip: this browser test did NOT run and checked nothing ***\n"
        );
        return None;
    }
    match Browser::find() {
        Some(browser) => Some(browser),
        None => panic!(
            "no headless browser found: these tests need Chromium. Install it \
             (`apt-get install chromium` on Debian or Ubuntu), or point NN_CHROMIUM at a \
             Chromium or Chrome executable, or set NN_BROWSER_TESTS=skip to skip them"
        ),
    }
}

impl Browser {
    /// `$NN_CHROMIUM` if set, else the first of `chromium`, `chromium-browser` and
    /// `google-chrome` on `PATH`.
    pub fn find() -> Option<Browser> {
        if let Some(path) = std::env::var_os("NN_CHROMIUM") {
            let executable = PathBuf::from(path);
            return executable.is_file().then_some(Browser { executable });
        }
        let path = std::env::var_os("PATH")?;
        std::env::split_paths(&path)
            .flat_map(|dir| CANDIDATES.iter().map(move |name| dir.join(name)))
            .find(|candidate| candidate.is_file())
            .map(|executable| Browser { executable })
    }

    /// The executable this browser runs.
    pub fn executable(&self) -> &Path {
        &self.executable
    }

    /// The DOM of `page` (a local file) opened at `#fragment` (without the `#`; empty for
    /// none) in a window `width` CSS pixels wide, serialized after its scripts ran.
    ///
    /// Below 500 pixels, which headless Chromium does not lay out, the page runs in an
    /// `<iframe>` of that width and the returned DOM is the frame's.
    pub fn dump_dom(&self, page: &Path, fragment: &str, width: u32) -> String {
        if width >= NARROWEST_WINDOW {
            return self.run_for_dom(&file_url(page, fragment), width);
        }
        self.dump_doms(page, &[fragment.to_string()], width)
            .pop()
            .expect("one DOM")
    }

    /// The DOMs of `page` opened at each of `fragments`, each in its own `<iframe>` `width`
    /// pixels wide, all in one browser run: each the frame's DOM serialized after its scripts
    /// ran, in the order of `fragments`.
    pub fn dump_doms(&self, page: &Path, fragments: &[String], width: u32) -> Vec<String> {
        let urls: Vec<String> = fragments.iter().map(|f| file_url(page, f)).collect();
        let dir = tempfile::tempdir().expect("a temporary directory");
        let frames = dir.path().join("frames.html");
        std::fs::write(&frames, frames_page(&urls, width)).expect("the frame page is written");
        let outer = self.run_for_dom(&file_url(&frames, ""), (width + 20).max(NARROWEST_WINDOW));
        (0..urls.len())
            .map(|index| {
                let open = format!("<pre id=\"frame-dom-{index}\">");
                let start = outer.find(&open).unwrap_or_else(|| {
                    panic!("the frame page did not report frame {index}'s DOM:\n{outer}")
                });
                let rest = &outer[start + open.len()..];
                let end = rest.find("</pre>").expect("the frame's DOM is closed");
                unescape_text(&rest[..end])
            })
            .collect()
    }

    /// A PNG screenshot of `page` at `#fragment` in a `width × height` window, written to
    /// `png`. Widths below 500 are raised to 500, the narrowest window headless Chromium has.
    pub fn screenshot(&self, page: &Path, fragment: &str, png: &Path, width: u32, height: u32) {
        let url = file_url(page, fragment);
        let width = width.max(NARROWEST_WINDOW);
        let output = self.run(&[
            format!("--screenshot={}", png.display()),
            format!("--window-size={width},{height}"),
            format!("--virtual-time-budget={VIRTUAL_TIME_MS}"),
            url,
        ]);
        assert!(
            png.is_file(),
            "Chromium wrote no screenshot to {}:\n{output}",
            png.display()
        );
    }

    fn run_for_dom(&self, url: &str, width: u32) -> String {
        self.run(&[
            "--dump-dom".to_string(),
            format!("--window-size={width},900"),
            format!("--virtual-time-budget={VIRTUAL_TIME_MS}"),
            url.to_string(),
        ])
    }

    /// Runs the browser headless with `args` and its own profile, once as many as the machine
    /// has cores (at least 2) are not already running; returns its standard output.
    fn run(&self, args: &[String]) -> String {
        let _slot = Slot::take();
        let profile = tempfile::tempdir().expect("a temporary profile directory");
        let mut child = Command::new(&self.executable)
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--no-first-run",
                "--allow-file-access-from-files",
                "--hide-scrollbars",
            ])
            .arg(format!("--user-data-dir={}", profile.path().display()))
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|error| panic!("{} did not start: {error}", self.executable.display()));
        let mut stdout = child.stdout.take().expect("piped stdout");
        let mut stderr = child.stderr.take().expect("piped stderr");
        let reader = std::thread::spawn(move || {
            let mut text = String::new();
            stdout.read_to_string(&mut text).map(|_| text)
        });
        let errors = std::thread::spawn(move || {
            let mut text = String::new();
            let _ = stderr.read_to_string(&mut text);
            text
        });
        let start = Instant::now();
        let status = loop {
            if let Some(status) = child.try_wait().expect("the browser's status") {
                break status;
            }
            if start.elapsed() > TIMEOUT {
                let _ = child.kill();
                let _ = child.wait();
                panic!("Chromium ran over {TIMEOUT:?} on {args:?}");
            }
            std::thread::sleep(Duration::from_millis(20));
        };
        let text = reader
            .join()
            .expect("the reader thread")
            .expect("UTF-8 output");
        let errors = errors.join().expect("the stderr thread");
        assert!(
            status.success(),
            "Chromium failed ({status}) on {args:?}:\n{errors}"
        );
        text
    }
}

/// A page holding each of `urls` in an `<iframe>` `width` pixels wide that, once every frame
/// loaded and settled, writes frame `k`'s DOM as text into `<pre id="frame-dom-k">`.
fn frames_page(urls: &[String], width: u32) -> String {
    let frames: String = urls
        .iter()
        .map(|url| format!(r#"<iframe src="{url}" style="width:{width}px;height:900px"></iframe>"#))
        .collect();
    format!(
        r#"<!DOCTYPE html>
<html><head><meta charset="utf-8"><style>body{{margin:0}} iframe{{border:0;display:block}}</style></head>
<body>{frames}
<script>
const frames = [...document.querySelectorAll("iframe")];
function report() {{
  frames.forEach((frame, index) => {{
    const pre = document.createElement("pre");
    pre.id = "frame-dom-" + index;
    const doc = frame.contentDocument;
    pre.textContent = doc ? doc.documentElement.outerHTML : "no access to the frame";
    document.body.appendChild(pre);
  }});
}}
// The page's own load event waits for every frame's.
window.addEventListener("load", () => setTimeout(report, 200));
</script></body></html>"#
    )
}

/// Undoes the escaping of text content in serialized HTML.
fn unescape_text(text: &str) -> String {
    text.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&nbsp;", "\u{a0}")
        .replace("&amp;", "&")
}

/// `file:///absolute/path#fragment`.
fn file_url(page: &Path, fragment: &str) -> String {
    let path = page
        .canonicalize()
        .unwrap_or_else(|error| panic!("{}: {error}", page.display()));
    let mut url = format!("file://{}", path.display());
    if !fragment.is_empty() {
        url.push('#');
        url.push_str(fragment);
    }
    url
}

/// Whether `bytes` start with the PNG signature.
pub fn is_png(bytes: &[u8]) -> bool {
    bytes.starts_with(b"\x89PNG\r\n\x1a\n")
}
