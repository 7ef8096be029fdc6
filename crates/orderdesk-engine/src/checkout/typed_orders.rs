//! Typed orders in the chat (#21): a customer with no checkout to move who
//! types "2 kg atta, 1 amul butter" gets back the draft the reader made of
//! it (lines, packs, prices, total, what it could not read) with the reply
//! buttons "Place order" / "Change". "Place order" makes the order through
//! the same path as a catalog cart (`order_from_cart`), so the checkout
//! follows as for a cart; "Change" or a new text replaces the draft.
//!
//! The draft is kept per customer (`Store::save_typed_draft`) and each
//! button's id names the draft it was shown under ([`DraftTap`]): a tap
//! under a replaced, placed, expired or repriced draft changes nothing and
//! is answered. The rules are the domain's (`typed_draft`); this module
//! reads the store and renders the business's texts.

use std::collections::{HashMap, HashSet};

use orderdesk_domain::typed_draft::parse_switch;
use orderdesk_domain::{
    fingerprint, Customer, DraftNext, DraftStamp, DraftTap, Money, StaleDraft, TapAction,
};
use orderdesk_store::{
    ConversationChange, InboundOutcome, NewInboundMessage, NewOutbound, Store, TypedDraft,
};
use orderdesk_whatsapp::{Interactive, ReplyButton, Text, INTERACTIVE_BODY_MAX};

use crate::intake::{draft_of, CatalogCache, IntakeError};
use crate::texts::Texts;
use crate::EngineError;

use super::{outbound, CheckoutConfig};

/// The setting that turns typed orders on or off (`on`/`off`), read live.
pub const TYPED_ORDERS: &str = "ORDERDESK_TYPED_ORDERS";

/// Reply-button titles (WhatsApp allows 20 characters).
const PLACE_TITLE: &str = "Place order";
const CHANGE_TITLE: &str = "Change";

/// The most of the customer's unread words quoted back, in characters: the
/// whole offer must fit one WhatsApp message body.
const UNREAD_MAX: usize = 300;

/// What one inbox batch remembers about typed orders: the catalog index,
/// and who placed a draft in this batch (their order exists only once the
/// batch is stored, so a second tap in the same batch must not see the
/// draft as still open).
pub(crate) struct TypedBatch<'a> {
    pub(crate) catalog: &'a CatalogCache,
    pub(crate) placed: HashSet<String>,
}

/// What a typed order or a tap leaves to do once its message is stored:
/// keep the customer's draft, then send the answer (in that order, so a
/// tap can never come before the draft it is for).
#[derive(Debug, Default)]
pub(crate) struct FollowUp {
    draft: Option<TypedDraft>,
    outbound: Vec<NewOutbound>,
    /// Some of the text named nothing we sell: the conversation goes to a
    /// person (`handover`, first in `/inbox`) with the offer in its thread,
    /// as an unreadable text would; the offer's buttons still work.
    hand_over: Option<String>,
}

impl FollowUp {
    pub(crate) async fn apply(&self, store: &dyn Store) -> Result<(), EngineError> {
        let now = chrono::Utc::now();
        if let Some(draft) = &self.draft {
            store.save_typed_draft(draft).await?;
        }
        if !self.outbound.is_empty() {
            store.queue_outbound(&self.outbound, now).await?;
        }
        if let Some(key) = &self.hand_over {
            let change = ConversationChange {
                handover: Some(true),
                ..ConversationChange::default()
            };
            store.update_conversation(key, &change, now).await?;
        }
        Ok(())
    }
}

/// Whether typed orders are on now (default on; a value that no longer
/// parses was refused when stored, and counts as on).
pub(crate) fn enabled(config: &CheckoutConfig) -> bool {
    config
        .live
        .value(TYPED_ORDERS)
        .and_then(|v| parse_switch(&v))
        .unwrap_or(true)
}

fn customer_of(message: &NewInboundMessage) -> Customer {
    Customer {
        wa_id: message.wa_id.clone(),
        user_id: message.user_id.clone(),
        name: message.name.clone(),
    }
}

/// No draft: what an unanswerable new text leaves behind, so that no older
/// button can order any more.
fn cleared(key: &str) -> TypedDraft {
    TypedDraft {
        customer_key: key.to_owned(),
        lines: Vec::new(),
        stamp: DraftStamp {
            catalog_version: 0,
            latest_order: None,
        },
        made_at: None,
        unplaced: Vec::new(),
        at_desk: false,
    }
}

/// "Change" under a draft: the conversation goes to a person with the draft
/// attached (at the desk, where staff edit it and send it back), and the
/// customer is told a person will look at it. The draft's own buttons stop
/// ordering: staff's version is what the customer will confirm. A "Change"
/// under an older draft hands over all the same, leaving the current one.
async fn change(
    store: &dyn Store,
    texts: &Texts,
    message: &NewInboundMessage,
    tap: DraftTap,
) -> Result<FollowUp, EngineError> {
    let key = message.customer_key.as_str();
    let draft = store
        .typed_draft(key)
        .await?
        .filter(|d| !d.lines.is_empty() && d.stamp.catalog_version == tap.fingerprint)
        .map(|mut d| {
            d.at_desk = true;
            // No fingerprint is 0 but by a 1-in-2^64 chance: dead buttons.
            d.stamp.catalog_version = 0;
            d
        });
    Ok(FollowUp {
        draft,
        outbound: texts
            .text("typed_change", &[])
            .and_then(|body| plain(message, body))
            .into_iter()
            .collect(),
        hand_over: Some(key.to_owned()),
    })
}

