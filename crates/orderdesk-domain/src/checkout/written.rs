//! The checkout settings as people write them (`1h`, `true`, `keep`): one
//! reading for start-up's check and for the engine, which reads the values
//! in force at each use so a change on `/settings` applies without a
//! restart.

use chrono::Duration;

use super::{CheckoutSettings, OnNewerCart};

/// `90s`, `15m`, `1h`, `2d` (a bare number is seconds); at least a second.
pub fn parse_duration(raw: &str) -> Option<Duration> {
    let raw = raw.trim();
    let split = raw.find(|c: char| !c.is_ascii_digit()).unwrap_or(raw.len());
    let (digits, unit) = raw.split_at(split);
    let n: i64 = digits.parse().ok()?;
    let d = match unit {
        "" | "s" => Duration::try_seconds(n),
        "m" => Duration::try_minutes(n),
        "h" => Duration::try_hours(n),
        "d" => Duration::try_days(n),
        _ => None,
    };
    d.filter(|d| *d >= Duration::seconds(1))
}

/// How many reminders the cart-recovery schedule may have after the nudge.
pub const MAX_RECOVERY_STEPS: usize = 3;

/// The cart-recovery schedule's later steps: `off` (or nothing), or up to
/// [`MAX_RECOVERY_STEPS`] ascending durations separated by commas
/// (`23h,48h`).
pub fn parse_schedule(raw: &str) -> Option<Vec<Duration>> {
    let raw = raw.trim();
    if raw == "off" || raw.is_empty() {
        return Some(Vec::new());
    }
    let steps = raw
        .split(',')
        .map(parse_duration)
        .collect::<Option<Vec<_>>>()?;
    let ascending = steps.windows(2).all(|w| w[0] < w[1]);
    (ascending && steps.len() <= MAX_RECOVERY_STEPS).then_some(steps)
}

/// `true`/`false` and the usual spellings (`yes`, `on`, `1`, …).
pub fn parse_flag(raw: &str) -> Option<bool> {
    match raw.trim().to_ascii_lowercase().as_str() {
        "true" | "1" | "yes" | "on" => Some(true),
        "false" | "0" | "no" | "off" => Some(false),
        _ => None,
    }
}

impl OnNewerCart {
    /// `keep` or `abandon`.
    pub fn parse(raw: &str) -> Option<Self> {
        match raw.trim() {
            "keep" => Some(Self::KeepOlder),
            "abandon" => Some(Self::AbandonOlder),
            _ => None,
        }
    }
}

/// The written value of each checkout setting, as far as one is given.
#[derive(Debug, Clone, Copy, Default)]
pub struct WrittenCheckout<'a> {
    pub cod_enabled: Option<&'a str>,
    pub nudge_after: Option<&'a str>,
    pub abandon_after: Option<&'a str>,
    pub recovery_later: Option<&'a str>,
    pub on_newer_cart: Option<&'a str>,
}

impl CheckoutSettings {
    /// These settings with every written value that reads applied; one
    /// that does not read (it was checked before it was stored, so only a
    /// value from another version) leaves that setting as it was.
    pub fn overlaid(&self, written: WrittenCheckout<'_>) -> Self {
        Self {
            cod_enabled: written
                .cod_enabled
                .and_then(parse_flag)
                .unwrap_or(self.cod_enabled),
            nudge_after: written
                .nudge_after
                .and_then(parse_duration)
                .unwrap_or(self.nudge_after),
            abandon_after: written
                .abandon_after
                .and_then(parse_duration)
                .unwrap_or(self.abandon_after),
            recovery_later: written
                .recovery_later
                .and_then(parse_schedule)
                .unwrap_or_else(|| self.recovery_later.clone()),
            on_newer_cart: written
                .on_newer_cart
                .and_then(OnNewerCart::parse)
                .unwrap_or(self.on_newer_cart),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_with_their_unit_and_refuse_less_than_a_second() {
        assert_eq!(parse_duration("90s"), Some(Duration::seconds(90)));
        assert_eq!(parse_duration("90"), Some(Duration::seconds(90)));
        assert_eq!(parse_duration("15m"), Some(Duration::minutes(15)));
        assert_eq!(parse_duration("1h"), Some(Duration::hours(1)));
        assert_eq!(parse_duration("2d"), Some(Duration::days(2)));
        for bad in [
            "",
            "0",
            "0s",
            "h",
            "1w",
            "-1h",
            "1.5h",
            "99999999999999999999d",
        ] {
            assert_eq!(parse_duration(bad), None, "{bad}");
        }
    }

    #[test]
    fn flags_read_the_usual_spellings() {
        for yes in ["true", "TRUE", "1", "yes", "on"] {
            assert_eq!(parse_flag(yes), Some(true), "{yes}");
        }
        for no in ["false", "0", "no", "Off"] {
            assert_eq!(parse_flag(no), Some(false), "{no}");
        }
        assert_eq!(parse_flag("maybe"), None);
    }

    #[test]
    fn overlaid_applies_what_reads_and_keeps_the_rest() {
        let start = CheckoutSettings::default();
        let live = start.overlaid(WrittenCheckout {
            cod_enabled: Some("true"),
            nudge_after: Some("10m"),
            abandon_after: Some("not a duration"),
            recovery_later: Some("6h,30h"),
            on_newer_cart: Some("abandon"),
        });
        assert_eq!(
            live.recovery_later,
            vec![Duration::hours(6), Duration::hours(30)]
        );
        assert!(live.cod_enabled);
        assert_eq!(live.nudge_after, Duration::minutes(10));
        assert_eq!(live.abandon_after, start.abandon_after);
        assert_eq!(live.on_newer_cart, OnNewerCart::AbandonOlder);
        assert_eq!(start.overlaid(WrittenCheckout::default()), start);
    }
}

#[cfg(test)]
mod schedule_tests {
    use super::*;

    #[test]
    fn a_recovery_schedule_is_up_to_three_ascending_steps_or_off() {
        let h = |h: &[i64]| h.iter().map(|h| Duration::hours(*h)).collect::<Vec<_>>();
        assert_eq!(parse_schedule("off"), Some(vec![]));
        assert_eq!(parse_schedule(""), Some(vec![]));
        assert_eq!(parse_schedule("23h,48h"), Some(h(&[23, 48])));
        assert_eq!(parse_schedule(" 6h , 1d,3d "), Some(h(&[6, 24, 72])));
        assert_eq!(parse_schedule("48h,23h"), None, "descending");
        assert_eq!(parse_schedule("23h,23h"), None, "repeated");
        assert_eq!(parse_schedule("1h,2h,3h,4h"), None, "four steps");
        assert_eq!(parse_schedule("23h,soon"), None);
    }
}
