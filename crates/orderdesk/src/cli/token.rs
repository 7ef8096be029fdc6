//! `orderdesk token create`: the engine's `accounts::create_token`, the same
//! rule as the dashboard's `/tokens`.

use clap::Subcommand;
use orderdesk_engine::accounts::{self, AccountError};

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
    let store = crate::open_store(config).await?;
    let created = accounts::create_token(store.as_ref(), &name)
        .await
        .map_err(|e| match e {
            AccountError::BadTokenName | AccountError::TokenNameTaken(_) => {
                anyhow::anyhow!("--name: {e}")
            }
            other => other.into(),
        })?;
    eprintln!(
        "created API token '{}'; it is shown once, keep it safe:",
        created.token.name
    );
    println!("{}", created.secret);
    Ok(())
}
