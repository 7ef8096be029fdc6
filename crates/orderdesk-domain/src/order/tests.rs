use super::transition::{is_legal, staff_moves};
use super::*;
use crate::{Actor, CheckoutStep, PaymentStatus};
use OrderStatus::*;

/// DESIGN §2, transcribed row by row: (from, to). On-hold releases are
/// listed separately because they depend on where the order was held from.
const TABLE: &[(OrderStatus, OrderStatus)] = &[
    (Placed, Confirmed),
    (Placed, Abandoned),
    (Abandoned, Placed),
    (Confirmed, Approved),
    (Confirmed, Rejected),
    (Approved, Processed),
    (Processed, Shipped),
    (Shipped, Delivered),
    (Shipped, Returned),
    (Delivered, Returned),
    (Confirmed, OnHold),
    (Approved, OnHold),
    (Processed, OnHold),
    (Placed, Cancelled),
    (Abandoned, Cancelled),
    (Confirmed, Cancelled),
    (Approved, Cancelled),
    (Processed, Cancelled),
    (OnHold, Cancelled),
    (Delivered, Archived),
    (Returned, Archived),
    (Rejected, Archived),
    (Cancelled, Archived),
    (Abandoned, Archived),
];

fn req(to: OrderStatus, actor: Actor, reason: Option<&str>) -> TransitionRequest {
    TransitionRequest {
        to,
        actor,
        reason: reason.map(str::to_owned),
        tracking: None,
    }
}

fn anyone() -> [Actor; 5] {
    [
        Actor::Customer,
        Actor::Bot,
        Actor::Provider,
        Actor::System,
        Actor::staff("owner@shop.test"),
    ]
}

#[test]
fn every_pair_is_legal_exactly_when_the_table_says_so() {
    for from in OrderStatus::ALL {
        for to in OrderStatus::ALL {
            let held = (from == OnHold).then_some(Approved);
            let expected = TABLE.contains(&(from, to)) || (from == OnHold && to == Approved);
            assert_eq!(is_legal(from, to, held), expected, "{from} -> {to}");
            // Whoever asks, with every optional field given, an illegal move is
            // refused naming the current state.
            let legal_for_someone = anyone()
                .into_iter()
                .any(|actor| plan_transition(from, held, req(to, actor, Some("because"))).is_ok());
            assert_eq!(legal_for_someone, expected, "{from} -> {to} for anyone");
            if !expected {
                let err =
                    plan_transition(from, held, req(to, Actor::staff("a"), Some("r"))).unwrap_err();
                assert_eq!(err, TransitionError::NotAllowed { current: from, to });
                assert!(err.to_string().contains(from.as_str()), "{err}");
            }
        }
    }
}

#[test]
fn on_hold_remembers_where_it_came_from_and_releases_only_there() {
    for origin in [Confirmed, Approved, Processed] {
        let parked =
            plan_transition(origin, None, req(OnHold, Actor::staff("a"), Some("stock"))).unwrap();
        assert_eq!(parked.held_from, Some(origin));
        for to in OrderStatus::ALL {
            let result =
                plan_transition(OnHold, Some(origin), req(to, Actor::staff("a"), Some("r")));
            let expected = to == origin || to == Cancelled;
            assert_eq!(result.is_ok(), expected, "release from {origin} to {to}");
            if let Ok(change) = result {
                assert_eq!(change.held_from, None, "release clears held_from");
            }
        }
    }
}

#[test]
fn reasons_are_required_where_the_design_says() {
    let staff = || Actor::staff("a");
    for (from, to) in [
        (Confirmed, Rejected),
        (Confirmed, OnHold),
        (Placed, Cancelled),
        (OnHold, Cancelled),
        (Placed, Confirmed),
    ] {
        let held = (from == OnHold).then_some(Confirmed);
        assert_eq!(
            plan_transition(from, held, req(to, staff(), None)),
            Err(TransitionError::ReasonRequired(to)),
            "{from} -> {to}"
        );
        assert_eq!(
            plan_transition(from, held, req(to, staff(), Some("   "))),
            Err(TransitionError::ReasonRequired(to)),
            "blank reason {from} -> {to}"
        );
    }
    // The checkout completing confirms without a reason; staff doing it by hand need one.
    assert!(plan_transition(Placed, None, req(Confirmed, Actor::Bot, None)).is_ok());
    assert!(plan_transition(Confirmed, None, req(Approved, staff(), None)).is_ok());
}

