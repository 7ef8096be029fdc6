//! The command line of DESIGN §3, one module per subcommand.

mod backup;
pub mod catalog;
mod demo;
pub use demo::{DEMO_FOLLOWUPS, DEMO_SELLER};
mod doctor;
mod events;
mod orders;
pub(crate) mod token;
pub(crate) mod user;

use std::path::PathBuf;

use clap::{Parser, Subcommand};

use crate::config::Config;

/// orderdesk: a self-hosted order desk for businesses that sell over WhatsApp.
#[derive(Debug, Parser)]
#[command(name = "orderdesk", version, about)]
pub struct Cli {
    /// A TOML file with settings (the environment variables' names, lower-case).
    #[arg(long, global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Everything on one machine with no accounts anywhere: embedded SQLite,
    /// a seeded catalog and an owner login.
    Demo(demo::DemoArgs),
    /// Run the server, configured by the environment or --config.
    Serve,
    /// Bring the database schema up to date, then exit.
    Migrate,
    /// Manage staff users.
    #[command(subcommand)]
    User(user::UserCommand),
    /// Manage API tokens.
    #[command(subcommand)]
    Token(token::TokenCommand),
    /// Manage the product catalog.
    #[command(subcommand)]
    Catalog(catalog::CatalogCommand),
    /// Work with orders.
    #[command(subcommand)]
    Orders(orders::OrdersCommand),
    /// Maintain the event log (retention).
    #[command(subcommand)]
    Events(events::EventsCommand),
    /// Copy the SQLite database to FILE as of one instant, also while the
    /// server runs (PostgreSQL: prints the pg_dump command to use).
    Backup(backup::BackupArgs),
    /// Replace the SQLite database with a backup; refuses while a server
    /// uses it. The replaced database is kept beside it.
    Restore(backup::RestoreArgs),
    /// Check the installation: one line per check, ✓ or ✗ with what to do.
    Doctor,
}

impl Cli {
    /// Servers log at info; one-shot commands keep standard error quiet.
    pub fn default_log(&self) -> &'static str {
        match self.command {
            Command::Serve | Command::Demo(_) => "info,tower_http=warn,sqlx=warn",
            _ => "warn",
        }
    }
}

/// Runs one command.
///
/// # Errors
/// Whatever stopped the command, meant to be printed as one line.
pub async fn run(cli: Cli) -> anyhow::Result<()> {
    if let Command::Demo(args) = cli.command {
        return demo::run(args).await;
    }
    if let Command::Doctor = cli.command {
        return doctor::run(cli.config.as_deref()).await;
    }
    let config = Config::load(cli.config.as_deref())?;
    match cli.command {
        Command::Demo(_) => Ok(()),
        Command::Serve => serve(config).await,
        Command::Migrate => {
            // Two at once would be an operator's mistake: say so rather than
            // queue behind the other one.
            let store = crate::connect_store(&config).await?;
            if !store
                .migrate_unless_busy()
                .await
                .map_err(|e| anyhow::anyhow!("cannot migrate the database: {e}"))?
            {
                anyhow::bail!(
                    "another orderdesk migrate is running on this database; \
                     run it again once that one has finished"
                );
            }
            println!("database is up to date");
            Ok(())
        }
        Command::User(c) => user::run(c, &config).await,
        Command::Token(c) => token::run(c, &config).await,
        Command::Catalog(c) => catalog::run(c, &config).await,
        Command::Orders(c) => orders::run(c, &config).await,
        Command::Events(c) => events::run(c, &config).await,
        Command::Backup(args) => backup::backup(args, &config).await,
        Command::Restore(args) => backup::restore(args, &config).await,
        Command::Doctor => Ok(()),
    }
}

async fn serve(config: Config) -> anyhow::Result<()> {
    crate::survive_file_size_limit();
    for key in Config::unknown_env_keys() {
        tracing::warn!(%key, "unknown setting in the environment (a typo?)");
    }
    let listener = tokio::net::TcpListener::bind(config.listen)
        .await
        .map_err(|e| {
            anyhow::anyhow!("ORDERDESK_LISTEN: cannot listen on {}: {e}", config.listen)
        })?;
    crate::serve(config, listener, crate::shutdown_signal()).await
}
