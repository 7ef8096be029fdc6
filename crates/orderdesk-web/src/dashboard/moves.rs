//! The order window's stage panel: the moves the domain allows now, each a
//! form. What a move tells the customer is shown before it is made: the
//! reason field says the customer reads it and previews the message as the
//! engine would send it (filled in live by the script), an internal note
//! beside it stays with staff, and a manual confirmation lists what the
//! order still lacks.

use std::collections::HashMap;

use maud::{html, Markup};
use orderdesk_domain::{Order, OrderStatus};
use orderdesk_engine::{Engine, EngineError, PreviewDelivery, StagePreview, REASON_MARK};

use super::session::Staff;

/// What each reason-taking move would tell the customer (`None`: nothing).
pub(crate) type Previews = HashMap<OrderStatus, Option<StagePreview>>;

/// Asks the engine what each move with a reason would send, now.
///
/// # Errors
/// A store failure.
pub(crate) async fn previews(
    engine: &Engine,
    order: &Order,
    staff: &Staff,
) -> Result<Previews, EngineError> {
    let mut out = Previews::new();
    for to in orderdesk_domain::order::staff_moves(order.status, order.held_from) {
        if needs_reason(order.status, to, order.held_from) {
            let preview = engine
                .stage_update_preview(order, to, staff.actor())
                .await?;
            out.insert(to, preview);
        }
    }
    Ok(out)
}

/// Staff moves from `from` that need a reason, by the domain's table.
pub(crate) fn needs_reason(
    from: OrderStatus,
    to: OrderStatus,
    held_from: Option<OrderStatus>,
) -> bool {
    orderdesk_domain::order::staff_needs_reason(from, to, held_from)
}

fn action_label(from: OrderStatus, to: OrderStatus) -> String {
    match to {
        OrderStatus::Confirmed if from == OrderStatus::Placed => "Confirm manually".to_owned(),
        OrderStatus::Approved => "Approve".to_owned(),
        OrderStatus::Processed => "Mark processed".to_owned(),
        OrderStatus::Shipped => "Mark shipped".to_owned(),
        OrderStatus::Delivered => "Mark delivered".to_owned(),
        OrderStatus::Returned => "Mark returned".to_owned(),
        OrderStatus::OnHold => "Put on hold".to_owned(),
        OrderStatus::Rejected => "Reject".to_owned(),
        OrderStatus::Cancelled => "Cancel order".to_owned(),
        OrderStatus::Archived => "Archive".to_owned(),
        other if from == OrderStatus::OnHold => format!("Release to {}", other.label()),
        other => format!("Move to {}", other.label()),
    }
}

pub(crate) fn actions(o: &Order, staff: &Staff, previews: &Previews) -> Markup {
    let moves = orderdesk_domain::order::staff_moves(o.status, o.held_from);
    html! {
        section #order-actions.panel aria-labelledby="actions-title" {
            h2 #actions-title { "Stage: " (o.status.label()) }
            @if moves.is_empty() {
                p.muted { "Nothing to do here: this order is closed." }
            }
            div.actions {
                @for to in &moves {
                    @let id = format!("move-{}", to.as_str());
                    form.action.js-enhance method="post" action={"/orders/" (o.number) "/status"} data-move=(to.as_str()) {
                        input type="hidden" name="csrf" value=(staff.csrf);
                        input type="hidden" name="to" value=(to.as_str());
                        input type="hidden" name="version" value=(o.version);
                        @if *to == OrderStatus::Confirmed && o.status == OrderStatus::Placed {
                            (missing(o))
                        }
                        @if needs_reason(o.status, *to, o.held_from) {
                            (reason_fields(&id, *to, previews.get(to).and_then(Option::as_ref)))
                        }
                        @if *to == OrderStatus::Shipped {
                            label for={(id) "-tracking"} { "Tracking number or URL (optional)" }
                            input id={(id) "-tracking"} type="text" name="tracking" maxlength="500";
                        }
                        button type="submit" class=(if matches!(to, OrderStatus::Rejected | OrderStatus::Cancelled) { "danger" } else { "primary" }) {
                            (action_label(o.status, *to))
                        }
                    }
                }
            }
        }
    }
}

/// What a manual confirmation would go ahead without.
fn missing(o: &Order) -> Markup {
    let missing = o.missing_for_confirmation();
    let list = missing
        .iter()
        .map(orderdesk_domain::Missing::label)
        .collect::<Vec<_>>()
        .join(" and ");
    html! {
        @if !missing.is_empty() {
            p.notice.small #confirm-missing {
                strong { "Still missing: " (list) "." }
                " Confirming by hand goes ahead without it; the customer is told the order is confirmed."
            }
        }
    }
}

/// The reason (which the customer reads), its live preview, and an
/// internal note that stays with staff.
fn reason_fields(id: &str, to: OrderStatus, preview: Option<&StagePreview>) -> Markup {
    let hint = format!("{id}-reason-hint");
    html! {
        label for={(id) "-reason"} { "Reason" }
        input id={(id) "-reason"} type="text" name="reason" required maxlength="500"
            aria-describedby=(hint) data-preview-for={(id) "-preview"}
            placeholder=(if to == OrderStatus::Rejected { "Out of stock, unserviceable…" } else { "Why?" });
        @match preview {
            Some(p) => {
                p.hint.small id=(hint) {
                    @if p.reason_sent { "The customer reads this reason word for word. " }
                    @else { "The reason stays on the timeline; it is not in the message. " }
                    @match p.delivery {
                        PreviewDelivery::Text => "They will get:",
                        PreviewDelivery::Template => "They last wrote over 24 hours ago, so they get the approved WhatsApp template set for this update. The text:",
                        PreviewDelivery::NotSent => "Not sent: the customer last wrote over 24 hours ago and no approved template is set for this update. It would read:",
                    }
                }
                blockquote.preview id={(id) "-preview"} aria-live="polite"
                    data-with=(p.with_reason) data-without=(p.without_reason) data-mark=(REASON_MARK) {
                    (p.without_reason)
                }
            }
            None => p.hint.small id=(hint) { "The customer is not sent a message for this move; the reason stays on the timeline." },
        }
        label for={(id) "-note"} { "Internal note (staff only, never sent)" }
        textarea id={(id) "-note"} name="note" rows="2" maxlength="4000" {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reasons_are_asked_where_the_design_requires_them() {
        use OrderStatus::*;
        assert!(needs_reason(Confirmed, Rejected, None));
        assert!(needs_reason(Approved, OnHold, None));
        assert!(needs_reason(Placed, Cancelled, None));
        assert!(needs_reason(Placed, Confirmed, None));
        assert!(!needs_reason(Confirmed, Approved, None));
        assert!(!needs_reason(Processed, Shipped, None));
        assert!(!needs_reason(OnHold, Approved, Some(Approved)));
    }
}
