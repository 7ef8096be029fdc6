//! How the checkout's values look outside: button ids, reply intents,
//! step names and the checkout view of an order's columns.

use super::*;

#[test]
fn button_ids_round_trip_and_fit_whatsapps_limit() {
    for action in ButtonAction::ALL {
        for number in [1001, 1002, 99_999, i64::MAX] {
            let id = ButtonId::new(action, n(number));
            let encoded = id.encode();
            assert!(encoded.len() <= MAX_BUTTON_ID_LEN, "{encoded}");
            assert_eq!(ButtonId::parse(&encoded), Some(id), "{encoded}");
            assert_eq!(id.to_string(), encoded);
        }
    }
    assert_eq!(
        ButtonId::new(ButtonAction::AddNote, n(1001)).encode(),
        "note:add:1001"
    );
    assert_eq!(
        ButtonId::new(ButtonAction::SkipNote, n(1001)).encode(),
        "note:skip:1001"
    );
    assert_eq!(
        ButtonId::new(ButtonAction::PayOnline, n(1001)).encode(),
        "pay:online:1001"
    );
    assert_eq!(
        ButtonId::new(ButtonAction::PayCod, n(1001)).encode(),
        "pay:cod:1001"
    );
}

#[test]
fn button_ids_that_are_not_ours_do_not_parse() {
    let long = format!("note:add:{}", "1".repeat(MAX_BUTTON_ID_LEN));
    for id in [
        "",
        "cancel-button",
        "note:add",
        "note:add:",
        "note:add:abc",
        "note:add:1000",
        "note:add:01001",
        "note:add:+1001",
        "note:add: 1001",
        "note:add:1001 ",
        "note:add:#1001",
        "NOTE:ADD:1001",
        "note:maybe:1001",
        "note:add:1001:1002",
        "add:1001",
        "note:add:99999999999999999999",
        long.as_str(),
    ] {
        assert_eq!(ButtonId::parse(id), None, "{id:?}");
    }
}

#[test]
fn reply_intents_serialise_with_a_kind_tag() {
    let replies = [
        Reply::AskPayment { cod_offered: true },
        Reply::Reprompt {
            step: AwaitingAddress,
        },
        Reply::Superseded { newer: n(1002) },
        Reply::OrderClosed {
            status: OrderStatus::Cancelled,
        },
        Reply::Nudge,
    ];
    for r in replies {
        let json = serde_json::to_value(&r).unwrap();
        assert_eq!(serde_json::from_value::<Reply>(json).unwrap(), r);
    }
    assert_eq!(
        serde_json::to_value(Reply::AskPayment { cod_offered: true }).unwrap(),
        serde_json::json!({ "kind": "ask_payment", "cod_offered": true })
    );
    assert_eq!(
        serde_json::to_value(Reply::Reprompt {
            step: AwaitingNoteText
        })
        .unwrap(),
        serde_json::json!({ "kind": "reprompt", "step": "awaiting_note_text" })
    );
}

#[test]
fn step_names_round_trip() {
    for s in CheckoutStep::ALL {
        assert_eq!(CheckoutStep::parse(s.as_str()), Some(s));
        assert_eq!(serde_json::to_value(s).unwrap(), s.as_str());
        assert_eq!(s.to_string(), s.as_str());
    }
    assert_eq!(CheckoutStep::parse("AwaitingAddress"), None);
}

#[test]
fn the_checkout_view_of_an_order_matches_its_columns() {
    let created = chrono::DateTime::<chrono::Utc>::from_timestamp(1_700_000_000, 0).unwrap();
    let order = crate::Order {
        number: n(1042),
        status: OrderStatus::Placed,
        held_from: None,
        payment_status: PaymentStatus::Pending,
        payment_method: Some(crate::PaymentMethod::Cod),
        checkout_step: AwaitingNoteText,
        customer: crate::Customer::default(),
        items: Vec::new(),
        currency: crate::Currency::parse("INR").unwrap(),
        total_minor: 0,
        address: Some(crate::Address::default()),
        note: None,
        cart_text: Some("for Sunday".into()),
        shipping_minor: 0,
        discount_minor: 0,
        tags: Vec::new(),
        assignee: None,
        address_as_typed: None,
        off_script: 2,
        cod_confirmation: None,
        feedback: None,
        reminded_at: None,
        delivered_at: None,
        received_minor: 0,
        tracking: None,
        payment_reference: None,
        payment_review: None,
        provider_payment_id: None,
        refunded_minor: 0,
        invoice_number: None,
        refunds: Vec::new(),
        created_at: created,
        updated_at: created,
        version: 3,
    };
    let state = CheckoutState::from_order(&order);
    assert_eq!(state.number, n(1042));
    assert_eq!(state.step, AwaitingNoteText);
    assert_eq!(state.payment_method, Some(PaymentChoice::Cod));
    assert!(state.has_address);
    assert_eq!(state.note, None, "cart text is not the note");
    for m in crate::PaymentMethod::ALL {
        let online = m != crate::PaymentMethod::Cod;
        assert_eq!(
            PaymentChoice::of(m) == PaymentChoice::Online,
            online,
            "{m:?}"
        );
    }
}
