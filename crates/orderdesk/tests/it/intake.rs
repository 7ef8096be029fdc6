//! `POST /api/v1/intake`: a typed order read against the business's own
//! catalog (imported from the corpus CSV the way `orderdesk catalog import`
//! reads it); nothing is created.

use std::path::Path;

use serde_json::{json, Value};

use crate::both_backends;
use crate::helpers::{Backend, TestApp};

async fn with_grocery_catalog(backend: Backend) -> TestApp {
    let app = TestApp::spawn(backend).await;
    load_grocery_catalog(&app).await;
    app
}

/// The corpus' grocery catalog, with its keywords, as `catalog import`
/// stores it.
pub(crate) async fn load_grocery_catalog(app: &TestApp) {
    let csv = Path::new(env!("CARGO_MANIFEST_DIR")).join("../orderdesk-intake/corpus/grocery.csv");
    let products = orderdesk::cli::catalog::read_catalog(&csv).unwrap();
    app.store.upsert_products(&products).await.unwrap();
    let keywords = orderdesk::cli::catalog::read_keywords(&csv).unwrap();
    app.store
        .set_product_keywords(&keywords.unwrap())
        .await
        .unwrap();
}

/// "kanda" is no word of "Onion 1 kg": only the imported keywords place it,
/// and keywords changed later are read on the next call.
async fn a_keyword_from_the_catalog_import_places_a_line(backend: Backend) {
    let app = with_grocery_catalog(backend).await;
    let (status, body) = app
        .post("/api/v1/intake", &json!({"text": "2 kg kanda"}))
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        body["items"],
        json!([{"retailer_id": "onion", "quantity": 2, "text": "2 kg kanda"}])
    );
    app.store
        .set_product_keywords(&[("onion".to_owned(), "pyaz".to_owned())])
        .await
        .unwrap();
    let (_, body) = app
        .post("/api/v1/intake", &json!({"text": "2 kg kanda"}))
        .await;
    // Onions are no longer "kanda" (the nearest word is now the eggs' "anda").
    assert_ne!(body["items"][0]["retailer_id"], "onion", "{body}");
    app.stop().await;
}

async fn a_typed_order_reads_as_catalog_lines_and_creates_nothing(backend: Backend) {
    let app = with_grocery_catalog(backend).await;
    let text = "Hi bhaiya\n1 kg paneer, toor dal 2kg, 1 dozen eggs\n1 dettol soap\nthanks";
    let (status, body) = app.post("/api/v1/intake", &json!({ "text": text })).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        body["items"],
        json!([
            {"retailer_id": "paneer", "quantity": 5, "text": "1 kg paneer"},
            {"retailer_id": "toor-dal", "quantity": 2, "text": "toor dal 2kg"},
            {"retailer_id": "eggs-6", "quantity": 2, "text": "1 dozen eggs"},
        ])
    );
    assert_eq!(body["unmatched"], json!(["1 dettol soap"]));
    assert_eq!(body["ambiguous"], json!([]));
    assert_eq!(body["truncated"], false);
    // Nothing was created.
    let (_, orders) = app.get("/api/v1/orders").await;
    assert_eq!(orders["orders"], json!([]));
    app.stop().await;
}

async fn an_ambiguous_line_comes_back_with_its_candidates(backend: Backend) {
    let app = with_grocery_catalog(backend).await;
    let (status, body) = app
        .post("/api/v1/intake", &json!({"text": "2 kg atta, 1 kg dal"}))
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["items"][0]["retailer_id"], "atta-5kg");
    let ambiguous = &body["ambiguous"][0];
    assert_eq!(ambiguous["text"], "1 kg dal");
    let ids: Vec<&str> = ambiguous["candidates"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["retailer_id"].as_str().unwrap())
        .collect();
    // In catalog order (by retailer id).
    assert_eq!(ids, ["chana-dal", "masoor-dal", "moong-dal", "toor-dal"]);
    assert_eq!(
        ambiguous["candidates"][3]["title"],
        "Tata Sampann Toor Dal 1 kg"
    );
    app.stop().await;
}

async fn blank_or_oversized_text_is_refused_with_422(backend: Backend) {
    let app = with_grocery_catalog(backend).await;
    for text in [String::new(), "  \n ".to_owned(), "a".repeat(4097)] {
        let (status, body) = app.post("/api/v1/intake", &json!({ "text": text })).await;
        assert_eq!(status, 422, "{body}");
        assert_eq!(body["error"]["code"], "invalid_request");
    }
    let (status, body) = app.post("/api/v1/intake", &json!({"txt": "atta"})).await;
    assert_eq!(status, 422, "{body}");
    // A long but allowed message is read up to the line cap, and says so.
    let many = "maggi\n".repeat(600);
    let (status, body) = app.post("/api/v1/intake", &json!({ "text": many })).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["truncated"], true);
    assert_eq!(body["items"].as_array().map(Vec::len), Some(100));
    app.stop().await;
}

async fn a_greeting_is_no_order(backend: Backend) {
    let app = with_grocery_catalog(backend).await;
    let (status, body): (_, Value) = app
        .post("/api/v1/intake", &json!({"text": "Good morning!"}))
        .await;
    assert_eq!(status, 200);
    assert_eq!(body["items"], json!([]));
    assert_eq!(body["unmatched"], json!([]));
    app.stop().await;
}

both_backends!(
    a_typed_order_reads_as_catalog_lines_and_creates_nothing,
    an_ambiguous_line_comes_back_with_its_candidates,
    blank_or_oversized_text_is_refused_with_422,
    a_greeting_is_no_order,
    a_keyword_from_the_catalog_import_places_a_line,
);
