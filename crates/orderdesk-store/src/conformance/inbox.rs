//! Conformance cases for the inbox: recording inbound items once, listing the
//! pending ones and completing them.

use super::*;

pub async fn case_inbound_dedupe_within_batch(store: &dyn Store) {
    let a = inbound_item("wamid.A");
    let b = inbound_item("wamid.B");
    let a_again = NewInbound {
        payload: r#"{"id":"wamid.A","redelivered":true}"#.to_owned(),
        ..inbound_item("wamid.A")
    };
    // The same id from another source is another item.
    let a_elsewhere = NewInbound {
        source: "razorpay".to_owned(),
        ..inbound_item("wamid.A")
    };
    let got = store
        .record_inbound(&[a.clone(), b, a_again, a_elsewhere])
        .await
        .unwrap();
    let [Recorded::New(ia), Recorded::New(ib), Recorded::Duplicate, Recorded::New(ic)] = got[..]
    else {
        panic!("expected new, new, duplicate, new; got {got:?}");
    };
    assert!(ia < ib && ib < ic, "ids follow input order: {got:?}");

    let pending = store.pending_inbound(10).await.unwrap();
    assert_eq!(
        pending.iter().map(|r| r.id).collect::<Vec<_>>(),
        vec![ia, ib, ic]
    );
    assert_eq!(pending[0].payload, a.payload, "the first delivery is kept");
    assert_eq!(pending[2].source, "razorpay");
}

pub async fn case_inbound_dedupe_across_batches(store: &dyn Store) {
    let first = store
        .record_inbound(&[inbound_item("wamid.A"), inbound_item("wamid.B")])
        .await
        .unwrap();
    assert!(matches!(first[..], [Recorded::New(_), Recorded::New(_)]));
    let Recorded::New(ia) = first[0] else {
        unreachable!()
    };

    let second = store
        .record_inbound(&[
            inbound_item("wamid.B"),
            inbound_item("wamid.D"),
            inbound_item("wamid.A"),
        ])
        .await
        .unwrap();
    assert!(
        matches!(
            second[..],
            [Recorded::Duplicate, Recorded::New(_), Recorded::Duplicate]
        ),
        "{second:?}"
    );
    assert_eq!(store.pending_inbound(10).await.unwrap().len(), 3);

    // Still a duplicate once processed: Meta redelivers for days.
    store
        .complete_inbound(&[(ia, InboundOutcome::Ignored)])
        .await
        .unwrap();
    assert_eq!(
        store
            .record_inbound(&[inbound_item("wamid.A")])
            .await
            .unwrap(),
        vec![Recorded::Duplicate]
    );
    assert_eq!(store.pending_inbound(10).await.unwrap().len(), 2);
}

pub async fn case_inbound_results_in_input_order(store: &dyn Store) {
    let earlier = store
        .record_inbound(&[inbound_item("wamid.old.1"), inbound_item("wamid.old.2")])
        .await
        .unwrap();
    assert!(earlier.iter().all(|r| matches!(r, Recorded::New(_))));

    // Big enough to span any internal chunking, with repeats from this
    // batch and from the earlier one scattered through it.
    let mut batch = Vec::new();
    for i in 0..1_200 {
        let id = match i % 7 {
            3 => format!("wamid.big.{}", i / 2),
            5 => format!("wamid.old.{}", 1 + i % 2),
            _ => format!("wamid.big.{i}"),
        };
        batch.push(inbound_item(&id));
    }
    let mut seen: HashSet<String> = ["wamid.old.1", "wamid.old.2"]
        .into_iter()
        .map(str::to_owned)
        .collect();
    let expected_new: Vec<bool> = batch
        .iter()
        .map(|item| seen.insert(item.external_id.clone()))
        .collect();

    let got = store.record_inbound(&batch).await.unwrap();
    assert_eq!(got.len(), batch.len());
    let mut new_ids = Vec::new();
    for (i, (r, new)) in got.iter().zip(&expected_new).enumerate() {
        match (r, new) {
            (Recorded::New(id), true) => new_ids.push((*id, batch[i].external_id.clone())),
            (Recorded::Duplicate, false) => {}
            _ => panic!(
                "item {i} ({}) should be new: {new}; got {r:?}",
                batch[i].external_id
            ),
        }
    }
    assert!(
        new_ids.windows(2).all(|w| w[0].0 < w[1].0),
        "new items get increasing ids in input order"
    );

    let pending = store.pending_inbound(10_000).await.unwrap();
    let stored: Vec<(i64, String)> = pending
        .into_iter()
        .skip(2)
        .map(|r| (r.id, r.external_id))
        .collect();
    assert_eq!(stored, new_ids, "each returned id names its own item");
}

