//! WhatsApp's customer-service window: for 24 hours after the customer's
//! last message the business may send free text; after that (or before the
//! customer ever wrote) only approved templates. The one rule behind the
//! staff reply (refused outside it), the order window's reply box, and the
//! stage updates (sent as a template outside it).

use chrono::Duration;

use crate::Timestamp;

/// How long after the customer's last message free text may be sent.
pub const SERVICE_WINDOW: Duration = Duration::hours(24);

/// When the window opened by the customer's last message closes; `None`
/// when the customer never wrote.
pub fn service_window_closes(last_inbound: Option<Timestamp>) -> Option<Timestamp> {
    last_inbound.map(|at| at + SERVICE_WINDOW)
}

/// Whether free text may be sent to the customer at `now`.
pub fn service_window_open(last_inbound: Option<Timestamp>, now: Timestamp) -> bool {
    service_window_closes(last_inbound).is_some_and(|closes| now < closes)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(seconds: i64) -> Timestamp {
        chrono::DateTime::UNIX_EPOCH + Duration::seconds(seconds)
    }

    #[test]
    fn the_window_is_open_for_24_hours_after_the_last_message_and_no_longer() {
        let wrote = at(1_000);
        assert!(service_window_open(Some(wrote), wrote));
        assert!(service_window_open(Some(wrote), at(1_000 + 24 * 3600 - 1)));
        assert!(!service_window_open(Some(wrote), at(1_000 + 24 * 3600)));
        assert!(!service_window_open(Some(wrote), at(1_000 + 48 * 3600)));
        assert_eq!(
            service_window_closes(Some(wrote)),
            Some(at(1_000 + 24 * 3600))
        );
    }

    #[test]
    fn a_customer_who_never_wrote_has_no_window() {
        assert!(!service_window_open(None, at(0)));
        assert_eq!(service_window_closes(None), None);
    }
}
