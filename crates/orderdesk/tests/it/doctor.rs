//! `orderdesk doctor` against the demo (its WhatsApp simulator answers the
//! Graph API's account calls), and `GET /api/v1/doctor`.

use std::process::{Child, Command, Output, Stdio};
use std::time::Duration;

use serde_json::Value;

use crate::cli::text;
use crate::helpers::{Backend, TestApp};

/// Every check's name, in the order doctor prints them.
const CHECKS: [&str; 12] = [
    "configuration",
    "database",
    "public URL is https",
    "public URL answers",
    "WhatsApp number and token",
    "app subscribed to the account's webhooks",
    "WhatsApp app secret",
    "WhatsApp verify token",
    "payment provider",
    "last webhook received",
    "last message sent",
    "free disk space",
];

pub(crate) struct Demo {
    child: Child,
    pub(crate) port: u16,
    _dir: tempfile::TempDir,
    db: String,
}

impl Drop for Demo {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub(crate) async fn start_demo() -> Demo {
    let dir = tempfile::tempdir().unwrap();
    let db_path = dir.path().join("demo.db");
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let child = Command::new(env!("CARGO_BIN_EXE_orderdesk"))
        .args(["demo", "--listen", &format!("127.0.0.1:{port}"), "--db"])
        .arg(&db_path)
        .env("ORDERDESK_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    let demo = Demo {
        child,
        port,
        db: format!("sqlite://{}", db_path.display()),
        _dir: dir,
    };
    for _ in 0..200 {
        if let Ok(r) = reqwest::get(format!("http://127.0.0.1:{port}/healthz")).await {
            if r.status() == 200 {
                return demo;
            }
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("orderdesk demo did not become healthy");
}

/// `orderdesk doctor` with the demo's settings, `changes` applied.
fn doctor(demo: &Demo, changes: &[(&str, Option<&str>)]) -> Output {
    let base = format!("http://127.0.0.1:{}", demo.port);
    let graph = format!("{base}{}/v23.0", orderdesk_phone::GRAPH_PATH);
    let mut env = vec![
        ("ORDERDESK_DATABASE_URL", demo.db.clone()),
        ("ORDERDESK_PUBLIC_URL", base.clone()),
        ("WHATSAPP_GRAPH_URL", graph),
        ("WHATSAPP_PHONE_NUMBER_ID", "100000000000001".to_owned()),
        ("WHATSAPP_ACCESS_TOKEN", "demo-access-token".to_owned()),
        (
            "WHATSAPP_BUSINESS_ACCOUNT_ID",
            orderdesk_phone::DEMO_BUSINESS_ACCOUNT_ID.to_owned(),
        ),
        ("WHATSAPP_APP_SECRET", "demo-app-secret".to_owned()),
        ("WHATSAPP_VERIFY_TOKEN", "demo-verify-token".to_owned()),
        ("PAYMENTS_PROVIDER", "simulator".to_owned()),
    ];
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_orderdesk"));
    cmd.arg("doctor").env_remove("ORDERDESK_LOG");
    for (key, value) in changes {
        env.retain(|(k, _)| k != key);
        if let Some(v) = value {
            env.push((key, (*v).to_owned()));
        }
    }
    for (key, value) in env {
        cmd.env(key, value);
    }
    cmd.output().unwrap()
}

/// The printed line of each check, by name.
fn lines(out: &Output) -> Vec<(char, String, String)> {
    text(&out.stdout)
        .lines()
        .filter_map(|l| {
            let mut chars = l.chars();
            let mark = chars.next()?;
            let rest = chars.as_str().trim_start();
            let (name, detail) = rest.split_once(": ")?;
            Some((mark, name.to_owned(), detail.to_owned()))
        })
        .collect()
}

fn line<'a>(lines: &'a [(char, String, String)], name: &str) -> &'a (char, String, String) {
    lines
        .iter()
        .find(|(_, n, _)| n == name)
        .unwrap_or_else(|| panic!("no line for {name}: {lines:?}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn doctor_against_the_demo_reports_every_check_with_what_to_do() {
    let demo = start_demo().await;
    // The fresh demo sends sample carts; the bot answers them.
    let mut out = doctor(&demo, &[]);
    for _ in 0..100 {
        let l = lines(&out);
        if l.len() == CHECKS.len() && line(&l, "last message sent").0 == '✓' {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
        out = doctor(&demo, &[]);
    }
    let found = lines(&out);
    let names: Vec<&str> = found.iter().map(|(_, n, _)| n.as_str()).collect();
    assert_eq!(names, CHECKS, "{}", text(&out.stdout));
    for (mark, name, detail) in &found {
        let expected = if name == "public URL is https" {
            '✗'
        } else {
            '✓'
        };
        assert_eq!(*mark, expected, "{name}: {detail}");
    }
    let number = &line(&found, "WhatsApp number and token").2;
    assert!(
        number.contains("918045600000") && number.contains("GREEN"),
        "{number}"
    );
    assert!(line(&found, "public URL is https")
        .2
        .contains("ORDERDESK_PUBLIC_URL=https://"));
    // The one ✗ makes the exit status 1, with one line saying so.
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("1 of 12 checks failed"),
        "{}",
        text(&out.stderr)
    );

    // Wrong settings: each ✗ says what to do, nothing else changes.
    let out = doctor(
        &demo,
        &[
            ("WHATSAPP_ACCESS_TOKEN", Some("expired-token")),
            ("WHATSAPP_VERIFY_TOKEN", None),
            ("ORDERDESK_PUBLIC_URL", Some("http://127.0.0.1:1")),
        ],
    );
    assert_eq!(out.status.code(), Some(1));
    let found = lines(&out);
    let number = line(&found, "WhatsApp number and token");
    assert_eq!(number.0, '✗');
    assert!(number.2.contains("access token is refused"), "{number:?}");
    let subscribed = line(&found, "app subscribed to the account's webhooks");
    assert_eq!(subscribed.0, '✗', "{subscribed:?}");
    let verify = line(&found, "WhatsApp verify token");
    assert!(
        verify.0 == '✗' && verify.2.contains("set WHATSAPP_VERIFY_TOKEN"),
        "{verify:?}"
    );
    let answers = line(&found, "public URL answers");
    assert!(
        answers.0 == '✗' && answers.2.contains("does not answer"),
        "{answers:?}"
    );
    assert_eq!(line(&found, "database").0, '✓');

    let out = doctor(
        &demo,
        &[("WHATSAPP_BUSINESS_ACCOUNT_ID", Some("999999999999999"))],
    );
    let found = lines(&out);
    let subscribed = line(&found, "app subscribed to the account's webhooks");
    assert!(
        subscribed.0 == '✗' && subscribed.2.contains("999999999999999"),
        "{subscribed:?}"
    );

    // A configuration that does not parse is the first ✗.
    let out = doctor(&demo, &[("ORDERDESK_LISTEN", Some("nowhere"))]);
    assert_eq!(out.status.code(), Some(1));
    let stdout = text(&out.stdout);
    assert!(
        stdout.starts_with("✗ configuration: ORDERDESK_LISTEN"),
        "{stdout}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_api_reports_the_same_checks_as_json() {
    let (app, _sim) = TestApp::spawn_with_phone(
        Backend::Sqlite,
        &[(
            "WHATSAPP_BUSINESS_ACCOUNT_ID",
            orderdesk_phone::DEMO_BUSINESS_ACCOUNT_ID,
        )],
    )
    .await;
    let (status, report) = app.get("/api/v1/doctor").await;
    assert_eq!(status, 200, "{report}");
    let checks = report["checks"].as_array().unwrap();
    let ids: Vec<&str> = checks.iter().map(|c| c["id"].as_str().unwrap()).collect();
    assert_eq!(
        ids,
        [
            "configuration",
            "database",
            "public_url_https",
            "public_url_answers",
            "whatsapp_number",
            "webhook_subscription",
            "app_secret",
            "verify_token",
            "payments",
            "last_webhook",
            "last_sent",
            "disk"
        ]
    );
    let by_id = |id: &str| checks.iter().find(|c| c["id"] == id).unwrap();
    assert_eq!(by_id("whatsapp_number")["ok"], true, "{report}");
    assert_eq!(by_id("webhook_subscription")["ok"], true, "{report}");
    assert_eq!(by_id("public_url_answers")["ok"], true, "{report}");
    assert_eq!(by_id("last_webhook")["ok"], false, "nothing received yet");
    assert_eq!(report["ok"], false);
    assert!(by_id("app_secret")["detail"]
        .as_str()
        .unwrap()
        .contains("WHATSAPP_APP_SECRET"));

    let r = app
        .client
        .get(app.url("/api/v1/doctor"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    let _: Value = r.json().await.unwrap();
    app.stop().await;
}
