//! Who may see which orders. With the business's setting
//! [`AGENTS_SEE_OWN_ORDERS`] on, an agent sees only the orders assigned to
//! them (a shop whose agents each handle their own customers); owners and
//! admins always see every order. Off (the default), everyone sees all.

use crate::Order;

/// The setting's key (`docs/design.md` §5).
pub const AGENTS_SEE_OWN_ORDERS: &str = "ORDERDESK_AGENTS_SEE_OWN_ORDERS";

/// A staff member looking at orders.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Viewer {
    pub email: String,
    /// An agent (not an owner or admin).
    pub agent: bool,
}

/// An on/off setting as every one is written: `true`/`false`, `1`/`0`,
/// `yes`/`no`, `on`/`off`, in any case; `None` for anything else.
pub fn parse_flag(raw: &str) -> Option<bool> {
    match raw.trim().to_ascii_lowercase().as_str() {
        "true" | "1" | "yes" | "on" => Some(true),
        "false" | "0" | "no" | "off" => Some(false),
        _ => None,
    }
}

/// The assignee (a lower-case email) every order this viewer sees must
/// have, or `None` when they may see all.
pub fn only_assigned_to(viewer: &Viewer, agents_see_own: bool) -> Option<String> {
    (viewer.agent && agents_see_own).then(|| viewer.email.trim().to_lowercase())
}

/// Whether the viewer may see this order.
pub fn may_see(order: &Order, viewer: &Viewer, agents_see_own: bool) -> bool {
    match only_assigned_to(viewer, agents_see_own) {
        None => true,
        Some(me) => order
            .assignee
            .as_deref()
            .is_some_and(|a| a.trim().to_lowercase() == me),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn viewer(agent: bool) -> Viewer {
        Viewer {
            email: "Asha@Shop.test".into(),
            agent,
        }
    }

    #[test]
    fn flags_read_every_usual_spelling_and_refuse_the_rest() {
        for on in ["true", "TRUE", "1", "yes", "On", " on "] {
            assert_eq!(parse_flag(on), Some(true), "{on}");
        }
        for off in ["false", "0", "no", "OFF"] {
            assert_eq!(parse_flag(off), Some(false), "{off}");
        }
        for bad in ["", "maybe", "2", "y"] {
            assert_eq!(parse_flag(bad), None, "{bad}");
        }
    }

    #[test]
    fn only_agents_with_the_setting_on_are_limited_to_their_own() {
        // Every combination of role and setting.
        for (agent, setting, limited) in [
            (false, false, false),
            (false, true, false),
            (true, false, false),
            (true, true, true),
        ] {
            let got = only_assigned_to(&viewer(agent), setting);
            assert_eq!(got.is_some(), limited, "agent {agent}, setting {setting}");
            if let Some(me) = got {
                assert_eq!(me, "asha@shop.test");
            }
        }
    }

    #[test]
    fn a_limited_agent_sees_exactly_the_orders_assigned_to_them() {
        let order = |assignee: Option<&str>| {
            let json = serde_json::json!({
                "number": 1001, "status": "placed", "payment_status": "pending",
                "customer": {}, "items": [], "currency": "INR", "total_minor": 0,
                "checkout_step": "awaiting_address",
                "created_at": "2026-01-01T00:00:00Z", "updated_at": "2026-01-01T00:00:00Z",
                "version": 1, "assignee": assignee,
            });
            serde_json::from_value::<Order>(json).unwrap()
        };
        let mine = order(Some("asha@shop.test"));
        let theirs = order(Some("ravi@shop.test"));
        let nobodys = order(None);
        assert!(may_see(&mine, &viewer(true), true));
        assert!(!may_see(&theirs, &viewer(true), true));
        assert!(!may_see(&nobodys, &viewer(true), true));
        for o in [&mine, &theirs, &nobodys] {
            assert!(may_see(o, &viewer(true), false));
            assert!(may_see(o, &viewer(false), true));
        }
    }
}
