//! `GET /inbox`: the conversation desk. Everyone who wrote, with or
//! without an order, those needing a reply first; one conversation open
//! beside the list with the customer's orders, a reply box, and the
//! assign / done / hand-back buttons. Opening a conversation marks it
//! read, which sends WhatsApp read receipts (the customer's blue ticks).
//!
//! Forms are plain POSTs that redirect back; `dashboard.js` sends them
//! with `fetch()` and redraws `#inbox-live` on `conversation.updated`.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use chrono::Utc;
use maud::{html, Markup};
use orderdesk_domain::{Local, Order};
use orderdesk_engine::CustomerLanguageView;
use orderdesk_store::{
    ChatMessage, Conversation, ConversationChange, ConversationQuery, Direction,
};
use serde::Deserialize;

use super::inbox_draft::DraftPanel;
use super::order::chat_message;
use super::session::{redirect, wants_json, Staff, StaffForm};
use super::views::{customer_name, layout, payment_badge, Page};
use crate::error::ApiError;
use crate::AppState;

/// How many conversations the list shows (needing a reply first).
const LIST_SIZE: u32 = 100;
/// How many of the customer's orders the side panel shows.
const ORDERS_SIZE: u32 = 10;

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct InboxParams {
    /// The open conversation's key.
    c: String,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ReplyForm {
    text: String,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ChangeForm {
    /// `assign_me`, `assign`, `unassign`, `done` or `hand_back`.
    action: String,
    /// A colleague's email, for `assign`.
    assignee: String,
}

fn href(key: &str) -> String {
    format!(
        "/inbox?{}",
        serde_urlencoded::to_string([("c", key)]).unwrap_or_default()
    )
}

fn who(c: &Conversation) -> String {
    c.customer
        .name
        .clone()
        .filter(|n| !n.trim().is_empty())
        .or_else(|| c.customer.wa_id.clone().map(|w| format!("+{w}")))
        .unwrap_or_else(|| c.key.clone())
}

pub async fn show(
    State(state): State<AppState>,
    staff: Staff,
    params: Result<Query<InboxParams>, axum::extract::rejection::QueryRejection>,
) -> Result<Response, ApiError> {
    let key = params.map(|Query(p)| p.c).unwrap_or_default();
    render(&state, &staff, key.trim(), None, StatusCode::OK).await
}

async fn render(
    state: &AppState,
    staff: &Staff,
    key: &str,
    error: Option<&str>,
    status: StatusCode,
) -> Result<Response, ApiError> {
    let store = state.engine.store();
    // First the event id, then the data: what happens in between is replayed.
    let last_event_id = store.last_event_seq().await?;
    // Opening a conversation is reading it: mark it read (and tell WhatsApp)
    // before the list is read, so the list shows it read too.
    // A refused form shows the page again without reading anything: bad
    // input changes nothing.
    let open = if key.is_empty() {
        None
    } else if error.is_some() {
        state.engine.store().conversation(key).await?
    } else {
        match state.engine.mark_conversation_read(key).await {
            Ok(c) => Some(c),
            Err(orderdesk_engine::EngineError::Store(orderdesk_store::StoreError::NotFound)) => {
                None
            }
            Err(e) => return Err(e.into()),
        }
    };
    let page = state
        .engine
        .conversations(&ConversationQuery {
            limit: LIST_SIZE,
            ..ConversationQuery::default()
        })
        .await?;
    let detail = match &open {
        Some(c) => {
            let messages = state.engine.conversation_messages(&c.key).await?;
            let orders = store
                .list_orders(&orderdesk_store::OrderQuery {
                    q: c.customer
                        .wa_id
                        .clone()
                        .or_else(|| c.customer.user_id.clone()),
                    limit: ORDERS_SIZE,
                    ..Default::default()
                })
                .await?
                .orders;
            let users = store.users().await?;
            let language = state.engine.customer_language(&c.key).await?;
            let draft = match state.engine.desk_draft(&c.key).await {
                Ok(d) if d.at_desk => Some(d),
                Ok(_) | Err(orderdesk_engine::EngineError::Draft(_)) => None,
                Err(e) => return Err(e.into()),
            };
            let products = match &draft {
                Some(_) => store.products().await?,
                None => Vec::new(),
            };
            // Made after the last await: ICU's formatter is not `Send`.
            let local = state.engine.settings().local();
            let options = super::order_form::picker(&products, &local);
            let side = Side {
                users: &users,
                language: &language,
                draft: draft.as_ref().map(|draft| DraftPanel {
                    draft,
                    options: &options,
                }),
            };
            Some(thread(c, &messages, &orders, &side, staff, error, &local))
        }
        None => None,
    };
    let local = state.engine.settings().local();
    let body = html! {
        main.inbox data-open=[open.as_ref().map(|c| c.key.as_str())] {
            h1.visually-hidden { "Inbox" }
            div #inbox-live.inbox-grid {
                nav.convs aria-label="Conversations" {
                    @if page.conversations.is_empty() {
                        p.muted #inbox-empty { "No customer has written yet." }
                    }
                    ul #conv-list {
                        @for c in &page.conversations {
                            (row(c, open.as_ref().is_some_and(|o| o.key == c.key), &local))
                        }
                    }
                }
                @if let Some(detail) = detail {
                    (detail)
                } @else {
                    section.panel.thread-empty {
                        p.muted { @if key.is_empty() { "Choose a conversation." } @else { "No conversation with " (key) "." } }
                    }
                }
            }
        }
    };
    Ok((
        status,
        layout(Page {
            title: "Inbox",
            staff: Some(staff),
            body,
            last_event_id: Some(last_event_id),
            page: "inbox",
        }),
    )
        .into_response())
}

