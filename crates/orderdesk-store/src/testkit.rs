//! The conformance suite: the behaviour every [`Store`] backend must show.
//!
//! Each `case_*` function checks one behaviour against a fresh, migrated
//! store. A backend runs them all with one line in its `tests/`:
//!
//! ```text
//! async fn fresh() -> MyStore { /* new empty database, migrated */ }
//! orderdesk_store::conformance_suite!(fresh);
//! ```
//!
//! which expands to one `#[tokio::test]` per case, so a failure names the
//! behaviour and the backend. Times are compared at microsecond precision,
//! PostgreSQL's: stores truncate what they are given to whole microseconds.

// Test support: a broken expectation is a failed test, and the message says which.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::{BTreeSet, HashMap, HashSet};
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::task::Poll;
use std::time::Duration;

use chrono::{DateTime, SubsecRound};
use orderdesk_domain::{
    plan_transition, Actor, Address, CheckoutStep, Currency, Customer, EventKind, LineItem,
    NewOrder, Order, OrderNumber, OrderStatus, PaymentMethod, PaymentStatus, StatusChange,
    TimelineEntry, TimelineKind, Timestamp, TransitionRequest,
};

use crate::{
    ChatMessage, CustomerRecord, Direction, InboundOutcome, InboundResult, JobKind, MessageState,
    NewApiToken, NewInbound, NewInboundMessage, NewJob, NewOutbound, NewSession, NewUser,
    OrderQuery, OrderUpdate, Product, Recorded, Role, Store, StoreError, StoredEvent,
};

mod batches;
pub use batches::*;
mod conversations;
pub use conversations::*;

/// Expands to one `#[tokio::test]` per conformance case. `$fresh` is an
/// async fn (or closure returning a future) that yields a [`Fixture`]: a
/// fresh, migrated, empty store of a concrete type implementing
/// [`Store`](crate::Store), or a [`WithGuard`] pairing one with something
/// that must outlive it (its temporary directory). The calling crate needs
/// `tokio` with the `macros` and `rt-multi-thread` features.
#[macro_export]
macro_rules! conformance_suite {
    ($fresh:expr) => {
        $crate::conformance_suite!(@tests $fresh;
            an_empty_store_migrates_again_and_reads_as_empty => case_empty_store,
            a_message_without_an_order_opens_a_conversation => case_conversation_without_an_order,
            an_answer_takes_a_conversation_off_needs_reply => case_conversation_answered,
            marking_a_conversation_read_twice_is_harmless => case_conversation_read_once,
            conversations_list_needing_reply_first_and_page => case_conversations_list_order_and_paging,
            conversations_filter_by_needs_reply_assignee_and_words => case_conversations_filters,
            done_and_handover_decide_needs_reply => case_conversation_done_and_handover,
            a_conversation_names_the_customers_open_order => case_conversation_names_the_open_order,
            record_inbound_deduplicates_within_one_batch => case_inbound_dedupe_within_batch,
            record_inbound_deduplicates_across_batches => case_inbound_dedupe_across_batches,
            record_inbound_answers_in_input_order => case_inbound_results_in_input_order,
            pending_inbound_lists_unprocessed_items_oldest_first => case_pending_inbound_order,
            complete_inbound_creates_orders_numbered_from_1001 => case_complete_inbound_numbers,
            complete_inbound_skips_items_already_processed => case_complete_inbound_idempotent,
            ignored_and_failed_items_are_processed_without_orders => case_ignored_and_failed,
            orders_round_trip_every_field => case_order_round_trip,
            a_new_order_starts_its_timeline_with_created => case_created_timeline,
            unknown_orders_are_not_found => case_unknown_order,
            list_orders_is_newest_first_with_a_limit => case_list_newest_first,
            list_orders_pages_without_gaps_while_orders_arrive => case_list_paging,
            list_orders_filters_by_status_and_payment => case_list_filters,
            list_orders_searches_number_name_wa_id_and_user_id => case_list_search,
            status_counts_list_every_stage_and_follow_changes => case_status_counts,
            change_status_moves_the_order_and_records_who_why_and_when => case_change_status,
            a_stale_version_is_a_conflict_and_changes_nothing => case_stale_version,
            changing_an_unknown_order_is_not_found => case_change_unknown,
            concurrent_changes_with_the_same_version_let_exactly_one_win => case_change_race,
            events_since_pages_through_the_log_in_order => case_events_since,
            the_event_log_never_skips_under_concurrent_writers => case_event_log_concurrency,
            users_are_unique_by_email_whatever_its_case => case_users,
            api_tokens_are_unique_and_found_by_secret_hash => case_tokens,
            upsert_products_inserts_then_updates_by_retailer_id => case_products_upsert,
            a_failing_product_upsert_writes_nothing => case_products_all_or_nothing,
            products_by_ids_returns_only_known_products => case_products_by_ids,
            message_templates_are_stored_per_key_and_language_and_replaced => case_message_templates,
            the_latest_order_of_a_customer_is_found_by_either_id => case_latest_order_for_customer,
            an_empty_store_has_no_messages_jobs_or_customers => case_checkout_empty,
            update_order_sets_every_given_field_and_bumps_the_version => case_update_order_fields,
            update_order_appends_one_event_named_after_what_changed => case_update_order_events,
            a_stale_update_is_a_conflict_and_queues_nothing => case_update_order_conflict,
            an_update_of_only_messages_and_jobs_leaves_the_order_alone => case_update_side_effects_only,
            messages_queued_by_an_update_show_in_the_thread_as_queued => case_update_queues_messages,
            the_outbox_sends_one_message_per_customer_at_a_time => case_claim_per_customer,
            a_claim_whose_lease_ran_out_is_claimed_again => case_claim_lease,
            concurrent_outbox_claimers_never_get_the_same_message => case_claim_concurrent,
            sent_retry_and_failed_move_messages_and_show_on_the_order => case_outbox_transitions,
            delivery_statuses_only_ever_move_a_message_forward => case_message_status,
            an_inbound_message_is_recorded_and_the_customer_remembered => case_inbound_message,
            a_cart_becomes_an_order_with_its_first_messages_and_jobs => case_create_order_with_work,
            a_message_and_its_update_apply_together_or_stay_pending => case_message_and_update,
            open_orders_are_found_by_user_id_or_wa_id => case_open_orders,
            jobs_are_one_per_kind_and_order_cancellable_and_leased => case_jobs,
            concurrent_job_claimers_get_each_due_job_once => case_jobs_concurrent,
            change_watchers_are_woken_by_new_events_and_queued_messages => case_watch_changes,
            shared_send_slots_are_never_closer_than_the_interval => case_send_slots,
            migrate_unless_busy_migrates_an_idle_database => case_migrate_unless_busy,
            pruning_deletes_the_oldest_events_and_remembers_where => case_prune_events,
            a_status_before_its_wamid_is_recorded_applies_when_it_is => case_early_status,
            sessions_are_found_by_hash_until_they_expire_or_end => case_sessions,
            removing_a_user_ends_their_sessions => case_delete_user,
            revoked_tokens_are_neither_listed_nor_valid => case_revoke_token,
            list_orders_filters_by_creation_date => case_list_date_range,
            a_failed_batch_applies_nothing_and_all_of_it_on_retry => case_failed_batch_applies_nothing,
            a_batch_applies_one_customers_items_in_arrival_order => case_batch_keeps_a_customers_order,
        );
    };
    (@tests $fresh:expr; $($test:ident => $case:ident),* $(,)?) => {
        $(
            #[::tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $test() {
                let fixture = ($fresh)().await;
                $crate::testkit::$case($crate::testkit::Fixture::store(&fixture)).await;
            }
        )*
    };
}

/// What a conformance test runs against.
pub trait Fixture {
    fn store(&self) -> &dyn Store;
}

impl<S: Store> Fixture for S {
    fn store(&self) -> &dyn Store {
        self
    }
}

/// A store plus a guard dropped after it, such as the temporary directory
/// holding its database file.
pub struct WithGuard<S, G> {
    pub store: S,
    pub guard: G,
}

impl<S: Store, G> Fixture for WithGuard<S, G> {
    fn store(&self) -> &dyn Store {
        &self.store
    }
}

// ---- fixtures ----------------------------------------------------------------

/// 2026-03-01T10:00:00.123456789Z plus `secs`: nanoseconds on purpose, to
/// check stores keep exactly the microseconds.
pub fn at(secs: i64) -> Timestamp {
    DateTime::from_timestamp(1_772_359_200 + secs, 123_456_789).expect("valid fixture time")
}

/// A time as a store gives it back.
pub fn micros(t: Timestamp) -> Timestamp {
    t.trunc_subsecs(6)
}

fn n(number: i64) -> OrderNumber {
    OrderNumber::new(number).expect("an order number")
}

fn numbers(orders: &[Order]) -> Vec<i64> {
    orders.iter().map(|o| o.number.get()).collect()
}

static EXTERNAL_IDS: AtomicU64 = AtomicU64::new(1);

