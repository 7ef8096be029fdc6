//! `StripeProvider` against a loopback fake of api.stripe.com (the
//! form-encoded session request, the idempotency key, how answers are
//! sorted) and against signed Checkout Session events.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use axum::http::Method;
use common::{
    assert_create_fails_as, assert_flagged_as_paid_other_than_the_order,
    assert_unreachable_is_retryable, at, money, request, Expect, FakeProvider,
};
use orderdesk_domain::{OrderNumber, PaymentMethod, PaymentStatus};
use orderdesk_payments::stripe::{self, StripeConfig, StripeProvider};
use orderdesk_payments::{
    Decision, HeaderMap, PaymentError, PaymentEvent, PaymentEventKind, PaymentLink,
    PaymentProvider, ReferenceId, ReturnCheck, WebhookError,
};
use serde_json::{json, Value};

const SECRET_KEY: &str = "sk_test_fake";
const WEBHOOK_SECRET: &str = "whsec_test_secret";
const NOW: i64 = 1_700_000_000;

fn provider_at(base_url: &str) -> StripeProvider {
    let mut c = StripeConfig::new(SECRET_KEY, vec![WEBHOOK_SECRET.to_owned()]);
    c.api_url = base_url.to_owned();
    StripeProvider::new(c).unwrap()
}

fn provider() -> StripeProvider {
    provider_at(stripe::DEFAULT_API_URL)
}

fn session_created() -> String {
    json!({
        "id": "cs_test_a1b2c3",
        "object": "checkout.session",
        "amount_total": 49900,
        "currency": "inr",
        "client_reference_id": "1001-2",
        "expires_at": 1_700_003_600,
        "status": "open",
        "payment_status": "unpaid",
        "url": "https://checkout.stripe.com/c/pay/cs_test_a1b2c3",
    })
    .to_string()
}

// --- what goes out ------------------------------------------------------

#[tokio::test]
async fn a_session_is_created_form_encoded_with_bearer_auth_and_our_idempotency_key() {
    let fake = FakeProvider::start().await;
    fake.answer(200, session_created());

    let link = provider_at(&fake.base_url())
        .create_request(&request())
        .await
        .unwrap();

    assert_eq!(
        link,
        PaymentLink {
            url: "https://checkout.stripe.com/c/pay/cs_test_a1b2c3".into(),
            reference: "cs_test_a1b2c3".into(),
            reference_id: ReferenceId::new(OrderNumber::new(1001).unwrap(), 2),
            expires_at: Some(at(1_700_003_600)),
        }
    );
    let requests = fake.requests();
    assert_eq!(requests.len(), 1);
    let r = &requests[0];
    assert_eq!(r.method, Method::POST);
    assert_eq!(r.path, "/v1/checkout/sessions");
    assert_eq!(r.headers["authorization"], format!("Bearer {SECRET_KEY}"));
    assert_eq!(r.headers["idempotency-key"], "1001-2");
    assert_eq!(
        r.headers["content-type"],
        "application/x-www-form-urlencoded"
    );
    let mut form = r.form();
    form.sort();
    let mut expected: Vec<(String, String)> = [
        ("mode", "payment"),
        ("client_reference_id", "1001-2"),
        ("line_items[0][quantity]", "1"),
        ("line_items[0][price_data][currency]", "inr"),
        ("line_items[0][price_data][unit_amount]", "49900"),
        (
            "line_items[0][price_data][product_data][name]",
            "Order #1001",
        ),
        ("metadata[order_number]", "1001"),
        ("metadata[attempt]", "2"),
        ("metadata[reference_id]", "1001-2"),
        ("payment_intent_data[metadata][order_number]", "1001"),
        ("payment_intent_data[metadata][reference_id]", "1001-2"),
        ("expires_at", "1700003600"),
        ("success_url", "https://shop.example/pay/return/1001"),
        ("cancel_url", "https://shop.example/pay/cancel/1001"),
        ("customer_email", "asha@example.com"),
    ]
    .iter()
    .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
    .collect();
    expected.sort();
    assert_eq!(form, expected);
}

