//! `/orders/{number}/edit`: staff correct an order before it ships (its
//! lines from the catalog, quantities and prices, a shipping fee, a
//! discount, the delivery address) through the same use-case as `PATCH
//! /api/v1/orders/{n}`, which also tells the customer.
//!
//! The form carries the order's version: when someone else changed the
//! order meanwhile nothing is saved, and the page says so and shows the
//! order as it is now (saving the stale form over it would silently undo
//! their change). Any other refusal shows the form again as typed.

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use maud::{html, Markup};
use orderdesk_domain::order::edit::{editable, EditRequest};
use orderdesk_domain::{Address, Currency, Local, Order, OrderNumber};

use super::order_form::{self, field, Fields, Row};
use super::session::{redirect, wants_json, Staff, StaffForm};
use super::views::{money, staff_page};
use crate::error::ApiError;
use crate::AppState;

/// Empty rows offered under the order's lines for adding products.
const BLANK_ROWS: usize = 3;

/// The address fields, as the form names them, with their labels.
const ADDRESS_FIELDS: [(&str, &str); 8] = [
    ("name", "Name"),
    ("phone", "Phone"),
    ("line1", "Address line 1"),
    ("line2", "Address line 2 (optional)"),
    ("city", "City"),
    ("state", "State or region"),
    ("postal_code", "Postal code"),
    ("country", "Country (two letters, e.g. IN)"),
];

/// The form's content: from the order, or as staff typed it.
struct Draft {
    version: String,
    rows: Vec<Row>,
    shipping: String,
    discount: String,
    address: [String; 8],
}

impl Draft {
    fn of(o: &Order) -> Self {
        let a = o.address.clone().unwrap_or(Address {
            name: String::new(),
            phone: String::new(),
            line1: String::new(),
            line2: String::new(),
            city: String::new(),
            state: String::new(),
            postal_code: String::new(),
            country: String::new(),
        });
        Self {
            version: o.version.to_string(),
            rows: o
                .items
                .iter()
                .map(|i| Row {
                    id: i.retailer_id.clone(),
                    name: Some(i.name.clone()),
                    qty: i.quantity.to_string(),
                    price: order_form::amount_field(i.unit_price_minor, o.currency),
                })
                .collect(),
            shipping: order_form::amount_field(o.shipping_minor, o.currency),
            discount: order_form::amount_field(o.discount_minor, o.currency),
            address: [
                a.name,
                a.phone,
                a.line1,
                a.line2,
                a.city,
                a.state,
                a.postal_code,
                a.country,
            ],
        }
    }

    fn posted(fields: &Fields) -> Result<Self, ApiError> {
        Ok(Self {
            version: field(fields, "version").to_owned(),
            rows: order_form::rows(fields)?,
            shipping: field(fields, "shipping").to_owned(),
            discount: field(fields, "discount").to_owned(),
            address: ADDRESS_FIELDS.map(|(name, _)| field(fields, name).to_owned()),
        })
    }

    /// The use-case's request: every line (quantity 0 removes one), the
    /// fees (empty is zero), the address when any of it is filled in.
    fn request(&self, currency: Currency) -> Result<(EditRequest, i64), ApiError> {
        let version =
            self.version.trim().parse::<i64>().map_err(|_| {
                order_form::invalid("the form has no order version; reload the page")
            })?;
        let money = |raw: &str, what: &str| match raw.trim() {
            "" => Ok(0),
            raw => order_form::amount(raw, currency, what),
        };
        let [name, phone, line1, line2, city, state, postal_code, country] = self.address.clone();
        let address = self
            .address
            .iter()
            .any(|f| !f.trim().is_empty())
            .then_some(Address {
                name,
                phone,
                line1,
                line2,
                city,
                state,
                postal_code,
                country,
            });
        let request = EditRequest {
            items: Some(order_form::lines(&self.rows, Some(currency))?),
            address,
            shipping_minor: Some(money(&self.shipping, "the shipping fee")?),
            discount_minor: Some(money(&self.discount, "the discount")?),
        };
        Ok((request, version))
    }
}

pub async fn show(
    State(state): State<AppState>,
    staff: Staff,
    Path(number): Path<String>,
) -> Response {
    let Some(number) = OrderNumber::parse(&number) else {
        return super::order::not_found(&staff);
    };
    page(&state, &staff, number, None, None, StatusCode::OK).await
}

pub async fn save(
    State(state): State<AppState>,
    Path(number): Path<String>,
    f: StaffForm<Fields>,
) -> Response {
    let Some(number) = OrderNumber::parse(&number) else {
        return super::order::not_found(&f.staff);
    };
    let json = wants_json(&f.headers);
    let draft = match Draft::posted(&f.form) {
        Ok(d) => d,
        Err(e) => return refused(&state, &f.staff, &f.headers, number, None, e).await,
    };
    let result = async {
        let order = state
            .engine
            .order_for(&f.staff.viewer(), number)
            .await
            .map_err(|e| crate::api::orders::order_error(e, number))?;
        let (request, version) = draft.request(order.currency)?;
        state
            .engine
            .edit_order(number, &request, f.staff.actor(), Some(version))
            .await
            .map_err(|e| crate::api::orders::order_error(e, number))
    }
    .await;
    match result {
        Ok(edited) if json => Json(serde_json::json!({
            "ok": true,
            "changes": edited.changes,
            "refund_due_minor": edited.refund_due_minor,
            "difference_link": edited.difference_link,
        }))
        .into_response(),
        Ok(_) => redirect(&format!("/orders/{number}")),
        Err(e) => refused(&state, &f.staff, &f.headers, number, Some(draft), e).await,
    }
}

