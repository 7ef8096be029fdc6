//! A checkout outcome as an order update, applied at the version it was
//! decided from; and telling older open orders a newer cart replaced them.

use std::collections::{BTreeMap, BTreeSet};

use chrono::Utc;
use orderdesk_domain::Actor;
use orderdesk_domain::{
    advance, plan_transition, CheckoutInput, CheckoutState, Order, PaymentChoice, PaymentMethod,
    PaymentStatus, TimelineEntry, TimelineKind, Timestamp,
};
use orderdesk_payments::PaymentLink;
use orderdesk_store::{customer_key_of, NewTimer, OrderUpdate, TimerKind};

use crate::texts::Texts;
use crate::EngineError;

use super::{checkout_timers, render, CheckoutConfig};

/// The order update a checkout outcome asks for, with its first stage move,
/// and the further moves to make after it (at most one: a resume may be
/// followed by the completion).
pub(crate) fn update_from(
    config: &CheckoutConfig,
    texts: &Texts,
    link: Option<&PaymentLink>,
    order: &Order,
    outcome: orderdesk_domain::CheckoutOutcome,
    now: Timestamp,
) -> Result<(OrderUpdate, Vec<orderdesk_domain::TransitionRequest>), EngineError> {
    let mut update = OrderUpdate::default();
    if outcome.step != order.checkout_step {
        update.checkout_step = Some(outcome.step);
    }
    if let Some(note) = &outcome.changes.note {
        update.note = Some(note.clone());
        let mut entry = TimelineEntry::new(now, TimelineKind::NoteSet, &Actor::Customer);
        entry.detail = Some(note.clone());
        update.timeline.push(entry);
    }
    if let Some(choice) = outcome.changes.payment_method {
        update.payment_method = match choice {
            PaymentChoice::Cod => Some(PaymentMethod::Cod),
            PaymentChoice::Online => None,
        };
    }
    update.payment_status = outcome.changes.payment_status;
    update.off_script = outcome.changes.off_script;
    update
        .address_as_typed
        .clone_from(&outcome.changes.address_as_typed);
    // The right amount arrived: an earlier mismatch no longer needs a look.
    if update.payment_status == Some(PaymentStatus::Paid) && order.payment_review.is_some() {
        update.payment_review = Some(None);
    }
    let mut moves = outcome.moves.into_iter();
    if let Some(first) = moves.next() {
        update.status_change = Some(plan_transition(order.status, order.held_from, first)?);
    }
    let leaves_checkout = update
        .status_change
        .as_ref()
        .is_some_and(|c| c.to != orderdesk_domain::OrderStatus::Placed)
        || outcome.step == orderdesk_domain::CheckoutStep::Complete;
    let abandoned = update
        .status_change
        .as_ref()
        .is_some_and(|c| c.to == orderdesk_domain::OrderStatus::Abandoned);
    if abandoned {
        // The later recovery reminders go on: they remind of the resumable
        // cart (`checkout_timers`).
        update.cancel_timers = vec![TimerKind::Nudge, TimerKind::Abandon];
    } else if leaves_checkout {
        update.cancel_timers = TimerKind::CHECKOUT.to_vec();
    } else if outcome.progressed {
        // Progress restarts the idle clock the recovery schedule and the
        // abandonment run on.
        update.cancel_timers = TimerKind::CHECKOUT.to_vec();
        update.timers = checkout_timers(&config.settings_now(), now)
            .into_iter()
            .map(|(kind, due_at)| NewTimer {
                kind,
                order_number: order.number,
                due_at,
            })
            .collect();
    }
    // Where "your order is confirmed" went, should the cash-on-delivery
    // question take its place below.
    let mut confirmation = None;
    for reply in &outcome.replies {
        if let Some(message) = render(config, texts, link, order, reply, now) {
            if matches!(reply, orderdesk_domain::Reply::OrderConfirmed) {
                confirmation = Some(update.outbound.len());
            }
            update.outbound.push(message);
        }
    }
    // A nudge that went out: a checkout completed after it was recovered.
    let nudged = outcome
        .replies
        .iter()
        .any(|r| matches!(r, orderdesk_domain::Reply::Nudge));
    if nudged && !update.outbound.is_empty() {
        update.reminded_at = Some(now);
    }
    if crate::followup::cod::ask_on_completion(config, texts, order, &mut update, now) {
        if let Some(i) = confirmation {
            update.outbound.remove(i);
        }
    }
    if let Some(link) = link {
        update.payment_reference = Some(link.reference.clone());
        if let Some(provider) = &config.payments {
            update.payment_method = Some(provider.method());
        }
        // The open link sent again is not a new attempt (see `crate::links`).
        if order.payment_reference.as_ref() != Some(&link.reference) {
            // A new link after a failed or expired one: pending again (DESIGN §2).
            let status = update.payment_status.unwrap_or(order.payment_status);
            if matches!(status, PaymentStatus::Failed | PaymentStatus::Expired) {
                update.payment_status = Some(PaymentStatus::Pending);
            }
            let mut entry = TimelineEntry::new(now, TimelineKind::PaymentChanged, &Actor::Bot);
            entry.detail = Some(crate::links::issued_detail(link));
            update.timeline.push(entry);
        }
    }
    Ok((update, moves.collect()))
}

