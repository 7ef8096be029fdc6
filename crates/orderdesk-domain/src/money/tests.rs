use super::*;

fn cur(c: &str) -> Currency {
    Currency::parse(c).unwrap()
}

fn minor(text: &str, c: &str) -> i64 {
    Money::parse_decimal(text, cur(c)).unwrap().minor()
}

#[test]
fn whatsapp_prices_parse_exactly() {
    assert_eq!(minor("7.99", "USD"), 799);
    assert_eq!(minor("30", "USD"), 3000);
    assert_eq!(minor("0.1", "USD"), 10);
    assert_eq!(minor("0.3", "USD"), 30);
    assert_eq!(minor("1.005e2", "USD"), 10050);
    assert_eq!(minor("499.50", "INR"), 49950);
    assert_eq!(minor("0", "INR"), 0);
    assert_eq!(minor(".5", "EUR"), 50);
    assert_eq!(minor("5.", "EUR"), 500);
    assert_eq!(minor("7.990", "USD"), 799);
    assert_eq!(minor("+1.25", "USD"), 125);
}

#[test]
fn sums_that_floats_get_wrong_are_exact() {
    let a = Money::parse_decimal("0.1", cur("USD")).unwrap();
    let b = Money::parse_decimal("0.2", cur("USD")).unwrap();
    assert_eq!(a.plus(b).unwrap().minor(), 30);
    let p = Money::parse_decimal("19.99", cur("USD")).unwrap();
    assert_eq!(p.times(3).unwrap().minor(), 5997);
}

#[test]
fn currencies_with_zero_and_three_decimals() {
    assert_eq!(minor("1500", "JPY"), 1500);
    assert_eq!(minor("1500.0", "JPY"), 1500);
    assert!(matches!(
        Money::parse_decimal("1500.5", cur("JPY")),
        Err(MoneyError::TooPrecise { .. })
    ));
    assert_eq!(minor("1.234", "KWD"), 1234);
    assert_eq!(minor("2", "BHD"), 2000);
    assert!(Money::parse_decimal("1.2345", cur("KWD")).is_err());
    assert_eq!(cur("jpy").exponent(), 0);
    assert_eq!(cur("OMR").exponent(), 3);
    assert_eq!(cur("INR").exponent(), 2);
}

#[test]
fn bad_amounts_are_refused() {
    for bad in [
        "", "abc", "1,5", "1.2.3", "e5", "--1", "1e", "0x10", "NaN", "inf",
    ] {
        assert!(
            Money::parse_decimal(bad, cur("USD")).is_err(),
            "{bad:?} should be refused"
        );
    }
    assert!(matches!(
        Money::parse_decimal("-1", cur("USD")),
        Err(MoneyError::Negative(_))
    ));
    assert!(matches!(
        Money::parse_decimal("7.999", cur("USD")),
        Err(MoneyError::TooPrecise { .. })
    ));
    assert!(matches!(
        Money::parse_decimal("99999999999999999999", cur("USD")),
        Err(MoneyError::Overflow(_))
    ));
    assert!(matches!(
        Money::parse_decimal("1e400", cur("USD")),
        Err(MoneyError::Overflow(_))
    ));
}

#[test]
fn currency_codes_are_three_letters() {
    assert_eq!(cur("usd").as_str(), "USD");
    for bad in ["", "US", "USDT", "U$D", "12A"] {
        assert!(Currency::parse(bad).is_err(), "{bad:?}");
    }
}

#[test]
fn catalog_price_with_code_round_trips_through_display() {
    let m = Money::parse_with_code("499.50 INR").unwrap();
    assert_eq!(m.minor(), 49950);
    assert_eq!(m.to_string(), "499.50 INR");
    assert_eq!(Money::parse_with_code(&m.to_string()).unwrap(), m);
    assert_eq!(
        Money::parse_with_code("1500 JPY").unwrap().to_string(),
        "1500 JPY"
    );
    assert_eq!(Money::from_minor(5, cur("KWD")).to_string(), "0.005 KWD");
    assert!(Money::parse_with_code("499.50").is_err());
    assert!(Money::parse_with_code("499.50 INR extra").is_err());
}

#[test]
fn mixing_currencies_is_refused() {
    let a = Money::from_minor(1, cur("USD"));
    let b = Money::from_minor(1, cur("EUR"));
    assert!(matches!(a.plus(b), Err(MoneyError::Mismatch(_, _))));
}
