use chrono::DateTime;
use orderdesk_domain::{
    Address, Currency, Customer, LineItem, NewOrder, StatusChange, TransitionRequest,
};
use serde_json::json;

use super::*;

fn paid_order() -> Order {
    let at = DateTime::from_timestamp(1_780_000_000, 0).unwrap();
    let inr = Currency::parse("INR").unwrap();
    let line = |id: &str, name: &str, quantity, unit| {
        (
            LineItem {
                retailer_id: id.to_owned(),
                name: name.to_owned(),
                quantity,
                unit_price_minor: unit,
            },
            inr,
        )
    };
    let customer = Customer {
        wa_id: Some("919988776655".to_owned()),
        user_id: None,
        name: Some("Asha".to_owned()),
    };
    let new = NewOrder::from_cart(
        customer,
        vec![
            line("tea", "Masala chai", 2, 24_950),
            line("mug", "Mug", 1, 11_800),
        ],
        None,
        at,
    )
    .unwrap();
    let mut order = new.placed(OrderNumber::FIRST, at);
    order.payment_status = PaymentStatus::Paid;
    order.payment_method = Some(PaymentMethod::Razorpay);
    order.provider_payment_id = Some("pay_29QQoUBi66xm2f".to_owned());
    order.invoice_number = Some("INV-2026-00001".to_owned());
    order.address = Some(Address {
        name: "Asha Rao".to_owned(),
        phone: "+91 99887 76655".to_owned(),
        line1: "4 Park Street".to_owned(),
        line2: String::new(),
        city: "Bengaluru".to_owned(),
        state: "Karnataka".to_owned(),
        postal_code: "560001".to_owned(),
        country: "IN".to_owned(),
    });
    order
}

fn settings(key: &str) -> Option<String> {
    match key {
        TAX_RATE => Some("12".to_owned()),
        BUSINESS_STATE => Some("Karnataka".to_owned()),
        "ORDERDESK_BUSINESS_NAME" => Some("Chai & Co".to_owned()),
        "ORDERDESK_BUSINESS_ADDRESS" => Some("12 MG Road\n\nBengaluru 560001".to_owned()),
        "ORDERDESK_BUSINESS_TAX_ID" => Some("29ABCDE1234F1Z5".to_owned()),
        _ => None,
    }
}

#[test]
fn the_catalogs_hsn_and_rate_win_over_the_default_rate_and_the_state_decides_gst() {
    let order = paid_order();
    let taxes = [ProductTax {
        retailer_id: "tea".to_owned(),
        hsn: "0902".to_owned(),
        rate_bp: Some(500),
    }];
    let at = order.created_at;
    let payment = payment_line(&order, None);
    let (input, rules) = invoice_input(
        &order,
        "INV-2026-00001".into(),
        at,
        payment,
        &taxes,
        &settings,
    );
    let invoice = build_invoice(input, &rules);
    assert_eq!(invoice.lines[0].hsn.as_deref(), Some("0902"));
    assert_eq!(invoice.lines[0].rate_bp, 500);
    assert_eq!(invoice.lines[1].hsn, None);
    assert_eq!(invoice.lines[1].rate_bp, 1200, "the default rate");
    let labels: Vec<&str> = invoice.taxes.iter().map(|t| t.label.as_str()).collect();
    assert_eq!(labels, ["CGST 2.5%", "SGST 2.5%", "CGST 6%", "SGST 6%"]);
    assert_eq!(invoice.total_minor, order.total_minor, "prices include tax");
    assert_eq!(invoice.seller.address, ["12 MG Road", "Bengaluru 560001"]);
    assert_eq!(invoice.seller.tax_id.as_deref(), Some("29ABCDE1234F1Z5"));
    assert_eq!(invoice.buyer.name, "Asha Rao");
    assert_eq!(
        invoice.buyer.address,
        ["4 Park Street", "Bengaluru, Karnataka, 560001", "India"]
    );
    assert_eq!(
        invoice.payment.as_deref(),
        Some("Paid by online (Razorpay); reference pay_29QQoUBi66xm2f")
    );
    assert_eq!(
        payment_line(&order, Some("UTR 4123")).as_deref(),
        Some("Paid by online (Razorpay); reference UTR 4123"),
        "the paid event's reference first"
    );
}

#[test]
fn exclusive_prices_add_tax_and_a_buyer_elsewhere_pays_igst() {
    let mut order = paid_order();
    if let Some(a) = order.address.as_mut() {
        a.state = "Kerala".to_owned();
    }
    let exclusive = |key: &str| match key {
        TAX_MODE => Some("exclusive".to_owned()),
        other => settings(other),
    };
    let at = order.created_at;
    let (input, rules) = invoice_input(&order, "INV-2026-00001".into(), at, None, &[], &exclusive);
    let invoice = build_invoice(input, &rules);
    assert_eq!(invoice.taxes.len(), 1);
    assert_eq!(invoice.taxes[0].label, "IGST 12%");
    assert_eq!(
        invoice.total_minor,
        order.total_minor + invoice.taxes[0].amount_minor
    );
}

