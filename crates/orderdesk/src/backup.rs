//! Backups of the embedded SQLite database, and putting one back.
//!
//! A backup is `VACUUM INTO` on a read-only connection: one read
//! transaction, so the copy is the database as of one instant even while the
//! server writes (WAL lets writers go on meanwhile), and the source is never
//! written. It lands under a temporary name and is renamed into place after
//! an fsync, so a half-written copy never stands under the name asked for.
//!
//! A restore refuses while any `orderdesk serve` holds the database's
//! instance lock ([`InstanceLock`]) and refuses a file that is not an
//! orderdesk database before anything is replaced. The database it replaces
//! is kept beside it. PostgreSQL has its own tools (`pg_dump`,
//! `pg_restore`): for it these commands say which to run.

use std::fs::{File, OpenOptions};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::Duration;

use sqlx::sqlite::SqliteConnectOptions;
use sqlx::{ConnectOptions, Connection, SqliteConnection};

use crate::config::{redact_url, DatabaseUrl};

/// The first 16 bytes of every SQLite 3 database file.
const SQLITE_MAGIC: &[u8; 16] = b"SQLite format 3\0";

#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    #[error("{0} already exists; name a new file (a backup never overwrites one)")]
    Exists(PathBuf),
    #[error("cannot write the backup to {path}: {reason}")]
    Unwritable { path: PathBuf, reason: String },
    #[error("cannot read the database {path}: {reason}")]
    Source { path: PathBuf, reason: String },
    #[error(
        "PostgreSQL is backed up with its own tool; run: \
         pg_dump --format=custom --file={file} '{url}'"
    )]
    Postgres { file: String, url: String },
}

#[derive(Debug, thiserror::Error)]
pub enum RestoreError {
    #[error("{path} is not an orderdesk database: {reason}; nothing was replaced")]
    NotOrderdesk { path: PathBuf, reason: String },
    #[error(
        "a server is using {0} (its instance lock is held); stop every orderdesk serve \
         on it, then restore; nothing was replaced"
    )]
    InUse(PathBuf),
    #[error("cannot restore into {path}: {reason}")]
    Io { path: PathBuf, reason: String },
    #[error(
        "PostgreSQL is restored with its own tool; stop the servers, then run: \
         pg_restore --clean --if-exists --dbname='{url}' {file}"
    )]
    Postgres { file: String, url: String },
    #[error(transparent)]
    Backup(#[from] BackupError),
}

/// The file behind a `sqlite://` URL.
///
/// # Errors
/// The URL cannot be read as SQLite options.
pub fn sqlite_path(url: &str) -> Result<PathBuf, String> {
    SqliteConnectOptions::from_str(url)
        .map(|o| o.get_filename().to_path_buf())
        .map_err(|e| e.to_string())
}

/// Copies the database to `dest` as of one instant; returns its size.
///
/// # Errors
/// `dest` exists or cannot be written, the database cannot be read, or the
/// database is PostgreSQL (the error names the `pg_dump` command).
pub async fn backup(database: &DatabaseUrl, dest: &Path) -> Result<u64, BackupError> {
    let source = match database {
        DatabaseUrl::Postgres(url) => {
            return Err(BackupError::Postgres {
                file: dest.display().to_string(),
                url: redact_url(url),
            })
        }
        DatabaseUrl::Sqlite(url) => sqlite_path(url).map_err(|reason| BackupError::Source {
            path: PathBuf::from(url),
            reason,
        })?,
    };
    backup_file(&source, dest).await
}

