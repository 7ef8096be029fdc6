//! Staff logins: the session cookie, the CSRF check on every dashboard
//! POST, login rate limiting, `/login` and `/logout`.
//!
//! A session id is 256 random bits kept only in the browser's cookie
//! (HttpOnly, SameSite=Lax, Path=/, Secure behind HTTPS); the store keeps
//! its SHA-256, so sessions live in the database and hold on every
//! instance. Each session has its own CSRF token, which every dashboard
//! form echoes in a hidden `csrf` field (or a `fetch()` in the
//! `X-CSRF-Token` header); a POST without it is refused with 403 before
//! anything else happens.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::time::{Duration, Instant};

use axum::extract::{ConnectInfo, FromRequest, FromRequestParts, Query, Request, State};
use axum::http::header::{ACCEPT, COOKIE, LOCATION, RETRY_AFTER, SET_COOKIE};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use chrono::Utc;
use maud::html;
use orderdesk_domain::Actor;
use orderdesk_store::{NewSession, Role, User};
use serde::de::DeserializeOwned;
use serde::Deserialize;
use subtle::ConstantTimeEq;

use super::login_limit::{client_ip, Refusal};
use super::views::{layout, message_page, Page};
use crate::auth::{random_id, token_hash};
use crate::cpu::GateError;
use crate::AppState;

pub const COOKIE_NAME: &str = "orderdesk_session";
/// Sessions end this long after login (fixed, not sliding).
pub const SESSION_DAYS: i64 = 14;
/// Dashboard forms are short; anything larger is not one of ours.
pub const MAX_FORM_BYTES: usize = 64 * 1024;
pub const WRONG_LOGIN: &str = "Email or password is wrong";

/// A logged-in staff member.
#[derive(Debug, Clone)]
pub struct Staff {
    pub user: User,
    pub csrf: String,
    pub session_hash: String,
    /// No WhatsApp number is connected yet: managers see a link to `/setup`.
    pub needs_setup: bool,
    /// The business's locale (`en-IN`), so amounts the page's script
    /// draws (new-order banners and toasts) read like the server's.
    pub locale: String,
}

impl Staff {
    /// Recorded on timelines as the user's email.
    pub fn actor(&self) -> Actor {
        Actor::staff(self.user.email.clone())
    }

    /// Who is looking, for the engine's rule on which orders they see.
    pub fn viewer(&self) -> orderdesk_engine::Viewer {
        orderdesk_engine::Viewer {
            email: self.user.email.clone(),
            agent: self.user.role == Role::Agent,
        }
    }

    pub fn can_manage(&self) -> bool {
        self.user.role.can_manage()
    }

    /// Whether `given` is this session's CSRF token (constant time).
    fn csrf_matches(&self, given: &str) -> bool {
        !given.is_empty() && bool::from(self.csrf.as_bytes().ct_eq(given.as_bytes()))
    }
}

/// The session id from the request's cookie, if any.
pub fn session_cookie(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == COOKIE_NAME)
        .map(|(_, value)| value.trim().to_owned())
        .filter(|v| !v.is_empty())
}

/// The live session named by the request's cookie.
///
/// # Errors
/// The store failed; a missing, unknown or expired session is `Ok(None)`.
pub async fn staff_from_headers(
    state: &AppState,
    headers: &HeaderMap,
) -> Result<Option<Staff>, orderdesk_store::StoreError> {
    let Some(id) = session_cookie(headers) else {
        return Ok(None);
    };
    let hash = token_hash(&id);
    Ok(state
        .engine
        .store()
        .session(&hash, Utc::now())
        .await?
        .map(|s| Staff {
            user: s.user,
            csrf: s.csrf_token,
            session_hash: hash,
            needs_setup: !orderdesk_engine::setup::connection(state.engine.settings()).connected,
            locale: state.engine.settings().local().locale(),
        }))
}

