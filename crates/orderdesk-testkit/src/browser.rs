//! Real headless Chromium for browser tests, driven over WebDriver.
//!
//! [`Browser::desktop`] and [`Browser::phone`] open a fresh browser session
//! on a `chromedriver` shared by the tests of one binary that run at the
//! same time (started on a free port, killed when the last session using
//! it is dropped). A missing `chromedriver` fails loudly with what to
//! install; browser tests are never skipped.

use std::net::TcpListener;
use std::os::unix::process::CommandExt;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex, Weak};
use std::time::{Duration, Instant};

use anyhow::{bail, Context};
use fantoccini::{Client, ClientBuilder};
use serde_json::json;

const COMMON_ARGS: &[&str] = &[
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--autoplay-policy=no-user-gesture-required",
];

/// A running `chromedriver`.
pub struct Chromedriver {
    child: Child,
    pub url: String,
}

impl Drop for Chromedriver {
    /// Kills the driver's whole process group: the Chromium browsers of
    /// sessions a failed test never closed are its children, and killing
    /// the driver alone left them running (hundreds of orphans over a
    /// full test run, a few percent of a core each).
    fn drop(&mut self) {
        let _ = Command::new("kill")
            .args(["-KILL", "--", &format!("-{}", self.child.id())])
            .stderr(Stdio::null())
            .status();
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

static SHARED: Mutex<Weak<Chromedriver>> = Mutex::new(Weak::new());

fn free_port() -> anyhow::Result<u16> {
    Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

/// The binary's `chromedriver`, started if none is running.
///
/// # Errors
/// `chromedriver` is not installed or does not start listening in time.
pub fn chromedriver() -> anyhow::Result<Arc<Chromedriver>> {
    let mut shared = SHARED
        .lock()
        .map_err(|_| anyhow::anyhow!("chromedriver lock poisoned"))?;
    if let Some(driver) = shared.upgrade() {
        return Ok(driver);
    }
    let port = free_port()?;
    let child = Command::new("chromedriver")
        .arg(format!("--port={port}"))
        // A group of its own, which its browsers join (see `Drop`).
        .process_group(0)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| {
            anyhow::anyhow!(
                "cannot start chromedriver ({e}); browser tests need Chromium and its driver: \
                 apt-get install -y chromium chromium-driver"
            )
        })?;
    let driver = Arc::new(Chromedriver {
        child,
        url: format!("http://127.0.0.1:{port}"),
    });
    let deadline = Instant::now() + Duration::from_secs(20);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        if Instant::now() > deadline {
            bail!("chromedriver did not listen on port {port} within 20 s");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    *shared = Arc::downgrade(&driver);
    Ok(driver)
}

/// One browser session (a fresh profile: no cookies, no storage).
pub struct Browser {
    pub client: Client,
    _driver: Arc<Chromedriver>,
}

impl Browser {
    /// A 1280×900 desktop window.
    ///
    /// # Errors
    /// See [`chromedriver`]; or the browser does not start.
    pub async fn desktop() -> anyhow::Result<Self> {
        Self::sized(1280, 900, false).await
    }

    /// A 390×844 phone: the window, and (since desktop Chrome keeps windows
    /// at least 500 px wide) a phone's viewport through mobile emulation.
    ///
    /// # Errors
    /// See [`Browser::desktop`].
    pub async fn phone() -> anyhow::Result<Self> {
        Self::sized(390, 844, true).await
    }

    /// A window of this size; `mobile` emulates a phone's viewport (for
    /// widths below the 500 px desktop Chrome keeps), e.g. 412×915.
    ///
    /// # Errors
    /// See [`Browser::desktop`].
    pub async fn sized(width: u32, height: u32, mobile: bool) -> anyhow::Result<Self> {
        let driver = chromedriver()?;
        let mut args: Vec<String> = COMMON_ARGS.iter().map(|s| (*s).to_owned()).collect();
        args.push(format!("--window-size={width},{height}"));
        let mut options = json!({ "args": args });
        if mobile {
            options["mobileEmulation"] = json!({
                "deviceMetrics": { "width": width, "height": height, "pixelRatio": 1.0, "mobile": true, "touch": true }
            });
        }
        if std::path::Path::new("/usr/bin/chromium").exists() {
            options["binary"] = json!("/usr/bin/chromium");
        }
        let mut caps = serde_json::Map::new();
        caps.insert("browserName".to_owned(), json!("chrome"));
        caps.insert("goog:chromeOptions".to_owned(), options);
        let client = ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
            .capabilities(caps)
            .connect(&driver.url)
            .await
            .context("cannot open a Chromium session through chromedriver")?;
        Ok(Self {
            client,
            _driver: driver,
        })
    }

    /// Saves a PNG of the viewport as `target/screenshots/{name}.png` (`name`
    /// may contain `/`) and
    /// returns its path.
    ///
    /// # Errors
    /// The browser cannot take it or the file cannot be written.
    pub async fn screenshot(&self, name: &str) -> anyhow::Result<PathBuf> {
        let png = self.client.screenshot().await?;
        let path = screenshots_dir()?.join(format!("{name}.png"));
        // `name` may name a folder too (`journey/01-cart`).
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)?;
        }
        std::fs::write(&path, png)?;
        Ok(path)
    }

    /// Ends the session (and its browser).
    ///
    /// # Errors
    /// chromedriver did not answer.
    pub async fn close(self) -> anyhow::Result<()> {
        self.client.close().await?;
        Ok(())
    }
}

/// `target/screenshots`: next to the build output of the running test
/// binary (`target/debug/deps/…`), wherever `CARGO_TARGET_DIR` put it.
fn screenshots_dir() -> anyhow::Result<PathBuf> {
    if let Ok(dir) = std::env::var("CARGO_TARGET_DIR") {
        return Ok(PathBuf::from(dir).join("screenshots"));
    }
    let exe = std::env::current_exe()?;
    let target = exe
        .ancestors()
        .nth(3)
        .context("the test binary is not under target/<profile>/deps")?;
    Ok(target.join("screenshots"))
}