pub async fn case_pending_inbound_order(store: &dyn Store) {
    let anonymous = NewInbound {
        source: "stripe".to_owned(),
        external_id: "evt_1".to_owned(),
        kind: "unknown".to_owned(),
        customer_key: None,
        payload: r#"{"type":"checkout.session.completed","name":"Zoë"}"#.to_owned(),
        received_at: at(5),
    };
    let first = store
        .record_inbound(&[inbound_item("wamid.1"), anonymous.clone()])
        .await
        .unwrap();
    let second = store
        .record_inbound(&[
            inbound_item("wamid.2"),
            inbound_item("wamid.3"),
            inbound_item("wamid.4"),
        ])
        .await
        .unwrap();
    let ids: Vec<i64> = first
        .iter()
        .chain(&second)
        .map(|r| match r {
            Recorded::New(id) => *id,
            Recorded::Duplicate => panic!("all new"),
        })
        .collect();

    let three = store.pending_inbound(3).await.unwrap();
    assert_eq!(three.iter().map(|r| r.id).collect::<Vec<_>>(), ids[..3]);
    let stripe = &three[1];
    assert_eq!(stripe.source, anonymous.source);
    assert_eq!(stripe.external_id, anonymous.external_id);
    assert_eq!(stripe.kind, anonymous.kind);
    assert_eq!(stripe.customer_key, None);
    assert_eq!(stripe.payload, anonymous.payload);
    assert_eq!(stripe.received_at, micros(anonymous.received_at));
    assert_eq!(three[0].customer_key.as_deref(), Some("919800000001"));
    assert_eq!(three[0].payload, inbound_item("wamid.1").payload);

    store
        .complete_inbound(&[
            (ids[0], InboundOutcome::Ignored),
            (ids[1], InboundOutcome::Ignored),
        ])
        .await
        .unwrap();
    let rest = store.pending_inbound(10).await.unwrap();
    assert_eq!(rest.iter().map(|r| r.id).collect::<Vec<_>>(), ids[2..]);
}

pub async fn case_complete_inbound_numbers(store: &dyn Store) {
    let carts = vec![
        cart("Asha", "919800000001", at(1)),
        cart("Ravi", "919800000002", at(2)),
        cart("Meera", "919800000003", at(3)),
    ];
    let orders = create_orders(store, carts.clone()).await;
    assert_eq!(numbers(&orders), vec![1001, 1002, 1003]);
    for (order, new) in orders.iter().zip(&carts) {
        assert_eq!(*order, expected_order(order.number, new));
        assert_eq!(store.order(order.number).await.unwrap(), *order);
    }
    assert!(store.pending_inbound(10).await.unwrap().is_empty());

    let recorded = store
        .record_inbound(&[unique_item(), unique_item()])
        .await
        .unwrap();
    let [Recorded::New(skip), Recorded::New(make)] = recorded[..] else {
        panic!("{recorded:?}")
    };
    let got = store
        .complete_inbound(&[
            (skip, InboundOutcome::Ignored),
            (
                make,
                InboundOutcome::create_order(cart("Dev", "919800000004", at(4))),
            ),
        ])
        .await
        .unwrap();
    assert_eq!(got.len(), 2);
    assert_eq!(got[0], None);
    assert_eq!(got[1].as_ref().map(|o| o.number), Some(n(1004)));
}

pub async fn case_complete_inbound_idempotent(store: &dyn Store) {
    let recorded = store
        .record_inbound(&[unique_item(), unique_item(), unique_item()])
        .await
        .unwrap();
    let ids: Vec<i64> = recorded
        .iter()
        .map(|r| match r {
            Recorded::New(id) => *id,
            Recorded::Duplicate => panic!("all new"),
        })
        .collect();
    let make = |i: i64| InboundOutcome::create_order(cart("Asha", "919800000001", at(i)));

    let first = store.complete_inbound(&[(ids[0], make(1))]).await.unwrap();
    assert_eq!(first[0].as_ref().map(|o| o.number), Some(n(1001)));

    // Completing it again, or twice in one batch, or an unknown id: skipped.
    let again = store
        .complete_inbound(&[
            (ids[0], make(2)),
            (ids[1], make(3)),
            (ids[2], make(4)),
            (ids[2], make(5)),
            (i64::MAX, make(6)),
        ])
        .await
        .unwrap();
    let got: Vec<Option<i64>> = again
        .iter()
        .map(|o| o.as_ref().map(|o| o.number.get()))
        .collect();
    assert_eq!(got, vec![None, Some(1002), Some(1003), None, None]);

    let all = store.list_orders(&query(50)).await.unwrap();
    assert_eq!(numbers(&all.orders), vec![1003, 1002, 1001]);
    assert_eq!(
        store.order(n(1001)).await.unwrap().created_at,
        micros(at(1))
    );
    assert_eq!(count_of(store, OrderStatus::Placed).await, 3);
    assert_eq!(store.events_since(0, 100).await.unwrap().len(), 3);
}

pub async fn case_ignored_and_failed(store: &dyn Store) {
    let recorded = store
        .record_inbound(&[unique_item(), unique_item()])
        .await
        .unwrap();
    let [Recorded::New(a), Recorded::New(b)] = recorded[..] else {
        panic!("{recorded:?}")
    };
    let got = store
        .complete_inbound(&[
            (a, InboundOutcome::Ignored),
            (b, InboundOutcome::Failed("unreadable payload".to_owned())),
        ])
        .await
        .unwrap();
    assert_eq!(got, vec![None, None]);
    assert!(store.pending_inbound(10).await.unwrap().is_empty());
    assert!(store
        .list_orders(&query(50))
        .await
        .unwrap()
        .orders
        .is_empty());
    assert_eq!(store.last_event_seq().await.unwrap(), 0);
    assert!(store
        .status_counts()
        .await
        .unwrap()
        .iter()
        .all(|(_, c)| *c == 0));
    // The number sequence was not touched.
    let order = create_order(store, cart("Asha", "919800000001", at(1))).await;
    assert_eq!(order.number, n(1001));
}
