use std::collections::HashMap;
use std::io::Write;

use super::*;

fn env(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
    let map: HashMap<String, String> = pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
    move |k| map.get(k).cloned()
}

fn toml_file(text: &str) -> tempfile::NamedTempFile {
    let mut f = tempfile::NamedTempFile::new().unwrap();
    f.write_all(text.as_bytes()).unwrap();
    f
}

#[test]
fn defaults_match_the_design() {
    let c = Config::from_sources(None, env(&[])).unwrap();
    assert_eq!(
        c.database_url,
        DatabaseUrl::Sqlite("sqlite://orderdesk.db".into())
    );
    assert_eq!(c.listen.to_string(), "127.0.0.1:8080");
    assert_eq!(c.public_url, "http://127.0.0.1:8080");
    assert_eq!(c.whatsapp_graph_url, "https://graph.facebook.com/v23.0");
    assert_eq!(c.razorpay_api_url, "https://api.razorpay.com");
    assert_eq!(c.stripe_api_url, "https://api.stripe.com");
    assert!(!c.cod_enabled);
    assert_eq!(c.payments_provider, None);
}

#[test]
fn file_and_environment_agree_and_environment_wins() {
    let f = toml_file(
        "orderdesk_database_url = \"postgres://u:pw@db/orders\"\nlisten = \"0.0.0.0:9000\"\nwhatsapp_app_secret = \"from-file\"\ncod_enabled = true\n",
    );
    let c = Config::from_sources(Some(f.path()), env(&[])).unwrap();
    assert_eq!(
        c.database_url,
        DatabaseUrl::Postgres("postgres://u:pw@db/orders".into())
    );
    assert_eq!(c.listen.to_string(), "0.0.0.0:9000");
    assert_eq!(c.whatsapp_app_secret.as_deref(), Some("from-file"));
    assert!(c.cod_enabled);

    let c = Config::from_sources(
        Some(f.path()),
        env(&[
            ("WHATSAPP_APP_SECRET", "from-env"),
            ("ORDERDESK_LISTEN", "127.0.0.1:1"),
        ]),
    )
    .unwrap();
    assert_eq!(c.whatsapp_app_secret.as_deref(), Some("from-env"));
    assert_eq!(c.listen.to_string(), "127.0.0.1:1");
}

#[test]
fn a_bad_value_is_one_line_naming_the_key() {
    for (key, value) in [
        ("ORDERDESK_LISTEN", "not-an-address"),
        ("ORDERDESK_DATABASE_URL", "mysql://x"),
        ("ORDERDESK_PUBLIC_URL", "ftp://x"),
        ("WHATSAPP_GRAPH_URL", "graph"),
        ("COD_ENABLED", "maybe"),
        ("ORDERDESK_AGENTS_SEE_OWN_ORDERS", "sometimes"),
        ("ORDERDESK_TYPED_ORDERS", "maybe"),
        ("PAYMENTS_PROVIDER", "paypal"),
        ("ORDERDESK_DATABASE_MAX_CONNECTIONS", "0"),
        ("ORDERDESK_NUDGE_AFTER", "soon"),
        ("ORDERDESK_ABANDON_AFTER", "0s"),
        ("ORDERDESK_RECOVERY_LATER", "48h,23h"),
        ("ORDERDESK_RECOVERY_LATER", "1h,2h,3h,4h"),
        ("ORDERDESK_RECOVERY_LATER", "23h,tomorrow"),
        ("ORDERDESK_COD_CONFIRM", "maybe"),
        ("ORDERDESK_COD_CONFIRM_WAIT", "0s"),
        ("ORDERDESK_COD_UNCONFIRMED", "flag"),
        ("ORDERDESK_FEEDBACK_AFTER", "later"),
    ] {
        let err = Config::from_sources(None, env(&[(key, value)]))
            .unwrap_err()
            .to_string();
        assert!(err.starts_with(key), "{err}");
        assert!(err.contains(value), "{err}");
        assert!(!err.contains('\n'), "{err}");
    }
}

