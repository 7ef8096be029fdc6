//! Crashes of a real server process: SIGKILL mid-load loses no
//! acknowledged order, and a crash between sending and recording sends
//! again, recorded once.

use super::*;

/// Fires signed carts at a real server and kills it with SIGKILL midway:
/// every cart that was answered 200 must become an order after a restart.
async fn kill_9_loses_no_acknowledged_order(backend: Backend) {
    let (db, _dir) = fresh_db(backend);
    let server = Server::start(&db).await;
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(5))
        .build()
        .unwrap();
    let mut tasks = Vec::new();
    for i in 0..400 {
        let client = client.clone();
        let url = format!("{}/webhooks/whatsapp", server.base);
        tasks.push(tokio::spawn(async move {
            let wamid = format!("wamid.kill-{i}");
            let body = order_webhook(
                &wamid,
                &format!("1555600{i:04}"),
                "K",
                &[("a", 1, "1", "USD")],
            );
            let sig = orderdesk_whatsapp::sign(APP_SECRET.as_bytes(), body.as_bytes());
            tokio::time::sleep(Duration::from_millis((i % 40) * 5)).await;
            let acked = matches!(
                client.post(url).header("x-hub-signature-256", sig).body(body).send().await,
                Ok(r) if r.status() == 200
            );
            (i, acked)
        }));
    }
    tokio::time::sleep(Duration::from_millis(80)).await;
    server.signal("-KILL");
    let _ = server.wait();
    let mut acked = Vec::new();
    for t in tasks {
        let (i, ok) = t.await.unwrap();
        if ok {
            acked.push(i);
        }
    }
    assert!(
        !acked.is_empty(),
        "some deliveries were acknowledged before the kill"
    );

    let server = Server::start(&db).await;
    let export = wait_for_export(&db, acked.len());
    drop(server);
    let wa_ids: std::collections::HashSet<String> = export
        .lines()
        .map(|l| {
            serde_json::from_str::<Value>(l).unwrap()["customer"]["wa_id"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect();
    for i in &acked {
        assert!(
            wa_ids.contains(&format!("1555600{i:04}")),
            "acknowledged cart {i} was lost"
        );
    }
}

crate::both_backends!(kill_9_loses_no_acknowledged_order);

/// The process dies while a message is being sent (claimed, request out,
/// no answer recorded). After a restart the lease runs out, the message is
/// sent again and recorded once: the thread shows it once, as sent.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_crash_between_send_and_record_sends_again_and_records_once() {
    use crate::helpers::{GraphFake, ACCESS_TOKEN, PHONE_NUMBER_ID};
    let (db, _dir) = fresh_db(Backend::Sqlite);
    let out = orderdesk(&db, &["token", "create", "--name", "crash"], None);
    let token = text(&out.stdout).lines().last().unwrap().trim().to_owned();
    let graph = GraphFake::start().await;
    graph.hang_next(1);
    let env = [
        ("WHATSAPP_GRAPH_URL", graph.url.as_str()),
        ("WHATSAPP_PHONE_NUMBER_ID", PHONE_NUMBER_ID),
        ("WHATSAPP_ACCESS_TOKEN", ACCESS_TOKEN),
        ("ORDERDESK_OUTBOX_LEASE", "2s"),
    ];
    let server = Server::start_with(&db, &env).await;
    let client = reqwest::Client::new();
    let body = order_webhook(
        "wamid.crash",
        "15557000001",
        "Crash",
        &[("a", 1, "1", "USD")],
    );
    let r = post_signed_webhook(&client, &server.base, body)
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    // The address request is out and hanging: die now.
    graph.wait_for(1, Duration::from_secs(5)).await;
    server.signal("-KILL");
    let _ = server.wait();

    let server = Server::start_with(&db, &env).await;
    let sent = graph.wait_for(2, Duration::from_secs(10)).await;
    // The same message again; only its freshly minted form link differs.
    let without_link = |v: &Value| {
        let mut v = v.clone();
        v["interactive"]["action"]["parameters"]["url"] = Value::Null;
        v
    };
    assert_eq!(without_link(&sent[0].2), without_link(&sent[1].2));
    let mut thread = Value::Null;
    for _ in 0..200 {
        let r = client
            .get(format!("{}/api/v1/orders/1001/messages", server.base))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap();
        thread = r.json().await.unwrap();
        if thread["messages"][0]["state"] == "sent" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let messages = thread["messages"].as_array().unwrap();
    assert_eq!(messages.len(), 1, "{thread}");
    assert_eq!(messages[0]["state"], "sent");
    assert_eq!(messages[0]["wamid"], "wamid.fake-2");
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert_eq!(graph.requests().len(), 2, "nothing sent a third time");
}