/// Whether the caller wants JSON back (a `fetch()` from our script).
pub fn wants_json(headers: &HeaderMap) -> bool {
    headers
        .get(ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"))
}

pub fn redirect(to: &str) -> Response {
    let mut response = StatusCode::SEE_OTHER.into_response();
    if let Ok(v) = HeaderValue::try_from(to) {
        response.headers_mut().insert(LOCATION, v);
    }
    response
}

/// A failure page, or `{"error": …}` for a `fetch()`.
pub fn refuse(headers: &HeaderMap, status: StatusCode, title: &str, detail: &str) -> Response {
    if wants_json(headers) {
        let code = match status {
            StatusCode::FORBIDDEN => "forbidden",
            StatusCode::UNAUTHORIZED => "unauthorized",
            StatusCode::NOT_FOUND => "not_found",
            StatusCode::CONFLICT => "conflict",
            _ => "invalid_request",
        };
        return crate::error::ApiError::new(status, code, detail).into_response();
    }
    (status, message_page(title, detail)).into_response()
}

impl FromRequestParts<AppState> for Staff {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        match staff_from_headers(state, &parts.headers).await {
            Ok(Some(staff)) => Ok(staff),
            Ok(None) if parts.method == Method::GET || parts.method == Method::HEAD => {
                let next = parts
                    .uri
                    .path_and_query()
                    .map_or("/orders", |p| p.as_str())
                    .to_owned();
                let query = serde_urlencoded::to_string([("next", next)]).unwrap_or_default();
                Err(redirect(&format!("/login?{query}")))
            }
            Ok(None) => Err(refuse(
                &parts.headers,
                StatusCode::FORBIDDEN,
                "Please log in again",
                "Your session has ended. Log in again, then repeat what you were doing.",
            )),
            Err(e) => Err(crate::error::ApiError::from(e).into_response()),
        }
    }
}

/// A staff member allowed to manage users and tokens (owner or admin).
#[derive(Debug, Clone)]
pub struct Manager(pub Staff);

impl FromRequestParts<AppState> for Manager {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let staff = Staff::from_request_parts(parts, state).await?;
        if staff.can_manage() {
            Ok(Self(staff))
        } else {
            tracing::info!(user = %staff.user.email, path = %parts.uri.path(), "agent refused a management page");
            Err(managers_only(&parts.headers, "manage users and API tokens"))
        }
    }
}

/// The 403 an agent gets for what only owners and admins `may` do
/// ("Only owners and admins can `may`.").
pub fn managers_only(headers: &HeaderMap, may: &str) -> Response {
    refuse(
        headers,
        StatusCode::FORBIDDEN,
        "Not allowed",
        &format!("Only owners and admins can {may}."),
    )
}

/// A dashboard POST: the logged-in staff member and the form, after the
/// CSRF token (hidden field `csrf` or header `X-CSRF-Token`) was checked.
pub struct StaffForm<T> {
    pub staff: Staff,
    pub form: T,
    pub headers: HeaderMap,
}

impl<T> StaffForm<T> {
    /// `None` for an owner or admin; for an agent, the 403 saying only
    /// they `may` do this. The form's CSRF was checked first, so a forged
    /// post learns nothing about roles.
    pub fn refused_unless_manager(&self, may: &str) -> Option<Response> {
        (!self.staff.can_manage()).then(|| managers_only(&self.headers, may))
    }
}

#[derive(Deserialize, Default)]
struct CsrfField {
    #[serde(default)]
    csrf: String,
}

impl<T: DeserializeOwned + Send> FromRequest<AppState> for StaffForm<T> {
    type Rejection = Response;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Response> {
        let (mut parts, body) = req.into_parts();
        let staff = Staff::from_request_parts(&mut parts, state).await?;
        let headers = parts.headers;
        let bytes = axum::body::to_bytes(body, MAX_FORM_BYTES)
            .await
            .map_err(|_| {
                refuse(
                    &headers,
                    StatusCode::PAYLOAD_TOO_LARGE,
                    "Too large",
                    "That form was larger than any of ours.",
                )
            })?;
        let from_header = headers
            .get("x-csrf-token")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        let from_form = serde_urlencoded::from_bytes::<CsrfField>(&bytes)
            .unwrap_or_default()
            .csrf;
        if !(staff.csrf_matches(&from_form) || staff.csrf_matches(from_header)) {
            tracing::warn!(user = %staff.user.email, path = %parts.uri.path(), "POST without a valid CSRF token refused");
            return Err(refuse(
                &headers,
                StatusCode::FORBIDDEN,
                "This form has expired",
                "The form did not carry this session's security token. Reload the page and try again.",
            ));
        }
        let form = serde_urlencoded::from_bytes::<T>(&bytes).map_err(|e| {
            refuse(
                &headers,
                StatusCode::UNPROCESSABLE_ENTITY,
                "We could not read the form",
                &e.to_string(),
            )
        })?;
        Ok(Self {
            staff,
            form,
            headers,
        })
    }
}

