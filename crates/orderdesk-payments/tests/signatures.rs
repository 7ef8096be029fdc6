//! Every vector in `shared/fixtures/payments/signature-vectors.md` (computed
//! by the providers' own SDKs, Python `hmac` and openssl) verifies here, and
//! changing any one byte makes it fail. The vectors are read from the file
//! itself, so a missing or reworded file fails these tests instead of
//! skipping them. Stripe's tolerance window and secret rotation, and
//! Razorpay's rotation, are checked around the same bytes.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::PathBuf;

use chrono::{TimeZone, Utc};
use orderdesk_domain::{Currency, Money, Timestamp};
use orderdesk_payments::razorpay::{self, RazorpayConfig, RazorpayProvider};
use orderdesk_payments::stripe::{self, StripeConfig, StripeProvider};
use orderdesk_payments::{HeaderMap, PaymentEventKind, PaymentProvider, ReturnCheck, WebhookError};
use sha2::{Digest, Sha256};

fn vectors() -> String {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/fixtures/payments/signature-vectors.md");
    std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("the vector file {} is unreadable: {e}", path.display()))
}

/// The text from the heading starting with `start` to the next `### `.
fn section(doc: &str, start: &str) -> String {
    let at = doc
        .find(start)
        .unwrap_or_else(|| panic!("no section {start:?} in the vector file"));
    let rest = &doc[at + start.len()..];
    let end = rest.find("\n### ").unwrap_or(rest.len());
    rest[..end].to_owned()
}

/// The first `n` single-backtick spans after `marker`, skipping fences.
fn spans_after(text: &str, marker: &str, n: usize) -> Vec<String> {
    let at = text
        .find(marker)
        .unwrap_or_else(|| panic!("no {marker:?} in the vector file"));
    let mut rest = &text[at + marker.len()..];
    let mut spans = Vec::new();
    while spans.len() < n {
        let open = rest
            .find('`')
            .unwrap_or_else(|| panic!("fewer than {n} `spans` after {marker:?}"));
        if rest[open..].starts_with("```") {
            let close = rest[open + 3..].find("```").expect("unclosed fence");
            rest = &rest[open + 3 + close + 3..];
            continue;
        }
        let close = rest[open + 1..].find('`').expect("unclosed `span`");
        spans.push(rest[open + 1..open + 1 + close].to_owned());
        rest = &rest[open + 1 + close + 1..];
    }
    spans
}

fn span_after(text: &str, marker: &str) -> String {
    spans_after(text, marker, 1).remove(0)
}

/// The first fenced block, without the fence lines and the final newline.
fn fenced(text: &str) -> String {
    let open = text.find("```\n").expect("no fenced body in the section");
    let rest = &text[open + 4..];
    let close = rest.find("\n```").expect("unclosed fenced body");
    rest[..close].to_owned()
}

/// A body as the file states it, checked against its stated length and hash.
fn stated_body(section: &str) -> Vec<u8> {
    let body = fenced(section).into_bytes();
    let after = &section[section.find("* body (").expect("no * body (") + "* body (".len()..];
    let length: usize = after
        .split(' ')
        .next()
        .and_then(|n| n.parse().ok())
        .expect("no byte length");
    assert_eq!(body.len(), length, "body length");
    assert_eq!(
        hex::encode(Sha256::digest(&body)),
        span_after(section, "* body (")
    );
    body
}

fn at(secs: i64) -> Timestamp {
    Utc.timestamp_opt(secs, 0).unwrap()
}

fn razorpay_with(webhook_secrets: &[&str], key_secret: &str) -> RazorpayProvider {
    let mut c = RazorpayConfig::new("rzp_test_KEYID", key_secret, webhook_secrets[0]);
    c.webhook_secrets = webhook_secrets.iter().map(|s| (*s).to_owned()).collect();
    RazorpayProvider::new(c).unwrap()
}

fn stripe_with(secrets: &[&str]) -> StripeProvider {
    StripeProvider::new(StripeConfig::new(
        "sk_test_fake",
        secrets.iter().map(|s| (*s).to_owned()).collect(),
    ))
    .unwrap()
}

fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
    let mut h = HeaderMap::new();
    for (k, v) in pairs {
        h.insert(*k, v.parse().unwrap());
    }
    h
}

/// Every body with exactly one byte changed (each bit-0 flip).
fn one_byte_changes(body: &[u8]) -> impl Iterator<Item = (usize, Vec<u8>)> + '_ {
    (0..body.len()).map(move |i| {
        let mut changed = body.to_vec();
        changed[i] ^= 0x01;
        (i, changed)
    })
}

