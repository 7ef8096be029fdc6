use chrono::TimeZone;

use super::*;

fn money(minor: i64, code: &str) -> Money {
    Money::from_minor(minor, Currency::parse(code).unwrap())
}

fn fmt(locale: &str, minor: i64, code: &str) -> String {
    Local::parse("UTC", locale)
        .unwrap()
        .money(money(minor, code))
}

#[test]
fn rupees_in_en_in_use_lakh_grouping() {
    assert_eq!(fmt("en-IN", 309_700, "INR"), "₹3,097.00");
    assert_eq!(fmt("en-IN", 12_345_600, "INR"), "₹1,23,456.00");
    assert_eq!(fmt("en-IN", 1_234_567_800, "INR"), "₹1,23,45,678.00");
}

#[test]
fn dollars_in_en_us_and_euros_in_de_de() {
    assert_eq!(fmt("en-US", 123_450, "USD"), "$1,234.50");
    assert_eq!(fmt("de-DE", 123_450, "EUR"), "€1.234,50");
    // The same amount, read by a US locale, groups the US way.
    assert_eq!(fmt("en-US", 12_345_600, "INR"), "₹123,456.00");
}

#[test]
fn zero_and_three_decimal_currencies_keep_their_minor_unit() {
    assert_eq!(fmt("en-US", 1_234, "JPY"), "¥1,234");
    assert_eq!(fmt("en-US", 1_234_567, "KWD"), "د.ك1,234.567");
    assert_eq!(fmt("en-IN", 5, "INR"), "₹0.05");
}

#[test]
fn negative_amounts_put_the_sign_first() {
    assert_eq!(fmt("en-IN", -309_700, "INR"), "-₹3,097.00");
}

#[test]
fn underscores_are_accepted_in_locales() {
    assert_eq!(fmt("en_IN", 12_345_600, "INR"), "₹1,23,456.00");
}

#[test]
fn unknown_time_zones_and_locales_are_refused_by_name() {
    assert_eq!(
        Local::parse("Mars/Olympus", "en").unwrap_err(),
        LocalError::TimeZone("Mars/Olympus".into())
    );
    assert!(Local::parse("UTC", "klingon")
        .unwrap_err()
        .to_string()
        .contains("'klingon'"));
    assert!(Local::parse("UTC", "xx-YY").is_err());
}

#[test]
fn times_are_in_the_business_zone_and_the_locale_order() {
    // 18:46 UTC on 6 December is 00:16 on 7 December in India.
    let at = Utc.with_ymd_and_hms(2026, 12, 6, 18, 46, 0).unwrap();
    let india = Local::parse("Asia/Kolkata", "en-IN").unwrap();
    assert_eq!(india.date_time(at), "07/12/26 00:16");
    assert_eq!(india.date_time_zoned(at), "07/12/26 00:16 IST");
    assert_eq!(india.iso_date(at), "2026-12-07");
    let us = Local::parse("America/New_York", "en-US").unwrap();
    assert_eq!(us.date_time(at), "12/06/2026 13:46");
    let de = Local::parse("Europe/Berlin", "de-DE").unwrap();
    assert_eq!(de.date_time(at), "06.12.2026 19:46");
}

#[test]
fn relative_times_are_short_and_fall_back_to_the_date() {
    let local = Local::parse("Asia/Kolkata", "en-IN").unwrap();
    let now = Utc.with_ymd_and_hms(2026, 12, 6, 18, 46, 0).unwrap();
    let ago = |secs| relative(now - chrono::Duration::seconds(secs), now, &local);
    assert_eq!(ago(5), "just now");
    assert_eq!(ago(120), "2 min ago");
    assert_eq!(ago(3 * 3600), "3 h ago");
    assert_eq!(ago(24 * 3600 + 300), "yesterday");
    assert_eq!(ago(30 * 3600), "05/12/26");
    assert_eq!(ago(5 * 86_400), "02/12/26");
}

#[test]
fn a_business_that_set_nothing_reads_utc_in_english() {
    let local = Local::utc();
    assert_eq!(local.time_zone(), "UTC");
    assert_eq!(local.money(money(309_700, "INR")), "₹3,097.00");
}
