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
        let url = file_url(page, fragment);
        if width >= NARROWEST_WINDOW {
            return self.run_for_dom(&url, width);
        }
        let dir = tempfile::tempdir().expect("a temporary directory");
        let frame = dir.path().join("frame.html");
        std::fs::write(&frame, frame_page(&url, width)).expect("the frame page is written");
        let outer = self.run_for_dom(&file_url(&frame, ""), NARROWEST_WINDOW);
        let start = outer
            .find(FRAME_DOM_OPEN)
            .unwrap_or_else(|| panic!("the frame page did not report the frame's DOM:\n{outer}"));
        let end = outer
            .rfind(FRAME_DOM_CLOSE)
            .expect("the frame's DOM is closed");
        unescape_text(&outer[start + FRAME_DOM_OPEN.len()..end])
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

    /// Runs the browser headless with `args` and its own profile; returns its standard output.
    fn run(&self, args: &[String]) -> String {
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

const FRAME_DOM_OPEN: &str = "<pre id=\"frame-dom\">";
const FRAME_DOM_CLOSE: &str = "</pre>";

/// A page holding `url` in an `<iframe>` `width` pixels wide that, once the frame loaded and
/// settled, writes the frame's DOM as text into `<pre id="frame-dom">`.
fn frame_page(url: &str, width: u32) -> String {
    format!(
        r#"<!DOCTYPE html>
<html><head><meta charset="utf-8"><style>body{{margin:0}} iframe{{border:0}}</style></head>
<body><iframe id="frame" src="{url}" style="width:{width}px;height:900px"></iframe>
<script>
document.getElementById("frame").addEventListener("load", () => {{
  setTimeout(() => {{
    const pre = document.createElement("pre");
    pre.id = "frame-dom";
    const doc = document.getElementById("frame").contentDocument;
    pre.textContent = doc ? doc.documentElement.outerHTML : "no access to the frame";
    document.body.appendChild(pre);
  }}, 200);
}});
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
