use super::countries::{ALIASES, COUNTRIES};
use super::*;

fn valid() -> Address {
    Address {
        name: "Asha Rao".into(),
        phone: "+91 98765 43210".into(),
        line1: "12 MG Road".into(),
        line2: String::new(),
        city: "Bengaluru".into(),
        state: "Karnataka".into(),
        postal_code: "560001".into(),
        country: "IN".into(),
    }
}

fn with(field: &str, value: &str) -> Address {
    let mut a = valid();
    let slot = match field {
        "name" => &mut a.name,
        "phone" => &mut a.phone,
        "line1" => &mut a.line1,
        "line2" => &mut a.line2,
        "city" => &mut a.city,
        "state" => &mut a.state,
        "postal_code" => &mut a.postal_code,
        "country" => &mut a.country,
        other => panic!("no field {other}"),
    };
    *slot = value.to_owned();
    a
}

/// The fields with a problem after normalising, as the form sees them.
fn bad_fields(a: &Address) -> Vec<&'static str> {
    a.normalised().problems().iter().map(|p| p.field).collect()
}

#[test]
fn a_complete_address_has_no_problems() {
    assert_eq!(valid().problems(), []);
    assert_eq!(valid().normalised(), valid());
}

#[test]
fn normalising_tidies_what_people_type() {
    let cases = [
        ("name", "  Asha \t  Rao \n", "Asha Rao"),
        ("line1", "12\r\nMG   Road", "12 MG Road"),
        ("line2", "\u{a0}near the\u{a0}temple ", "near the temple"),
        ("city", "   ", ""),
        ("phone", " +91  98765\t43210 ", "+91 98765 43210"),
        ("postal_code", "560 001", "560001"),
        ("postal_code", "560-001", "560001"),
        ("postal_code", " abc12 ", "ABC12"),
        ("country", " in ", "IN"),
        ("country", "India", "IN"),
        ("country", "india ", "IN"),
        ("country", "uk", "GB"),
        ("country", "United Kingdom", "GB"),
        ("country", "the netherlands", "NL"),
        ("country", "U.S.A.", "US"),
        ("country", "United States of America", "US"),
        ("country", "Cote d'Ivoire", "CI"),
        ("country", "St. Lucia", "LC"),
        ("country", "Trinidad & Tobago", "TT"),
        ("country", "  Atlantis  ", "Atlantis"),
    ];
    for (field, input, expected) in cases {
        let got = with(field, input).normalised();
        let got = match field {
            "name" => got.name,
            "line1" => got.line1,
            "line2" => got.line2,
            "city" => got.city,
            "phone" => got.phone,
            "postal_code" => got.postal_code,
            "country" => got.country,
            _ => unreachable!(),
        };
        assert_eq!(got, expected, "{field} {input:?}");
    }
}

#[test]
fn postal_codes_take_their_countrys_shape_when_normalised() {
    let cases = [
        ("GB", "sw1a1aa", "SW1A 1AA"),
        ("GB", "SW1A  1AA", "SW1A 1AA"),
        ("GB", "m11ae", "M1 1AE"),
        ("US", "123456789", "12345-6789"),
        ("US", "12345 6789", "12345-6789"),
        ("US", "12345", "12345"),
        ("DE", "10115", "10115"),
        ("CA", "k1a 0b1", "K1A 0B1"),
    ];
    for (country, input, expected) in cases {
        let mut a = with("country", country);
        a.postal_code = input.to_owned();
        assert_eq!(a.normalised().postal_code, expected, "{country} {input:?}");
    }
}

#[test]
fn each_rule_reports_the_field_it_is_about() {
    // (field, value, is it acceptable after normalising?)
    let long = "x".repeat(201);
    let cases: &[(&str, &str, bool)] = &[
        ("name", "", false),
        ("name", "   ", false),
        ("name", ".", false),
        ("name", "आशा राव", true),
        ("name", "محمد علي", true),
        ("name", &"a".repeat(100), true),
        ("name", &"a".repeat(101), false),
        ("name", "Asha\0Rao", false),
        ("name", "Asha\u{7}Rao", false),
        ("name", "Asha\u{1b}[31mRao", false),
        ("name", "evil\u{202E}gnp.exe", false),
        ("name", "Asha\tRao", true),
        ("phone", "", false),
        ("phone", "9876543210", true),
        ("phone", "+91-98765-43210", true),
        ("phone", "(555) 123-4567", true),
        ("phone", "555.123.4567", true),
        ("phone", "123456", false),
        ("phone", "1234567", true),
        ("phone", "123456789012345", true),
        ("phone", "1234567890123456", false),
        ("phone", "98765 4321x", false),
        ("phone", "++919876543210", false),
        ("phone", "91+9876543210", false),
        ("phone", "٩٨٧٦٥٤٣٢١٠", false),
        ("phone", "1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6", false),
        ("line1", "", false),
        ("line1", "-", false),
        ("line1", &"x".repeat(200), true),
        ("line1", &long, false),
        ("line2", "", true),
        ("line2", &long, false),
        ("line2", "Flat\u{0}3", false),
        ("city", "", false),
        ("city", &"x".repeat(101), false),
        ("state", "", true),
        ("state", &"x".repeat(101), false),
        ("postal_code", "", false),
        ("postal_code", "560001", true),
        ("postal_code", "56000", false),
        ("postal_code", "5600011", false),
        ("postal_code", "060001", false),
        ("postal_code", "ABC123", false),
        ("country", "", false),
        ("country", "ZZ", false),
        ("country", "Atlantis", false),
        ("country", "I\0N", false),
        ("country", "in", true),
        ("country", "Bharat", true),
    ];
    for (field, value, ok) in cases {
        let bad = bad_fields(&with(field, value));
        let expected: &[&str] = if *ok { &[] } else { &[*field] };
        assert_eq!(bad, expected, "{field} = {value:?}");
    }
}

