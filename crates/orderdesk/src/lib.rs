//! The `orderdesk` binary's library: command line, configuration, and the
//! wiring of store, engine and HTTP server. `serve` takes a bound listener
//! and a shutdown future, so tests, the demo and production start the server
//! exactly the same way.

pub mod backup;
pub mod cli;
pub mod config;
pub mod doctor;
mod http;
mod scheduled_backup;
pub mod tls;

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use orderdesk_domain::{CheckoutSettings, OnNewerCart};
use orderdesk_engine::form_token::{self, FormTokens};
use orderdesk_engine::{CheckoutConfig, DispatchSettings, Dispatcher, Engine, LiveGraph};
use orderdesk_store::Store;
use orderdesk_web::{cpu::CpuGate, metrics::Metrics, password::PasswordChecker, AppState};
use tokio::net::TcpListener;
use tokio::sync::watch;

pub use cli::{run, Cli};
pub use config::{Config, DatabaseUrl};

/// Opens the configured store and brings its schema up to date (waiting
/// for a migration another instance is running, then finding it done).
///
/// # Errors
/// The database cannot be opened or migrated.
pub async fn open_store(config: &Config) -> anyhow::Result<Arc<dyn Store>> {
    let store = connect_store(config).await?;
    store
        .migrate()
        .await
        .context("cannot migrate the database")?;
    Ok(store)
}

/// Opens the configured store as it is, without migrating.
///
/// # Errors
/// The database cannot be opened.
pub async fn connect_store(config: &Config) -> anyhow::Result<Arc<dyn Store>> {
    let store: Arc<dyn Store> = match &config.database_url {
        DatabaseUrl::Sqlite(url) => Arc::new(
            orderdesk_store_sqlite::connect(url)
                .await
                .with_context(|| format!("cannot open {url}"))?,
        ),
        DatabaseUrl::Postgres(url) => Arc::new(
            orderdesk_store_postgres::connect(url, config.database_max_connections)
                .await
                .with_context(|| format!("cannot connect to {}", config::redact_url(url)))?,
        ),
    };
    Ok(store)
}

/// Runs the server on `listener` until `shutdown` resolves, then stops
/// taking connections, lets in-flight requests finish and ends live streams.
///
/// # Errors
/// The store cannot be opened or the listener fails.
pub async fn serve(
    config: Config,
    listener: TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    let store = open_store(&config).await?;
    serve_with_store(config, store, listener, shutdown).await
}

/// [`serve`] over an already opened store.
///
/// # Errors
/// The listener fails.
pub async fn serve_with_store(
    config: Config,
    store: Arc<dyn Store>,
    listener: TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    serve_with_extra(config, store, listener, shutdown, None).await
}

/// [`serve_with_store`], with `extra` routes served next to the product's
/// (the demo's phone simulator). They must not overlap the product's routes.
///
/// # Errors
/// The listener fails.
pub async fn serve_with_extra(
    config: Config,
    store: Arc<dyn Store>,
    listener: TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
    extra: Option<axum::Router>,
) -> anyhow::Result<()> {
    if config.whatsapp_app_secret.is_none() {
        tracing::warn!("WHATSAPP_APP_SECRET is not set: WhatsApp webhooks will be refused");
    }
    // Held while serving, so `orderdesk restore` refuses to replace the
    // database under us.
    let _instance_lock = match &config.database_url {
        DatabaseUrl::Sqlite(url) => Some(backup::InstanceLock::shared(
            &backup::sqlite_path(url)
                .map_err(|e| anyhow::anyhow!("ORDERDESK_DATABASE_URL: {e}"))?,
        )?),
        DatabaseUrl::Postgres(_) => None,
    };
    // Settings stored from the dashboard apply under the environment's.
    let config = config.with_store(store.as_ref()).await?;
    let settings = config.live_settings();
    if let Err(e) = settings.reload(store.as_ref()).await {
        tracing::warn!(error = %e, "cannot read the stored settings yet; retrying in the background");
    }
    store
        .set_document_prefixes(&config.invoice_prefix, &config.credit_note_prefix)
        .await
        .context("cannot store the invoice number prefixes")?;
    let backups = scheduled_backup::Schedule::from_config(&config)?;
    let engine = match checkout_config(&config, &settings)? {
        Some(checkout) => Engine::new(store.clone()).with_checkout(checkout),
        None => Engine::new(store.clone()),
    }
    .with_settings(settings.clone());
    let graph = outbound_client(&config, &settings);
    let engine = engine.with_read_receipts(orderdesk_engine::ReadReceipts::new(graph.clone()));
    let (stop_tx, stop_rx) = watch::channel(false);
    let stopped = |mut rx: watch::Receiver<bool>| async move {
        let _ = rx.wait_for(|stop| *stop).await;
    };
    let reloader = settings.spawn_reloader(store.clone(), stopped(stop_rx.clone()));
    let processor = engine.spawn_processor(stopped(stop_rx.clone()));
    let timers = engine.spawn_timers(stopped(stop_rx.clone()));
    let watcher = engine.spawn_change_watcher(stopped(stop_rx.clone()));
    if !graph.configured() {
        tracing::warn!(
            "WHATSAPP_PHONE_NUMBER_ID or WHATSAPP_ACCESS_TOKEN is not set: messages stay queued until they are saved on /setup"
        );
    }
    // Always running: the number and token saved on /setup (on any
    // instance) reach it without a restart.
    let dispatcher = {
        let settings = DispatchSettings {
            per_second: config.whatsapp_messages_per_second,
            lease: config
                .outbox_lease
                .to_std()
                .unwrap_or(Duration::from_secs(60)),
            ..DispatchSettings::default()
        };
        let dispatcher = Dispatcher::new(store, graph, engine.bus().clone(), settings)
            .with_checkout(engine.checkout().cloned());
        tokio::spawn(dispatcher.run(stopped(stop_rx.clone())))
    };
    let limits = http::ServerLimits {
        header_read_timeout: config.header_read_timeout,
        idle_timeout: config.idle_timeout,
        max_connections: config.max_connections,
    };
    let metrics = Arc::new(Metrics::default());
    let backup_task = backups
        .map(|schedule| tokio::spawn(schedule.run(metrics.clone(), stopped(stop_rx.clone()))));
    let mut web = config.web();
    web.doctor = Some(doctor::hook(config.clone()));
    let state = AppState {
        engine,
        config: Arc::new(web),
        metrics,
        shutdown: stop_rx,
        login_limiter: Arc::default(),
        password_checks: PasswordChecker::default(),
        signature_checks: CpuGate::default(),
    };
    let app = match extra {
        Some(extra) => orderdesk_web::router(state).merge(extra),
        None => orderdesk_web::router(state),
    };
    let https = match &config.tls {
        Some(tls) => tls::https(tls, app).await?,
        None => tls::Https {
            plain: app,
            endpoint: None,
            keeper: None,
        },
    };
    tracing::info!(address = %listener.local_addr()?, "orderdesk is listening");
    http::run(listener, https.plain, https.endpoint, limits, async move {
        shutdown.await;
        tracing::info!("shutting down: finishing in-flight requests");
        let _ = stop_tx.send(true);
    })
    .await;
    let _ = processor.await;
    let _ = timers.await;
    let _ = watcher.await;
    let _ = reloader.await;
    let _ = dispatcher.await;
    if let Some(backups) = backup_task {
        let _ = backups.await;
    }
    if let Some(keeper) = https.keeper {
        keeper.abort();
    }
    Ok(())
}

