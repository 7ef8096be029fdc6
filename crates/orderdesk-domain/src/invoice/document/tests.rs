use super::*;

fn inr() -> Currency {
    Currency::parse("INR").unwrap()
}

fn input(buyer_state: &str, lines: Vec<LineInput>) -> InvoiceInput {
    InvoiceInput {
        number: "INV-2026-00001".to_owned(),
        order_number: OrderNumber::FIRST,
        issued_at: chrono::DateTime::from_timestamp(1_780_000_000, 0).unwrap(),
        currency: inr(),
        seller: Party {
            name: "Chai & Co".to_owned(),
            ..Party::default()
        },
        buyer: Party {
            name: "Asha".to_owned(),
            ..Party::default()
        },
        buyer_state: Some(buyer_state.to_owned()),
        lines,
        shipping_minor: 0,
        discount_minor: 0,
        payment: None,
    }
}

fn line(quantity: i64, unit: i64, rate_bp: i64) -> LineInput {
    LineInput {
        description: "Masala chai".to_owned(),
        hsn: Some("0902".to_owned()),
        quantity,
        unit_price_minor: unit,
        rate_bp,
    }
}

fn gst(mode: TaxMode) -> TaxRules {
    TaxRules {
        mode,
        seller_country: "IN".to_owned(),
        seller_state: "Karnataka".to_owned(),
    }
}

#[test]
fn within_the_state_inclusive_prices_split_into_cgst_and_sgst_and_keep_the_total() {
    let inv = build_invoice(
        input("Karnataka", vec![line(2, 24_950, 1800)]),
        &gst(TaxMode::Inclusive),
    );
    assert_eq!(inv.total_minor, 49_900, "the customer paid the order total");
    assert_eq!(inv.taxable_minor, 42_288);
    assert_eq!(
        inv.taxes,
        vec![
            TaxTotal {
                label: "CGST 9%".to_owned(),
                amount_minor: 3_806
            },
            TaxTotal {
                label: "SGST 9%".to_owned(),
                amount_minor: 3_806
            },
        ]
    );
    assert_eq!(inv.file_name(), "INV-2026-00001.pdf");
    assert!(inv.has_hsn());
}

#[test]
fn across_states_the_tax_is_igst_and_exclusive_prices_add_it() {
    let inv = build_invoice(
        input("West Bengal", vec![line(1, 10_000, 1200)]),
        &gst(TaxMode::Exclusive),
    );
    assert_eq!(inv.taxable_minor, 10_000);
    assert_eq!(
        inv.taxes,
        vec![TaxTotal {
            label: "IGST 12%".to_owned(),
            amount_minor: 1_200
        }]
    );
    assert_eq!(inv.total_minor, 11_200);
}

#[test]
fn taxes_add_up_per_rate_and_zero_rates_print_no_row() {
    let inv = build_invoice(
        input(
            "karnataka",
            vec![
                line(1, 1_001, 500),
                line(3, 333, 500),
                line(1, 2_000, 1800),
                line(1, 700, 0),
            ],
        ),
        &gst(TaxMode::Inclusive),
    );
    let labels: Vec<&str> = inv.taxes.iter().map(|t| t.label.as_str()).collect();
    assert_eq!(labels, ["CGST 2.5%", "SGST 2.5%", "CGST 9%", "SGST 9%"]);
    // Each row is the sum of its lines' shares, and the rows add up to the
    // lines' tax: nothing is lost to rounding between the two.
    let line_tax: i64 = inv.lines.iter().map(|l| l.tax_minor).sum();
    let rows: i64 = inv.taxes.iter().map(|t| t.amount_minor).sum();
    assert_eq!(line_tax, rows);
    assert_eq!(inv.taxable_minor + line_tax, inv.total_minor);
    assert_eq!(inv.total_minor, 1_001 + 999 + 2_000 + 700);
}

#[test]
fn an_odd_paisa_of_tax_goes_to_the_state_share() {
    // 105 incl. 5 % → taxable 100, tax 5 → CGST 2, SGST 3.
    let inv = build_invoice(
        input("Karnataka", vec![line(1, 105, 500)]),
        &gst(TaxMode::Inclusive),
    );
    let amounts: Vec<i64> = inv.taxes.iter().map(|t| t.amount_minor).collect();
    assert_eq!(amounts, [2, 3]);
}

#[test]
fn outside_india_one_tax_row_and_shipping_and_discount_count_in_the_total() {
    let mut i = input("Berlin", vec![line(2, 1_190, 1900)]);
    i.shipping_minor = 490;
    i.discount_minor = 380;
    let rules = TaxRules {
        mode: TaxMode::Inclusive,
        seller_country: "DE".to_owned(),
        seller_state: "Berlin".to_owned(),
    };
    let inv = build_invoice(i, &rules);
    assert_eq!(
        inv.taxes,
        vec![TaxTotal {
            label: "Tax 19%".to_owned(),
            amount_minor: 380
        }]
    );
    assert_eq!(inv.total_minor, 2_380 + 490 - 380);
}

#[test]
fn a_buyer_with_no_state_is_taxed_as_another_state() {
    let mut i = input("", vec![line(1, 11_800, 1800)]);
    i.buyer_state = None;
    let inv = build_invoice(i, &gst(TaxMode::Inclusive));
    assert_eq!(inv.taxes[0].label, "IGST 18%");
    assert_eq!(inv.taxes[0].amount_minor, 1_800);
}

#[test]
fn a_blank_hsn_is_no_hsn() {
    let mut l = line(1, 100, 0);
    l.hsn = Some("  ".to_owned());
    let inv = build_invoice(input("Karnataka", vec![l]), &gst(TaxMode::Inclusive));
    assert!(!inv.has_hsn());
    assert!(inv.taxes.is_empty());
}
