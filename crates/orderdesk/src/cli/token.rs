//! `orderdesk token create`.

use anyhow::bail;
use clap::Subcommand;
use orderdesk_store::{NewApiToken, StoreError};
use rand::RngCore;

use crate::config::Config;

#[derive(Debug, Subcommand)]
pub enum TokenCommand {
    /// Create an API token; it is printed once, alone on the last line.
    Create {
        /// A name to recognise the token by (unique).
        #[arg(long)]
        name: String,
    },
}

pub async fn run(cmd: TokenCommand, config: &Config) -> anyhow::Result<()> {
    let TokenCommand::Create { name } = cmd;
    let name = name.trim().to_owned();
    if name.is_empty() || name.len() > 100 {
        bail!("--name: give the token a name of 1 to 100 characters");
    }
    let store = crate::open_store(config).await?;
    let secret = new_secret();
    store
        .create_token(&NewApiToken {
            name: name.clone(),
            secret_hash: orderdesk_web::auth::token_hash(&secret),
            created_at: chrono::Utc::now(),
        })
        .await
        .map_err(|e| match e {
            StoreError::Duplicate(_) => {
                anyhow::anyhow!("--name: a token named '{name}' already exists")
            }
            other => other.into(),
        })?;
    eprintln!("created API token '{name}'; it is shown once, keep it safe:");
    println!("{secret}");
    Ok(())
}

/// 256 random bits, hex, with a prefix that makes leaked tokens easy to spot.
pub fn new_secret() -> String {
    let mut bytes = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut bytes);
    format!("odk_{}", hex::encode(bytes))
}
