//! The simulator's HTTP routes other than the page: the Graph API the
//! server sends to, and the JSON API behind the phone page, which tests
//! drive too. Errors are `{"error": {"code", "message"}}` like orderdesk's
//! own API.
//!
//! | route | what |
//! |---|---|
//! | `POST /simulator/graph/{version}/{phone_number_id}/messages` | Meta's send / mark-read endpoint |
//! | `GET /simulator/api/catalog` | `{business_name, catalog_id, products: [{retailer_id, title, description, price_minor, currency, image_url}]}` |
//! | `GET /simulator/api/customers` | `{customers: [{wa_id, user_id, name}]}` |
//! | `POST /simulator/api/customers` | `{name, phone}` → the customer (201; 200 when the number is known) |
//! | `GET /simulator/api/customers/{id}/thread?after=V&wait=S` | `{customer, version, messages}`: messages changed after version `V`; waits up to `S` s (≤ 30) for one |
//! | `POST /simulator/api/customers/{id}/cart` | `{items: [{retailer_id, quantity}], text?}` → the message (202) |
//! | `POST /simulator/api/customers/{id}/text` | `{text}` → the message (202) |
//! | `POST /simulator/api/customers/{id}/tap` | `{wamid, id}`: tap button/row `id` of business message `wamid` (202) |
//! | `POST /simulator/api/customers/{id}/read` | the customer reads the thread → `{read: n}` |
//! | `POST /simulator/api/customers/{id}/address` | `{wamid, values}`: submit the `address_message` form `wamid` (Meta's field names) (202) |
//! | `POST /simulator/api/customers/{id}/pay` | `{wamid}`: pay the `order_details` `wamid` in WhatsApp (UPI): a `captured` payment status → the business message (202) |
//!
//! `{id}` is the customer's `wa_id` or `user_id`.

use std::time::Duration;

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::json;

use crate::{Message, Simulator};

/// A refused JSON API call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SimError {
    pub status: u16,
    pub code: &'static str,
    pub message: String,
}

impl SimError {
    pub(crate) fn invalid(message: impl Into<String>) -> Self {
        Self {
            status: 422,
            code: "invalid_request",
            message: message.into(),
        }
    }

    pub(crate) fn not_found(message: impl Into<String>) -> Self {
        Self {
            status: 404,
            code: "not_found",
            message: message.into(),
        }
    }
}

impl std::fmt::Display for SimError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} ({})", self.message, self.code)
    }
}

impl std::error::Error for SimError {}

impl IntoResponse for SimError {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::BAD_REQUEST);
        (
            status,
            Json(json!({"error": {"code": self.code, "message": self.message}})),
        )
            .into_response()
    }
}

pub(crate) fn routes() -> Router<Simulator> {
    Router::new()
        .route(
            "/simulator/graph/{version}/{phone_number_id}/messages",
            post(graph_messages),
        )
        .route("/simulator/api/catalog", get(catalog))
        .route(
            "/simulator/api/customers",
            get(customers).post(add_customer),
        )
        .route("/simulator/api/customers/{id}/thread", get(thread))
        .route("/simulator/api/customers/{id}/cart", post(cart))
        .route("/simulator/api/customers/{id}/text", post(text))
        .route("/simulator/api/customers/{id}/tap", post(tap))
        .route("/simulator/api/customers/{id}/read", post(read))
        .route("/simulator/api/customers/{id}/address", post(address))
        .route("/simulator/api/customers/{id}/pay", post(pay))
}

/// A JSON body, refused in our error shape when it does not parse.
struct Body<T>(T);

impl<T: serde::de::DeserializeOwned> Body<T> {
    fn parse(bytes: &Bytes) -> Result<Self, SimError> {
        serde_json::from_slice(bytes)
            .map(Body)
            .map_err(|e| SimError::invalid(format!("malformed JSON body: {e}")))
    }
}

async fn graph_messages(
    State(sim): State<Simulator>,
    Path((_version, phone_number_id)): Path<(String, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let authorization = headers
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok());
    let (status, body) = sim.graph_call(&phone_number_id, authorization, &body);
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_REQUEST);
    (status, Json(body)).into_response()
}

