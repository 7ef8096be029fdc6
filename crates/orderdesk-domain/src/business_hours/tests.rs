use chrono::{NaiveDate, NaiveDateTime};

use super::*;

/// 2026-12-07 is a Monday.
fn at(day: u32, hm: &str) -> NaiveDateTime {
    let date = NaiveDate::from_ymd_opt(2026, 12, day).unwrap();
    date.and_time(NaiveTime::parse_from_str(hm, "%H:%M").unwrap())
}

#[test]
fn shop_door_hours_read_and_say_when_open() {
    let h = BusinessHours::parse("Mon-Sat 10:00-19:00").unwrap();
    assert!(h.is_open(at(7, "10:00")), "opening minute");
    assert!(h.is_open(at(12, "18:59")), "Saturday");
    assert!(!h.is_open(at(7, "19:00")), "closing minute");
    assert!(!h.is_open(at(7, "09:59")));
    assert!(!h.is_open(at(13, "12:00")), "Sunday");

    let split =
        BusinessHours::parse("mon-fri 09:30-13:00; Mon-Fri 14:00-18:00, saturday 10:00-14:00")
            .unwrap();
    assert!(split.is_open(at(8, "09:30")));
    assert!(!split.is_open(at(8, "13:30")), "lunch");
    assert!(split.is_open(at(12, "13:59")));
    assert!(!split.is_open(at(12, "14:00")));

    let daily = BusinessHours::parse("Daily 08:00-22:00").unwrap();
    assert!(daily.is_open(at(13, "08:00")));
    let wrapping = BusinessHours::parse("Sat-Mon 10:00-12:00").unwrap();
    assert!(wrapping.is_open(at(13, "11:00")) && wrapping.is_open(at(7, "11:00")));
    assert!(!wrapping.is_open(at(8, "11:00")));
}

#[test]
fn the_next_opening_is_found_across_nights_weekends_and_lunch() {
    let h = BusinessHours::parse("Mon-Sat 10:00-19:00").unwrap();
    assert_eq!(h.next_opening(at(7, "12:00")), None, "open now");
    assert_eq!(h.next_opening(at(7, "08:00")), Some(at(7, "10:00")));
    assert_eq!(h.next_opening(at(7, "19:00")), Some(at(8, "10:00")));
    // Saturday evening: Monday.
    assert_eq!(h.next_opening(at(12, "20:00")), Some(at(14, "10:00")));
    let split = BusinessHours::parse("Mon-Fri 09:00-13:00, Mon-Fri 14:00-18:00").unwrap();
    assert_eq!(split.next_opening(at(7, "13:15")), Some(at(7, "14:00")));
    // One day a week: a week ahead, the same weekday.
    let mondays = BusinessHours::parse("Mon 10:00-11:00").unwrap();
    assert_eq!(mondays.next_opening(at(7, "11:30")), Some(at(14, "10:00")));
}

#[test]
fn when_is_said_from_the_customers_today() {
    assert_eq!(say_when(at(7, "10:00"), at(7, "08:00")), "today at 10:00");
    assert_eq!(
        say_when(at(8, "10:00"), at(7, "20:00")),
        "tomorrow at 10:00"
    );
    assert_eq!(
        say_when(at(14, "10:00"), at(12, "20:00")),
        "on Monday at 10:00"
    );
}

#[test]
fn malformed_hours_are_refused_naming_the_part() {
    for (raw, says) in [
        ("", "is not opening hours"),
        ("10:00-19:00", "is not opening hours"),
        ("Mon-Sat", "is not opening hours"),
        ("Mon-Sut 10:00-19:00", "'Sut' is not a day"),
        ("Mo 10:00-19:00", "'Mo' is not a day"),
        ("Mon-Sat 19:00-10:00", "is not a time range"),
        ("Mon-Sat 10-19", "is not a time range"),
        ("Mon-Sat 10:00-25:00", "is not a time range"),
        ("Mon-Sat 10:00-19:00, Sun", "is not opening hours"),
    ] {
        let err = BusinessHours::parse(raw).unwrap_err().to_string();
        assert!(err.contains(says), "{raw:?}: {err}");
        assert!(!err.contains('\n'), "one line: {err}");
    }
}

#[test]
fn the_answer_says_when_in_the_business_time_zone() {
    let h = BusinessHours::parse("Mon-Sat 10:00-19:00").unwrap();
    let utc = |s: &str| s.parse::<DateTime<Utc>>().unwrap();
    // 03:00 UTC on Monday is 08:30 in Kolkata: it opens today.
    assert_eq!(
        h.answer_when("Asia/Kolkata", utc("2026-12-07T03:00:00Z"))
            .as_deref(),
        Some("today at 10:00 IST")
    );
    // 05:00 UTC is 10:30 there: open, someone answers shortly.
    assert_eq!(
        h.answer_when("Asia/Kolkata", utc("2026-12-07T05:00:00Z")),
        None
    );
    // Saturday 14:00 UTC is 19:30 there: Monday.
    assert_eq!(
        h.answer_when("Asia/Kolkata", utc("2026-12-12T14:00:00Z"))
            .as_deref(),
        Some("on Monday at 10:00 IST")
    );
    // In UTC the same instant is still open.
    assert_eq!(h.answer_when("UTC", utc("2026-12-12T14:00:00Z")), None);
}
