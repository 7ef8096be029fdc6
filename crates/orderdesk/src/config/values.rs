//! Reading one setting's text: durations, the recovery schedule, and the
//! TOML file's `key = value` pairs.

use std::path::Path;

use anyhow::{anyhow, bail, Context};

use super::SETTINGS;

/// `90s`, `15m`, `1h`, `2d`, or plain seconds; at least one second.
pub(crate) fn parse_duration(raw: &str) -> anyhow::Result<chrono::Duration> {
    orderdesk_domain::checkout::parse_duration(raw)
        .ok_or_else(|| anyhow!("'{raw}' is not a duration like 90s, 15m, 1h or 2d"))
}

/// The cart-recovery schedule's later steps (the domain's rule).
pub(super) fn parse_schedule(raw: &str) -> anyhow::Result<Vec<chrono::Duration>> {
    orderdesk_domain::checkout::parse_schedule(raw).ok_or_else(|| {
        anyhow!("'{raw}' is not up to three ascending durations like 23h,48h, or off")
    })
}

/// [`parse_duration`] as a `std` duration, for the server's timeouts.
pub(super) fn std_duration(raw: &str) -> anyhow::Result<std::time::Duration> {
    parse_duration(raw)?
        .to_std()
        .map_err(|_| anyhow!("'{raw}' is not a duration like 90s, 15m, 1h or 2d"))
}

/// Reads `key = value` pairs, mapping file keys to environment names.
pub(super) fn read_toml(path: &Path) -> anyhow::Result<Vec<(&'static str, String)>> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("--config {}: cannot read the file", path.display()))?;
    let table: toml::Table = text
        .parse()
        .map_err(|e: toml::de::Error| anyhow!("{}: {}", path.display(), e.message()))?;
    let mut out = Vec::new();
    for (key, value) in table {
        let upper = key.to_ascii_uppercase();
        let env_key = SETTINGS
            .iter()
            .map(|s| s.env)
            .find(|k| *k == upper || *k == format!("ORDERDESK_{upper}"))
            .ok_or_else(|| anyhow!("{key} (in {}): not a known setting", path.display()))?;
        let text = match value {
            toml::Value::String(s) => s,
            toml::Value::Integer(i) => i.to_string(),
            toml::Value::Boolean(b) => b.to_string(),
            other => bail!(
                "{key} (in {}): expected a string, number or true/false, got {}",
                path.display(),
                other.type_str()
            ),
        };
        out.push((env_key, text));
    }
    Ok(out)
}