#[test]
fn a_bad_file_value_names_the_key_and_the_file() {
    let f = toml_file("orderdesk_listen = \"nope\"\n");
    let err = Config::from_sources(Some(f.path()), env(&[]))
        .unwrap_err()
        .to_string();
    assert!(err.starts_with("ORDERDESK_LISTEN (in "), "{err}");

    let f = toml_file("lisen = \"127.0.0.1:1\"\n");
    let err = Config::from_sources(Some(f.path()), env(&[]))
        .unwrap_err()
        .to_string();
    assert!(err.starts_with("lisen"), "{err}");

    let f = toml_file("this is not toml");
    assert!(Config::from_sources(Some(f.path()), env(&[])).is_err());
}

#[test]
fn a_chosen_provider_needs_its_keys() {
    let err = Config::from_sources(None, env(&[("PAYMENTS_PROVIDER", "razorpay")]))
        .unwrap_err()
        .to_string();
    assert_eq!(
        err,
        "RAZORPAY_KEY_ID: required when PAYMENTS_PROVIDER=razorpay"
    );
    let ok = Config::from_sources(
        None,
        env(&[
            ("PAYMENTS_PROVIDER", "stripe"),
            ("STRIPE_SECRET_KEY", "sk_test"),
            ("STRIPE_WEBHOOK_SECRET", "whsec"),
        ]),
    )
    .unwrap();
    assert_eq!(ok.payments_provider, Some(PaymentsProvider::Stripe));
}

#[test]
fn secrets_stay_out_of_debug_output() {
    let c = Config::from_sources(
        None,
        env(&[
            ("WHATSAPP_APP_SECRET", "s3cret-app"),
            ("WHATSAPP_ACCESS_TOKEN", "s3cret-token"),
            ("ORDERDESK_DATABASE_URL", "postgres://me:s3cret-pw@db/x"),
        ]),
    )
    .unwrap();
    let shown = format!("{c:?}");
    assert!(!shown.contains("s3cret"), "{shown}");
    assert!(shown.contains("postgres://me:***@db/x"), "{shown}");
}

#[test]
fn checkout_timers_take_durations_with_units() {
    let c = Config::from_sources(None, env(&[])).unwrap();
    assert_eq!(c.nudge_after, chrono::Duration::hours(1));
    assert_eq!(c.abandon_after, chrono::Duration::hours(24));
    let c = Config::from_sources(
        None,
        env(&[
            ("ORDERDESK_NUDGE_AFTER", "90s"),
            ("ORDERDESK_ABANDON_AFTER", "2d"),
        ]),
    )
    .unwrap();
    assert_eq!(c.nudge_after, chrono::Duration::seconds(90));
    assert_eq!(c.abandon_after, chrono::Duration::days(2));
    let c = Config::from_sources(None, env(&[("ORDERDESK_NUDGE_AFTER", "15m")])).unwrap();
    assert_eq!(c.nudge_after, chrono::Duration::minutes(15));
}

#[test]
fn the_recovery_schedule_is_up_to_three_ascending_steps_or_off() {
    let hours = |h: &[i64]| {
        h.iter()
            .map(|h| chrono::Duration::hours(*h))
            .collect::<Vec<_>>()
    };
    let c = Config::from_sources(None, env(&[])).unwrap();
    assert_eq!(c.recovery_later, hours(&[23, 48]));
    for (raw, expected) in [
        ("off", hours(&[])),
        ("12h", hours(&[12])),
        ("6h, 23h, 3d", hours(&[6, 23, 72])),
    ] {
        let c = Config::from_sources(None, env(&[("ORDERDESK_RECOVERY_LATER", raw)])).unwrap();
        assert_eq!(c.recovery_later, expected, "{raw}");
    }
}

