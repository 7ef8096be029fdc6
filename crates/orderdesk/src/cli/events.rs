//! `orderdesk events prune`: the retention path for the event log.

use anyhow::Context;
use chrono::{DateTime, NaiveDate, Utc};
use clap::Subcommand;

use crate::config::Config;

#[derive(Debug, Subcommand)]
pub enum EventsCommand {
    /// Delete old events from the start of the log (orders, messages and
    /// timelines stay). A stream resuming from a deleted id is answered 410.
    Prune {
        /// Keep events from this time on: a date (`2026-01-01`), an RFC 3339
        /// time, or an age (`30d`, `12h`: older than that is deleted).
        #[arg(long, value_name = "WHEN")]
        before: String,
    },
}

pub async fn run(cmd: EventsCommand, config: &Config) -> anyhow::Result<()> {
    let EventsCommand::Prune { before } = cmd;
    let cutoff = cutoff(&before, Utc::now())?;
    let store = crate::open_store(config).await?;
    let pruned = store.prune_events(cutoff).await?;
    println!(
        "deleted {} events older than {}; the log now starts after event {}",
        pruned.deleted,
        cutoff.to_rfc3339(),
        pruned.through
    );
    Ok(())
}

fn cutoff(raw: &str, now: DateTime<Utc>) -> anyhow::Result<DateTime<Utc>> {
    let raw = raw.trim();
    if let Ok(t) = DateTime::parse_from_rfc3339(raw) {
        return Ok(t.with_timezone(&Utc));
    }
    if let Ok(day) = NaiveDate::parse_from_str(raw, "%Y-%m-%d") {
        return Ok(day.and_time(chrono::NaiveTime::MIN).and_utc());
    }
    let age = crate::config::parse_duration(raw)
        .context("--before: give a date (2026-01-01), an RFC 3339 time or an age (30d)")?;
    Ok(now - age)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cutoff_is_a_date_a_time_or_an_age() {
        let now = DateTime::parse_from_rfc3339("2026-03-31T12:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        assert_eq!(
            cutoff("2026-01-01", now).unwrap().to_rfc3339(),
            "2026-01-01T00:00:00+00:00"
        );
        assert_eq!(
            cutoff("2026-02-01T10:00:00+01:00", now)
                .unwrap()
                .to_rfc3339(),
            "2026-02-01T09:00:00+00:00"
        );
        assert_eq!(
            cutoff("30d", now).unwrap().to_rfc3339(),
            "2026-03-01T12:00:00+00:00"
        );
        assert!(cutoff("last week", now).is_err());
    }
}