#[tokio::test]
async fn a_zero_decimal_currency_is_sent_as_is_and_an_empty_description_gets_a_name() {
    let fake = FakeProvider::start().await;
    fake.answer(200, session_created());
    let mut req = request();
    req.amount = money(1500, "JPY");
    req.description = "  ".into();
    req.callback_url = None;
    req.cancel_url = None;
    req.customer_email = None;

    provider_at(&fake.base_url())
        .create_request(&req)
        .await
        .unwrap();

    let r = &fake.requests()[0];
    assert_eq!(
        r.form_value("line_items[0][price_data][unit_amount]")
            .as_deref(),
        Some("1500")
    );
    assert_eq!(
        r.form_value("line_items[0][price_data][currency]")
            .as_deref(),
        Some("jpy")
    );
    assert_eq!(
        r.form_value("line_items[0][price_data][product_data][name]")
            .as_deref(),
        Some("Order 1001")
    );
    for absent in ["success_url", "cancel_url", "customer_email"] {
        assert_eq!(r.form_value(absent), None, "{absent}");
    }
}

#[tokio::test]
async fn retrying_an_attempt_repeats_its_idempotency_key_and_a_new_attempt_gets_a_new_one() {
    let fake = FakeProvider::start().await;
    for _ in 0..3 {
        fake.answer(200, session_created());
    }
    let p = provider_at(&fake.base_url());
    let mut req = request();
    p.create_request(&req).await.unwrap();
    p.create_request(&req).await.unwrap();
    req.attempt = 3;
    p.create_request(&req).await.unwrap();
    let keys: Vec<String> = fake
        .requests()
        .iter()
        .map(|r| r.headers["idempotency-key"].to_str().unwrap().to_owned())
        .collect();
    assert_eq!(keys, ["1001-2", "1001-2", "1001-3"]);
}

#[tokio::test]
async fn answers_are_sorted_into_what_the_caller_does_next() {
    let cases: Vec<(u16, &str, Expect)> = vec![
        (
            400,
            r#"{"error":{"type":"invalid_request_error","code":"parameter_invalid_integer","message":"Invalid integer: abc","param":"expires_at"}}"#,
            |e| {
                matches!(e, PaymentError::Rejected { status: 400, code: Some(c), message }
                    if c == "parameter_invalid_integer" && message == "Invalid integer: abc")
            },
        ),
        (
            400,
            r#"{"error":{"type":"idempotency_error","message":"Keys for idempotent requests can only be used with the same parameters they were first used with."}}"#,
            |e| matches!(e, PaymentError::Rejected { code: Some(c), .. } if c == "idempotency_error"),
        ),
        (
            401,
            r#"{"error":{"type":"invalid_request_error","message":"Invalid API Key provided: sk_test_****fake"}}"#,
            |e| matches!(e, PaymentError::Auth { status: 401, .. }),
        ),
        (
            429,
            r#"{"error":{"type":"rate_limit_error"}}"#,
            PaymentError::is_retryable,
        ),
        (500, "", PaymentError::is_retryable),
        (200, r#"{"id":"cs_test_x","url":null}"#, |e| {
            matches!(e, PaymentError::InvalidResponse(_))
        }),
    ];
    assert_create_fails_as(provider_at, cases).await;
}

#[tokio::test]
async fn an_unreachable_api_is_retryable() {
    assert_unreachable_is_retryable(provider_at).await;
}

#[test]
fn the_provider_records_stripe_as_the_method_and_cannot_verify_a_return() {
    let p = provider();
    assert_eq!(p.method(), PaymentMethod::Stripe);
    let query = vec![("session_id".to_owned(), "cs_test_a1b2c3".to_owned())];
    assert_eq!(p.verify_return(&query), ReturnCheck::Unverifiable);
    assert!(!p.verify_return(&query).is_paid());
    let shown = format!("{p:?}");
    assert!(
        !shown.contains(SECRET_KEY) && !shown.contains(WEBHOOK_SECRET),
        "{shown}"
    );
}

