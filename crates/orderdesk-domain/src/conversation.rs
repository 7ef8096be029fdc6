//! When a customer's conversation waits for a person: the one rule behind
//! the inbox's `needs_reply`, the board's unread marker and the inbox order.

/// What the rule looks at, as the store keeps it per customer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReplyState {
    /// The customer asked for a person (or the bot gave up) and no one has
    /// handed them back to the bot yet.
    pub handover: bool,
    /// The conversation's last message is the customer's.
    pub last_is_inbound: bool,
    /// The id of the customer's latest message (0 when they never wrote).
    pub last_inbound_id: i64,
    /// The highest inbound message id staff answered or marked done.
    pub answered_through: i64,
    /// The highest inbound message id the bot could not use (free text off
    /// its script; 0 when none). Its answer to it (the step's question
    /// again, the "Talk to a person" offer) is no answer.
    pub bot_missed: i64,
}

/// A conversation needs a reply when the customer wrote since staff last
/// answered or marked it done, and either their message got no answer at
/// all (from staff or the bot), or the bot could not use one of those
/// messages, or it is handed over to a person (the bot's "someone will
/// answer" is no answer).
pub fn needs_reply(s: ReplyState) -> bool {
    s.last_inbound_id > s.answered_through
        && (s.handover || s.last_is_inbound || s.bot_missed > s.answered_through)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn state(handover: bool, last_is_inbound: bool, last_in: i64, done: i64) -> ReplyState {
        ReplyState {
            handover,
            last_is_inbound,
            last_inbound_id: last_in,
            answered_through: done,
            bot_missed: 0,
        }
    }

    #[test]
    fn an_unanswered_message_needs_a_reply_until_answered_or_marked_done() {
        assert!(needs_reply(state(false, true, 5, 0)));
        // Someone (staff or the bot) answered it.
        assert!(!needs_reply(state(false, false, 5, 0)));
        // Staff marked it done.
        assert!(!needs_reply(state(false, true, 5, 5)));
        // The customer wrote again after that.
        assert!(needs_reply(state(false, true, 6, 5)));
    }

    #[test]
    fn a_handed_over_conversation_needs_a_reply_until_staff_answer_it() {
        // The bot said someone will answer: that is not the answer.
        assert!(needs_reply(state(true, false, 5, 0)));
        assert!(!needs_reply(state(true, false, 5, 5)));
        // Still handed over, and the customer wrote again.
        assert!(needs_reply(state(true, false, 6, 5)));
    }

    #[test]
    fn a_message_the_bot_could_not_use_needs_a_reply_despite_its_answer() {
        let missed = |last_in, done, missed| ReplyState {
            bot_missed: missed,
            ..state(false, false, last_in, done)
        };
        // The bot re-asked its question after message 5: not an answer.
        assert!(needs_reply(missed(5, 0, 5)));
        // The customer then tapped a button the bot handled: still waiting.
        assert!(needs_reply(missed(6, 0, 5)));
        // Staff answered through message 6.
        assert!(!needs_reply(missed(6, 6, 5)));
        // A later message the bot handled needs nobody.
        assert!(!needs_reply(missed(7, 6, 5)));
    }

    #[test]
    fn a_conversation_the_customer_never_wrote_in_needs_no_reply() {
        assert!(!needs_reply(state(false, false, 0, 0)));
    }
}
