//! The amounts customers read in the bot's messages come from the one
//! formatter, in the locale in force when the message is made.

use std::collections::BTreeMap;

use chrono::{TimeZone, Utc};
use orderdesk_domain::{CheckoutSettings, Currency, Customer, LineItem, NewOrder};

use super::first_messages;
use crate::checkout::CheckoutConfig;
use crate::form_token::{FormTokens, DEFAULT_TTL};
use crate::settings::{SettingSpec, Settings, LOCALE, TIMEZONE};
use crate::texts::Texts;

fn config(locale: &str) -> CheckoutConfig {
    let spec = |key| SettingSpec {
        key,
        default: None,
        at_start: false,
        secret: false,
    };
    let fixed = BTreeMap::from([
        (LOCALE.to_owned(), locale.to_owned()),
        (TIMEZONE.to_owned(), "Asia/Kolkata".to_owned()),
    ]);
    CheckoutConfig {
        public_url: "https://shop.example".to_owned(),
        tokens: FormTokens::from_secret(b"secret", DEFAULT_TTL),
        settings: CheckoutSettings::default(),
        live: Settings::new(
            vec![spec(LOCALE), spec(TIMEZONE)],
            fixed,
            Box::new(|_| Ok(())),
        ),
        language: "en".to_owned(),
        payments: None,
    }
}

/// The first message of an order of `minor` in `currency`, as the chat
/// panel shows it.
fn order_received(locale: &str, minor: i64, currency: &str) -> String {
    let currency = Currency::parse(currency).expect("a currency");
    let order = NewOrder::from_cart(
        Customer {
            wa_id: Some("919800000001".to_owned()),
            user_id: None,
            name: None,
        },
        vec![(
            LineItem {
                retailer_id: "sku".to_owned(),
                name: "Rice".to_owned(),
                quantity: 1,
                unit_price_minor: minor,
            },
            currency,
        )],
        None,
        Utc.with_ymd_and_hms(2026, 12, 6, 18, 46, 0).unwrap(),
    )
    .expect("an order");
    let messages = first_messages(&config(locale), &Texts::defaults("en"), &order);
    messages.first().expect("a message").preview.clone()
}

#[test]
fn rupees_read_with_the_symbol_and_lakh_grouping_in_en_in() {
    assert_eq!(
        order_received("en-IN", 309_700, "INR"),
        "Thank you for your order (₹3,097.00). Please add your delivery address so we can get it to you."
    );
    assert!(order_received("en-IN", 12_345_600, "INR").contains("(₹1,23,456.00)"));
}

#[test]
fn euros_read_the_german_way_in_de_de() {
    assert!(order_received("de-DE", 123_450, "EUR").contains("(€1.234,50)"));
}

#[test]
fn yen_have_no_decimals_and_dinars_three() {
    assert!(order_received("en-US", 1_234, "JPY").contains("(¥1,234)"));
    assert!(order_received("en-US", 1_234_567, "KWD").contains("1,234.567)"));
}
