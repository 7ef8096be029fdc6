//! Inbox processing shared by two `orderdesk serve` processes (issue #12
//! items 3 and 4): one holds the processing lease, the other takes over
//! when the holder is killed, every order is applied once, a customer's
//! messages leave once and in order, and a lone order reaches the other
//! instance's stream woken by `NOTIFY`, not by a poll.

use std::collections::{BTreeMap, HashSet};
use std::time::{Duration, Instant};

use serde_json::json;

use crate::fixtures::{order_webhook, Db, GraphFake, Instance, SseReader};

/// The processor and the event stream each poll every second as a safety
/// net; arriving this fast every time means a wake-up brought it.
const WOKEN_WITHIN: Duration = Duration::from_millis(500);

fn customer(i: usize) -> String {
    format!("9198111{i:05}")
}

async fn order_from(instance: &Instance, i: usize) {
    let body = order_webhook(&format!("wamid.lease-{i}"), &customer(i), "Asha");
    assert_eq!(instance.post_webhook(&body).await, 200);
}

/// Sessions holding the processing lease right now.
async fn lease_holders(db: &Db) -> i64 {
    let mut conn = db.connection().await;
    sqlx::query_scalar(
        // This database only: other tests' instances share the cluster, and
        // an advisory key is per database.
        "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted \
         AND database = (SELECT oid FROM pg_database WHERE datname = current_database()) \
         AND objsubid = 1 AND ((classid::bigint << 32) | objid::bigint) = $1",
    )
    .bind(orderdesk_store_postgres::PROCESSING_LOCK)
    .fetch_one(&mut conn)
    .await
    .unwrap()
}

/// Waits for `order.created` of customer `i` on `stream`; how long since `since`.
async fn created(stream: &mut SseReader, i: usize, since: Instant) -> Duration {
    loop {
        let event = stream.next(Duration::from_secs(5)).await;
        if event.kind == "order.created" && event.data["customer"]["wa_id"] == customer(i) {
            return since.elapsed();
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_instance_processes_and_another_takes_over_when_it_is_killed() {
    let db = Db::fresh().await;
    let graph = GraphFake::start().await;
    // A alone first: A takes the lease.
    let mut a = Instance::start(&db, &graph, &[]).await;
    order_from(&a, 0).await;
    db.wait_for_orders(1).await;
    let b = Instance::start(&db, &graph, &[]).await;
    assert_eq!(lease_holders(&db).await, 1, "one processor, not two");

    // A burst to the instance that stands by: A applies each cart once.
    let burst = (1..=30).map(|i| order_from(&b, i));
    futures_util::future::join_all(burst).await;
    assert_eq!(db.wait_for_orders(31).await.len(), 31);

    // A lone order is on the other instance's stream at once, whichever
    // instance took it.
    let mut on_a = SseReader::open(&a, &db.token).await;
    let mut on_b = SseReader::open(&b, &db.token).await;
    for round in 0..3 {
        let i = 100 + 2 * round;
        let sent = Instant::now();
        order_from(&a, i).await;
        let took = created(&mut on_b, i, sent).await;
        assert!(took < WOKEN_WITHIN, "taken by A, on B after {took:?}");
        let sent = Instant::now();
        order_from(&b, i + 1).await;
        let took = created(&mut on_a, i + 1, sent).await;
        assert!(took < WOKEN_WITHIN, "taken by B, on A after {took:?}");
    }

    // Staff write to one customer through both instances.
    let (status, list) = a.get(&db.token, "/api/v1/orders?limit=200").await;
    assert_eq!(status, 200);
    let number = list["orders"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["customer"]["wa_id"] == customer(1))
        .unwrap()["number"]
        .as_i64()
        .unwrap();
    for (instance, text) in [(&a, "one"), (&b, "two"), (&a, "three"), (&b, "four")] {
        let path = format!("/api/v1/orders/{number}/messages");
        let (status, body) = instance
            .post(&db.token, &path, &json!({ "text": text }))
            .await;
        assert_eq!(status, 202, "{body}");
    }

    // Everything queued so far is out (so the kill below opens no
    // at-least-once window of a send in flight); then the holder dies
    // without a word and B takes over.
    let deadline = Instant::now() + Duration::from_secs(30);
    while graph.requests().len() < 37 + 4 {
        assert!(Instant::now() < deadline, "{} sent", graph.requests().len());
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    a.kill();
    for i in 200..210 {
        order_from(&b, i).await;
    }
    assert_eq!(db.wait_for_orders(47).await.len(), 47);
    assert_eq!(lease_holders(&db).await, 1);

    // Every customer got the bot's address request once; customer 1 also
    // the four replies, once each, in the order written.
    let deadline = Instant::now() + Duration::from_secs(30);
    let by_customer = loop {
        let mut by_customer: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for sent in graph.requests() {
            by_customer.entry(sent.to).or_default().push(sent.text);
        }
        let total: usize = by_customer.values().map(Vec::len).sum();
        if total >= 47 + 4 || Instant::now() > deadline {
            break by_customer;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    let customers: HashSet<&String> = by_customer.keys().collect();
    assert_eq!(customers.len(), 47, "{by_customer:?}");
    for (wa_id, texts) in &by_customer {
        if *wa_id == customer(1) {
            assert_eq!(texts, &["[interactive]", "one", "two", "three", "four"]);
        } else {
            assert_eq!(texts, &["[interactive]"], "to {wa_id}");
        }
    }
}