/// A refused save: JSON for a script; else the page again, with the
/// draft as typed, or the order as it is now when it changed meanwhile.
async fn refused(
    state: &AppState,
    staff: &Staff,
    headers: &HeaderMap,
    number: OrderNumber,
    draft: Option<Draft>,
    e: ApiError,
) -> Response {
    if wants_json(headers) {
        return e.into_response();
    }
    if e.status == StatusCode::NOT_FOUND {
        return super::order::not_found(staff);
    }
    let (draft, message) = if e.code == "conflict" {
        let message = format!(
            "Someone else changed order #{number} while you were editing it, so your changes \
             were not saved. The form now shows the order as it is; make your changes again."
        );
        (None, message)
    } else {
        (draft, super::order::sentence(&e.message))
    };
    page(state, staff, number, draft, Some(&message), e.status).await
}

async fn page(
    state: &AppState,
    staff: &Staff,
    number: OrderNumber,
    draft: Option<Draft>,
    error: Option<&str>,
    status: StatusCode,
) -> Response {
    let order = match order_form::visible_order(state, staff, number).await {
        Ok(o) => o,
        Err(response) => return response,
    };
    let products = match state.engine.store().products().await {
        Ok(p) => p,
        Err(e) => return ApiError::from(e).into_response(),
    };
    // Not held across an await: ICU's formatter data is not `Send`.
    let local = state.engine.settings().local();
    let options = order_form::picker(&products, &local);
    let draft = draft.unwrap_or_else(|| Draft::of(&order));
    let open = editable(order.status);
    let title = format!("Edit order #{number}");
    let body = html! {
        main.narrow.order-edit data-number=(number) {
            p.back { a href={"/orders/" (number)} { "← Order #" (number) } }
            h1 { (title) }
            @if let Some(error) = error {
                p.alert role="alert" #edit-error { (error) }
            }
            @if !open {
                p.notice #edit-closed {
                    "This order is " (order.status.label().to_lowercase()) ": it can no longer be edited."
                }
            } @else {
                p.hint {
                    "When the items or the total change, the customer is sent the updated summary on WhatsApp. "
                    "A paid order whose total rises gets a payment link for the difference; "
                    "when it falls, the order shows the amount to refund."
                }
                form #edit-form.edit-form method="post" action={"/orders/" (number) "/edit"} {
                    input type="hidden" name="csrf" value=(staff.csrf);
                    input type="hidden" name="version" value=(draft.version);
                    fieldset {
                        legend { "Items" }
                        (order_form::rows_table(&draft.rows, BLANK_ROWS, Some(order.currency)))
                        p.hint.small { "Quantity 0 removes a line. An empty price keeps the line's price (the catalog's for a new line)." }
                    }
                    fieldset.fees {
                        legend { "Shipping and discount (" (order.currency.as_str()) ")" }
                        label for="edit-shipping" { "Shipping fee" }
                        input #edit-shipping type="text" name="shipping" value=(draft.shipping) inputmode="decimal" autocomplete="off";
                        label for="edit-discount" { "Discount off the items" }
                        input #edit-discount type="text" name="discount" value=(draft.discount) inputmode="decimal" autocomplete="off";
                    }
                    fieldset.address {
                        legend { "Delivery address" }
                        @for ((name, label), value) in ADDRESS_FIELDS.iter().zip(&draft.address) {
                            label for={"edit-" (name)} { (label) }
                            input id={"edit-" (name)} type="text" name=(name) value=(value) maxlength="200";
                        }
                    }
                    div.form-buttons {
                        button.primary type="submit" { "Save changes" }
                        a.button href={"/orders/" (number)} { "Cancel" }
                    }
                }
                (order_form::catalog_list(&options))
            }
        }
    };
    staff_page(status, staff, &title, "order-edit", body)
}

/// The items table's foot on the order window: shipping and discount when
/// there are any, then the total.
pub(super) fn totals(o: &Order, local: &Local) -> Markup {
    html! {
        tfoot {
            @if o.shipping_minor != 0 {
                tr.fee { th scope="row" colspan="3" { "Shipping" } td.num #order-shipping { (money(o.shipping_minor, o, local)) } }
            }
            @if o.discount_minor != 0 {
                tr.fee { th scope="row" colspan="3" { "Discount" } td.num #order-discount { "−" (money(o.discount_minor, o, local)) } }
            }
            tr { th scope="row" colspan="3" { "Total" } td.num.total { (money(o.total_minor, o, local)) } }
        }
    }
}

/// The order window's way to the edit page (while the order may change)
/// and to its packing slip.
pub(super) fn edit_link(o: &Order) -> Markup {
    html! {
        p.edit-link {
            @if editable(o.status) {
                a.button #edit-order href={"/orders/" (o.number) "/edit"} { "Edit items, fees or address" }
                " "
            }
            a.button #slip-link href={"/orders/" (o.number) "/slip"} { "Packing slip" }
        }
    }
}