// --- what comes in ------------------------------------------------------

fn session_event(id: &str, kind: &str, session: Value) -> Vec<u8> {
    json!({
        "id": id,
        "object": "event",
        "api_version": "2025-01-27.acacia",
        "created": NOW - 5,
        "type": kind,
        "livemode": false,
        "pending_webhooks": 1,
        "request": {"id": null, "idempotency_key": "1001-2"},
        "data": {"object": session},
    })
    .to_string()
    .into_bytes()
}

fn session(payment_status: &str) -> Value {
    json!({
        "id": "cs_test_a1b2c3",
        "object": "checkout.session",
        "amount_total": 49900,
        "currency": "inr",
        "client_reference_id": "1001-2",
        "metadata": {"order_number": "1001", "attempt": "2", "reference_id": "1001-2"},
        "mode": "payment",
        "payment_intent": "pi_test_0001",
        "payment_status": payment_status,
        "status": "complete",
    })
}

fn parse(body: &[u8]) -> Result<Option<PaymentEvent>, WebhookError> {
    let mut h = HeaderMap::new();
    h.insert(
        stripe::SIGNATURE_HEADER,
        stripe::sign_webhook(WEBHOOK_SECRET, NOW, body)
            .parse()
            .unwrap(),
    );
    provider().parse_webhook(&h, body, at(NOW))
}

#[test]
fn a_completed_paid_session_is_a_payment_of_our_order() {
    let event = parse(&session_event(
        "evt_1",
        "checkout.session.completed",
        session("paid"),
    ))
    .unwrap()
    .unwrap();
    assert_eq!(event.event_id, "evt_1");
    assert_eq!(event.kind, PaymentEventKind::Paid);
    assert_eq!(event.raw_kind, "checkout.session.completed");
    assert_eq!(event.reference.as_deref(), Some("cs_test_a1b2c3"));
    assert_eq!(
        event.our_reference_id,
        Some(ReferenceId::new(OrderNumber::new(1001).unwrap(), 2))
    );
    assert_eq!(event.payment_id.as_deref(), Some("pi_test_0001"));
    assert_eq!(event.amount, Some(money(49900, "INR")));
    assert_eq!(event.occurred_at, Some(at(NOW - 5)));
    assert_eq!(
        event.decide(PaymentStatus::Pending, money(49900, "INR"), true),
        Decision::Advance(vec![PaymentStatus::Paid])
    );
}

#[test]
fn a_completed_session_still_settling_is_not_yet_a_payment() {
    for status in ["unpaid", "no_payment_required"] {
        assert_eq!(
            parse(&session_event(
                "evt_2",
                "checkout.session.completed",
                session(status)
            )),
            Ok(None),
            "{status}"
        );
    }
}

#[test]
fn the_delayed_outcome_and_expiry_events_map_to_paid_failed_and_expired() {
    for (kind, payment_status, expected) in [
        (
            "checkout.session.async_payment_succeeded",
            "paid",
            PaymentEventKind::Paid,
        ),
        (
            "checkout.session.async_payment_failed",
            "unpaid",
            PaymentEventKind::Failed,
        ),
        (
            "checkout.session.expired",
            "unpaid",
            PaymentEventKind::Expired,
        ),
    ] {
        let mut s = session(payment_status);
        if kind.ends_with("expired") {
            s["status"] = json!("expired");
            s["payment_intent"] = Value::Null;
        }
        let event = parse(&session_event("evt_3", kind, s)).unwrap().unwrap();
        assert_eq!(event.kind, expected, "{kind}");
        assert_eq!(event.raw_kind, kind);
        assert_eq!(event.our_reference_id.unwrap().to_string(), "1001-2");
    }
}

