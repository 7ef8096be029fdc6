//! Feedback after delivery: some hours after an order is delivered
//! (`ORDERDESK_FEEDBACK_AFTER`) the customer gets a list of ratings 1–5;
//! after a rating, an optional comment (their next text). A rating outside
//! 1–5 (a typed "7", a row id from elsewhere) is ignored and the list is
//! sent again, once.

use serde::{Deserialize, Serialize};

use crate::{OrderStatus, Timestamp};

/// The longest comment kept, in characters; longer ones are cut.
pub const MAX_COMMENT: usize = 1_000;

/// Where the conversation stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum FeedbackState {
    /// The rating list was sent.
    Asked,
    /// Rated; the next text is the optional comment.
    Rated,
    /// Commented (or the conversation moved on): nothing more is taken.
    Done,
}

/// An order's feedback (`feedback` in its JSON; null until asked).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Feedback {
    pub state: FeedbackState,
    /// 1–5; null until rated.
    pub rating: Option<u8>,
    pub comment: Option<String>,
    #[schema(value_type = String, format = DateTime)]
    pub asked_at: Timestamp,
    #[schema(value_type = Option<String>, format = DateTime)]
    pub rated_at: Option<Timestamp>,
    /// The list was sent a second time after a rating outside 1–5.
    #[serde(default)]
    pub reasked: bool,
}

impl Feedback {
    /// Just asked at `at`.
    pub fn asked(at: Timestamp) -> Self {
        Self {
            state: FeedbackState::Asked,
            rating: None,
            comment: None,
            asked_at: at,
            rated_at: None,
            reasked: false,
        }
    }
}

/// What the customer sent while feedback is open.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FeedbackInput<'a> {
    /// A row of the rating list, with the number its id carries.
    Rating(u32),
    /// A typed message.
    Text(&'a str),
}

/// What to do with it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FeedbackStep {
    /// Store the new feedback and send the reply the state calls for:
    /// after a rating, the comment question; after a comment, thanks.
    Record(Feedback),
    /// Out of range, the first time: store it (marked re-asked) and send
    /// the list again.
    Reask(Feedback),
    /// Not feedback (or not any more): the message only joins the chat.
    Ignore,
}

/// Whether the rating list is due for an order whose timer fired: it is
/// delivered (not returned or archived since) and was never asked.
pub fn ask_due(status: OrderStatus, feedback: Option<&Feedback>) -> bool {
    status == OrderStatus::Delivered && feedback.is_none()
}

/// A typed rating: the text is one whole number, e.g. "4" or " 5 ".
fn typed_rating(body: &str) -> Option<u32> {
    let t = body.trim();
    (!t.is_empty() && t.len() <= 3 && t.bytes().all(|b| b.is_ascii_digit()))
        .then(|| t.parse().ok())
        .flatten()
}

/// What `input` does to `feedback` at `at`.
pub fn answer(feedback: &Feedback, input: FeedbackInput<'_>, at: Timestamp) -> FeedbackStep {
    match (feedback.state, input) {
        (FeedbackState::Asked, FeedbackInput::Rating(value)) => rate(feedback, value, at),
        (FeedbackState::Asked, FeedbackInput::Text(body)) => match typed_rating(body) {
            Some(value) => rate(feedback, value, at),
            // Words instead of a number: talk, not a rating; staff read it.
            None => FeedbackStep::Ignore,
        },
        (FeedbackState::Rated, FeedbackInput::Text(body)) => {
            let words: Vec<&str> = body.split_whitespace().collect();
            if words.is_empty() {
                return FeedbackStep::Ignore;
            }
            let comment: String = words.join(" ").chars().take(MAX_COMMENT).collect();
            FeedbackStep::Record(Feedback {
                state: FeedbackState::Done,
                comment: Some(comment),
                ..feedback.clone()
            })
        }
        // A second tap on the list after rating, or anything once done.
        (FeedbackState::Rated, FeedbackInput::Rating(_)) | (FeedbackState::Done, _) => {
            FeedbackStep::Ignore
        }
    }
}

fn rate(feedback: &Feedback, value: u32, at: Timestamp) -> FeedbackStep {
    match u8::try_from(value).ok().filter(|v| (1..=5).contains(v)) {
        Some(rating) => FeedbackStep::Record(Feedback {
            state: FeedbackState::Rated,
            rating: Some(rating),
            rated_at: Some(at),
            ..feedback.clone()
        }),
        None if !feedback.reasked => FeedbackStep::Reask(Feedback {
            reasked: true,
            ..feedback.clone()
        }),
        None => FeedbackStep::Ignore,
    }
}

/// What a customer's ratings add up to, for their profile.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RatingSummary {
    /// The mean of the ratings, rounded to one decimal (4.5).
    pub average: f64,
    /// How many orders were rated.
    pub count: u32,
}

/// The average of the ratings among `feedback` (orders asked but not
/// rated do not count); `None` when none was rated.
pub fn rating_summary<'a>(
    feedback: impl IntoIterator<Item = &'a Feedback>,
) -> Option<RatingSummary> {
    let (sum, count) = feedback
        .into_iter()
        .filter_map(|f| f.rating)
        .fold((0u64, 0u32), |(sum, count), r| {
            (sum + u64::from(r), count.saturating_add(1))
        });
    if count == 0 {
        return None;
    }
    // Tenths, rounded half up, in integers so 4.45 cannot become 4.4.
    // Ratings are 1–5, so the tenths are 10–50.
    let tenths = (sum * 10 * 2 + u64::from(count)) / (2 * u64::from(count));
    let average = f64::from(u32::try_from(tenths).unwrap_or(50)) / 10.0;
    Some(RatingSummary { average, count })
}
