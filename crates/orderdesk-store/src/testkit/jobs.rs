//! Conformance cases for timer jobs: one per kind and order, cancellable,
//! leased, and claimed once under concurrency.

use super::*;

pub async fn case_jobs(store: &dyn Store) {
    let asha = create_order(store, cart("Asha", "919800000001", at(0))).await;
    let ravi = create_order(store, cart("Ravi", "919800000002", at(0))).await;
    let job = |kind, order: &Order, secs| NewJob {
        kind,
        order_number: order.number,
        due_at: at(secs),
    };
    let set = |order: &Order, jobs: Vec<NewJob>, cancel: Vec<JobKind>| {
        let order = order.clone();
        async move {
            let update = OrderUpdate {
                jobs,
                cancel_jobs: cancel,
                ..OrderUpdate::default()
            };
            store
                .update_order(order.number, order.version, &update, at(0))
                .await
                .unwrap();
        }
    };
    let claim = |when| async move {
        store
            .claim_due_jobs(at(when), secs(60), 100)
            .await
            .unwrap()
            .into_iter()
            .map(|j| (j.kind, j.order_number.get(), j.due_at))
            .collect::<Vec<_>>()
    };

    // One per kind and order: the later setting wins.
    set(
        &asha,
        vec![
            job(JobKind::Nudge, &asha, 100),
            job(JobKind::Abandon, &asha, 200),
        ],
        vec![],
    )
    .await;
    set(
        &asha,
        vec![
            job(JobKind::Abandon, &asha, 300),
            job(JobKind::Abandon, &asha, 250),
        ],
        vec![],
    )
    .await;
    set(&ravi, vec![job(JobKind::Nudge, &ravi, 90)], vec![]).await;
    assert!(claim(89).await.is_empty());
    assert_eq!(
        claim(100).await,
        vec![
            (JobKind::Nudge, 1002, micros(at(90))),
            (JobKind::Nudge, 1001, micros(at(100))),
        ],
        "earliest first"
    );
    assert!(claim(101).await.is_empty(), "leased");

    // Set again while claimed: a new job, which completing the old claim
    // does not remove.
    let old = store.claim_due_jobs(at(161), secs(60), 100).await.unwrap();
    assert_eq!(old.len(), 2, "the leases ran out uncompleted: {old:?}");
    let old_nudge = old.iter().find(|j| j.order_number == asha.number).unwrap();
    set(&asha, vec![job(JobKind::Nudge, &asha, 170)], vec![]).await;
    store.complete_job(old_nudge.id).await.unwrap();
    let old_ravi = old.iter().find(|j| j.order_number == ravi.number).unwrap();
    store.complete_job(old_ravi.id).await.unwrap();
    let renewed = store.claim_due_jobs(at(170), secs(60), 100).await.unwrap();
    assert_eq!(renewed.len(), 1, "{renewed:?}");
    assert_ne!(renewed[0].id, old_nudge.id);
    assert_eq!(
        (renewed[0].kind, renewed[0].due_at),
        (JobKind::Nudge, micros(at(170)))
    );
    store.complete_job(renewed[0].id).await.unwrap();
    store.complete_job(renewed[0].id).await.unwrap();

    // Cancelled jobs never come due; cancelling and setting a kind in one
    // update sets it.
    set(
        &asha,
        vec![job(JobKind::Archive, &asha, 260)],
        vec![JobKind::Abandon, JobKind::Archive],
    )
    .await;
    assert_eq!(
        claim(10_000).await,
        vec![(JobKind::Archive, 1001, micros(at(260)))]
    );
    set(&asha, vec![], vec![JobKind::Archive]).await;
    assert!(claim(100_000).await.is_empty());
    assert_eq!(
        store.order(asha.number).await.unwrap(),
        asha,
        "jobs are not the order"
    );
}

pub async fn case_jobs_concurrent(store: &dyn Store) {
    const CLAIMERS: usize = 6;
    let orders = create_many(store, 20).await;
    for (i, order) in orders.iter().enumerate() {
        let due = i64::try_from(i).unwrap();
        let update = OrderUpdate {
            jobs: vec![
                NewJob {
                    kind: JobKind::Nudge,
                    order_number: order.number,
                    due_at: at(due),
                },
                NewJob {
                    kind: JobKind::Abandon,
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
            let got = store.claim_due_jobs(at(500), secs(600), 3).await.unwrap();
            if got.is_empty() {
                return mine;
            }
            mine.extend(got.into_iter().map(|j| (j.id, j.kind, j.order_number)));
            tokio::task::yield_now().await;
        }
    };
    let claimed: Vec<Vec<(i64, JobKind, OrderNumber)>> =
        join_all((0..CLAIMERS).map(|_| claimer()).collect()).await;
    let all: Vec<_> = claimed.iter().flatten().copied().collect();
    let unique: HashSet<i64> = all.iter().map(|(id, _, _)| *id).collect();
    assert_eq!(
        all.len(),
        unique.len(),
        "a job was claimed twice: {claimed:?}"
    );
    assert_eq!(all.len(), orders.len(), "every due job once");
    assert!(all.iter().all(|(_, kind, _)| *kind == JobKind::Nudge));
    // Leased: nobody gets them again until the lease runs out.
    assert!(store
        .claim_due_jobs(at(501), secs(60), 100)
        .await
        .unwrap()
        .is_empty());
    assert_eq!(
        store
            .claim_due_jobs(at(1_050), secs(60), 100)
            .await
            .unwrap()
            .len(),
        orders.len()
    );
}
