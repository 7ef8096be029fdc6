//! Conformance cases for what follows the checkout (#19): a
//! cash-on-delivery confirmation's state, the feedback after delivery and
//! when a cart-recovery message went out are kept on the order and read
//! back exactly; the rollups count the recovered checkout and the rating
//! live exactly as a rebuild from the history does.

use orderdesk_domain::followup::{CodConfirmation, Feedback, FeedbackState};

use super::*;

async fn followup_totals(store: &dyn Store) -> Vec<(String, i64)> {
    let day = at(0).date_naive();
    let mut totals: Vec<(String, i64)> = store
        .stat_totals(day - chrono::Days::new(1), day + chrono::Days::new(1))
        .await
        .unwrap()
        .into_iter()
        .filter(|(m, _)| ["recovered", "ratings", "rating_sum", "confirmed"].contains(&m.as_str()))
        .collect();
    totals.sort();
    totals
}

pub async fn case_followups_are_kept_and_counted_live_as_rebuilt(store: &dyn Store) {
    store.rebuild_stats("UTC").await.unwrap();
    let placed = create_order(store, cart("Asha", "919800000301", at(0))).await;
    let idle = create_order(store, cart("Ravi", "919800000302", at(1))).await;
    assert_eq!(placed.cod_confirmation, None);
    assert_eq!((placed.feedback.clone(), placed.reminded_at), (None, None));

    let nudged = OrderUpdate {
        reminded_at: Some(at(60)),
        ..OrderUpdate::default()
    };
    let o = store
        .update_order(placed.number, placed.version, &nudged, at(60))
        .await
        .unwrap();
    assert_eq!(o.reminded_at, Some(micros(at(60))));
    let complete = OrderUpdate {
        status_change: Some(
            plan_transition(
                OrderStatus::Placed,
                None,
                TransitionRequest {
                    to: OrderStatus::Confirmed,
                    actor: Actor::Bot,
                    reason: None,
                    tracking: None,
                },
            )
            .unwrap(),
        ),
        cod_confirmation: Some(CodConfirmation::Asked),
        ..OrderUpdate::default()
    };
    let o = store
        .update_order(o.number, o.version, &complete, at(120))
        .await
        .unwrap();
    assert_eq!(o.cod_confirmation, Some(CodConfirmation::Asked));
    // A checkout completed without a reminder is not recovered.
    let plain = OrderUpdate {
        status_change: complete.status_change.clone(),
        ..OrderUpdate::default()
    };
    store
        .update_order(idle.number, idle.version, &plain, at(130))
        .await
        .unwrap();

    let asked = Feedback::asked(at(200));
    let rated = Feedback {
        state: FeedbackState::Rated,
        rating: Some(4),
        rated_at: Some(at(300)),
        ..asked.clone()
    };
    let done = Feedback {
        state: FeedbackState::Done,
        comment: Some("Fresh — धन्यवाद 🙏".to_owned()),
        ..rated.clone()
    };
    let mut o = o;
    for (state, feedback) in [
        (CodConfirmation::Confirmed, asked),
        (CodConfirmation::Confirmed, rated),
        (CodConfirmation::Confirmed, done.clone()),
    ] {
        let update = OrderUpdate {
            cod_confirmation: Some(state),
            feedback: Some(feedback.clone()),
            ..OrderUpdate::default()
        };
        o = store
            .update_order(o.number, o.version, &update, at(400))
            .await
            .unwrap();
        assert_eq!(o.feedback.as_ref(), Some(&feedback));
        assert_eq!(store.order(o.number).await.unwrap(), o, "read back exactly");
    }
    assert_eq!(o.cod_confirmation, Some(CodConfirmation::Confirmed));
    assert_eq!(o.feedback, Some(done));

    let live = followup_totals(store).await;
    assert_eq!(
        live,
        vec![
            ("confirmed".to_owned(), 2),
            ("rating_sum".to_owned(), 4),
            ("ratings".to_owned(), 1),
            ("recovered".to_owned(), 1),
        ],
        "the rating counted once, the reminded checkout recovered"
    );
    store.rebuild_stats("UTC").await.unwrap();
    assert_eq!(followup_totals(store).await, live, "rebuilt == live");
}