#[test]
fn the_vector_file_states_each_body_with_its_exact_length_and_hash() {
    let doc = vectors();
    assert_eq!(stated_body(&section(&doc, "### 6.1")).len(), 543);
    assert_eq!(stated_body(&section(&doc, "### 6.2")).len(), 480);
}

#[test]
fn the_razorpay_webhook_vector_verifies_and_parses() {
    let s = section(&vectors(), "### 6.1");
    let secret = span_after(&s, "* secret (UTF-8):");
    let body = stated_body(&s);
    let signature = span_after(&s, "* header:")
        .strip_prefix("X-Razorpay-Signature: ")
        .unwrap()
        .to_owned();
    assert_eq!(razorpay::sign_webhook(&secret, &body), signature);

    let p = razorpay_with(&[&secret], "rzp_test_KEYSECRET");
    let h = headers(&[
        ("x-razorpay-signature", &signature),
        ("x-razorpay-event-id", "evt_vector"),
    ]);
    let event = p.parse_webhook(&h, &body, Utc::now()).unwrap().unwrap();
    assert_eq!(event.kind, PaymentEventKind::Paid);
    assert_eq!(event.event_id, "evt_vector");
    assert_eq!(event.reference.as_deref(), Some("plink_TEST0000000001"));
    assert_eq!(event.raw_reference_id.as_deref(), Some("order-42"));
    assert_eq!(
        event.our_reference_id, None,
        "order-42 is not an orderdesk reference"
    );
    assert_eq!(event.payment_id.as_deref(), Some("pay_TEST0000000001"));
    assert_eq!(
        event.amount,
        Some(Money::from_minor(49900, Currency::parse("INR").unwrap()))
    );
    assert_eq!(event.occurred_at, Some(at(1_700_000_000)));
}

#[test]
fn the_razorpay_webhook_vector_fails_with_any_one_byte_changed() {
    let s = section(&vectors(), "### 6.1");
    let secret = span_after(&s, "* secret (UTF-8):");
    let body = stated_body(&s);
    let signature = span_after(&s, "* header:").replace("X-Razorpay-Signature: ", "");
    let p = razorpay_with(&[&secret], "k");
    assert!(p.verify_signature(Some(&signature), &body).is_ok());
    for (i, changed) in one_byte_changes(&body) {
        assert!(
            p.verify_signature(Some(&signature), &changed).is_err(),
            "byte {i} changed still verifies"
        );
    }
    let text = String::from_utf8(body.clone()).unwrap();
    let bumped = text.replacen("49900", "49901", 1);
    assert!(matches!(
        p.verify_signature(Some(&signature), bumped.as_bytes()),
        Err(WebhookError::BadSignature(_))
    ));
    // The same value re-serialised with other whitespace is other bytes.
    let value: serde_json::Value = serde_json::from_slice(&body).unwrap();
    let pretty = serde_json::to_vec_pretty(&value).unwrap();
    assert!(p.verify_signature(Some(&signature), &pretty).is_err());
    for (i, changed) in one_byte_changes(signature.as_bytes()) {
        let changed = String::from_utf8_lossy(&changed).into_owned();
        assert!(
            p.verify_signature(Some(&changed), &body).is_err(),
            "signature byte {i} changed still verifies"
        );
    }
}

#[test]
fn the_tiny_razorpay_vector_verifies_and_fails_with_a_byte_changed() {
    let s = section(&vectors(), "### 6.1");
    let [secret, body, signature]: [String; 3] =
        spans_after(&s, "Tiny vector:", 3).try_into().unwrap();
    assert_eq!(razorpay::sign_webhook(&secret, body.as_bytes()), signature);
    let p = razorpay_with(&[&secret], "k");
    assert!(p
        .verify_signature(Some(&signature), body.as_bytes())
        .is_ok());
    for (i, changed) in one_byte_changes(body.as_bytes()) {
        assert!(
            p.verify_signature(Some(&signature), &changed).is_err(),
            "byte {i}"
        );
    }
}

