//! The paging cursor of order lists (`/api/v1/orders` and the dashboard's
//! board): opaque to clients, URL-safe, and naming the last order of the
//! page, so the next page is "older than that one" whatever arrived since.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use orderdesk_domain::OrderNumber;

/// The cursor that continues after order `last`. Public for the fuzz
/// targets (`fuzz/`), which check that it round-trips.
pub fn encode(last: OrderNumber) -> String {
    URL_SAFE_NO_PAD.encode(last.get().to_string())
}

/// The order a cursor continues after; `None` for anything this server did
/// not issue.
pub fn decode(raw: &str) -> Option<OrderNumber> {
    URL_SAFE_NO_PAD
        .decode(raw.trim())
        .ok()
        .and_then(|b| String::from_utf8(b).ok())
        .and_then(|s| s.parse().ok())
        .and_then(OrderNumber::new)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cursor_round_trips_and_is_url_safe() {
        for n in [1001, 1002, 99_999, i64::MAX] {
            let number = OrderNumber::new(n).unwrap();
            let cursor = encode(number);
            assert!(cursor
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'));
            assert_eq!(decode(&cursor), Some(number));
        }
    }

    #[test]
    fn anything_else_is_no_cursor() {
        let below_first = URL_SAFE_NO_PAD.encode("1000");
        let words = URL_SAFE_NO_PAD.encode("latest");
        for raw in ["", "1001", "!!", &below_first, &words] {
            assert_eq!(decode(raw), None, "{raw:?}");
        }
    }
}
