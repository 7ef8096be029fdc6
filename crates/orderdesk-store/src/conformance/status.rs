//! Conformance cases for status changes: who, why and when is recorded, and
//! a stale version is a conflict that changes nothing.

use super::*;

const TRACKING: &str = "https://track.example/AB123?x=1&y=2";

/// Moves a new order of Asha's through every stage, by way of a hold, one
/// second apart from second 60: each state it passed through, placed first.
async fn journey(store: &dyn Store) -> Vec<Order> {
    let placed = create_order(store, cart("Asha", "919800000001", at(0))).await;
    let steps = [
        (OrderStatus::Confirmed, Actor::Bot, None),
        (OrderStatus::OnHold, staff(), Some("customer asked to wait")),
        (OrderStatus::Confirmed, staff(), None),
        (OrderStatus::Approved, staff(), None),
        (OrderStatus::Processed, staff(), None),
        (OrderStatus::Shipped, staff(), None),
        (OrderStatus::Delivered, Actor::System, None),
    ];
    let mut states = vec![placed];
    for (secs, (to, actor, reason)) in (60..).zip(steps) {
        let last = &states[states.len() - 1];
        let tracking = (to == OrderStatus::Shipped).then(|| TRACKING.to_owned());
        let request = TransitionRequest {
            to,
            actor,
            reason: reason.map(str::to_owned),
            tracking,
        };
        let change = plan_transition(last.status, last.held_from, request).unwrap();
        let moved = move_order(store, last, change, at(secs)).await;
        states.push(moved);
    }
    states
}

pub async fn case_change_status(store: &dyn Store) {
    let placed = create_order(store, cart("Asha", "919800000001", at(0))).await;
    let confirmed = move_order(
        store,
        &placed,
        plan(&placed, OrderStatus::Confirmed, Actor::Bot, None),
        at(60),
    )
    .await;
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
}

pub async fn case_a_hold_remembers_the_stage_it_came_from(store: &dyn Store) {
    let states = journey(store).await;
    let (held, released) = (&states[2], &states[3]);
    assert_eq!(held.status, OrderStatus::OnHold);
    assert_eq!(held.held_from, Some(OrderStatus::Confirmed));
    assert_eq!(released.status, OrderStatus::Confirmed);
    assert_eq!(released.held_from, None, "forgotten on release");
}

pub async fn case_shipping_records_tracking_that_later_moves_keep(store: &dyn Store) {
    let states = journey(store).await;
    let (shipped, delivered) = (&states[6], &states[7]);
    assert_eq!(shipped.tracking.as_deref(), Some(TRACKING));
    assert_eq!(delivered.tracking.as_deref(), Some(TRACKING));
    assert_eq!(delivered.version, 8);
    assert_eq!(store.order(delivered.number).await.unwrap(), *delivered);
}

pub async fn case_the_timeline_names_each_move_who_why_and_when(store: &dyn Store) {
    let states = journey(store).await;
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
        store.timeline(states[0].number).await.unwrap(),
        vec![
            created,
            moved(Placed, Confirmed, &bot, None, None, 60),
            moved(Confirmed, OnHold, &owner, wait, None, 61),
            moved(OnHold, Confirmed, &owner, None, None, 62),
            moved(Confirmed, Approved, &owner, None, None, 63),
            moved(Approved, Processed, &owner, None, None, 64),
            moved(Processed, Shipped, &owner, None, Some(TRACKING), 65),
            moved(Shipped, Delivered, &system, None, None, 66),
        ]
    );
}

pub async fn case_each_move_is_an_event_carrying_the_order(store: &dyn Store) {
    let states = journey(store).await;
    let events = store.events_since(0, 100).await.unwrap();
    assert_eq!(events.len(), states.len());
    for (event, state) in events.iter().zip(&states) {
        let kind = if state.version == 1 {
            EventKind::OrderCreated
        } else {
            EventKind::OrderStatusChanged
        };
        assert_eq!(event.kind, kind);
        assert_eq!(event.order_number, Some(state.number));
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
