//! `GET /api/v1/events`: the event log as Server-Sent Events.
//!
//! The stream always reads the stored log from the last id it sent, and
//! the bus only says "look again". A reconnect with `Last-Event-ID`, a slow
//! client and a missed wake-up therefore all take the same path, and no
//! event is ever skipped: at worst one arrives a poll interval late.

use std::collections::VecDeque;
use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::sse::{Event, KeepAlive, Sse};
use futures_util::stream::{self, Stream};
use orderdesk_engine::Viewer;
use orderdesk_store::{Store, StoredEvent};
use serde::Deserialize;
use tokio::sync::watch;

use crate::auth::Caller;
use crate::error::{ApiError, ApiResult};
use crate::extract::ApiQuery;
use crate::routes::{Auth, Routes};
use crate::AppState;

pub(crate) fn routes() -> Routes<AppState> {
    Routes::new().get("/api/v1/events", Auth::TokenOrSession, stream_events)
}

const PAGE: u32 = 500;

/// Reads a `Last-Event-ID` header (or `last_event_id` parameter): the id of
/// the last event the client saw. Public for the fuzz targets (`fuzz/`).
///
/// # Errors
/// 400 unless it is a whole number ≥ 0, surrounding spaces allowed.
pub fn parse_last_event_id(raw: &str) -> ApiResult<i64> {
    raw.trim()
        .parse::<i64>()
        .ok()
        .filter(|n| *n >= 0)
        .ok_or_else(|| ApiError::bad_request("Last-Event-ID must be an event id (a whole number)"))
}
/// Even without a wake-up, look at the log this often (another process may
/// have written to it).
const POLL: Duration = Duration::from_secs(1);

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct EventParams {
    /// Resume after this event id (same as the `Last-Event-ID` header, for
    /// clients that cannot set headers). `0` replays the whole log.
    last_event_id: Option<String>,
}

/// Live events. `event:` is the kind, `id:` the global sequence, `data:` JSON:
/// the order for `order.*`/`payment.*`, `{number, message}` for `message.*`.
/// Without `Last-Event-ID` the stream starts with the next new event.
#[utoipa::path(get, path = "/api/v1/events", tag = "events", params(EventParams,
        ("Last-Event-ID" = Option<i64>, Header, description = "Resume after this id")),
    security(("bearer" = [])),
    responses((status = 200, content_type = "text/event-stream", description = "The stream"),
        (status = 401, body = crate::error::ErrorBody),
        (status = 410, description = "Last-Event-ID is older than what retention kept",
            body = crate::error::ErrorBody)))]
pub async fn stream_events(
    State(state): State<AppState>,
    headers: HeaderMap,
    ApiQuery(params): ApiQuery<EventParams>,
) -> ApiResult<Sse<impl Stream<Item = Result<Event, Infallible>>>> {
    // A staff session is a viewer whose events may be narrowed; a token
    // sees every event.
    let viewer = authorise(&state, &headers).await?;
    let from_header = headers
        .get("last-event-id")
        .map(|v| v.to_str().unwrap_or("").to_owned());
    let store = state.engine.store().clone();
    let after = match from_header.or(params.last_event_id) {
        Some(raw) => parse_last_event_id(&raw)?,
        None => store.last_event_seq().await?,
    };
    // Resuming from before what retention deleted would silently skip
    // events: say so instead, so the client reloads the current state.
    if after > 0 {
        let pruned = store.events_pruned_through().await?;
        if after < pruned {
            return Err(ApiError::new(
                axum::http::StatusCode::GONE,
                "events_pruned",
                format!(
                    "events up to {pruned} were deleted by retention; reload the current \
                     state and subscribe from {pruned} or without Last-Event-ID"
                ),
            ));
        }
    }
    let reader = Reader {
        store,
        wake: state.engine.bus().subscribe(),
        last: after,
        buffer: VecDeque::new(),
        metrics: state.metrics.clone(),
        shutdown: state.shutdown.clone(),
        engine: state.engine.clone(),
        viewer,
    };
    state.metrics.stream_opened();
    let events = stream::unfold(reader, |mut r| async move {
        let event = r.next().await?;
        Some((Ok(event), r))
    });
    let keep_alive = KeepAlive::new().interval(state.config.stream_keep_alive());
    Ok(Sse::new(events).keep_alive(keep_alive))
}

/// A bearer token, or the dashboard's session cookie (DESIGN §3). With an
/// `Authorization` header the token decides; a wrong one is not rescued by
/// a cookie.
async fn authorise(state: &AppState, headers: &HeaderMap) -> ApiResult<Option<Viewer>> {
    if headers.contains_key(axum::http::header::AUTHORIZATION) {
        Caller::from_headers(state, headers).await?;
        return Ok(None);
    }
    match crate::dashboard::session::staff_from_headers(state, headers).await? {
        Some(staff) => Ok(Some(staff.viewer())),
        None => Err(ApiError::unauthorized(
            "an Authorization: Bearer token or a dashboard session is required",
        )),
    }
}

struct Reader {
    store: Arc<dyn Store>,
    wake: watch::Receiver<u64>,
    last: i64,
    buffer: VecDeque<StoredEvent>,
    metrics: Arc<crate::metrics::Metrics>,
    shutdown: watch::Receiver<bool>,
    engine: orderdesk_engine::Engine,
    /// The staff member reading, whose events may be narrowed (an agent
    /// who sees only their own orders); `None` for an API token.
    viewer: Option<Viewer>,
}

impl Drop for Reader {
    fn drop(&mut self) {
        self.metrics.stream_closed();
    }
}

impl Reader {
    /// The next event, or `None` when the server is shutting down (so a
    /// graceful shutdown is not held open by streams that never end).
    async fn next(&mut self) -> Option<Event> {
        loop {
            if *self.shutdown.borrow() {
                return None;
            }
            if let Some(ev) = self.buffer.pop_front() {
                self.last = ev.seq;
                if self.may_receive(&ev).await {
                    return Some(to_sse(&ev));
                }
                continue;
            }
            // Mark the wake-up as seen *before* reading, so a write that
            // lands after the read still wakes us.
            self.wake.borrow_and_update();
            match self.store.events_since(self.last, PAGE).await {
                Ok(events) if !events.is_empty() => self.buffer.extend(events),
                Ok(_) => {
                    tokio::select! {
                        woken = self.wake.changed() => {
                            if woken.is_err() {
                                tokio::time::sleep(POLL).await;
                            }
                        }
                        _ = self.shutdown.changed() => {}
                        _ = tokio::time::sleep(POLL) => {}
                    }
                }
                Err(e) => {
                    tracing::warn!(error = %e, "event stream could not read the log; retrying");
                    tokio::time::sleep(POLL).await;
                }
            }
        }
    }
}

impl Reader {
    /// Whether this reader gets the event; when that cannot be read,
    /// withheld (a limited agent must not see another's order).
    async fn may_receive(&self, ev: &StoredEvent) -> bool {
        let Some(viewer) = &self.viewer else {
            return true;
        };
        match self.engine.event_visible(viewer, ev).await {
            Ok(visible) => visible,
            Err(e) => {
                tracing::warn!(error = %e, seq = ev.seq, "could not tell whether an event is visible; withheld");
                false
            }
        }
    }
}

fn to_sse(ev: &StoredEvent) -> Event {
    Event::default()
        .event(ev.kind.as_str())
        .id(ev.seq.to_string())
        .data(ev.data.to_string())
}