#[test]
fn server_limits_have_defaults_and_take_settings() {
    let c = Config::from_sources(None, env(&[])).unwrap();
    assert_eq!(c.trusted_proxy_header, None);
    assert_eq!(c.header_read_timeout, std::time::Duration::from_secs(10));
    assert_eq!(c.idle_timeout, std::time::Duration::from_secs(60));
    assert_eq!(c.max_connections, 4096);
    let c = Config::from_sources(
        None,
        env(&[
            ("ORDERDESK_TRUSTED_PROXY_HEADER", "X-Forwarded-For"),
            ("ORDERDESK_HEADER_READ_TIMEOUT", "2s"),
            ("ORDERDESK_IDLE_TIMEOUT", "1m"),
            ("ORDERDESK_MAX_CONNECTIONS", "8"),
        ]),
    )
    .unwrap();
    assert_eq!(c.trusted_proxy_header.unwrap(), "x-forwarded-for");
    assert_eq!(c.header_read_timeout, std::time::Duration::from_secs(2));
    assert_eq!(c.idle_timeout, std::time::Duration::from_secs(60));
    assert_eq!(c.max_connections, 8);
    for (key, bad) in [
        ("ORDERDESK_TRUSTED_PROXY_HEADER", "X Forwarded"),
        ("ORDERDESK_HEADER_READ_TIMEOUT", "0s"),
        ("ORDERDESK_IDLE_TIMEOUT", "soon"),
        ("ORDERDESK_MAX_CONNECTIONS", "0"),
    ] {
        let err = Config::from_sources(None, env(&[(key, bad)]))
            .unwrap_err()
            .to_string();
        assert!(err.starts_with(key), "{err}");
    }
}

#[test]
fn scheduled_backups_are_off_until_asked_for_and_bad_values_name_the_key() {
    let c = Config::from_sources(None, env(&[])).unwrap();
    assert_eq!(c.backup_every, None);
    assert_eq!(c.backup_keep, 7);
    assert_eq!(c.backup_dir, None);
    assert_eq!(c.invoice_prefix, "INV-");
    assert_eq!(c.credit_note_prefix, "CN-");
    assert_eq!(c.cod_overdue_days, 7);
    let c = Config::from_sources(
        None,
        env(&[
            ("ORDERDESK_BACKUP_EVERY", "6h"),
            ("ORDERDESK_BACKUP_KEEP", "3"),
            ("ORDERDESK_BACKUP_DIR", "/var/backups/orderdesk"),
            ("WHATSAPP_BUSINESS_ACCOUNT_ID", "102290129340398"),
        ]),
    )
    .unwrap();
    assert_eq!(
        c.backup_every,
        Some(std::time::Duration::from_secs(6 * 3600))
    );
    assert_eq!(c.backup_keep, 3);
    assert_eq!(c.backup_dir, Some(PathBuf::from("/var/backups/orderdesk")));
    assert_eq!(
        c.whatsapp_business_account_id.as_deref(),
        Some("102290129340398")
    );
    for (key, bad) in [
        ("ORDERDESK_BACKUP_EVERY", "sometimes"),
        ("ORDERDESK_BACKUP_KEEP", "0"),
        ("ORDERDESK_INVOICE_PREFIX", "INV /"),
        ("ORDERDESK_CREDIT_NOTE_PREFIX", "a-very-long-prefix-indeed"),
        ("ORDERDESK_TAX_RATE", "18 percent"),
        ("ORDERDESK_TAX_RATE", "101"),
        ("ORDERDESK_TAX_MODE", "gross"),
        ("ORDERDESK_INVOICE_SEND", "always"),
        ("ORDERDESK_NATIVE_MESSAGES", "yes"),
        ("ORDERDESK_COD_OVERDUE_DAYS", "0"),
        ("ORDERDESK_COD_OVERDUE_DAYS", "a week"),
    ] {
        let err = Config::from_sources(None, env(&[(key, bad)]))
            .unwrap_err()
            .to_string();
        assert!(err.starts_with(key) && !err.contains('\n'), "{err}");
    }
}

#[test]
fn business_hours_read_like_a_shop_door_and_a_bad_value_names_the_key() {
    let c = Config::from_sources(
        None,
        env(&[("ORDERDESK_BUSINESS_HOURS", "Mon-Sat 10:00-19:00")]),
    )
    .unwrap();
    assert_eq!(c.business.hours.as_deref(), Some("Mon-Sat 10:00-19:00"));
    for bad in ["Mon-Sat 19:00-10:00", "weekdays 10:00-19:00", "10 to 7"] {
        let err = Config::from_sources(None, env(&[("ORDERDESK_BUSINESS_HOURS", bad)]))
            .unwrap_err()
            .to_string();
        assert!(
            err.starts_with("ORDERDESK_BUSINESS_HOURS") && !err.contains('\n'),
            "{err}"
        );
    }
}