#[test]
fn a_paid_session_in_another_currency_or_amount_is_reported_and_flagged() {
    let mut dollars = session("paid");
    dollars["currency"] = json!("usd");
    let mut short = session("paid");
    short["amount_total"] = json!(100);
    for (s, got) in [(dollars, money(49900, "USD")), (short, money(100, "INR"))] {
        let event = parse(&session_event("evt_4", "checkout.session.completed", s))
            .unwrap()
            .unwrap();
        assert_flagged_as_paid_other_than_the_order(&event, got);
    }
}

#[test]
fn without_a_client_reference_the_metadata_names_the_order() {
    let mut s = session("paid");
    s["client_reference_id"] = Value::Null;
    let event = parse(&session_event("evt_5", "checkout.session.completed", s))
        .unwrap()
        .unwrap();
    assert_eq!(event.our_reference_id.unwrap().to_string(), "1001-2");
}

#[test]
fn a_session_orderdesk_did_not_create_still_names_its_session() {
    let mut s = session("paid");
    s["client_reference_id"] = json!("order-42");
    s["metadata"] = json!({});
    s["payment_intent"] = json!({"id": "pi_expanded", "object": "payment_intent"});
    let event = parse(&session_event("evt_6", "checkout.session.completed", s))
        .unwrap()
        .unwrap();
    assert_eq!(event.our_reference_id, None);
    assert_eq!(event.raw_reference_id.as_deref(), Some("order-42"));
    assert_eq!(event.reference.as_deref(), Some("cs_test_a1b2c3"));
    assert_eq!(event.payment_id.as_deref(), Some("pi_expanded"));
}

#[test]
fn events_orderdesk_does_not_act_on_are_accepted_and_ignored() {
    for kind in [
        "payment_intent.succeeded",
        "charge.refunded",
        "checkout.session.async_payment_pending",
        "customer.created",
    ] {
        let body =
            json!({"id": "evt_7", "object": "event", "type": kind, "data": {"object": {"odd": 1}}})
                .to_string();
        assert_eq!(parse(body.as_bytes()), Ok(None), "{kind}");
    }
}

#[test]
fn an_authentic_body_without_what_its_event_promises_is_malformed() {
    for body in [
        "not json".to_owned(),
        json!({"type": "checkout.session.completed"}).to_string(),
        json!({"id": "", "type": "checkout.session.completed", "data": {"object": session("paid")}}).to_string(),
        json!({"id": "evt_8", "type": "checkout.session.completed", "data": {}}).to_string(),
        json!({"id": "evt_8", "type": "checkout.session.expired", "data": {"object": {"object": "checkout.session"}}}).to_string(),
    ] {
        assert!(
            matches!(parse(body.as_bytes()), Err(WebhookError::Malformed(_))),
            "{body}"
        );
    }
}

#[test]
fn a_replayed_delivery_older_than_five_minutes_is_refused() {
    let body = session_event("evt_9", "checkout.session.completed", session("paid"));
    let mut h = HeaderMap::new();
    h.insert(
        stripe::SIGNATURE_HEADER,
        stripe::sign_webhook(WEBHOOK_SECRET, NOW - 301, &body)
            .parse()
            .unwrap(),
    );
    assert_eq!(
        provider().parse_webhook(&h, &body, at(NOW)),
        Err(WebhookError::Expired {
            timestamp: NOW - 301,
            tolerance_secs: 300
        })
    );
}

#[test]
fn axum_request_headers_are_handed_over_as_they_are() {
    let body = session_event("evt_10", "checkout.session.completed", session("paid"));
    let mut h = axum::http::HeaderMap::new();
    h.insert(
        "stripe-signature",
        stripe::sign_webhook(WEBHOOK_SECRET, NOW, &body)
            .parse()
            .unwrap(),
    );
    let event = provider()
        .parse_webhook(&h, &body, at(NOW))
        .unwrap()
        .unwrap();
    assert_eq!(event.event_id, "evt_10");
}
