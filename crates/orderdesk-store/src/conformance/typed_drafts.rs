//! Conformance cases for typed drafts (#21).

use orderdesk_domain::{DraftStamp, OrderNumber};

use crate::TypedDraft;

use super::*;

fn draft(key: &str, lines: &[(&str, u32)], version: i64, latest: Option<i64>) -> TypedDraft {
    TypedDraft {
        customer_key: key.to_owned(),
        lines: lines.iter().map(|(id, n)| ((*id).to_owned(), *n)).collect(),
        stamp: DraftStamp {
            catalog_version: version,
            latest_order: latest.and_then(OrderNumber::new),
        },
        made_at: Some(1_750_000_000 + version),
        unplaced: Vec::new(),
        at_desk: false,
    }
}

/// A draft is read back as saved, line order and stamp included; a newer
/// draft replaces it; another customer's draft is untouched.
pub async fn case_typed_draft_kept_and_replaced(store: &dyn Store) {
    assert_eq!(store.typed_draft("919800000001").await.unwrap(), None);

    let first = draft("919800000001", &[("atta", 2), ("butter", 1)], 7, None);
    store.save_typed_draft(&first).await.unwrap();
    let other = draft("919800000002", &[("tea", 3)], 7, Some(1001));
    store.save_typed_draft(&other).await.unwrap();
    assert_eq!(
        store.typed_draft("919800000001").await.unwrap(),
        Some(first)
    );

    let newer = draft("919800000001", &[("tomato", 4)], 8, Some(1002));
    store.save_typed_draft(&newer).await.unwrap();
    assert_eq!(
        store.typed_draft("919800000001").await.unwrap(),
        Some(newer)
    );
    assert_eq!(
        store.typed_draft("919800000002").await.unwrap(),
        Some(other)
    );
}

/// A draft at the desk keeps when it was made, the words nobody could
/// place (in order, a new line inside one read as a space) and the flag; a
/// draft kept before these were stored reads back with none of them.
pub async fn case_typed_draft_at_the_desk(store: &dyn Store) {
    let mut desk = draft("919800000003", &[("atta", 2)], 9, Some(1003));
    desk.unplaced = vec!["1 jar of happiness".to_owned(), "some\nmore".to_owned()];
    desk.at_desk = true;
    store.save_typed_draft(&desk).await.unwrap();
    let back = store.typed_draft("919800000003").await.unwrap().unwrap();
    assert_eq!(back.unplaced, ["1 jar of happiness", "some more"]);
    assert!(back.at_desk);
    assert_eq!(back.made_at, Some(1_750_000_009));

    // Sent back to the customer: off the desk, nothing unplaced left.
    let sent = draft("919800000003", &[("atta", 3)], 10, Some(1003));
    store.save_typed_draft(&sent).await.unwrap();
    assert_eq!(store.typed_draft("919800000003").await.unwrap(), Some(sent));

    let mut old = draft("919800000004", &[("tea", 1)], 11, None);
    old.made_at = None;
    store.save_typed_draft(&old).await.unwrap();
    assert_eq!(store.typed_draft("919800000004").await.unwrap(), Some(old));
}
