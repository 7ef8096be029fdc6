//! The API contract: schemathesis 4 fuzzes a real server through its own
//! `/api/v1/openapi.json`, with the API token, over a few seeded orders,
//! and every check must pass: no 5xx, every status, header, content type
//! and body as documented, invalid input refused, valid input accepted.
//! The event stream never ends, so it is left out.
//!
//! Schemathesis lives in a Python virtual environment under the target
//! directory (`target/schemathesis-venv`), made from PyPI on first use at
//! the version pinned in `tests/contract/requirements.txt` (`.ci/run`
//! makes it up front). Without python3 the test fails saying what to
//! install; it never skips.

use std::path::{Path, PathBuf};
use std::process::Stdio;

use tokio::process::Command;

use crate::helpers::{Backend, TestApp};

const REQUIREMENTS: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/contract/requirements.txt"
);
/// Which refusals count as expected where a schema cannot say (see there).
const CONFIG: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/contract/schemathesis.toml"
);
/// Per operation and phase; keeps the run to a minute or two on a slow CI
/// machine while still covering every operation and every check.
const MAX_EXAMPLES: &str = "40";
/// A fixed seed makes a failure reproducible with the command it prints.
const SEED: &str = "20261206";

/// The target directory (the one with cargo's `CACHEDIR.TAG`) this test
/// binary was built into.
fn target_dir() -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    exe.ancestors()
        .find(|dir| dir.join("CACHEDIR.TAG").is_file())
        .map(Path::to_path_buf)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target"))
        .canonicalize()
        .unwrap()
}

/// The pinned version, from the requirements file.
fn pinned_version() -> String {
    let text = std::fs::read_to_string(REQUIREMENTS).unwrap();
    text.lines()
        .find_map(|l| l.trim().strip_prefix("schemathesis=="))
        .expect("requirements.txt pins schemathesis==<version>")
        .trim()
        .to_owned()
}

/// The schemathesis executable, installing it first when missing or at
/// another version.
async fn schemathesis() -> PathBuf {
    let venv = target_dir().join("schemathesis-venv");
    let bin = venv.join("bin/schemathesis");
    let version = pinned_version();
    let installed = Command::new(&bin).arg("--version").output().await;
    if installed.is_ok_and(|o| String::from_utf8_lossy(&o.stdout).contains(&version)) {
        return bin;
    }
    eprintln!("installing schemathesis {version} into {}", venv.display());
    let made = Command::new("python3")
        .args(["-m", "venv"])
        .arg(&venv)
        .status()
        .await;
    assert!(
        made.is_ok_and(|s| s.success()),
        "the API contract test needs Python 3 with venv and pip: install python3 and \
         python3-venv (Debian: apt-get install python3 python3-venv python3-pip)"
    );
    let pip = Command::new(venv.join("bin/pip"))
        .args(["install", "--disable-pip-version-check", "-q", "-r"])
        .arg(REQUIREMENTS)
        .status()
        .await
        .unwrap();
    assert!(
        pip.success(),
        "pip could not install {REQUIREMENTS} from PyPI into {}",
        venv.display()
    );
    bin
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_api_keeps_its_openapi_contract_under_schemathesis() {
    let bin = schemathesis().await;
    let app = TestApp::spawn(Backend::Sqlite).await;
    // Seeded orders, so `{number}` paths reach real orders (1001–1003) and
    // not only 404s; their customers wrote just now, so replies are allowed.
    let mut seeded = Vec::new();
    for i in 0..3 {
        let order = app
            .place_order(
                &format!("wamid.contract{i}"),
                &format!("91980000070{i}"),
                "Contract",
            )
            .await;
        seeded.push(order["number"].as_i64().unwrap());
    }
    let before = footprint(&app, &seeded).await;
    let report = target_dir().join("schemathesis-report");
    let output = Command::new(&bin)
        .args(["--config-file", CONFIG, "run"])
        .arg(app.url("/api/v1/openapi.json"))
        .args(["--url", &app.base])
        .args(["--header", &format!("Authorization: Bearer {}", app.token)])
        .args(["--checks", "all"])
        .args(["--exclude-path", "/api/v1/events"])
        .args(["--max-examples", MAX_EXAMPLES, "--seed", SEED])
        .args(["--workers", "1", "--request-timeout", "10"])
        .args(["--report", "junit", "--report-dir"])
        .arg(&report)
        .env("NO_COLOR", "1")
        // Its cache (`.schemathesis/`) belongs with the build, not the sources.
        .current_dir(target_dir())
        .stdin(Stdio::null())
        .output()
        .await
        .unwrap();
    let out = String::from_utf8_lossy(&output.stdout);
    let err = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "schemathesis found the server and its OpenAPI document disagreeing:\n{out}\n{err}"
    );
    // Its summary, for the log of a passing run (`--nocapture`).
    println!("{out}");
    // The fuzzing reached the seeded orders, not only unknown numbers.
    assert_ne!(
        footprint(&app, &seeded).await,
        before,
        "schemathesis never changed a seeded order:\n{out}"
    );
    app.stop().await;
}

/// Per order: how many messages and timeline entries it has.
async fn footprint(app: &TestApp, orders: &[i64]) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    for n in orders {
        let (_, messages) = app.get(&format!("/api/v1/orders/{n}/messages")).await;
        let (_, order) = app.get(&format!("/api/v1/orders/{n}")).await;
        let len = |v: &serde_json::Value| v.as_array().map_or(0, Vec::len);
        out.push((len(&messages["messages"]), len(&order["timeline"])));
    }
    out
}
