//! `orderdesk user add`: reads the arguments, then the engine's
//! `accounts::add_user` (the same rule as the dashboard's `/users`).

use std::io::BufRead;

use anyhow::{bail, Context};
use clap::Subcommand;
use orderdesk_engine::accounts::{self, AccountError};
use orderdesk_store::Role;

use crate::config::Config;

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Create a staff user. Without --password-stdin a strong password is
    /// generated and printed once.
    Add {
        #[arg(long)]
        email: String,
        /// owner, admin or agent (agents cannot manage users, settings or tokens).
        #[arg(long)]
        role: String,
        /// Read the password from the first line of standard input.
        #[arg(long)]
        password_stdin: bool,
    },
}

pub async fn run(cmd: UserCommand, config: &Config) -> anyhow::Result<()> {
    let UserCommand::Add {
        email,
        role,
        password_stdin,
    } = cmd;
    let Some(role) = Role::parse(role.trim()) else {
        bail!("--role: '{role}' is not one of owner, admin, agent");
    };
    let password = if password_stdin {
        let mut line = String::new();
        std::io::stdin()
            .lock()
            .read_line(&mut line)
            .context("cannot read the password from standard input")?;
        Some(line.trim_end_matches(['\r', '\n']).to_owned())
    } else {
        None
    };
    let store = crate::open_store(config).await?;
    let added = accounts::add_user(
        store.as_ref(),
        &email,
        role,
        password,
        &accounts::OffWorkers,
    )
    .await
    .map_err(|e| match e {
        AccountError::NotAnEmail(_) | AccountError::EmailTaken(_) => {
            anyhow::anyhow!("--email: {e}")
        }
        AccountError::PasswordTooShort => anyhow::anyhow!("--password-stdin: {e}"),
        other => other.into(),
    })?;
    println!("created {} {}", added.user.role.as_str(), added.user.email);
    if let Some(password) = added.generated_password {
        println!("password (shown once): {password}");
    }
    Ok(())
}
