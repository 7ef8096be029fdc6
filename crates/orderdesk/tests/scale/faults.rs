//! Fault injection (issue #11): what a user notices when the parts around
//! orderdesk fail under load. PostgreSQL restarted during a burst of
//! webhooks, the Graph API failing and then hanging for two minutes, and
//! the SQLite database's disk full. Each runs real `orderdesk serve`
//! children and real failures (a stopped server, a loopback Graph API that
//! answers 500 or never, a file-size limit on the process).

use std::collections::{HashMap, HashSet};
use std::process::Command;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use orderdesk_store::prelude::*;
use orderdesk_store::NewApiToken;
use serde_json::json;

use crate::fixtures::{order_webhook, Db, GraphFake, GraphMode, Instance};

/// Posts cart webhooks (customer `9177<i>`) from `posters` concurrent
/// senders until `stop`, recording each one's status and when it was sent.
async fn burst(
    instance: Arc<Instance>,
    prefix: &'static str,
    posters: usize,
    stop: Arc<AtomicBool>,
) -> Vec<(usize, u16, Instant)> {
    let next = Arc::new(AtomicUsize::new(0));
    let answers = Arc::new(Mutex::new(Vec::new()));
    let tasks: Vec<_> = (0..posters)
        .map(|_| {
            let (instance, stop, next, answers) = (
                instance.clone(),
                stop.clone(),
                next.clone(),
                answers.clone(),
            );
            tokio::spawn(async move {
                while !stop.load(Ordering::Relaxed) {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let sent = Instant::now();
                    let status = instance.post_webhook(&cart(prefix, i)).await;
                    answers.lock().unwrap().push((i, status, sent));
                    tokio::time::sleep(Duration::from_millis(10)).await;
                }
            })
        })
        .collect();
    for t in tasks {
        t.await.unwrap();
    }
    let mut answers = answers.lock().unwrap().clone();
    answers.sort_unstable();
    answers
}

fn cart(prefix: &str, i: usize) -> String {
    order_webhook(&format!("wamid.{prefix}-{i}"), &customer(i), "Burst")
}

fn customer(i: usize) -> String {
    format!("9177{i:08}")
}

