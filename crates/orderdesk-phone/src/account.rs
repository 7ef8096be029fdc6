//! The Graph API's read-only account calls, as Meta's OpenAPI file
//! (`whatsapp-business-messaging-api_v23.0.yaml`) documents them, for
//! `orderdesk doctor` against the simulator:
//!
//! | route | answer |
//! |---|---|
//! | `GET /simulator/graph/{version}/{phone_number_id}` | `PhoneNumberInfo`: `id`, `display_phone_number`, `verified_name`, `quality_rating` |
//! | `GET /simulator/graph/{version}/{waba_id}/subscribed_apps` | `SubscribedAppsResponse`: `data[].whatsapp_business_api_data` {`id`, `name`, `link`} |
//!
//! The bearer token is checked as for sending; an unknown id is Meta's
//! `GraphMethodException` (code 100, subcode 33).

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde_json::{json, Value};

use crate::graph::GraphFault;
use crate::Simulator;

/// The simulated app's id and name, as `subscribed_apps` lists it.
pub const APP_ID: &str = "1234567890123456";
pub const APP_NAME: &str = "orderdesk demo";

pub(crate) fn routes() -> Router<Simulator> {
    Router::new()
        .route("/simulator/graph/{version}/{id}", get(phone_number))
        .route(
            "/simulator/graph/{version}/{id}/subscribed_apps",
            get(subscribed_apps),
        )
}

fn answer(result: Result<Value, GraphFault>) -> Response {
    match result {
        Ok(body) => (StatusCode::OK, Json(body)).into_response(),
        Err(f) => {
            let status = StatusCode::from_u16(f.status).unwrap_or(StatusCode::BAD_REQUEST);
            (status, Json(f.body)).into_response()
        }
    }
}

fn authorised(sim: &Simulator, headers: &HeaderMap) -> Result<(), GraphFault> {
    let expected = format!("Bearer {}", sim.settings().access_token);
    let given = headers
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .map(str::trim);
    if given == Some(expected.as_str()) {
        Ok(())
    } else {
        Err(GraphFault::bad_token())
    }
}

async fn phone_number(
    State(sim): State<Simulator>,
    Path((_version, id)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    answer(authorised(&sim, &headers).and_then(|()| {
        let s = sim.settings();
        if id != s.phone_number_id {
            return Err(GraphFault::unknown_number(&id));
        }
        Ok(json!({
            "id": s.phone_number_id,
            "display_phone_number": s.display_phone_number,
            "verified_name": s.business_name,
            "quality_rating": "GREEN",
        }))
    }))
}

async fn subscribed_apps(
    State(sim): State<Simulator>,
    Path((_version, id)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    answer(authorised(&sim, &headers).and_then(|()| {
        if id != sim.settings().business_account_id {
            return Err(GraphFault::unknown_number(&id));
        }
        Ok(json!({
            "data": [{
                "whatsapp_business_api_data": {
                    "id": APP_ID,
                    "name": APP_NAME,
                    "link": format!("https://www.facebook.com/games/?app_id={APP_ID}"),
                }
            }]
        }))
    }))
}
