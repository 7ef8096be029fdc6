//! The `Last-Event-ID` header (or `last_event_id` parameter) of
//! `GET /api/v1/events`, as a reconnecting client sends it.
//!
//! Properties: any header value is either refused (400) or read as an event
//! id ≥ 0 that is the number written in it; every id the stream sends (its
//! `id:` lines print the sequence number in decimal) is read back as itself.
#![no_main]

use libfuzzer_sys::fuzz_target;
use orderdesk_web::api::events::parse_last_event_id;

fuzz_target!(|input: (&[u8], i64)| {
    let (header, seq) = input;
    // What the handler does with a header that is not visible ASCII.
    let raw = std::str::from_utf8(header)
        .ok()
        .filter(|s| s.bytes().all(|b| b == b'\t' || (0x20..0x7f).contains(&b)))
        .unwrap_or("");
    if let Ok(id) = parse_last_event_id(raw) {
        assert!(id >= 0, "negative id {id} accepted");
        assert_eq!(
            raw.trim().parse::<i64>().ok(),
            Some(id),
            "{raw:?} read as {id}"
        );
    }
    if seq >= 0 {
        assert_eq!(parse_last_event_id(&seq.to_string()).ok(), Some(seq));
    } else {
        assert!(parse_last_event_id(&seq.to_string()).is_err());
    }
});