/// One conversation in the list.
fn row(c: &Conversation, current: bool, local: &Local) -> Markup {
    let now = Utc::now();
    html! {
        li.conv id={"conv-" (c.key)} data-key=(c.key) data-wa-id=[c.customer.wa_id.as_deref()] data-needs-reply=(c.needs_reply)
            data-handover=(c.handover) {
            a href=(href(&c.key)) aria-current=[current.then_some("page")] {
                div.conv-top {
                    span.conv-name { (who(c)) }
                    @if c.unread > 0 {
                        span.unread title="Unread messages" aria-label={(c.unread) " unread"} { (c.unread) }
                    }
                }
                div.conv-text {
                    @if c.last_message.direction == Direction::Out { span.muted { "You: " } }
                    (c.last_message.text)
                }
                div.conv-meta {
                    @if c.handover { span.flag.flag-handover { "Wants a person" } }
                    @else if c.needs_reply { span.flag { "Needs reply" } }
                    @if let Some(a) = &c.assignee { span.muted { "→ " (a) } }
                    @if let Some(n) = c.order_number { span.muted { "#" (n) } }
                    (super::views::relative_time(c.last_message.at, now, local))
                }
            }
        }
    }
}

/// What the open conversation's controls offer besides the thread.
struct Side<'a> {
    /// Colleagues to assign to.
    users: &'a [orderdesk_store::User],
    /// The customer's language and where it comes from.
    language: &'a CustomerLanguageView,
    /// Their typed draft, when a person should see it (#21).
    draft: Option<DraftPanel<'a>>,
}

