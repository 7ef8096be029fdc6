//! Conformance cases for status changes: who, why and when is recorded, and
//! a stale version is a conflict that changes nothing.

use super::*;

pub async fn case_change_status(store: &dyn Store) {
    let placed = create_order(store, cart("Asha", "919800000001", at(0))).await;
    let tracking = "https://track.example/AB123?x=1&y=2";

    let confirmed = move_order(
        store,
        &placed,
        plan(&placed, OrderStatus::Confirmed, Actor::Bot, None),
        at(60),
    )
    .await;
    assert_eq!(confirmed.status, OrderStatus::Confirmed);
    assert_eq!(confirmed.version, placed.version + 1);
    assert_eq!(confirmed.updated_at, micros(at(60)));
    assert_eq!(confirmed.created_at, placed.created_at);
    assert_eq!(
        confirmed,
        Order {
            status: OrderStatus::Confirmed,
            updated_at: micros(at(60)),
            version: 2,
            ..placed.clone()
        }
    );
    assert_eq!(store.order(placed.number).await.unwrap(), confirmed);

    let held = move_order(
        store,
        &confirmed,
        plan(
            &confirmed,
            OrderStatus::OnHold,
            staff(),
            Some("customer asked to wait"),
        ),
        at(61),
    )
    .await;
    assert_eq!(held.held_from, Some(OrderStatus::Confirmed));
    assert_eq!(held.version, 3);
    assert_eq!(store.order(placed.number).await.unwrap(), held);

    let released = move_order(
        store,
        &held,
        plan(&held, OrderStatus::Confirmed, staff(), None),
        at(62),
    )
    .await;
    assert_eq!(released.held_from, None);
    let approved = move_order(
        store,
        &released,
        plan(&released, OrderStatus::Approved, staff(), None),
        at(63),
    )
    .await;
    let processed = move_order(
        store,
        &approved,
        plan(&approved, OrderStatus::Processed, staff(), None),
        at(64),
    )
    .await;
    let ship = plan_transition(
        processed.status,
        processed.held_from,
        TransitionRequest {
            to: OrderStatus::Shipped,
            actor: staff(),
            reason: None,
            tracking: Some(tracking.to_owned()),
        },
    )
    .unwrap();
    let shipped = move_order(store, &processed, ship, at(65)).await;
    assert_eq!(shipped.tracking.as_deref(), Some(tracking));
    let delivered = move_order(
        store,
        &shipped,
        plan(&shipped, OrderStatus::Delivered, Actor::System, None),
        at(66),
    )
    .await;
    assert_eq!(
        delivered.tracking.as_deref(),
        Some(tracking),
        "later moves keep the tracking"
    );
    assert_eq!(delivered.version, 8);
    assert_eq!(store.order(placed.number).await.unwrap(), delivered);

    // The timeline names each move, who made it, why and when.
    let moved = |from, to, actor: &Actor, reason: Option<&str>, detail: Option<&str>, secs| {
        let mut e = TimelineEntry::new(micros(at(secs)), TimelineKind::StatusChanged, actor);
        e.from_status = Some(from);
        e.to_status = Some(to);
        e.reason = reason.map(str::to_owned);
        e.detail = detail.map(str::to_owned);
        e
    };
    use OrderStatus::*;
    let (bot, owner, system) = (Actor::Bot, staff(), Actor::System);
    let created = TimelineEntry::new(micros(at(0)), TimelineKind::Created, &Actor::Customer);
    let wait = Some("customer asked to wait");
    assert_eq!(
        store.timeline(placed.number).await.unwrap(),
        vec![
            created,
            moved(Placed, Confirmed, &bot, None, None, 60),
            moved(Confirmed, OnHold, &owner, wait, None, 61),
            moved(OnHold, Confirmed, &owner, None, None, 62),
            moved(Confirmed, Approved, &owner, None, None, 63),
            moved(Approved, Processed, &owner, None, None, 64),
            moved(Processed, Shipped, &owner, None, Some(tracking), 65),
            moved(Shipped, Delivered, &system, None, None, 66),
        ]
    );

    let events = store.events_since(0, 100).await.unwrap();
    let states = [
        &placed, &confirmed, &held, &released, &approved, &processed, &shipped, &delivered,
    ];
    assert_eq!(events.len(), states.len());
    for (event, state) in events.iter().zip(states) {
        let kind = if state.version == 1 {
            EventKind::OrderCreated
        } else {
            EventKind::OrderStatusChanged
        };
        assert_eq!(event.kind, kind);
        assert_eq!(event.order_number, Some(placed.number));
        assert_eq!(event.data, serde_json::to_value(state).unwrap());
        assert_eq!(event.at, state.updated_at);
    }
}

