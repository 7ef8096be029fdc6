//! `orderdesk demo` runs a cash-on-delivery confirmation on the phone with
//! no setup (issue #19): the demo offers cash on delivery and asks for the
//! confirmation by its own stored settings, the phone gets Confirm /
//! Cancel buttons, and a tap on Confirm is answered.

use std::time::Duration;

use serde_json::{json, Value};

use crate::browser::{browser, shot, wait_js};
use crate::doctor::start_demo;
use crate::helpers::submit_address_with;

/// The JSON answer to `request`.
async fn json_of(request: reqwest::RequestBuilder) -> Value {
    request.send().await.unwrap().json().await.unwrap()
}

/// The phone's thread of `wa`, once a business message matches `found`.
async fn wait_for(
    client: &reqwest::Client,
    base: &str,
    wa: &str,
    found: impl Fn(&Value) -> bool,
) -> Value {
    let mut last = Value::Null;
    for _ in 0..300 {
        last = json_of(client.get(format!("{base}/simulator/api/customers/{wa}/thread"))).await;
        if let Some(m) = last["messages"]
            .as_array()
            .unwrap()
            .iter()
            .rev()
            .find(|m| m["from"] == "business" && found(m))
        {
            return m.clone();
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the phone never got the message: {last}");
}

fn has_button(m: &Value, id: &str) -> bool {
    m["buttons"]
        .as_array()
        .is_some_and(|b| b.iter().any(|b| b["id"] == id))
}

async fn tap(client: &reqwest::Client, base: &str, wa: &str, m: &Value, id: &str) {
    let r = client
        .post(format!("{base}/simulator/api/customers/{wa}/tap"))
        .json(&json!({"wamid": m["wamid"], "id": id}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 202, "tap {id}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demo_asks_a_cash_on_delivery_customer_to_confirm_on_the_phone() {
    let demo = start_demo().await;
    let base = format!("http://127.0.0.1:{}", demo.port);
    let client = reqwest::Client::new();
    let customer = json_of(
        client
            .post(format!("{base}/simulator/api/customers"))
            .json(&json!({"name": "Kavya Nair", "phone": "+91 98450 77777"})),
    )
    .await;
    let wa = customer["wa_id"].as_str().unwrap().to_owned();
    let r = client
        .post(format!("{base}/simulator/api/customers/{wa}/cart"))
        .json(&json!({"items": [{"retailer_id": "tea-assam-250", "quantity": 1}]}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 202);
    let asked = wait_for(&client, &base, &wa, |m| m["link"].is_object()).await;
    submit_address_with(&client, asked["link"]["url"].as_str().unwrap()).await;

    // Cash on delivery is offered with no setup.
    let pay = wait_for(&client, &base, &wa, |m| {
        m["buttons"].as_array().is_some_and(|b| {
            b.iter()
                .any(|b| b["id"].as_str().unwrap_or("").starts_with("pay:cod:"))
        })
    })
    .await;
    let cod = pay["buttons"]
        .as_array()
        .unwrap()
        .iter()
        .find_map(|b| b["id"].as_str().filter(|id| id.starts_with("pay:cod:")))
        .unwrap()
        .to_owned();
    let n = cod.trim_start_matches("pay:cod:").to_owned();
    tap(&client, &base, &wa, &pay, &cod).await;
    let note = wait_for(&client, &base, &wa, |m| {
        has_button(m, &format!("note:skip:{n}"))
    })
    .await;
    tap(&client, &base, &wa, &note, &format!("note:skip:{n}")).await;

    // The confirmation, with its two buttons, as the phone shows it.
    let confirm = wait_for(&client, &base, &wa, |m| {
        has_button(m, &format!("cod:confirm:{n}"))
    })
    .await;
    let text = confirm["text"].as_str().unwrap_or_default();
    assert!(
        text.contains("Please confirm your cash-on-delivery order"),
        "{confirm}"
    );
    let titles: Vec<&str> = confirm["buttons"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|b| b["title"].as_str())
        .collect();
    assert_eq!(titles, ["Confirm", "Cancel order"], "{confirm}");
    // As the phone page shows it, on a desktop and a phone.
    for phone in [false, true] {
        let b = browser(phone).await;
        b.client
            .goto(&format!("{base}/phone?customer={wa}"))
            .await
            .unwrap();
        wait_js(
            &b,
            &format!("document.querySelector(\"[data-button-id='cod:confirm:{n}']\")"),
        )
        .await;
        let suffix = if phone { "-phone" } else { "" };
        shot(&b, &format!("demo/cod-confirm{suffix}")).await;
        b.close().await.unwrap();
    }
    tap(&client, &base, &wa, &confirm, &format!("cod:confirm:{n}")).await;
    wait_for(&client, &base, &wa, |m| {
        m["text"]
            .as_str()
            .is_some_and(|t| t.contains(&format!("Order #{n} is confirmed")))
    })
    .await;
}
