//! What the edit and new-order pages share: reading their line rows (a
//! product, a quantity, a price) from a posted form, the rows themselves,
//! and the catalog picker.
//!
//! Rows are repeated fields (`line_id`, `line_qty`, `line_price`), one of
//! each per row in document order, so a page works without the script: a
//! browser posts every text field of a row, empty ones included.

use axum::http::StatusCode;
use maud::{html, Markup};
use orderdesk_domain::order::edit::EditLine;
use orderdesk_domain::{Currency, Local, Money};
use orderdesk_store::Product;

use crate::error::ApiError;

/// A posted form as its pairs, repeated names kept in order.
pub(crate) type Fields = Vec<(String, String)>;

/// Most rows a form may carry; more is refused, not cut.
pub(crate) const MAX_LINES: usize = 200;

/// Most products the picker lists; past that, staff type the retailer id
/// (any catalog id is accepted, listed or not) and the page stays small.
const MAX_PICKER: usize = 2000;

/// The first value of `name`, or `""`.
pub(crate) fn field<'a>(fields: &'a Fields, name: &str) -> &'a str {
    fields
        .iter()
        .find(|(k, _)| k == name)
        .map_or("", |(_, v)| v.as_str())
}

/// Every value of `name`, in order.
fn all<'a>(fields: &'a Fields, name: &str) -> Vec<&'a str> {
    fields
        .iter()
        .filter(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
        .collect()
}

/// One row as typed, kept to show the form again after a refusal.
#[derive(Debug, Clone, Default)]
pub(crate) struct Row {
    pub id: String,
    /// The product's name, for a line already on the order.
    pub name: Option<String>,
    pub qty: String,
    pub price: String,
}

/// The rows of a posted form.
///
/// # Errors
/// 422 for more than [`MAX_LINES`] rows.
pub(crate) fn rows(fields: &Fields) -> Result<Vec<Row>, ApiError> {
    let ids = all(fields, "line_id");
    if ids.len() > MAX_LINES {
        return Err(invalid(format!(
            "a form can hold at most {MAX_LINES} lines"
        )));
    }
    let names = all(fields, "line_name");
    let qtys = all(fields, "line_qty");
    let prices = all(fields, "line_price");
    Ok(ids
        .iter()
        .enumerate()
        .map(|(i, id)| Row {
            id: (*id).to_owned(),
            name: names
                .get(i)
                .map(|n| (*n).to_owned())
                .filter(|n| !n.is_empty()),
            qty: qtys.get(i).map(|q| (*q).to_owned()).unwrap_or_default(),
            price: prices.get(i).map(|p| (*p).to_owned()).unwrap_or_default(),
        })
        .collect())
}

/// The lines the rows ask for: a row without a product is skipped (an
/// unused blank row), quantity 0 removes the line, an empty quantity is 1
/// and an empty price keeps the line's (or the catalog's). The rules on
/// what a line may be (known product, not twice, prices) are the domain's.
///
/// # Errors
/// 422 naming the row whose quantity or price is not a number.
pub(crate) fn lines(rows: &[Row], currency: Option<Currency>) -> Result<Vec<EditLine>, ApiError> {
    let mut out = Vec::new();
    for row in rows {
        let id = row.id.trim();
        if id.is_empty() {
            continue;
        }
        let qty = row.qty.trim();
        let quantity = if qty.is_empty() {
            1
        } else {
            qty.parse::<i64>().map_err(|_| {
                invalid(format!(
                    "the quantity of {id:?} is not a whole number: {qty:?}"
                ))
            })?
        };
        if quantity == 0 {
            continue;
        }
        let unit_price_minor = match (row.price.trim(), currency) {
            ("", _) | (_, None) => None,
            (price, Some(currency)) => {
                Some(amount(price, currency, &format!("the price of {id:?}"))?)
            }
        };
        out.push(EditLine {
            retailer_id: id.to_owned(),
            quantity,
            unit_price_minor,
        });
    }
    Ok(out)
}

/// An amount typed in major units (`50`, `12.50`) in minor units.
///
/// # Errors
/// 422 naming `what`.
pub(crate) fn amount(raw: &str, currency: Currency, what: &str) -> Result<i64, ApiError> {
    Money::parse_decimal(raw.trim(), currency)
        .map(|m| m.minor())
        .map_err(|e| invalid(format!("{what} is not an amount in {currency}: {e}")))
}

/// `1297.50` for 129750 INR: an amount as the fields take it back.
pub(crate) fn amount_field(minor: i64, currency: Currency) -> String {
    let text = Money::from_minor(minor, currency).to_string();
    text.split(' ').next().unwrap_or_default().to_owned()
}

/// The order `number` names, if this staff member may see it; else the
/// answer to give: the "No such order" page, or the store's failure.
pub(crate) async fn visible_order(
    state: &crate::AppState,
    staff: &super::session::Staff,
    number: orderdesk_domain::OrderNumber,
) -> Result<orderdesk_domain::Order, axum::response::Response> {
    use axum::response::IntoResponse;
    match state.engine.order_for(&staff.viewer(), number).await {
        Ok(o) => Ok(o),
        Err(orderdesk_engine::EngineError::Store(orderdesk_store::StoreError::NotFound)) => {
            Err(super::order::not_found(staff))
        }
        Err(e) => Err(ApiError::from(e).into_response()),
    }
}