#[derive(Deserialize, Default)]
pub struct LoginQuery {
    #[serde(default)]
    next: String,
}

#[derive(Deserialize, Default)]
pub struct LoginForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    next: String,
}

/// Where to go after logging in: `next` only when it is a path on this site.
///
/// Browsers normalise a `Location` before resolving it: they drop ASCII tab,
/// CR and LF anywhere and read `\` as `/`, so `/\t/evil.example` and
/// `/\\evil.example` both become the scheme-relative `//evil.example`, another
/// origin. Rather than normalise and hope to agree with every browser, any
/// control character, backslash or non-ASCII byte refuses `next` outright;
/// what is left must start with exactly one `/`, which excludes schemes too.
fn safe_next(next: &str) -> &str {
    let plain = next
        .bytes()
        .all(|b| b.is_ascii_graphic() && b != b'\\' || b == b' ');
    let mut chars = next.chars();
    let one_slash = chars.next() == Some('/') && chars.next() != Some('/');
    if plain && one_slash {
        next
    } else {
        "/orders"
    }
}

pub async fn login_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<LoginQuery>,
) -> Response {
    if let Ok(Some(_)) = staff_from_headers(&state, &headers).await {
        return redirect(safe_next(&q.next));
    }
    login_form(StatusCode::OK, "", safe_next(&q.next), None)
}

fn login_form(status: StatusCode, email: &str, next: &str, error: Option<&str>) -> Response {
    let body = html! {
        main.login {
            h1 { "orderdesk" }
            p.muted { "Log in to see your orders." }
            @if let Some(error) = error {
                p.alert role="alert" { (error) }
            }
            form method="post" action="/login" {
                input type="hidden" name="next" value=(next);
                label for="email" { "Email" }
                input #email type="email" name="email" value=(email) autocomplete="username" required autofocus;
                label for="password" { "Password" }
                input #password type="password" name="password" autocomplete="current-password" required;
                button.primary type="submit" { "Log in" }
            }
        }
    };
    (
        status,
        layout(Page {
            title: "Log in",
            staff: None,
            body,
            last_event_id: None,
            page: "login",
        }),
    )
        .into_response()
}

pub async fn login(State(state): State<AppState>, req: Request) -> Response {
    let peer = req
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED), |c| c.0.ip());
    let ip = client_ip(
        req.headers(),
        peer,
        state.config.trusted_proxy_header.as_ref(),
    );
    let headers = req.headers().clone();
    let form = match axum::Form::<LoginForm>::from_request(req, &state).await {
        Ok(axum::Form(form)) => form,
        Err(_) => LoginForm::default(),
    };
    let next = safe_next(&form.next).to_owned();
    let email = form.email.trim().to_lowercase();
    // Counted before the check, so parallel guesses cannot all be checked.
    if let Err(refusal) = state.login_limiter.attempt(&email, ip, Instant::now()) {
        tracing::info!(%ip, ?refusal, "login refused: rate limited");
        let wait = refusal.retry_after();
        let why = match refusal {
            Refusal::Account { .. } => "Too many failed attempts for this account.",
            Refusal::Address { .. } => "Too many login attempts from your network.",
        };
        return too_many(&headers, &email, &next, why, wait);
    }
    let store = state.engine.store();
    let user = match store.user_by_email(&email).await {
        Ok(user) => user,
        Err(e) => return crate::error::ApiError::from(e).into_response(),
    };
    // Without such a user, still spend the time of a real check, so the
    // answer's timing does not tell which emails exist.
    // argon2id takes 19 MiB and a core's worth of time: a few at a time.
    let phc = user.as_ref().map(|u| u.password_hash.clone());
    let good = match state.password_checks.check(form.password, phc).await {
        Ok(good) => good,
        Err(GateError::Busy) => {
            tracing::info!(%ip, "login refused: password checks are all busy");
            let why = "The server is busy with other logins.";
            return too_many(&headers, &email, &next, why, Duration::from_secs(1));
        }
        Err(GateError::Panicked) => false,
    };
    let Some(user) = user.filter(|_| good) else {
        tracing::info!(%ip, "failed login");
        return login_form(StatusCode::UNAUTHORIZED, &email, &next, Some(WRONG_LOGIN));
    };
    state.login_limiter.succeeded(&email, ip);
    let id = random_id();
    let now = Utc::now();
    let session = NewSession {
        id_hash: token_hash(&id),
        user_id: user.user.id,
        csrf_token: random_id(),
        created_at: now,
        expires_at: now + chrono::Duration::days(SESSION_DAYS),
    };
    if let Err(e) = store.create_session(&session).await {
        return crate::error::ApiError::from(e).into_response();
    }
    tracing::info!(user = %user.user.email, "logged in");
    let max_age = SESSION_DAYS * 24 * 3600;
    with_session_cookie(&state, redirect(&next), &id, max_age)
}

