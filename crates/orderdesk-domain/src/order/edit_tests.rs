use super::*;
use crate::{Customer, NewOrder, OrderNumber};

fn inr() -> Currency {
    Currency::parse("INR").unwrap()
}

fn tea(quantity: i64) -> LineItem {
    LineItem {
        retailer_id: "tea".into(),
        name: "Tea".into(),
        quantity,
        unit_price_minor: 10_000,
    }
}

fn order(status: OrderStatus) -> Order {
    let at = chrono::DateTime::UNIX_EPOCH;
    let mut o = NewOrder::from_cart(Customer::default(), vec![(tea(2), inr())], None, at)
        .unwrap()
        .placed(OrderNumber::FIRST, at);
    o.status = status;
    o
}

fn catalog() -> Vec<CatalogPrice> {
    vec![CatalogPrice {
        retailer_id: "mug".into(),
        name: "Mug".into(),
        unit_price_minor: 25_000,
        currency: inr(),
    }]
}

fn line(id: &str, quantity: i64) -> EditLine {
    EditLine {
        retailer_id: id.into(),
        quantity,
        unit_price_minor: None,
    }
}

fn items(lines: Vec<EditLine>) -> EditRequest {
    EditRequest {
        items: Some(lines),
        ..EditRequest::default()
    }
}

#[test]
fn the_total_is_the_subtotal_plus_shipping_less_the_discount() {
    assert_eq!(order_total(&[tea(3)], inr(), 5_000, 2_000), Ok(33_000));
    assert_eq!(order_total(&[tea(1)], inr(), 0, 10_000), Ok(0));
}

#[test]
fn a_discount_above_the_subtotal_or_negative_money_is_refused() {
    assert!(matches!(
        order_total(&[tea(1)], inr(), 0, 10_001),
        Err(EditError::DiscountAboveSubtotal { .. })
    ));
    assert!(matches!(
        order_total(&[tea(1)], inr(), -1, 0),
        Err(EditError::Negative(_))
    ));
    assert!(matches!(
        order_total(&[tea(1)], inr(), 0, -1),
        Err(EditError::Negative(_))
    ));
}

#[test]
fn a_quantity_change_and_a_new_catalog_line_recompute_the_total() {
    let plan = plan_edit(
        &order(OrderStatus::Confirmed),
        &items(vec![line("tea", 3), line("mug", 1)]),
        &catalog(),
    )
    .unwrap();
    let new = plan.items.as_ref().unwrap();
    assert_eq!(new[1].name, "Mug");
    assert_eq!(new[1].unit_price_minor, 25_000);
    assert_eq!(plan.total_minor, 55_000);
    assert_eq!(plan.total_delta(), 35_000);
    assert!(plan.changes[0].contains("2 × Tea") && plan.changes[0].contains("3 × Tea"));
    assert!(plan
        .changes
        .last()
        .unwrap()
        .starts_with("total: 200.00 INR → 550.00 INR"));
}

#[test]
fn a_line_keeps_its_price_unless_staff_give_one() {
    let mut cheaper = line("tea", 2);
    cheaper.unit_price_minor = Some(9_000);
    let plan = plan_edit(&order(OrderStatus::Placed), &items(vec![cheaper]), &[]).unwrap();
    assert_eq!(plan.total_minor, 18_000);
    let same = plan_edit(
        &order(OrderStatus::Placed),
        &items(vec![line("tea", 2)]),
        &[],
    )
    .unwrap();
    assert!(same.is_noop(), "{:?}", same.changes);
}

#[test]
fn bad_lines_are_refused_naming_them() {
    let o = order(OrderStatus::Placed);
    let err = plan_edit(&o, &items(vec![line("nope", 1)]), &catalog()).unwrap_err();
    assert_eq!(err, EditError::UnknownItem("nope".into()));
    assert!(err.to_string().contains("\"nope\""));
    assert_eq!(
        plan_edit(&o, &items(vec![line("tea", 0)]), &[]),
        Err(EditError::Quantity("tea".into()))
    );
    assert_eq!(
        plan_edit(&o, &items(vec![line("tea", -2)]), &[]),
        Err(EditError::Quantity("tea".into()))
    );
    assert_eq!(plan_edit(&o, &items(vec![]), &[]), Err(EditError::NoItems));
    assert_eq!(
        plan_edit(&o, &items(vec![line("tea", 1), line("tea", 2)]), &[]),
        Err(EditError::RepeatedItem("tea".into()))
    );
    let mut negative = line("tea", 1);
    negative.unit_price_minor = Some(-5);
    assert!(matches!(
        plan_edit(&o, &items(vec![negative]), &[]),
        Err(EditError::Negative(_))
    ));
    let mut usd = catalog();
    usd[0].currency = Currency::parse("USD").unwrap();
    assert!(matches!(
        plan_edit(&o, &items(vec![line("mug", 1)]), &usd),
        Err(EditError::Currency { .. })
    ));
}

#[test]
fn only_orders_that_have_not_shipped_or_closed_can_be_edited() {
    for status in OrderStatus::ALL {
        let got = plan_edit(
            &order(status),
            &EditRequest {
                shipping_minor: Some(100),
                ..EditRequest::default()
            },
            &[],
        );
        assert_eq!(got.is_ok(), editable(status), "{status:?}");
        if let Err(e) = got {
            assert!(
                e.to_string().contains(&status.label().to_lowercase()),
                "{e}"
            );
        }
    }
    assert!(!editable(OrderStatus::Shipped));
    assert!(editable(OrderStatus::Processed));
}

#[test]
fn an_empty_request_is_refused() {
    assert_eq!(
        plan_edit(&order(OrderStatus::Placed), &EditRequest::default(), &[]),
        Err(EditError::Nothing)
    );
}

#[test]
fn an_address_is_normalised_and_validated() {
    let good = Address {
        name: " Asha  Rao ".into(),
        phone: "+91 99887 76655".into(),
        line1: "12 MG Road".into(),
        line2: String::new(),
        city: "Bengaluru".into(),
        state: "KA".into(),
        postal_code: "560001".into(),
        country: "in".into(),
    };
    let plan = plan_edit(
        &order(OrderStatus::Approved),
        &EditRequest {
            address: Some(good.clone()),
            ..EditRequest::default()
        },
        &[],
    )
    .unwrap();
    let stored = plan.address.unwrap();
    assert_eq!(stored.name, "Asha Rao");
    assert_eq!(stored.country, "IN");
    assert!(plan.changes[0].starts_with("address: Asha Rao, 12 MG Road"));
    let bad = Address {
        city: String::new(),
        ..good
    };
    let err = plan_edit(
        &order(OrderStatus::Approved),
        &EditRequest {
            address: Some(bad),
            ..EditRequest::default()
        },
        &[],
    )
    .unwrap_err();
    assert!(err.to_string().contains("city"), "{err}");
}
