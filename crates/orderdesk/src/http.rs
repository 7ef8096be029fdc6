//! The HTTP/1.1 server loop, on hyper's connection builder rather than
//! `axum::serve`, which has no header-read or idle timeout (a slowloris
//! client, or one that connects and says nothing, held a connection and a
//! file descriptor for good).
//!
//! * **Header read timeout** (hyper's): a connection must deliver a whole
//!   request head within it, counted from when it opens or its previous
//!   response ends, so it also closes idle keep-alive connections.
//! * **Idle timeout**: a connection on which no byte moved either way for
//!   this long is dropped, whatever it is doing (a stalled request body, a
//!   client that stopped reading its response). Event streams send a
//!   keep-alive comment well within it (`WebConfig::stream_keep_alive`).
//! * **Connection cap**: past it the server stops accepting, so further
//!   connections wait in the kernel's listen backlog; those already in are
//!   not disturbed.
//!
//! * **HTTPS** (when configured) is a second listener under the same cap
//!   and timeouts; its TLS handshake must finish within the header read
//!   timeout.
//!
//! Shutdown stops accepting, asks every connection to finish its current
//! response and close, and waits for them (event streams end on their own
//! when the shutdown flag flips).

use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use axum::extract::{ConnectInfo, Request};
use axum::Router;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpListener;
use tokio::sync::Semaphore;
use tokio::time::Instant;
use tower::ServiceExt;

/// How long connections may stay quiet, and how many may be open.
#[derive(Debug, Clone, Copy)]
pub struct ServerLimits {
    pub header_read_timeout: Duration,
    pub idle_timeout: Duration,
    pub max_connections: usize,
}

/// A second listener that speaks TLS, with its own router (the plain one
/// then only redirects and answers ACME challenges).
pub(crate) struct TlsEndpoint {
    pub listener: TcpListener,
    pub app: Router,
    pub acceptor: tokio_rustls::TlsAcceptor,
}

/// Serves `app` on `listener` (and HTTPS on `tls`) until `shutdown`
/// resolves, then drains. Both listeners share the connection cap.
pub(crate) async fn run(
    listener: TcpListener,
    app: Router,
    tls: Option<TlsEndpoint>,
    limits: ServerLimits,
    shutdown: impl Future<Output = ()>,
) {
    let permits = Arc::new(Semaphore::new(limits.max_connections.max(1)));
    let graceful = GracefulShutdown::new();
    let mut builder = http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_read_timeout);
    tokio::pin!(shutdown);
    loop {
        let permit = tokio::select! {
            permit = permits.clone().acquire_owned() => match permit {
                Ok(permit) => permit,
                Err(_) => break,
            },
            () = &mut shutdown => break,
        };
        let tls_accept = async {
            match &tls {
                Some(tls) => tls.listener.accept().await,
                None => std::future::pending().await,
            }
        };
        let (accepted, secure) = tokio::select! {
            accepted = listener.accept() => (accepted, false),
            accepted = tls_accept => (accepted, true),
            () = &mut shutdown => break,
        };
        let (stream, peer) = match accepted {
            Ok(accepted) => accepted,
            Err(e) => {
                // Out of file descriptors and the like: pause, not spin.
                tracing::warn!(error = %e, "cannot accept a connection");
                tokio::time::sleep(Duration::from_millis(100)).await;
                continue;
            }
        };
        let _ = stream.set_nodelay(true);
        let activity = Activity::default();
        let io = Watched {
            inner: stream,
            activity: activity.clone(),
        };
        let conn = Conn {
            builder: builder.clone(),
            watcher: graceful.watcher(),
            activity,
            peer,
            limits,
        };
        match (&tls, secure) {
            (Some(tls), true) => {
                let (acceptor, app) = (tls.acceptor.clone(), tls.app.clone());
                tokio::spawn(async move {
                    let _permit = permit;
                    // The handshake is bounded like a request head, so a
                    // client that opens and stalls it holds nothing for long.
                    let handshake = acceptor.accept(io);
                    match tokio::time::timeout(limits.header_read_timeout, handshake).await {
                        Ok(Ok(io)) => conn.serve(io, app).await,
                        Ok(Err(e)) => tracing::debug!(%peer, error = %e, "TLS handshake failed"),
                        Err(_) => tracing::debug!(%peer, "TLS handshake timed out"),
                    }
                });
            }
            _ => {
                let app = app.clone();
                tokio::spawn(async move {
                    let _permit = permit;
                    conn.serve(io, app).await;
                });
            }
        }
    }
    drop(listener);
    drop(tls);
    graceful.shutdown().await;
}

/// What serving one accepted connection needs.
struct Conn {
    builder: http1::Builder,
    watcher: hyper_util::server::graceful::Watcher,
    activity: Activity,
    peer: SocketAddr,
    limits: ServerLimits,
}

impl Conn {
    /// Serves HTTP/1.1 on `io` until it ends, shutdown finishes it, or no
    /// byte moved for the idle timeout.
    async fn serve<I>(self, io: I, app: Router)
    where
        I: AsyncRead + AsyncWrite + Unpin + Send + 'static,
    {
        let peer = self.peer;
        // The peer address feeds the login rate limit.
        let service = hyper::service::service_fn(move |mut req: Request<Incoming>| {
            req.extensions_mut().insert(ConnectInfo::<SocketAddr>(peer));
            app.clone().oneshot(req)
        });
        let conn = self
            .watcher
            .watch(self.builder.serve_connection(TokioIo::new(io), service));
        let idle = self.limits.idle_timeout;
        let activity = self.activity;
        tokio::pin!(conn);
        loop {
            tokio::select! {
                done = &mut conn => {
                    if let Err(e) = done {
                        tracing::debug!(%peer, error = %e, "connection ended");
                    }
                    break;
                }
                () = tokio::time::sleep_until(activity.last() + idle) => {
                    if activity.last() + idle <= Instant::now() {
                        tracing::debug!(%peer, "closing a connection idle for {idle:?}");
                        break;
                    }
                }
            }
        }
    }
}

/// When a connection last moved a byte.
#[derive(Clone)]
struct Activity {
    since: Instant,
    millis: Arc<AtomicU64>,
}

impl Default for Activity {
    fn default() -> Self {
        Self {
            since: Instant::now(),
            millis: Arc::new(AtomicU64::new(0)),
        }
    }
}

impl Activity {
    fn touch(&self) {
        let ms = u64::try_from(self.since.elapsed().as_millis()).unwrap_or(u64::MAX);
        self.millis.store(ms, Ordering::Relaxed);
    }

    fn last(&self) -> Instant {
        self.since + Duration::from_millis(self.millis.load(Ordering::Relaxed))
    }
}

/// A stream that notes every byte read or written in its [`Activity`].
struct Watched<T> {
    inner: T,
    activity: Activity,
}

impl<T: AsyncRead + Unpin> AsyncRead for Watched<T> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let before = buf.filled().len();
        let polled = Pin::new(&mut self.inner).poll_read(cx, buf);
        if buf.filled().len() > before {
            self.activity.touch();
        }
        polled
    }
}

impl<T: AsyncWrite + Unpin> AsyncWrite for Watched<T> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let polled = Pin::new(&mut self.inner).poll_write(cx, buf);
        if matches!(polled, Poll::Ready(Ok(n)) if n > 0) {
            self.activity.touch();
        }
        polled
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let polled = Pin::new(&mut self.inner).poll_write_vectored(cx, bufs);
        if matches!(polled, Poll::Ready(Ok(n)) if n > 0) {
            self.activity.touch();
        }
        polled
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}