#[test]
fn only_the_right_actor_makes_automatic_moves() {
    let staff = Actor::staff("a");
    let err = plan_transition(Placed, None, req(Abandoned, staff.clone(), None)).unwrap_err();
    assert!(matches!(err, TransitionError::NotByActor { .. }), "{err}");
    assert!(plan_transition(Placed, None, req(Abandoned, Actor::System, None)).is_ok());
    assert!(plan_transition(Abandoned, None, req(Placed, Actor::Customer, None)).is_ok());
    assert!(plan_transition(Abandoned, None, req(Placed, staff.clone(), None)).is_err());
    assert!(plan_transition(Confirmed, None, req(Approved, Actor::Customer, None)).is_err());
    assert!(plan_transition(Confirmed, None, req(Approved, Actor::Provider, None)).is_err());
    assert!(plan_transition(
        Placed,
        None,
        req(Cancelled, Actor::Customer, Some("changed mind"))
    )
    .is_ok());
}

#[test]
fn tracking_goes_only_with_shipped_and_updates_notify_the_customer() {
    let mut r = req(Shipped, Actor::staff("a"), None);
    r.tracking = Some(" https://track.example/1Z999 ".into());
    let change = plan_transition(Processed, None, r).unwrap();
    assert_eq!(
        change.tracking.as_deref(),
        Some("https://track.example/1Z999")
    );
    assert!(change.notify_customer);

    let mut r = req(Approved, Actor::staff("a"), None);
    r.tracking = Some("1Z999".into());
    assert_eq!(
        plan_transition(Confirmed, None, r),
        Err(TransitionError::TrackingNotShipped)
    );

    let notifying: Vec<_> = OrderStatus::ALL
        .into_iter()
        .filter(|s| s.notifies_customer())
        .collect();
    assert_eq!(
        notifying,
        [Approved, Processed, Shipped, Delivered, OnHold, Rejected, Cancelled, Returned]
    );
}

#[test]
fn overly_long_reasons_are_refused() {
    let long = "x".repeat(501);
    assert_eq!(
        plan_transition(
            Confirmed,
            None,
            req(Rejected, Actor::staff("a"), Some(&long))
        ),
        Err(TransitionError::TooLong("reason"))
    );
}

#[test]
fn staff_are_offered_only_their_legal_moves() {
    assert_eq!(
        staff_moves(Confirmed, None),
        [Approved, OnHold, Rejected, Cancelled]
    );
    assert_eq!(staff_moves(Placed, None), [Confirmed, Cancelled]);
    assert_eq!(staff_moves(OnHold, Some(Processed)), [Processed, Cancelled]);
    assert_eq!(staff_moves(Archived, None), []);
}

#[test]
fn status_names_round_trip() {
    for s in OrderStatus::ALL {
        assert_eq!(OrderStatus::parse(s.as_str()), Some(s));
        assert_eq!(serde_json::to_value(s).unwrap(), s.as_str());
    }
    assert_eq!(OrderStatus::parse("on-hold"), None);
}

#[test]
fn order_numbers_start_at_1001() {
    assert_eq!(OrderNumber::parse("1001"), Some(OrderNumber::FIRST));
    assert_eq!(OrderNumber::parse("#1002").map(|n| n.get()), Some(1002));
    assert_eq!(OrderNumber::parse("1000"), None);
    assert_eq!(OrderNumber::parse("abc"), None);
    assert_eq!(OrderNumber::FIRST.next().get(), 1002);
}

