//! Several `orderdesk serve` processes on one PostgreSQL database (issue #7):
//! live events cross instances, outbound messages go once each, in order
//! per customer and within one rate limit shared by all instances, a killed
//! instance loses nothing, a database outage answers 503 and heals, and two
//! migrations never run at once.
//!
//! Each test starts real `orderdesk serve` children (the binary under test)
//! on free ports against a fresh database of the throwaway cluster, with a
//! loopback fake of the Graph API that records what arrives and when.

// Test helpers outside #[test] fns: clippy.toml's allow-unwrap-in-tests does not reach them.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod faults;
mod fixtures;
mod lease;
mod settings;

use std::collections::HashMap;
use std::time::{Duration, Instant};

use serde_json::json;

use fixtures::{order_webhook, Db, GraphFake, Instance, PgProxy, SseReader};

/// An order ingested through A is on a stream opened on B within the bound,
/// and a stage move made on B is on A's stream and in A's API.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_order_taken_by_one_instance_is_live_on_the_other() {
    let db = Db::fresh().await;
    let graph = GraphFake::start().await;
    let a = Instance::start(&db, &graph, &[]).await;
    let b = Instance::start(&db, &graph, &[]).await;
    let mut on_a = SseReader::open(&a, &db.token).await;
    let mut on_b = SseReader::open(&b, &db.token).await;

    let mut latencies = Vec::new();
    for i in 0..20 {
        let body = order_webhook(
            &format!("wamid.live-{i}"),
            &format!("9190000{i:05}"),
            "Asha",
        );
        let answered = a.post_webhook(&body).await;
        let start = Instant::now();
        loop {
            let ev = on_b.next(Duration::from_secs(2)).await;
            if ev.kind == "order.created" {
                assert_eq!(ev.data["customer"]["wa_id"], format!("9190000{i:05}"));
                break;
            }
        }
        latencies.push(start.elapsed());
        assert_eq!(answered, 200);
    }
    latencies.sort();
    let p50 = latencies[latencies.len() / 2];
    let max = latencies[latencies.len() - 1];
    eprintln!("webhook answered on A -> order.created on B: p50 {p50:?}, max {max:?}");
    assert!(
        max < Duration::from_secs(1),
        "DESIGN §4: within 1 s, got {max:?}"
    );

    // A stage move on B shows on A.
    let first = 1001;
    let (status, moved) = b
        .post(
            &db.token,
            &format!("/api/v1/orders/{first}/status"),
            &json!({"status": "confirmed", "reason": "paid by bank transfer"}),
        )
        .await;
    assert_eq!(status, 200, "{moved}");
    loop {
        let ev = on_a.next(Duration::from_secs(2)).await;
        if ev.kind == "order.status_changed" {
            assert_eq!(ev.data["number"], first);
            assert_eq!(ev.data["status"], "confirmed");
            break;
        }
    }
    let (status, seen) = a.get(&db.token, &format!("/api/v1/orders/{first}")).await;
    assert_eq!(status, 200);
    assert_eq!(seen["status"], "confirmed");
}

const CUSTOMERS: usize = 50;
const REPLIES: usize = 20;
const RATE: u32 = 100;

