//! The hosted address form as the customer's browser posts it
//! (`application/x-www-form-urlencoded`), tidied and checked as the form's
//! handler does before anything is saved.
//!
//! Properties: nothing panics; tidying is idempotent (a saved address shown
//! again and re-submitted is unchanged and judged the same); an address
//! with no problems is within every length limit, carries no control or
//! bidirectional-override character, and names a known country.
#![no_main]

use libfuzzer_sys::fuzz_target;
use orderdesk_domain::address::{MAX_LINE_CHARS, MAX_NAME_CHARS, MAX_PHONE_CHARS, MAX_PLACE_CHARS};
use orderdesk_domain::Address;
use orderdesk_web::address_form::Submitted;

fuzz_target!(|body: &[u8]| {
    let Ok(submitted) = serde_urlencoded::from_bytes::<Submitted>(body) else {
        return;
    };
    let tidy = Address::from(submitted).normalised();
    assert_eq!(
        tidy.normalised(),
        tidy,
        "normalising twice changed the address"
    );
    let problems = tidy.problems();
    let fields: Vec<_> = problems.iter().map(|p| p.field).collect();
    let mut unique = fields.clone();
    unique.dedup();
    assert_eq!(fields, unique, "more than one problem for a field");
    if !problems.is_empty() {
        return;
    }
    let limits = [
        (&tidy.name, MAX_NAME_CHARS),
        (&tidy.phone, MAX_PHONE_CHARS),
        (&tidy.line1, MAX_LINE_CHARS),
        (&tidy.line2, MAX_LINE_CHARS),
        (&tidy.city, MAX_PLACE_CHARS),
        (&tidy.state, MAX_PLACE_CHARS),
    ];
    for (value, max) in limits {
        assert!(
            value.chars().count() <= max,
            "{value:?} is over {max} characters"
        );
        assert!(
            !value.chars().any(|c| c.is_control()
                || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')),
            "{value:?} keeps a control character"
        );
    }
    assert!(!tidy.name.is_empty() && !tidy.line1.is_empty() && !tidy.city.is_empty());
    assert!(
        tidy.country_name().is_some(),
        "unknown country {:?} accepted",
        tidy.country
    );
});
