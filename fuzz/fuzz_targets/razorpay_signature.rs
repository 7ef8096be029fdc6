//! The `X-Razorpay-Signature` header of `POST /webhooks/razorpay`, checked
//! against the raw body before anything is parsed or stored.
//!
//! Properties: a signature the fuzzer made up never verifies; a genuine one
//! verifies under the secret that made it, and never under another secret
//! or for another body.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::arbitrary::{self, Arbitrary};
use libfuzzer_sys::fuzz_target;
use orderdesk_payments::razorpay::{self, RazorpayConfig, RazorpayProvider};

const SECRET_A: &str = "fuzz-webhook-secret-a";
const SECRET_B: &str = "fuzz-webhook-secret-b";

#[derive(Arbitrary, Debug)]
struct Input<'a> {
    signature: &'a str,
    body: &'a [u8],
}

fn provider(secret: &str) -> RazorpayProvider {
    RazorpayProvider::new(RazorpayConfig::new("rzp_test_fuzz", "key-secret", secret))
        .expect("valid fuzz configuration")
}

fuzz_target!(|input: Input<'_>| {
    static PROVIDERS: OnceLock<(RazorpayProvider, RazorpayProvider)> = OnceLock::new();
    let (a, b) = PROVIDERS.get_or_init(|| (provider(SECRET_A), provider(SECRET_B)));

    assert!(
        a.verify_signature(Some(input.signature), input.body)
            .is_err(),
        "a made-up signature verified"
    );
    let genuine = razorpay::sign_webhook(SECRET_A, input.body);
    assert!(
        a.verify_signature(Some(&genuine), input.body).is_ok(),
        "genuine signature refused"
    );
    assert!(
        b.verify_signature(Some(&genuine), input.body).is_err(),
        "verified under another secret"
    );
    let mut other = input.body.to_vec();
    other.push(b'x');
    assert!(
        a.verify_signature(Some(&genuine), &other).is_err(),
        "verified for another body"
    );
});
