//! The rating asked after delivery as order updates: the list when its
//! timer fires, the rating (a list row or a typed number), the optional
//! comment, and the list sent again once after a rating outside 1–5.
//! Rules: `orderdesk_domain::followup::feedback`.

use orderdesk_domain::followup::feedback::{
    self as rule, Feedback, FeedbackInput, FeedbackState, FeedbackStep,
};
use orderdesk_domain::followup::FollowupTap;
use orderdesk_domain::{Actor, Order, TimelineEntry, TimelineKind, Timestamp};
use orderdesk_store::{InboundOutcome, NewInboundMessage, OrderUpdate, Store};
use orderdesk_whatsapp::{Content, Interactive, ListRow, ListSection, OutboundError};

use super::{message, plain, Vars};
use crate::checkout::CheckoutConfig;
use crate::notify::{customer_update, Notice};
use crate::texts::Texts;
use crate::EngineError;

/// The list's rows, best first: each rating with the keys of its title
/// and description, which the business edits per language like any
/// label (`list.row.*` ≤ 24, `list.description.*` ≤ 72 characters).
const ROWS: [(u32, &str, &str); 5] = [
    (5, "list.row.rating_5", "list.description.rating_5"),
    (4, "list.row.rating_4", "list.description.rating_4"),
    (3, "list.row.rating_3", "list.description.rating_3"),
    (2, "list.row.rating_2", "list.description.rating_2"),
    (1, "list.row.rating_1", "list.description.rating_1"),
];
/// The button that opens the list (≤ 20 characters).
const LIST_BUTTON: &str = "list.button.rating";

fn list(order: &Order, texts: &Texts, body: &str) -> Result<Content, OutboundError> {
    ROWS.iter()
        .map(|(value, title, description)| {
            let id = FollowupTap::Rate {
                value: *value,
                order: order.number,
            };
            ListRow::new(id.encode(), texts.label(title))?
                .with_description(texts.label(description))
        })
        .collect::<Result<Vec<_>, _>>()
        .and_then(|rows| {
            Interactive::list(
                body.to_owned(),
                texts.label(LIST_BUTTON),
                vec![ListSection::untitled(rows)],
            )
        })
        .map(Into::into)
}

/// The rating list for a delivered order whose timer fired, through the
/// one rule for updates (its approved template outside the 24-hour
/// window). Nothing when the order moved on, was asked before, or the text
/// is off; the feedback is recorded as asked only when a message went out.
pub(crate) async fn ask(
    store: &dyn Store,
    config: &CheckoutConfig,
    texts: &Texts,
    order: &Order,
    now: Timestamp,
) -> Result<Option<OrderUpdate>, EngineError> {
    if !rule::ask_due(order.status, order.feedback.as_ref()) {
        return Ok(None);
    }
    let vars = Vars::of(config, order);
    let Some(text) = vars.text(texts, "feedback_ask", &[]) else {
        return Ok(None);
    };
    let mut update = OrderUpdate::default();
    let notice = Notice {
        key: "feedback_ask",
        content: list(order, texts, &text).ok(),
        text,
        detail: "",
    };
    customer_update(store, texts, order, notice, now, &mut update).await?;
    if !update.outbound.is_empty() {
        update.feedback = Some(Feedback::asked(now));
    }
    Ok(Some(update))
}

/// What the customer's rating or text does to the order's feedback; `None`
/// when it is not feedback (the message only joins the chat).
pub(crate) fn answered(
    config: &CheckoutConfig,
    texts: &Texts,
    order: &Order,
    input: FeedbackInput<'_>,
    at: Timestamp,
) -> Option<OrderUpdate> {
    let current = order.feedback.as_ref()?;
    let vars = Vars::of(config, order);
    let mut update = OrderUpdate::default();
    match rule::answer(current, input, at) {
        FeedbackStep::Record(feedback) => {
            let mut entry = TimelineEntry::new(at, TimelineKind::Notice, &Actor::Customer);
            if feedback.state == FeedbackState::Rated {
                let rating = feedback.rating.unwrap_or_default().to_string();
                entry.detail = Some(format!("rated the order {rating}/5"));
                let reply = vars.text(texts, "feedback_comment", &[("rating", &rating)]);
                update.outbound.extend(plain(order, reply, at));
            } else {
                entry.detail = Some(format!(
                    "feedback: {}",
                    feedback.comment.as_deref().unwrap_or_default()
                ));
                let reply = vars.text(texts, "feedback_thanks", &[]);
                update.outbound.extend(plain(order, reply, at));
            }
            update.timeline.push(entry);
            update.feedback = Some(feedback);
        }
        FeedbackStep::Reask(feedback) => {
            let again = vars
                .text(texts, "feedback_reask", &[])
                .and_then(|body| message(order, list(order, texts, &body), body, at));
            update.outbound.extend(again);
            update.feedback = Some(feedback);
        }
        FeedbackStep::Ignore => return None,
    }
    Some(update)
}

/// A customer's typed message while their latest order's feedback is open
/// (rated, waiting for the comment; or asked, when it is a number): it is
/// applied to that order, or only joins its thread.
pub(crate) async fn text_outcome(
    store: &dyn Store,
    config: &CheckoutConfig,
    mut message: NewInboundMessage,
    order: Order,
    body: &str,
) -> Result<InboundOutcome, EngineError> {
    message.order_number = Some(order.number);
    let texts = Texts::load(store, &config.language).await?;
    let update = answered(
        config,
        &texts,
        &order,
        FeedbackInput::Text(body),
        message.at,
    );
    Ok(super::applied(&order, message, update))
}

/// Whether the order's feedback still takes a typed answer.
pub(crate) fn open(order: &Order) -> bool {
    order
        .feedback
        .as_ref()
        .is_some_and(|f| f.state != FeedbackState::Done)
}