pub async fn case_stale_version(store: &dyn Store) {
    let placed = create_order(store, cart("Asha", "919800000001", at(0))).await;
    let confirmed = move_order(
        store,
        &placed,
        plan(&placed, OrderStatus::Confirmed, Actor::Bot, None),
        at(1),
    )
    .await;
    let seq = store.last_event_seq().await.unwrap();

    let stale = store
        .change_status(
            placed.number,
            placed.version,
            &plan(&confirmed, OrderStatus::Approved, staff(), None),
            at(2),
        )
        .await;
    assert!(
        matches!(stale, Err(StoreError::Conflict { current_version: 2 })),
        "{stale:?}"
    );
    // Planned from a stage the order has left, at the right version.
    let wrong_stage = store
        .change_status(
            placed.number,
            confirmed.version,
            &plan(&placed, OrderStatus::Abandoned, Actor::System, None),
            at(3),
        )
        .await;
    assert!(
        matches!(
            wrong_stage,
            Err(StoreError::Conflict { current_version: 2 })
        ),
        "{wrong_stage:?}"
    );

    assert_eq!(store.order(placed.number).await.unwrap(), confirmed);
    assert_eq!(store.timeline(placed.number).await.unwrap().len(), 2);
    assert_eq!(store.last_event_seq().await.unwrap(), seq);
    assert_eq!(count_of(store, OrderStatus::Confirmed).await, 1);
    assert_eq!(count_of(store, OrderStatus::Approved).await, 0);
    assert_eq!(count_of(store, OrderStatus::Abandoned).await, 0);
}

pub async fn case_change_unknown(store: &dyn Store) {
    let real = create_order(store, cart("Asha", "919800000001", at(0))).await;
    let change = plan(&real, OrderStatus::Confirmed, Actor::Bot, None);
    let got = store.change_status(n(4242), 1, &change, at(1)).await;
    assert!(matches!(got, Err(StoreError::NotFound)), "{got:?}");
    assert_eq!(store.events_since(0, 10).await.unwrap().len(), 1);
}

pub async fn case_change_race(store: &dyn Store) {
    let orders = create_many(store, 8).await;
    let mut winners = HashMap::new();
    for order in &orders {
        let confirm = plan(order, OrderStatus::Confirmed, Actor::Bot, None);
        let cancel = plan(order, OrderStatus::Cancelled, staff(), Some("changed mind"));
        let attempts = vec![
            store.change_status(order.number, 1, &confirm, at(10)),
            store.change_status(order.number, 1, &cancel, at(11)),
        ];
        let results = join_all(attempts).await;
        let won: Vec<&Order> = results.iter().filter_map(|r| r.as_ref().ok()).collect();
        assert_eq!(won.len(), 1, "exactly one wins: {results:?}");
        let winner = won[0].clone();
        for r in &results {
            if let Err(e) = r {
                assert!(
                    matches!(e, StoreError::Conflict { current_version: 2 }),
                    "the loser sees a conflict at the winner's version: {e:?}"
                );
            }
        }
        assert_eq!(store.order(order.number).await.unwrap(), winner);
        assert_eq!(store.timeline(order.number).await.unwrap().len(), 2);
        *winners.entry(winner.status).or_insert(0) += 1;
    }
    assert_eq!(count_of(store, OrderStatus::Placed).await, 0);
    for (status, won) in winners {
        assert_eq!(count_of(store, status).await, won, "{status}");
    }
    let changes = store
        .events_since(0, 1_000)
        .await
        .unwrap()
        .into_iter()
        .filter(|e| e.kind == EventKind::OrderStatusChanged)
        .count();
    assert_eq!(changes, orders.len());
}
