//! Typed drafts at the desk (#21): "Change", or words nobody could place,
//! hand the conversation to a person with the draft attached; staff read
//! it, edit its lines and send it back; the customer's "Place order" then
//! orders it. And a draft past its lifetime orders nothing, end to end.

use std::time::Duration;

use orderdesk_domain::{DraftTap, TapAction};
use serde_json::{json, Value};

use orderdesk_store::Role;

use crate::both_backends;
use crate::dashboard::{add_user, login};
use crate::helpers::{customer_message, Backend, GraphFake, TestApp};
use crate::typed_orders::{body_text, buttons, lines_of, nth, orders, shop, taps, types, WA};
use crate::window::{put, received_hours_ago};

const DRAFT: &str = "/api/v1/conversations/919811100821/draft";
const SEND: &str = "/api/v1/conversations/919811100821/draft/send";

/// The conversation once `pred` holds for it (the inbox works behind the webhook).
async fn conversation_when(app: &TestApp, pred: impl Fn(&Value) -> bool) -> Value {
    let mut c = Value::Null;
    for _ in 0..200 {
        let (_, list) = app.get("/api/v1/conversations").await;
        c = list["conversations"][0].clone();
        if pred(&c) {
            return c;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the conversation never got there: {c}");
}

/// The draft once `pred` holds for it.
async fn draft_when(app: &TestApp, pred: impl Fn(&Value) -> bool) -> Value {
    let mut last = Value::Null;
    for _ in 0..200 {
        let (status, d) = app.get(DRAFT).await;
        if status == 200 && pred(&d) {
            return d;
        }
        last = d;
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the draft never got there: {last}");
}

fn lines(d: &Value) -> Vec<(String, i64)> {
    lines_of(&d["lines"])
}

/// A business message whose text contains `needle`, once Graph got it.
async fn said(graph: &GraphFake, needle: &str) -> Value {
    for _ in 0..200 {
        if let Some(m) = graph
            .requests()
            .into_iter()
            .map(|r| r.2)
            .find(|m| body_text(m).contains(needle))
        {
            return m;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let all: Vec<String> = graph.requests().iter().map(|r| body_text(&r.2)).collect();
    panic!("nothing said {needle:?}: {all:?}");
}

async fn change_takes_the_draft_to_the_desk_and_staff_send_it_back(backend: Backend) {
    let graph = GraphFake::start().await;
    let app = shop(backend, &graph).await;
    let (status, _) = app.get(DRAFT).await;
    assert_eq!(status, 404, "nobody wrote yet");

    types(&app, "wamid.k1", "2 kg basmati, 1 toor dal").await;
    let (place, change) = buttons(&nth(&graph, 0).await);
    taps(&app, "wamid.k2", (&change, "Change")).await;
    let ack = body_text(&nth(&graph, 1).await);
    assert!(ack.contains("a person from our team will look"), "{ack}");
    let c = conversation_when(&app, |c| c["handover"] == true).await;
    assert_eq!(c["needs_reply"], true, "{c}");

    let d = draft_when(&app, |d| d["at_desk"] == true).await;
    assert_eq!(d["state"], "open", "{d}");
    assert_eq!(
        lines(&d),
        [("rice-basmati".to_owned(), 2), ("toor-dal".to_owned(), 1)]
    );
    assert_eq!(d["total_minor"], 50_000, "{d}");
    assert_eq!(d["lines"][0]["title"], "India Gate Basmati Rice 1 kg");
    assert!(d["expires_at"].is_string(), "{d}");
    // The old offer's "Place order" orders nothing now: staff have it.
    taps(&app, "wamid.k3", (&place, "Place order")).await;
    assert!(body_text(&nth(&graph, 2).await).contains("older draft"));

    // Bad lines are refused, naming what is wrong, and change nothing.
    for (body, code, says) in [
        (
            json!({"lines": [{"retailer_id": "no-such-thing", "quantity": 1}]}),
            "unknown_product",
            "no-such-thing",
        ),
        (
            json!({"lines": [{"retailer_id": "salt", "quantity": 0}]}),
            "invalid_request",
            "1–999",
        ),
        (
            json!({"lines": [{"retailer_id": "salt", "quantity": 1000}]}),
            "invalid_request",
            "1–999",
        ),
        (json!({"lines": []}), "invalid_request", "at least one line"),
    ] {
        let (status, e) = put(&app, DRAFT, body.clone()).await;
        assert_eq!(status, 422, "{body}: {e}");
        assert_eq!(e["error"]["code"], code, "{e}");
        assert!(
            e["error"]["message"].as_str().unwrap().contains(says),
            "{e}"
        );
    }
    let (_, same) = app.get(DRAFT).await;
    assert_eq!(lines(&same), lines(&d), "a refused edit changed the draft");

    // Staff's version: three packs of rice, the dal dropped, salt added.
    let (status, edited) = put(
        &app,
        DRAFT,
        json!({"lines": [{"retailer_id": "rice-basmati", "quantity": 3},
                          {"retailer_id": "salt", "quantity": 1}]}),
    )
    .await;
    assert_eq!(status, 200, "{edited}");
    assert_eq!(
        lines(&edited),
        [("rice-basmati".to_owned(), 3), ("salt".to_owned(), 1)]
    );
    assert!(orders(&app).await.is_empty(), "an edit orders nothing");

    let (status, sent) = app.post(SEND, &json!({})).await;
    assert_eq!(status, 202, "{sent}");
    assert_eq!(sent["draft"]["at_desk"], false, "{sent}");
    assert!(sent["message"]["text"]
        .as_str()
        .unwrap()
        .contains("3 × India Gate Basmati Rice 1 kg"));
    let offer = nth(&graph, 3).await;
    let text = body_text(&offer);
    assert!(text.contains("3 × India Gate Basmati Rice 1 kg"), "{text}");
    assert!(text.contains("1 × Tata Salt 1 kg"), "{text}");
    assert!(!text.contains("Toor"), "{text}");
    let c = conversation_when(&app, |c| c["handover"] == false).await;
    assert_eq!(c["needs_reply"], false, "sent back counts as answered: {c}");

    // The customer confirms staff's version: the order, then the checkout.
    let (place, _) = buttons(&offer);
    taps(&app, "wamid.k4", (&place, "Place order")).await;
    let placed = app.wait_for_orders(1).await;
    assert_eq!(
        lines_of(&placed[0]["items"]),
        [("rice-basmati".to_owned(), 3), ("salt".to_owned(), 1)]
    );
    said(&graph, "Thank you for your order #").await;

    // Placed: the desk shows it so, and refuses to edit or send it again.
    let d = draft_when(&app, |d| d["state"] == "placed").await;
    let (status, e) = put(
        &app,
        DRAFT,
        json!({"lines": [{"retailer_id": "salt", "quantity": 2}]}),
    )
    .await;
    assert_eq!((status, &e["error"]["code"]), (409, &json!("draft_placed")));
    let (status, e) = app.post(SEND, &json!({})).await;
    assert_eq!(status, 409, "{e}");
    let (_, after) = app.get(DRAFT).await;
    assert_eq!(lines(&after), lines(&d));
    assert_eq!(orders(&app).await.len(), 1);
    app.stop().await;
}

async fn a_partly_read_message_reaches_the_desk_with_what_was_not_placed(backend: Backend) {
    let graph = GraphFake::start().await;
    let app = shop(backend, &graph).await;
    types(&app, "wamid.u1", "2 namak, 1 jar of happiness").await;
    nth(&graph, 0).await;
    conversation_when(&app, |c| c["handover"] == true).await;
    let d = draft_when(&app, |d| d["at_desk"] == true).await;
    assert_eq!(lines(&d), [("salt".to_owned(), 2)]);
    assert_eq!(d["unmatched"], json!(["1 jar of happiness"]), "{d}");
    assert_eq!(d["state"], "open");
    app.stop().await;
}

async fn a_draft_past_its_lifetime_orders_nothing_and_is_refused_at_the_desk(backend: Backend) {
    let graph = GraphFake::start().await;
    let app = shop(backend, &graph).await;
    let typed = customer_message("wamid.e1", WA, Some("2 kg basmati"), None);
    received_hours_ago(&app, &typed, 25).await;
    let d = draft_when(&app, |d| {
        d["lines"].as_array().is_some_and(|l| !l.is_empty())
    })
    .await;
    assert_eq!(d["state"], "expired", "{d}");
    // The button the customer was shown, as its id names that draft.
    let key = d["key"].as_str().unwrap().to_owned();
    let kept = app.store.typed_draft(&key).await.unwrap().unwrap();
    let place = DraftTap {
        action: TapAction::Place,
        made_at: kept.made_at.unwrap(),
        fingerprint: kept.stamp.catalog_version,
    }
    .encode();

    taps(&app, "wamid.e2", (&place, "Place order")).await;
    said(&graph, "That draft has expired").await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(
        orders(&app).await.is_empty(),
        "an expired draft is no order"
    );

    let (status, e) = put(
        &app,
        DRAFT,
        json!({"lines": [{"retailer_id": "salt", "quantity": 1}]}),
    )
    .await;
    assert_eq!(
        (status, &e["error"]["code"]),
        (409, &json!("draft_expired"))
    );
    let (status, e) = app.post(SEND, &json!({})).await;
    assert_eq!(
        (status.as_u16(), &e["error"]["code"]),
        (409, &json!("draft_expired"))
    );
    assert_eq!(
        lines(&app.get(DRAFT).await.1),
        [("rice-basmati".to_owned(), 2)]
    );
    app.stop().await;
}

/// The inbox with the customer's conversation open, as HTML.
async fn inbox_page(app: &TestApp, staff: &crate::dashboard::Staff) -> String {
    let r = staff.get(app, &format!("/inbox?c={WA}")).await;
    r.text().await.unwrap()
}

/// The inbox's panel: shown for a draft at the desk, its refusals in words
/// changing nothing, "Save lines", and "Send to customer" saving the rows as
/// typed first.
async fn the_inbox_panel_edits_and_sends_the_draft(backend: Backend) {
    let graph = GraphFake::start().await;
    let app = shop(backend, &graph).await;
    add_user(&app, "owner@shop.test", Role::Owner).await;
    let staff = login(&app, "owner@shop.test").await;
    types(&app, "wamid.i1", "2 namak, 1 jar of happiness").await;
    nth(&graph, 0).await;
    draft_when(&app, |d| d["at_desk"] == true).await;
    let page = inbox_page(&app, &staff).await;
    assert!(page.contains(r#"id="typed-draft""#), "no draft panel");
    assert!(page.contains("1 jar of happiness"));

    let path = format!("/inbox/{WA}/draft");
    for (rows, says) in [
        (
            vec![("line_id", "salt"), ("line_qty", "0")],
            "at least one line",
        ),
        (
            vec![("line_id", "no-such-thing"), ("line_qty", "1")],
            "in the catalog: no-such-thing",
        ),
        (vec![("line_id", "salt"), ("line_qty", "1000")], "1–999"),
    ] {
        let mut form = vec![("csrf", staff.csrf.as_str())];
        form.extend(rows);
        let r = staff.post(&app, &path, &form).await;
        assert_eq!(r.status(), 422);
        assert!(r.text().await.unwrap().contains(says), "{says}");
    }
    assert_eq!(lines(&app.get(DRAFT).await.1), [("salt".to_owned(), 2)]);

    let csrf = staff.csrf.as_str();
    let form = [
        ("csrf", csrf),
        ("line_id", "salt"),
        ("line_qty", "3"),
        ("line_id", "rice-basmati"),
        ("line_qty", ""),
    ];
    assert_eq!(staff.post(&app, &path, &form).await.status(), 303);
    let want = [("salt".to_owned(), 3), ("rice-basmati".to_owned(), 1)];
    assert_eq!(lines(&app.get(DRAFT).await.1), want);

    let form = [
        ("csrf", csrf),
        ("line_id", "salt"),
        ("line_qty", "4"),
        ("line_id", "rice-basmati"),
        ("line_qty", "1"),
    ];
    let r = staff.post(&app, &format!("{path}/send"), &form).await;
    assert_eq!(r.status(), 303);
    let offer = said(&graph, "4 × Tata Salt 1 kg").await;
    buttons(&offer);
    let page = inbox_page(&app, &staff).await;
    assert!(
        !page.contains(r#"id="typed-draft""#),
        "sent back, off the desk"
    );
    assert!(orders(&app).await.is_empty());
    app.stop().await;
}

both_backends!(
    the_inbox_panel_edits_and_sends_the_draft,
    change_takes_the_draft_to_the_desk_and_staff_send_it_back,
    a_partly_read_message_reaches_the_desk_with_what_was_not_placed,
    a_draft_past_its_lifetime_orders_nothing_and_is_refused_at_the_desk,
);
