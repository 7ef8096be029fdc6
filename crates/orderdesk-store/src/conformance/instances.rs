//! Conformance cases for several instances sharing one database: change
//! watchers, shared send slots, migrating an idle database and the
//! processing lease.

use super::*;

/// Waits up to `limit` for `counter` to pass `above`; whether it did.
async fn counter_passes(counter: &AtomicU64, above: u64, limit: Duration) -> bool {
    let deadline = tokio::time::Instant::now() + limit;
    while tokio::time::Instant::now() < deadline {
        if counter.load(Ordering::SeqCst) > above {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    false
}

/// Waits for a watcher's first wake-up (it pokes once when it starts
/// listening) and lets it settle; the count of wake-ups then.
async fn watcher_started(woken: &AtomicU64) -> u64 {
    assert!(
        counter_passes(woken, 0, Duration::from_secs(10)).await,
        "the watcher never started"
    );
    tokio::time::sleep(Duration::from_millis(100)).await;
    woken.load(Ordering::SeqCst)
}

pub async fn case_watch_changes(store: &dyn Store) {
    let woken = AtomicU64::new(0);
    let poke = || {
        woken.fetch_add(1, Ordering::SeqCst);
    };
    let act = async {
        let before = watcher_started(&woken).await;
        let order = create_many(store, 1).await.remove(0);
        assert!(
            counter_passes(&woken, before, Duration::from_secs(2)).await,
            "a new order woke nobody"
        );
        let before = woken.load(Ordering::SeqCst);
        let key = order.customer.wa_id.clone().unwrap();
        store
            .queue_outbound(&[outbound(&key, Some(order.number), "hi", at(0))], at(1))
            .await
            .unwrap();
        assert!(
            counter_passes(&woken, before, Duration::from_secs(2)).await,
            "a queued message woke nobody"
        );
    };
    tokio::select! {
        // A store one process writes to has nothing to watch.
        watched = store.watch_changes(&poke) => watched.unwrap(),
        () = act => {}
    }
}

pub async fn case_send_slots(store: &dyn Store) {
    let step = Duration::from_millis(100);
    let started = std::time::Instant::now();
    let Some(first) = store.reserve_send_slots("number-1", 5, step).await.unwrap() else {
        return; // no shared limit: the dispatcher paces in process
    };
    assert!(
        first < Duration::from_millis(50),
        "an idle limit starts now: {first:?}"
    );
    // The next slot comes after the five reserved ones.
    let next = store
        .reserve_send_slots("number-1", 1, step)
        .await
        .unwrap()
        .unwrap();
    let expected = (step * 5).saturating_sub(started.elapsed());
    assert!(
        next + Duration::from_millis(5) >= expected && next <= step * 5,
        "next slot in {next:?}, expected about {expected:?}"
    );
    // Another number has its own limit.
    let other = store
        .reserve_send_slots("number-2", 1, step)
        .await
        .unwrap()
        .unwrap();
    assert!(other < Duration::from_millis(50), "{other:?}");
    // Concurrent reservations each get their own slot, a step apart.
    let asked = std::time::Instant::now();
    let waits = join_all(
        (0..8)
            .map(|_| store.reserve_send_slots("number-3", 1, step))
            .collect(),
    )
    .await;
    let mut due: Vec<Duration> = waits.into_iter().map(|w| w.unwrap().unwrap()).collect();
    due.sort();
    let spread = asked.elapsed() + Duration::from_millis(5);
    for pair in due.windows(2) {
        assert!(
            pair[1] + spread >= pair[0] + step,
            "slots too close: {due:?}"
        );
    }
}

pub async fn case_migrate_unless_busy(store: &dyn Store) {
    assert!(store.migrate_unless_busy().await.unwrap());
    assert!(store.migrate_unless_busy().await.unwrap(), "and again");
    assert_eq!(store.last_event_seq().await.unwrap(), 0);
}

pub async fn case_watch_inbox(store: &dyn Store) {
    let woken = AtomicU64::new(0);
    let poke = || {
        woken.fetch_add(1, Ordering::SeqCst);
    };
    let act = async {
        let before = watcher_started(&woken).await;
        store.record_inbound(&[unique_item()]).await.unwrap();
        assert!(
            counter_passes(&woken, before, Duration::from_secs(2)).await,
            "a stored webhook item woke nobody"
        );
    };
    tokio::select! {
        // A store one process writes to wakes its processor directly.
        watched = store.watch_instances(&|| {}, &poke) => watched.unwrap(),
        () = act => {}
    }
}

pub async fn case_processing_lease(store: &dyn Store) {
    let mut held = store
        .try_processing_lease()
        .await
        .unwrap()
        .expect("a free lease is granted");
    assert!(held.still_held().await);
    assert!(
        store.try_processing_lease().await.unwrap().is_none(),
        "a held lease is granted to nobody else"
    );
    drop(held);
    // Given up on drop; on a server the session ends a moment later.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    loop {
        if store.try_processing_lease().await.unwrap().is_some() {
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "a dropped lease was never granted again"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}