/// [`backup`] of the SQLite file `source`.
///
/// # Errors
/// As [`backup`].
pub async fn backup_file(source: &Path, dest: &Path) -> Result<u64, BackupError> {
    if dest.exists() {
        return Err(BackupError::Exists(dest.to_path_buf()));
    }
    let unwritable = |reason: String| BackupError::Unwritable {
        path: dest.to_path_buf(),
        reason,
    };
    let partial = partial_name(dest).map_err(unwritable)?;
    // Fail on the destination before any work on the database: the usual
    // mistake is a path that cannot be written at all.
    File::create(&partial).map_err(|e| unwritable(e.to_string()))?;
    let _ = std::fs::remove_file(&partial);

    let mut conn = open_read_only(source)
        .await
        .map_err(|reason| BackupError::Source {
            path: source.to_path_buf(),
            reason,
        })?;
    let copied = sqlx::query("VACUUM INTO ?")
        .bind(partial.to_string_lossy().into_owned())
        .execute(&mut conn)
        .await;
    let _ = conn.close().await;
    if let Err(e) = copied {
        let _ = std::fs::remove_file(&partial);
        return Err(unwritable(e.to_string()));
    }
    let finished = sync_and_rename(&partial, dest);
    if finished.is_err() {
        let _ = std::fs::remove_file(&partial);
    }
    finished.map_err(|e| unwritable(e.to_string()))
}

/// Replaces the database with the backup at `source`; returns where the
/// database it replaced is kept, if there was one.
///
/// # Errors
/// A server uses the database, `source` is not an orderdesk database, a
/// file cannot be written, or the database is PostgreSQL.
pub async fn restore(
    database: &DatabaseUrl,
    source: &Path,
) -> Result<Option<PathBuf>, RestoreError> {
    let target = match database {
        DatabaseUrl::Postgres(url) => {
            return Err(RestoreError::Postgres {
                file: source.display().to_string(),
                url: redact_url(url),
            })
        }
        DatabaseUrl::Sqlite(url) => sqlite_path(url).map_err(|reason| RestoreError::Io {
            path: PathBuf::from(url),
            reason,
        })?,
    };
    check_is_orderdesk(source).await?;
    let _lock = InstanceLock::exclusive(&target)?;
    let io = |e: std::io::Error| RestoreError::Io {
        path: target.clone(),
        reason: e.to_string(),
    };

    // The copy first, under a temporary name beside the database, so the
    // rename below is atomic and a failure leaves the database as it was.
    let partial = partial_name(&target).map_err(|reason| RestoreError::Io {
        path: target.clone(),
        reason,
    })?;
    if let Err(e) = std::fs::copy(source, &partial) {
        let _ = std::fs::remove_file(&partial);
        return Err(io(e));
    }
    // The database being replaced is kept, consistent with its WAL.
    let kept = if target.exists() {
        let stamp = chrono::Utc::now().format("%Y%m%dT%H%M%SZ");
        let mut name = target.as_os_str().to_owned();
        name.push(format!(".before-restore-{stamp}"));
        let kept = PathBuf::from(name);
        if let Err(e) = backup_file(&target, &kept).await {
            let _ = std::fs::remove_file(&partial);
            return Err(e.into());
        }
        Some(kept)
    } else {
        None
    };
    // A WAL left from the old database would be replayed into the new one.
    for suffix in ["-wal", "-shm", "-journal"] {
        let mut name = target.as_os_str().to_owned();
        name.push(suffix);
        match std::fs::remove_file(PathBuf::from(name)) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(io(e)),
        }
    }
    sync_and_rename(&partial, &target).map_err(io)?;
    Ok(kept)
}

/// Refuses anything but an intact SQLite file holding orderdesk's schema.
async fn check_is_orderdesk(path: &Path) -> Result<(), RestoreError> {
    let refuse = |reason: &str| RestoreError::NotOrderdesk {
        path: path.to_path_buf(),
        reason: reason.to_owned(),
    };
    let mut magic = [0u8; 16];
    File::open(path)
        .and_then(|mut f| f.read_exact(&mut magic))
        .map_err(|e| refuse(&format!("cannot read it ({e})")))?;
    if &magic != SQLITE_MAGIC {
        return Err(refuse("it is not a SQLite database"));
    }
    let mut conn = open_read_only(path)
        .await
        .map_err(|e| refuse(&format!("SQLite cannot open it ({e})")))?;
    let verdict = async {
        let check: String = sqlx::query_scalar("PRAGMA quick_check")
            .fetch_one(&mut conn)
            .await
            .map_err(|e| refuse(&format!("SQLite cannot check it ({e})")))?;
        if check != "ok" {
            return Err(refuse(&format!("it is damaged ({check})")));
        }
        let tables: i64 = sqlx::query_scalar(
            "SELECT count(*) FROM sqlite_master WHERE type = 'table' \
             AND name IN ('_sqlx_migrations', 'orders', 'events', 'inbound')",
        )
        .fetch_one(&mut conn)
        .await
        .map_err(|e| refuse(&e.to_string()))?;
        if tables != 4 {
            return Err(refuse("it has no orderdesk schema"));
        }
        Ok(())
    }
    .await;
    let _ = conn.close().await;
    verdict
}