pub(crate) fn invalid(message: impl Into<String>) -> ApiError {
    ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid_request", message)
}

/// The catalog as picker options: (retailer id, "name · price").
pub(crate) fn picker(products: &[Product], local: &Local) -> Vec<(String, String)> {
    products
        .iter()
        .take(MAX_PICKER)
        .map(|p| {
            let price = local.money(Money::from_minor(p.price_minor, p.currency));
            (p.retailer_id.clone(), format!("{} · {price}", p.title))
        })
        .collect()
}

/// The `<datalist>` the rows' product fields suggest from.
pub(crate) fn catalog_list(options: &[(String, String)]) -> Markup {
    html! {
        datalist #catalog {
            @for (id, label) in options {
                option value=(id) { (label) }
            }
        }
    }
}

/// The line rows: `rows` first (a line already there shows its name and
/// keeps its id), then `blank` empty rows to add products from the
/// catalog. `with_price` adds the unit price column.
pub(crate) fn rows_table(rows: &[Row], blank: usize, with_price: Option<Currency>) -> Markup {
    let empty = Row::default();
    let blanks = std::iter::repeat_n(&empty, blank);
    html! {
        table.items.edit-lines {
            caption.visually-hidden { "Items" }
            thead { tr {
                th scope="col" { "Item" }
                th scope="col" .qty { "Qty" }
                @if let Some(currency) = with_price { th scope="col" .price { "Unit price (" (currency.as_str()) ")" } }
            } }
            tbody {
                @for (i, row) in rows.iter().chain(blanks).enumerate() {
                    tr.line data-row=(i) {
                        td {
                            @match &row.name {
                                Some(name) => {
                                    input type="hidden" name="line_id" value=(row.id);
                                    input type="hidden" name="line_name" value=(name);
                                    (name) br; span.muted.small { (row.id) }
                                }
                                None => {
                                    input type="hidden" name="line_name" value="";
                                    input type="text" name="line_id" value=(row.id) list="catalog"
                                        aria-label={"Item " (i + 1) ": catalog product"} placeholder="Add from the catalog" autocomplete="off";
                                }
                            }
                        }
                        td.qty {
                            input type="number" name="line_qty" min="0" max="100000" step="1" inputmode="numeric"
                                value=(row.qty) aria-label={"Item " (i + 1) ": quantity"};
                        }
                        @if with_price.is_some() {
                            td.price {
                                input type="text" name="line_price" inputmode="decimal" value=(row.price)
                                    aria-label={"Item " (i + 1) ": unit price"} placeholder="catalog price" autocomplete="off";
                            }
                        }
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(pairs: &[(&str, &str)]) -> Fields {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    fn inr() -> Currency {
        Currency::parse("INR").unwrap()
    }

    #[test]
    fn rows_pair_up_in_order_and_blank_rows_are_skipped() {
        let f = form(&[
            ("line_name", "Tea"),
            ("line_id", "tea"),
            ("line_qty", "3"),
            ("line_price", ""),
            ("line_name", ""),
            ("line_id", "mug"),
            ("line_qty", ""),
            ("line_price", "12.50"),
            ("line_name", ""),
            ("line_id", " "),
            ("line_qty", ""),
            ("line_price", ""),
        ]);
        let rows = rows(&f).unwrap();
        assert_eq!(rows.len(), 3);
        assert_eq!(rows[0].name.as_deref(), Some("Tea"));
        let lines = lines(&rows, Some(inr())).unwrap();
        assert_eq!(
            lines,
            vec![
                EditLine {
                    retailer_id: "tea".into(),
                    quantity: 3,
                    unit_price_minor: None
                },
                EditLine {
                    retailer_id: "mug".into(),
                    quantity: 1,
                    unit_price_minor: Some(1250)
                },
            ]
        );
    }

    #[test]
    fn quantity_zero_removes_a_line_and_a_bad_number_is_named() {
        let zero = [Row {
            id: "tea".into(),
            qty: "0".into(),
            ..Row::default()
        }];
        assert!(lines(&zero, None).unwrap().is_empty());
        let bad = [Row {
            id: "tea".into(),
            qty: "two".into(),
            ..Row::default()
        }];
        let e = lines(&bad, None).unwrap_err();
        assert_eq!(e.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(e.message.contains("\"tea\""), "{}", e.message);
        let price = [Row {
            id: "tea".into(),
            qty: "1".into(),
            price: "-5".into(),
            ..Row::default()
        }];
        let e = lines(&price, Some(inr())).unwrap_err();
        assert!(e.message.contains("the price of \"tea\""), "{}", e.message);
    }

    #[test]
    fn too_many_rows_are_refused() {
        let mut f = Fields::new();
        for _ in 0..=MAX_LINES {
            f.push(("line_id".into(), "tea".into()));
        }
        assert_eq!(
            rows(&f).unwrap_err().status,
            StatusCode::UNPROCESSABLE_ENTITY
        );
    }

    #[test]
    fn amounts_read_major_units_and_print_back_the_same() {
        assert_eq!(amount("50", inr(), "shipping").unwrap(), 5000);
        assert_eq!(amount_field(5000, inr()), "50.00");
        assert!(amount("abc", inr(), "shipping")
            .unwrap_err()
            .message
            .starts_with("shipping"));
    }
}
