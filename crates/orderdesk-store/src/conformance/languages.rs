//! Conformance cases for customers' languages (issue #19).

use super::*;
use crate::LanguageSource::{Detected, Staff};

/// The first guess is stored and stays; a later guess changes nothing.
pub async fn case_language_first_guess_stays(store: &dyn Store) {
    assert_eq!(store.customer_language("9198").await.unwrap(), None);
    let first = store
        .set_customer_language("9198", Some("hi"), Detected, at(1))
        .await
        .unwrap()
        .unwrap();
    assert_eq!((first.language.as_str(), first.source), ("hi", Detected));
    assert_eq!(first.updated_at, micros(at(1)));
    let again = store
        .set_customer_language("9198", Some("en"), Detected, at(2))
        .await
        .unwrap();
    assert_eq!(again, Some(first.clone()));
    assert_eq!(store.customer_language("9198").await.unwrap(), Some(first));
    assert_eq!(store.customer_language("other").await.unwrap(), None);
}

/// Staff's choice replaces a guess, is never replaced by one, and
/// forgetting it leaves no row.
pub async fn case_language_staff_choice_wins_and_can_be_forgotten(store: &dyn Store) {
    store
        .set_customer_language("9199", Some("hi"), Detected, at(1))
        .await
        .unwrap();
    let set = store
        .set_customer_language("9199", Some("pt_BR"), Staff, at(2))
        .await
        .unwrap()
        .unwrap();
    assert_eq!((set.language.as_str(), set.source), ("pt_BR", Staff));
    store
        .set_customer_language("9199", Some("ta"), Detected, at(3))
        .await
        .unwrap();
    let kept = store.customer_language("9199").await.unwrap().unwrap();
    assert_eq!(kept.language, "pt_BR");
    assert_eq!(
        store
            .set_customer_language("9199", None, Staff, at(4))
            .await
            .unwrap(),
        None
    );
    assert_eq!(store.customer_language("9199").await.unwrap(), None);
}

/// A whole batch's languages in one read: every stored key, no others, and
/// more keys than one statement's list.
pub async fn case_languages_read_for_many_customers(store: &dyn Store) {
    store
        .set_customer_language("9201", Some("hi"), Detected, at(1))
        .await
        .unwrap();
    store
        .set_customer_language("9202", Some("ta"), Staff, at(2))
        .await
        .unwrap();
    assert!(store.customer_languages(&[]).await.unwrap().is_empty());
    let mut keys: Vec<String> = (0..1200).map(|i| format!("x{i}")).collect();
    keys.insert(700, "9202".to_owned());
    keys.push("9201".to_owned());
    let mut found: Vec<(String, String)> = store
        .customer_languages(&keys)
        .await
        .unwrap()
        .into_iter()
        .map(|l| (l.customer_key, l.language))
        .collect();
    found.sort();
    assert_eq!(
        found,
        [
            ("9201".to_owned(), "hi".to_owned()),
            ("9202".to_owned(), "ta".to_owned())
        ]
    );
}