/// `text` cut to `max` characters, with "…" when cut.
fn cut(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_owned();
    }
    let mut out: String = text.chars().take(max.saturating_sub(1)).collect();
    out.push('…');
    out
}

fn plain(message: &NewInboundMessage, body: String) -> Option<NewOutbound> {
    let content = Text::new(body.clone()).map(Into::into);
    outbound(&customer_of(message), None, content, body, message.at)
}

/// A customer's text read as an order: `Some` with the draft to keep and
/// the answer to send, or `None` when it is not one (typed orders off, the
/// texts turned off, nothing placed), so the message goes on as before
/// (into the thread, for a person).
pub(crate) async fn read_text(
    store: &dyn Store,
    config: &CheckoutConfig,
    texts: &Texts,
    catalog: &CatalogCache,
    message: &NewInboundMessage,
) -> Result<Option<FollowUp>, EngineError> {
    if !enabled(config) {
        return Ok(None);
    }
    let (reading, products) = match catalog.read(store, &message.text).await {
        Ok(read) => read,
        Err(IntakeError::Store(e)) => return Err(e.into()),
        // Blank or longer than any text message: a person reads it.
        Err(IntakeError::Empty | IntakeError::TooLong) => return Ok(None),
    };
    let draft = draft_of(&reading, &products);
    if !draft.is_order() {
        return Ok(None);
    }
    let key = message.customer_key.as_str();
    if draft.next() == DraftNext::Ask {
        // Which of several products: asked back, nothing kept to order.
        let choices = cut(&draft.questions_text(), UNREAD_MAX * 2);
        let Some(body) = texts.text("typed_ask", &[("choices", &choices)]) else {
            return Ok(None);
        };
        return Ok(Some(FollowUp {
            draft: Some(cleared(key)),
            outbound: plain(message, body).into_iter().collect(),
            hand_over: None,
        }));
    }
    if draft.lines.is_empty() {
        return Ok(None);
    }
    let mut unread: Vec<String> = draft.unplaced.clone();
    unread.extend(draft.questions.iter().map(|q| q.text.clone()));
    let latest_order = store
        .latest_order_for_customer(key)
        .await?
        .map(|o| o.number);
    let Some((out, mut kept)) = offer(
        &config.local(),
        texts,
        &customer_of(message),
        &draft,
        &unread,
        message.at,
        latest_order,
    ) else {
        return Ok(None);
    };
    let desk = draft.next() == DraftNext::Desk;
    kept.at_desk = desk;
    key.clone_into(&mut kept.customer_key);
    Ok(Some(FollowUp {
        draft: Some(kept),
        outbound: vec![out],
        hand_over: desk.then(|| key.to_owned()),
    }))
}

/// The offer of `draft`'s placed lines to `customer`: the summary with
/// prices and total, `unread` (the customer's words no line was made of)
/// quoted under it, and the "Place order" / "Change" buttons naming a draft
/// made `at`; with the draft to keep for a tap on them (`latest_order`: the
/// customer's latest order now). `None` when there is nothing to offer by
/// a tap: no placed line, mixed currencies, or the texts turned off. Used
/// for a typed message and for a draft staff send back from the desk.
pub(crate) fn offer(
    local: &orderdesk_domain::Local,
    texts: &Texts,
    customer: &Customer,
    draft: &orderdesk_domain::Draft,
    unread: &[String],
    at: orderdesk_domain::Timestamp,
    latest_order: Option<orderdesk_domain::OrderNumber>,
) -> Option<(NewOutbound, TypedDraft)> {
    // Mixed currencies or an absurd total: not for a button; a person.
    let total = local.money(draft.total().ok()??);
    let quoted: Vec<String> = unread.iter().map(|u| format!("“{u}”")).collect();
    let unread_note = texts
        .text(
            "typed_unread",
            &[("unread", &cut(&quoted.join(", "), UNREAD_MAX))],
        )
        .filter(|_| !quoted.is_empty());
    // The lines get what the rest of the message leaves of its limit.
    let frame = texts.text("typed_draft", &[("items", ""), ("total", &total)])?;
    let rest = frame.chars().count() + unread_note.as_ref().map_or(0, |u| u.chars().count() + 2);
    let items = draft
        .lines_text_within(local, INTERACTIVE_BODY_MAX.saturating_sub(rest))
        .ok()?;
    let mut body = texts.text("typed_draft", &[("items", &items), ("total", &total)])?;
    if let Some(note) = unread_note {
        body.push_str("\n\n");
        body.push_str(&note);
    }
    let made_at = at.timestamp();
    let print = fingerprint(
        draft
            .lines
            .iter()
            .map(|l| (l.retailer_id.as_str(), l.quantity, l.unit_price)),
        made_at,
    );
    let tap = |action| DraftTap {
        action,
        made_at,
        fingerprint: print,
    };
    let buttons = [
        ReplyButton::new(tap(TapAction::Place).encode(), PLACE_TITLE),
        ReplyButton::new(tap(TapAction::Change).encode(), CHANGE_TITLE),
    ];
    let content = buttons
        .into_iter()
        .collect::<Result<Vec<_>, _>>()
        .and_then(|b| Interactive::reply_buttons(body.clone(), b))
        .map(Into::into);
    let out = outbound(customer, None, content, body, at)?;
    let kept = TypedDraft {
        customer_key: out.customer_key.clone(),
        lines: draft
            .lines
            .iter()
            .map(|l| (l.retailer_id.clone(), l.quantity))
            .collect(),
        stamp: DraftStamp {
            catalog_version: print,
            latest_order,
        },
        made_at: Some(made_at),
        unplaced: unread.to_vec(),
        at_desk: false,
    };
    Some((out, kept))
}

