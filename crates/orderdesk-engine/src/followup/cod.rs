//! The cash-on-delivery confirmation as order updates: the question when a
//! COD checkout completes, the customer's answer, the reminder and the
//! cancellation (or call flag) when nobody answers. Rules:
//! `orderdesk_domain::followup::cod`.

use orderdesk_domain::followup::cod::{self as rule, CodDecision, CodTimer};
use orderdesk_domain::followup::{CodAnswer, CodConfirmation, FollowupTap};
use orderdesk_domain::{
    plan_transition, Actor, Order, OrderStatus, PaymentMethod, TimelineEntry, TimelineKind,
    Timestamp, TransitionRequest,
};
use orderdesk_store::{NewOutbound, NewTimer, OrderUpdate, Store, TimerKind};
use orderdesk_whatsapp::{Content, Interactive, OutboundError, ReplyButton};

use super::{message, plain, FollowupSettings, Vars};
use crate::checkout::CheckoutConfig;
use crate::notify::{customer_update, Notice};
use crate::texts::Texts;
use crate::EngineError;

/// The reply buttons' titles (WhatsApp allows 20 characters).
const CONFIRM_TITLE: &str = "Confirm";
const CANCEL_TITLE: &str = "Cancel order";

/// The question's body with its Confirm / Cancel buttons.
fn buttons(order: &Order, body: &str) -> Result<Content, OutboundError> {
    [
        (CodAnswer::Confirm, CONFIRM_TITLE),
        (CodAnswer::Cancel, CANCEL_TITLE),
    ]
    .iter()
    .map(|(answer, title)| {
        let id = FollowupTap::Cod {
            answer: *answer,
            order: order.number,
        };
        ReplyButton::new(id.encode(), *title)
    })
    .collect::<Result<Vec<_>, _>>()
    .and_then(|b| Interactive::reply_buttons(body.to_owned(), b))
    .map(Into::into)
}

fn question(order: &Order, body: String, at: Timestamp) -> Option<NewOutbound> {
    message(order, buttons(order, &body), body, at)
}

/// The order's timers of the question.
const TIMERS: [TimerKind; 2] = [TimerKind::CodRemind, TimerKind::CodExpire];

/// Adds the question to `update` when it completes a cash-on-delivery
/// checkout and the business asks (`ORDERDESK_COD_CONFIRM`): sent after the
/// confirmation, with the reminder's timer. With the text turned off
/// nothing is asked, and staff are not held up.
/// Returns whether it asked: the question then stands in for the plain
/// "your order is confirmed" (the order is not confirmed for the customer
/// until they answer).
pub(crate) fn ask_on_completion(
    config: &CheckoutConfig,
    texts: &Texts,
    order: &Order,
    update: &mut OrderUpdate,
    now: Timestamp,
) -> bool {
    let completes = update
        .status_change
        .as_ref()
        .is_some_and(|c| c.to == OrderStatus::Confirmed);
    let cod = update.payment_method.or(order.payment_method) == Some(PaymentMethod::Cod);
    let settings = FollowupSettings::now(&config.live);
    if !completes || !rule::should_ask(settings.cod_confirm, cod, order.cod_confirmation) {
        return false;
    }
    let vars = Vars::of(config, order);
    let Some(asked) = vars
        .text(texts, "cod_confirm", &[])
        .and_then(|body| question(order, body, now))
    else {
        return false;
    };
    update.outbound.push(asked);
    update.cod_confirmation = Some(CodConfirmation::Asked);
    update.timers.push(NewTimer {
        kind: TimerKind::CodRemind,
        order_number: order.number,
        due_at: now + settings.cod_wait,
    });
    true
}

fn note(at: Timestamp, actor: &Actor, detail: &str) -> TimelineEntry {
    let mut entry = TimelineEntry::new(at, TimelineKind::Notice, actor);
    entry.detail = Some(detail.to_owned());
    entry
}