fn update_paying() -> OrderUpdate {
    OrderUpdate {
        payment_status: Some(PaymentStatus::Paid),
        ..OrderUpdate::default()
    }
}

fn update_moving(from: OrderStatus, to: OrderStatus) -> OrderUpdate {
    let change: StatusChange = orderdesk_domain::plan_transition(
        from,
        None,
        TransitionRequest {
            to,
            actor: Actor::Staff {
                name: "owner@shop.test".to_owned(),
            },
            reason: Some("out of stock".to_owned()),
            tracking: None,
        },
    )
    .unwrap();
    OrderUpdate {
        status_change: Some(change),
        ..OrderUpdate::default()
    }
}

fn update_delivering() -> OrderUpdate {
    update_moving(OrderStatus::Shipped, OrderStatus::Delivered)
}

fn in_stage(mut order: Order, status: OrderStatus) -> Order {
    order.status = status;
    order
}

#[test]
fn the_invoice_goes_once_when_paid_or_when_paid_and_confirmed_by_setting() {
    let mut unpaid = paid_order();
    unpaid.payment_status = PaymentStatus::Pending;
    unpaid.invoice_number = None;
    let paid = paid_order();

    // on_paid: the update that pays, whatever the stage.
    assert!(earns_sending(
        InvoiceSend::OnPaid,
        &in_stage(unpaid.clone(), OrderStatus::Placed),
        &update_paying()
    ));
    assert!(
        !earns_sending(InvoiceSend::OnPaid, &paid, &update_paying()),
        "paid already"
    );
    assert!(!earns_sending(
        InvoiceSend::OnPaid,
        &paid,
        &update_delivering()
    ));
    assert!(!earns_sending(InvoiceSend::Off, &unpaid, &update_paying()));
    let mut cash_at_the_door = update_delivering();
    cash_at_the_door.payment_status = Some(PaymentStatus::Paid);
    assert!(
        earns_sending(
            InvoiceSend::OnPaid,
            &in_stage(unpaid.clone(), OrderStatus::Shipped),
            &cash_at_the_door
        ),
        "cash recorded"
    );
    assert!(!earns_sending(InvoiceSend::Off, &unpaid, &cash_at_the_door));

    // on_confirmed: a paid order when staff confirm it…
    let confirming = update_moving(OrderStatus::Placed, OrderStatus::Confirmed);
    let paid_placed = in_stage(paid.clone(), OrderStatus::Placed);
    assert!(earns_sending(
        InvoiceSend::OnConfirmed,
        &paid_placed,
        &confirming
    ));
    assert!(
        !earns_sending(InvoiceSend::OnConfirmed, &paid_placed, &update_paying()),
        "paid but not confirmed yet"
    );
    assert!(
        !earns_sending(
            InvoiceSend::OnConfirmed,
            &in_stage(unpaid.clone(), OrderStatus::Placed),
            &confirming
        ),
        "confirmed but not paid (cash on delivery)"
    );
    // …a confirmed order when it is paid (cash recorded at the door)…
    assert!(earns_sending(
        InvoiceSend::OnConfirmed,
        &in_stage(unpaid.clone(), OrderStatus::Shipped),
        &cash_at_the_door
    ));
    assert!(earns_sending(
        InvoiceSend::OnConfirmed,
        &in_stage(unpaid.clone(), OrderStatus::Confirmed),
        &update_paying()
    ));
    // …and once only: later moves of a paid, confirmed order send nothing.
    assert!(!earns_sending(
        InvoiceSend::OnConfirmed,
        &in_stage(paid.clone(), OrderStatus::Shipped),
        &update_delivering()
    ));
    assert!(
        !earns_sending(
            InvoiceSend::OnConfirmed,
            &paid_placed,
            &update_moving(OrderStatus::Placed, OrderStatus::Cancelled)
        ),
        "a cancelled order is owed no invoice message"
    );
    assert!(!earns_sending(InvoiceSend::Off, &paid_placed, &confirming));
}

#[test]
fn only_bodies_that_ask_for_the_invoice_number_get_it() {
    let mut body = json!({"type": "document", "document": {
        "filename": format!("{INVOICE_PLACEHOLDER}.pdf"),
        "caption": format!("Here is invoice {INVOICE_PLACEHOLDER} for your order #1001."),
    }});
    assert!(wants_number(&body));
    replace_number(&mut body, "INV-2026-00007");
    assert_eq!(body["document"]["filename"], "INV-2026-00007.pdf");
    assert_eq!(
        body["document"]["caption"],
        "Here is invoice INV-2026-00007 for your order #1001."
    );
    assert!(!wants_number(&body));
    assert!(!wants_number(&json!({"text": {"body": "hello"}})));
}
