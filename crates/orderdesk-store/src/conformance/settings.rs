//! Conformance cases for the business's stored settings (issue #17).

use super::*;
use crate::{SettingChange, StoredSetting};

fn set(key: &str, value: &str) -> SettingChange {
    SettingChange {
        key: key.to_owned(),
        value: Some(value.to_owned()),
    }
}

fn forget(key: &str) -> SettingChange {
    SettingChange {
        key: key.to_owned(),
        value: None,
    }
}

/// A new store has no stored settings: everything is default or environment.
pub async fn case_settings_start_empty(store: &dyn Store) {
    assert_eq!(store.stored_settings().await.unwrap(), Vec::new());
}

/// Every key of one change is stored with its time and author, read back
/// sorted by key.
pub async fn case_settings_round_trip(store: &dyn Store) {
    store
        .put_settings(
            &[
                set("ORDERDESK_TIMEZONE", "Asia/Kolkata"),
                set("COD_ENABLED", "true"),
            ],
            at(10),
            "staff:owner@example.com",
        )
        .await
        .unwrap();
    let stored = store.stored_settings().await.unwrap();
    assert_eq!(
        stored,
        vec![
            StoredSetting {
                key: "COD_ENABLED".into(),
                value: "true".into(),
                updated_at: micros(at(10)),
                updated_by: "staff:owner@example.com".into(),
            },
            StoredSetting {
                key: "ORDERDESK_TIMEZONE".into(),
                value: "Asia/Kolkata".into(),
                updated_at: micros(at(10)),
                updated_by: "staff:owner@example.com".into(),
            },
        ]
    );
}

/// Setting a stored key again replaces its value, time and author.
pub async fn case_settings_replace(store: &dyn Store) {
    store
        .put_settings(&[set("ORDERDESK_LOCALE", "en-IN")], at(10), "staff:a@x.in")
        .await
        .unwrap();
    store
        .put_settings(&[set("ORDERDESK_LOCALE", "de-DE")], at(20), "token:ci")
        .await
        .unwrap();
    let stored = store.stored_settings().await.unwrap();
    assert_eq!(stored.len(), 1, "one row per key: {stored:?}");
    assert_eq!(stored[0].value, "de-DE");
    assert_eq!(stored[0].updated_at, micros(at(20)));
    assert_eq!(stored[0].updated_by, "token:ci");
}

/// Forgetting a key removes only that key (the default applies again);
/// forgetting one that was never stored is not an error.
pub async fn case_settings_forget(store: &dyn Store) {
    store
        .put_settings(
            &[
                set("ORDERDESK_TIMEZONE", "Asia/Kolkata"),
                set("ORDERDESK_BUSINESS_NAME", "Asha's Kitchen"),
            ],
            at(10),
            "staff:a@x.in",
        )
        .await
        .unwrap();
    store
        .put_settings(
            &[forget("ORDERDESK_TIMEZONE"), forget("NEVER_STORED")],
            at(20),
            "staff:a@x.in",
        )
        .await
        .unwrap();
    let keys: Vec<String> = store
        .stored_settings()
        .await
        .unwrap()
        .into_iter()
        .map(|s| s.key)
        .collect();
    assert_eq!(keys, vec!["ORDERDESK_BUSINESS_NAME".to_owned()]);
}

/// Text is stored as given: Unicode, quotes and several lines survive.
pub async fn case_settings_keep_text_exactly(store: &dyn Store) {
    let address = "12, Ganga Road\nपुणे 411001 'MH' \"IN\"";
    store
        .put_settings(
            &[set("ORDERDESK_BUSINESS_ADDRESS", address)],
            at(1),
            "staff:a@x.in",
        )
        .await
        .unwrap();
    assert_eq!(store.stored_settings().await.unwrap()[0].value, address);
}