#[test]
fn postal_codes_follow_their_countrys_rules() {
    // (country, postal code, acceptable?)
    let cases = [
        ("IN", "110001", true),
        ("IN", "11000", false),
        ("US", "12345", true),
        ("US", "12345-6789", true),
        ("US", "1234", false),
        ("US", "12345-678", false),
        ("US", "ABCDE", false),
        ("GB", "SW1A 1AA", true),
        ("GB", "M1 1AE", true),
        ("GB", "B33 8TH", true),
        ("GB", "CR2 6XH", true),
        ("GB", "DN55 1PT", true),
        ("GB", "W1A 0AX", true),
        ("GB", "EC1A 1BB", true),
        ("GB", "GIR 0AA", true),
        ("GB", "12345", false),
        ("GB", "SW1A 1A", false),
        ("GB", "SWAA 1AA", false),
        ("GB", "1W1A 1AA", false),
        ("DE", "10115", true),
        ("CA", "K1A 0B1", true),
        ("NL", "1012 AB", true),
        ("BR", "01310-100", true),
        ("DE", "12", false),
        ("DE", "12345678901", false),
        ("DE", "-1234", false),
        ("DE", "1234-", false),
        ("DE", "12_45", false),
        ("DE", "", false),
        ("AE", "", true),
        ("HK", "", true),
        ("AE", "00000", true),
    ];
    for (country, code, ok) in cases {
        let mut a = with("country", country);
        a.postal_code = code.to_owned();
        let bad = bad_fields(&a);
        let expected: &[&str] = if ok { &[] } else { &["postal_code"] };
        assert_eq!(bad, expected, "{country} {code:?}");
    }
}

#[test]
fn messages_name_the_countrys_own_term_for_the_postal_code() {
    let message = |country: &str, code: &str| {
        let mut a = with("country", country);
        a.postal_code = code.to_owned();
        a.normalised().problems()[0].message.clone()
    };
    assert_eq!(message("IN", ""), "Enter the PIN code");
    assert!(message("IN", "1234").contains("6 digits"));
    assert_eq!(message("US", ""), "Enter the ZIP code");
    assert!(message("GB", "12345").contains("SW1A 1AA"));
    assert_eq!(message("FR", ""), "Enter the postal code");
}

#[test]
fn an_unknown_country_still_gets_a_generic_postal_code_check() {
    let mut a = with("country", "Atlantis");
    a.postal_code = "ABC".into();
    assert_eq!(bad_fields(&a), ["country"]);
    a.postal_code = String::new();
    assert_eq!(bad_fields(&a), ["postal_code", "country"]);
}

#[test]
fn problems_come_one_per_field_in_form_order() {
    let a = Address::default();
    let fields: Vec<_> = a.problems().iter().map(|p| p.field).collect();
    assert_eq!(
        fields,
        ["name", "phone", "line1", "city", "postal_code", "country"]
    );
}

#[test]
fn problems_judge_values_as_given_so_callers_normalise_first() {
    let a = with("country", "in");
    assert_eq!(a.problems().len(), 1);
    assert_eq!(a.normalised().problems(), []);
    let a = with("name", "Asha\tRao");
    assert_eq!(a.problems()[0].field, "name");
    assert_eq!(a.normalised().problems(), []);
}

#[test]
fn every_country_code_is_two_upper_case_letters_and_unique() {
    assert_eq!(COUNTRIES.len(), 250, "ISO 3166-1's 249 plus XK");
    let mut codes: Vec<_> = COUNTRIES.iter().map(|(c, _)| *c).collect();
    assert!(codes
        .iter()
        .all(|c| c.len() == 2 && c.bytes().all(|b| b.is_ascii_uppercase())));
    let sorted = codes.clone();
    codes.sort_unstable();
    codes.dedup();
    assert_eq!(codes, sorted, "sorted and without duplicates");
    let referenced = ALIASES.iter().map(|(c, _)| c).chain(NO_POSTAL_CODE);
    for code in referenced {
        assert!(country_name(code).is_some(), "{code}");
    }
}

#[test]
fn every_country_name_reads_back_as_its_code() {
    for (code, name) in COUNTRIES.iter().chain(ALIASES) {
        assert_eq!(country_by_name(name), Some(*code), "{name}");
    }
    assert_eq!(valid().country_name(), Some("India"));
}
