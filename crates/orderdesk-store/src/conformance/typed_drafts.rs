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