/// 1,000 staff replies queued through both instances (alternating), plus
/// what the checkout bot sends: each goes out exactly once, each customer's
/// in the order queued, and no second ever carries more than the number's
/// rate, counting both instances together.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn outbound_from_two_instances_goes_once_in_order_within_one_rate_limit() {
    let db = Db::fresh().await;
    let graph = GraphFake::start().await;
    let rate = RATE.to_string();
    let env = [("WHATSAPP_MESSAGES_PER_SECOND", rate.as_str())];
    let a = Instance::start(&db, &graph, &env).await;
    let b = Instance::start(&db, &graph, &env).await;
    let instances = [&a, &b];

    for c in 0..CUSTOMERS {
        let body = order_webhook(&format!("wamid.cart-{c}"), &wa_id(c), "Customer");
        assert_eq!(instances[c % 2].post_webhook(&body).await, 200);
    }
    let numbers = db.wait_for_orders(CUSTOMERS).await;

    // Every customer's replies in sequence, customers side by side.
    let started = Instant::now();
    let tasks = numbers.iter().enumerate().map(|(c, number)| {
        let (a, b, token) = (&a, &b, &db.token);
        async move {
            for m in 0..REPLIES {
                let via = if (c + m) % 2 == 0 { a } else { b };
                let (status, body) = via
                    .post(
                        token,
                        &format!("/api/v1/orders/{number}/messages"),
                        &json!({ "text": reply_text(c, m) }),
                    )
                    .await;
                assert_eq!(status, 202, "{body}");
            }
        }
    });
    futures_util::future::join_all(tasks).await;
    eprintln!(
        "{} replies queued in {:?}",
        CUSTOMERS * REPLIES,
        started.elapsed()
    );

    let expected = CUSTOMERS * REPLIES;
    let replies = graph
        .wait_for_texts(
            |t| t.starts_with("reply "),
            expected,
            Duration::from_secs(60),
        )
        .await;
    // Let anything duplicated or stray arrive before judging.
    tokio::time::sleep(Duration::from_secs(1)).await;
    let all = graph.requests();

    let mut seen: HashMap<String, usize> = HashMap::new();
    for r in &all {
        *seen.entry(r.text.clone()).or_default() += 1;
    }
    for c in 0..CUSTOMERS {
        for m in 0..REPLIES {
            assert_eq!(
                seen.get(&reply_text(c, m)),
                Some(&1),
                "{}",
                reply_text(c, m)
            );
        }
    }
    assert_eq!(replies, expected);
    for c in 0..CUSTOMERS {
        let order: Vec<&str> = all
            .iter()
            .filter(|r| r.to == wa_id(c) && r.text.starts_with("reply "))
            .map(|r| r.text.as_str())
            .collect();
        let wanted: Vec<String> = (0..REPLIES).map(|m| reply_text(c, m)).collect();
        assert_eq!(order, wanted, "customer {c} got their replies out of order");
    }
    // Every outbound message in the database went exactly once.
    let outbound = db
        .count("SELECT count(*) FROM messages WHERE direction = 'out'")
        .await;
    let sent = db
        .count("SELECT count(*) FROM messages WHERE direction = 'out' AND state = 'sent'")
        .await;
    assert_eq!(all.len() as i64, outbound, "requests vs outbound rows");
    assert_eq!(sent, outbound);

    let busiest = busiest_second(&all.iter().map(|r| r.at).collect::<Vec<_>>());
    let span = all.last().unwrap().at - all[0].at;
    eprintln!(
        "{} sends over {span:?} through 2 instances; busiest second {busiest} (limit {RATE})",
        all.len()
    );
    // The instances share one schedule of send slots on the database's
    // clock, never more than RATE a second; what the fake records is when
    // each request arrived, which carries the senders' scheduling delay on
    // a busy machine (a sender late for one slot sends the next on time, so
    // a few sends can bunch into one sliding second: 103 was seen under
    // load). Two instances limiting separately would send 2 × RATE.
    let jitter = RATE as usize / 20;
    assert!(
        busiest <= RATE as usize + jitter,
        "{busiest} sends in one second (limit {RATE}, scheduling jitter {jitter})"
    );
    // Over the whole run the jitter of the first and last send is a few
    // milliseconds of several seconds.
    let average = (all.len() - 1) as f64 / span.as_secs_f64();
    assert!(
        average <= f64::from(RATE) * 1.02,
        "{average:.1} sends a second on average (limit {RATE})"
    );
}

/// SIGKILL one instance while both are sending: everything still goes out
/// (the other instance takes over the dead one's leases), in order per
/// customer; a message the dead instance had sent but not yet recorded may
/// go twice (at-least-once, the one documented duplicate window).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killing_an_instance_mid_dispatch_loses_nothing() {
    let db = Db::fresh().await;
    let graph = GraphFake::start().await;
    let env = [
        ("WHATSAPP_MESSAGES_PER_SECOND", "40"),
        ("ORDERDESK_OUTBOX_LEASE", "3s"),
    ];
    let mut a = Instance::start(&db, &graph, &env).await;
    let b = Instance::start(&db, &graph, &env).await;
    let customers = 10;
    let replies = 20;
    for c in 0..customers {
        let body = order_webhook(&format!("wamid.kill-{c}"), &wa_id(c), "Customer");
        assert_eq!(b.post_webhook(&body).await, 200);
    }
    let numbers = db.wait_for_orders(customers).await;
    for m in 0..replies {
        for (c, number) in numbers.iter().enumerate() {
            let via = if (c + m) % 2 == 0 { &a } else { &b };
            let (status, body) = via
                .post(
                    &db.token,
                    &format!("/api/v1/orders/{number}/messages"),
                    &json!({ "text": reply_text(c, m) }),
                )
                .await;
            assert_eq!(status, 202, "{body}");
        }
    }
    let expected = customers * replies;
    graph
        .wait_for_texts(
            |t| t.starts_with("reply "),
            expected / 4,
            Duration::from_secs(30),
        )
        .await;
    a.kill();
    let killed_at = graph.requests().len();
    graph
        .wait_for_texts(
            |t| t.starts_with("reply "),
            expected,
            Duration::from_secs(60),
        )
        .await;
    let all = graph.requests();
    let mut count: HashMap<&str, usize> = HashMap::new();
    for r in &all {
        *count.entry(r.text.as_str()).or_default() += 1;
    }
    let twice: Vec<(usize, &str)> = all
        .iter()
        .enumerate()
        .filter(|(_, r)| r.text.starts_with("reply ") && count[r.text.as_str()] > 1)
        .map(|(i, r)| (i, r.text.as_str()))
        .collect();
    eprintln!(
        "A killed after {killed_at} sends; {} requests in all for {expected} replies \
         and {customers} bot messages; sent twice: {twice:?}",
        all.len()
    );
    // Only what A had sent but not yet recorded when it died may repeat.
    assert!(twice.len() <= 2 * customers, "{twice:?}");
    for c in 0..customers {
        let mut firsts: Vec<String> = Vec::new();
        for r in all
            .iter()
            .filter(|r| r.to == wa_id(c) && r.text.starts_with("reply "))
        {
            if !firsts.contains(&r.text) {
                firsts.push(r.text.clone());
            }
        }
        let wanted: Vec<String> = (0..replies).map(|m| reply_text(c, m)).collect();
        assert_eq!(firsts, wanted, "customer {c}");
    }
    let unsent = db
        .count("SELECT count(*) FROM messages WHERE direction = 'out' AND state <> 'sent'")
        .await;
    assert_eq!(unsent, 0);
}

