//! The order window's timeline: stage changes, payments and notes
//! interleaved with the chat, each with its time relative to now.

use chrono::Utc;
use maud::{html, Markup};
use orderdesk_domain::{Local, TimelineEntry, TimelineKind};
use orderdesk_store::{ChatMessage, Direction, MessageState};

enum Item<'a> {
    Entry(&'a TimelineEntry),
    Message(&'a ChatMessage),
}

fn ticks(state: MessageState) -> (&'static str, &'static str, &'static str) {
    match state {
        MessageState::Queued | MessageState::Sending => ("tick-wait", "🕓", "Queued"),
        MessageState::Sent => ("tick-sent", "✓", "Sent"),
        MessageState::Delivered => ("tick-delivered", "✓✓", "Delivered"),
        MessageState::Read => ("tick-read", "✓✓", "Read"),
        MessageState::Failed => ("tick-failed", "!", "Not sent"),
        MessageState::Received => ("", "", "Received"),
    }
}

pub(super) fn timeline_section(
    entries: &[TimelineEntry],
    messages: &[ChatMessage],
    local: &Local,
) -> Markup {
    let now = Utc::now();
    // Causes before effects: what the bot or staff did in answer to a
    // customer's message is recorded at that message's time, so at one
    // instant the customer's message comes first, then what it changed,
    // then what we sent back. The sort is stable: each kind keeps its own
    // order.
    let rank = |m: &ChatMessage| if m.direction == Direction::In { 0 } else { 2 };
    let mut items: Vec<(chrono::DateTime<Utc>, u8, Item<'_>)> = entries
        .iter()
        .map(|e| (e.at, 1, Item::Entry(e)))
        .chain(
            messages
                .iter()
                .map(|m| (m.created_at, rank(m), Item::Message(m))),
        )
        .collect();
    items.sort_by_key(|(at, rank, _)| (*at, *rank));
    html! {
        section #timeline.panel aria-labelledby="timeline-title" {
            h2 #timeline-title { "Timeline and chat" }
            ol.timeline {
                @for (at, _, item) in &items {
                    @match item {
                        Item::Entry(e) => (entry(e, now, local)),
                        Item::Message(m) => (chat_message(m, *at, now, false, local)),
                    }
                }
            }
        }
    }
}

/// One chat bubble; `with_order` names the order it was about (the inbox
/// shows every order's messages in one thread). Its time reads "2 min ago"
/// like the rest of the desk, the exact local time on hover.
pub(crate) fn chat_message(
    m: &ChatMessage,
    at: chrono::DateTime<Utc>,
    now: chrono::DateTime<Utc>,
    with_order: bool,
    local: &Local,
) -> Markup {
    let (class, glyph, label) = ticks(m.state);
    html! {
        li class={"msg " (if m.direction == Direction::In { "msg-in" } else { "msg-out" })} {
            div.bubble {
                @match map_link(m) {
                    Some((place, url)) => span.text {
                        (place) " " a href=(url) target="_blank" rel="noopener noreferrer" { "Open the map" }
                    },
                    None => span.text { (m.text) },
                }
                @if m.kind != "text" { span.kind { " [" (m.kind) "]" } }
                @if let Some(err) = &m.error { span.error { " — " (err) } }
            }
            div.meta {
                (super::super::views::relative_time(at, now, local))
                @if let Some(n) = m.order_number.filter(|_| with_order) { " · #" (n) }
                @if m.direction == Direction::Out {
                    " " span class={"tick " (class)} role="img" aria-label=(label) title=(label) { (glyph) }
                }
            }
        }
    }
}

/// A shared location's text split into the place and its map link (the
/// link the WhatsApp reader wrote, `orderdesk_whatsapp::map_link`).
fn map_link(m: &ChatMessage) -> Option<(&str, &str)> {
    if m.kind != "location" {
        return None;
    }
    let (place, url) = m.text.rsplit_once(' ')?;
    url.starts_with("https://www.openstreetmap.org/?mlat=")
        .then_some((place, url))
}

/// One timeline entry; its time reads "2 min ago", the exact local time
/// on hover.
fn entry(e: &TimelineEntry, now: chrono::DateTime<Utc>, local: &Local) -> Markup {
    let who = match (&e.actor_name, e.actor.as_str()) {
        (Some(name), _) if !name.is_empty() => name.clone(),
        (_, actor) => actor.to_owned(),
    };
    let (class, what) = match e.kind {
        TimelineKind::Created => ("ev", "Order placed".to_owned()),
        TimelineKind::StatusChanged => (
            "ev ev-stage",
            format!(
                "{} → {}",
                e.from_status.map_or("?", |s| s.label()),
                e.to_status.map_or("?", |s| s.label())
            ),
        ),
        TimelineKind::PaymentChanged => ("ev ev-pay", "Payment".to_owned()),
        TimelineKind::AddressSet => ("ev", "Address given".to_owned()),
        TimelineKind::NoteSet => ("ev", "Customer note".to_owned()),
        TimelineKind::StaffNote => ("ev ev-staff-note", "Internal note".to_owned()),
        TimelineKind::Notice => ("ev ev-notice", "Notice".to_owned()),
        TimelineKind::Edited => ("ev ev-staff-note", "Edited".to_owned()),
    };
    html! {
        li class=(class) {
            div { strong { (what) } " · " span.muted { (who) } }
            @if let Some(r) = &e.reason { div { "Reason: " (r) } }
            @if let Some(d) = &e.detail {
                div.detail {
                    @if e.kind == TimelineKind::StatusChanged { (tracking(d)) } @else { (d) }
                }
            }
            div.meta { (super::super::views::relative_time(e.at, now, local)) }
        }
    }
}

/// Tracking as staff typed it: a web address becomes a link that opens
/// apart from the dashboard and tells the carrier nothing of it; anything
/// else (a number, another scheme) stays text.
pub(super) fn tracking(t: &str) -> Markup {
    html! {
        @match orderdesk_domain::tracking_link(t) {
            Some(url) => a href=(url) target="_blank" rel="noopener noreferrer" { (url) },
            None => (t),
        }
    }
}
