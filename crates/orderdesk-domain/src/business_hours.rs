//! The business's opening hours (`ORDERDESK_BUSINESS_HOURS`), and when a
//! person will next be there to answer a customer who asked for one.
//!
//! Written the way shops write them on their door: day ranges or days, then
//! a time range, groups separated by commas or semicolons —
//! `Mon-Sat 10:00-19:00`, `Mon-Fri 09:30-18:00, Sat 10:00-14:00`,
//! `Daily 08:00-22:00`. Days are English names or their first three
//! letters, any case; times are 24-hour `HH:MM`, opening before closing
//! (no shifts past midnight). The times are the business's own, in its
//! time zone (`ORDERDESK_TIMEZONE`): the caller converts "now" first.

use chrono::{DateTime, Datelike, Duration, NaiveDateTime, NaiveTime, Utc, Weekday};

/// Why a business-hours value was refused; the message is one line
/// meant for the person who typed it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BusinessHoursError {
    #[error("'{0}' is not opening hours like Mon-Sat 10:00-19:00")]
    Shape(String),
    #[error("'{0}' is not a day (Mon, Tue, … Sun, or Daily)")]
    Day(String),
    #[error("'{0}' is not a time range like 10:00-19:00 (24-hour, opening before closing)")]
    Times(String),
}

/// Open on `days` from `open` to `close`.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Span {
    /// Monday first.
    days: [bool; 7],
    open: NaiveTime,
    close: NaiveTime,
}

/// Parsed opening hours.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BusinessHours {
    spans: Vec<Span>,
}

const DAYS: [&str; 7] = [
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
];

fn day(word: &str) -> Result<usize, BusinessHoursError> {
    let w = word.trim().to_lowercase();
    DAYS.iter()
        .position(|d| w.len() >= 3 && d.starts_with(&w))
        .ok_or_else(|| BusinessHoursError::Day(word.trim().to_owned()))
}

/// `Mon-Sat`, `Sat`, `Mon-Wed/Fri`, `Daily`: the days as Monday-first flags.
fn days(spec: &str) -> Result<[bool; 7], BusinessHoursError> {
    let mut on = [false; 7];
    if matches!(
        spec.to_lowercase().as_str(),
        "daily" | "everyday" | "every day"
    ) {
        return Ok([true; 7]);
    }
    for part in spec.split(['/', '&']) {
        match part.split_once('-') {
            Some((from, to)) => {
                let (from, to) = (day(from)?, day(to)?);
                // A range may wrap the week: Sat-Mon.
                let mut d = from;
                loop {
                    on[d] = true;
                    if d == to {
                        break;
                    }
                    d = (d + 1) % 7;
                }
            }
            None => on[day(part)?] = true,
        }
    }
    Ok(on)
}

fn times(spec: &str) -> Result<(NaiveTime, NaiveTime), BusinessHoursError> {
    let bad = || BusinessHoursError::Times(spec.to_owned());
    let (open, close) = spec.split_once('-').ok_or_else(bad)?;
    let time = |t: &str| NaiveTime::parse_from_str(t.trim(), "%H:%M").map_err(|_| bad());
    let (open, close) = (time(open)?, time(close)?);
    if open >= close {
        return Err(bad());
    }
    Ok((open, close))
}

impl BusinessHours {
    /// Reads hours as a business writes them (see the module's docs).
    ///
    /// # Errors
    /// [`BusinessHoursError`] naming the part that does not read.
    pub fn parse(raw: &str) -> Result<Self, BusinessHoursError> {
        let mut spans = Vec::new();
        for group in raw.split([',', ';']).map(str::trim) {
            if group.is_empty() {
                continue;
            }
            // The time range is the last word; the days are everything before.
            let (day_part, time_part) = group
                .rsplit_once(char::is_whitespace)
                .ok_or_else(|| BusinessHoursError::Shape(group.to_owned()))?;
            let day_part: String = day_part.split_whitespace().collect::<Vec<_>>().join(" ");
            let (open, close) = times(time_part)?;
            spans.push(Span {
                days: days(&day_part)?,
                open,
                close,
            });
        }
        if spans.is_empty() {
            return Err(BusinessHoursError::Shape(raw.trim().to_owned()));
        }
        Ok(Self { spans })
    }

    /// Whether the business is open at `local` (its own local time).
    pub fn is_open(&self, local: NaiveDateTime) -> bool {
        let d = local.weekday().num_days_from_monday() as usize;
        let t = local.time();
        self.spans
            .iter()
            .any(|s| s.days[d] && s.open <= t && t < s.close)
    }

    /// When the business next opens after `local`, or `None` while it is
    /// open (someone answers soon).
    pub fn next_opening(&self, local: NaiveDateTime) -> Option<NaiveDateTime> {
        if self.is_open(local) {
            return None;
        }
        // Every span opens at least once a week, so a week ahead is enough.
        (0..=7)
            .flat_map(|ahead| {
                let date = local.date() + Duration::days(ahead);
                let d = date.weekday().num_days_from_monday() as usize;
                self.spans
                    .iter()
                    .filter(move |s| s.days[d])
                    .map(move |s| date.and_time(s.open))
            })
            .filter(|opens| *opens > local)
            .min()
    }
}

impl BusinessHours {
    /// When someone will answer a customer writing at `now`, said in the
    /// business's time zone `time_zone` (an IANA name; UTC if it does not
    /// read): "tomorrow at 10:00 IST". `None` while open.
    pub fn answer_when(&self, time_zone: &str, now: DateTime<Utc>) -> Option<String> {
        let zone = crate::local::parse_time_zone(time_zone).unwrap_or(chrono_tz::UTC);
        let local = now.with_timezone(&zone);
        let opens = self.next_opening(local.naive_local())?;
        Some(format!(
            "{} {}",
            say_when(opens, local.naive_local()),
            local.format("%Z")
        ))
    }
}

/// When `opens` is, said from `now` (both the business's local time):
/// "today at 10:00", "tomorrow at 10:00", "on Monday at 10:00".
pub fn say_when(opens: NaiveDateTime, now: NaiveDateTime) -> String {
    let time = opens.format("%H:%M");
    match (opens.date() - now.date()).num_days() {
        0 => format!("today at {time}"),
        1 => format!("tomorrow at {time}"),
        _ => format!("on {} at {time}", weekday_name(opens.weekday())),
    }
}

fn weekday_name(d: Weekday) -> &'static str {
    [
        "Monday",
        "Tuesday",
        "Wednesday",
        "Thursday",
        "Friday",
        "Saturday",
        "Sunday",
    ][d.num_days_from_monday() as usize]
}

#[cfg(test)]
mod tests;