#[test]
fn an_escaped_slash_body_verifies_only_as_sent_never_after_reserialising() {
    let s = section(&vectors(), "### 6.1");
    let secret = span_after(&s, "* secret (UTF-8):");
    let [raw, raw_signature]: [String; 2] = spans_after(&s, "* raw", 2).try_into().unwrap();
    let [_, redump_signature]: [String; 2] = spans_after(&s, "after parse and compact re-dump", 2)
        .try_into()
        .unwrap();
    assert!(raw.contains(r"https:\/\/rzp.io"));
    let p = razorpay_with(&[&secret], "k");
    assert!(p
        .verify_signature(Some(&raw_signature), raw.as_bytes())
        .is_ok());

    let value: serde_json::Value = serde_json::from_str(&raw).unwrap();
    let redump = serde_json::to_string(&value).unwrap();
    assert!(redump.contains("https://rzp.io/i/abc"), "{redump}");
    assert_eq!(
        razorpay::sign_webhook(&secret, redump.as_bytes()),
        redump_signature
    );
    assert!(p
        .verify_signature(Some(&raw_signature), redump.as_bytes())
        .is_err());
    assert!(p
        .verify_signature(Some(&redump_signature), raw.as_bytes())
        .is_err());
}

#[test]
fn the_razorpay_signature_is_required() {
    let p = razorpay_with(&["secret"], "k");
    assert!(matches!(
        p.parse_webhook(&HeaderMap::new(), b"{}", Utc::now()),
        Err(WebhookError::BadSignature(_))
    ));
}

#[test]
fn razorpay_accepts_the_previous_webhook_secret_during_a_rotation() {
    let body = br#"{"event":"payment_link.paid"}"#;
    let p = razorpay_with(&["new-secret", "old-secret"], "k");
    for secret in ["new-secret", "old-secret"] {
        let sig = razorpay::sign_webhook(secret, body);
        assert!(p.verify_signature(Some(&sig), body).is_ok(), "{secret}");
    }
    let sig = razorpay::sign_webhook("retired-secret", body);
    assert!(p.verify_signature(Some(&sig), body).is_err());
    // The API key secret is a different secret and must not verify webhooks.
    let keyed = razorpay_with(&["webhook-secret"], "key-secret");
    let sig = razorpay::sign_webhook("key-secret", body);
    assert!(keyed.verify_signature(Some(&sig), body).is_err());
}

struct StripeVector {
    secret: String,
    t: i64,
    body: Vec<u8>,
    header: String,
}

fn stripe_vector() -> StripeVector {
    let s = section(&vectors(), "### 6.2");
    StripeVector {
        secret: span_after(&s, "* secret"),
        t: span_after(&s, "* timestamp:").parse().unwrap(),
        body: stated_body(&s),
        header: span_after(&s, "* header:")
            .strip_prefix("Stripe-Signature: ")
            .unwrap()
            .to_owned(),
    }
}

#[test]
fn the_stripe_webhook_vector_verifies_and_parses_at_its_own_time() {
    let v = stripe_vector();
    assert_eq!(stripe::sign_webhook(&v.secret, v.t, &v.body), v.header);
    let p = stripe_with(&[&v.secret]);
    let h = headers(&[("stripe-signature", &v.header)]);
    let event = p.parse_webhook(&h, &v.body, at(v.t)).unwrap().unwrap();
    assert_eq!(event.kind, PaymentEventKind::Paid);
    assert_eq!(event.event_id, "evt_test_0001");
    assert_eq!(event.raw_kind, "checkout.session.completed");
    assert_eq!(event.reference.as_deref(), Some("cs_test_0001"));
    assert_eq!(event.raw_reference_id.as_deref(), Some("order-42"));
    assert_eq!(event.payment_id.as_deref(), Some("pi_test_0001"));
    assert_eq!(
        event.amount,
        Some(Money::from_minor(49900, Currency::parse("INR").unwrap()))
    );
}

#[test]
fn the_stripe_webhook_vector_is_stale_today() {
    let v = stripe_vector();
    let p = stripe_with(&[&v.secret]);
    let h = headers(&[("stripe-signature", &v.header)]);
    assert_eq!(
        p.parse_webhook(&h, &v.body, Utc::now()),
        Err(WebhookError::Expired {
            timestamp: v.t,
            tolerance_secs: 300
        })
    );
}

#[test]
fn the_stripe_webhook_vector_fails_with_any_one_byte_changed() {
    let v = stripe_vector();
    let p = stripe_with(&[&v.secret]);
    for (i, changed) in one_byte_changes(&v.body) {
        assert!(
            matches!(
                p.verify_signature(Some(&v.header), &changed, at(v.t)),
                Err(WebhookError::BadSignature(_))
            ),
            "byte {i} changed still verifies"
        );
    }
    // The timestamp is signed too: the same v1 under another t fails.
    let moved = v
        .header
        .replace(&format!("t={}", v.t), &format!("t={}", v.t + 1));
    assert!(p.verify_signature(Some(&moved), &v.body, at(v.t)).is_err());
}