/// New carts replaced their customers' older open orders: each is told
/// through the machine (`CartReplaced`), which keeps it (default: it is no
/// longer nudged and its timer ends it) or abandons it at once, per
/// `on_newer_cart`. `created` are a batch's new orders in creation order.
///
/// The open orders of every customer with one new order are read in one
/// query for the batch (this ran once per new order, a round trip each). A
/// customer with several new orders in the batch is read afresh per order:
/// superseding for one changes the older orders the next one sees.
///
/// Best effort after the fact, per order: the new order stands either way,
/// and an older one not told simply runs out on its own timer, as under
/// the default setting. Returns the orders that could not be handled, with
/// why.
pub(crate) async fn supersede_older_all<'a>(
    store: &dyn orderdesk_store::Store,
    config: &CheckoutConfig,
    created: &[&'a Order],
) -> Result<Vec<(&'a Order, EngineError)>, EngineError> {
    let mut per_key: BTreeMap<&str, usize> = BTreeMap::new();
    for order in created {
        if let Some(key) = customer_key_of(&order.customer) {
            *per_key.entry(key).or_default() += 1;
        }
    }
    let single: Vec<String> = per_key
        .iter()
        .filter(|(_, n)| **n == 1)
        .map(|(k, _)| (*k).to_owned())
        .collect();
    let mut open: BTreeMap<&str, Vec<Order>> = BTreeMap::new();
    if !single.is_empty() {
        for order in store.open_orders_for_customers(&single).await? {
            let ids = [&order.customer.user_id, &order.customer.wa_id];
            let keys: BTreeSet<&str> = ids.into_iter().flatten().map(String::as_str).collect();
            for key in keys {
                if let Some((key, _)) = per_key.get_key_value(key).filter(|(_, n)| **n == 1) {
                    open.entry(key).or_default().push(order.clone());
                }
            }
        }
    }
    let mut failed = Vec::new();
    for newer in created {
        let Some(key) = customer_key_of(&newer.customer) else {
            continue;
        };
        let older = match open.remove(key) {
            Some(older) => older,
            None if per_key.get(key) == Some(&1) => Vec::new(),
            None => match store.open_orders_for_customer(key).await {
                Ok(older) => older,
                Err(e) => {
                    failed.push((*newer, e.into()));
                    continue;
                }
            },
        };
        if let Err(e) = supersede(store, config, newer, older).await {
            failed.push((*newer, e));
        }
    }
    Ok(failed)
}

/// Tells the customer's `older` open orders (any order; those not older
/// than `newer` are left alone) that `newer` replaced them.
async fn supersede(
    store: &dyn orderdesk_store::Store,
    config: &CheckoutConfig,
    newer: &Order,
    older: Vec<Order>,
) -> Result<(), EngineError> {
    let now = Utc::now();
    let older: Vec<Order> = older
        .into_iter()
        .filter(|o| o.number < newer.number)
        .collect();
    if older.is_empty() {
        return Ok(());
    }
    let texts = Texts::for_customer(store, &config.language_now(), &newer.customer).await?;
    for order in older {
        let state = CheckoutState::from_order(&order);
        let input = CheckoutInput::CartReplaced {
            newer: newer.number,
        };
        let outcome = match advance(&state, input, &config.settings_now()) {
            Ok(outcome) if !outcome.is_noop(&state) => outcome,
            _ => continue,
        };
        let superseded = outcome.changes.superseded_by.is_some();
        let (mut update, further) = update_from(config, &texts, None, &order, outcome, now)?;
        if superseded {
            // The customer is busy with the newer cart: no reminders of this one.
            for kind in TimerKind::reminders() {
                if !update.cancel_timers.contains(&kind) {
                    update.cancel_timers.push(kind);
                }
            }
        }
        apply_update(store, &order, &update, further, now).await?;
    }
    Ok(())
}

/// Applies a checkout update at the version it was decided from, then any
/// further stage move the outcome asked for (a resume followed by the
/// completion), each at the version the previous one left.
pub(crate) async fn apply_update(
    store: &dyn orderdesk_store::Store,
    order: &Order,
    update: &OrderUpdate,
    further: Vec<orderdesk_domain::TransitionRequest>,
    now: Timestamp,
) -> Result<Order, EngineError> {
    let mut updated = store
        .update_order(order.number, order.version, update, now)
        .await?;
    for next in further {
        let change = plan_transition(updated.status, updated.held_from, next)?;
        updated = store
            .change_status(order.number, updated.version, &change, now)
            .await?;
    }
    Ok(updated)
}