fn thread(
    c: &Conversation,
    messages: &[ChatMessage],
    orders: &[Order],
    side: &Side<'_>,
    staff: &Staff,
    error: Option<&str>,
    local: &Local,
) -> Markup {
    let now = Utc::now();
    let last_inbound = messages
        .iter()
        .filter(|m| m.direction == Direction::In)
        .map(|m| m.created_at)
        .max();
    let closes = orderdesk_domain::service_window_closes(last_inbound);
    let action = format!("/inbox/{}", urlencoding(&c.key));
    html! {
        section.panel.thread aria-labelledby="thread-title" {
            div.thread-head {
                h2 #thread-title { (who(c)) }
                @if let Some(w) = &c.customer.wa_id { span.muted { "+" (w) } }
                @if c.handover { span.flag.flag-handover { "Asked for a person: the bot is quiet" } }
                @if let Some(a) = &c.assignee { span.muted #assignee { "Assigned to " (a) } }
            }
            div.thread-actions {
                @if c.assignee.as_deref() != Some(staff.user.email.as_str()) {
                    (button(&action, staff, "assign_me", "Assign to me"))
                }
                form.js-enhance.inline #assign-form method="post" action=(action) {
                    input type="hidden" name="csrf" value=(staff.csrf);
                    input type="hidden" name="action" value="assign";
                    label.visually-hidden for="assignee-select" { "Assign to a colleague" }
                    select #assignee-select name="assignee" {
                        @for u in side.users {
                            option value=(u.email) selected[c.assignee.as_deref() == Some(u.email.as_str())] { (u.email) }
                        }
                    }
                    button type="submit" { "Assign" }
                }
                @if c.needs_reply { (button(&action, staff, "done", "Mark done")) }
                @if c.handover { (button(&action, staff, "hand_back", "Hand back to the bot")) }
                (language_form(&action, staff, side.language))
            }
            @if let Some(e) = error { p.alert #form-error role="alert" { (e) } }
            @if let Some(p) = &side.draft { (super::inbox_draft::panel(p, &action, staff, local)) }
            ol.timeline.chat {
                @for m in messages { (chat_message(m, m.created_at, now, true, local)) }
            }
            @match closes.filter(|at| *at > now) {
                Some(at) => p.muted.small #window-state { "Free replies possible until " (super::views::local_time(at, local)) "." },
                None => div.notice #window-state {
                    p { "The customer last wrote more than 24 hours ago (or never), so WhatsApp only allows approved templates now: a free-text reply will be refused until they write again." }
                    form.js-enhance.inline #reopen-form method="post" action={(action) "/reopen"} {
                        input type="hidden" name="csrf" value=(staff.csrf);
                        button.primary type="submit" { "Send the reopen template" }
                    }
                    span.muted.small { " Asks them to write; once they answer, free replies work again." }
                },
            }
            form.js-enhance #reply-form method="post" action={(action) "/messages"} {
                input type="hidden" name="csrf" value=(staff.csrf);
                label for="reply-text" { "Message to " (who(c)) }
                textarea #reply-text name="text" rows="3" maxlength="4096" required {}
                button.primary type="submit" { "Send" }
            }
        }
        aside.panel.cust-orders aria-labelledby="orders-title" {
            h2 #orders-title { "Orders" }
            @if let Some(wa_id) = &c.customer.wa_id {
                p { a.button #create-order href=(super::order_new::prefilled_href(wa_id, c.customer.name.as_deref())) { "Create order" } }
            }
            @if orders.is_empty() { p.muted { "No orders yet." } }
            ul {
                @for o in orders {
                    li {
                        a href={"/orders/" (o.number)} {
                            "#" (o.number) " " (payment_badge(o)) " "
                            span class={"stage stage-" (o.status.as_str())} { (o.status.label()) }
                            " " span.muted { (customer_name(o)) }
                        }
                    }
                }
            }
        }
    }
}

/// The customer's language: the texts they get, and where it comes from.
fn language_form(action: &str, staff: &Staff, language: &CustomerLanguageView) -> Markup {
    let from = match language.source.as_str() {
        "staff" => "set here",
        "detected" => "from their first message",
        _ => "the business's",
    };
    html! {
        form.js-enhance.inline #language-form method="post" action={(action) "/language"} {
            input type="hidden" name="csrf" value=(staff.csrf);
            label for="customer-language" { "Texts in" }
            input #customer-language type="text" name="language" value=(language.language)
                maxlength="8" size="5" autocomplete="off" list="text-languages-inbox";
            datalist #text-languages-inbox {
                @for l in LANGUAGES { option value=(l) {} }
            }
            button type="submit" { "Set" }
            span.muted.small #language-source { " (" (from) ")" }
        }
    }
}

/// Suggested language codes (any code texts are stored under works).
const LANGUAGES: &[&str] = &[
    "en", "hi", "bn", "ta", "te", "kn", "ml", "gu", "pa", "or", "ur", "ar", "pt_BR", "es", "id",
];

fn button(action: &str, staff: &Staff, what: &str, label: &str) -> Markup {
    html! {
        form.js-enhance.inline method="post" action=(action) {
            input type="hidden" name="csrf" value=(staff.csrf);
            input type="hidden" name="action" value=(what);
            button type="submit" { (label) }
        }
    }
}

/// A key in a path segment (keys are digits, but a `user_id` may not be).
pub(super) fn path_segment(key: &str) -> String {
    urlencoding(key)
}

