//! The board's table view (`/orders?view=table`) and its bulk actions
//! (`POST /orders/bulk`): rows with a checkbox each (the script adds
//! shift-click ranges and "select all"), and one form that moves, tags or
//! assigns the selected orders through the bulk use-case. Each order is
//! judged on its own; the answer page says what was done and what was
//! refused, and why.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use chrono::Utc;
use maud::{html, Markup};
use orderdesk_domain::{Local, Order, OrderNumber, OrderStatus};
use orderdesk_engine::{BulkResult, BulkTarget, MAX_BULK};
use orderdesk_store::User;

use super::order_form::{field, invalid, Fields};
use super::session::{wants_json, Staff, StaffForm};
use super::views::{customer_name, items_summary, layout, money, payment_badge, Page};
use crate::error::ApiError;
use crate::AppState;

/// The orders as table rows inside the bulk form.
pub(super) fn table(
    orders: &[Order],
    staff: &Staff,
    users: &[User],
    back: &str,
    local: &Local,
) -> Markup {
    let now = Utc::now();
    html! {
        form #bulk-form.bulk method="post" action="/orders/bulk" {
            input type="hidden" name="csrf" value=(staff.csrf);
            input type="hidden" name="back" value=(back);
            div.bulk-bar role="group" aria-label="Act on the selected orders" {
                span #bulk-count.bulk-count aria-live="polite" { "None selected" }
                label.visually-hidden for="bulk-action" { "Action" }
                select #bulk-action name="action" {
                    option value="status" { "Move to stage" }
                    option value="tag" { "Add tag" }
                    option value="untag" { "Remove tag" }
                    option value="assign" { "Assign to" }
                }
                span.bulk-field data-for="status" {
                    label.visually-hidden for="bulk-status" { "Stage" }
                    select #bulk-status name="status" {
                        @for s in OrderStatus::ALL { option value=(s.as_str()) { (s.label()) } }
                    }
                    label.visually-hidden for="bulk-reason" { "Reason (for moves that need one)" }
                    input #bulk-reason type="text" name="reason" maxlength="500" placeholder="Reason, where a move needs one";
                }
                span.bulk-field data-for="tag untag" {
                    label.visually-hidden for="bulk-tag" { "Tag" }
                    input #bulk-tag type="text" name="tag" maxlength="40" placeholder="Tag, e.g. gift";
                }
                span.bulk-field data-for="assign" {
                    label.visually-hidden for="bulk-assignee" { "Assignee" }
                    select #bulk-assignee name="assignee" {
                        option value="" { "Nobody" }
                        @for u in users { option value=(u.email) selected[u.email == staff.user.email] { (u.email) } }
                    }
                }
                button.primary #bulk-apply type="submit" { "Apply to selected" }
                button #bulk-slips type="submit" formaction="/orders/slips" formtarget="_blank" { "Packing slips" }
            }
            div.table-wrap {
                table.list.orders-table {
                    caption.visually-hidden { "Orders" }
                    thead { tr {
                        th scope="col" { input #select-all type="checkbox" aria-label="Select all on this page"; }
                        th scope="col" { "Order" }
                        th scope="col" { "Customer" }
                        th scope="col" .wide { "Items" }
                        th scope="col" .num { "Total" }
                        th scope="col" .wide { "Payment" }
                        th scope="col" { "Stage" }
                        th scope="col" .wide { "Tags" }
                        th scope="col" .wide { "Assignee" }
                        th scope="col" .wide { "Age" }
                    } }
                    tbody #rows {
                        @for o in orders {
                            tr id={"row-" (o.number)} data-number=(o.number) data-status=(o.status.as_str()) {
                                td { input.pick type="checkbox" name="numbers" value=(o.number) aria-label={"Select order #" (o.number)}; }
                                td { a href={"/orders/" (o.number)} { "#" (o.number) } }
                                td.cust-cell { (customer_name(o)) }
                                td.wide.items-cell { (items_summary(o)) }
                                td.num { (money(o.total_minor, o, local)) }
                                td.wide { (payment_badge(o)) }
                                td { span class={"stage stage-" (o.status.as_str())} { (o.status.label()) } }
                                td.wide { @for t in &o.tags { span.tag { (t) } " " } }
                                td.wide { @if let Some(a) = &o.assignee { (a) } }
                                td.wide { time.age datetime=(o.created_at.to_rfc3339()) title=(local.date_time_zoned(o.created_at)) {
                                    (orderdesk_domain::local::relative(o.created_at, now, local))
                                } }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// The selected numbers of a posted bulk form.
fn numbers(fields: &Fields) -> Result<Vec<OrderNumber>, ApiError> {
    let picked: Vec<&str> = fields
        .iter()
        .filter(|(k, _)| k == "numbers")
        .map(|(_, v)| v.as_str())
        .collect();
    if picked.len() > MAX_BULK {
        return Err(invalid(format!(
            "a bulk action may name at most {MAX_BULK} orders"
        )));
    }
    picked
        .into_iter()
        .map(|n| {
            OrderNumber::parse(n.trim())
                .ok_or_else(|| invalid(format!("{n:?} is not an order number")))
        })
        .collect()
}

pub async fn bulk(State(state): State<AppState>, f: StaffForm<Fields>) -> Response {
    let json = wants_json(&f.headers);
    let back = safe_back(field(&f.form, "back"));
    let result = async {
        let numbers = numbers(&f.form)?;
        if numbers.is_empty() {
            return Err(invalid("select at least one order first"));
        }
        let some =
            |name: &str| Some(field(&f.form, name).to_owned()).filter(|v| !v.trim().is_empty());
        let (name, remove) = match field(&f.form, "action").trim() {
            "untag" => ("tag", true),
            other => (other, false),
        };
        let action = crate::api::bulk::bulk_action(
            name,
            some("status"),
            some("reason"),
            some("tag"),
            remove,
            some("assignee"),
        )?;
        // Orders this staff member may not see are refused like absent ones.
        let viewer = f.staff.viewer();
        let mut visible = Vec::with_capacity(numbers.len());
        let mut hidden = Vec::new();
        for number in numbers {
            match state.engine.order_for(&viewer, number).await {
                Ok(_) => visible.push(number),
                Err(orderdesk_engine::EngineError::Store(
                    orderdesk_store::StoreError::NotFound,
                )) => {
                    hidden.push(BulkResult {
                        number,
                        error: Some(format!("no such order #{number}")),
                    });
                }
                Err(e) => return Err(ApiError::from(e)),
            }
        }
        let mut results = if visible.is_empty() {
            Vec::new()
        } else {
            state
                .engine
                .bulk(BulkTarget::Numbers(visible), action, f.staff.actor())
                .await
                .map_err(ApiError::from)?
        };
        results.extend(hidden);
        Ok(results)
    }
    .await;
    let results = match result {
        Ok(r) => r,
        Err(e) if json => return e.into_response(),
        Err(e) => {
            let body = html! {
                main.narrow {
                    h1 { "Nothing was changed" }
                    p.alert role="alert" #bulk-error { (super::order::sentence(&e.message)) }
                    p { a.button href=(back) { "Back to the orders" } }
                }
            };
            return (e.status, page(&f.staff, body)).into_response();
        }
    };
    if json {
        let results: Vec<_> = results
            .iter()
            .map(|r| serde_json::json!({ "number": r.number, "ok": r.error.is_none(), "error": r.error }))
            .collect();
        return Json(serde_json::json!({ "results": results })).into_response();
    }
    let done = results.iter().filter(|r| r.error.is_none()).count();
    let refused: Vec<_> = results.iter().filter(|r| r.error.is_some()).collect();
    let body = html! {
        main.narrow.bulk-result {
            h1 { "Done: " (done) " of " (results.len()) }
            @if done > 0 {
                p.ok #bulk-done { (done) @if done == 1 { " order" } @else { " orders" } " changed: "
                    @for (i, r) in results.iter().filter(|r| r.error.is_none()).enumerate() {
                        @if i > 0 { ", " } a href={"/orders/" (r.number)} { "#" (r.number) }
                    }
                }
            }
            @if !refused.is_empty() {
                div.notice #bulk-refused {
                    p { strong { (refused.len()) " refused, unchanged:" } }
                    ul { @for r in &refused {
                        li { a href={"/orders/" (r.number)} { "#" (r.number) } ": " (r.error.as_deref().unwrap_or_default()) }
                    } }
                }
            }
            p { a.button.primary href=(back) { "Back to the orders" } }
        }
    };
    (StatusCode::OK, page(&f.staff, body)).into_response()
}

fn page(staff: &Staff, body: Markup) -> Markup {
    layout(Page {
        title: "Bulk action",
        staff: Some(staff),
        body,
        last_event_id: None,
        page: "bulk",
    })
}

/// Where "back" may go: the board with its filters, nowhere else.
fn safe_back(back: &str) -> String {
    let ok = back == "/orders" || back.starts_with("/orders?");
    if ok && !back.contains(['\\', '\r', '\n']) {
        back.to_owned()
    } else {
        "/orders?view=table".to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn back_stays_on_the_board() {
        assert_eq!(
            safe_back("/orders?view=table&q=tea"),
            "/orders?view=table&q=tea"
        );
        assert_eq!(safe_back("https://evil.example/"), "/orders?view=table");
        assert_eq!(safe_back("//evil.example"), "/orders?view=table");
        assert_eq!(safe_back("/orders/../users"), "/orders?view=table");
    }

    #[test]
    fn numbers_are_read_bounded_and_checked() {
        let f: Fields = vec![
            ("numbers".into(), "1001".into()),
            ("numbers".into(), "1002".into()),
        ];
        assert_eq!(numbers(&f).unwrap().len(), 2);
        let bad: Fields = vec![("numbers".into(), "x".into())];
        assert_eq!(
            numbers(&bad).unwrap_err().status,
            StatusCode::UNPROCESSABLE_ENTITY
        );
        let many: Fields = (0..=MAX_BULK)
            .map(|_| ("numbers".into(), "1001".into()))
            .collect();
        assert_eq!(
            numbers(&many).unwrap_err().status,
            StatusCode::UNPROCESSABLE_ENTITY
        );
    }
}
