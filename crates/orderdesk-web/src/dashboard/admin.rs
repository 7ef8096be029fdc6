//! `/users` and `/tokens`: staff accounts and API tokens, for owners and
//! admins only (agents get 403). New passwords and token secrets are shown
//! once, on the page that answers the form, and never stored in clear.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::Utc;
use maud::{html, Markup};
use orderdesk_engine::accounts::{self, AccountError};
use orderdesk_store::{Role, StoreError};
use serde::Deserialize;

use super::session::{may_manage_role, redirect, Manager, Staff, StaffForm};
use super::views::staff_page;
use crate::error::ApiError;
use crate::AppState;

pub enum Flash {
    None,
    Error(String),
    Info(String),
    Secret { what: String, secret: String },
}

pub(super) fn flash(f: &Flash) -> Markup {
    html! {
        @match f {
            Flash::None => {},
            Flash::Error(e) => p.alert role="alert" { (e) },
            Flash::Info(m) => p.ok role="status" { (m) },
            Flash::Secret { what, secret } => div.secret role="status" {
                p { (what) }
                div.copy-row {
                    code #secret { (secret) }
                    button #copy-secret type="button" data-copy="secret" { "Copy" }
                    span #secret-status.small aria-live="polite" {}
                }
                p.small { "It is shown only this once: copy it now and pass it on safely." }
            },
        }
    }
}

/// The head of a users or tokens table: `columns`, then the actions column,
/// named for screen readers only.
fn list_head(columns: &[&str]) -> Markup {
    html! {
        thead { tr {
            @for c in columns { th scope="col" { (c) } }
            th scope="col" { span.visually-hidden { "Actions" } }
        } }
    }
}

/// A one-button form posting to `action` with the CSRF token; the button
/// says `verb`, and "`verb` `what`" to screen readers.
fn danger_button(staff: &Staff, action: &str, verb: &str, what: &str) -> Markup {
    html! {
        form.inline method="post" action=(action) {
            input type="hidden" name="csrf" value=(staff.csrf);
            button.danger type="submit" aria-label={(verb) " " (what)} { (verb) }
        }
    }
}

pub async fn users(State(state): State<AppState>, Manager(staff): Manager) -> Response {
    users_page(&state, &staff, Flash::None, StatusCode::OK).await
}

pub(super) async fn users_page(
    state: &AppState,
    staff: &super::session::Staff,
    f: Flash,
    status: StatusCode,
) -> Response {
    let users = match state.engine.store().users().await {
        Ok(u) => u,
        Err(e) => return ApiError::from(e).into_response(),
    };
    let (local, now) = (state.engine.settings().local(), chrono::Utc::now());
    let body = html! {
        main.narrow {
            h1 { "Users" }
            (flash(&f))
            table.list {
                (list_head(&["Email", "Role", "Since"]))
                tbody {
                    @for u in &users {
                        tr {
                            td { (u.email) }
                            td { (super::accounts::role_cell(staff, u)) }
                            td { (super::views::relative_time(u.created_at, now, &local)) }
                            td {
                                @if u.id != staff.user.id && may_manage_role(staff.user.role, u.role) {
                                    (super::accounts::reset_form(staff, u))
                                    (danger_button(staff, &format!("/users/{}/remove", u.id), "Remove", &u.email))
                                }
                            }
                        }
                    }
                }
            }
            h2 { "Add a user" }
            form.stack method="post" action="/users" {
                input type="hidden" name="csrf" value=(staff.csrf);
                label for="new-email" { "Email" }
                input #new-email type="email" name="email" required autocomplete="off";
                label for="new-role" { "Role" }
                select #new-role name="role" {
                    @for r in Role::ALL {
                        @if may_manage_role(staff.user.role, r) {
                            option value=(r.as_str()) selected[r == Role::Agent] { (r.as_str()) }
                        }
                    }
                }
                label for="new-password" { "Password (leave empty to generate one)" }
                input #new-password type="password" name="password" autocomplete="new-password" minlength=(accounts::MIN_PASSWORD);
                button.primary type="submit" { "Add user" }
            }
            p.muted.small { "Agents can work orders and chat; owners and admins can also manage users and API tokens." }
        }
    };
    staff_page(status, staff, "Users", "users", body)
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct UserForm {
    email: String,
    role: String,
    password: String,
}

pub async fn add_user(State(state): State<AppState>, f: StaffForm<UserForm>) -> Response {
    let staff = &f.staff;
    if let Some(refused) = f.refused_unless_manager("manage users") {
        return refused;
    }
    let role = match super::accounts::grantable_role(&state, &f, &f.form.role, "add").await {
        Ok(role) => role,
        Err(r) => return r,
    };
    let password = Some(f.form.password.clone()).filter(|p| !p.is_empty());
    let store = state.engine.store();
    let hasher = &state.password_checks;
    match accounts::add_user(store.as_ref(), &f.form.email, role, password, hasher).await {
        Ok(added) => {
            let user = added.user;
            tracing::info!(by = %staff.user.email, user = %user.email, role = role.as_str(), "user added");
            let shown = match added.generated_password {
                Some(secret) => Flash::Secret {
                    what: format!("Added {} ({}). Their password:", user.email, role.as_str()),
                    secret,
                },
                None => Flash::Info(format!("Added {} ({}).", user.email, role.as_str())),
            };
            users_page(&state, staff, shown, StatusCode::OK).await
        }
        Err(e) => {
            account_refused(e, |flash, status| users_page(&state, staff, flash, status)).await
        }
    }
}

