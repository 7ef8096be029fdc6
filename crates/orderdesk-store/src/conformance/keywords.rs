//! Conformance cases for product keywords (other names customers use).

use super::*;

/// Keywords set by the import are read back, survive a feed sync (which
/// does not carry them), and `""` clears them.
pub async fn case_product_keywords_kept_across_syncs(store: &dyn Store) {
    let onion = product("onion", "Onion 1 kg", 4_000);
    let mug = product("mug", "Mug", 29_950);
    store
        .upsert_products(&[onion.clone(), mug.clone()])
        .await
        .unwrap();
    assert_eq!(store.product_keywords().await.unwrap(), vec![]);

    let set = vec![("onion".to_owned(), "pyaz|kanda".to_owned())];
    store.set_product_keywords(&set).await.unwrap();
    assert_eq!(store.product_keywords().await.unwrap(), set);

    store.upsert_products(&[onion]).await.unwrap();
    assert_eq!(store.product_keywords().await.unwrap(), set);

    store
        .set_product_keywords(&[("onion".to_owned(), String::new())])
        .await
        .unwrap();
    assert_eq!(store.product_keywords().await.unwrap(), vec![]);
}

/// Keywords for a product that does not exist change nothing, not even
/// the products named before it.
pub async fn case_product_keywords_for_an_unknown_product(store: &dyn Store) {
    store
        .upsert_products(&[product("onion", "Onion 1 kg", 4_000)])
        .await
        .unwrap();
    let err = store
        .set_product_keywords(&[
            ("onion".to_owned(), "pyaz".to_owned()),
            ("nope".to_owned(), "x".to_owned()),
        ])
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::NotFound), "{err:?}");
    assert_eq!(store.product_keywords().await.unwrap(), vec![]);
}
