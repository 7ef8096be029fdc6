//! `RazorpayProvider` against a loopback fake of api.razorpay.com (what goes
//! out, how answers are sorted) and against webhook bodies: the documented
//! real `payment_link.paid` sample and the other event shapes PAYMENTS.md
//! shows.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use axum::http::Method;
use base64::Engine;
use common::{
    assert_create_fails_as, assert_flagged_as_paid_other_than_the_order,
    assert_unreachable_is_retryable, at, fixture, money, request, Expect, FakeProvider,
};
use orderdesk_domain::{Money, OrderNumber, PaymentMethod, PaymentStatus};
use orderdesk_payments::razorpay::{self, RazorpayConfig, RazorpayProvider};
use orderdesk_payments::{
    Decision, HeaderMap, PaymentError, PaymentEventKind, PaymentLink, PaymentProvider, ReferenceId,
    WebhookError,
};
use serde_json::{json, Value};

const KEY_ID: &str = "rzp_test_KEYID";
const KEY_SECRET: &str = "rzp_test_KEYSECRET";
const WEBHOOK_SECRET: &str = "rzp_webhook_test_secret";

fn provider_at(base_url: &str) -> RazorpayProvider {
    let mut c = RazorpayConfig::new(KEY_ID, KEY_SECRET, WEBHOOK_SECRET);
    c.api_url = base_url.to_owned();
    RazorpayProvider::new(c).unwrap()
}

fn provider() -> RazorpayProvider {
    provider_at(razorpay::DEFAULT_API_URL)
}

fn link_entity(reference_id: &str, status: &str) -> Value {
    json!({
        "id": "plink_Fc8lXILABzQL7M",
        "entity": "payment_link",
        "amount": 49900,
        "amount_paid": 0,
        "currency": "INR",
        "reference_id": reference_id,
        "short_url": "https://rzp.io/i/nxrHnLJ",
        "status": status,
        "expire_by": 1_700_003_600,
        "notes": {"order_number": "1001"},
    })
}

fn expected_link() -> PaymentLink {
    PaymentLink {
        url: "https://rzp.io/i/nxrHnLJ".into(),
        reference: "plink_Fc8lXILABzQL7M".into(),
        reference_id: ReferenceId::new(OrderNumber::new(1001).unwrap(), 2),
        expires_at: Some(at(1_700_003_600)),
    }
}

// --- what goes out ------------------------------------------------------

#[tokio::test]
async fn a_link_is_created_with_basic_auth_paise_our_reference_and_notifications_off() {
    let fake = FakeProvider::start().await;
    fake.answer(200, link_entity("1001-2", "created").to_string());

    let link = provider_at(&fake.base_url())
        .create_request(&request())
        .await
        .unwrap();

    assert_eq!(link, expected_link());
    let requests = fake.requests();
    assert_eq!(requests.len(), 1);
    let r = &requests[0];
    assert_eq!(r.method, Method::POST);
    assert_eq!(r.path, "/v1/payment_links");
    let basic = base64::engine::general_purpose::STANDARD.encode(format!("{KEY_ID}:{KEY_SECRET}"));
    assert_eq!(r.headers["authorization"], format!("Basic {basic}"));
    assert_eq!(r.headers["content-type"], "application/json");
    assert_eq!(
        r.json(),
        json!({
            "amount": 49900,
            "currency": "INR",
            "accept_partial": false,
            "reference_id": "1001-2",
            "description": "Order #1001",
            "customer": {"name": "Asha Rao", "contact": "+919000090000", "email": "asha@example.com"},
            "expire_by": 1_700_003_600,
            "notify": {"sms": false, "email": false},
            "reminder_enable": false,
            "callback_url": "https://shop.example/pay/return/1001",
            "callback_method": "get",
            "notes": {"order_number": "1001", "reference_id": "1001-2"},
        })
    );
}