async fn catalog(State(sim): State<Simulator>) -> Json<serde_json::Value> {
    let products: Vec<serde_json::Value> = sim
        .catalog()
        .iter()
        .map(|p| {
            json!({
                "retailer_id": p.retailer_id,
                "title": p.title,
                "description": p.description,
                "price_minor": p.price_minor,
                "currency": p.currency,
                "image_url": format!("/simulator/images/{}.svg", p.retailer_id),
            })
        })
        .collect();
    Json(json!({
        "business_name": sim.settings().business_name,
        "display_phone_number": sim.settings().display_phone_number,
        "catalog_id": sim.settings().catalog_id,
        "products": products,
    }))
}

async fn customers(State(sim): State<Simulator>) -> Json<serde_json::Value> {
    Json(json!({"customers": sim.customers()}))
}

#[derive(Deserialize)]
struct NewCustomer {
    name: String,
    phone: String,
}

async fn add_customer(State(sim): State<Simulator>, body: Bytes) -> Result<Response, SimError> {
    let Body(new): Body<NewCustomer> = Body::parse(&body)?;
    let known = normalised_known(&sim, &new.phone);
    let customer = sim.add_customer(&new.name, &new.phone)?;
    let status = if known {
        StatusCode::OK
    } else {
        StatusCode::CREATED
    };
    Ok((status, Json(customer)).into_response())
}

fn normalised_known(sim: &Simulator, phone: &str) -> bool {
    crate::normalise_phone(phone).is_some_and(|wa| sim.customers().iter().any(|c| c.wa_id == wa))
}

#[derive(Deserialize)]
struct ThreadQuery {
    #[serde(default)]
    after: u64,
    #[serde(default)]
    wait: u64,
}

async fn thread(
    State(sim): State<Simulator>,
    Path(id): Path<String>,
    Query(q): Query<ThreadQuery>,
) -> Result<Json<crate::ThreadChanges>, SimError> {
    let wait = Duration::from_secs(q.wait.min(30));
    sim.wait_thread(&id, q.after, wait)
        .await
        .map(Json)
        .ok_or_else(|| SimError::not_found(format!("no customer {id}")))
}

#[derive(Deserialize)]
struct CartBody {
    items: Vec<CartItem>,
    text: Option<String>,
}

#[derive(Deserialize)]
struct CartItem {
    retailer_id: String,
    quantity: u32,
}

fn accepted(message: Message) -> Response {
    (StatusCode::ACCEPTED, Json(message)).into_response()
}

async fn cart(
    State(sim): State<Simulator>,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, SimError> {
    let Body(cart): Body<CartBody> = Body::parse(&body)?;
    let lines: Vec<(String, u32)> = cart
        .items
        .into_iter()
        .map(|i| (i.retailer_id, i.quantity))
        .collect();
    sim.send_cart(&id, &lines, cart.text.as_deref())
        .map(accepted)
}

#[derive(Deserialize)]
struct TextBody {
    text: String,
}

async fn text(
    State(sim): State<Simulator>,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, SimError> {
    let Body(t): Body<TextBody> = Body::parse(&body)?;
    sim.send_text(&id, &t.text).map(accepted)
}

#[derive(Deserialize)]
struct TapBody {
    wamid: String,
    id: String,
}

async fn tap(
    State(sim): State<Simulator>,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, SimError> {
    let Body(t): Body<TapBody> = Body::parse(&body)?;
    sim.tap(&id, &t.wamid, &t.id).map(accepted)
}

async fn read(
    State(sim): State<Simulator>,
    Path(id): Path<String>,
) -> Result<Json<serde_json::Value>, SimError> {
    sim.read_all(&id).map(|n| Json(json!({"read": n})))
}

#[derive(Deserialize)]
struct AddressBody {
    wamid: String,
    #[serde(default)]
    values: serde_json::Map<String, serde_json::Value>,
}

async fn address(
    State(sim): State<Simulator>,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, SimError> {
    let Body(a): Body<AddressBody> = Body::parse(&body)?;
    sim.submit_address(&id, &a.wamid, a.values).map(accepted)
}

#[derive(Deserialize)]
struct PayBody {
    wamid: String,
}

async fn pay(
    State(sim): State<Simulator>,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, SimError> {
    let Body(p): Body<PayBody> = Body::parse(&body)?;
    sim.pay_native(&id, &p.wamid).map(accepted)
}
