//! `orderdesk doctor`: one line per check, ✓ or ✗ with what to do; exit
//! status 1 when any check fails.

use std::path::Path;

use crate::config::Config;

pub async fn run(file: Option<&Path>) -> anyhow::Result<()> {
    // A configuration that does not parse is the first check, not an error
    // before any check.
    let config = match Config::load(file) {
        Ok(config) => config,
        Err(e) => {
            println!("✗ configuration: {e:#}");
            anyhow::bail!(
                "the configuration does not parse; fix it and run orderdesk doctor again"
            );
        }
    };
    let checks = crate::doctor::run(&config).await;
    for check in &checks {
        println!("{}", check.line());
    }
    let failed = checks.iter().filter(|c| !c.ok).count();
    if failed > 0 {
        anyhow::bail!("{failed} of {} checks failed", checks.len());
    }
    println!("all {} checks passed", checks.len());
    Ok(())
}