#[test]
fn any_v1_in_the_stripe_header_may_match_and_v0_is_ignored() {
    let v = stripe_vector();
    let p = stripe_with(&[&v.secret]);
    let good = v.header.split("v1=").nth(1).unwrap();
    let zeros = "0".repeat(64);
    let several = format!("t={},v1={zeros},v1={good},v0=deadbeef", v.t);
    assert_eq!(
        p.verify_signature(Some(&several), &v.body, at(v.t)),
        Ok(v.t)
    );
    let only_v0 = format!("t={},v0={good}", v.t);
    assert!(matches!(
        p.verify_signature(Some(&only_v0), &v.body, at(v.t)),
        Err(WebhookError::BadSignature(_))
    ));
}

#[test]
fn the_tiny_stripe_vector_verifies_and_fails_with_a_byte_changed() {
    let s = section(&vectors(), "### 6.2");
    let [secret, t, body, header]: [String; 4] =
        spans_after(&s, "Tiny vector:", 4).try_into().unwrap();
    let t: i64 = t.parse().unwrap();
    assert_eq!(stripe::sign_webhook(&secret, t, body.as_bytes()), header);
    let p = stripe_with(&[&secret]);
    assert_eq!(
        p.verify_signature(Some(&header), body.as_bytes(), at(t)),
        Ok(t)
    );
    for (i, changed) in one_byte_changes(body.as_bytes()) {
        assert!(
            p.verify_signature(Some(&header), &changed, at(t)).is_err(),
            "byte {i}"
        );
    }
    // Authentic, but a completed session event without its session.
    let h = headers(&[("stripe-signature", &header)]);
    assert!(matches!(
        p.parse_webhook(&h, body.as_bytes(), at(t)),
        Err(WebhookError::Malformed(_))
    ));
}

#[test]
fn stripe_accepts_a_timestamp_up_to_300_seconds_either_side_of_now() {
    let v = stripe_vector();
    let p = stripe_with(&[&v.secret]);
    let now = 1_800_000_000;
    for (offset, ok) in [
        (-301, false),
        (-300, true),
        (0, true),
        (300, true),
        (301, false),
    ] {
        let t = now + offset;
        let header = stripe::sign_webhook(&v.secret, t, &v.body);
        let got = p.verify_signature(Some(&header), &v.body, at(now));
        if ok {
            assert_eq!(got, Ok(t), "offset {offset}");
        } else {
            assert_eq!(
                got,
                Err(WebhookError::Expired {
                    timestamp: t,
                    tolerance_secs: 300
                }),
                "offset {offset}"
            );
        }
    }
}

#[test]
fn a_stale_stripe_header_with_a_wrong_signature_is_a_bad_signature_not_expired() {
    let v = stripe_vector();
    let p = stripe_with(&[&v.secret]);
    let header = stripe::sign_webhook("whsec_someone_else", v.t, &v.body);
    assert!(matches!(
        p.verify_signature(Some(&header), &v.body, Utc::now()),
        Err(WebhookError::BadSignature(_))
    ));
}

#[test]
fn stripe_accepts_any_configured_secret_during_a_rotation() {
    let v = stripe_vector();
    let t = v.t;
    let both = stripe_with(&["whsec_new", "whsec_old"]);
    for secret in ["whsec_new", "whsec_old"] {
        let header = stripe::sign_webhook(secret, t, &v.body);
        assert_eq!(
            both.verify_signature(Some(&header), &v.body, at(t)),
            Ok(t),
            "{secret}"
        );
    }
    // While Stripe rolls a secret it signs with both; a server that still
    // knows only the old one (or already only the new one) accepts.
    let new_v1 = stripe::sign_webhook("whsec_new", t, &v.body);
    let old_v1 = stripe::sign_webhook("whsec_old", t, &v.body);
    let rolled = format!("{new_v1},v1={}", old_v1.split("v1=").nth(1).unwrap());
    assert_eq!(
        stripe_with(&["whsec_old"]).verify_signature(Some(&rolled), &v.body, at(t)),
        Ok(t)
    );
    assert_eq!(
        stripe_with(&["whsec_new"]).verify_signature(Some(&rolled), &v.body, at(t)),
        Ok(t)
    );
    let other = stripe::sign_webhook("whsec_retired", t, &v.body);
    assert!(both.verify_signature(Some(&other), &v.body, at(t)).is_err());
}

