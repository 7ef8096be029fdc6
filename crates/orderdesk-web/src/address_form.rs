//! `GET/POST /address/{token}`: the hosted delivery-address form a customer
//! opens from WhatsApp (DESIGN §1 steps 2–3, §3).
//!
//! The signed token in the URL is the form's only credential: there is no
//! cookie and no CSRF token, because the customer arrives from a WhatsApp
//! button with neither. So the token is checked before anything else, and
//! every page is sent with headers that keep it out of caches, `Referer`
//! headers and other sites' frames. The pages never repeat the token: the
//! form posts to its own URL and the "change" link is the empty URL.
//!
//! The pages are plain HTML forms: one column, large tap targets, labels
//! tied to inputs, `autocomplete` hints so the phone fills most of it in.
//! They work without JavaScript, and the Content-Security-Policy forbids
//! scripts altogether. All data goes through maud, which escapes it; the
//! only unescaped text is this module's own stylesheet.
//!
//! | case | status |
//! |---|---|
//! | form shown (editable), or read-only view once locked | 200 |
//! | address saved: thank-you page | 200 |
//! | submitted with problems: form again, messages inline, nothing saved | 422 |
//! | submitted after the payment step passed | 409 |
//! | unknown or altered token, or no such order | 404 |
//! | genuine but expired token | 410 |
//! | body over [`MAX_FORM_BYTES`] / not a form | 413 / 415, 400 or 422 |
//! | database unavailable, shutting down | 503 |

mod page;

use axum::extract::rejection::{FormRejection, PathRejection};
use axum::extract::{DefaultBodyLimit, Path, State};
use axum::http::StatusCode;
use axum::middleware;
use axum::response::Response;
use axum::{Form, Router};
use orderdesk_domain::Address;
use orderdesk_engine::form_token::TokenError;
use orderdesk_engine::{AddressForm, AddressLock, EngineError};
use orderdesk_store::StoreError;
use serde::Deserialize;

use crate::routes::{Auth, Routes};
use crate::AppState;
use page::page_headers;
pub use page::{expired_page, form_page, locked_page, saved_page};
pub(crate) use page::{layout, message_page, order_summary, page};

/// The form is eight short fields; anything much larger is not a customer.
pub const MAX_FORM_BYTES: usize = 16 * 1024;

pub(crate) fn routes() -> Routes<AppState> {
    Routes::new()
        .get("/address/{token}", Auth::SignedLink, show)
        .post("/address/{token}", Auth::SignedLink, submit)
        .wrap(protect)
}

/// The body limit and the page headers, on every response of the form,
/// rejections included.
pub(crate) fn protect<S: Clone + Send + Sync + 'static>(router: Router<S>) -> Router<S> {
    router
        .layer(DefaultBodyLimit::max(MAX_FORM_BYTES))
        .layer(middleware::map_response(page_headers))
}

/// The fields exactly as the form posts them. Missing ones are empty, so
/// they are reported next to the field rather than as an unreadable form.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct Submitted {
    pub name: String,
    pub phone: String,
    pub line1: String,
    pub line2: String,
    pub city: String,
    pub state: String,
    pub postal_code: String,
    pub country: String,
}

impl From<Submitted> for Address {
    fn from(s: Submitted) -> Self {
        Address {
            name: s.name,
            phone: s.phone,
            line1: s.line1,
            line2: s.line2,
            city: s.city,
            state: s.state,
            postal_code: s.postal_code,
            country: s.country,
        }
    }
}

async fn show(
    State(state): State<AppState>,
    token: Result<Path<String>, PathRejection>,
) -> Response {
    let Ok(Path(token)) = token else {
        return not_found();
    };
    let local = state.engine.settings().local();
    match state.engine.address_form(&token).await {
        Ok(form) if form.editable => {
            let values = form
                .prefill
                .unwrap_or_else(|| orderdesk_domain::starting_address(&form.order.customer));
            page(StatusCode::OK, form_page(&form.order, &local, &values, &[]))
        }
        Ok(form) => page(
            StatusCode::OK,
            locked_page(&form.order, &local, lock_of(&form)),
        ),
        Err(e) => failure(e),
    }
}

