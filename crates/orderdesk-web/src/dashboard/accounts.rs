//! Changing a staff user's role and resetting their password, from
//! `/users` (owners and admins; CSRF as every dashboard POST). The rules:
//! only owners touch owners (`may_manage_role`), nobody resets their own
//! password here, and the store refuses to demote the last owner, so
//! someone can always manage users. A reset password is shown once, with a
//! copy button, and ends the user's sessions.

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use maud::{html, Markup};
use orderdesk_store::{Role, StoreError, User};
use serde::Deserialize;

use super::admin::{users_page, Flash, NoFields};
use super::session::{may_manage_role, refuse, Staff, StaffForm};
use crate::error::ApiError;
use crate::AppState;
use orderdesk_engine::accounts::AccountError;

/// The role, as a form to change it where the viewer may.
pub(super) fn role_cell(staff: &Staff, u: &User) -> Markup {
    html! {
        @if may_manage_role(staff.user.role, u.role) {
            form.inline method="post" action={"/users/" (u.id) "/role"} {
                input type="hidden" name="csrf" value=(staff.csrf);
                label.visually-hidden for={"role-" (u.id)} { "Role of " (u.email) }
                select id={"role-" (u.id)} name="role" {
                    @for r in Role::ALL {
                        @if may_manage_role(staff.user.role, r) {
                            option value=(r.as_str()) selected[r == u.role] { (r.as_str()) }
                        }
                    }
                }
                button type="submit" aria-label={"Change the role of " (u.email)} { "Change" }
            }
        } @else {
            (u.role.as_str())
        }
    }
}

/// The button that gives a user a new password.
pub(super) fn reset_form(staff: &Staff, u: &User) -> Markup {
    html! {
        form.inline method="post" action={"/users/" (u.id) "/password"} {
            input type="hidden" name="csrf" value=(staff.csrf);
            button type="submit" aria-label={"Reset the password of " (u.email)} { "Reset password" }
        }
    }
}

/// The users page again, with why the form was refused.
pub(super) async fn refused(
    state: &AppState,
    staff: &Staff,
    message: impl Into<String>,
    status: StatusCode,
) -> Response {
    users_page(state, staff, Flash::Error(message.into()), status).await
}

/// The role a form asks for, when the acting staff member may give it: the
/// page again for an unknown role, 403 for one above them. `verb` completes
/// "Only owners can … owners."
pub(super) async fn grantable_role<T>(
    state: &AppState,
    f: &StaffForm<T>,
    asked: &str,
    verb: &str,
) -> Result<Role, Response> {
    let Some(role) = Role::parse(asked.trim()) else {
        let message = "Choose owner, admin or agent.";
        return Err(refused(state, &f.staff, message, StatusCode::UNPROCESSABLE_ENTITY).await);
    };
    if !may_manage_role(f.staff.user.role, role) {
        return Err(only_owners(&f.headers, verb));
    }
    Ok(role)
}

/// The 403 for what only owners may do to owners ("Only owners can `verb` owners.").
fn only_owners(headers: &HeaderMap, verb: &str) -> Response {
    let detail = format!("Only owners can {verb} owners.");
    refuse(headers, StatusCode::FORBIDDEN, "Not allowed", &detail)
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct RoleForm {
    role: String,
}

/// The user `id`, if the viewer may manage them; else the answer to give.
/// `verb` completes "Only owners can … owners."
pub(super) async fn manageable(
    state: &AppState,
    f: &StaffForm<impl Sized>,
    id: i64,
    verb: &str,
) -> Result<User, Response> {
    let staff = &f.staff;
    if let Some(refused) = f.refused_unless_manager("manage users") {
        return Err(refused);
    }
    let target = match state.engine.store().users().await {
        Ok(users) => users.into_iter().find(|u| u.id == id),
        Err(e) => return Err(ApiError::from(e).into_response()),
    };
    let Some(target) = target else {
        return Err(no_such_user(state, staff).await);
    };
    if !may_manage_role(staff.user.role, target.role) {
        return Err(only_owners(&f.headers, verb));
    }
    Ok(target)
}

/// The answer when the user to manage does not exist.
async fn no_such_user(state: &AppState, staff: &Staff) -> Response {
    refused(
        state,
        staff,
        "No such user.".to_owned(),
        StatusCode::NOT_FOUND,
    )
    .await
}

pub async fn change_role(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    f: StaffForm<RoleForm>,
) -> Result<Response, Response> {
    let target = manageable(&state, &f, id, "change").await?;
    let role = grantable_role(&state, &f, &f.form.role, "make").await?;
    let staff = &f.staff;
    Ok(match state.engine.store().set_user_role(id, role).await {
        Ok(true) => {
            tracing::info!(by = %staff.user.email, user = %target.email, role = role.as_str(), "role changed");
            let message = format!("{} is now {}.", target.email, role.as_str());
            users_page(&state, staff, Flash::Info(message), StatusCode::OK).await
        }
        Ok(false) => {
            refused(
                &state,
                staff,
                format!(
                    "{} is the last owner; make someone else an owner first.",
                    target.email
                ),
                StatusCode::CONFLICT,
            )
            .await
        }
        Err(StoreError::NotFound) => no_such_user(&state, staff).await,
        Err(e) => ApiError::from(e).into_response(),
    })
}

pub async fn reset_password(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    f: StaffForm<NoFields>,
) -> Result<Response, Response> {
    let target = manageable(&state, &f, id, "change").await?;
    let staff = &f.staff;
    if id == staff.user.id {
        return Err(refused(
            &state,
            staff,
            "Your own password is not reset here.".to_owned(),
            StatusCode::CONFLICT,
        )
        .await);
    }
    let store = state.engine.store();
    Ok(
        match orderdesk_engine::accounts::reset_password(store.as_ref(), id, &state.password_checks)
            .await
        {
            Ok(password) => {
                tracing::info!(by = %staff.user.email, user = %target.email, "password reset");
                let flash = Flash::Secret {
                    what: format!(
                        "New password for {} (their sessions are ended):",
                        target.email
                    ),
                    secret: password,
                };
                users_page(&state, staff, flash, StatusCode::OK).await
            }
            Err(AccountError::Store(StoreError::NotFound)) => no_such_user(&state, staff).await,
            Err(AccountError::Store(e)) => ApiError::from(e).into_response(),
            Err(e @ AccountError::Busy) => ApiError::unavailable(e.to_string()).into_response(),
            Err(e) => {
                tracing::error!(error = %e, "cannot reset a password");
                ApiError::internal().into_response()
            }
        },
    )
}
