//! Products from the chat on the order window: staff tick catalog products
//! and the customer gets them as a `product` or `product_list` message
//! (`Engine::send_products`, the same use-case as
//! `POST /api/v1/conversations/{wa_id}/products`).

use axum::extract::{Path, State};
use axum::response::Response;
use maud::{html, Markup};
use orderdesk_domain::{Money, Order};
use orderdesk_store::{customer_key_of, Product};

use super::order::{done, parse};
use super::session::{Staff, StaffForm};
use crate::api::orders::order_error;
use crate::AppState;

/// Most products the picker lists (a WhatsApp list takes 30).
const LISTED: usize = 60;

/// The picker under the reply box: a checkbox per catalog product.
pub(super) fn picker(o: &Order, staff: &Staff, catalog: &[Product], window_open: bool) -> Markup {
    if catalog.is_empty() || customer_key_of(&o.customer).is_none() {
        return html! {};
    }
    html! {
        section #send-products.panel aria-labelledby="send-products-title" {
            h2 #send-products-title { "Send products" }
            form #products-form method="post" action={"/orders/" (o.number) "/products"} {
                input type="hidden" name="csrf" value=(staff.csrf);
                fieldset.product-picks {
                    legend.muted.small { "Tick up to 30: one goes as a product card, several as a list the customer can add to their cart." }
                    @for p in catalog.iter().take(LISTED) {
                        label.pick {
                            input type="checkbox" name="product" value=(p.retailer_id);
                            span { (p.title) }
                            span.muted { (Money::from_minor(p.price_minor, p.currency)) }
                        }
                    }
                }
                button.primary type="submit" disabled[!window_open] { "Send products" }
            }
        }
    }
}

/// Sends the ticked products to the order's customer.
pub async fn send(
    State(state): State<AppState>,
    Path(number): Path<String>,
    f: StaffForm<Vec<(String, String)>>,
) -> Result<Response, Response> {
    let number = parse(&state, &f, &number).await?;
    let ids: Vec<String> = f
        .form
        .iter()
        .filter(|(k, _)| k == "product")
        .map(|(_, v)| v.clone())
        .collect();
    let result = async {
        let order = state
            .engine
            .order_for(&f.staff.viewer(), number)
            .await
            .map_err(|e| order_error(e, number))?;
        let key = customer_key_of(&order.customer)
            .unwrap_or_default()
            .to_owned();
        let pick = orderdesk_engine::ProductPick {
            sections: vec![(None, ids)],
            body: None,
        };
        state
            .engine
            .send_products(&key, pick)
            .await
            .map(|_| ())
            .map_err(|e| order_error(e, number))
    }
    .await;
    Ok(done(&state, &f, number, result).await)
}
