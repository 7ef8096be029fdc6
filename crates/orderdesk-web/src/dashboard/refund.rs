//! The order window's refund dialog: the amount still refundable,
//! prefilled and editable, and the reason. A paid order that was rejected
//! or cancelled opens it by itself, since its money is owed back.

use maud::{html, Markup};
use orderdesk_domain::{refundable_minor, Local, Money, Order, OrderStatus};

use super::session::Staff;
use super::views::money;

/// `1297.50` for 129750 INR: the amount as the field takes it back
/// (`Money::parse_decimal`), without the currency code.
fn amount_field(minor: i64, order: &Order) -> String {
    let text = Money::from_minor(minor, order.currency).to_string();
    text.split(' ').next().unwrap_or_default().to_owned()
}

/// The refund dialog, when something is left to refund.
pub(super) fn refund_dialog(o: &Order, staff: &Staff, local: &Local) -> Markup {
    let left = refundable_minor(o);
    let owed = matches!(o.status, OrderStatus::Rejected | OrderStatus::Cancelled);
    html! {
        details #refund-dialog.refund-dialog open[owed] {
            summary { "Refund…" }
            @if owed {
                p #refund-owed.notice role="status" {
                    "This order is " (o.status.label().to_lowercase()) " but was paid: "
                    (money(left, o, local)) " can go back to the customer."
                }
            }
            form.action.js-enhance method="post" action={"/orders/" (o.number) "/payment"} data-payment-action="refund" {
                input type="hidden" name="csrf" value=(staff.csrf);
                input type="hidden" name="action" value="refund";
                input type="hidden" name="version" value=(o.version);
                label for="pay-refund-amount" { "Amount (" (o.currency.as_str()) "), at most " (money(left, o, local)) }
                input #pay-refund-amount type="text" name="amount" inputmode="decimal" required
                    value=(amount_field(left, o)) autocomplete="off";
                label for="pay-refund-reason" { "Reason" }
                input #pay-refund-reason type="text" name="reason" maxlength="500" required;
                button.danger type="submit" { "Refund" }
            }
        }
    }
}

/// The refund form's amount in minor units of the order's currency;
/// `None` when left empty (everything left).
pub(super) async fn amount_minor(
    state: &crate::AppState,
    number: orderdesk_domain::OrderNumber,
    raw: &str,
) -> Result<Option<i64>, crate::error::ApiError> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Ok(None);
    }
    let order = state
        .engine
        .store()
        .order(number)
        .await
        .map_err(|e| crate::api::orders::not_found_as(e, number))?;
    Money::parse_decimal(raw, order.currency)
        .map(|m| Some(m.minor()))
        .map_err(|e| {
            crate::error::ApiError::new(
                axum::http::StatusCode::UNPROCESSABLE_ENTITY,
                "invalid_request",
                format!(
                    "the refund amount {raw:?} is not an amount in {}: {e}",
                    order.currency
                ),
            )
        })
}
