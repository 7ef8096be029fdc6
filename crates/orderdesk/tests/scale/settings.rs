//! A settings change made through one instance applies on the other
//! without a restart (issue #17).

use std::time::{Duration, Instant};

use serde_json::{json, Value};

use crate::fixtures::{Db, GraphFake, Instance};

fn value_of(list: &Value, key: &str) -> Value {
    list["settings"]
        .as_array()
        .and_then(|all| all.iter().find(|s| s["key"] == key))
        .map_or(Value::Null, |s| s["value"].clone())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_setting_changed_on_one_instance_applies_on_the_other() {
    let db = Db::fresh().await;
    let graph = GraphFake::start().await;
    let a = Instance::start(&db, &graph, &[]).await;
    let b = Instance::start(&db, &graph, &[]).await;
    let (status, before) = b.get(&db.token, "/api/v1/settings").await;
    assert_eq!(status, 200, "{before}");
    assert_eq!(value_of(&before, "ORDERDESK_TIMEZONE"), "UTC");

    let put = reqwest::Client::new()
        .put(a.url("/api/v1/settings"))
        .bearer_auth(&db.token)
        .json(&json!({"settings": {"ORDERDESK_TIMEZONE": "Asia/Kolkata"}}))
        .send()
        .await
        .unwrap();
    assert_eq!(put.status(), 200);
    let changed = Instant::now();
    loop {
        let (_, now) = b.get(&db.token, "/api/v1/settings").await;
        if value_of(&now, "ORDERDESK_TIMEZONE") == "Asia/Kolkata" {
            break;
        }
        assert!(
            changed.elapsed() < Duration::from_secs(3),
            "B still shows {} 3 s after A's change",
            value_of(&now, "ORDERDESK_TIMEZONE")
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    eprintln!(
        "a settings change on A applied on B after {:?}",
        changed.elapsed()
    );
}