/// The page again with what was wrong, or the edge's error for a failure
/// that is not the form's fault.
async fn account_refused<F: std::future::Future<Output = Response>>(
    e: AccountError,
    page: impl FnOnce(Flash, StatusCode) -> F,
) -> Response {
    let status = match e {
        AccountError::EmailTaken(_) | AccountError::TokenNameTaken(_) => StatusCode::CONFLICT,
        AccountError::NotAnEmail(_)
        | AccountError::PasswordTooShort
        | AccountError::BadTokenName => StatusCode::UNPROCESSABLE_ENTITY,
        AccountError::Store(e) => return ApiError::from(e).into_response(),
        AccountError::Hashing(cause) => {
            tracing::error!(%cause, "cannot hash a password");
            return ApiError::internal().into_response();
        }
        AccountError::Busy => return ApiError::unavailable(e.to_string()).into_response(),
    };
    page(Flash::Error(capitalised(&e.to_string())), status).await
}

fn capitalised(message: &str) -> String {
    let mut chars = message.chars();
    match chars.next() {
        Some(first) => format!("{}{}.", first.to_uppercase(), chars.as_str()),
        None => String::new(),
    }
}

#[derive(Deserialize, Default)]
pub struct NoFields {}

pub async fn remove_user(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    f: StaffForm<NoFields>,
) -> Result<Response, Response> {
    let target = super::accounts::manageable(&state, &f, id, "remove").await?;
    let staff = &f.staff;
    if id == staff.user.id {
        let message = "You cannot remove yourself.";
        return Err(super::accounts::refused(&state, staff, message, StatusCode::CONFLICT).await);
    }
    Ok(match state.engine.store().delete_user(id).await {
        Ok(()) | Err(StoreError::NotFound) => {
            tracing::info!(by = %staff.user.email, user = %target.email, "user removed");
            redirect("/users")
        }
        Err(e) => ApiError::from(e).into_response(),
    })
}

pub async fn tokens(State(state): State<AppState>, Manager(staff): Manager) -> Response {
    tokens_page(&state, &staff, Flash::None, StatusCode::OK).await
}

async fn tokens_page(
    state: &AppState,
    staff: &super::session::Staff,
    f: Flash,
    status: StatusCode,
) -> Response {
    let tokens = match state.engine.store().tokens().await {
        Ok(t) => t,
        Err(e) => return ApiError::from(e).into_response(),
    };
    let (local, now) = (state.engine.settings().local(), chrono::Utc::now());
    let body = html! {
        main.narrow {
            h1 { "API tokens" }
            p.muted { "Integrations call " code { "/api/v1" } " with " code { "Authorization: Bearer <token>" } "." }
            (flash(&f))
            @if tokens.is_empty() {
                p.empty { "No API tokens yet. Create one below for each integration (a shop system, a script); its secret is shown once." }
            } @else {
                table.list {
                    (list_head(&["Name", "Created"]))
                    tbody {
                        @for t in &tokens {
                            tr {
                                td { (t.name) }
                                td { (super::views::relative_time(t.created_at, now, &local)) }
                                td {
                                    (danger_button(staff, &format!("/tokens/{}/revoke", t.id), "Revoke", &t.name))
                                }
                            }
                        }
                    }
                }
            }
            h2 { "Create a token" }
            form.stack method="post" action="/tokens" {
                input type="hidden" name="csrf" value=(staff.csrf);
                label for="token-name" { "Name (what uses it)" }
                input #token-name type="text" name="name" required maxlength="100";
                button.primary type="submit" { "Create token" }
            }
        }
    };
    staff_page(status, staff, "API tokens", "tokens", body)
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct TokenForm {
    name: String,
}

pub async fn create_token(State(state): State<AppState>, f: StaffForm<TokenForm>) -> Response {
    let staff = &f.staff;
    if let Some(refused) = f.refused_unless_manager("manage API tokens") {
        return refused;
    }
    match accounts::create_token(state.engine.store().as_ref(), &f.form.name).await {
        Ok(created) => {
            let name = created.token.name;
            tracing::info!(by = %staff.user.email, token = %name, "API token created");
            let shown = Flash::Secret {
                what: format!("Created the token '{name}'."),
                secret: created.secret,
            };
            tokens_page(&state, staff, shown, StatusCode::OK).await
        }
        Err(e) => {
            account_refused(e, |flash, status| tokens_page(&state, staff, flash, status)).await
        }
    }
}

pub async fn revoke_token(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    f: StaffForm<NoFields>,
) -> Response {
    if let Some(refused) = f.refused_unless_manager("manage API tokens") {
        return refused;
    }
    match state.engine.store().revoke_token(id, Utc::now()).await {
        Ok(()) | Err(StoreError::NotFound) => {
            tracing::info!(by = %f.staff.user.email, token_id = id, "API token revoked");
            redirect("/tokens")
        }
        Err(e) => ApiError::from(e).into_response(),
    }
}
