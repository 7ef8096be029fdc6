//! The order window's lines for what happens after the checkout: where a
//! cash-on-delivery confirmation stands (and why Approve waits), and the
//! customer's rating and comment after delivery.

use maud::{html, Markup};
use orderdesk_domain::followup::{CodConfirmation, FeedbackState};
use orderdesk_domain::Order;

/// `dt`/`dd` pairs for the summary's facts list; nothing for an order
/// that was never asked either.
pub(crate) fn facts(o: &Order) -> Markup {
    html! {
        @if let Some(state) = o.cod_confirmation {
            dt { "COD confirmation" }
            dd #order-cod-confirmation data-state=(state.as_str()) {
                span class={"cod-state cod-" (state.as_str())} { (state.label()) }
                @if state.is_open() {
                    br;
                    span.small.muted { "Approve waits for the customer's answer." }
                }
                @if state == CodConfirmation::CallNeeded {
                    br;
                    span.small.notice { "Call the customer; approving says they confirmed." }
                }
            }
        }
        @if let Some(f) = &o.feedback {
            dt { "Feedback" }
            dd #order-feedback {
                @match f.rating {
                    Some(r) => {
                        span.stars role="img" aria-label={(r) " out of 5"} title={(r) " out of 5"} {
                            (stars(r))
                        }
                        " " strong #order-rating { (r) "/5" }
                    }
                    None => span.muted { "Asked, no rating yet" },
                }
                @if let Some(comment) = &f.comment {
                    br;
                    q.comment #order-feedback-comment { (comment) }
                } @else if f.state == FeedbackState::Rated {
                    br;
                    span.small.muted { "No comment yet" }
                }
            }
        }
    }
}

/// Five stars, `rating` of them filled.
fn stars(rating: u8) -> String {
    let filled = usize::from(rating.min(5));
    format!("{}{}", "★".repeat(filled), "☆".repeat(5 - filled))
}
