//! What a stats request asks for: a range of local days and a bucket size,
//! parsed from `from`, `to` and `bucket` with errors that name the
//! parameter; and the calendar arithmetic of buckets and the previous
//! period.

use chrono::{Datelike, Duration, Months, NaiveDate};

/// How days are grouped in `by_bucket`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Bucket {
    Day,
    /// ISO weeks, Monday first.
    Week,
    Month,
}

impl Bucket {
    pub const ALL: [Bucket; 3] = [Self::Day, Self::Week, Self::Month];

    pub fn as_str(&self) -> &'static str {
        match self {
            Self::Day => "day",
            Self::Week => "week",
            Self::Month => "month",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|b| b.as_str() == s)
    }

    /// The first day of the bucket `day` is in.
    pub fn start(&self, day: NaiveDate) -> NaiveDate {
        match self {
            Self::Day => day,
            Self::Week => day - Duration::days(i64::from(day.weekday().num_days_from_monday())),
            Self::Month => day.with_day(1).unwrap_or(day),
        }
    }

    /// The first day of the bucket after the one starting at `start`.
    fn next(&self, start: NaiveDate) -> NaiveDate {
        match self {
            Self::Day => start + Duration::days(1),
            Self::Week => start + Duration::days(7),
            Self::Month => start
                .checked_add_months(Months::new(1))
                .unwrap_or(NaiveDate::MAX),
        }
    }
}

/// The longest range asked for at once.
pub const MAX_YEARS: u32 = 5;

/// Why a stats request was refused; `parameter()` names the culprit.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StatsQueryError {
    #[error("from must be a date like 2026-12-01, not '{0}'")]
    From(String),
    #[error("to must be a date like 2026-12-31, not '{0}'")]
    To(String),
    #[error("from ({from}) is after to ({to})")]
    FromAfterTo { from: NaiveDate, to: NaiveDate },
    #[error("bucket must be day, week or month, not '{0}'")]
    Bucket(String),
    #[error("the range from {from} to {to} is over 5 years; ask for less")]
    TooLong { from: NaiveDate, to: NaiveDate },
}

impl StatsQueryError {
    /// The query parameter at fault.
    pub fn parameter(&self) -> &'static str {
        match self {
            Self::From(_) | Self::FromAfterTo { .. } | Self::TooLong { .. } => "from",
            Self::To(_) => "to",
            Self::Bucket(_) => "bucket",
        }
    }
}

/// A checked request: local days `from..=to`, grouped by `bucket`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StatsQuery {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub bucket: Bucket,
}

/// The days a request covers when it names none: the last 30 days.
pub const DEFAULT_DAYS: i64 = 30;

impl StatsQuery {
    /// Parses the query parameters; `today` is the business's local day
    /// (the default `to`; `from` defaults to 30 days up to `to`).
    ///
    /// # Errors
    /// [`StatsQueryError`] naming the first parameter at fault.
    pub fn parse(
        from: Option<&str>,
        to: Option<&str>,
        bucket: Option<&str>,
        today: NaiveDate,
    ) -> Result<Self, StatsQueryError> {
        let date = |s: &str| NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").ok();
        let to = match to {
            Some(s) => date(s).ok_or_else(|| StatsQueryError::To(s.to_owned()))?,
            None => today,
        };
        let from = match from {
            Some(s) => date(s).ok_or_else(|| StatsQueryError::From(s.to_owned()))?,
            None => to - Duration::days(DEFAULT_DAYS - 1),
        };
        let bucket = match bucket {
            Some(s) => Bucket::parse(s).ok_or_else(|| StatsQueryError::Bucket(s.to_owned()))?,
            None => Bucket::Day,
        };
        if from > to {
            return Err(StatsQueryError::FromAfterTo { from, to });
        }
        let earliest = to
            .checked_sub_months(Months::new(12 * MAX_YEARS))
            .unwrap_or(NaiveDate::MIN);
        if from < earliest {
            return Err(StatsQueryError::TooLong { from, to });
        }
        Ok(StatsQuery { from, to, bucket })
    }

    /// How many days the range covers.
    pub fn days(&self) -> i64 {
        (self.to - self.from).num_days() + 1
    }

    /// The period of the same length just before this one (what the page
    /// compares with).
    pub fn previous(&self) -> StatsQuery {
        let to = self.from - Duration::days(1);
        StatsQuery {
            from: to - Duration::days(self.days() - 1),
            to,
            bucket: self.bucket,
        }
    }

    /// The first day of every bucket the range touches, in order; the
    /// first may begin before `from` (a week starts on its Monday).
    pub fn bucket_starts(&self) -> Vec<NaiveDate> {
        let mut starts = Vec::new();
        let mut start = self.bucket.start(self.from);
        while start <= self.to {
            starts.push(start);
            start = self.bucket.next(start);
        }
        starts
    }
}
