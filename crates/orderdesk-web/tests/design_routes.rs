//! `docs/design.md` §6 lists every route with its auth; the router records
//! what it serves (`route_table()`). This test holds the two together, so a
//! route cannot be added, removed or opened up without the contract saying
//! so in the same change. The demo's phone simulator routes (auth `demo`)
//! are mounted by `orderdesk demo` only and are not in the router's table.

use std::collections::BTreeMap;

use orderdesk_web::{route_table, Auth};

const DESIGN: &str = include_str!("../../../docs/design.md");

/// The routes table of the design: (method, path) → auth as written.
fn documented() -> BTreeMap<(String, String), String> {
    let mut routes = BTreeMap::new();
    for line in DESIGN.lines() {
        let cells: Vec<&str> = line.split('|').map(str::trim).collect();
        // "| GET | `/path` | auth | what |" splits into ["", GET, path, auth, what, ""].
        let [_, method, path, auth, ..] = cells.as_slice() else {
            continue;
        };
        if !["GET", "POST", "PUT", "PATCH", "DELETE"].contains(method) {
            continue;
        }
        let path = path.trim_matches('`').to_owned();
        let previous = routes.insert((method.to_string(), path.clone()), auth.to_string());
        assert!(previous.is_none(), "{method} {path} is listed twice");
    }
    routes
}

/// How the design writes each auth class.
fn written(auth: Auth) -> &'static [&'static str] {
    match auth {
        Auth::Public | Auth::VerifyToken => &["none"],
        Auth::SignedLink => &["signed link"],
        Auth::WebhookSignature => &["signature"],
        Auth::Token => &["bearer"],
        Auth::TokenOrSession => &["bearer or session"],
        Auth::Session => &["session"],
        Auth::SessionAdmin => &["session: owner/admin"],
    }
}

#[test]
fn every_served_route_is_in_the_design_with_its_auth() {
    let documented = documented();
    let mut problems = Vec::new();
    for r in route_table() {
        match documented.get(&(r.method.to_owned(), r.path.to_owned())) {
            None => problems.push(format!(
                "{} {} is served but not in docs/design.md §6",
                r.method, r.path
            )),
            Some(auth) if !written(r.auth).contains(&auth.as_str()) => problems.push(format!(
                "{} {}: docs/design.md says '{auth}', the router '{}'",
                r.method,
                r.path,
                r.auth.as_str()
            )),
            Some(_) => {}
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn every_route_in_the_design_is_served() {
    let served: Vec<(String, String)> = route_table()
        .into_iter()
        .map(|r| (r.method.to_owned(), r.path.to_owned()))
        .collect();
    let stale: Vec<String> = documented()
        .into_iter()
        .filter(|(key, auth)| auth != "demo" && !served.contains(key))
        .map(|((method, path), _)| format!("{method} {path}"))
        .collect();
    assert!(
        stale.is_empty(),
        "docs/design.md §6 lists routes the router does not serve: {stale:?}"
    );
}
