//! Conformance cases for the event log: paging, no gaps under concurrent
//! writers, and pruning.

use super::*;

pub async fn case_events_since(store: &dyn Store) {
    let a0 = create_order(store, cart("Asha", "919800000001", at(0))).await;
    let b0 = create_order(store, cart("Ravi", "919800000002", at(1))).await;
    let a1 = move_order(
        store,
        &a0,
        plan(&a0, OrderStatus::Confirmed, Actor::Bot, None),
        at(2),
    )
    .await;
    let a2 = move_order(
        store,
        &a1,
        plan(&a1, OrderStatus::Approved, staff(), None),
        at(3),
    )
    .await;

    let all = store.events_since(0, 100).await.unwrap();
    let expected = [
        (EventKind::OrderCreated, &a0),
        (EventKind::OrderCreated, &b0),
        (EventKind::OrderStatusChanged, &a1),
        (EventKind::OrderStatusChanged, &a2),
    ];
    assert_eq!(all.len(), expected.len());
    assert!(
        all.windows(2).all(|w| w[0].seq < w[1].seq),
        "increasing seq"
    );
    assert!(all[0].seq > 0);
    for (event, (kind, order)) in all.iter().zip(expected) {
        assert_eq!(event.kind, kind);
        assert_eq!(event.order_number, Some(order.number));
        assert_eq!(event.data, serde_json::to_value(order).unwrap());
        assert_eq!(event.at, order.updated_at);
    }

    assert_eq!(store.events_since(0, 2).await.unwrap(), all[..2]);
    assert_eq!(store.events_since(all[1].seq, 100).await.unwrap(), all[2..]);
    assert_eq!(store.events_since(all[1].seq, 1).await.unwrap(), all[2..3]);
    assert_eq!(store.last_event_seq().await.unwrap(), all[3].seq);
    assert!(store
        .events_since(all[3].seq, 100)
        .await
        .unwrap()
        .is_empty());
}

pub async fn case_event_log_concurrency(store: &dyn Store) {
    const WRITERS: usize = 8;
    const ROUNDS: usize = 5;
    let done = AtomicBool::new(false);

    let writer = |w: usize| async move {
        for r in 0..ROUNDS {
            let i = i64::try_from(w * ROUNDS + r).unwrap();
            let order = create_order(store, cart("Load", "919800000009", at(i))).await;
            let confirmed = move_order(
                store,
                &order,
                plan(&order, OrderStatus::Confirmed, Actor::Bot, None),
                at(i),
            )
            .await;
            move_order(
                store,
                &confirmed,
                plan(&confirmed, OrderStatus::Approved, staff(), None),
                at(i),
            )
            .await;
        }
    };
    let writers = async {
        join_all((0..WRITERS).map(writer).collect()).await;
        done.store(true, Ordering::SeqCst);
    };
    // Each poller resumes from the last seq it saw, like an SSE client,
    // while the writers run, and drains what is left once they finish.
    // Several page sizes and tight polling give a store whose commit order
    // can differ from its seq order many chances to show it.
    let poller = |page_size: u32| {
        let done = &done;
        async move {
            let mut seen = Vec::new();
            let mut last = 0;
            loop {
                let finished = done.load(Ordering::SeqCst);
                let page = store.events_since(last, page_size).await.unwrap();
                if let Some(e) = page.last() {
                    last = e.seq;
                }
                let empty = page.is_empty();
                seen.extend(page);
                if finished && empty {
                    return seen;
                }
                tokio::task::yield_now().await;
            }
        }
    };
    let pollers = join_all([1, 3, 1_000].into_iter().map(poller).collect());
    let ((), views) = tokio::join!(writers, pollers);

    let full = store.events_since(0, 10_000).await.unwrap();
    assert_eq!(full.len(), WRITERS * ROUNDS * 3);
    assert!(
        full.windows(2).all(|w| w[0].seq < w[1].seq),
        "strictly increasing seq"
    );
    let full_seqs: Vec<i64> = full.iter().map(|e| e.seq).collect();
    for seen in views {
        let seen_seqs: HashSet<i64> = seen.iter().map(|e| e.seq).collect();
        let missed: BTreeSet<i64> = full_seqs
            .iter()
            .copied()
            .filter(|s| !seen_seqs.contains(s))
            .collect();
        assert!(missed.is_empty(), "a poller skipped {missed:?}");
        assert_eq!(seen, full);
    }
    assert_eq!(
        store.last_event_seq().await.unwrap(),
        *full_seqs.last().unwrap()
    );
    // Each order's events are in its own version order.
    let mut versions: HashMap<i64, i64> = HashMap::new();
    for e in &full {
        let version = e.data["version"].as_i64().unwrap();
        let number = e.order_number.unwrap().get();
        let previous = versions.insert(number, version).unwrap_or(0);
        assert_eq!(version, previous + 1, "order {number}");
    }
}

pub async fn case_prune_events(store: &dyn Store) {
    assert_eq!(store.events_pruned_through().await.unwrap(), 0);
    create_many(store, 3).await;
    let all = events_after(store, 0).await;
    assert_eq!(all.len(), 3);

    // Events from the start of the log up to the first one at the cutoff.
    let pruned = store.prune_events(at(1)).await.unwrap();
    assert_eq!(pruned.deleted, 1);
    assert_eq!(pruned.through, all[0].seq);
    assert_eq!(store.events_pruned_through().await.unwrap(), all[0].seq);
    assert_eq!(events_after(store, 0).await, all[1..].to_vec());
    assert_eq!(store.last_event_seq().await.unwrap(), all[2].seq);

    // Everything: the log is empty but still knows where it had got to.
    let pruned = store.prune_events(at(100)).await.unwrap();
    assert_eq!(pruned.deleted, 2);
    assert_eq!(pruned.through, all[2].seq);
    assert!(events_after(store, 0).await.is_empty());
    assert_eq!(store.last_event_seq().await.unwrap(), all[2].seq);

    // An earlier cutoff never lowers the mark; new events go on above it.
    let pruned = store.prune_events(at(0)).await.unwrap();
    assert_eq!((pruned.deleted, pruned.through), (0, all[2].seq));
    create_many(store, 1).await;
    let next = events_after(store, all[2].seq).await;
    assert_eq!(next.len(), 1);
    assert!(next[0].seq > all[2].seq);
}
