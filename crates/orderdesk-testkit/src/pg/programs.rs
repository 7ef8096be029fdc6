//! Where the PostgreSQL programs are, and which user runs them: the
//! `postgres` user (via `setpriv`) when the tests run as root, which
//! PostgreSQL refuses.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use anyhow::{anyhow, bail, Context};

use super::BINDIR_ENV;

/// Paths of the PostgreSQL programs used.
#[derive(Debug, Clone)]
pub(super) struct Bins {
    pub(super) initdb: PathBuf,
    pub(super) postgres: PathBuf,
    pub(super) psql: PathBuf,
}

impl Bins {
    /// `$ORDERDESK_PG_BINDIR`, else the directory of `postgres` on `PATH`
    /// (symlinks resolved), else the newest `/usr/lib/postgresql/*/bin`.
    pub(super) fn find() -> anyhow::Result<Self> {
        if let Some(dir) = std::env::var_os(BINDIR_ENV) {
            let dir = PathBuf::from(dir);
            return Self::in_dir(&dir).ok_or_else(|| {
                anyhow!(
                    "{BINDIR_ENV}={} does not contain initdb, postgres and psql",
                    dir.display()
                )
            });
        }
        let mut candidates = Vec::new();
        if let Some(postgres) = on_path("postgres") {
            if let Some(dir) = std::fs::canonicalize(&postgres)
                .ok()
                .and_then(|p| p.parent().map(Path::to_path_buf))
            {
                candidates.push(dir);
            }
            if let Some(dir) = postgres.parent() {
                candidates.push(dir.to_path_buf());
            }
        }
        let mut versioned: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
            .into_iter()
            .flatten()
            .flatten()
            .filter_map(|e| {
                let v = e.file_name().to_str()?.parse::<u32>().ok()?;
                Some((v, e.path().join("bin")))
            })
            .collect();
        versioned.sort_by_key(|(version, _)| std::cmp::Reverse(*version));
        candidates.extend(versioned.into_iter().map(|(_, p)| p));
        candidates.push(PathBuf::from("/usr/local/pgsql/bin"));

        candidates
            .iter()
            .find_map(|dir| Self::in_dir(dir))
            .ok_or_else(|| {
                anyhow!(
                    "PostgreSQL server programs (initdb, postgres, psql) not found on PATH or in \
                     /usr/lib/postgresql/*/bin; install PostgreSQL or set {BINDIR_ENV} to the \
                     directory holding them"
                )
            })
    }

    fn in_dir(dir: &Path) -> Option<Self> {
        let initdb = dir.join("initdb");
        let postgres = dir.join("postgres");
        // Distributions often keep psql elsewhere (Debian's wrapper in /usr/bin).
        let psql = Some(dir.join("psql"))
            .filter(|p| p.is_file())
            .or_else(|| on_path("psql"))?;
        (initdb.is_file() && postgres.is_file()).then_some(Self {
            initdb,
            postgres,
            psql,
        })
    }
}

fn on_path(program: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(program))
        .find(|p| p.is_file())
}

/// `None` when running as a normal user; the `postgres` user's uid and gid
/// when running as root, which PostgreSQL refuses.
pub(super) fn server_owner() -> anyhow::Result<Option<(u32, u32)>> {
    if id(&["-u"])? != 0 {
        return Ok(None);
    }
    let uid = id(&["-u", "postgres"]);
    let gid = id(&["-g", "postgres"]);
    match (uid, gid) {
        (Ok(uid), Ok(gid)) => Ok(Some((uid, gid))),
        _ => bail!(
            "running as root, but PostgreSQL refuses to run as root and there is no `postgres` \
             user to run it as; create one (useradd --system postgres) or run the tests as a \
             normal user"
        ),
    }
}

fn id(args: &[&str]) -> anyhow::Result<u32> {
    let out = Command::new("id")
        .args(args)
        .stdin(Stdio::null())
        .output()
        .context("running id")?;
    if !out.status.success() {
        bail!("id {} failed", args.join(" "));
    }
    String::from_utf8_lossy(&out.stdout)
        .trim()
        .parse()
        .with_context(|| format!("parsing the output of id {}", args.join(" ")))
}

/// A command for `program`, run as `owner` when given (we are root then).
pub(super) fn as_owner(owner: Option<(u32, u32)>, program: &Path) -> Command {
    match owner {
        None => Command::new(program),
        Some((uid, gid)) => {
            let mut cmd = Command::new("setpriv");
            cmd.arg(format!("--reuid={uid}"))
                .arg(format!("--regid={gid}"))
                .arg("--clear-groups")
                .arg("--")
                .arg(program);
            cmd
        }
    }
}