#[test]
fn unreadable_stripe_headers_are_bad_signatures() {
    let v = stripe_vector();
    let p = stripe_with(&[&v.secret]);
    let good = v.header.split("v1=").nth(1).unwrap().to_owned();
    for header in [
        String::new(),
        "garbage".to_owned(),
        format!("v1={good}"),
        format!("t=abc,v1={good}"),
        format!("t={}", v.t),
        format!("t={},v1=", v.t),
    ] {
        assert!(
            matches!(
                p.verify_signature(Some(&header), &v.body, at(v.t)),
                Err(WebhookError::BadSignature(_))
            ),
            "{header:?}"
        );
    }
    assert!(matches!(
        p.parse_webhook(&HeaderMap::new(), &v.body, at(v.t)),
        Err(WebhookError::BadSignature(_))
    ));
}

fn query_pairs(query: &str) -> Vec<(String, String)> {
    reqwest::Url::parse(&format!("https://shop.example/cb{query}"))
        .unwrap()
        .query_pairs()
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

#[test]
fn the_razorpay_callback_vector_verifies_from_its_query_string() {
    let s = section(&vectors(), "### 6.3");
    let key_secret = span_after(&s, "* key = API key secret:");
    let message = span_after(&s, "* message:");
    let signature = span_after(&s, "* signature:");
    let query = span_after(&s, "* Query string for a test:");
    let parts: Vec<&str> = message.split('|').collect();
    assert_eq!(
        razorpay::sign_callback(&key_secret, parts[0], parts[1], parts[2], parts[3]),
        signature
    );

    let p = razorpay_with(&["webhook-secret"], &key_secret);
    let pairs = query_pairs(&query);
    let check = p.verify_return(&pairs);
    assert!(check.is_paid(), "{check:?}");
    assert!(p.verify_callback(&pairs));
    assert_eq!(
        check,
        ReturnCheck::Verified {
            reference: "plink_TEST0000000001".into(),
            our_reference_id: None,
            status: "paid".into(),
            payment_id: "pay_TEST0000000001".into(),
        }
    );
}

#[test]
fn the_razorpay_callback_fails_with_any_parameter_byte_changed() {
    let s = section(&vectors(), "### 6.3");
    let key_secret = span_after(&s, "* key = API key secret:");
    let pairs = query_pairs(&span_after(&s, "* Query string for a test:"));
    let p = razorpay_with(&["webhook-secret"], &key_secret);
    for index in 0..pairs.len() {
        for (i, changed) in one_byte_changes(pairs[index].1.as_bytes()) {
            let mut tampered = pairs.clone();
            tampered[index].1 = String::from_utf8_lossy(&changed).into_owned();
            assert_eq!(
                p.verify_return(&tampered),
                ReturnCheck::Invalid,
                "{} byte {i}",
                pairs[index].0
            );
        }
    }
    // Signed with the webhook secret instead of the key secret: refused.
    let wrong_key = razorpay_with(&["webhook-secret"], "rzp_webhook_test_secret");
    assert_eq!(wrong_key.verify_return(&pairs), ReturnCheck::Invalid);
}

#[test]
fn the_razorpay_callback_reads_the_query_names_not_the_sdks_renamed_keys() {
    let s = section(&vectors(), "### 6.3");
    let key_secret = span_after(&s, "* key = API key secret:");
    let p = razorpay_with(&["webhook-secret"], &key_secret);
    let sdk_names: Vec<(String, String)> =
        query_pairs(&span_after(&s, "* Query string for a test:"))
            .into_iter()
            .map(|(k, v)| {
                let renamed = match k.as_str() {
                    "razorpay_payment_link_id" => "payment_link_id",
                    "razorpay_payment_link_reference_id" => "payment_link_reference_id",
                    "razorpay_payment_link_status" => "payment_link_status",
                    other => other,
                };
                (renamed.to_owned(), v)
            })
            .collect();
    assert_eq!(p.verify_return(&sdk_names), ReturnCheck::Invalid);
    assert_eq!(p.verify_return(&[]), ReturnCheck::Invalid);
}

#[test]
fn a_callback_for_a_link_without_reference_signs_an_empty_field() {
    let p = razorpay_with(&["w"], "key");
    let sig = razorpay::sign_callback("key", "plink_x", "", "paid", "pay_y");
    let pairs: Vec<(String, String)> = [
        ("razorpay_payment_id", "pay_y"),
        ("razorpay_payment_link_id", "plink_x"),
        ("razorpay_payment_link_status", "paid"),
        ("razorpay_signature", sig.as_str()),
    ]
    .iter()
    .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
    .collect();
    assert!(p.verify_return(&pairs).is_paid());
}