async fn submit(
    State(state): State<AppState>,
    token: Result<Path<String>, PathRejection>,
    form: Result<Form<Submitted>, FormRejection>,
) -> Response {
    let Ok(Path(token)) = token else {
        return not_found();
    };
    // The link is judged before the input, so an altered link gets its 404
    // whatever was posted with it, and the 422 page can show the order.
    let current = match state.engine.address_form(&token).await {
        Ok(current) => current,
        Err(e) => return failure(e),
    };
    let submitted = match form {
        Ok(Form(submitted)) => submitted,
        Err(rejection) => return unreadable_form(&rejection),
    };
    let local = state.engine.settings().local();
    if !current.editable {
        return page(
            StatusCode::CONFLICT,
            locked_page(&current.order, &local, lock_of(&current)),
        );
    }
    let address = Address::from(submitted).normalised();
    let problems = address.problems();
    if !problems.is_empty() {
        return page(
            StatusCode::UNPROCESSABLE_ENTITY,
            form_page(&current.order, &local, &address, &problems),
        );
    }
    match state.engine.submit_address(&token, address).await {
        Ok(order) => page(StatusCode::OK, saved_page(&order, &local)),
        // The payment step passed between showing and saving.
        Err(EngineError::AddressLocked | EngineError::Checkout(_)) => {
            // Say why as it stands now (cancelled meanwhile, or paid).
            let lock = match state.engine.address_form(&token).await {
                Ok(now) => now.locked.unwrap_or(AddressLock::Fixed),
                Err(_) => AddressLock::Fixed,
            };
            page(
                StatusCode::CONFLICT,
                locked_page(&current.order, &local, lock),
            )
        }
        Err(e) => failure(e),
    }
}

fn lock_of(form: &AddressForm) -> AddressLock {
    form.locked.unwrap_or(AddressLock::Fixed)
}

/// Maps an engine failure to the page the customer sees.
fn failure(e: EngineError) -> Response {
    match e {
        EngineError::Token(TokenError::Invalid) | EngineError::Store(StoreError::NotFound) => {
            not_found()
        }
        EngineError::Token(TokenError::Expired { number }) => {
            page(StatusCode::GONE, expired_page(number))
        }
        EngineError::AddressLocked | EngineError::Checkout(_) => page(
            StatusCode::CONFLICT,
            message_page(
                "This address can no longer be changed",
                "The delivery address of this order is fixed now. \
                 If something is wrong, tell us in the WhatsApp chat.",
            ),
        ),
        EngineError::ShuttingDown
        | EngineError::Store(StoreError::Unavailable(_) | StoreError::Conflict { .. }) => {
            tracing::warn!(error = %e, "address form unavailable");
            page(
                StatusCode::SERVICE_UNAVAILABLE,
                message_page(
                    "Please try again in a minute",
                    "We could not open your order just now. Nothing was lost: \
                     reload this page in a minute.",
                ),
            )
        }
        other => {
            tracing::error!(error = ?other, "address form failed");
            page(
                StatusCode::INTERNAL_SERVER_ERROR,
                message_page(
                    "Something went wrong on our side",
                    "It has been logged. Please try again later, or send us your \
                     address in the WhatsApp chat.",
                ),
            )
        }
    }
}

fn not_found() -> Response {
    page(
        StatusCode::NOT_FOUND,
        message_page(
            "This link does not work",
            "Please open the link from your WhatsApp chat with us, or ask us there for a new one.",
        ),
    )
}

fn unreadable_form(rejection: &FormRejection) -> Response {
    let status = rejection.status();
    let detail = if status == StatusCode::PAYLOAD_TOO_LARGE {
        "That was more text than an address needs. Please shorten it and send the form again."
    } else {
        "Your browser sent something we could not read. Please go back and send the form again."
    };
    page(status, message_page("We could not read the form", detail))
}

#[cfg(test)]
mod tests;