/// The checkout bot's settings. Its form links are signed with a key
/// derived from the app secret, the one secret every WhatsApp-facing
/// installation has, read at each link: a secret first saved on `/setup`
/// (on any instance) starts the bot without a restart (issue #17). Until
/// there is one, no webhook is taken and staff orders get no bot.
fn checkout_config(
    config: &Config,
    live: &orderdesk_engine::settings::Settings,
) -> anyhow::Result<Option<CheckoutConfig>> {
    let payments = match config.payments_provider {
        None => None,
        Some(_) => orderdesk_payments::ProviderSettings::from_lookup(|k| config.payment_setting(k))
            .and_then(|s| s.build())
            .map_err(|e| anyhow::anyhow!("{e}"))?,
    };
    Ok(Some(CheckoutConfig {
        public_url: config.public_url.clone(),
        tokens: FormTokens::live(live.clone(), form_token::DEFAULT_TTL),
        settings: CheckoutSettings {
            cod_enabled: config.cod_enabled,
            nudge_after: config.nudge_after,
            abandon_after: config.abandon_after,
            recovery_later: config.recovery_later.clone(),
            on_newer_cart: if config.abandon_older_on_newer_cart {
                OnNewerCart::AbandonOlder
            } else {
                OnNewerCart::KeepOlder
            },
        },
        live: live.clone(),
        language: config.language.clone(),
        payments,
    }))
}

/// The Graph API client for the number's credentials in force at each send
/// (the environment's, else those saved on /setup).
fn outbound_client(config: &Config, settings: &orderdesk_engine::settings::Settings) -> LiveGraph {
    // A send must give up well before its lease runs out, or a second
    // sender could take the message while the first is still trying.
    let lease = config
        .outbox_lease
        .to_std()
        .unwrap_or(Duration::from_secs(60));
    let timeout = orderdesk_whatsapp::DEFAULT_TIMEOUT.min(lease / 2);
    LiveGraph::new(
        settings.clone(),
        config.whatsapp_graph_url.as_str(),
        timeout,
    )
}

/// Turns a file-size limit (`RLIMIT_FSIZE`: `ulimit -f`, `prlimit
/// --fsize`, how some hosts cap a disk) into a failed write instead of a
/// dead server. The kernel's default for SIGXFSZ is to kill the process,
/// dropping every request in flight; with a handler installed the write
/// fails with EFBIG instead, the store reports the database unavailable,
/// webhooks are answered 503 (so Meta retries them) and everything works
/// again once the limit is raised, without a restart.
///
/// Call once, inside the runtime, before the store is opened.
pub fn survive_file_size_limit() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        match signal(SignalKind::from_raw(libc::SIGXFSZ)) {
            // tokio keeps the handler installed for the life of the process.
            Ok(mut hits) => {
                tokio::spawn(async move {
                    while hits.recv().await.is_some() {
                        tracing::warn!(
                            "a write went past the file-size limit (SIGXFSZ): the database is full"
                        );
                    }
                });
            }
            Err(e) => {
                tracing::warn!(error = %e, "cannot handle SIGXFSZ; a file-size limit will kill the server")
            }
        }
    }
}

/// Resolves on Ctrl-C or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {}
        _ = term => {}
    }
}
