//! The `Stripe-Signature` header of `POST /webhooks/stripe`, checked
//! against the raw body before anything is parsed or stored.
//!
//! Properties: a header the fuzzer made up never verifies (nobody without
//! the secret can forge one); a genuine header verifies under the secret
//! that signed it, inside the tolerance only, and never under another
//! secret or for another body, whatever junk rides along in the header.
#![no_main]

use std::sync::OnceLock;

use chrono::{DateTime, Utc};
use libfuzzer_sys::arbitrary::{self, Arbitrary};
use libfuzzer_sys::fuzz_target;
use orderdesk_payments::stripe::{self, StripeConfig, StripeProvider};
use orderdesk_payments::WebhookError;

const SECRET_A: &str = "whsec_fuzz_a";
const SECRET_B: &str = "whsec_fuzz_b";
/// A fixed "now", so a case replays the same way.
const NOW: i64 = 1_800_000_000;

#[derive(Arbitrary, Debug)]
struct Input<'a> {
    header: &'a str,
    body: &'a [u8],
    skew: i16,
    junk: &'a str,
}

fn provider(secret: &str) -> StripeProvider {
    StripeProvider::new(StripeConfig::new("sk_test_fuzz", vec![secret.to_owned()]))
        .expect("valid fuzz configuration")
}

fuzz_target!(|input: Input<'_>| {
    static PROVIDERS: OnceLock<(StripeProvider, StripeProvider)> = OnceLock::new();
    let (a, b) = PROVIDERS.get_or_init(|| (provider(SECRET_A), provider(SECRET_B)));
    let now: DateTime<Utc> = DateTime::from_timestamp(NOW, 0).expect("valid time");

    assert!(
        a.verify_signature(Some(input.header), input.body, now)
            .is_err(),
        "a made-up header verified"
    );

    let t = NOW + i64::from(input.skew);
    let genuine = stripe::sign_webhook(SECRET_A, t, input.body);
    let within = input.skew.unsigned_abs() <= 300;
    match a.verify_signature(Some(&genuine), input.body, now) {
        Ok(signed) => assert!(
            within && signed == t,
            "accepted t={t} at skew {}",
            input.skew
        ),
        Err(WebhookError::Expired { timestamp, .. }) => {
            assert!(
                !within && timestamp == t,
                "refused t={t} at skew {}",
                input.skew
            )
        }
        Err(e) => panic!("genuine header refused: {e}"),
    }
    let with_junk = format!("{genuine},{}", input.junk);
    for header in [&genuine, &with_junk] {
        assert!(
            b.verify_signature(Some(header), input.body, now).is_err(),
            "verified under another secret"
        );
        let mut other = input.body.to_vec();
        other.push(b'x');
        assert!(
            a.verify_signature(Some(header), &other, now).is_err(),
            "verified for another body"
        );
    }
});
