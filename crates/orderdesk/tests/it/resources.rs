//! Resource bounds under a login storm (issue #11): a real `orderdesk
//! serve` process, 256 logins at once from 256 addresses (behind a trusted
//! proxy header), wrong and right passwords. Before the fix every attempt
//! ran argon2id (19 MiB) at once: the audit saw 7.4 GB.

use std::time::{Duration, Instant};

use reqwest::StatusCode;

use crate::cli::{orderdesk, text, Server};
use crate::helpers::{fresh_db, Backend};

/// The stated ceiling for the server's peak resident memory.
const CEILING_KB: u64 = 150 * 1024;
const PASSWORD: &str = "correct horse battery staple";

/// Peak resident set size of a process (VmHWM), in kB.
fn peak_rss_kb(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .expect("VmHWM in /proc/PID/status")
}

async fn login(
    client: &reqwest::Client,
    base: &str,
    email: &str,
    password: &str,
    from: &str,
) -> reqwest::Response {
    client
        .post(format!("{base}/login"))
        .header("X-Forwarded-For", from)
        .form(&[("email", email), ("password", password)])
        .send()
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_login_storm_keeps_memory_bounded_and_healthz_answering() {
    let (db, _dir) = fresh_db(Backend::Sqlite);
    let out = orderdesk(
        &db,
        &[
            "user",
            "add",
            "--email",
            "owner@shop.test",
            "--role",
            "owner",
            "--password-stdin",
        ],
        Some(&format!("{PASSWORD}\n")),
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let server = Server::start_with(
        &db,
        &[("ORDERDESK_TRUSTED_PROXY_HEADER", "X-Forwarded-For")],
    )
    .await;
    let pid = server.child.id();
    let base = server.base.clone();
    let before_kb = peak_rss_kb(pid);

    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let storm = (0..256u32).map(|i| {
        let (client, base) = (client.clone(), base.clone());
        async move {
            // Every eighth is the owner with the right password, every
            // eighth the owner with a wrong one, the rest unknown emails.
            let (email, password) = match i % 8 {
                0 => ("owner@shop.test".to_owned(), PASSWORD),
                1 => ("owner@shop.test".to_owned(), "wrong"),
                _ => (format!("nobody{i}@shop.test"), "wrong"),
            };
            let from = format!("10.0.{}.{}", i / 200, i % 200 + 1);
            login(&client, &base, &email, password, &from)
                .await
                .status()
        }
    });
    let started = Instant::now();
    let storm = tokio::spawn(futures_util::future::join_all(storm));
    let health = reqwest::Client::new();
    let mut slowest = Duration::ZERO;
    let mut probes = 0;
    while !storm.is_finished() {
        let t = Instant::now();
        let r = tokio::time::timeout(
            Duration::from_secs(2),
            health.get(format!("{base}/healthz")).send(),
        )
        .await
        .expect("/healthz answers within 2 s during the storm")
        .unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        slowest = slowest.max(t.elapsed());
        probes += 1;
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let statuses = storm.await.unwrap();
    let storm_took = started.elapsed();
    let count = |s: StatusCode| statuses.iter().filter(|x| **x == s).count();
    let (ok, wrong, limited) = (
        count(StatusCode::SEE_OTHER),
        count(StatusCode::UNAUTHORIZED),
        count(StatusCode::TOO_MANY_REQUESTS),
    );
    assert_eq!(ok + wrong + limited, 256, "{statuses:?}");
    assert!(wrong > 0, "some passwords were checked: {statuses:?}");
    let peak_kb = peak_rss_kb(pid);
    eprintln!(
        "login storm: {ok} in, {wrong} wrong, {limited} told to wait (429) in {storm_took:?}; \
         /healthz probed {probes}×, slowest {slowest:?}; peak RSS {} MB (idle {} MB, ceiling {} MB)",
        peak_kb / 1024,
        before_kb / 1024,
        CEILING_KB / 1024
    );
    assert!(
        peak_kb < CEILING_KB,
        "peak RSS {peak_kb} kB over the {CEILING_KB} kB ceiling"
    );

    // Afterwards the owner gets in, once any wait the storm earned is over.
    let mut status = StatusCode::TOO_MANY_REQUESTS;
    for _ in 0..5 {
        let r = login(&client, &base, "owner@shop.test", PASSWORD, "192.0.2.10").await;
        status = r.status();
        if status != StatusCode::TOO_MANY_REQUESTS {
            break;
        }
        let wait: u64 = r.headers()["retry-after"]
            .to_str()
            .unwrap()
            .parse()
            .unwrap();
        tokio::time::sleep(Duration::from_secs(wait)).await;
    }
    assert_eq!(
        status,
        StatusCode::SEE_OTHER,
        "the right password works afterwards"
    );
}