/// `response` setting the session cookie to `id` for `max_age` seconds (0
/// ends it): HttpOnly, SameSite=Lax, and Secure behind HTTPS.
fn with_session_cookie(
    state: &AppState,
    mut response: Response,
    id: &str,
    max_age: i64,
) -> Response {
    let secure = if state.config.secure_cookies() {
        "; Secure"
    } else {
        ""
    };
    let cookie =
        format!("{COOKIE_NAME}={id}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age}{secure}");
    if let Ok(v) = HeaderValue::try_from(cookie) {
        response.headers_mut().insert(SET_COOKIE, v);
    }
    response
}

/// 429 with `Retry-After`: the login page saying when to try again, or
/// `{"error": …}` for a `fetch()`.
fn too_many(headers: &HeaderMap, email: &str, next: &str, why: &str, wait: Duration) -> Response {
    // Whole seconds, rounded up: "0" would invite an immediate retry.
    let secs = wait.as_millis().div_ceil(1000).max(1);
    let detail = format!("{why} Try again in {secs} s.");
    let mut response = if wants_json(headers) {
        crate::error::ApiError::new(StatusCode::TOO_MANY_REQUESTS, "rate_limited", detail)
            .into_response()
    } else {
        login_form(StatusCode::TOO_MANY_REQUESTS, email, next, Some(&detail))
    };
    if let Ok(v) = HeaderValue::try_from(secs.to_string()) {
        response.headers_mut().insert(RETRY_AFTER, v);
    }
    response
}

#[derive(Deserialize, Default)]
pub struct Empty {}

pub async fn logout(State(state): State<AppState>, f: StaffForm<Empty>) -> Response {
    if let Err(e) = state
        .engine
        .store()
        .delete_session(&f.staff.session_hash)
        .await
    {
        return crate::error::ApiError::from(e).into_response();
    }
    with_session_cookie(&state, redirect("/login"), "", 0)
}

/// Whether the role may add or remove users of `role`: only owners touch owners.
pub fn may_manage_role(actor: Role, role: Role) -> bool {
    actor.can_manage() && (role != Role::Owner || actor == Role::Owner)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_stays_on_this_site() {
        assert_eq!(safe_next("/orders/1001"), "/orders/1001");
        assert_eq!(safe_next("//evil.test/x"), "/orders");
        assert_eq!(safe_next("https://evil.test"), "/orders");
        assert_eq!(safe_next("/\\evil.test"), "/orders");
        assert_eq!(safe_next(""), "/orders");
        assert_eq!(
            safe_next("/orders?q=a b&status=placed"),
            "/orders?q=a b&status=placed"
        );
        assert_eq!(safe_next("/"), "/");
        // Shapes browsers turn into `//evil.test` (another origin) or a scheme.
        for evil in [
            "/\t/evil.test",
            "/\n/evil.test",
            "/\r/evil.test",
            "/\r\n/evil.test",
            "\t//evil.test",
            "/\t\\evil.test",
            "\\/evil.test",
            "\\\\evil.test",
            "/\\/evil.test",
            "javascript:alert(1)",
            "\tjavascript:alert(1)",
            " //evil.test",
            "\u{0}/evil.test",
            "/\u{0}/evil.test",
            "/\u{7f}/evil.test",
            "/\u{b}/evil.test",
            "/\u{c}/evil.test",
            "/\u{3000}/evil.test",
            "/\u{ff0f}evil.test",
            "https:/evil.test",
            "evil.test",
        ] {
            assert_eq!(safe_next(evil), "/orders", "{evil:?}");
        }
    }

    #[test]
    fn only_owners_manage_owners() {
        assert!(may_manage_role(Role::Owner, Role::Owner));
        assert!(!may_manage_role(Role::Admin, Role::Owner));
        assert!(may_manage_role(Role::Admin, Role::Agent));
        assert!(!may_manage_role(Role::Agent, Role::Agent));
    }
}