fn urlencoding(key: &str) -> String {
    key.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                char::from(b).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

pub(super) async fn after_change(
    state: &AppState,
    f: &StaffForm<impl Sized>,
    key: &str,
    result: Result<(), ApiError>,
) -> Response {
    match result {
        Ok(()) if wants_json(&f.headers) => Json(serde_json::json!({ "ok": true })).into_response(),
        Ok(()) => redirect(&href(key)),
        Err(e) if wants_json(&f.headers) => e.into_response(),
        Err(e) => {
            let mut chars = e.message.chars();
            let message: String = match chars.next() {
                Some(first) => first.to_uppercase().chain(chars).collect(),
                None => String::new(),
            };
            render(state, &f.staff, key, Some(&message), e.status)
                .await
                .unwrap_or_else(IntoResponse::into_response)
        }
    }
}

pub(super) fn not_found(key: &str) -> impl Fn(orderdesk_engine::EngineError) -> ApiError + '_ {
    move |e| match e {
        orderdesk_engine::EngineError::Store(orderdesk_store::StoreError::NotFound) => {
            ApiError::not_found(format!("no conversation with {key}"))
        }
        other => other.into(),
    }
}

pub async fn reply(
    State(state): State<AppState>,
    Path(key): Path<String>,
    f: StaffForm<ReplyForm>,
) -> Response {
    let result = state
        .engine
        .reply_to_conversation(&key, f.form.text.trim().to_owned())
        .await
        .map(|_| ())
        .map_err(not_found(&key));
    after_change(&state, &f, &key, result).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct LanguageForm {
    /// A language code; empty forgets staff's choice.
    language: String,
}

/// Sends the `reopen_chat` template (outside the 24-hour window).
pub async fn reopen(
    State(state): State<AppState>,
    Path(key): Path<String>,
    f: StaffForm<super::session::Empty>,
) -> Response {
    let result = state
        .engine
        .send_reopen_template(&key)
        .await
        .map(|_| ())
        .map_err(not_found(&key));
    after_change(&state, &f, &key, result).await
}

/// Sets the customer's language (empty: back to the guess).
pub async fn set_language(
    State(state): State<AppState>,
    Path(key): Path<String>,
    f: StaffForm<LanguageForm>,
) -> Response {
    let language = Some(f.form.language.trim()).filter(|l| !l.is_empty());
    let result = state
        .engine
        .set_customer_language(&key, language)
        .await
        .map(|_| ())
        .map_err(not_found(&key));
    after_change(&state, &f, &key, result).await
}

pub async fn change(
    State(state): State<AppState>,
    Path(key): Path<String>,
    f: StaffForm<ChangeForm>,
) -> Response {
    let change = match f.form.action.as_str() {
        "assign_me" => Ok(ConversationChange {
            assignee: Some(Some(f.staff.user.email.clone())),
            ..ConversationChange::default()
        }),
        "assign" if f.form.assignee.contains('@') => Ok(ConversationChange {
            assignee: Some(Some(f.form.assignee.trim().to_owned())),
            ..ConversationChange::default()
        }),
        "unassign" => Ok(ConversationChange {
            assignee: Some(None),
            ..ConversationChange::default()
        }),
        "done" => Ok(ConversationChange {
            done: true,
            ..ConversationChange::default()
        }),
        "hand_back" => Ok(ConversationChange {
            handover: Some(false),
            ..ConversationChange::default()
        }),
        _ => Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_request",
            "choose a colleague to assign, or an action this page offers",
        )),
    };
    let result = match change {
        Ok(change) => state
            .engine
            .change_conversation(&key, &change)
            .await
            .map(|_| ())
            .map_err(not_found(&key)),
        Err(e) => Err(e),
    };
    after_change(&state, &f, &key, result).await
}

/// The open orders whose customer wrote and nobody answered: the board
/// marks their cards.
pub async fn unread(State(state): State<AppState>, _staff: Staff) -> Result<Response, ApiError> {
    let page = state
        .engine
        .conversations(&ConversationQuery {
            needs_reply: Some(true),
            limit: 200,
            ..ConversationQuery::default()
        })
        .await?;
    let orders: Vec<_> = page
        .conversations
        .iter()
        .filter_map(|c| {
            c.order_number
                .map(|n| serde_json::json!({ "number": n, "key": c.key }))
        })
        .collect();
    Ok(Json(serde_json::json!({ "orders": orders })).into_response())
}
