//! A private, throwaway PostgreSQL server for tests.
//!
//! Each [`PgCluster`] is a fresh `initdb` in a temporary directory, listening
//! on a free `127.0.0.1` port with its unix socket inside that directory, and
//! tuned for speed over durability (`fsync=off`): nothing in it outlives the
//! test run.
//!
//! The server runs under a small `sh` wrapper whose standard input is a pipe
//! held only by the test process. When that pipe reaches EOF, which the kernel
//! guarantees however the test process ends (normal exit, panic, abort,
//! `SIGKILL`), the wrapper stops the server and deletes the directory. That is
//! what makes a process-wide cluster in a `static` safe even though statics
//! are never dropped.
//!
//! PostgreSQL refuses to run as root, so when the tests run as root (CI
//! containers) `initdb` and `postgres` are started as the `postgres` user via
//! `setpriv`, and the temporary directory is handed over to that user.

use std::io::Read;
use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use anyhow::{anyhow, bail, Context};

mod programs;
use programs::{as_owner, server_owner, Bins};

/// How long a freshly started server may take to accept connections.
const START_TIMEOUT: Duration = Duration::from_secs(60);
/// How long a stopping server may take before the wrapper is killed.
const STOP_TIMEOUT: Duration = Duration::from_secs(15);
/// Free-port races with other processes are retried this many times.
const START_ATTEMPTS: usize = 4;
/// Environment variable naming the directory of `initdb`, `postgres` and `psql`.
const BINDIR_ENV: &str = "ORDERDESK_PG_BINDIR";

/// Stops the server and removes the directory once standard input closes.
/// `$1` is the directory, the rest is the server command line. The wrapper
/// sits in its own process group and ignores `SIGINT`/`SIGHUP`, so a Ctrl-C
/// aimed at the test run reaches it only as EOF and the cleanup still runs.
/// Lines `stop` and `start` on standard input stop the server (fast
/// shutdown, as `pg_ctl stop -m fast`) and start it again, so fault tests
/// can restart PostgreSQL under a running orderdesk ([`PgCluster::stop`]).
const WRAPPER: &str = r#"trap '' INT HUP
dir=$1
shift
run() { "$@" >>"$dir/postgres.log" 2>&1 </dev/null & pid=$!; }
run "$@"
while read -r cmd; do
  case $cmd in
    stop) kill -INT "$pid" 2>/dev/null; wait "$pid" ;;
    start) run "$@" ;;
  esac
done
kill -INT "$pid" 2>/dev/null
wait "$pid"
rm -rf "$dir"
"#;

/// A running throwaway PostgreSQL server (trust authentication, user
/// `postgres`). Dropping it stops the server and deletes its files.
pub struct PgCluster {
    port: u16,
    bins: Bins,
    wrapper: Child,
    /// Closing this is the stop signal.
    stdin: Option<ChildStdin>,
    /// Removed by the wrapper on stop; kept so a failed stop still cleans up.
    dir: Option<tempfile::TempDir>,
}

impl std::fmt::Debug for PgCluster {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PgCluster")
            .field("port", &self.port)
            .field("dir", &self.dir.as_ref().map(tempfile::TempDir::path))
            .finish_non_exhaustive()
    }
}

impl PgCluster {
    /// Initialises and starts a new cluster, waiting until it accepts
    /// connections.
    ///
    /// # Errors
    /// When PostgreSQL is not installed, cannot be run as a suitable user, or
    /// does not come up; the message says which and includes the server log.
    pub fn start() -> anyhow::Result<Self> {
        Self::start_with(false)
    }

    /// As [`PgCluster::start`], but at PostgreSQL's durable defaults (fsync,
    /// synchronous commit, full page writes): for benchmarks that must pay
    /// for a real disk flush per commit.
    ///
    /// # Errors
    /// As [`PgCluster::start`].
    pub fn start_durable() -> anyhow::Result<Self> {
        Self::start_with(true)
    }

