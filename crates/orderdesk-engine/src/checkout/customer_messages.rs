//! What a customer's message does to their order's checkout.

use orderdesk_domain::followup::FollowupTap;
use orderdesk_domain::{advance, ButtonId, CheckoutInput, CheckoutState, CheckoutStep, DraftTap};
use orderdesk_store::{customer_key_of, InboundOutcome, StoreError};

use crate::links::{issue_link, open_link_again};
use crate::texts::Texts;
use crate::EngineError;

use super::typed_orders::{self, FollowUp, TypedBatch};
use super::{update_from, CheckoutConfig};

/// Steps where a text the bot cannot use is answered "please use the
/// buttons": there a typed order is read first. Not the address step
/// (what is typed there is kept for staff as the address) nor the note.
fn reads_typed_orders(step: CheckoutStep) -> bool {
    matches!(
        step,
        CheckoutStep::AwaitingPayment | CheckoutStep::AwaitingNoteChoice
    )
}

/// What a customer's message does: a tap on one of our buttons goes to the
/// order it names, free text to their newest open order; either may move
/// that order's checkout. A tap under a typed draft, or a text that reads
/// as an order where the bot could not otherwise use it, is a typed order
/// ([`typed_orders`]); what that leaves to do after the message is stored
/// comes back as the [`FollowUp`]. Anything else just joins the chat
/// thread.
pub(crate) async fn message_outcome(
    store: &dyn orderdesk_store::Store,
    config: &CheckoutConfig,
    texts: &Texts,
    typed: &mut TypedBatch<'_>,
    mut message: orderdesk_store::NewInboundMessage,
    chat: &orderdesk_whatsapp::ChatIn,
) -> Result<(InboundOutcome, Option<FollowUp>), EngineError> {
    if let Some(tap) = chat.reply_id.as_deref().and_then(DraftTap::parse) {
        return typed_orders::tapped(store, config, texts, typed, message, tap).await;
    }
    let open = store
        .open_orders_for_customer(&message.customer_key)
        .await?;
    if let Some(nfm) = chat.nfm.as_ref().filter(|n| n.is_address()) {
        // WhatsApp's own address form answered: for the newest order in
        // checkout, as the hosted form would be.
        let order = open.first().cloned();
        return super::native::address_reply(store, config, message, nfm, order)
            .await
            .map(|outcome| (outcome, None));
    }
    // The confirmation and feedback buttons name their order too; they act
    // after the checkout, so the checkout machine never sees them.
    if let Some(tap) = chat.reply_id.as_deref().and_then(FollowupTap::parse) {
        return crate::followup::tap_outcome(store, config, message, tap)
            .await
            .map(|outcome| (outcome, None));
    }
    let tapped = chat.reply_id.as_deref().and_then(ButtonId::parse);
    let (order, input) = match (tapped, chat.kind.as_str()) {
        (Some(id), _) => match store.order(id.order).await {
            Ok(order) => (Some(order), CheckoutInput::ButtonTapped { id: id.encode() }),
            Err(StoreError::NotFound) => (
                None,
                CheckoutInput::Text {
                    body: String::new(),
                },
            ),
            Err(e) => return Err(e.into()),
        },
        (None, "text") => {
            // Free text goes to the newest order in checkout; with none, to
            // the latest order if it is waiting for a late note, or for its
            // rating or comment.
            let order = match open.first() {
                Some(o) => Some(o.clone()),
                None => {
                    let latest = store
                        .latest_order_for_customer(&message.customer_key)
                        .await?;
                    if let Some(rated) = latest
                        .as_ref()
                        .filter(|o| crate::followup::feedback::open(o))
                    {
                        let rated = rated.clone();
                        return crate::followup::feedback::text_outcome(
                            store, config, message, rated, &chat.text,
                        )
                        .await
                        .map(|outcome| (outcome, None));
                    }
                    latest.filter(|o| {
                        o.checkout_step == orderdesk_domain::CheckoutStep::AwaitingNoteText
                    })
                }
            };
            (
                order,
                CheckoutInput::Text {
                    body: chat.text.clone(),
                },
            )
        }
        _ => (
            None,
            CheckoutInput::Text {
                body: String::new(),
            },
        ),
    };
    // A tap naming someone else's order never touches it.
    let order =
        order.filter(|o| customer_key_of(&o.customer) == Some(message.customer_key.as_str()));
    let unusable = order
        .as_ref()
        .is_none_or(|o| reads_typed_orders(o.checkout_step));
    if chat.kind == "text" && unusable {
        let read = typed_orders::read_text(store, config, texts, typed.catalog, &message).await?;
        if let Some(follow) = read {
            message.order_number = match (&order, open.first()) {
                (Some(o), _) | (None, Some(o)) => Some(o.number),
                (None, None) => store
                    .latest_order_for_customer(&message.customer_key)
                    .await?
                    .map(|o| o.number),
            };
            return Ok((InboundOutcome::Message(message), Some(follow)));
        }
    }
    let Some(order) = order else {
        // No checkout to move: the message joins the thread of the
        // customer's open order, else of their latest order.
        message.order_number = match open.first() {
            Some(o) => Some(o.number),
            None => store
                .latest_order_for_customer(&message.customer_key)
                .await?
                .map(|o| o.number),
        };
        return Ok((InboundOutcome::Message(message), None));
    };
    message.order_number = Some(order.number);
    // Free text never makes a new payment link: at most the open one is
    // sent again (the machine repeats a step's question once per step).
    let typed = matches!(input, CheckoutInput::Text { .. });
    let state = CheckoutState::from_order(&order);
    match advance(&state, input, &config.settings_now()) {
        Ok(outcome) if !outcome.is_noop(&state) => {
            let link = if typed {
                open_link_again(store, config, &order, &outcome, message.at).await?
            } else {
                issue_link(store, config, &order, &outcome, message.at).await?
            };
            let (update, further) =
                update_from(config, texts, link.as_ref(), &order, outcome, message.at)?;
            if !further.is_empty() {
                tracing::warn!(order = %order.number, "a second stage move from one message is left for the next input");
            }
            let outcome = InboundOutcome::MessageAndUpdate {
                number: order.number,
                expected_version: order.version,
                message,
                update,
            };
            Ok((outcome, None))
        }
        Ok(_) => Ok((InboundOutcome::Message(message), None)),
        Err(refusal) => {
            tracing::info!(order = %order.number, %refusal, "checkout input refused");
            Ok((InboundOutcome::Message(message), None))
        }
    }
}
