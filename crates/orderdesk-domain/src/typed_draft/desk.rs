//! A typed draft at the desk (#21): whether staff may still edit and send
//! it, and which edited lines are acceptable. Pure; the engine supplies the
//! catalog and the customer's latest order.

use std::collections::HashSet;

use super::DRAFT_TTL_SECS;
use crate::OrderNumber;

/// Most packs of one product a line may ask for: the reader's own cap, so
/// an edited draft never holds what a typed one could not.
pub const MAX_PACKS: u32 = 999;

/// Most lines a draft may have: the reader reads at most 100 lines.
pub const MAX_DRAFT_LINES: usize = 100;

/// Where a kept draft stands for staff.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeskState {
    /// Still to be edited and sent.
    Open,
    /// An order was placed since it was made (from it, or otherwise).
    Placed,
    /// Made longer ago than its lifetime (or before its age was kept).
    Expired,
}

impl DeskState {
    /// The JSON word (`open`, `placed`, `expired`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Open => "open",
            Self::Placed => "placed",
            Self::Expired => "expired",
        }
    }
}

/// Where a draft made at `made_at` (unix seconds; `None`: kept before its
/// age was stored) stands at `now_secs`, when the customer's latest order
/// was `kept_latest` then and is `latest_now` now. An order since wins: it
/// is what happened, and what staff need to know.
pub fn desk_state(
    made_at: Option<i64>,
    kept_latest: Option<OrderNumber>,
    latest_now: Option<OrderNumber>,
    now_secs: i64,
) -> DeskState {
    if kept_latest != latest_now {
        return DeskState::Placed;
    }
    match made_at {
        Some(at) if now_secs.saturating_sub(at) <= DRAFT_TTL_SECS => DeskState::Open,
        _ => DeskState::Expired,
    }
}

/// Why staff's lines for a draft are refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DeskLinesError {
    #[error("a draft needs at least one line")]
    Empty,
    #[error("a draft has at most {MAX_DRAFT_LINES} lines")]
    TooMany,
    #[error("not in the catalog: {}", .0.join(", "))]
    UnknownProducts(Vec<String>),
    #[error("quantity of {retailer_id} must be 1–{MAX_PACKS}, not {quantity}")]
    Quantity { retailer_id: String, quantity: i64 },
    #[error("{0} is listed twice: give it one line with the total quantity")]
    Repeated(String),
}

/// Staff's lines (`(retailer id, packs)`) checked: at least one, at most
/// [`MAX_DRAFT_LINES`], each product in the catalog (`known`) once, each
/// quantity 1–[`MAX_PACKS`]. Unknown products are named together, as the
/// other product pickers do.
///
/// # Errors
/// The first [`DeskLinesError`] found, unknown products first.
pub fn check_desk_lines(
    lines: &[(String, i64)],
    known: impl Fn(&str) -> bool,
) -> Result<Vec<(String, u32)>, DeskLinesError> {
    if lines.is_empty() {
        return Err(DeskLinesError::Empty);
    }
    if lines.len() > MAX_DRAFT_LINES {
        return Err(DeskLinesError::TooMany);
    }
    let unknown: Vec<String> = lines
        .iter()
        .filter(|(id, _)| !known(id))
        .map(|(id, _)| id.clone())
        .collect();
    if !unknown.is_empty() {
        return Err(DeskLinesError::UnknownProducts(unknown));
    }
    let mut seen = HashSet::new();
    let mut out = Vec::with_capacity(lines.len());
    for (id, quantity) in lines {
        if !seen.insert(id.as_str()) {
            return Err(DeskLinesError::Repeated(id.clone()));
        }
        let packs = u32::try_from(*quantity)
            .ok()
            .filter(|q| (1..=MAX_PACKS).contains(q))
            .ok_or_else(|| DeskLinesError::Quantity {
                retailer_id: id.clone(),
                quantity: *quantity,
            })?;
        out.push((id.clone(), packs));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn n(v: i64) -> Option<OrderNumber> {
        OrderNumber::new(v)
    }

    #[test]
    fn a_draft_is_open_for_its_lifetime_then_expired() {
        let made = 1_750_000_000;
        assert_eq!(desk_state(Some(made), None, None, made), DeskState::Open);
        let last = made + DRAFT_TTL_SECS;
        assert_eq!(desk_state(Some(made), None, None, last), DeskState::Open);
        assert_eq!(
            desk_state(Some(made), None, None, last + 1),
            DeskState::Expired
        );
        assert_eq!(desk_state(None, None, None, made), DeskState::Expired);
    }

    #[test]
    fn an_order_since_the_draft_reads_as_placed_even_when_expired() {
        let made = 1_750_000_000;
        assert_eq!(
            desk_state(Some(made), n(1001), n(1002), made + 5),
            DeskState::Placed
        );
        assert_eq!(
            desk_state(Some(made), None, n(1001), made + DRAFT_TTL_SECS * 3),
            DeskState::Placed
        );
        assert_eq!(
            desk_state(Some(made), n(1001), n(1001), made + 5),
            DeskState::Open
        );
    }

    fn lines(v: &[(&str, i64)]) -> Vec<(String, i64)> {
        v.iter().map(|(id, q)| ((*id).to_owned(), *q)).collect()
    }

    fn known(id: &str) -> bool {
        matches!(id, "atta" | "salt" | "tea")
    }

    #[test]
    fn good_lines_pass_in_order() {
        let ok = check_desk_lines(&lines(&[("salt", 3), ("atta", 999)]), known).unwrap();
        assert_eq!(ok, [("salt".to_owned(), 3), ("atta".to_owned(), 999)]);
    }

    #[test]
    fn each_bad_input_is_named() {
        use DeskLinesError as E;
        assert_eq!(check_desk_lines(&[], known), Err(E::Empty));
        let many: Vec<(String, i64)> = (0..=MAX_DRAFT_LINES)
            .map(|i| (format!("p{i}"), 1))
            .collect();
        assert_eq!(check_desk_lines(&many, |_| true), Err(E::TooMany));
        assert_eq!(
            check_desk_lines(&lines(&[("nope", 1), ("salt", 0), ("gone", 2)]), known),
            Err(E::UnknownProducts(vec!["nope".into(), "gone".into()]))
        );
        for q in [0, -1, 1000, i64::MAX] {
            let e = check_desk_lines(&lines(&[("salt", q)]), known).unwrap_err();
            assert_eq!(
                e,
                E::Quantity {
                    retailer_id: "salt".into(),
                    quantity: q
                }
            );
            assert!(e.to_string().contains("1–999"), "{e}");
        }
        assert_eq!(
            check_desk_lines(&lines(&[("salt", 1), ("salt", 2)]), known),
            Err(E::Repeated("salt".into()))
        );
    }
}
