//! The `cursor` parameter of `GET /api/v1/orders`.
//!
//! Properties: any text either is refused (None → 400) or names an order number,
//! and a cursor that parses re-encodes to itself when it is in the form the
//! server issues (base64url of the decimal number); every cursor the server
//! issues parses back to its order.
#![no_main]

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use libfuzzer_sys::fuzz_target;
use orderdesk_domain::OrderNumber;
use orderdesk_web::cursor::{decode as decode_cursor, encode as encode_cursor};

fuzz_target!(|input: (&str, i64)| {
    let (raw, n) = input;
    if let Some(number) = decode_cursor(raw) {
        assert!(number.get() > 0, "cursor names order {}", number.get());
        let issued = encode_cursor(number);
        let canonical = URL_SAFE_NO_PAD
            .decode(raw.trim())
            .is_ok_and(|text| text == number.get().to_string().as_bytes());
        if canonical {
            assert_eq!(issued, raw.trim(), "cursor does not re-encode to itself");
        }
        assert_eq!(decode_cursor(&issued), Some(number));
    }
    if let Some(number) = OrderNumber::new(n) {
        let issued = encode_cursor(number);
        assert!(
            issued
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'),
            "cursor {issued:?} needs escaping in a URL"
        );
        assert_eq!(
            decode_cursor(&issued),
            Some(number),
            "issued cursor refused"
        );
    }
});