/// While PostgreSQL cannot be reached, API calls fail fast with a JSON 503
/// and webhooks are refused (so Meta retries); once it is back, the same
/// processes serve again without a restart.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_database_outage_answers_503_and_heals_without_a_restart() {
    let db = Db::fresh().await;
    let proxy = PgProxy::start(&db.url).await;
    let graph = GraphFake::start().await;
    let a = Instance::start_on(&proxy.url, &graph, &[]).await;
    let (status, _) = a.get(&db.token, "/api/v1/orders").await;
    assert_eq!(status, 200);

    proxy.set_up(false);
    let asked = Instant::now();
    let (status, body) = a.get(&db.token, "/api/v1/orders").await;
    let took = asked.elapsed();
    eprintln!("with the database down: {status} in {took:?}");
    assert_eq!(status, 503, "{body}");
    assert_eq!(body["error"]["code"], "unavailable");
    assert!(took < Duration::from_secs(5), "fails fast: {took:?}");
    let webhook = a
        .post_webhook(&order_webhook("wamid.outage", "919000099999", "Ravi"))
        .await;
    assert!(
        webhook >= 500,
        "an unstored webhook is not acknowledged: {webhook}"
    );

    proxy.set_up(true);
    let back = Instant::now();
    loop {
        let (status, _) = a.get(&db.token, "/api/v1/orders").await;
        if status == 200 {
            break;
        }
        assert!(back.elapsed() < Duration::from_secs(15), "still {status}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    eprintln!(
        "serving again {:?} after the database came back",
        back.elapsed()
    );
    let webhook = a
        .post_webhook(&order_webhook("wamid.outage", "919000099999", "Ravi"))
        .await;
    assert_eq!(webhook, 200);
    db.wait_for_orders(1).await;
}

/// `orderdesk migrate` refuses, in one line, while another migration holds
/// the lock, and runs once it is free.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_second_migrate_refuses_while_one_is_running() {
    let db = Db::fresh().await;
    let mut holder = db.connection().await;
    sqlx::query("SELECT pg_advisory_lock($1)")
        .bind(orderdesk_store_postgres::MIGRATE_LOCK)
        .execute(&mut holder)
        .await
        .unwrap();
    let out = fixtures::orderdesk(&db.url, &["migrate"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(
        stderr.contains("another orderdesk migrate is running"),
        "{stderr}"
    );
    assert_eq!(stderr.trim().lines().count(), 1, "{stderr}");

    sqlx::query("SELECT pg_advisory_unlock($1)")
        .bind(orderdesk_store_postgres::MIGRATE_LOCK)
        .execute(&mut holder)
        .await
        .unwrap();
    let out = fixtures::orderdesk(&db.url, &["migrate"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn wa_id(c: usize) -> String {
    format!("9188{c:08}")
}

fn reply_text(c: usize, m: usize) -> String {
    format!("reply {c}/{m:02}")
}

/// The most sends in any one-second window (starting at a send).
fn busiest_second(times: &[Instant]) -> usize {
    let mut sorted = times.to_vec();
    sorted.sort();
    let mut most = 0;
    let mut end = 0;
    for start in 0..sorted.len() {
        while end < sorted.len() && sorted[end] < sorted[start] + Duration::from_secs(1) {
            end += 1;
        }
        most = most.max(end - start);
    }
    most
}

/// `orderdesk events prune` deletes old events; a stream resuming from a
/// deleted id is told so (410) instead of silently skipping, and one
/// resuming from where the log now starts is served.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stream_resuming_from_a_pruned_event_is_told_to_reload() {
    let db = Db::fresh().await;
    let graph = GraphFake::start().await;
    let a = Instance::start(&db, &graph, &[]).await;
    for i in 0..3 {
        let body = order_webhook(&format!("wamid.prune-{i}"), &wa_id(i), "Old");
        assert_eq!(a.post_webhook(&body).await, 200);
    }
    db.wait_for_orders(3).await;
    assert_eq!(a.events_status(&db.token, 1).await, 200);

    // Everything so far is older than a minute from now.
    let cutoff = (chrono::Utc::now() + chrono::Duration::minutes(1)).to_rfc3339();
    let out = fixtures::orderdesk(&db.url, &["events", "prune", "--before", &cutoff]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.starts_with("deleted "), "{stdout}");
    let through = db
        .count("SELECT value FROM counters WHERE name = 'events_pruned_through'")
        .await;
    assert!(through >= 3, "{stdout}");

    assert_eq!(a.events_status(&db.token, 1).await, 410);
    assert_eq!(a.events_status(&db.token, through).await, 200);
}