fn cancel(
    order: &Order,
    actor: Actor,
    reason: &str,
) -> Result<orderdesk_domain::StatusChange, EngineError> {
    Ok(plan_transition(
        order.status,
        order.held_from,
        TransitionRequest {
            to: OrderStatus::Cancelled,
            actor,
            reason: Some(reason.to_owned()),
            tracking: None,
        },
    )?)
}

/// What the customer's Confirm or Cancel does. A tap that changes nothing
/// (the order was approved or cancelled meanwhile, or it is a repeat) is
/// answered with where the order stands.
pub(crate) fn answered(
    config: &CheckoutConfig,
    texts: &Texts,
    order: &Order,
    answer: CodAnswer,
    at: Timestamp,
) -> Result<Option<OrderUpdate>, EngineError> {
    let vars = Vars::of(config, order);
    let mut update = OrderUpdate::default();
    match rule::answer(order.cod_confirmation, order.status, answer) {
        CodDecision::Confirm => {
            update.cod_confirmation = Some(CodConfirmation::Confirmed);
            update.cancel_timers = TIMERS.to_vec();
            update.timeline.push(note(
                at,
                &Actor::Customer,
                "cash on delivery confirmed by the customer",
            ));
            update
                .outbound
                .extend(plain(order, vars.text(texts, "cod_confirmed", &[]), at));
        }
        CodDecision::Cancel { reason, state } => {
            update.status_change = Some(cancel(order, Actor::Customer, reason)?);
            update.cod_confirmation = Some(state);
            update.cancel_timers = TIMERS.to_vec();
            update
                .outbound
                .extend(plain(order, vars.text(texts, "cod_declined", &[]), at));
        }
        CodDecision::Remind | CodDecision::FlagForCall | CodDecision::Nothing => {
            let status = if order.status == OrderStatus::Confirmed
                && order.cod_confirmation == Some(CodConfirmation::Confirmed)
            {
                "confirmed".to_owned()
            } else {
                order.status.label().to_lowercase()
            };
            let reply = vars.text(texts, "cod_already", &[("status", &status)]);
            update.outbound.extend(plain(order, reply, at));
        }
    }
    Ok(Some(update))
}

/// What a due timer of the question does to `order`, if anything.
pub(crate) async fn timer_update(
    store: &dyn Store,
    config: &CheckoutConfig,
    texts: &Texts,
    order: &Order,
    timer: CodTimer,
    now: Timestamp,
) -> Result<Option<OrderUpdate>, EngineError> {
    let settings = FollowupSettings::now(&config.live);
    let vars = Vars::of(config, order);
    let mut update = OrderUpdate::default();
    match rule::timer_due(
        order.cod_confirmation,
        order.status,
        timer,
        settings.cod_unconfirmed,
    ) {
        CodDecision::Remind => {
            update.cod_confirmation = Some(CodConfirmation::Reminded);
            update.timers.push(NewTimer {
                kind: TimerKind::CodExpire,
                order_number: order.number,
                due_at: now + settings.cod_wait,
            });
            if let Some(text) = vars.text(texts, "cod_reminder", &[]) {
                let notice = Notice {
                    key: "cod_reminder",
                    content: buttons(order, &text).ok(),
                    text,
                    detail: &vars.total,
                };
                customer_update(store, texts, order, notice, now, &mut update).await?;
            }
        }
        CodDecision::Cancel { reason, state } => {
            // The bot acts on the customer's silence (the table lets the bot
            // cancel for the customer).
            update.status_change = Some(cancel(order, Actor::Bot, reason)?);
            update.cod_confirmation = Some(state);
            if let Some(text) = vars.text(texts, "cod_not_confirmed", &[]) {
                let notice = Notice {
                    key: "cod_not_confirmed",
                    text,
                    detail: reason,
                    content: None,
                };
                customer_update(store, texts, order, notice, now, &mut update).await?;
            }
        }
        CodDecision::FlagForCall => {
            update.cod_confirmation = Some(CodConfirmation::CallNeeded);
            update.timeline.push(note(
                now,
                &Actor::System,
                "cash on delivery not confirmed: call the customer before approving",
            ));
        }
        CodDecision::Confirm | CodDecision::Nothing => return Ok(None),
    }
    Ok(Some(update))
}
