//! The route table: every route the product serves, with who may call it.
//!
//! axum's `Router` cannot list its routes, so every module registers its
//! routes through [`Routes`], which builds the `Router` and records each
//! (method, path, [`Auth`]) as it goes. [`route_table`] is that record for
//! the whole application; the auth-matrix test calls every entry as every
//! kind of caller, so a new route cannot be added without saying who may
//! call it, and the docs test checks that the contract lists every route.
//!
//! ```text
//! Routes::new()
//!     .get("/api/v1/orders", Auth::Token, list)        // one Router route,
//!     .post("/api/v1/orders/{number}/status", Auth::Token, change_status)
//! ```
//!
//! The demo's phone simulator (`orderdesk_phone::router`, mounted only by
//! `orderdesk demo` through `serve_with_extra`) is not in this table.

use axum::handler::Handler;
use axum::routing::{get, patch, post, put, MethodRouter};
use axum::Router;

/// Who may call a route, and how the server tells.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Auth {
    /// Anyone: health, metrics, the login page, assets, the API document.
    Public,
    /// Anyone holding a link the server signed and sent to a customer (the
    /// address form, the UPI and simulator payment pages): the token in the
    /// path is checked, an invalid one answers 404.
    SignedLink,
    /// Meta's subscription handshake: `hub.verify_token` must match.
    VerifyToken,
    /// A webhook whose body is signed with a shared secret.
    WebhookSignature,
    /// An API token: `Authorization: Bearer <token>`.
    Token,
    /// An API token or a dashboard session (the event stream).
    TokenOrSession,
    /// A dashboard session; a POST also needs the session's CSRF token.
    Session,
    /// A dashboard session of an owner or an admin; a POST also needs the
    /// session's CSRF token.
    SessionAdmin,
}

impl Auth {
    /// The class as the contract (docs/design.md) names it.
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::Public => "public",
            Self::SignedLink => "signed-link",
            Self::VerifyToken => "verify-token",
            Self::WebhookSignature => "webhook-signature",
            Self::Token => "token",
            Self::TokenOrSession => "token-or-session",
            Self::Session => "session",
            Self::SessionAdmin => "session-admin",
        }
    }
}

impl std::fmt::Display for Auth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One registered route.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RouteInfo {
    /// Upper case: `GET`, `POST`, `PUT`, `PATCH` (a `GET` route also answers `HEAD`).
    pub method: &'static str,
    /// As registered, with axum's `{name}` captures: `/api/v1/orders/{number}`.
    pub path: &'static str,
    pub auth: Auth,
}

/// A `Router` that remembers what was registered on it.
pub struct Routes<S> {
    router: Router<S>,
    table: Vec<RouteInfo>,
}

impl<S: Clone + Send + Sync + 'static> Default for Routes<S> {
    fn default() -> Self {
        Self::new()
    }
}

impl<S: Clone + Send + Sync + 'static> Routes<S> {
    pub fn new() -> Self {
        Self {
            router: Router::new(),
            table: Vec::new(),
        }
    }

    pub fn get<H: Handler<T, S>, T: 'static>(self, path: &'static str, auth: Auth, h: H) -> Self {
        self.add("GET", path, auth, get(h))
    }

    pub fn post<H: Handler<T, S>, T: 'static>(self, path: &'static str, auth: Auth, h: H) -> Self {
        self.add("POST", path, auth, post(h))
    }

    pub fn put<H: Handler<T, S>, T: 'static>(self, path: &'static str, auth: Auth, h: H) -> Self {
        self.add("PUT", path, auth, put(h))
    }

    pub fn patch<H: Handler<T, S>, T: 'static>(self, path: &'static str, auth: Auth, h: H) -> Self {
        self.add("PATCH", path, auth, patch(h))
    }

    // axum merges method routers registered on the same path, so `get` and
    // `post` on one path make one route answering both.
    fn add(
        mut self,
        method: &'static str,
        path: &'static str,
        auth: Auth,
        handler: MethodRouter<S>,
    ) -> Self {
        self.router = self.router.route(path, handler);
        self.table.push(RouteInfo { method, path, auth });
        self
    }

    pub fn merge(mut self, other: Routes<S>) -> Self {
        self.router = self.router.merge(other.router);
        self.table.extend(other.table);
        self
    }

    /// Applies `f` (layers) to the routes registered so far.
    pub fn wrap(mut self, f: impl FnOnce(Router<S>) -> Router<S>) -> Self {
        self.router = f(self.router);
        self
    }

    pub fn into_parts(self) -> (Router<S>, Vec<RouteInfo>) {
        (self.router, self.table)
    }
}

/// Every route of the product's router ([`crate::router`]), in
/// registration order.
pub fn route_table() -> Vec<RouteInfo> {
    crate::routes().into_parts().1
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_route_is_listed_once_with_an_upper_case_method() {
        let table = route_table();
        assert!(table.len() > 30, "{table:?}");
        let mut seen = std::collections::HashSet::new();
        for r in &table {
            assert!(seen.insert((r.method, r.path)), "{r:?} twice");
            assert!(r.path.starts_with('/'), "{r:?}");
            assert_eq!(r.method, r.method.to_uppercase());
        }
        assert!(table.contains(&RouteInfo {
            method: "POST",
            path: "/api/v1/orders/{number}/status",
            auth: Auth::Token,
        }));
    }
}