/// A WhatsApp text message with a process-unique `wamid`.
pub fn inbound_item(external_id: &str) -> NewInbound {
    NewInbound {
        source: "whatsapp".to_owned(),
        external_id: external_id.to_owned(),
        kind: "message.text".to_owned(),
        customer_key: Some("919800000001".to_owned()),
        payload: format!(r#"{{"id":"{external_id}","text":{{"body":"नमस्ते 👋"}}}}"#),
        received_at: at(0),
    }
}

fn unique_item() -> NewInbound {
    let id = EXTERNAL_IDS.fetch_add(1, Ordering::Relaxed);
    inbound_item(&format!("wamid.conformance.{id}"))
}

/// A two-line cart in INR for a customer known by phone number.
pub fn cart(name: &str, wa_id: &str, created_at: Timestamp) -> NewOrder {
    NewOrder {
        customer: Customer {
            wa_id: Some(wa_id.to_owned()),
            user_id: None,
            name: Some(name.to_owned()),
        },
        items: vec![
            LineItem {
                retailer_id: "tee-black-m".to_owned(),
                name: "Black tee, M".to_owned(),
                quantity: 2,
                unit_price_minor: 49_900,
            },
            LineItem {
                retailer_id: "mug".to_owned(),
                name: "Mug".to_owned(),
                quantity: 1,
                unit_price_minor: 29_950,
            },
        ],
        currency: Currency::parse("INR").expect("INR"),
        total_minor: 129_750,
        cart_text: None,
        created_at,
    }
}

/// What a store must make of a new cart.
pub fn expected_order(number: OrderNumber, new: &NewOrder) -> Order {
    Order {
        number,
        status: OrderStatus::Placed,
        held_from: None,
        payment_status: PaymentStatus::Pending,
        payment_method: None,
        checkout_step: CheckoutStep::AwaitingAddress,
        customer: new.customer.clone(),
        items: new.items.clone(),
        currency: new.currency,
        total_minor: new.total_minor,
        address: None,
        note: None,
        cart_text: new.cart_text.clone(),
        tracking: None,
        payment_reference: None,
        payment_review: None,
        created_at: micros(new.created_at),
        updated_at: micros(new.created_at),
        version: 1,
    }
}

/// Stores one inbox item per cart and completes them in one batch.
pub async fn create_orders(store: &dyn Store, carts: Vec<NewOrder>) -> Vec<Order> {
    let items: Vec<NewInbound> = carts.iter().map(|_| unique_item()).collect();
    let recorded = store.record_inbound(&items).await.expect("record_inbound");
    let batch: Vec<(i64, InboundOutcome)> = recorded
        .into_iter()
        .zip(carts)
        .map(|(r, c)| match r {
            Recorded::New(id) => (id, InboundOutcome::create_order(c)),
            Recorded::Duplicate => panic!("a unique item was reported as a duplicate"),
        })
        .collect();
    store
        .complete_inbound(&batch)
        .await
        .expect("complete_inbound")
        .into_iter()
        .map(|o| o.expect("an order for every cart"))
        .collect()
}

pub async fn create_order(store: &dyn Store, new: NewOrder) -> Order {
    create_orders(store, vec![new]).await.remove(0)
}

/// `count` orders for distinct customers, created one second apart.
async fn create_many(store: &dyn Store, count: usize) -> Vec<Order> {
    let carts = (0..count)
        .map(|i| {
            let i = i64::try_from(i).expect("small");
            cart(&format!("Customer {i}"), &format!("9170000{i:05}"), at(i))
        })
        .collect();
    create_orders(store, carts).await
}

/// Plans a move with the domain's rules, so the suite only ever applies
/// legal changes.
pub fn plan(order: &Order, to: OrderStatus, actor: Actor, reason: Option<&str>) -> StatusChange {
    plan_transition(
        order.status,
        order.held_from,
        TransitionRequest {
            to,
            actor,
            reason: reason.map(str::to_owned),
            tracking: None,
        },
    )
    .expect("a legal move")
}

fn staff() -> Actor {
    Actor::staff("owner@shop.test")
}

/// Applies a planned move at `when` and returns the updated order.
pub async fn move_order(
    store: &dyn Store,
    order: &Order,
    change: StatusChange,
    when: Timestamp,
) -> Order {
    store
        .change_status(order.number, order.version, &change, when)
        .await
        .unwrap_or_else(|e| panic!("moving {} to {}: {e}", order.number, change.to))
}

async fn count_of(store: &dyn Store, status: OrderStatus) -> i64 {
    store
        .status_counts()
        .await
        .expect("status_counts")
        .into_iter()
        .find(|(s, _)| *s == status)
        .map(|(_, c)| c)
        .expect("every status is listed")
}

async fn list(store: &dyn Store, query: OrderQuery) -> (Vec<i64>, Option<i64>) {
    let page = store.list_orders(&query).await.expect("list_orders");
    (numbers(&page.orders), page.next_before.map(|n| n.get()))
}

fn query(limit: u32) -> OrderQuery {
    OrderQuery {
        limit,
        ..OrderQuery::default()
    }
}

fn search(q: &str) -> OrderQuery {
    OrderQuery {
        q: Some(q.to_owned()),
        ..query(50)
    }
}

/// Drives all futures at once on the current task (the cases borrow the
/// store, so they cannot spawn) and returns their outputs in order.
async fn join_all<F: Future>(futures: Vec<F>) -> Vec<F::Output> {
    let mut futures: Vec<Pin<Box<F>>> = futures.into_iter().map(Box::pin).collect();
    let mut outputs: Vec<Option<F::Output>> = futures.iter().map(|_| None).collect();
    std::future::poll_fn(|cx| {
        let mut pending = false;
        for (future, output) in futures.iter_mut().zip(outputs.iter_mut()) {
            if output.is_none() {
                match future.as_mut().poll(cx) {
                    Poll::Ready(value) => *output = Some(value),
                    Poll::Pending => pending = true,
                }
            }
        }
        if pending {
            Poll::Pending
        } else {
            Poll::Ready(())
        }
    })
    .await;
    outputs.into_iter().map(|o| o.expect("finished")).collect()
}

// ---- an empty store ------------------------------------------------------------

pub async fn case_empty_store(store: &dyn Store) {
    store.migrate().await.expect("migrations run twice");
    store.ping().await.expect("ping");
    assert_eq!(store.last_event_seq().await.unwrap(), 0);
    assert!(store.events_since(0, 100).await.unwrap().is_empty());
    assert!(store.pending_inbound(100).await.unwrap().is_empty());
    assert_eq!(store.record_inbound(&[]).await.unwrap(), vec![]);
    assert_eq!(store.complete_inbound(&[]).await.unwrap(), vec![]);
    let page = store.list_orders(&query(50)).await.unwrap();
    assert!(page.orders.is_empty());
    assert_eq!(page.next_before, None);
    let counts = store.status_counts().await.unwrap();
    assert_eq!(counts.len(), OrderStatus::ALL.len());
    let listed: HashSet<OrderStatus> = counts.iter().map(|(s, _)| *s).collect();
    assert_eq!(listed, OrderStatus::ALL.into_iter().collect());
    assert!(counts.iter().all(|(_, c)| *c == 0), "{counts:?}");
    assert!(store.products().await.unwrap().is_empty());
    assert!(store.user_by_email("a@b.test").await.unwrap().is_none());
    assert!(store.token_by_hash("00").await.unwrap().is_none());
}

// ---- inbox ---------------------------------------------------------------------

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

// ---- orders --------------------------------------------------------------------

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

pub async fn case_list_newest_first(store: &dyn Store) {
    let orders = create_many(store, 5).await;
    assert_eq!(
        list(store, query(50)).await,
        (vec![1005, 1004, 1003, 1002, 1001], None)
    );
    assert_eq!(list(store, query(2)).await, (vec![1005, 1004], Some(1004)));
    // Exactly `limit` left: no next page to ask for.
    assert_eq!(
        list(store, query(5)).await,
        (vec![1005, 1004, 1003, 1002, 1001], None)
    );
    let page = store.list_orders(&query(1)).await.unwrap();
    assert_eq!(page.orders, vec![orders[4].clone()]);
}

pub async fn case_list_paging(store: &dyn Store) {
    create_many(store, 25).await;
    let mut seen = Vec::new();
    let (page, next) = list(store, query(10)).await;
    assert_eq!(next, Some(1016));
    seen.extend(page);

    // New orders arrive between pages; they belong to the top, not to the
    // pages still to come.
    create_many(store, 5).await;
    let (page, next) = list(
        store,
        OrderQuery {
            before: next.map(n),
            ..query(10)
        },
    )
    .await;
    assert_eq!(next, Some(1006));
    seen.extend(page);

    create_many(store, 3).await;
    let (page, next) = list(
        store,
        OrderQuery {
            before: next.map(n),
            ..query(10)
        },
    )
    .await;
    assert_eq!(next, None);
    seen.extend(page);

    assert_eq!(seen, (1001..=1025).rev().collect::<Vec<_>>());
}

pub async fn case_list_filters(store: &dyn Store) {
    let orders = create_many(store, 6).await;
    let bot = |o: &Order| plan(o, OrderStatus::Confirmed, Actor::Bot, None);
    move_order(store, &orders[1], bot(&orders[1]), at(100)).await;
    move_order(store, &orders[3], bot(&orders[3]), at(101)).await;
    let cancel = plan(
        &orders[4],
        OrderStatus::Cancelled,
        staff(),
        Some("customer changed their mind"),
    );
    move_order(store, &orders[4], cancel, at(102)).await;

    let by_status = |status, limit| OrderQuery {
        status: Some(status),
        ..query(limit)
    };
    assert_eq!(
        list(store, by_status(OrderStatus::Placed, 50)).await,
        (vec![1006, 1003, 1001], None)
    );
    assert_eq!(
        list(store, by_status(OrderStatus::Confirmed, 50)).await,
        (vec![1004, 1002], None)
    );
    assert_eq!(
        list(store, by_status(OrderStatus::Cancelled, 50)).await,
        (vec![1005], None)
    );
    assert_eq!(
        list(store, by_status(OrderStatus::Shipped, 50)).await,
        (vec![], None)
    );
    // Paging within a filter.
    assert_eq!(
        list(store, by_status(OrderStatus::Confirmed, 1)).await,
        (vec![1004], Some(1004))
    );
    assert_eq!(
        list(
            store,
            OrderQuery {
                before: Some(n(1004)),
                ..by_status(OrderStatus::Confirmed, 1)
            }
        )
        .await,
        (vec![1002], None)
    );

    let by_payment = |payment| OrderQuery {
        payment: Some(payment),
        ..query(50)
    };
    assert_eq!(
        list(store, by_payment(PaymentStatus::Pending))
            .await
            .0
            .len(),
        6
    );
    assert_eq!(
        list(store, by_payment(PaymentStatus::Paid)).await,
        (vec![], None)
    );
    assert_eq!(
        list(
            store,
            OrderQuery {
                status: Some(OrderStatus::Confirmed),
                payment: Some(PaymentStatus::Pending),
                ..query(50)
            }
        )
        .await,
        (vec![1004, 1002], None)
    );
    assert_eq!(
        list(
            store,
            OrderQuery {
                status: Some(OrderStatus::Confirmed),
                payment: Some(PaymentStatus::Paid),
                ..query(50)
            }
        )
        .await,
        (vec![], None)
    );
}

pub async fn case_list_search(store: &dyn Store) {
    let customer = |name: Option<&str>, wa_id: Option<&str>, user_id: Option<&str>| Customer {
        wa_id: wa_id.map(str::to_owned),
        user_id: user_id.map(str::to_owned),
        name: name.map(str::to_owned),
    };
    let customers = [
        customer(Some("Asha Rao"), Some("919800000001"), None),
        customer(Some("Ravi Kumar"), None, Some("US.ravi.42")),
        customer(Some("ASHOK Mehta"), Some("447700900123"), Some("US.ashok")),
        customer(Some("100% Cotton_Co"), Some("15550009999"), None),
        customer(None, Some("919812345678"), None),
        customer(Some("Zoë Ōkubo"), None, Some("JP.7")),
    ];
    let carts = customers
        .iter()
        .enumerate()
        .map(|(i, c)| NewOrder {
            customer: c.clone(),
            ..cart("", "", at(i64::try_from(i).unwrap()))
        })
        .collect();
    let orders = create_orders(store, carts).await;

    let found = |q: &'static str| async move { list(store, search(q)).await.0 };
    assert_eq!(found("1003").await, vec![1003], "number, exactly");
    assert_eq!(found("ash").await, vec![1003, 1001], "name, any case");
    assert_eq!(found("RAO").await, vec![1001]);
    // ASCII letters match in any case; other letters as written (SQLite's
    // lower() folds ASCII only).
    assert_eq!(found("zOë Ō").await, vec![1006], "non-ASCII names");
    assert_eq!(found("9198").await, vec![1005, 1001], "wa_id substring");
    assert_eq!(found("ravi.4").await, vec![1002], "user_id substring");
    assert_eq!(found("US.ashok").await, vec![1003], "user_id");
    assert_eq!(found("%").await, vec![1004], "% is literal");
    assert_eq!(found("_").await, vec![1004], "_ is literal");
    assert_eq!(found("nobody").await, Vec::<i64>::new());

    // Combined with a stage, a cursor and a limit.
    let confirm = plan(&orders[2], OrderStatus::Confirmed, Actor::Bot, None);
    move_order(store, &orders[2], confirm, at(50)).await;
    let ash = |status, before, limit| OrderQuery {
        status,
        before,
        ..OrderQuery {
            limit,
            ..search("ash")
        }
    };
    assert_eq!(
        list(store, ash(Some(OrderStatus::Confirmed), None, 50)).await,
        (vec![1003], None)
    );
    assert_eq!(
        list(store, ash(Some(OrderStatus::Placed), None, 50)).await,
        (vec![1001], None)
    );
    assert_eq!(
        list(store, ash(None, None, 1)).await,
        (vec![1003], Some(1003))
    );
    assert_eq!(
        list(store, ash(None, Some(n(1003)), 1)).await,
        (vec![1001], None)
    );
    assert_eq!(
        list(
            store,
            OrderQuery {
                status: Some(OrderStatus::Placed),
                ..search("1003")
            }
        )
        .await,
        (vec![], None)
    );
}

pub async fn case_status_counts(store: &dyn Store) {
    let orders = create_many(store, 3).await;
    assert_eq!(count_of(store, OrderStatus::Placed).await, 3);

    let confirmed = move_order(
        store,
        &orders[0],
        plan(&orders[0], OrderStatus::Confirmed, Actor::Bot, None),
        at(10),
    )
    .await;
    let held = move_order(
        store,
        &confirmed,
        plan(
            &confirmed,
            OrderStatus::OnHold,
            staff(),
            Some("stock check"),
        ),
        at(11),
    )
    .await;
    move_order(
        store,
        &orders[1],
        plan(
            &orders[1],
            OrderStatus::Cancelled,
            staff(),
            Some("duplicate"),
        ),
        at(12),
    )
    .await;
    // A refused change moves no counts.
    let stale = store
        .change_status(
            held.number,
            confirmed.version,
            &plan(&held, OrderStatus::Confirmed, staff(), None),
            at(13),
        )
        .await;
    assert!(matches!(stale, Err(StoreError::Conflict { .. })));

    let counts: HashMap<OrderStatus, i64> =
        store.status_counts().await.unwrap().into_iter().collect();
    assert_eq!(counts.len(), OrderStatus::ALL.len());
    for status in OrderStatus::ALL {
        let expected = match status {
            OrderStatus::Placed | OrderStatus::OnHold | OrderStatus::Cancelled => 1,
            _ => 0,
        };
        assert_eq!(counts[&status], expected, "{status}");
    }

    move_order(
        store,
        &held,
        plan(&held, OrderStatus::Confirmed, staff(), None),
        at(14),
    )
    .await;
    assert_eq!(count_of(store, OrderStatus::OnHold).await, 0);
    assert_eq!(count_of(store, OrderStatus::Confirmed).await, 1);
}

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

// ---- event log -------------------------------------------------------------------

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

// ---- staff and integrations ------------------------------------------------------

pub async fn case_users(store: &dyn Store) {
    let owner = store
        .create_user(&NewUser {
            email: "Owner@Shop.Test".to_owned(),
            role: Role::Owner,
            password_hash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA".to_owned(),
            created_at: at(0),
        })
        .await
        .unwrap();
    assert_eq!(owner.email, "owner@shop.test");
    assert_eq!(owner.role, Role::Owner);
    assert_eq!(owner.created_at, micros(at(0)));

    let found = store
        .user_by_email("OWNER@shop.test")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(found.user, owner);
    assert_eq!(
        found.password_hash,
        "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA"
    );

    let taken = store
        .create_user(&NewUser {
            email: "owner@SHOP.test".to_owned(),
            role: Role::Agent,
            password_hash: "x".to_owned(),
            created_at: at(1),
        })
        .await;
    assert!(matches!(taken, Err(StoreError::Duplicate(_))), "{taken:?}");
    assert!(store
        .user_by_email("nobody@shop.test")
        .await
        .unwrap()
        .is_none());

    let mut ids = HashSet::from([owner.id]);
    for (i, role) in [Role::Admin, Role::Agent].into_iter().enumerate() {
        let email = format!("{}@shop.test", role.as_str());
        let user = store
            .create_user(&NewUser {
                email: email.clone(),
                role,
                password_hash: format!("hash-{i}"),
                created_at: at(2),
            })
            .await
            .unwrap();
        assert!(ids.insert(user.id), "distinct ids");
        let back = store.user_by_email(&email).await.unwrap().unwrap();
        assert_eq!(back.user.role, role);
        assert_eq!(back.password_hash, format!("hash-{i}"));
    }
}

pub async fn case_tokens(store: &dyn Store) {
    let hash = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";
    let token = store
        .create_token(&NewApiToken {
            name: "zapier".to_owned(),
            secret_hash: hash.to_owned(),
            created_at: at(0),
        })
        .await
        .unwrap();
    assert_eq!(token.name, "zapier");
    assert_eq!(token.created_at, micros(at(0)));
    assert_eq!(
        store.token_by_hash(hash).await.unwrap(),
        Some(token.clone())
    );
    assert_eq!(store.token_by_hash("00ff").await.unwrap(), None);

    let same_name = store
        .create_token(&NewApiToken {
            name: "zapier".to_owned(),
            secret_hash: "ab".repeat(32),
            created_at: at(1),
        })
        .await;
    assert!(
        matches!(same_name, Err(StoreError::Duplicate(_))),
        "{same_name:?}"
    );
    let same_secret = store
        .create_token(&NewApiToken {
            name: "other".to_owned(),
            secret_hash: hash.to_owned(),
            created_at: at(1),
        })
        .await;
    assert!(
        matches!(same_secret, Err(StoreError::Duplicate(_))),
        "{same_secret:?}"
    );

    let second = store
        .create_token(&NewApiToken {
            name: "erp".to_owned(),
            secret_hash: "cd".repeat(32),
            created_at: at(2),
        })
        .await
        .unwrap();
    assert_ne!(second.id, token.id);
    assert_eq!(
        store.token_by_hash(&"cd".repeat(32)).await.unwrap(),
        Some(second)
    );
}

// ---- catalog ---------------------------------------------------------------------

pub fn product(retailer_id: &str, title: &str, price_minor: i64) -> Product {
    Product {
        retailer_id: retailer_id.to_owned(),
        title: title.to_owned(),
        description: format!("{title}, described — with “quotes”"),
        availability: "in stock".to_owned(),
        condition: "new".to_owned(),
        price_minor,
        currency: Currency::parse("INR").unwrap(),
        link: format!("https://shop.test/p/{retailer_id}"),
        image_link: format!("https://shop.test/i/{retailer_id}.jpg"),
        brand: "Acme".to_owned(),
    }
}

pub async fn case_products_upsert(store: &dyn Store) {
    let tee = product("tee-black-m", "Black tee, M", 49_900);
    let mug = product("mug", "Mug", 29_950);
    assert_eq!(
        store
            .upsert_products(&[tee.clone(), mug.clone()])
            .await
            .unwrap(),
        2
    );
    assert_eq!(
        store.products().await.unwrap(),
        vec![mug.clone(), tee.clone()]
    );

    let tee_on_sale = Product {
        title: "Black tee, M (sale)".to_owned(),
        price_minor: 39_900,
        availability: "out of stock".to_owned(),
        currency: Currency::parse("JPY").unwrap(),
        ..tee.clone()
    };
    let cap = product("cap", "Cap", 0);
    assert_eq!(
        store
            .upsert_products(&[tee_on_sale.clone(), cap.clone()])
            .await
            .unwrap(),
        2
    );
    assert_eq!(store.products().await.unwrap(), vec![cap, mug, tee_on_sale]);
    assert_eq!(store.upsert_products(&[]).await.unwrap(), 0);
}

pub async fn case_products_all_or_nothing(store: &dyn Store) {
    let tee = product("tee-black-m", "Black tee, M", 49_900);
    store
        .upsert_products(std::slice::from_ref(&tee))
        .await
        .unwrap();

    let failing = store
        .upsert_products(&[
            Product {
                title: "changed".to_owned(),
                ..tee.clone()
            },
            product("mug", "Mug", 29_950),
            product("broken", "A negative price", -1),
        ])
        .await;
    assert!(failing.is_err(), "a negative price is refused");
    assert_eq!(store.products().await.unwrap(), vec![tee]);
}

pub async fn case_products_by_ids(store: &dyn Store) {
    let products: Vec<Product> = (0..30)
        .map(|i| product(&format!("sku-{i:02}"), &format!("Thing {i}"), 100 * i))
        .collect();
    store.upsert_products(&products).await.unwrap();

    let ids = |list: &[&str]| list.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
    let mut got = store
        .products_by_ids(&ids(&["sku-07", "nope", "sku-03", "sku-07"]))
        .await
        .unwrap();
    got.sort_by(|a, b| a.retailer_id.cmp(&b.retailer_id));
    got.dedup();
    assert_eq!(got, vec![products[3].clone(), products[7].clone()]);
    assert!(store.products_by_ids(&[]).await.unwrap().is_empty());
    assert!(store
        .products_by_ids(&ids(&["unknown"]))
        .await
        .unwrap()
        .is_empty());
    let all_ids: Vec<String> = products.iter().map(|p| p.retailer_id.clone()).collect();
    assert_eq!(store.products_by_ids(&all_ids).await.unwrap().len(), 30);
}

// ---- checkout: updates, chat, outbox, jobs ----------------------------------------

/// A text message to `key` about `order`, as the outbox queues it.
pub fn outbound(
    key: &str,
    order: Option<OrderNumber>,
    text: &str,
    not_before: Timestamp,
) -> NewOutbound {
    NewOutbound {
        order_number: order,
        customer_key: key.to_owned(),
        to_wa_id: Some(key.to_owned()),
        to_user_id: None,
        body: serde_json::json!({
            "messaging_product": "whatsapp",
            "recipient_type": "individual",
            "to": key,
            "type": "text",
            "text": { "body": text },
        }),
        preview: text.to_owned(),
        not_before,
    }
}

/// A customer's text message with the given `wamid`.
pub fn inbound_message(key: &str, wamid: &str, text: &str, at: Timestamp) -> NewInboundMessage {
    NewInboundMessage {
        customer_key: key.to_owned(),
        wa_id: Some(key.to_owned()),
        user_id: None,
        name: None,
        order_number: None,
        wamid: wamid.to_owned(),
        kind: "text".to_owned(),
        text: text.to_owned(),
        at,
    }
}

fn address() -> Address {
    Address {
        name: "Asha Rao".to_owned(),
        phone: "+91 98000 00001".to_owned(),
        line1: "12 MG Road".to_owned(),
        line2: "Flat 4 — “blue door”".to_owned(),
        city: "Bengaluru".to_owned(),
        state: "KA".to_owned(),
        postal_code: "560001".to_owned(),
        country: "IN".to_owned(),
    }
}

fn secs(s: u64) -> Duration {
    Duration::from_secs(s)
}

/// Stores one unique inbox item per customer key given; returns their ids.
async fn record_items(store: &dyn Store, keys: &[&str]) -> Vec<i64> {
    let inbound: Vec<NewInbound> = keys
        .iter()
        .map(|key| NewInbound {
            customer_key: Some((*key).to_owned()),
            ..unique_item()
        })
        .collect();
    store
        .record_inbound(&inbound)
        .await
        .unwrap()
        .into_iter()
        .map(|r| match r {
            Recorded::New(id) => id,
            Recorded::Duplicate => panic!("a unique item was reported as a duplicate"),
        })
        .collect()
}

/// Stores one inbox item per outcome, keyed to its customer, and completes
/// them in one batch; returns the inbox ids and the results.
async fn complete_items(
    store: &dyn Store,
    items: Vec<(&str, InboundOutcome)>,
) -> (Vec<i64>, Vec<InboundResult>) {
    let keys: Vec<&str> = items.iter().map(|(key, _)| *key).collect();
    let ids = record_items(store, &keys).await;
    let batch: Vec<(i64, InboundOutcome)> = ids
        .iter()
        .copied()
        .zip(items.into_iter().map(|(_, o)| o))
        .collect();
    let results = store.complete_inbound_detailed(&batch).await.unwrap();
    (ids, results)
}

async fn events_after(store: &dyn Store, seq: i64) -> Vec<StoredEvent> {
    store.events_since(seq, 10_000).await.unwrap()
}

/// The kinds of `events`, leaving out the `conversation.updated` that
/// follows every customer message (its cases: `testkit/conversations.rs`).
fn kinds(events: &[StoredEvent]) -> Vec<EventKind> {
    events
        .iter()
        .map(|e| e.kind)
        .filter(|k| *k != EventKind::ConversationUpdated)
        .collect()
}

/// Queues messages through an update that changes nothing else.
async fn queue(store: &dyn Store, order: &Order, messages: Vec<NewOutbound>, when: Timestamp) {
    let update = OrderUpdate {
        outbound: messages,
        ..OrderUpdate::default()
    };
    store
        .update_order(order.number, order.version, &update, when)
        .await
        .unwrap();
}

/// Queues, claims and sends one message; returns it as sent.
async fn send_one(store: &dyn Store, order: &Order, wamid: &str, when: Timestamp) -> ChatMessage {
    let key = order.customer.wa_id.clone().unwrap();
    queue(
        store,
        order,
        vec![outbound(&key, None, "hello", when)],
        when,
    )
    .await;
    let claimed = store.claim_outbox(when, secs(30), 10).await.unwrap();
    assert_eq!(claimed.len(), 1, "{claimed:?}");
    store.outbox_sent(claimed[0].id, wamid, when).await.unwrap()
}

async fn message_ids(store: &dyn Store, order: &Order) -> Vec<i64> {
    store
        .messages_for_order(order.number)
        .await
        .unwrap()
        .into_iter()
        .map(|m| m.id)
        .collect()
}

async fn claim_ids(store: &dyn Store, now: Timestamp) -> Vec<i64> {
    store
        .claim_outbox(now, secs(30), 100)
        .await
        .unwrap()
        .into_iter()
        .map(|m| m.id)
        .collect()
}

pub async fn case_checkout_empty(store: &dyn Store) {
    assert!(store
        .claim_outbox(at(0), secs(30), 10)
        .await
        .unwrap()
        .is_empty());
    assert!(store
        .claim_due_jobs(at(0), secs(30), 10)
        .await
        .unwrap()
        .is_empty());
    assert_eq!(store.customer("919800000001").await.unwrap(), None);
    assert!(store.messages_for_order(n(1001)).await.unwrap().is_empty());
    assert!(store
        .messages_for_customer("919800000001", 10)
        .await
        .unwrap()
        .is_empty());
    assert!(store
        .open_orders_for_customer("919800000001")
        .await
        .unwrap()
        .is_empty());
    let status = store
        .message_status("wamid.nope", MessageState::Read, at(0), None)
        .await
        .unwrap();
    assert_eq!(status, None);
    assert!(matches!(
        store.outbox_sent(1, "wamid.x", at(0)).await,
        Err(StoreError::NotFound)
    ));
    assert!(matches!(
        store.outbox_retry(1, at(0), "x").await,
        Err(StoreError::NotFound)
    ));
    assert!(matches!(
        store.outbox_failed(1, "x", at(0)).await,
        Err(StoreError::NotFound)
    ));
    store
        .complete_job(42)
        .await
        .expect("an unknown job is no error");
    assert!(store.queue_outbound(&[], at(0)).await.unwrap().is_empty());
    assert_eq!(store.complete_inbound_detailed(&[]).await.unwrap(), vec![]);
    assert_eq!(store.last_event_seq().await.unwrap(), 0);
}

pub async fn case_update_order_fields(store: &dyn Store) {
    let placed = create_order(store, cart("Asha", "919800000001", at(0))).await;
    let number = placed.number;

    let mut address_set =
        TimelineEntry::new(micros(at(10)), TimelineKind::AddressSet, &Actor::Customer);
    address_set.detail = Some("12 MG Road, Bengaluru".to_owned());
    let with_address = store
        .update_order(
            number,
            1,
            &OrderUpdate {
                checkout_step: Some(CheckoutStep::AwaitingPayment),
                address: Some(address()),
                timeline: vec![address_set.clone()],
                ..OrderUpdate::default()
            },
            at(10),
        )
        .await
        .unwrap();
    assert_eq!(
        with_address,
        Order {
            checkout_step: CheckoutStep::AwaitingPayment,
            address: Some(address()),
            updated_at: micros(at(10)),
            version: 2,
            ..placed.clone()
        }
    );
    assert_eq!(store.order(number).await.unwrap(), with_address);
    assert_eq!(store.order(number).await.unwrap().payment_reference, None);

    let paying = store
        .update_order(
            number,
            2,
            &OrderUpdate {
                payment_method: Some(PaymentMethod::Razorpay),
                payment_reference: Some("plink_Nx1".to_owned()),
                ..OrderUpdate::default()
            },
            at(11),
        )
        .await
        .unwrap();
    assert_eq!(paying.payment_method, Some(PaymentMethod::Razorpay));
    assert_eq!(paying.payment_reference.as_deref(), Some("plink_Nx1"));
    assert_eq!(paying.version, 3);
    assert_eq!(
        store
            .order(number)
            .await
            .unwrap()
            .payment_reference
            .as_deref(),
        Some("plink_Nx1")
    );

    let done = store
        .update_order(
            number,
            3,
            &OrderUpdate {
                payment_status: Some(PaymentStatus::Paid),
                note: Some("ring twice — नमस्ते".to_owned()),
                checkout_step: Some(CheckoutStep::Complete),
                ..OrderUpdate::default()
            },
            at(12),
        )
        .await
        .unwrap();
    assert_eq!(
        done,
        Order {
            payment_status: PaymentStatus::Paid,
            note: Some("ring twice — नमस्ते".to_owned()),
            checkout_step: CheckoutStep::Complete,
            updated_at: micros(at(12)),
            version: 4,
            ..paying.clone()
        }
    );
    assert_eq!(store.order(number).await.unwrap(), done);
    assert_eq!(
        store
            .order(number)
            .await
            .unwrap()
            .payment_reference
            .as_deref(),
        Some("plink_Nx1"),
        "a reference stays until another is given"
    );

    // The review flag is set, kept by unrelated updates, and cleared.
    let flagged = store
        .update_order(
            number,
            4,
            &OrderUpdate {
                payment_review: Some(Some("paid 1.00 INR of 499.00 INR".to_owned())),
                ..OrderUpdate::default()
            },
            at(13),
        )
        .await
        .unwrap();
    assert_eq!(
        flagged.payment_review.as_deref(),
        Some("paid 1.00 INR of 499.00 INR")
    );
    assert_eq!(flagged.version, 5);
    let noted = store
        .update_order(
            number,
            5,
            &OrderUpdate {
                note: Some("leave at the door".to_owned()),
                ..OrderUpdate::default()
            },
            at(14),
        )
        .await
        .unwrap();
    assert_eq!(noted.payment_review, flagged.payment_review);
    let cleared = store
        .update_order(
            number,
            6,
            &OrderUpdate {
                payment_review: Some(None),
                ..OrderUpdate::default()
            },
            at(15),
        )
        .await
        .unwrap();
    assert_eq!(cleared.payment_review, None);
    assert_eq!(store.order(number).await.unwrap(), cleared);
    assert_eq!(
        store.timeline(number).await.unwrap(),
        vec![
            TimelineEntry::new(micros(at(0)), TimelineKind::Created, &Actor::Customer),
            address_set,
        ]
    );
    // The address is remembered for the customer's next order.
    let customer = store.customer("919800000001").await.unwrap().unwrap();
    assert_eq!(customer.last_address, Some(address()));
    assert_eq!(customer.name.as_deref(), Some("Asha"));

    let unknown = store
        .update_order(n(4242), 1, &OrderUpdate::default(), at(13))
        .await;
    assert!(matches!(unknown, Err(StoreError::NotFound)), "{unknown:?}");
}

/// Applies `update` to `current` at `at(secs)` and checks it appended exactly
/// one event of kind `expected`, showing the order afterwards.
async fn apply_expecting(
    store: &dyn Store,
    current: &Order,
    update: OrderUpdate,
    secs: i64,
    expected: EventKind,
) -> Order {
    let seq = store.last_event_seq().await.unwrap();
    let updated = store
        .update_order(current.number, current.version, &update, at(secs))
        .await
        .unwrap();
    let events = events_after(store, seq).await;
    assert_eq!(kinds(&events), vec![expected], "{update:?}");
    assert_eq!(events[0].order_number, Some(current.number));
    assert_eq!(events[0].data, serde_json::to_value(&updated).unwrap());
    assert_eq!(events[0].at, micros(at(secs)));
    assert_eq!(updated.version, current.version + 1);
    updated
}

pub async fn case_update_order_events(store: &dyn Store) {
    let placed = create_order(store, cart("Asha", "919800000001", at(0))).await;
    let number = placed.number;
    let mut order = placed.clone();
    order = apply_expecting(
        store,
        &order,
        OrderUpdate {
            address: Some(address()),
            checkout_step: Some(CheckoutStep::AwaitingPayment),
            ..OrderUpdate::default()
        },
        1,
        EventKind::OrderUpdated,
    )
    .await;
    order = apply_expecting(
        store,
        &order,
        OrderUpdate {
            payment_method: Some(PaymentMethod::Cod),
            ..OrderUpdate::default()
        },
        2,
        EventKind::PaymentUpdated,
    )
    .await;
    // Restating the payment as it is, with a note, is no payment change.
    order = apply_expecting(
        store,
        &order,
        OrderUpdate {
            payment_status: Some(PaymentStatus::Pending),
            payment_method: Some(PaymentMethod::Cod),
            note: Some("leave at the door".to_owned()),
            ..OrderUpdate::default()
        },
        3,
        EventKind::OrderUpdated,
    )
    .await;
    order = apply_expecting(
        store,
        &order,
        OrderUpdate {
            payment_status: Some(PaymentStatus::Failed),
            ..OrderUpdate::default()
        },
        4,
        EventKind::PaymentUpdated,
    )
    .await;
    let staff_note = {
        let mut e = TimelineEntry::new(micros(at(5)), TimelineKind::StaffNote, &staff());
        e.detail = Some("called the customer".to_owned());
        e
    };
    order = apply_expecting(
        store,
        &order,
        OrderUpdate {
            timeline: vec![staff_note.clone()],
            ..OrderUpdate::default()
        },
        5,
        EventKind::OrderUpdated,
    )
    .await;
    // A stage move with a payment change is one status event.
    let note_set = TimelineEntry::new(micros(at(6)), TimelineKind::NoteSet, &Actor::Customer);
    let confirm = plan(&order, OrderStatus::Confirmed, Actor::Bot, None);
    order = apply_expecting(
        store,
        &order,
        OrderUpdate {
            payment_status: Some(PaymentStatus::Pending),
            checkout_step: Some(CheckoutStep::Complete),
            status_change: Some(confirm),
            timeline: vec![note_set.clone()],
            ..OrderUpdate::default()
        },
        6,
        EventKind::OrderStatusChanged,
    )
    .await;
    assert_eq!(order.status, OrderStatus::Confirmed);
    assert_eq!(order.payment_status, PaymentStatus::Pending);
    assert_eq!(order.checkout_step, CheckoutStep::Complete);
    assert_eq!(count_of(store, OrderStatus::Placed).await, 0);
    assert_eq!(count_of(store, OrderStatus::Confirmed).await, 1);

    // The given entries first, then the move's own, as change_status writes it.
    let mut moved = TimelineEntry::new(micros(at(6)), TimelineKind::StatusChanged, &Actor::Bot);
    moved.from_status = Some(OrderStatus::Placed);
    moved.to_status = Some(OrderStatus::Confirmed);
    let timeline = store.timeline(number).await.unwrap();
    assert_eq!(timeline[1..], [staff_note, note_set, moved]);
}

pub async fn case_update_order_conflict(store: &dyn Store) {
    let placed = create_order(store, cart("Asha", "919800000001", at(0))).await;
    let number = placed.number;
    let current = store
        .update_order(
            number,
            1,
            &OrderUpdate {
                checkout_step: Some(CheckoutStep::AwaitingPayment),
                ..OrderUpdate::default()
            },
            at(1),
        )
        .await
        .unwrap();
    let seq = store.last_event_seq().await.unwrap();

    let everything = OrderUpdate {
        address: Some(address()),
        note: Some("late".to_owned()),
        payment_status: Some(PaymentStatus::Paid),
        payment_reference: Some("pay_1".to_owned()),
        timeline: vec![TimelineEntry::new(
            at(2),
            TimelineKind::Notice,
            &Actor::System,
        )],
        outbound: vec![outbound("919800000001", None, "thanks", at(2))],
        jobs: vec![NewJob {
            kind: JobKind::Nudge,
            order_number: number,
            due_at: at(2),
        }],
        ..OrderUpdate::default()
    };
    let stale = store.update_order(number, 1, &everything, at(2)).await;
    assert!(
        matches!(stale, Err(StoreError::Conflict { current_version: 2 })),
        "{stale:?}"
    );
    let wrong_stage = OrderUpdate {
        status_change: Some(plan(
            &Order {
                status: OrderStatus::Confirmed,
                ..current.clone()
            },
            OrderStatus::Approved,
            staff(),
            None,
        )),
        ..everything.clone()
    };
    let moved_on = store.update_order(number, 2, &wrong_stage, at(3)).await;
    assert!(
        matches!(moved_on, Err(StoreError::Conflict { current_version: 2 })),
        "{moved_on:?}"
    );

    assert_eq!(store.order(number).await.unwrap(), current);
    assert_eq!(store.timeline(number).await.unwrap().len(), 1);
    assert_eq!(store.order(number).await.unwrap().payment_reference, None);
    assert!(store.messages_for_order(number).await.unwrap().is_empty());
    assert!(store
        .claim_outbox(at(100), secs(30), 10)
        .await
        .unwrap()
        .is_empty());
    assert!(store
        .claim_due_jobs(at(100), secs(30), 10)
        .await
        .unwrap()
        .is_empty());
    assert_eq!(
        store
            .customer("919800000001")
            .await
            .unwrap()
            .unwrap()
            .last_address,
        None
    );
    assert_eq!(store.last_event_seq().await.unwrap(), seq);
    assert_eq!(count_of(store, OrderStatus::Placed).await, 1);
}

pub async fn case_update_side_effects_only(store: &dyn Store) {
    let placed = create_order(store, cart("Asha", "919800000001", at(0))).await;
    let seq = store.last_event_seq().await.unwrap();
    let update = OrderUpdate {
        outbound: vec![outbound(
            "919800000001",
            None,
            "That was answered already.",
            at(1),
        )],
        jobs: vec![NewJob {
            kind: JobKind::Nudge,
            order_number: placed.number,
            due_at: at(3_600),
        }],
        ..OrderUpdate::default()
    };
    let same = store
        .update_order(placed.number, 1, &update, at(1))
        .await
        .unwrap();
    assert_eq!(same, placed, "the order, its version and updated_at stay");
    assert_eq!(store.order(placed.number).await.unwrap(), placed);
    assert_eq!(store.last_event_seq().await.unwrap(), seq, "no event");
    assert_eq!(
        store.messages_for_order(placed.number).await.unwrap().len(),
        1
    );
    assert_eq!(
        store
            .claim_due_jobs(at(3_600), secs(30), 10)
            .await
            .unwrap()
            .len(),
        1
    );

    // Still checked against the version it was decided at.
    let stale = store.update_order(placed.number, 0, &update, at(2)).await;
    assert!(
        matches!(stale, Err(StoreError::Conflict { current_version: 1 })),
        "{stale:?}"
    );
    assert_eq!(
        store.messages_for_order(placed.number).await.unwrap().len(),
        1
    );
}

pub async fn case_update_queues_messages(store: &dyn Store) {
    let placed = create_order(store, cart("Asha", "919800000001", at(0))).await;
    let other = create_order(store, cart("Ravi", "919800000002", at(1))).await;
    let seq = store.last_event_seq().await.unwrap();
    let ask_address = NewOutbound {
        body: serde_json::json!({
            "messaging_product": "whatsapp",
            "to": "919800000001",
            "type": "interactive",
            "interactive": { "type": "cta_url", "action": { "name": "cta_url",
                "parameters": { "display_text": "Add address", "url": "https://shop.test/a/x" } } },
        }),
        ..outbound("919800000001", None, "Add delivery address", at(5))
    };
    // An explicit order number is kept.
    let about_other = outbound(
        "919800000001",
        Some(other.number),
        "About your other order",
        at(5),
    );
    let updated = store
        .update_order(
            placed.number,
            1,
            &OrderUpdate {
                checkout_step: Some(CheckoutStep::AwaitingAddress),
                outbound: vec![ask_address, about_other],
                ..OrderUpdate::default()
            },
            at(5),
        )
        .await
        .unwrap();
    assert_eq!(updated.version, 2);

    let thread = store.messages_for_order(placed.number).await.unwrap();
    assert_eq!(thread.len(), 1);
    let m = &thread[0];
    assert_eq!(m.order_number, Some(placed.number));
    assert_eq!(m.customer_key, "919800000001");
    assert_eq!(m.direction, Direction::Out);
    assert_eq!(m.state, MessageState::Queued);
    assert_eq!(m.kind, "interactive");
    assert_eq!(m.text, "Add delivery address");
    assert_eq!(m.wamid, None);
    assert_eq!(m.error, None);
    assert_eq!(m.created_at, micros(at(5)));
    assert_eq!(m.sent_at, None);
    let elsewhere = store.messages_for_order(other.number).await.unwrap();
    assert_eq!(elsewhere.len(), 1);
    assert_eq!(elsewhere[0].kind, "text");
    assert!(elsewhere[0].id > m.id);
    let thread = store
        .messages_for_customer("919800000001", 10)
        .await
        .unwrap();
    assert_eq!(thread, vec![m.clone(), elsewhere[0].clone()]);
    // Queued is not yet news: message.sent comes when it is sent.
    assert_eq!(
        kinds(&events_after(store, seq).await),
        vec![EventKind::OrderUpdated]
    );

    // Messages outside any order change queue on their own.
    let queued = store
        .queue_outbound(
            &[
                outbound("919800000001", Some(placed.number), "A staff reply", at(6)),
                outbound("15550001111", None, "Hello, no order", at(6)),
            ],
            at(6),
        )
        .await
        .unwrap();
    assert_eq!(queued.len(), 2);
    assert_eq!(queued[1].order_number, None);
    assert_eq!(queued[1].state, MessageState::Queued);
    assert_eq!(
        store.messages_for_order(placed.number).await.unwrap().len(),
        2
    );
    assert_eq!(
        store
            .messages_for_customer("15550001111", 10)
            .await
            .unwrap(),
        vec![queued[1].clone()]
    );
    assert_eq!(store.order(placed.number).await.unwrap().version, 2);
}

pub async fn case_claim_per_customer(store: &dyn Store) {
    let asha = create_order(store, cart("Asha", "919800000001", at(0))).await;
    let ravi = create_order(store, cart("Ravi", "919800000002", at(0))).await;
    let meera = create_order(store, cart("Meera", "919800000003", at(0))).await;
    queue(
        store,
        &asha,
        vec![
            outbound("919800000001", None, "first", at(10)),
            outbound("919800000001", None, "second", at(10)),
            outbound("919800000001", None, "third", at(10)),
        ],
        at(10),
    )
    .await;
    queue(
        store,
        &ravi,
        vec![outbound("919800000002", None, "hi Ravi", at(10))],
        at(10),
    )
    .await;
    // Not due yet, and so holding back nothing but itself.
    queue(
        store,
        &meera,
        vec![outbound("919800000003", None, "later", at(60))],
        at(10),
    )
    .await;
    let (a, r, m) = (
        message_ids(store, &asha).await,
        message_ids(store, &ravi).await,
        message_ids(store, &meera).await,
    );

    assert!(
        claim_ids(store, at(9)).await.is_empty(),
        "nothing due before not_before"
    );
    let first = store.claim_outbox(at(10), secs(30), 100).await.unwrap();
    assert_eq!(
        first.iter().map(|i| i.id).collect::<Vec<_>>(),
        vec![a[0], r[0]]
    );
    let item = &first[0];
    assert_eq!(item.order_number, Some(asha.number));
    assert_eq!(item.customer_key, "919800000001");
    assert_eq!(item.to_wa_id.as_deref(), Some("919800000001"));
    assert_eq!(item.to_user_id, None);
    assert_eq!(item.body["text"]["body"], "first");
    assert_eq!(item.attempts, 1);
    let states: Vec<MessageState> = store
        .messages_for_order(asha.number)
        .await
        .unwrap()
        .iter()
        .map(|m| m.state)
        .collect();
    assert_eq!(
        states,
        [
            MessageState::Sending,
            MessageState::Queued,
            MessageState::Queued
        ]
    );

    store
        .outbox_sent(r[0], "wamid.out.r0", at(11))
        .await
        .unwrap();

    // Asha's second waits for her first, whatever the time.
    assert!(claim_ids(store, at(20)).await.is_empty());
    store
        .outbox_sent(a[0], "wamid.out.a0", at(21))
        .await
        .unwrap();
    assert_eq!(claim_ids(store, at(21)).await, vec![a[1]]);
    // A failure ends a message too; the next one then goes.
    store
        .outbox_failed(a[1], "(#131026) undeliverable", at(22))
        .await
        .unwrap();
    // A retried head still holds the line until it is done.
    assert_eq!(claim_ids(store, at(22)).await, vec![a[2]]);
    store
        .outbox_retry(a[2], at(40), "(#130429) rate limit hit")
        .await
        .unwrap();
    queue(
        store,
        &asha,
        vec![outbound("919800000001", None, "fourth", at(10))],
        at(23),
    )
    .await;
    let a3 = *message_ids(store, &asha).await.last().unwrap();
    assert!(claim_ids(store, at(30)).await.is_empty());
    assert_eq!(claim_ids(store, at(60)).await, vec![a[2], m[0]]);
    store
        .outbox_sent(a[2], "wamid.out.a2", at(61))
        .await
        .unwrap();
    store
        .outbox_sent(m[0], "wamid.out.m0", at(61))
        .await
        .unwrap();
    assert_eq!(claim_ids(store, at(61)).await, vec![a3]);
}

pub async fn case_claim_lease(store: &dyn Store) {
    let asha = create_order(store, cart("Asha", "919800000001", at(0))).await;
    queue(
        store,
        &asha,
        vec![
            outbound("919800000001", None, "first", at(0)),
            outbound("919800000001", None, "second", at(0)),
        ],
        at(0),
    )
    .await;
    let first = store.claim_outbox(at(100), secs(30), 10).await.unwrap();
    assert_eq!(first.len(), 1);
    assert_eq!(first[0].attempts, 1);
    assert!(claim_ids(store, at(129)).await.is_empty(), "leased");
    // The sender died: once the lease runs out the same message is claimed
    // again, still ahead of the customer's next one.
    let again = store.claim_outbox(at(130), secs(30), 10).await.unwrap();
    assert_eq!(again.len(), 1);
    assert_eq!(again[0].id, first[0].id);
    assert_eq!(again[0].attempts, 2);
    assert_eq!(again[0].body, first[0].body);
    assert!(claim_ids(store, at(159)).await.is_empty());
    store
        .outbox_sent(first[0].id, "wamid.out.1", at(140))
        .await
        .unwrap();
    let next = store.claim_outbox(at(141), secs(30), 10).await.unwrap();
    assert_eq!(next.len(), 1);
    assert!(next[0].id > first[0].id);
    assert_eq!(next[0].attempts, 1);
}

pub async fn case_claim_concurrent(store: &dyn Store) {
    const CUSTOMERS: usize = 12;
    const CLAIMERS: usize = 6;
    let orders = create_many(store, CUSTOMERS).await;
    let mut heads = BTreeSet::new();
    for order in &orders {
        let key = order.customer.wa_id.clone().unwrap();
        let messages = (0..3)
            .map(|i| outbound(&key, None, &format!("message {i}"), at(0)))
            .collect();
        queue(store, order, messages, at(1)).await;
        heads.insert(store.messages_for_order(order.number).await.unwrap()[0].id);
    }
    let claimer = || async move {
        let mut mine = Vec::new();
        loop {
            let got = store.claim_outbox(at(10), secs(60), 2).await.unwrap();
            if got.is_empty() {
                return mine;
            }
            mine.extend(got.into_iter().map(|m| m.id));
            tokio::task::yield_now().await;
        }
    };
    let claimed: Vec<Vec<i64>> = join_all((0..CLAIMERS).map(|_| claimer()).collect()).await;
    let all: Vec<i64> = claimed.iter().flatten().copied().collect();
    let unique: BTreeSet<i64> = all.iter().copied().collect();
    assert_eq!(
        all.len(),
        unique.len(),
        "a message was claimed twice: {claimed:?}"
    );
    assert_eq!(unique, heads, "exactly each customer's first message");
}

pub async fn case_outbox_transitions(store: &dyn Store) {
    let asha = create_order(store, cart("Asha", "919800000001", at(0))).await;
    queue(
        store,
        &asha,
        vec![
            outbound("919800000001", None, "Add delivery address", at(0)),
            outbound("919800000001", None, "Pay now", at(0)),
        ],
        at(1),
    )
    .await;
    let ids: Vec<i64> = store
        .messages_for_order(asha.number)
        .await
        .unwrap()
        .iter()
        .map(|m| m.id)
        .collect();
    let seq = store.last_event_seq().await.unwrap();

    // Sent: the wamid is kept and announced.
    assert_eq!(claim_ids(store, at(2)).await, vec![ids[0]]);
    let sent = store
        .outbox_sent(ids[0], "wamid.out.1", at(3))
        .await
        .unwrap();
    assert_eq!(sent.state, MessageState::Sent);
    assert_eq!(sent.wamid.as_deref(), Some("wamid.out.1"));
    assert_eq!(sent.sent_at, Some(micros(at(3))));
    assert_eq!(sent.text, "Add delivery address");
    assert_eq!(
        store.messages_for_order(asha.number).await.unwrap()[0],
        sent
    );
    let events = events_after(store, seq).await;
    assert_eq!(kinds(&events), vec![EventKind::MessageSent]);
    assert_eq!(events[0].order_number, Some(asha.number));
    assert_eq!(events[0].at, micros(at(3)));
    assert_eq!(events[0].data["number"], asha.number.get());
    assert_eq!(
        events[0].data["message"],
        serde_json::to_value(&sent).unwrap()
    );
    assert_eq!(events[0].data["message"]["state"], "sent");
    // Recording it again (a second sender after a lease ran out) changes nothing.
    let seq = store.last_event_seq().await.unwrap();
    assert_eq!(
        store
            .outbox_sent(ids[0], "wamid.out.1b", at(4))
            .await
            .unwrap(),
        sent
    );
    assert_eq!(store.last_event_seq().await.unwrap(), seq);

    // Retry: back in the queue with the error, not before the given time.
    assert_eq!(claim_ids(store, at(5)).await, vec![ids[1]]);
    store
        .outbox_retry(ids[1], at(20), "(#130429) rate limit hit")
        .await
        .unwrap();
    let retried = store.messages_for_order(asha.number).await.unwrap()[1].clone();
    assert_eq!(retried.state, MessageState::Queued);
    assert_eq!(retried.error.as_deref(), Some("(#130429) rate limit hit"));
    assert!(claim_ids(store, at(19)).await.is_empty());
    let again = store.claim_outbox(at(20), secs(30), 10).await.unwrap();
    assert_eq!(again.len(), 1);
    assert_eq!(again[0].attempts, 2);
    assert_eq!(
        store.last_event_seq().await.unwrap(),
        seq,
        "a retry is no news"
    );

    // A wamid names one message only.
    let taken = store.outbox_sent(ids[1], "wamid.out.1", at(21)).await;
    assert!(
        matches!(&taken, Err(StoreError::Duplicate(what)) if what == "a message with this WhatsApp id"),
        "{taken:?}"
    );

    // Failed: shown on the order and announced.
    let failed = store
        .outbox_failed(ids[1], "(#131047) re-engagement message", at(22))
        .await
        .unwrap();
    assert_eq!(failed.state, MessageState::Failed);
    assert_eq!(
        failed.error.as_deref(),
        Some("(#131047) re-engagement message")
    );
    assert_eq!(failed.wamid, None);
    let events = events_after(store, seq).await;
    assert_eq!(kinds(&events), vec![EventKind::MessageStatus]);
    assert_eq!(
        events[0].data["message"],
        serde_json::to_value(&failed).unwrap()
    );
    let mut notice = TimelineEntry::new(micros(at(22)), TimelineKind::Notice, &Actor::System);
    notice.detail = Some("message could not be sent: (#131047) re-engagement message".to_owned());
    assert_eq!(
        store.timeline(asha.number).await.unwrap().last(),
        Some(&notice)
    );
    assert_eq!(
        store.order(asha.number).await.unwrap(),
        asha,
        "the order itself is unchanged"
    );
    // A finished message is not retried or failed again.
    store.outbox_retry(ids[1], at(30), "late").await.unwrap();
    assert_eq!(
        store.outbox_failed(ids[0], "late", at(30)).await.unwrap(),
        sent
    );
    assert!(claim_ids(store, at(100)).await.is_empty());
    assert_eq!(store.timeline(asha.number).await.unwrap().len(), 2);

    // A message about no order fails without a timeline.
    let loose = store
        .queue_outbound(&[outbound("15550001111", None, "hi", at(0))], at(40))
        .await
        .unwrap();
    assert_eq!(claim_ids(store, at(40)).await, vec![loose[0].id]);
    let failed = store
        .outbox_failed(loose[0].id, "invalid recipient", at(41))
        .await
        .unwrap();
    assert_eq!(failed.state, MessageState::Failed);
    let last = events_after(store, 0).await.pop().unwrap();
    assert_eq!(last.kind, EventKind::MessageStatus);
    assert_eq!(last.order_number, None);
    assert_eq!(last.data["number"], serde_json::Value::Null);
}

pub async fn case_message_status(store: &dyn Store) {
    use MessageState::*;
    let asha = create_order(store, cart("Asha", "919800000001", at(0))).await;
    let sent = send_one(store, &asha, "wamid.out.1", at(1)).await;
    let seq = store.last_event_seq().await.unwrap();
    let status = |state, secs| async move {
        store
            .message_status("wamid.out.1", state, at(secs), None)
            .await
            .unwrap()
            .map(|m| m.state)
    };
    // Out of order and repeated, as webhooks come.
    assert_eq!(status(Sent, 2).await, None, "already sent");
    assert_eq!(status(Delivered, 3).await, Some(Delivered));
    assert_eq!(status(Delivered, 4).await, None, "a repeat");
    assert_eq!(status(Sent, 5).await, None, "an older state");
    assert_eq!(status(Read, 6).await, Some(Read));
    assert_eq!(status(Delivered, 7).await, None);
    assert_eq!(status(Failed, 8).await, None, "failed never undoes read");
    assert_eq!(status(Read, 9).await, None);
    let now = store.messages_for_order(asha.number).await.unwrap()[0].clone();
    assert_eq!(
        now,
        ChatMessage {
            state: Read,
            ..sent.clone()
        }
    );
    let events = events_after(store, seq).await;
    assert_eq!(kinds(&events), vec![EventKind::MessageStatus; 2]);
    assert_eq!(events[1].data["message"]["state"], "read");
    assert_eq!(events[1].data["number"], asha.number.get());
    assert_eq!(events[1].at, micros(at(6)));

    // Read before delivered: delivered then changes nothing.
    let second = send_one(store, &asha, "wamid.out.2", at(10)).await;
    let read = store
        .message_status("wamid.out.2", Read, at(12), None)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        read,
        ChatMessage {
            state: Read,
            ..second
        }
    );
    assert_eq!(
        store
            .message_status("wamid.out.2", Delivered, at(11), None)
            .await
            .unwrap(),
        None
    );

    // Failed replaces sent (with the reason, shown on the order), and a late
    // `sent` does not undo it.
    send_one(store, &asha, "wamid.out.3", at(20)).await;
    let failed = store
        .message_status(
            "wamid.out.3",
            Failed,
            at(21),
            Some("(#131026) not on WhatsApp"),
        )
        .await
        .unwrap()
        .unwrap();
    assert_eq!(failed.state, Failed);
    assert_eq!(failed.error.as_deref(), Some("(#131026) not on WhatsApp"));
    assert_eq!(
        store
            .message_status("wamid.out.3", Sent, at(20), None)
            .await
            .unwrap(),
        None
    );
    assert_eq!(
        store
            .message_status("wamid.out.3", Failed, at(22), None)
            .await
            .unwrap(),
        None
    );
    let notice = store.timeline(asha.number).await.unwrap().pop().unwrap();
    assert_eq!(notice.kind, TimelineKind::Notice);
    assert_eq!(
        notice.detail.as_deref(),
        Some("message could not be sent: (#131026) not on WhatsApp")
    );

    // The same through the inbox, where statuses arrive as items.
    send_one(store, &asha, "wamid.out.4", at(30)).await;
    let st = |state, secs| InboundOutcome::Status {
        wamid: "wamid.out.4".to_owned(),
        state,
        at: at(secs),
        error: None,
    };
    let (_, results) = complete_items(
        store,
        vec![
            ("919800000001", st(Read, 32)),
            ("919800000001", st(Delivered, 31)),
            ("919800000001", st(Sent, 30)),
        ],
    )
    .await;
    let states: Vec<Option<MessageState>> = results
        .iter()
        .map(|r| match r {
            InboundResult::Done {
                order: None,
                message,
            } => message.as_ref().map(|m| m.state),
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(states, vec![Some(Read), None, None]);
    assert!(store.pending_inbound(10).await.unwrap().is_empty());
    // Statuses of messages we do not know change nothing.
    assert_eq!(
        store
            .message_status("wamid.unknown", Read, at(40), None)
            .await
            .unwrap(),
        None
    );
}

pub async fn case_inbound_message(store: &dyn Store) {
    let key = "US.asha";
    let first = NewInboundMessage {
        user_id: Some(key.to_owned()),
        name: Some("Asha".to_owned()),
        ..inbound_message(key, "wamid.in.1", "Is the mug dishwasher-safe? 🙏", at(50))
    };
    let (_, results) =
        complete_items(store, vec![(key, InboundOutcome::Message(first.clone()))]).await;
    let InboundResult::Done {
        order: None,
        message: Some(stored),
    } = &results[0]
    else {
        panic!("{results:?}");
    };
    assert_eq!(
        *stored,
        ChatMessage {
            id: stored.id,
            order_number: None,
            customer_key: key.to_owned(),
            direction: Direction::In,
            wamid: Some("wamid.in.1".to_owned()),
            kind: "text".to_owned(),
            text: "Is the mug dishwasher-safe? 🙏".to_owned(),
            state: MessageState::Received,
            error: None,
            created_at: micros(at(50)),
            sent_at: None,
        }
    );
    assert_eq!(
        store.customer(key).await.unwrap(),
        Some(CustomerRecord {
            key: key.to_owned(),
            wa_id: Some(key.to_owned()),
            user_id: Some(key.to_owned()),
            name: Some("Asha".to_owned()),
            last_inbound_at: Some(micros(at(50))),
            last_address: None,
        })
    );
    let events = events_after(store, 0).await;
    assert_eq!(kinds(&events), vec![EventKind::MessageReceived]);
    assert_eq!(events[0].order_number, None);
    assert_eq!(events[0].at, micros(at(50)));
    assert_eq!(
        events[0].data,
        serde_json::json!({ "number": null, "message": serde_json::to_value(stored).unwrap() })
    );

    // An older message arriving late does not move last_inbound_at back, and
    // missing ids or name do not erase known ones.
    let late = NewInboundMessage {
        wa_id: None,
        ..inbound_message(key, "wamid.in.0", "hello?", at(40))
    };
    // A repeated wamid is recorded once.
    let repeated = inbound_message(key, "wamid.in.1", "again", at(60));
    let renamed = NewInboundMessage {
        name: Some("Asha R.".to_owned()),
        wa_id: Some("919800000001".to_owned()),
        ..inbound_message(key, "wamid.in.2", "thanks", at(70))
    };
    let (_, results) = complete_items(
        store,
        vec![
            (key, InboundOutcome::Message(late)),
            (key, InboundOutcome::Message(repeated)),
            (key, InboundOutcome::Message(renamed)),
        ],
    )
    .await;
    assert!(
        matches!(results[1], InboundResult::Done { message: None, .. }),
        "{results:?}"
    );
    let customer = store.customer(key).await.unwrap().unwrap();
    assert_eq!(customer.last_inbound_at, Some(micros(at(70))));
    assert_eq!(customer.name.as_deref(), Some("Asha R."));
    assert_eq!(customer.wa_id.as_deref(), Some("919800000001"));
    assert_eq!(customer.user_id.as_deref(), Some(key));

    let thread = store.messages_for_customer(key, 10).await.unwrap();
    let texts: Vec<&str> = thread.iter().map(|m| m.text.as_str()).collect();
    assert_eq!(
        texts,
        ["Is the mug dishwasher-safe? 🙏", "hello?", "thanks"],
        "arrival order"
    );
    let latest = store.messages_for_customer(key, 2).await.unwrap();
    assert_eq!(latest, thread[1..]);
    assert_eq!(
        kinds(&events_after(store, 0).await),
        vec![EventKind::MessageReceived; 3]
    );
    assert!(store.pending_inbound(10).await.unwrap().is_empty());

    // A message about an order is in that order's thread.
    let order = create_order(store, cart("Ravi", "919800000002", at(80))).await;
    let about = NewInboundMessage {
        order_number: Some(order.number),
        ..inbound_message("919800000002", "wamid.in.3", "where is it?", at(90))
    };
    complete_items(
        store,
        vec![("919800000002", InboundOutcome::Message(about))],
    )
    .await;
    let thread = store.messages_for_order(order.number).await.unwrap();
    assert_eq!(thread.len(), 1);
    assert_eq!(thread[0].order_number, Some(order.number));
    let last = events_after(store, 0).await;
    let last = last
        .iter()
        .rfind(|e| e.kind == EventKind::MessageReceived)
        .unwrap();
    assert_eq!(last.order_number, Some(order.number));
    assert_eq!(last.data["number"], order.number.get());
    assert_eq!(
        store
            .customer("919800000002")
            .await
            .unwrap()
            .unwrap()
            .last_inbound_at,
        Some(micros(at(90)))
    );
}

pub async fn case_create_order_with_work(store: &dyn Store) {
    let by_user_id = NewOrder {
        customer: Customer {
            wa_id: Some("919800000001".to_owned()),
            user_id: Some("US.asha".to_owned()),
            name: Some("Asha".to_owned()),
        },
        ..cart("", "", at(5))
    };
    let (_, results) = complete_items(
        store,
        vec![(
            "US.asha",
            InboundOutcome::CreateOrder {
                order: by_user_id.clone(),
                outbound: vec![outbound("US.asha", None, "Add delivery address", at(5))],
                jobs: vec![(JobKind::Nudge, at(3_605)), (JobKind::Abandon, at(86_405))],
            },
        )],
    )
    .await;
    let InboundResult::Done {
        order: Some(order),
        message: None,
    } = &results[0]
    else {
        panic!("{results:?}");
    };
    assert_eq!(*order, expected_order(n(1001), &by_user_id));
    let thread = store.messages_for_order(order.number).await.unwrap();
    assert_eq!(thread.len(), 1);
    assert_eq!(
        thread[0].order_number,
        Some(order.number),
        "the store filled it in"
    );
    assert_eq!(thread[0].state, MessageState::Queued);
    assert_eq!(thread[0].created_at, micros(at(5)));
    assert_eq!(claim_ids(store, at(5)).await, vec![thread[0].id]);
    let jobs = store
        .claim_due_jobs(at(100_000), secs(30), 10)
        .await
        .unwrap();
    let jobs: Vec<(JobKind, OrderNumber, Timestamp)> = jobs
        .iter()
        .map(|j| (j.kind, j.order_number, j.due_at))
        .collect();
    assert_eq!(
        jobs,
        vec![
            (JobKind::Nudge, order.number, micros(at(3_605))),
            (JobKind::Abandon, order.number, micros(at(86_405))),
        ]
    );
    assert_eq!(
        store.customer("US.asha").await.unwrap(),
        Some(CustomerRecord {
            key: "US.asha".to_owned(),
            wa_id: Some("919800000001".to_owned()),
            user_id: Some("US.asha".to_owned()),
            name: Some("Asha".to_owned()),
            last_inbound_at: Some(micros(at(5))),
            last_address: None,
        })
    );
    // Only the order is news; its messages are when they are sent.
    assert_eq!(
        kinds(&events_after(store, 0).await),
        vec![EventKind::OrderCreated]
    );
    // The plain form still creates a bare order.
    let (_, results) = complete_items(
        store,
        vec![(
            "919800000002",
            InboundOutcome::create_order(cart("Ravi", "919800000002", at(6))),
        )],
    )
    .await;
    let bare = results[0].clone().into_order().unwrap();
    assert_eq!(bare.number, n(1002));
    assert!(store
        .messages_for_order(bare.number)
        .await
        .unwrap()
        .is_empty());
    assert!(store.customer("919800000002").await.unwrap().is_some());
}

pub async fn case_message_and_update(store: &dyn Store) {
    let asha = create_order(store, cart("Asha", "919800000001", at(0))).await;
    let ravi = create_order(store, cart("Ravi", "919800000002", at(0))).await;
    let seq = store.last_event_seq().await.unwrap();
    let note_update = |version| InboundOutcome::MessageAndUpdate {
        message: inbound_message("919800000001", "wamid.in.note", "ring twice", at(10)),
        number: asha.number,
        expected_version: version,
        update: OrderUpdate {
            note: Some("ring twice".to_owned()),
            outbound: vec![outbound("919800000001", None, "Note saved", at(10))],
            ..OrderUpdate::default()
        },
    };
    let after = |wamid: &str, secs| {
        InboundOutcome::Message(inbound_message(
            "919800000001",
            wamid,
            "and another thing",
            at(secs),
        ))
    };
    let ravi_says =
        InboundOutcome::Message(inbound_message("919800000002", "wamid.in.r", "hi", at(11)));

    // Decided at a version the order has left: nothing of it applies, and
    // Asha's later item waits behind it; Ravi's goes ahead.
    let (ids, results) = complete_items(
        store,
        vec![
            ("919800000001", note_update(0)),
            ("919800000001", after("wamid.in.after", 12)),
            ("919800000002", ravi_says),
        ],
    )
    .await;
    assert_eq!(
        results[..2],
        [
            InboundResult::Conflict {
                number: asha.number,
                current_version: 1
            },
            InboundResult::Deferred,
        ]
    );
    assert!(
        matches!(
            results[2],
            InboundResult::Done {
                message: Some(_),
                ..
            }
        ),
        "{results:?}"
    );
    let pending: Vec<i64> = store
        .pending_inbound(10)
        .await
        .unwrap()
        .iter()
        .map(|r| r.id)
        .collect();
    assert_eq!(pending, ids[..2]);
    assert_eq!(store.order(asha.number).await.unwrap(), asha);
    assert!(store
        .messages_for_customer("919800000001", 10)
        .await
        .unwrap()
        .is_empty());
    assert_eq!(
        kinds(&events_after(store, seq).await),
        vec![EventKind::MessageReceived]
    );
    let seq = store.last_event_seq().await.unwrap();

    // Decided again against the current order: both apply, in order.
    let retried = store
        .complete_inbound_detailed(&[
            (ids[0], note_update(1)),
            (ids[1], after("wamid.in.after", 12)),
        ])
        .await
        .unwrap();
    let InboundResult::Done {
        order: Some(updated),
        message: Some(message),
    } = &retried[0]
    else {
        panic!("{retried:?}");
    };
    assert_eq!(updated.note.as_deref(), Some("ring twice"));
    assert_eq!(updated.version, 2);
    assert_eq!(
        updated.updated_at,
        micros(at(10)),
        "applied at the message's time"
    );
    assert_eq!(
        message.order_number,
        Some(asha.number),
        "the message belongs to the order"
    );
    assert!(matches!(
        retried[1],
        InboundResult::Done {
            message: Some(_),
            ..
        }
    ));
    assert!(store.pending_inbound(10).await.unwrap().is_empty());
    let thread = store.messages_for_order(asha.number).await.unwrap();
    let shape: Vec<(Direction, MessageState)> =
        thread.iter().map(|m| (m.direction, m.state)).collect();
    assert_eq!(
        shape,
        [
            (Direction::In, MessageState::Received),
            (Direction::Out, MessageState::Queued)
        ]
    );
    let events = events_after(store, seq).await;
    assert_eq!(
        kinds(&events),
        [
            EventKind::MessageReceived,
            EventKind::OrderUpdated,
            EventKind::MessageReceived
        ]
    );
    assert_eq!(events[1].data, serde_json::to_value(updated).unwrap());
    assert_eq!(
        store
            .customer("919800000001")
            .await
            .unwrap()
            .unwrap()
            .last_inbound_at,
        Some(micros(at(12)))
    );

    // Completing the same items again applies nothing.
    let again = store
        .complete_inbound_detailed(&[(ids[0], note_update(2)), (ids[1], after("wamid.in.x", 13))])
        .await
        .unwrap();
    assert_eq!(again, [InboundResult::Skipped, InboundResult::Skipped]);
    assert_eq!(store.order(asha.number).await.unwrap(), *updated);

    // A stage move planned from a stage the order has left conflicts too,
    // and the old-style call reports it as nothing applied.
    let confirm = plan(&asha, OrderStatus::Confirmed, Actor::Bot, None);
    let cancel = InboundOutcome::MessageAndUpdate {
        message: inbound_message("919800000001", "wamid.in.cancel", "cancel", at(20)),
        number: asha.number,
        expected_version: 2,
        update: OrderUpdate {
            status_change: Some(plan(
                &asha,
                OrderStatus::Cancelled,
                Actor::Customer,
                Some("changed mind"),
            )),
            ..OrderUpdate::default()
        },
    };
    store
        .change_status(asha.number, 2, &confirm, at(19))
        .await
        .unwrap();
    let recorded = store
        .record_inbound(&[NewInbound {
            customer_key: Some("919800000001".to_owned()),
            ..unique_item()
        }])
        .await
        .unwrap();
    let [Recorded::New(id)] = recorded[..] else {
        panic!("{recorded:?}")
    };
    let got = store.complete_inbound(&[(id, cancel)]).await.unwrap();
    assert_eq!(got, vec![None]);
    assert_eq!(store.pending_inbound(10).await.unwrap().len(), 1);
    assert_eq!(
        store.order(asha.number).await.unwrap().status,
        OrderStatus::Confirmed
    );
    assert_eq!(
        store.messages_for_order(ravi.number).await.unwrap().len(),
        0
    );
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

pub async fn case_message_templates(store: &dyn Store) {
    assert!(store.message_templates().await.unwrap().is_empty());
    let at = micros(chrono::Utc::now());
    let shipped_hi = crate::MessageTemplate {
        key: "stage.shipped".into(),
        language: "hi".into(),
        body: Some("आपका ऑर्डर #{number} भेज दिया गया है".into()),
        enabled: true,
        whatsapp_template: Some("order_shipped".into()),
        whatsapp_language: Some("hi".into()),
        updated_at: at,
    };
    let approved_off = crate::MessageTemplate {
        key: "stage.approved".into(),
        language: "en".into(),
        body: None,
        enabled: false,
        whatsapp_template: None,
        whatsapp_language: None,
        updated_at: at,
    };
    store.put_message_template(&shipped_hi).await.unwrap();
    store.put_message_template(&approved_off).await.unwrap();
    assert_eq!(
        store.message_templates().await.unwrap(),
        [approved_off.clone(), shipped_hi.clone()],
        "by key, then language"
    );
    let mut on_again = approved_off.clone();
    on_again.enabled = true;
    on_again.body = Some("Approved: #{number}".into());
    store.put_message_template(&on_again).await.unwrap();
    assert_eq!(
        store.message_templates().await.unwrap(),
        [on_again, shipped_hi]
    );
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

// ---- several instances ---------------------------------------------------------

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

/// WhatsApp's status webhook can beat the Graph API's answer (and so
/// `outbox_sent`): the status is kept and applied when the wamid is recorded.
pub async fn case_early_status(store: &dyn Store) {
    use MessageState::*;
    let asha = create_order(store, cart("Asha", "919800000001", at(0))).await;
    let key = asha.customer.wa_id.clone().unwrap();
    queue(
        store,
        &asha,
        vec![outbound(&key, None, "hello", at(1))],
        at(1),
    )
    .await;
    let claimed = store.claim_outbox(at(1), secs(30), 10).await.unwrap();
    assert_eq!(claimed.len(), 1);
    // Delivered, then a repeat and an older `sent`, all before the wamid is known.
    for (state, secs) in [(Delivered, 3), (Delivered, 4), (Sent, 2)] {
        assert_eq!(
            store
                .message_status("wamid.early", state, at(secs), None)
                .await
                .unwrap(),
            None
        );
    }
    let seq = store.last_event_seq().await.unwrap();
    let sent = store
        .outbox_sent(claimed[0].id, "wamid.early", at(2))
        .await
        .unwrap();
    assert_eq!(sent.wamid.as_deref(), Some("wamid.early"));
    let now = store.messages_for_order(asha.number).await.unwrap();
    assert_eq!(now[0].state, Delivered, "{now:?}");
    let events = events_after(store, seq).await;
    assert_eq!(
        kinds(&events),
        vec![EventKind::MessageSent, EventKind::MessageStatus]
    );
    // Applied once: a later read still moves it on, nothing is re-applied.
    assert_eq!(
        store
            .message_status("wamid.early", Read, at(5), None)
            .await
            .unwrap()
            .map(|m| m.state),
        Some(Read)
    );
}

// ---- dashboard sessions and staff administration ----------------------------------

async fn staff_user(store: &dyn Store, email: &str, role: Role) -> crate::User {
    store
        .create_user(&NewUser {
            email: email.to_owned(),
            role,
            password_hash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA".to_owned(),
            created_at: at(0),
        })
        .await
        .unwrap()
}

fn new_session(id_hash: &str, user_id: i64, created: i64, expires: i64) -> NewSession {
    NewSession {
        id_hash: id_hash.to_owned(),
        user_id,
        csrf_token: format!("csrf-{id_hash}"),
        created_at: at(created),
        expires_at: at(expires),
    }
}

pub async fn case_sessions(store: &dyn Store) {
    let owner = staff_user(store, "owner@shop.test", Role::Owner).await;
    store
        .create_session(&new_session("aa", owner.id, 0, 100))
        .await
        .unwrap();
    let found = store.session("aa", at(10)).await.unwrap().unwrap();
    assert_eq!(found.user, owner);
    assert_eq!(found.csrf_token, "csrf-aa");
    assert_eq!(found.expires_at, micros(at(100)));
    assert_eq!(store.session("bb", at(10)).await.unwrap(), None);
    // Expired at exactly its expiry time.
    assert_eq!(store.session("aa", at(100)).await.unwrap(), None);

    let same = store
        .create_session(&new_session("aa", owner.id, 1, 100))
        .await;
    assert!(matches!(same, Err(StoreError::Duplicate(_))), "{same:?}");

    // A new session sweeps the expired ones away.
    store
        .create_session(&new_session("cc", owner.id, 200, 300))
        .await
        .unwrap();
    assert_eq!(store.session("aa", at(50)).await.unwrap(), None);
    assert!(store.session("cc", at(250)).await.unwrap().is_some());

    store.delete_session("cc").await.unwrap();
    assert_eq!(store.session("cc", at(250)).await.unwrap(), None);
    store.delete_session("cc").await.unwrap();
}

pub async fn case_delete_user(store: &dyn Store) {
    let owner = staff_user(store, "owner@shop.test", Role::Owner).await;
    let agent = staff_user(store, "agent@shop.test", Role::Agent).await;
    assert_eq!(
        store.users().await.unwrap(),
        vec![owner.clone(), agent.clone()]
    );
    for (hash, user) in [("o1", &owner), ("a1", &agent), ("a2", &agent)] {
        store
            .create_session(&new_session(hash, user.id, 0, 100))
            .await
            .unwrap();
    }
    store.delete_user(agent.id).await.unwrap();
    assert_eq!(store.users().await.unwrap(), vec![owner.clone()]);
    assert_eq!(store.session("a1", at(1)).await.unwrap(), None);
    assert_eq!(store.session("a2", at(1)).await.unwrap(), None);
    assert!(store.session("o1", at(1)).await.unwrap().is_some());
    assert!(store
        .user_by_email("agent@shop.test")
        .await
        .unwrap()
        .is_none());
    assert!(matches!(
        store.delete_user(agent.id).await,
        Err(StoreError::NotFound)
    ));
    // The email is free again.
    staff_user(store, "agent@shop.test", Role::Admin).await;
}

pub async fn case_revoke_token(store: &dyn Store) {
    let mut made = Vec::new();
    for (name, hash) in [("zapier", "aa".repeat(32)), ("erp", "bb".repeat(32))] {
        made.push(
            store
                .create_token(&NewApiToken {
                    name: name.to_owned(),
                    secret_hash: hash,
                    created_at: at(0),
                })
                .await
                .unwrap(),
        );
    }
    assert_eq!(store.tokens().await.unwrap(), made);
    store.revoke_token(made[0].id, at(5)).await.unwrap();
    assert_eq!(store.tokens().await.unwrap(), vec![made[1].clone()]);
    assert_eq!(store.token_by_hash(&"aa".repeat(32)).await.unwrap(), None);
    assert!(store
        .token_by_hash(&"bb".repeat(32))
        .await
        .unwrap()
        .is_some());
    assert!(matches!(
        store.revoke_token(made[0].id, at(6)).await,
        Err(StoreError::NotFound)
    ));
    assert!(matches!(
        store.revoke_token(9_999, at(6)).await,
        Err(StoreError::NotFound)
    ));
}

pub async fn case_list_date_range(store: &dyn Store) {
    // Created one second apart: at(0) .. at(4).
    create_many(store, 5).await;
    let (found, _) = list(
        store,
        OrderQuery {
            created_from: Some(at(1)),
            created_before: Some(at(3)),
            ..query(50)
        },
    )
    .await;
    assert_eq!(found, vec![1003, 1002]);
    let (found, _) = list(
        store,
        OrderQuery {
            created_from: Some(at(3)),
            ..query(50)
        },
    )
    .await;
    assert_eq!(found, vec![1005, 1004]);
    let (found, _) = list(
        store,
        OrderQuery {
            created_before: Some(at(1)),
            ..query(50)
        },
    )
    .await;
    assert_eq!(found, vec![1001]);
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_case_is_run_by_the_suite_macro() {
        let source = include_str!("testkit.rs");
        let (macro_body, _) = source
            .split_once("/// What a conformance test runs against.")
            .unwrap();
        let cases: Vec<&str> = source
            .lines()
            .filter_map(|l| l.strip_prefix("pub async fn "))
            .filter_map(|l| l.split_once('(').map(|(name, _)| name))
            .filter(|name| name.starts_with("case_"))
            .collect();
        assert!(cases.len() > 20, "{cases:?}");
        for case in cases {
            assert!(
                macro_body.contains(&format!("=> {case},")),
                "{case} is not listed in conformance_suite!"
            );
        }
    }
}
