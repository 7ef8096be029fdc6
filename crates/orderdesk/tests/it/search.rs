//! Search that finds (issue #16, item 8), through the API: every spelling of
//! a phone number, accents ignored, and per-stage counts that follow it.

use futures_util::StreamExt;
use serde_json::json;

use crate::both_backends;
use crate::helpers::{order_webhook, Backend, TestApp};

async fn numbers(app: &TestApp, q: &str) -> (Vec<i64>, serde_json::Value) {
    let (status, list) = app
        .get(&format!("/api/v1/orders?q={}", urlencoding(q)))
        .await;
    assert_eq!(status, 200, "{list}");
    let found = list["orders"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["number"].as_i64().unwrap())
        .collect();
    (found, list["counts"].clone())
}

fn urlencoding(q: &str) -> String {
    q.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

async fn search_finds_each_spelling_and_the_counts_follow_it(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    for (wamid, wa, name) in [
        ("wamid.s1", "919988776655", "Zoë"),
        ("wamid.s2", "14155550123", "Ravi"),
    ] {
        let cart = order_webhook(wamid, wa, name, &[("masala-chai", 1, "120.00", "INR")]);
        assert_eq!(app.post_webhook(cart.as_bytes()).await.status(), 200);
    }
    let orders = app.wait_for_orders(2).await;
    let zoe = orders
        .iter()
        .find(|o| o["customer"]["name"] == "Zoë")
        .unwrap()["number"]
        .as_i64()
        .unwrap();
    let ravi = orders
        .iter()
        .find(|o| o["customer"]["name"] == "Ravi")
        .unwrap()["number"]
        .as_i64()
        .unwrap();
    let (s, _) = app
        .move_order(ravi, json!({"status": "cancelled", "reason": "duplicate"}))
        .await;
    assert_eq!(s, 200);

    for q in ["+91 99887 76655", "09988776655", "9988776655", "zoe", "ZOË"] {
        let (found, counts) = numbers(&app, q).await;
        assert_eq!(found, [zoe], "{q}");
        assert_eq!(counts["placed"], 1, "{q}: {counts}");
        assert_eq!(counts["cancelled"], 0, "{q}: counts follow the search");
    }
    let (found, _) = numbers(&app, "masala").await;
    assert_eq!(found.len(), 2);
    let (found, counts) = numbers(&app, "nobody-like-this").await;
    assert!(found.is_empty());
    assert_eq!(counts["placed"], 0);
    let (_, everything) = app.get("/api/v1/orders").await;
    assert_eq!(everything["counts"]["cancelled"], 1);
    app.stop().await;
}

both_backends!(
    search_finds_each_spelling_and_the_counts_follow_it,
    counts_of_a_common_word_stop_and_say_so
);

/// Carts from customers "Chai lover {i}", one per `i`, sixteen at a time.
pub async fn post_chai_lovers(app: &TestApp, which: std::ops::Range<usize>) {
    futures_util::stream::iter(which)
        .map(|i| async move {
            let cart = order_webhook(
                &format!("wamid.common{i}"),
                &format!("9190000{i:05}"),
                &format!("Chai lover {i}"),
                &[("masala-chai", 1, "120.00", "INR")],
            );
            assert_eq!(app.post_webhook(cart.as_bytes()).await.status(), 200);
        })
        .buffer_unordered(16)
        .collect::<Vec<()>>()
        .await;
}

/// More matches than a search counts: the API says its counts are a lower
/// bound, the board's tabs show them with a "+", and paging still reaches
/// every match.
async fn counts_of_a_common_word_stop_and_say_so(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let many = 1_001;
    post_chai_lovers(&app, 0..many).await;
    let mut seen = 0;
    let mut cursor = String::new();
    let mut counted = None;
    for _ in 0..400 {
        let (status, page) = app
            .get(&format!("/api/v1/orders?q=lover&limit=200{cursor}"))
            .await;
        assert_eq!(status, 200, "{page}");
        counted.get_or_insert_with(|| (page["counts"].clone(), page["counts_exact"].clone()));
        seen += page["orders"].as_array().unwrap().len();
        match page["next_cursor"].as_str() {
            Some(next) => cursor = format!("&cursor={next}"),
            None if seen == many => break,
            // Still processing: start over.
            None => {
                (seen, cursor, counted) = (0, String::new(), None);
                tokio::time::sleep(std::time::Duration::from_millis(50)).await;
            }
        }
    }
    assert_eq!(seen, many, "paging reaches every match");
    let (counts, exact) = counted.unwrap();
    let total: i64 = counts
        .as_object()
        .unwrap()
        .values()
        .map(|n| n.as_i64().unwrap())
        .sum();
    let exact = exact.as_bool().expect("counts_exact is a boolean");
    assert_eq!(exact, total == many as i64, "{total} counted: {counts}");
    assert!(
        total >= 1000,
        "counts stop at 1,000 at the earliest: {total}"
    );

    crate::dashboard::add_user(&app, "owner@shop.test", orderdesk_store::Role::Owner).await;
    let owner = crate::dashboard::login(&app, "owner@shop.test").await;
    let html = owner
        .get(&app, "/orders?q=lover")
        .await
        .text()
        .await
        .unwrap();
    let all = format!(
        "data-count=\"all\">{total}{}<",
        if exact { "" } else { "+" }
    );
    assert!(html.contains(&all), "the All tab shows {all}");
    let json: serde_json::Value = owner
        .get(&app, "/orders/counts.json?q=lover")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(json["all"], total);
    assert_eq!(json["exact"], exact);
}