#[test]
fn carts_total_exactly_and_refuse_nonsense() {
    let usd = Currency::parse("USD").unwrap();
    let line = |id: &str, q, p| {
        (
            LineItem {
                retailer_id: id.into(),
                name: id.into(),
                quantity: q,
                unit_price_minor: p,
            },
            usd,
        )
    };
    let at = chrono::DateTime::UNIX_EPOCH;
    let o = NewOrder::from_cart(
        Customer::default(),
        vec![line("a", 2, 3000), line("b", 1, 2500)],
        Some("  ".into()),
        at,
    )
    .unwrap();
    assert_eq!(o.total_minor, 8500);
    assert_eq!(o.cart_text, None, "blank cart text is no text");
    assert_eq!(
        NewOrder::from_cart(Customer::default(), vec![], None, at),
        Err(CartError::Empty)
    );
    assert!(matches!(
        NewOrder::from_cart(Customer::default(), vec![line("a", 0, 1)], None, at),
        Err(CartError::Quantity(_))
    ));
    let eur = Currency::parse("EUR").unwrap();
    let mut mixed = vec![line("a", 1, 1)];
    mixed.push((mixed[0].0.clone(), eur));
    assert!(matches!(
        NewOrder::from_cart(Customer::default(), mixed, None, at),
        Err(CartError::Money(MoneyError::Mismatch(_, _)))
    ));
}

#[test]
fn a_new_cart_is_placed_with_payment_pending_awaiting_an_address() {
    let usd = Currency::parse("USD").unwrap();
    let at = chrono::DateTime::UNIX_EPOCH;
    let cart = NewOrder::from_cart(
        Customer {
            wa_id: Some("1555".into()),
            user_id: None,
            name: Some("Zoë".into()),
        },
        vec![(
            LineItem {
                retailer_id: "a".into(),
                name: "A".into(),
                quantity: 2,
                unit_price_minor: 150,
            },
            usd,
        )],
        Some("gift wrap".into()),
        at,
    )
    .unwrap();
    let o = cart.placed(OrderNumber::FIRST, at);
    assert_eq!(
        (
            o.status,
            o.payment_status,
            o.payment_method,
            o.checkout_step
        ),
        (
            Placed,
            PaymentStatus::Pending,
            None,
            CheckoutStep::AwaitingAddress
        )
    );
    assert_eq!(
        (o.total_minor, o.version, o.number),
        (300, 1, OrderNumber::FIRST)
    );
    assert_eq!(o.cart_text.as_deref(), Some("gift wrap"));
    assert_eq!(
        (o.address, o.note, o.tracking, o.held_from),
        (None, None, None, None)
    );
    assert_eq!(o.customer.name.as_deref(), Some("Zoë"));
}

#[test]
fn a_release_from_hold_and_a_manual_confirmation_tell_the_customer() {
    let release = plan_transition(
        OnHold,
        Some(Confirmed),
        req(Confirmed, Actor::staff("a"), None),
    )
    .unwrap();
    assert_eq!(
        release.customer_text_key().as_deref(),
        Some("stage.released")
    );
    let release = plan_transition(
        OnHold,
        Some(Approved),
        req(Approved, Actor::staff("a"), None),
    )
    .unwrap();
    assert_eq!(
        release.customer_text_key().as_deref(),
        Some("stage.released")
    );
    let by_hand = plan_transition(
        Placed,
        None,
        req(Confirmed, Actor::staff("a"), Some("paid in the shop")),
    )
    .unwrap();
    assert_eq!(
        by_hand.customer_text_key().as_deref(),
        Some("stage.confirmed")
    );
    // The bot's confirmation is a checkout reply of its own.
    let by_bot = plan_transition(Placed, None, req(Confirmed, Actor::Bot, None)).unwrap();
    assert_eq!(by_bot.customer_text_key(), None);
    let cancel = plan_transition(
        OnHold,
        Some(Approved),
        req(Cancelled, Actor::staff("a"), Some("x")),
    )
    .unwrap();
    assert_eq!(
        cancel.customer_text_key().as_deref(),
        Some("stage.cancelled")
    );
}

#[test]
fn only_http_and_https_tracking_becomes_a_link() {
    use crate::tracking_link;
    assert_eq!(
        tracking_link(" https://track.example/AB1?x=1 "),
        Some("https://track.example/AB1?x=1")
    );
    assert_eq!(tracking_link("HTTP://t.example"), Some("HTTP://t.example"));
    for text in [
        "1Z999AA10123456784",
        "javascript:alert(1)",
        "JavaScript://%0aalert(1)",
        "data:text/html,x",
        "https://",
        "https:///evil",
        "https://a b.example",
        "https://user@evil.example",
        "ftp://files.example/x",
        "//evil.example",
    ] {
        assert_eq!(tracking_link(text), None, "{text}");
    }
}
