//! The inbox's typed-draft panel (#21): a customer's typed order handed to
//! a person ("Change", or words nobody could place) shows beside the
//! thread with its lines (packs, today's prices, total) and the words the
//! reader could not place. Staff change quantities (0 drops a line), add
//! products from the catalog and save, then send it back: the customer
//! gets a fresh offer with "Place order" / "Change".

use axum::extract::{Path, State};
use axum::response::Response;
use maud::{html, Markup};
use orderdesk_domain::{DeskState, Local};
use orderdesk_engine::DeskDraft;

use super::inbox::after_change;
use super::order_form::{self, Fields, Row};
use super::session::{Staff, StaffForm};
use crate::error::ApiError;
use crate::AppState;

/// Empty rows offered under the draft's lines, to add products.
const BLANK_ROWS: usize = 2;

/// What the panel needs besides the draft: the catalog picker's options.
pub(super) struct DraftPanel<'a> {
    pub draft: &'a DeskDraft,
    pub options: &'a [(String, String)],
}

/// The panel in the open conversation, for a draft at the desk (the inbox
/// leaves out one the customer holds: nothing for staff to do).
pub(super) fn panel(p: &DraftPanel<'_>, action: &str, staff: &Staff, local: &Local) -> Markup {
    let d = p.draft;
    let open = d.state == DeskState::Open;
    let rows: Vec<Row> = d
        .lines
        .iter()
        .map(|l| Row {
            id: l.retailer_id.clone(),
            name: Some(format!("{} · {}", l.title, local.money(l.unit_price))),
            qty: l.quantity.to_string(),
            price: String::new(),
        })
        .collect();
    html! {
        section.draft-panel #typed-draft aria-labelledby="draft-title" data-state=(d.state.as_str()) {
            h3 #draft-title { "Typed order to check" }
            p.muted.small {
                @if d.at_desk { "The customer asked for a change, or wrote something the bot could not place. " }
                "Edit the lines and send it back: they confirm it with “Place order”."
            }
            @match d.state {
                DeskState::Placed => p.notice #draft-state { "An order was placed since this draft: nothing to send." },
                DeskState::Expired => p.notice #draft-state { "This draft has expired (more than 24 hours old): ask the customer to write their order again." },
                DeskState::Open => @if let Some(at) = d.expires_at {
                    p.muted.small #draft-state { "Can be sent until " (super::views::local_time(at, local)) "." }
                },
            }
            @if !d.unmatched.is_empty() {
                div #draft-unmatched {
                    strong { "Not placed:" }
                    ul.unmatched { @for u in &d.unmatched { li { "“" (u) "”" } } }
                }
            }
            @if open {
                form.edit-form #draft-form method="post" action={(action) "/draft"} data-draft=(signature(d)) {
                    input type="hidden" name="csrf" value=(staff.csrf);
                    (order_form::rows_table(&rows, BLANK_ROWS, None))
                    @if let Some(total) = d.total {
                        p #draft-total { "Total: " strong { (local.money(total)) } }
                    }
                    p.hint.small { "Quantity 0 drops a line; an empty quantity is 1." }
                    div.form-buttons {
                        button type="submit" { "Save lines" }
                        // The same rows: what is typed is saved, then sent.
                        button.primary #draft-send type="submit" formaction={(action) "/draft/send"} { "Send to customer" }
                    }
                }
                (order_form::catalog_list(p.options))
            } @else {
                ul #draft-lines {
                    @for l in &d.lines { li { (l.quantity) " × " (l.title) } }
                }
            }
        }
    }
}

/// The form's rows saved as the draft's lines, as
/// `PUT /api/v1/conversations/{wa_id}/draft`.
async fn save_rows(state: &AppState, key: &str, form: &Fields) -> Result<(), ApiError> {
    let lines: Vec<(String, i64)> = order_form::lines(&order_form::rows(form)?, None)?
        .into_iter()
        .map(|l| (l.retailer_id, l.quantity))
        .collect();
    state
        .engine
        .edit_desk_draft(key, &lines)
        .await
        .map(|_| ())
        .map_err(super::inbox::not_found(key))
}

/// What the draft is, for the page's script: a redraw of the same draft
/// keeps what staff typed into its rows; a changed draft shows as it is.
fn signature(d: &DeskDraft) -> String {
    let lines: Vec<String> = d
        .lines
        .iter()
        .map(|l| format!("{}:{}", l.retailer_id, l.quantity))
        .collect();
    format!(
        "{}|{}",
        d.made_at.map_or(0, |m| m.timestamp()),
        lines.join(";")
    )
}

/// "Save lines".
pub async fn save(
    State(state): State<AppState>,
    Path(key): Path<String>,
    f: StaffForm<Fields>,
) -> Response {
    let result = save_rows(&state, &key, &f.form).await;
    after_change(&state, &f, &key, result).await
}

/// "Send to customer": the rows as typed are saved first (staff need not
/// press "Save lines" before), then as
/// `POST /api/v1/conversations/{wa_id}/draft/send`.
pub async fn send(
    State(state): State<AppState>,
    Path(key): Path<String>,
    f: StaffForm<Fields>,
) -> Response {
    let has_rows = f.form.iter().any(|(k, _)| k == "line_id");
    let saved = if has_rows {
        save_rows(&state, &key, &f.form).await
    } else {
        Ok(())
    };
    let result = match saved {
        Ok(()) => state
            .engine
            .send_desk_draft(&key)
            .await
            .map(|_| ())
            .map_err(super::inbox::not_found(&key)),
        Err(e) => Err(e),
    };
    after_change(&state, &f, &key, result).await
}
