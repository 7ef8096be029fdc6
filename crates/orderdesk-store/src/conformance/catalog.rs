//! Conformance cases for the product catalog.

use super::*;

pub fn product(retailer_id: &str, title: &str, price_minor: i64) -> Product {
    Product {
        retailer_id: retailer_id.to_owned(),
        title: title.to_owned(),
        description: format!("{title}, described — with “quotes”"),
        availability: "in stock".to_owned(),
        condition: "new".to_owned(),
        price_minor,
        currency: Currency::parse("INR").unwrap(),
        link: format!("https://shop.test/p/{retailer_id}"),
        image_link: format!("https://shop.test/i/{retailer_id}.jpg"),
        brand: "Acme".to_owned(),
    }
}

pub async fn case_products_upsert(store: &dyn Store) {
    let tee = product("tee-black-m", "Black tee, M", 49_900);
    let mug = product("mug", "Mug", 29_950);
    assert_eq!(
        store
            .upsert_products(&[tee.clone(), mug.clone()])
            .await
            .unwrap(),
        2
    );
    assert_eq!(
        store.products().await.unwrap(),
        vec![mug.clone(), tee.clone()]
    );

    let tee_on_sale = Product {
        title: "Black tee, M (sale)".to_owned(),
        price_minor: 39_900,
        availability: "out of stock".to_owned(),
        currency: Currency::parse("JPY").unwrap(),
        ..tee.clone()
    };
    let cap = product("cap", "Cap", 0);
    assert_eq!(
        store
            .upsert_products(&[tee_on_sale.clone(), cap.clone()])
            .await
            .unwrap(),
        2
    );
    assert_eq!(store.products().await.unwrap(), vec![cap, mug, tee_on_sale]);
    assert_eq!(store.upsert_products(&[]).await.unwrap(), 0);
}

pub async fn case_products_all_or_nothing(store: &dyn Store) {
    let tee = product("tee-black-m", "Black tee, M", 49_900);
    store
        .upsert_products(std::slice::from_ref(&tee))
        .await
        .unwrap();

    let failing = store
        .upsert_products(&[
            Product {
                title: "changed".to_owned(),
                ..tee.clone()
            },
            product("mug", "Mug", 29_950),
            product("broken", "A negative price", -1),
        ])
        .await;
    assert!(failing.is_err(), "a negative price is refused");
    assert_eq!(store.products().await.unwrap(), vec![tee]);
}

pub async fn case_products_by_ids(store: &dyn Store) {
    let products: Vec<Product> = (0..30)
        .map(|i| product(&format!("sku-{i:02}"), &format!("Thing {i}"), 100 * i))
        .collect();
    store.upsert_products(&products).await.unwrap();

    let ids = |list: &[&str]| list.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
    let mut got = store
        .products_by_ids(&ids(&["sku-07", "nope", "sku-03", "sku-07"]))
        .await
        .unwrap();
    got.sort_by(|a, b| a.retailer_id.cmp(&b.retailer_id));
    got.dedup();
    assert_eq!(got, vec![products[3].clone(), products[7].clone()]);
    assert!(store.products_by_ids(&[]).await.unwrap().is_empty());
    assert!(store
        .products_by_ids(&ids(&["unknown"]))
        .await
        .unwrap()
        .is_empty());
    let all_ids: Vec<String> = products.iter().map(|p| p.retailer_id.clone()).collect();
    assert_eq!(store.products_by_ids(&all_ids).await.unwrap().len(), 30);
}