#[tokio::test]
async fn absent_customer_fields_and_callback_are_left_out() {
    let fake = FakeProvider::start().await;
    fake.answer(200, link_entity("1001-2", "created").to_string());
    let mut req = request();
    req.customer_name = None;
    req.customer_email = Some("  ".into());
    req.customer_phone = None;
    req.callback_url = None;

    provider_at(&fake.base_url())
        .create_request(&req)
        .await
        .unwrap();

    let body = fake.requests()[0].json();
    let obj = body.as_object().unwrap();
    for absent in ["customer", "callback_url", "callback_method"] {
        assert!(!obj.contains_key(absent), "{absent} in {body}");
    }
}

#[tokio::test]
async fn a_base_url_with_a_path_prefix_keeps_it() {
    let fake = FakeProvider::start().await;
    fake.answer(200, link_entity("1001-2", "created").to_string());
    provider_at(&format!("{}/razorpay/", fake.base_url()))
        .create_request(&request())
        .await
        .unwrap();
    assert_eq!(fake.requests()[0].path, "/razorpay/v1/payment_links");
}

#[tokio::test]
async fn a_retry_after_a_lost_answer_returns_the_link_already_created() {
    let fake = FakeProvider::start().await;
    fake.answer(
        400,
        json!({"error": {
            "code": "BAD_REQUEST_ERROR",
            "description": "payment link creation with reference ID already attempted",
            "source": "NA", "step": "NA", "reason": "NA", "metadata": {}
        }})
        .to_string(),
    );
    fake.answer(
        200,
        json!({"payment_links": [link_entity("1001-2", "created")]}).to_string(),
    );

    let link = provider_at(&fake.base_url())
        .create_request(&request())
        .await
        .unwrap();

    assert_eq!(link, expected_link());
    let requests = fake.requests();
    assert_eq!(requests.len(), 2);
    assert_eq!(requests[1].method, Method::GET);
    assert_eq!(requests[1].path, "/v1/payment_links");
    assert_eq!(requests[1].query.as_deref(), Some("reference_id=1001-2"));
    assert!(requests[1].headers["authorization"]
        .to_str()
        .unwrap()
        .starts_with("Basic "));
}

#[tokio::test]
async fn a_reused_reference_whose_link_is_no_longer_payable_stays_rejected() {
    for listed in [
        link_entity("1001-2", "paid"),
        link_entity("1001-2", "expired"),
        link_entity("1001-3", "created"),
        json!({"id": "plink_x", "reference_id": "1001-2", "status": "created", "amount": 100, "currency": "INR", "short_url": "https://rzp.io/i/x"}),
    ] {
        let fake = FakeProvider::start().await;
        fake.answer(
            400,
            r#"{"error":{"code":"BAD_REQUEST_ERROR","description":"payment link creation with reference ID already attempted"}}"#,
        );
        fake.answer(200, json!({ "payment_links": [listed] }).to_string());
        let err = provider_at(&fake.base_url())
            .create_request(&request())
            .await
            .unwrap_err();
        assert_eq!(
            err,
            PaymentError::Rejected {
                status: 400,
                code: Some("BAD_REQUEST_ERROR".into()),
                message: "payment link creation with reference ID already attempted".into(),
            }
        );
    }
}

#[tokio::test]
async fn answers_are_sorted_into_what_the_caller_does_next() {
    let cases: Vec<(u16, &str, Expect)> = vec![
        (
            400,
            r#"{"error":{"code":"BAD_REQUEST_ERROR","description":"timestamp must be atleast 15 minutes in future"}}"#,
            |e| {
                matches!(e, PaymentError::Rejected { status: 400, code: Some(c), message }
                    if c == "BAD_REQUEST_ERROR" && message.contains("15 minutes"))
            },
        ),
        (
            401,
            r#"{"error":{"code":"BAD_REQUEST_ERROR","description":"Authentication failed"}}"#,
            |e| matches!(e, PaymentError::Auth { status: 401, message } if message == "Authentication failed"),
        ),
        (429, "{}", PaymentError::is_retryable),
        (500, "<html>oops</html>", PaymentError::is_retryable),
        (502, "", PaymentError::is_retryable),
        (200, r#"{"id":"plink_x"}"#, |e| {
            matches!(e, PaymentError::InvalidResponse(_))
        }),
        (200, "not json", |e| {
            matches!(e, PaymentError::InvalidResponse(_))
        }),
    ];
    assert_create_fails_as(provider_at, cases).await;
}

