//! `orderdesk user add`.

use std::io::BufRead;

use anyhow::{bail, Context};
use argon2::password_hash::{rand_core::OsRng, PasswordHasher, SaltString};
use argon2::Argon2;
use clap::Subcommand;
use orderdesk_store::{NewUser, Role, StoreError};
use rand::distributions::{Alphanumeric, DistString};

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

/// Shortest password we accept from a person.
const MIN_PASSWORD: usize = 10;

pub async fn run(cmd: UserCommand, config: &Config) -> anyhow::Result<()> {
    let UserCommand::Add {
        email,
        role,
        password_stdin,
    } = cmd;
    let email = email.trim().to_lowercase();
    if !plausible_email(&email) {
        bail!("--email: '{email}' is not an email address");
    }
    let Some(role) = Role::parse(role.trim()) else {
        bail!("--role: '{role}' is not one of owner, admin, agent");
    };
    let (password, generated) = if password_stdin {
        let mut line = String::new();
        std::io::stdin()
            .lock()
            .read_line(&mut line)
            .context("cannot read the password from standard input")?;
        let password = line.trim_end_matches(['\r', '\n']).to_owned();
        if password.chars().count() < MIN_PASSWORD {
            bail!("--password-stdin: the password must be at least {MIN_PASSWORD} characters");
        }
        (password, false)
    } else {
        (
            Alphanumeric.sample_string(&mut rand::thread_rng(), 24),
            true,
        )
    };
    let password_hash = hash_password(&password)?;
    let store = crate::open_store(config).await?;
    let user = store
        .create_user(&NewUser {
            email: email.clone(),
            role,
            password_hash,
            created_at: chrono::Utc::now(),
        })
        .await
        .map_err(|e| match e {
            StoreError::Duplicate(_) => {
                anyhow::anyhow!("--email: a user with {email} already exists")
            }
            other => other.into(),
        })?;
    println!("created {} {}", user.role.as_str(), user.email);
    if generated {
        println!("password (shown once): {password}");
    }
    Ok(())
}

/// An argon2id PHC string with a fresh salt.
pub fn hash_password(password: &str) -> anyhow::Result<String> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| anyhow::anyhow!("cannot hash the password: {e}"))
}

fn plausible_email(email: &str) -> bool {
    match email.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && !email.chars().any(char::is_whitespace)
                && email.len() <= 254
        }
        None => false,
    }
}