/// A tap on "Place order" or "Change" under a draft. "Place order" on the
/// customer's current draft becomes the order (through `order_from_cart`);
/// anything stale leaves every order and draft as it was and is answered.
pub(crate) async fn tapped(
    store: &dyn Store,
    config: &CheckoutConfig,
    texts: &Texts,
    batch: &mut TypedBatch<'_>,
    mut message: NewInboundMessage,
    tap: DraftTap,
) -> Result<(InboundOutcome, Option<FollowUp>), EngineError> {
    let key = message.customer_key.clone();
    let latest = store.latest_order_for_customer(&key).await?;
    message.order_number = latest.as_ref().map(|o| o.number);
    let say = |key: &str| texts.text(key, &[]);
    if tap.action == TapAction::Change {
        let follow = change(store, texts, &message, tap).await?;
        return Ok((InboundOutcome::Message(message), Some(follow)));
    }
    // A draft at the desk after "Change" is staff's now: its buttons are
    // dead (its stamp no longer matches any), only a draft sent back orders.
    let kept = store
        .typed_draft(&key)
        .await?
        .filter(|d| !d.lines.is_empty());
    let lines = kept.as_ref().map_or(&[][..], |d| d.lines.as_slice());
    let ids: Vec<String> = lines.iter().map(|(id, _)| id.clone()).collect();
    let products: HashMap<String, orderdesk_store::Product> = store
        .products_by_ids(&ids)
        .await?
        .into_iter()
        .map(|p| (p.retailer_id.clone(), p))
        .collect();
    let priced: Option<Vec<(&str, u32, Money)>> = lines
        .iter()
        .map(|(id, packs)| {
            let p = products.get(id)?;
            Some((
                id.as_str(),
                *packs,
                Money::from_minor(p.price_minor, p.currency),
            ))
        })
        .collect();
    let kept_print = kept.as_ref().map_or(0, |d| d.stamp.catalog_version);
    let now = DraftStamp {
        // A product gone from the catalog: unlike any fingerprint kept.
        catalog_version: priced
            .as_ref()
            .map_or(!kept_print, |p| fingerprint(p.iter().copied(), tap.made_at)),
        latest_order: message.order_number,
    };
    let verdict = if batch.placed.contains(&key) {
        Err(StaleDraft::AlreadyOrdered)
    } else {
        tap.check(kept.as_ref().map(|d| d.stamp), now, message.at.timestamp())
    };
    let priced = match (verdict, priced) {
        (Ok(()), Some(priced)) => priced,
        (verdict, _) => {
            let answer = match verdict {
                Err(StaleDraft::AlreadyOrdered) => "typed_already_placed",
                Err(StaleDraft::CatalogChanged) | Ok(()) => "typed_catalog_changed",
                Err(StaleDraft::Expired) => "typed_expired",
                Err(StaleDraft::Replaced) => "typed_replaced",
            };
            tracing::info!(customer = %key, answer, "a stale tap under a typed draft");
            let follow = FollowUp {
                draft: None,
                outbound: say(answer)
                    .and_then(|body| plain(&message, body))
                    .into_iter()
                    .collect(),
                hand_over: None,
            };
            return Ok((InboundOutcome::Message(message), Some(follow)));
        }
    };
    let cart = orderdesk_whatsapp::Cart {
        customer: customer_of(&message),
        lines: priced
            .iter()
            .map(|(id, packs, price)| orderdesk_whatsapp::CartLine {
                retailer_id: (*id).to_owned(),
                quantity: i64::from(*packs),
                price: *price,
            })
            .collect(),
        text: None,
        catalog_id: None,
        sent_at: Some(message.at.timestamp()),
    };
    let names: HashMap<String, String> =
        products.into_iter().map(|(id, p)| (id, p.title)).collect();
    batch.placed.insert(key);
    let outcome = crate::inbox::order_from_cart(cart, &names, message.at, Some((config, texts)));
    Ok((outcome, None))
}