#[tokio::test]
async fn an_unreachable_api_is_retryable() {
    assert_unreachable_is_retryable(provider_at).await;
}

/// A request for `amount` is refused as invalid before Razorpay is called.
async fn assert_refused_without_calling_razorpay(amount: Money) {
    let fake = FakeProvider::start().await;
    let mut req = request();
    req.amount = amount;
    let err = provider_at(&fake.base_url())
        .create_request(&req)
        .await
        .unwrap_err();
    assert!(matches!(err, PaymentError::InvalidRequest(_)), "{err:?}");
    assert!(fake.requests().is_empty());
}

#[tokio::test]
async fn a_zero_amount_is_refused_without_calling_razorpay() {
    assert_refused_without_calling_razorpay(money(0, "INR")).await;
}

#[tokio::test]
async fn a_three_decimal_amount_razorpay_would_refuse_is_refused_here() {
    assert_refused_without_calling_razorpay(money(12345, "KWD")).await;
}

#[test]
fn the_provider_records_razorpay_as_the_method_and_hides_its_secrets() {
    let p = provider();
    assert_eq!(p.method(), PaymentMethod::Razorpay);
    let shown = format!("{p:?}");
    assert!(
        !shown.contains(KEY_SECRET) && !shown.contains(WEBHOOK_SECRET),
        "{shown}"
    );
}

// --- what comes in ------------------------------------------------------

fn signed(body: &[u8], event_id: Option<&str>) -> HeaderMap {
    let mut h = HeaderMap::new();
    h.insert(
        razorpay::SIGNATURE_HEADER,
        razorpay::sign_webhook(WEBHOOK_SECRET, body)
            .parse()
            .unwrap(),
    );
    if let Some(id) = event_id {
        h.insert(razorpay::EVENT_ID_HEADER, id.parse().unwrap());
    }
    h
}

fn parse(body: &[u8]) -> Result<Option<orderdesk_payments::PaymentEvent>, WebhookError> {
    provider().parse_webhook(&signed(body, Some("evt_1")), body, at(1_700_000_000))
}

fn link_event(event: &str, link: Value) -> Vec<u8> {
    json!({
        "entity": "event",
        "account_id": "acc_TEST",
        "event": event,
        "contains": ["payment_link"],
        "payload": {"payment_link": {"entity": link}},
        "created_at": 1_700_000_100,
    })
    .to_string()
    .into_bytes()
}

#[test]
fn the_real_payment_link_paid_sample_parses() {
    let body = fixture("razorpay_payment_link_paid.json");
    let h = signed(&body, Some("HUDJWz9zp9dOv6"));
    let event = provider()
        .parse_webhook(&h, &body, at(1_749_618_400))
        .unwrap()
        .unwrap();
    assert_eq!(event.event_id, "HUDJWz9zp9dOv6");
    assert_eq!(event.kind, PaymentEventKind::Paid);
    assert_eq!(event.raw_kind, "payment_link.paid");
    assert_eq!(event.reference.as_deref(), Some("plink_QflcnnZqCekuvL"));
    assert_eq!(event.raw_reference_id.as_deref(), Some("23"));
    assert_eq!(event.our_reference_id, None, "a hand-made link, not ours");
    assert_eq!(event.payment_id.as_deref(), Some("pay_Qfldmt5StKZFCB"));
    assert_eq!(event.amount, Some(money(1000, "INR")));
    assert_eq!(event.occurred_at, Some(at(1_749_618_314)));
    assert_eq!(
        event.decide(PaymentStatus::Pending, money(1000, "INR"), true),
        Decision::Advance(vec![PaymentStatus::Paid])
    );
}