    fn start_with(durable: bool) -> anyhow::Result<Self> {
        let bins = Bins::find()?;
        let owner = server_owner()?;
        let mut last_error = None;
        for _ in 0..START_ATTEMPTS {
            match Self::start_once(&bins, owner, durable) {
                Ok(cluster) => return Ok(cluster),
                Err(StartError::PortTaken(e)) => last_error = Some(e),
                Err(StartError::Fatal(e)) => return Err(e),
            }
        }
        Err(last_error
            .unwrap_or_else(|| anyhow!("no attempt made"))
            .context(format!(
                "PostgreSQL could not bind a free port in {START_ATTEMPTS} attempts"
            )))
    }

    fn start_once(
        bins: &Bins,
        owner: Option<(u32, u32)>,
        durable: bool,
    ) -> Result<Self, StartError> {
        let dir = tempfile::Builder::new()
            .prefix("orderdesk-pg-")
            .tempdir()
            .context("creating a temporary directory for PostgreSQL")?;
        let root = dir.path().to_path_buf();
        if let Some((uid, gid)) = owner {
            std::os::unix::fs::chown(&root, Some(uid), Some(gid))
                .with_context(|| format!("handing {} to the postgres user", root.display()))?;
        }
        let data = root.join("data");

        let out = as_owner(owner, &bins.initdb)
            .arg("-D")
            .arg(&data)
            .args(["-U", "postgres", "-A", "trust", "-E", "UTF8", "--locale=C"])
            .arg("--no-sync")
            .current_dir(&root)
            .stdin(Stdio::null())
            .output()
            .with_context(|| format!("running {}", bins.initdb.display()))?;
        if !out.status.success() {
            return Err(StartError::Fatal(anyhow!(
                "initdb failed ({}):\n{}{}",
                out.status,
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            )));
        }

        let port = free_port()?;
        let mut server = as_owner(owner, &bins.postgres);
        server
            .arg("-D")
            .arg(&data)
            .arg("-p")
            .arg(port.to_string())
            .arg("-k")
            .arg(&root)
            .args(["-h", "127.0.0.1"])
            .args(
                SERVER_SETTINGS
                    .iter()
                    .filter(|s| !durable || !DURABILITY_OFF.contains(s))
                    .flat_map(|s| ["-c", *s]),
            );

        let mut wrapper = Command::new("sh");
        wrapper
            .arg("-c")
            .arg(WRAPPER)
            .arg("orderdesk-pg")
            .arg(&root)
            .arg(server.get_program())
            .args(server.get_args())
            .current_dir(&root)
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        std::os::unix::process::CommandExt::process_group(&mut wrapper, 0);
        let mut child = wrapper.spawn().context("starting sh to run postgres")?;
        let stdin = child.stdin.take();
        let mut cluster = PgCluster {
            port,
            bins: bins.clone(),
            wrapper: child,
            stdin,
            dir: Some(dir),
        };
        cluster.wait_until_ready()?;
        Ok(cluster)
    }

