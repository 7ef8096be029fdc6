//! `orderdesk backup FILE` and `orderdesk restore FILE`.

use std::path::PathBuf;

use clap::Args;

use crate::config::Config;

#[derive(Debug, Args)]
pub struct BackupArgs {
    /// Where to write the copy (a new file; it is never overwritten).
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
}

#[derive(Debug, Args)]
pub struct RestoreArgs {
    /// A backup made by `orderdesk backup`.
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
}

pub async fn backup(args: BackupArgs, config: &Config) -> anyhow::Result<()> {
    let size = crate::backup::backup(&config.database_url, &args.file).await?;
    println!("backed up to {} ({size} bytes)", args.file.display());
    Ok(())
}

pub async fn restore(args: RestoreArgs, config: &Config) -> anyhow::Result<()> {
    let kept = crate::backup::restore(&config.database_url, &args.file).await?;
    match kept {
        Some(kept) => println!(
            "restored {}; the database it replaced is kept as {}",
            args.file.display(),
            kept.display()
        ),
        None => println!("restored {}", args.file.display()),
    }
    Ok(())
}