#[test]
fn without_an_event_id_header_the_dedupe_key_is_the_body_hash() {
    let body = fixture("razorpay_payment_link_paid.json");
    let p = provider();
    let first = p
        .parse_webhook(&signed(&body, None), &body, at(0))
        .unwrap()
        .unwrap();
    let again = p
        .parse_webhook(&signed(&body, None), &body, at(0))
        .unwrap()
        .unwrap();
    assert!(first.event_id.starts_with("sha256:"), "{}", first.event_id);
    assert_eq!(first.event_id.len(), "sha256:".len() + 64);
    assert_eq!(first.event_id, again.event_id);
    let other = link_event("payment_link.paid", link_entity("1001-2", "paid"));
    let other = p
        .parse_webhook(&signed(&other, None), &other, at(0))
        .unwrap()
        .unwrap();
    assert_ne!(first.event_id, other.event_id);
}

#[test]
fn a_paid_link_of_ours_names_the_order_and_attempt_and_the_amount_paid() {
    let mut link = link_entity("1001-2", "paid");
    link["amount_paid"] = json!(49900);
    let event = parse(&link_event("payment_link.paid", link))
        .unwrap()
        .unwrap();
    assert_eq!(event.kind, PaymentEventKind::Paid);
    assert_eq!(
        event.our_reference_id,
        Some(ReferenceId::new(OrderNumber::new(1001).unwrap(), 2))
    );
    assert_eq!(event.reference.as_deref(), Some("plink_Fc8lXILABzQL7M"));
    assert_eq!(event.amount, Some(money(49900, "INR")));
    assert_eq!(event.payment_id, None, "this delivery carried no payment");
    assert_eq!(event.occurred_at, Some(at(1_700_000_100)));
}

#[test]
fn a_paid_amount_or_currency_other_than_the_orders_is_reported_and_flagged() {
    let mut short = link_entity("1001-2", "paid");
    short["amount_paid"] = json!(100);
    let mut dollars = link_entity("1001-2", "paid");
    dollars["amount_paid"] = json!(49900);
    dollars["currency"] = json!("USD");
    for (link, got) in [(short, money(100, "INR")), (dollars, money(49900, "USD"))] {
        let event = parse(&link_event("payment_link.paid", link))
            .unwrap()
            .unwrap();
        assert_flagged_as_paid_other_than_the_order(&event, got);
    }
}

#[test]
fn expired_and_cancelled_links_are_expiry_events() {
    for (event_name, status) in [
        ("payment_link.expired", "expired"),
        ("payment_link.cancelled", "cancelled"),
    ] {
        // The shape of Razorpay's documented payment_link.expired sample.
        let body = link_event(
            event_name,
            json!({
                "accept_partial": false, "amount": 1000, "amount_paid": 0,
                "cancelled_at": 0, "currency": "INR", "expire_by": 1_748_426_427,
                "expired_at": 1_748_426_438, "id": "plink_QaIlOGFf8KZNF8",
                "notes": [], "reference_id": "1001-1", "status": status
            }),
        );
        let event = parse(&body).unwrap().unwrap();
        assert_eq!(event.kind, PaymentEventKind::Expired, "{event_name}");
        assert_eq!(event.raw_kind, event_name);
        assert_eq!(event.reference.as_deref(), Some("plink_QaIlOGFf8KZNF8"));
        assert_eq!(event.our_reference_id.unwrap().attempt, 1);
        assert_eq!(
            event.decide(PaymentStatus::Paid, money(1000, "INR"), true),
            Decision::NoChange,
            "a late expiry never undoes paid"
        );
    }
}

fn failed_payment(description: Value, notes: Value) -> Vec<u8> {
    json!({
        "entity": "event",
        "account_id": "acc_TEST",
        "event": "payment.failed",
        "contains": ["payment"],
        "payload": {"payment": {"entity": {
            "id": "pay_FAILED000001", "entity": "payment", "amount": 49900,
            "currency": "INR", "status": "failed", "order_id": "order_X",
            "description": description, "notes": notes, "method": "upi",
            "error_code": "BAD_REQUEST_ERROR",
            "error_description": "Payment was unsuccessful as the UPI app did not respond.",
        }}},
        "created_at": 1_700_000_200,
    })
    .to_string()
    .into_bytes()
}

