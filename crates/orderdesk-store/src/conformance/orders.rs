//! Conformance cases for reading orders: every field round-trips, unknown
//! numbers are not found, and a customer's orders are found by either id.

use super::*;

pub async fn case_order_round_trip(store: &dyn Store) {
    let by_user_id = NewOrder {
        customer: Customer {
            wa_id: None,
            user_id: Some("US.13491208655302741918".to_owned()),
            name: None,
        },
        cart_text: Some("please gift wrap 🎁\nthanks".to_owned()),
        ..cart("", "", at(10))
    };
    let by_phone_in_yen = NewOrder {
        customer: Customer {
            wa_id: Some("819012345678".to_owned()),
            user_id: None,
            name: Some("Zoë Ōkubo-Nguyễn 李小龍 👩🏽‍🍳".to_owned()),
        },
        items: vec![LineItem {
            retailer_id: "matcha-40g".to_owned(),
            name: "抹茶 40g — \"ceremonial\" <grade>".to_owned(),
            quantity: 3,
            unit_price_minor: 1_500,
        }],
        currency: Currency::parse("JPY").unwrap(),
        total_minor: 4_500,
        cart_text: None,
        created_at: at(11),
    };
    let both_in_dinars = NewOrder {
        customer: Customer {
            wa_id: Some("96550000000".to_owned()),
            user_id: Some("KW.1".to_owned()),
            name: Some("Fatima Al-Sabah".to_owned()),
        },
        items: vec![LineItem {
            retailer_id: "oud".to_owned(),
            name: "Oud".to_owned(),
            quantity: 1,
            unit_price_minor: 12_345,
        }],
        currency: Currency::parse("KWD").unwrap(),
        total_minor: 12_345,
        cart_text: Some("رجاءً التوصيل مساءً".to_owned()),
        created_at: at(12),
    };
    let carts = vec![by_user_id, by_phone_in_yen, both_in_dinars];
    let orders = create_orders(store, carts.clone()).await;
    for (order, new) in orders.iter().zip(&carts) {
        let expected = expected_order(order.number, new);
        assert_eq!(*order, expected);
        assert_eq!(order.created_at.timestamp_subsec_nanos(), 123_456_000);
        let stored = store.order(order.number).await.unwrap();
        assert_eq!(stored, expected);
        let json = serde_json::to_value(&stored).unwrap();
        assert_eq!(json, serde_json::to_value(&expected).unwrap());
        assert_eq!(serde_json::from_value::<Order>(json).unwrap(), expected);
    }
    let listed = store.list_orders(&query(50)).await.unwrap().orders;
    assert_eq!(
        listed,
        orders.iter().rev().cloned().collect::<Vec<_>>(),
        "listing shows the same orders"
    );
}

pub async fn case_created_timeline(store: &dyn Store) {
    let order = create_order(store, cart("Asha", "919800000001", at(7))).await;
    let timeline = store.timeline(order.number).await.unwrap();
    assert_eq!(
        timeline,
        vec![TimelineEntry::new(
            micros(at(7)),
            TimelineKind::Created,
            &Actor::Customer
        )]
    );
    let events = store.events_since(0, 10).await.unwrap();
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].kind, EventKind::OrderCreated);
    assert_eq!(events[0].order_number, Some(order.number));
    assert_eq!(events[0].data, serde_json::to_value(&order).unwrap());
    assert_eq!(events[0].at, order.created_at);
}

pub async fn case_unknown_order(store: &dyn Store) {
    create_order(store, cart("Asha", "919800000001", at(1))).await;
    assert!(matches!(
        store.order(n(1002)).await,
        Err(StoreError::NotFound)
    ));
    assert!(matches!(
        store.timeline(n(4242)).await,
        Err(StoreError::NotFound)
    ));
}

pub async fn case_latest_order_for_customer(store: &dyn Store) {
    assert_eq!(
        store.latest_order_for_customer("nobody").await.unwrap(),
        None
    );
    let now = chrono::Utc::now();
    let mut by_user = cart("User", "ignored", now);
    by_user.customer = Customer {
        wa_id: None,
        user_id: Some("US.1".into()),
        name: Some("User".into()),
    };
    let orders = create_orders(
        store,
        vec![
            cart("Phone", "15550001", now),
            by_user,
            cart("Phone", "15550001", now),
        ],
    )
    .await;
    let latest = store
        .latest_order_for_customer("15550001")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(latest.number, orders[2].number);
    let latest = store
        .latest_order_for_customer("US.1")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(latest.number, orders[1].number);
}

pub async fn case_open_orders(store: &dyn Store) {
    let customer = |wa_id: Option<&str>, user_id: Option<&str>| Customer {
        wa_id: wa_id.map(str::to_owned),
        user_id: user_id.map(str::to_owned),
        name: None,
    };
    let carts = [
        customer(Some("919800000001"), None),
        customer(None, Some("US.1")),
        customer(Some("919800000001"), Some("US.1")),
        customer(Some("919800000002"), Some("US.2")),
        customer(Some("919800000001"), None),
        customer(Some("919800000001"), None),
    ]
    .into_iter()
    .enumerate()
    .map(|(i, c)| NewOrder {
        customer: c,
        ..cart("", "", at(i64::try_from(i).unwrap()))
    })
    .collect();
    let orders = create_orders(store, carts).await;
    // 1005 moved on; 1006 was abandoned and can still be continued.
    move_order(
        store,
        &orders[4],
        plan(&orders[4], OrderStatus::Confirmed, Actor::Bot, None),
        at(10),
    )
    .await;
    move_order(
        store,
        &orders[5],
        plan(&orders[5], OrderStatus::Abandoned, Actor::System, None),
        at(11),
    )
    .await;

    let open = |key: &'static str| async move {
        numbers(&store.open_orders_for_customer(key).await.unwrap())
    };
    assert_eq!(
        open("919800000001").await,
        vec![1006, 1003, 1001],
        "by wa_id"
    );
    assert_eq!(open("US.1").await, vec![1003, 1002], "by user_id");
    assert_eq!(open("US.2").await, vec![1004]);
    assert_eq!(open("9198").await, Vec::<i64>::new(), "whole ids only");
    assert_eq!(open("nobody").await, Vec::<i64>::new());
    let found = store.open_orders_for_customer("US.1").await.unwrap();
    assert_eq!(found[0], store.order(n(1003)).await.unwrap());
}
