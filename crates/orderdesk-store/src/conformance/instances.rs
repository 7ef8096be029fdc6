//! Conformance cases for several instances sharing one database: change
//! watchers, shared send slots and migrating an idle database.

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

pub async fn case_watch_changes(store: &dyn Store) {
    let woken = AtomicU64::new(0);
    let poke = || {
        woken.fetch_add(1, Ordering::SeqCst);
    };
    let act = async {
        // A watcher pokes once when it starts listening.
        assert!(
            counter_passes(&woken, 0, Duration::from_secs(10)).await,
            "the watcher never started"
        );
        let before = woken.load(Ordering::SeqCst);
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