#[test]
fn a_failed_payment_of_a_link_leads_back_to_the_link() {
    for notes in [json!([]), json!({}), Value::Null] {
        let event = parse(&failed_payment(json!("#QflcnnZqCekuvL"), notes))
            .unwrap()
            .unwrap();
        assert_eq!(event.kind, PaymentEventKind::Failed);
        assert_eq!(event.reference.as_deref(), Some("plink_QflcnnZqCekuvL"));
        assert_eq!(event.our_reference_id, None);
        assert_eq!(event.payment_id.as_deref(), Some("pay_FAILED000001"));
        assert_eq!(event.amount, Some(money(49900, "INR")));
        assert!(event.detail.unwrap().contains("did not respond"));
    }
}

#[test]
fn a_failed_payment_carrying_our_reference_in_its_notes_names_the_order() {
    let event = parse(&failed_payment(
        Value::Null,
        json!({"order_number": "1001", "reference_id": "1001-2"}),
    ))
    .unwrap()
    .unwrap();
    assert_eq!(event.reference, None);
    assert_eq!(event.our_reference_id.unwrap().to_string(), "1001-2");
}

#[test]
fn a_failed_payment_that_names_no_link_is_not_ours() {
    for description in [
        Value::Null,
        json!("Standard checkout"),
        json!("#"),
        json!("#a/b"),
    ] {
        assert_eq!(
            parse(&failed_payment(description.clone(), json!([]))),
            Ok(None),
            "{description}"
        );
    }
}

#[test]
fn events_orderdesk_does_not_act_on_are_accepted_and_ignored() {
    for name in [
        "payment.captured",
        "payment.authorized",
        "order.paid",
        "payment_link.partially_paid",
        // Its outcome follows as refund.processed / refund.failed.
        "refund.created",
    ] {
        let body = json!({"entity": "event", "event": name, "payload": {"payment": {"entity": {"odd": true}}}})
            .to_string();
        assert_eq!(parse(body.as_bytes()), Ok(None), "{name}");
    }
}

#[test]
fn an_authentic_body_without_what_its_event_promises_is_malformed() {
    for body in [
        "not json".to_owned(),
        "{}".to_owned(),
        json!({"event": "payment_link.paid", "payload": {}}).to_string(),
        json!({"event": "payment_link.paid", "payload": {"payment_link": {"entity": {"amount": 1}}}}).to_string(),
        json!({"event": "payment.failed", "payload": {}}).to_string(),
    ] {
        assert!(
            matches!(parse(body.as_bytes()), Err(WebhookError::Malformed(_))),
            "{body}"
        );
    }
}

#[test]
fn a_body_signed_with_another_secret_is_refused_before_it_is_read() {
    let body = fixture("razorpay_payment_link_paid.json");
    let mut h = HeaderMap::new();
    h.insert(
        razorpay::SIGNATURE_HEADER,
        razorpay::sign_webhook("someone-else", &body)
            .parse()
            .unwrap(),
    );
    assert!(matches!(
        provider().parse_webhook(&h, &body, at(0)),
        Err(WebhookError::BadSignature(_))
    ));
    // Garbage that is not even JSON is still a signature problem first.
    assert!(matches!(
        provider().parse_webhook(&h, b"not json", at(0)),
        Err(WebhookError::BadSignature(_))
    ));
}

#[test]
fn a_refund_outcome_names_the_refund_and_its_order() {
    let body = json!({"entity": "event", "event": "refund.failed", "created_at": 1_700_000_000,
        "payload": {"refund": {"entity": {"id": "rfnd_1", "amount": 20000, "currency": "INR",
            "payment_id": "pay_1", "status": "failed", "error_description": "bank declined",
            "notes": {"order_number": "1001", "refund_id": "1001-r1"}}}}})
    .to_string();
    let event = parse(body.as_bytes()).unwrap().unwrap();
    assert_eq!(event.kind, PaymentEventKind::Refund);
    let notice = &event.refunds[0];
    assert_eq!(notice.provider_ref, "rfnd_1");
    assert_eq!(notice.refund_id.as_deref(), Some("1001-r1"));
    assert_eq!(notice.order_number.map(|n| n.get()), Some(1001));
    assert_eq!(
        notice.state,
        orderdesk_payments::RefundState::Failed("bank declined".to_owned())
    );
}
