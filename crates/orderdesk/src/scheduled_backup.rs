//! Scheduled backups (`ORDERDESK_BACKUP_EVERY`, `ORDERDESK_BACKUP_KEEP`,
//! `ORDERDESK_BACKUP_DIR`): every N hours a [`crate::backup`] copy named by
//! its time, the oldest beyond M removed, the last success in `/metrics`.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use orderdesk_web::metrics::Metrics;

use crate::config::{Config, DatabaseUrl};

/// Backup file names: `orderdesk-<UTC time>.db`, so names sort by age.
const PREFIX: &str = "orderdesk-";
const SUFFIX: &str = ".db";

#[derive(Debug, Clone)]
pub struct Schedule {
    pub database: PathBuf,
    pub every: Duration,
    pub keep: usize,
    pub dir: PathBuf,
}

impl Schedule {
    /// The schedule the configuration asks for, if any.
    ///
    /// # Errors
    /// Scheduled backups are asked for on PostgreSQL (use `pg_dump`).
    pub fn from_config(config: &Config) -> anyhow::Result<Option<Self>> {
        let Some(every) = config.backup_every else {
            return Ok(None);
        };
        let url = match &config.database_url {
            DatabaseUrl::Sqlite(url) => url,
            DatabaseUrl::Postgres(_) => anyhow::bail!(
                "ORDERDESK_BACKUP_EVERY: scheduled backups are for SQLite; \
                 back PostgreSQL up with pg_dump (see `orderdesk backup`)"
            ),
        };
        let database = crate::backup::sqlite_path(url)
            .map_err(|e| anyhow::anyhow!("ORDERDESK_DATABASE_URL: {e}"))?;
        let dir = match &config.backup_dir {
            Some(dir) => dir.clone(),
            None => database
                .parent()
                .map_or_else(|| PathBuf::from("backups"), |p| p.join("backups")),
        };
        Ok(Some(Self {
            database,
            every,
            keep: config.backup_keep,
            dir,
        }))
    }

    /// Runs until `stop` resolves: the first backup once `every` has passed
    /// since the newest one in the folder (at once if there is none).
    pub async fn run(self, metrics: Arc<Metrics>, stop: impl std::future::Future<Output = ()>) {
        tokio::pin!(stop);
        let mut wait = self.first_wait();
        loop {
            tokio::select! {
                () = &mut stop => return,
                () = tokio::time::sleep(wait) => {}
            }
            match self.once().await {
                Ok(path) => {
                    metrics.backup_succeeded(unix_now());
                    tracing::info!(path = %path.display(), "scheduled backup written");
                }
                Err(e) => {
                    metrics.backup_failed();
                    tracing::warn!(error = %e, "scheduled backup failed; trying again at the next one");
                }
            }
            wait = self.every;
        }
    }

    fn first_wait(&self) -> Duration {
        let newest = self
            .existing()
            .last()
            .and_then(|p| p.metadata().ok())
            .and_then(|m| m.modified().ok());
        match newest.and_then(|t| SystemTime::now().duration_since(t).ok()) {
            Some(age) => self.every.saturating_sub(age),
            None => Duration::ZERO,
        }
    }

    /// One backup, then the oldest beyond `keep` removed.
    async fn once(&self) -> anyhow::Result<PathBuf> {
        std::fs::create_dir_all(&self.dir)
            .map_err(|e| anyhow::anyhow!("ORDERDESK_BACKUP_DIR {}: {e}", self.dir.display()))?;
        let stamp = chrono::Utc::now().format("%Y%m%dT%H%M%S%.3fZ");
        let path = self.dir.join(format!("{PREFIX}{stamp}{SUFFIX}"));
        crate::backup::backup_file(&self.database, &path).await?;
        let existing = self.existing();
        let excess = existing.len().saturating_sub(self.keep.max(1));
        for old in existing.iter().take(excess) {
            if let Err(e) = std::fs::remove_file(old) {
                tracing::warn!(path = %old.display(), error = %e, "cannot remove an old backup");
            }
        }
        Ok(path)
    }

    /// This schedule's backups in the folder, oldest first.
    fn existing(&self) -> Vec<PathBuf> {
        let Ok(entries) = std::fs::read_dir(&self.dir) else {
            return Vec::new();
        };
        let mut files: Vec<PathBuf> = entries
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| is_backup_name(p))
            .collect();
        files.sort();
        files
    }
}

fn is_backup_name(path: &Path) -> bool {
    path.file_name()
        .and_then(|n| n.to_str())
        .is_some_and(|n| n.starts_with(PREFIX) && n.ends_with(SUFFIX))
}

fn unix_now() -> i64 {
    SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}