    fn wait_until_ready(&mut self) -> Result<(), StartError> {
        let deadline = Instant::now() + START_TIMEOUT;
        loop {
            if let Ok(Some(status)) = self.wrapper.try_wait() {
                return Err(StartError::Fatal(anyhow!(
                    "the postgres wrapper exited early ({status})"
                )));
            }
            let log = self.log();
            if server_failed(&log) {
                let e = anyhow!("postgres failed to start on port {}:\n{log}", self.port);
                let port_taken = log.contains("could not bind")
                    || log.contains("could not create any TCP/IP sockets")
                    || log.contains("could not create lock file");
                return Err(if port_taken {
                    StartError::PortTaken(e)
                } else {
                    StartError::Fatal(e)
                });
            }
            if self.psql("postgres", "SELECT 1").is_ok() {
                return Ok(());
            }
            if Instant::now() > deadline {
                return Err(StartError::Fatal(anyhow!(
                    "postgres did not accept connections on port {} within {:?}:\n{log}",
                    self.port,
                    START_TIMEOUT
                )));
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Stops the server the way `pg_ctl stop -m fast` does (open sessions
    /// are ended, committed work is kept) and waits until it is gone.
    /// The data directory stays; [`PgCluster::start_again`] restarts it.
    ///
    /// # Errors
    /// When the wrapper cannot be told, or the server is still up after
    /// the stop timeout.
    pub fn stop(&mut self) -> anyhow::Result<()> {
        self.tell("stop")?;
        let pid_file = self.data_dir()?.join("postmaster.pid");
        let deadline = Instant::now() + STOP_TIMEOUT;
        while pid_file.exists() {
            if Instant::now() > deadline {
                bail!(
                    "postgres on port {} did not stop within {STOP_TIMEOUT:?}",
                    self.port
                );
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        Ok(())
    }

    /// Starts a server stopped by [`PgCluster::stop`] on the same port and
    /// data, and waits until it accepts connections.
    ///
    /// # Errors
    /// When the wrapper cannot be told, or the server does not come up.
    pub fn start_again(&mut self) -> anyhow::Result<()> {
        self.tell("start")?;
        let deadline = Instant::now() + START_TIMEOUT;
        // The log already holds the last shutdown's FATAL lines, so
        // readiness is judged by a query alone.
        while let Err(e) = self.psql("postgres", "SELECT 1") {
            if Instant::now() > deadline {
                return Err(e.context(format!("postgres did not come back:\n{}", self.log())));
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        Ok(())
    }

    fn tell(&mut self, command: &str) -> anyhow::Result<()> {
        use std::io::Write;
        let stdin = self.stdin.as_mut().context("the cluster is stopping")?;
        writeln!(stdin, "{command}")
            .and_then(|()| stdin.flush())
            .context("telling the postgres wrapper")
    }

    fn data_dir(&self) -> anyhow::Result<PathBuf> {
        let dir = self.dir.as_ref().context("the cluster is stopping")?;
        Ok(dir.path().join("data"))
    }

    /// The server log so far (empty when unreadable).
    pub fn log(&self) -> String {
        let Some(dir) = &self.dir else {
            return String::new();
        };
        let mut text = String::new();
        if let Ok(mut f) = std::fs::File::open(dir.path().join("postgres.log")) {
            // A partial or non-UTF-8 log is still worth showing.
            let mut bytes = Vec::new();
            let _ = f.read_to_end(&mut bytes);
            text = String::from_utf8_lossy(&bytes).into_owned();
        }
        text
    }

    /// The TCP port the server listens on.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// A connection URL for database `db` as the `postgres` superuser.
    pub fn url(&self, db: &str) -> String {
        format!("postgres://postgres@127.0.0.1:{}/{db}", self.port)
    }

    /// Creates a brand-new empty database `t_<uuid>` and returns its URL.
    ///
    /// # Errors
    /// When `CREATE DATABASE` fails; the message includes psql's output.
    pub fn create_database(&self) -> anyhow::Result<String> {
        let name = format!("t_{}", uuid::Uuid::new_v4().simple());
        self.psql("postgres", &format!("CREATE DATABASE {name}"))
            .with_context(|| format!("creating database {name}"))?;
        Ok(self.url(&name))
    }

    /// Runs one SQL command through `psql`, failing on any error.
    ///
    /// # Errors
    /// When psql cannot run, cannot connect, or the command fails.
    pub fn psql(&self, db: &str, sql: &str) -> anyhow::Result<String> {
        let mut cmd = Command::new(&self.bins.psql);
        // Settings from the developer's environment must not redirect or
        // reconfigure the connection to this private server.
        for var in [
            "PGHOST",
            "PGHOSTADDR",
            "PGPORT",
            "PGUSER",
            "PGDATABASE",
            "PGSERVICE",
            "PGSERVICEFILE",
            "PGOPTIONS",
            "PGSSLMODE",
            "PGREQUIRESSL",
            "PGTARGETSESSIONATTRS",
        ] {
            cmd.env_remove(var);
        }
        let out = cmd
            .env("PGCONNECT_TIMEOUT", "5")
            .args(["-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1"])
            .args(["-h", "127.0.0.1", "-U", "postgres"])
            .arg("-p")
            .arg(self.port.to_string())
            .arg("-d")
            .arg(db)
            .arg("-c")
            .arg(sql)
            .stdin(Stdio::null())
            .output()
            .with_context(|| format!("running {}", self.bins.psql.display()))?;
        if !out.status.success() {
            bail!(
                "psql failed ({}): {}",
                out.status,
                String::from_utf8_lossy(&out.stderr).trim()
            );
        }
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    }
}

impl Drop for PgCluster {
    fn drop(&mut self) {
        drop(self.stdin.take());
        let deadline = Instant::now() + STOP_TIMEOUT;
        loop {
            match self.wrapper.try_wait() {
                Ok(Some(_)) | Err(_) => break,
                Ok(None) if Instant::now() > deadline => {
                    eprintln!(
                        "orderdesk-testkit: postgres on port {} did not stop within {:?}; killing its wrapper",
                        self.port, STOP_TIMEOUT
                    );
                    let _ = self.wrapper.kill();
                    let _ = self.wrapper.wait();
                    break;
                }
                Ok(None) => std::thread::sleep(Duration::from_millis(20)),
            }
        }
        // The wrapper normally removed it already; this covers a failed stop.
        drop(self.dir.take());
    }
}

/// Whether the log shows the server itself giving up, as opposed to our
/// readiness probes being turned away while it starts.
fn server_failed(log: &str) -> bool {
    log.lines().any(|line| {
        (line.contains("FATAL:") || line.contains("PANIC:"))
            && !line.contains("the database system is starting up")
            && !line.contains("not yet accepting connections")
    })
}

/// The settings of [`SERVER_SETTINGS`] a durable cluster leaves out.
const DURABILITY_OFF: &[&str] = &[
    "fsync=off",
    "synchronous_commit=off",
    "full_page_writes=off",
];

/// Server settings for a disposable test cluster.
const SERVER_SETTINGS: &[&str] = &[
    // Durability is worthless for data deleted at exit; speed is not.
    "fsync=off",
    "synchronous_commit=off",
    "full_page_writes=off",
    // Several test binaries and many pools may share one server.
    "max_connections=300",
    "shared_buffers=64MB",
    // Container /dev/shm is often tiny; keep dynamic shared memory in files.
    "dynamic_shared_memory_type=mmap",
    "max_parallel_workers_per_gather=0",
    "max_wal_size=1GB",
];

enum StartError {
    /// Another process took the port between picking it and binding it.
    PortTaken(anyhow::Error),
    Fatal(anyhow::Error),
}

impl From<anyhow::Error> for StartError {
    fn from(e: anyhow::Error) -> Self {
        StartError::Fatal(e)
    }
}

fn free_port() -> anyhow::Result<u16> {
    let listener = TcpListener::bind("127.0.0.1:0").context("finding a free port")?;
    Ok(listener.local_addr()?.port())
}

static SHARED: OnceLock<Result<PgCluster, String>> = OnceLock::new();

/// The cluster shared by every test in this process, started on first use.
/// The server stops when the process ends, however it ends.
///
/// # Panics
/// When the cluster cannot be started: a test that needs PostgreSQL must fail
/// loudly, never skip. Later calls panic with the same message.
pub fn shared_cluster() -> &'static PgCluster {
    let started = SHARED.get_or_init(|| PgCluster::start().map_err(|e| format!("{e:#}")));
    match started {
        Ok(cluster) => cluster,
        Err(e) => panic!("cannot start the throwaway PostgreSQL for tests: {e}"),
    }
}

/// The URL of a brand-new database on the [`shared_cluster`].
///
/// # Errors
/// When the database cannot be created.
///
/// # Panics
/// When the shared cluster cannot be started.
pub fn fresh_pg_url() -> anyhow::Result<String> {
    shared_cluster().create_database()
}

#[cfg(test)]
mod tests;