async fn open_read_only(path: &Path) -> Result<SqliteConnection, String> {
    if !path.is_file() {
        return Err("no such file".to_owned());
    }
    SqliteConnectOptions::new()
        .filename(path)
        .read_only(true)
        .create_if_missing(false)
        // A server's checkpoint may hold a lock for a moment.
        .busy_timeout(Duration::from_secs(10))
        .disable_statement_logging()
        .connect()
        .await
        .map_err(|e| e.to_string())
}

/// `.NAME.partial-PID` beside `path`.
fn partial_name(path: &Path) -> Result<PathBuf, String> {
    let name = path
        .file_name()
        .ok_or_else(|| "the path names no file".to_owned())?;
    let mut partial = std::ffi::OsString::from(".");
    partial.push(name);
    partial.push(format!(".partial-{}", std::process::id()));
    Ok(path.with_file_name(partial))
}

/// Makes `from` durable, renames it to `to`, and makes the rename durable.
fn sync_and_rename(from: &Path, to: &Path) -> std::io::Result<u64> {
    let file = OpenOptions::new().read(true).write(true).open(from)?;
    file.sync_all()?;
    let size = file.metadata()?.len();
    drop(file);
    std::fs::rename(from, to)?;
    if let Some(dir) = to.parent().filter(|d| !d.as_os_str().is_empty()) {
        // Directories cannot be opened for fsync everywhere; the rename is
        // done either way.
        if let Ok(d) = File::open(dir) {
            let _ = d.sync_all();
        }
    }
    Ok(size)
}

/// An advisory lock on `DB.lock` beside a SQLite database: every server
/// holds it shared for its lifetime, a restore holds it exclusive. A
/// separate file, because closing any descriptor of the database file itself
/// would drop SQLite's own POSIX locks in this process.
pub struct InstanceLock {
    _file: File,
}

impl InstanceLock {
    fn path(database: &Path) -> PathBuf {
        let mut name = database.as_os_str().to_owned();
        name.push(".lock");
        PathBuf::from(name)
    }

    fn open(database: &Path) -> std::io::Result<File> {
        OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(Self::path(database))
    }

    /// Taken by a server for as long as it runs.
    ///
    /// # Errors
    /// A restore holds the lock, or the lock file cannot be made.
    pub fn shared(database: &Path) -> anyhow::Result<Self> {
        let file = Self::open(database).map_err(|e| {
            anyhow::anyhow!(
                "cannot open the lock file {}: {e}",
                Self::path(database).display()
            )
        })?;
        lock(&file, false).map_err(|_| {
            anyhow::anyhow!(
                "orderdesk restore is replacing {}; start the server when it has finished",
                database.display()
            )
        })?;
        Ok(Self { _file: file })
    }

    fn exclusive(database: &Path) -> Result<Self, RestoreError> {
        let file = Self::open(database).map_err(|e| RestoreError::Io {
            path: Self::path(database),
            reason: e.to_string(),
        })?;
        lock(&file, true).map_err(|_| RestoreError::InUse(database.to_path_buf()))?;
        Ok(Self { _file: file })
    }
}

#[cfg(unix)]
fn lock(file: &File, exclusive: bool) -> std::io::Result<()> {
    use rustix::fs::{flock, FlockOperation};
    let op = if exclusive {
        FlockOperation::NonBlockingLockExclusive
    } else {
        FlockOperation::NonBlockingLockShared
    };
    flock(file, op).map_err(std::io::Error::from)
}

#[cfg(not(unix))]
fn lock(_file: &File, _exclusive: bool) -> std::io::Result<()> {
    Ok(())
}