/// Waits (bounded) until the API answers 200 again.
async fn until_serving(instance: &Instance, token: &str, within: Duration) -> Duration {
    let start = Instant::now();
    loop {
        let (status, _) = instance.get(token, "/api/v1/orders?limit=1").await;
        if status == 200 {
            return start.elapsed();
        }
        assert!(start.elapsed() < within, "still {status} after {within:?}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// The customers (wa_id) that have an order, through the API.
async fn customers_with_orders(instance: &Instance, token: &str) -> HashSet<String> {
    let mut found = HashSet::new();
    let mut cursor = String::new();
    loop {
        let (status, page) = instance
            .get(token, &format!("/api/v1/orders?limit=100&cursor={cursor}"))
            .await;
        assert_eq!(status, 200, "{page}");
        for order in page["orders"].as_array().unwrap() {
            found.insert(order["customer"]["wa_id"].as_str().unwrap().to_owned());
        }
        match page["next_cursor"].as_str() {
            Some(next) => cursor = next.to_owned(),
            None => return found,
        }
    }
}

/// Waits (bounded) until every customer in `wanted` has an order.
async fn until_ordered(instance: &Instance, token: &str, wanted: &HashSet<String>) {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let have = customers_with_orders(instance, token).await;
        let missing: Vec<_> = wanted.difference(&have).collect();
        if missing.is_empty() {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "{} acknowledged carts have no order, e.g. {:?}",
            missing.len(),
            &missing[..missing.len().min(5)]
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// PostgreSQL restarted (fast shutdown, as `pg_ctl restart -m fast`) in the
/// middle of a burst of signed webhooks: every webhook answered 200 becomes
/// an order, the ones refused meanwhile were refused with 503 (so Meta
/// retries them, and the retries become orders too), and the same server
/// process serves the API again once the database is back.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_restarted_during_a_webhook_burst_loses_no_acknowledged_order() {
    // Its own cluster: restarting the shared one would break other tests.
    let mut cluster = orderdesk_testkit::PgCluster::start().unwrap();
    let db = Db::at(cluster.create_database().unwrap()).await;
    let graph = GraphFake::start().await;
    let a = Arc::new(Instance::start(&db, &graph, &[]).await);

    let stop = Arc::new(AtomicBool::new(false));
    let posting = tokio::spawn(burst(a.clone(), "pgrestart", 4, stop.clone()));
    tokio::time::sleep(Duration::from_secs(2)).await;
    tokio::task::block_in_place(|| cluster.stop()).unwrap();
    let down = Instant::now();
    tokio::time::sleep(Duration::from_secs(3)).await;
    let up = Instant::now();
    tokio::task::block_in_place(|| cluster.start_again()).unwrap();
    let recovered = until_serving(&a, &db.token, Duration::from_secs(30)).await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    stop.store(true, Ordering::Relaxed);
    let answers = posting.await.unwrap();

    let mut by_status: HashMap<u16, usize> = HashMap::new();
    for (_, status, _) in &answers {
        *by_status.entry(*status).or_default() += 1;
    }
    let while_down = answers
        .iter()
        .filter(|(_, _, sent)| (down..up).contains(sent))
        .count();
    eprintln!(
        "{} webhooks across a PostgreSQL restart ({while_down} sent while it was down): \
         {by_status:?}; API back {recovered:?} after the restart",
        answers.len()
    );
    let acknowledged: HashSet<String> = answers
        .iter()
        .filter(|(_, s, _)| *s == 200)
        .map(|(i, _, _)| customer(*i))
        .collect();
    let refused: Vec<usize> = answers
        .iter()
        .filter(|(_, s, _)| *s != 200)
        .map(|(i, _, _)| *i)
        .collect();
    assert!(while_down > 0, "the burst did not span the restart");
    assert!(
        answers.iter().any(|(_, s, sent)| *s == 200 && *sent > up),
        "nothing was acknowledged after the restart: {by_status:?}"
    );
    assert!(
        by_status.keys().all(|s| *s == 200 || *s == 503),
        "refusals other than 503: {by_status:?}"
    );
    until_ordered(&a, &db.token, &acknowledged).await;

    // Meta redelivers what was refused; those become orders as well.
    for i in &refused {
        assert_eq!(a.post_webhook(&cart("pgrestart", *i)).await, 200);
    }
    let everyone: HashSet<String> = answers.iter().map(|(i, _, _)| customer(*i)).collect();
    until_ordered(&a, &db.token, &everyone).await;
    let orders = db.count("SELECT count(*) FROM orders").await;
    assert_eq!(
        orders as usize,
        everyone.len(),
        "one order per cart, no duplicates"
    );
}

/// How long the Graph API fails, then hangs: the two minutes of issue #11
/// (60 s of 500s, then 60 s of requests that are never answered).
const GRAPH_OUTAGE_PHASE: Duration = Duration::from_secs(60);

/// The Graph API answers 500 for a minute, then hangs for a minute, while
/// staff keep replying to five customers: afterwards every reply reaches
/// WhatsApp exactly once, each customer's in the order they were written.
/// The wait after the outage covers the dispatcher's exponential backoff
/// (a message that failed for two minutes may next be tried minutes later).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_graph_api_outage_of_two_minutes_delivers_everything_once_in_order() {
    let db = Db::fresh().await;
    let graph = GraphFake::start().await;
    let a = Instance::start(&db, &graph, &[]).await;
    let customers = 5;
    for c in 0..customers {
        let body = order_webhook(&format!("wamid.outage-{c}"), &customer(c), "Outage");
        assert_eq!(a.post_webhook(&body).await, 200);
    }
    let numbers = db.wait_for_orders(customers).await;
    let reply = |c: usize, m: usize| format!("reply {c}/{m:02}");
    let queue = |from: usize, to: usize| {
        let (a, token, numbers) = (&a, &db.token, &numbers);
        async move {
            for m in from..to {
                for (c, number) in numbers.iter().enumerate() {
                    let (status, body) = a
                        .post(
                            token,
                            &format!("/api/v1/orders/{number}/messages"),
                            &json!({ "text": reply(c, m) }),
                        )
                        .await;
                    assert_eq!(status, 202, "{body}");
                }
            }
        }
    };

    graph.set_mode(GraphMode::Failing);
    queue(0, 5).await;
    tokio::time::sleep(GRAPH_OUTAGE_PHASE).await;
    graph.set_mode(GraphMode::Hanging);
    // A new customer's cart makes the bot answer at once, so at least one
    // send meets the hanging API whatever the backoff of the others.
    let late = order_webhook("wamid.outage-late", &customer(customers), "Late");
    assert_eq!(a.post_webhook(&late).await, 200);
    queue(5, 10).await;
    tokio::time::sleep(GRAPH_OUTAGE_PHASE).await;
    graph.set_mode(GraphMode::Up);
    let back = Instant::now();
    let expected = customers * 10;
    graph
        .wait_for_texts(
            |t| t.starts_with("reply "),
            expected,
            Duration::from_secs(480),
        )
        .await;
    // Let anything duplicated arrive before judging.
    tokio::time::sleep(Duration::from_secs(2)).await;
    let all = graph.requests();
    eprintln!(
        "after the outage ({} sends answered 500, {} left hanging): all {expected} replies out {:?} later",
        graph.refused(GraphMode::Failing),
        graph.refused(GraphMode::Hanging),
        back.elapsed()
    );
    assert!(graph.refused(GraphMode::Failing) > 0 && graph.refused(GraphMode::Hanging) > 0);
    let mut count: HashMap<(&str, &str), usize> = HashMap::new();
    for r in &all {
        *count.entry((r.to.as_str(), r.text.as_str())).or_default() += 1;
    }
    let twice: Vec<_> = count.iter().filter(|(_, n)| **n > 1).collect();
    assert!(twice.is_empty(), "delivered more than once: {twice:?}");
    for c in 0..customers {
        let got: Vec<&str> = all
            .iter()
            .filter(|r| r.to == customer(c) && r.text.starts_with("reply "))
            .map(|r| r.text.as_str())
            .collect();
        let wanted: Vec<String> = (0..10).map(|m| reply(c, m)).collect();
        assert_eq!(got, wanted, "customer {c}");
    }
    let unsent = db
        .count("SELECT count(*) FROM messages WHERE direction = 'out' AND state <> 'sent'")
        .await;
    assert_eq!(unsent, 0, "messages left unsent or given up");
}

/// Lowers (`Some(bytes)`) or lifts (`None`) the file-size limit of a
/// running process, as a full disk and an operator freeing space would.
/// Only the soft limit moves: raising a hard limit needs CAP_SYS_RESOURCE,
/// which a container's root may not have.
fn set_file_size_limit(pid: u32, bytes: Option<u64>) {
    let limit = bytes.map_or_else(|| "unlimited".to_owned(), |b| b.to_string());
    let out = Command::new("prlimit")
        .arg("--pid")
        .arg(pid.to_string())
        .arg(format!("--fsize={limit}:unlimited"))
        .output()
        .expect("prlimit (util-linux) is installed");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The SQLite database's disk full (a file-size limit of 4 KiB on the
/// running server, so no database or journal file can grow): every webhook
/// is refused with 503, never acknowledged and lost, and the server stays
/// up and keeps answering reads. When space returns (the limit lifted on
/// the same process) webhooks are taken again without a restart, and the
/// refused ones, redelivered, become orders.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_disk_refuses_sqlite_webhooks_with_503_and_recovers() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("orderdesk.db").display());
    let token = "odk_fault_disk_full";
    {
        let store = orderdesk_store_sqlite::connect(&url).await.unwrap();
        store.migrate().await.unwrap();
        store
            .create_token(&NewApiToken {
                name: "faults".into(),
                secret_hash: orderdesk_web::auth::token_hash(token),
                created_at: chrono::Utc::now(),
            })
            .await
            .unwrap();
        store.backend().close().await;
    }
    let graph = GraphFake::start().await;
    let a = Instance::start_on(&url, &graph, &[]).await;
    for i in 0..3 {
        assert_eq!(a.post_webhook(&cart("before", i)).await, 200);
    }
    let before: HashSet<String> = (0..3).map(customer).collect();
    until_ordered(&a, token, &before).await;

    set_file_size_limit(a.pid(), Some(4096));
    let full: Vec<u16> = {
        let mut statuses = Vec::new();
        for i in 3..13 {
            statuses.push(a.post_webhook(&cart("full", i)).await);
        }
        statuses
    };
    assert!(
        full.iter().all(|s| *s == 503),
        "while the disk is full: {full:?}"
    );
    let (status, _) = a.get(token, "/api/v1/orders").await;
    assert_eq!(status, 200, "reads still work while the disk is full");

    set_file_size_limit(a.pid(), None);
    let recovered = Instant::now();
    loop {
        let status = a.post_webhook(&cart("full", 3)).await;
        if status == 200 {
            break;
        }
        assert_eq!(status, 503);
        assert!(
            recovered.elapsed() < Duration::from_secs(15),
            "still refusing"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    eprintln!(
        "taking webhooks again {:?} after space returned",
        recovered.elapsed()
    );
    for i in 4..13 {
        assert_eq!(a.post_webhook(&cart("full", i)).await, 200);
    }
    let everyone: HashSet<String> = (0..13).map(customer).collect();
    until_ordered(&a, token, &everyone).await;
}
