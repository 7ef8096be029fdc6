//! Conformance cases for timer timers: one per kind and order, cancellable,
//! leased, and claimed once under concurrency.

use super::*;

fn timer(kind: TimerKind, order: &Order, secs: i64) -> NewTimer {
    NewTimer {
        kind,
        order_number: order.number,
        due_at: at(secs),
    }
}

/// Sets `timers` and cancels the kinds in `cancel` for `order`, in one update.
async fn set_timers(
    store: &dyn Store,
    order: &Order,
    timers: Vec<NewTimer>,
    cancel: Vec<TimerKind>,
) {
    let update = OrderUpdate {
        timers,
        cancel_timers: cancel,
        ..OrderUpdate::default()
    };
    store
        .update_order(order.number, order.version, &update, at(0))
        .await
        .unwrap();
}

/// Claims the timers due at second `when` for a minute: kind, order, due time.
async fn claim(store: &dyn Store, when: i64) -> Vec<(TimerKind, i64, Timestamp)> {
    store
        .claim_due_timers(at(when), secs(60), 100)
        .await
        .unwrap()
        .into_iter()
        .map(|j| (j.kind, j.order_number.get(), j.due_at))
        .collect()
}

pub async fn case_timers(store: &dyn Store) {
    let asha = create_order(store, cart("Asha", "919800000001", at(0))).await;
    let ravi = create_order(store, cart("Ravi", "919800000002", at(0))).await;
    let first = vec![
        timer(TimerKind::Nudge, &asha, 100),
        timer(TimerKind::Abandon, &asha, 200),
    ];
    set_timers(store, &asha, first, vec![]).await;
    let again = vec![
        timer(TimerKind::Abandon, &asha, 300),
        timer(TimerKind::Abandon, &asha, 250),
    ];
    set_timers(store, &asha, again, vec![]).await;
    set_timers(
        store,
        &ravi,
        vec![timer(TimerKind::Nudge, &ravi, 90)],
        vec![],
    )
    .await;
    assert!(claim(store, 89).await.is_empty());
    assert_eq!(
        claim(store, 10_000).await,
        vec![
            (TimerKind::Nudge, 1002, micros(at(90))),
            (TimerKind::Nudge, 1001, micros(at(100))),
            (TimerKind::Abandon, 1001, micros(at(250))),
        ],
        "one per kind and order, the later setting winning, earliest first"
    );
}

pub async fn case_a_claimed_timer_is_leased_until_it_runs_out(store: &dyn Store) {
    let asha = create_order(store, cart("Asha", "919800000001", at(0))).await;
    set_timers(
        store,
        &asha,
        vec![timer(TimerKind::Nudge, &asha, 100)],
        vec![],
    )
    .await;
    assert_eq!(claim(store, 100).await.len(), 1);
    assert!(claim(store, 101).await.is_empty(), "leased");
    assert_eq!(
        claim(store, 161).await,
        vec![(TimerKind::Nudge, 1001, micros(at(100)))],
        "the lease ran out uncompleted"
    );
}

/// Completing the old claim of a timer set again while claimed does not remove
/// the new one.
pub async fn case_a_timer_set_again_while_claimed_survives_the_old_claim(store: &dyn Store) {
    let asha = create_order(store, cart("Asha", "919800000001", at(0))).await;
    set_timers(
        store,
        &asha,
        vec![timer(TimerKind::Nudge, &asha, 100)],
        vec![],
    )
    .await;
    let old = store
        .claim_due_timers(at(100), secs(60), 100)
        .await
        .unwrap();
    set_timers(
        store,
        &asha,
        vec![timer(TimerKind::Nudge, &asha, 170)],
        vec![],
    )
    .await;
    store.complete_timer(old[0].id).await.unwrap();
    let renewed = store
        .claim_due_timers(at(170), secs(60), 100)
        .await
        .unwrap();
    assert_eq!(renewed.len(), 1, "{renewed:?}");
    assert_ne!(renewed[0].id, old[0].id);
    assert_eq!(
        (renewed[0].kind, renewed[0].due_at),
        (TimerKind::Nudge, micros(at(170)))
    );
    store.complete_timer(renewed[0].id).await.unwrap();
    store.complete_timer(renewed[0].id).await.unwrap();
    assert!(
        claim(store, 10_000).await.is_empty(),
        "completed twice, gone"
    );
}

/// Cancelling and setting a kind in one update sets it.
pub async fn case_cancelled_timers_never_come_due(store: &dyn Store) {
    let asha = create_order(store, cart("Asha", "919800000001", at(0))).await;
    let first = vec![
        timer(TimerKind::Nudge, &asha, 100),
        timer(TimerKind::Abandon, &asha, 200),
    ];
    set_timers(store, &asha, first, vec![]).await;
    set_timers(
        store,
        &asha,
        vec![timer(TimerKind::Nudge, &asha, 260)],
        vec![TimerKind::Abandon, TimerKind::Nudge],
    )
    .await;
    assert_eq!(
        claim(store, 10_000).await,
        vec![(TimerKind::Nudge, 1001, micros(at(260)))]
    );
    set_timers(store, &asha, vec![], vec![TimerKind::Nudge]).await;
    assert!(claim(store, 100_000).await.is_empty());
    assert_eq!(
        store.order(asha.number).await.unwrap(),
        asha,
        "timers are not the order"
    );
}

pub async fn case_timers_concurrent(store: &dyn Store) {
    const CLAIMERS: usize = 6;
    let orders = create_many(store, 20).await;
    for (i, order) in orders.iter().enumerate() {
        let due = i64::try_from(i).unwrap();
        let update = OrderUpdate {
            timers: vec![
                NewTimer {
                    kind: TimerKind::Nudge,
                    order_number: order.number,
                    due_at: at(due),
                },
                NewTimer {
                    kind: TimerKind::Abandon,
                    order_number: order.number,
                    due_at: at(1_000 + due),
                },
            ],
            ..OrderUpdate::default()
        };
        store
            .update_order(order.number, order.version, &update, at(0))
            .await
            .unwrap();
    }
    let claimer = || async move {
        let mut mine = Vec::new();
        loop {
            let got = store.claim_due_timers(at(500), secs(600), 3).await.unwrap();
            if got.is_empty() {
                return mine;
            }
            mine.extend(got.into_iter().map(|j| (j.id, j.kind, j.order_number)));
            tokio::task::yield_now().await;
        }
    };
    let claimed: Vec<Vec<(i64, TimerKind, OrderNumber)>> =
        join_all((0..CLAIMERS).map(|_| claimer()).collect()).await;
    let all: Vec<_> = claimed.iter().flatten().copied().collect();
    let unique: HashSet<i64> = all.iter().map(|(id, _, _)| *id).collect();
    assert_eq!(
        all.len(),
        unique.len(),
        "a timer was claimed twice: {claimed:?}"
    );
    assert_eq!(all.len(), orders.len(), "every due timer once");
    assert!(all.iter().all(|(_, kind, _)| *kind == TimerKind::Nudge));
    // Leased: nobody gets them again until the lease runs out.
    assert!(store
        .claim_due_timers(at(501), secs(60), 100)
        .await
        .unwrap()
        .is_empty());
    assert_eq!(
        store
            .claim_due_timers(at(1_050), secs(60), 100)
            .await
            .unwrap()
            .len(),
        orders.len()
    );
}
