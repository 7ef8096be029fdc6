//! Invoices (issue #15): the PDF of a paid order for integrations and
//! staff, and the customer's copy, sent as a WhatsApp `document` whose
//! link is signed and expires. The PDFs are read back with poppler's
//! `pdftotext` (poppler-utils; `.ci/run` installs it).

use std::time::Duration;

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::both_backends;
use crate::helpers::{Backend, GraphFake, TestApp, APP_SECRET};
use crate::payments::{act, cart_to_payment_link};

/// The text a PDF reader extracts from `pdf`.
pub(crate) fn pdf_text(pdf: &[u8]) -> String {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("invoice.pdf");
    std::fs::write(&path, pdf).unwrap();
    let out = std::process::Command::new("pdftotext")
        .arg(&path)
        .arg("-")
        .output()
        .expect("pdftotext (poppler-utils) is needed");
    assert!(out.status.success(), "not a readable PDF");
    String::from_utf8(out.stdout).unwrap()
}

/// A UPI shop in West Bengal charging 5 % GST on everything.
pub(crate) async fn shop(backend: Backend, graph: &GraphFake, send: &str) -> TestApp {
    TestApp::spawn_configured(
        backend,
        Some(&graph.url),
        &[
            ("PAYMENTS_PROVIDER", "upi"),
            ("UPI_VPA", "chai@okicici"),
            ("UPI_PAYEE_NAME", "Chai Point"),
            ("ORDERDESK_BUSINESS_NAME", "Chai Point"),
            ("ORDERDESK_BUSINESS_TAX_ID", "19ABCDE1234F1Z5"),
            ("ORDERDESK_BUSINESS_STATE", "West Bengal"),
            ("ORDERDESK_TAX_RATE", "5"),
            ("ORDERDESK_INVOICE_SEND", send),
        ],
    )
    .await
}

/// Staff mark order `n` paid with `reference`; its invoice number.
pub(crate) async fn mark_paid(app: &TestApp, n: i64, reference: &str) -> String {
    let (status, body) = act(app, n, json!({"action": "mark_paid", "reason": reference})).await;
    assert_eq!(status, 200, "{body}");
    body["invoice_number"].as_str().unwrap().to_owned()
}

async fn get_raw(app: &TestApp, path: &str, token: bool) -> reqwest::Response {
    let mut request = app.client.get(app.url(path));
    if token {
        request = request.bearer_auth(&app.token);
    }
    request.send().await.unwrap()
}

/// The document messages sent to `wa`, waiting up to `within` for `n`.
async fn documents_to(graph: &GraphFake, wa: &str, n: usize, within: Duration) -> Vec<Value> {
    let deadline = tokio::time::Instant::now() + within;
    loop {
        let docs: Vec<Value> = graph
            .requests()
            .into_iter()
            .map(|r| r.2)
            .filter(|b| b["to"] == wa && b["type"] == "document")
            .collect();
        if docs.len() >= n || tokio::time::Instant::now() >= deadline {
            return docs;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}

async fn a_paid_orders_invoice_is_downloaded_and_sent_by_a_signed_link(backend: Backend) {
    let graph = GraphFake::start().await;
    let app = shop(backend, &graph, "on_paid").await;
    let wa = "919822200021";
    let (n, _) = cart_to_payment_link(&app, &graph, wa).await;
    let path = format!("/api/v1/orders/{n}/invoice.pdf");

    // Not paid: no invoice, said clearly; unknown orders and callers too.
    let r = get_raw(&app, &path, true).await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["error"]["code"], "not_found");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("no invoice yet"),
        "{body}"
    );
    let r = get_raw(&app, "/api/v1/orders/999999/invoice.pdf", true).await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    assert_eq!(
        get_raw(&app, &path, false).await.status(),
        StatusCode::UNAUTHORIZED
    );
    assert!(documents_to(&graph, wa, 1, Duration::ZERO).await.is_empty());

    let invoice = mark_paid(&app, n, "UTR 4123").await;

    // Staff download it: ₹499.00 including 5 % GST, within West Bengal.
    let r = get_raw(&app, &path, true).await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()["content-type"], "application/pdf");
    let disposition = r.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        disposition.contains(&format!("{invoice}.pdf")),
        "{disposition}"
    );
    let text = pdf_text(&r.bytes().await.unwrap());
    for expected in [
        invoice.as_str(),
        "Chai Point",
        "19ABCDE1234F1Z5",
        "Priya",
        "Kolkata",
        "₹475.24",
        "CGST 2.5%",
        "SGST 2.5%",
        "₹11.88",
        "₹499.00",
        "UTR 4123",
    ] {
        assert!(text.contains(expected), "{expected:?} missing:\n{text}");
    }

    // The customer gets it as a document with its number, once.
    let docs = documents_to(&graph, wa, 1, Duration::from_secs(10)).await;
    assert_eq!(docs.len(), 1, "{docs:?}");
    let doc = &docs[0]["document"];
    assert_eq!(doc["filename"], format!("{invoice}.pdf"));
    assert!(doc["caption"].as_str().unwrap().contains(&invoice), "{doc}");
    let link = doc["link"].as_str().unwrap().to_owned();
    assert!(
        link.starts_with(&app.url("/invoices/")) && link.ends_with(".pdf"),
        "{link}"
    );

    // The link needs no login, and opens that invoice.
    let r = app.client.get(&link).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()["content-type"], "application/pdf");
    assert!(pdf_text(&r.bytes().await.unwrap()).contains(&invoice));

    // Altered, another kind of link, or genuine but old: 404.
    let token = link
        .rsplit('/')
        .next()
        .and_then(|f| f.strip_suffix(".pdf"))
        .unwrap()
        .to_owned();
    let mut flipped = token.clone().into_bytes();
    let last = flipped.len() - 1;
    flipped[last] = if flipped[last] == b'A' { b'B' } else { b'A' };
    let flipped = String::from_utf8(flipped).unwrap();
    let tokens = orderdesk_engine::form_token::FormTokens::from_secret(
        APP_SECRET.as_bytes(),
        orderdesk_engine::form_token::DEFAULT_TTL,
    );
    let number = orderdesk_domain::OrderNumber::new(n).unwrap();
    let address_token = tokens.issue(number, chrono::Utc::now());
    let old = tokens
        .derived(orderdesk_engine::invoices::INVOICE_LINK_PURPOSE)
        .issue(number, chrono::Utc::now() - chrono::Duration::days(8));
    for (file, want) in [
        (format!("{flipped}.pdf"), StatusCode::NOT_FOUND),
        (format!("{address_token}.pdf"), StatusCode::NOT_FOUND),
        (token.clone(), StatusCode::NOT_FOUND),
        (format!("{old}.pdf"), StatusCode::NOT_FOUND),
    ] {
        let r = get_raw(&app, &format!("/invoices/{file}"), false).await;
        assert_eq!(r.status(), want, "{file}");
        let body: Value = r.json().await.unwrap();
        assert!(body["error"]["code"].is_string(), "{body}");
    }
    app.stop().await;
}

async fn with_sending_off_the_customer_gets_no_invoice_but_staff_still_do(backend: Backend) {
    let graph = GraphFake::start().await;
    let app = shop(backend, &graph, "off").await;
    let wa = "919822200022";
    let (n, _) = cart_to_payment_link(&app, &graph, wa).await;
    mark_paid(&app, n, "UTR 9").await;
    // The checkout goes on (the note question) without a document.
    let asked_note = |b: &Value| b["to"] == wa && b["interactive"]["type"] == "button";
    for _ in 0..400 {
        if graph.requests().iter().any(|r| asked_note(&r.2)) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    assert!(graph.requests().iter().any(|r| asked_note(&r.2)));
    assert!(documents_to(&graph, wa, 1, Duration::from_millis(300))
        .await
        .is_empty());
    let r = get_raw(&app, &format!("/api/v1/orders/{n}/invoice.pdf"), true).await;
    assert_eq!(r.status(), StatusCode::OK);
    app.stop().await;
}

/// `on_confirmed`: paying alone sends nothing; confirming the paid order,
/// here from the bulk action, sends the document once.
async fn on_confirmation_a_bulk_confirm_sends_the_invoice_of_a_paid_order(backend: Backend) {
    let graph = GraphFake::start().await;
    let app = shop(backend, &graph, "on_confirmed").await;
    let wa = "919822200023";
    let (n, _) = cart_to_payment_link(&app, &graph, wa).await;
    let invoice = mark_paid(&app, n, "UTR 10").await;
    assert!(documents_to(&graph, wa, 1, Duration::from_millis(500))
        .await
        .is_empty());
    let r = app
        .client
        .post(app.url("/api/v1/orders/bulk"))
        .bearer_auth(&app.token)
        .json(
            &json!({"numbers": [n], "action": "status", "status": "confirmed",
            "reason": "confirmed on the phone"}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["results"][0]["ok"], true, "{body}");
    let docs = documents_to(&graph, wa, 1, Duration::from_secs(10)).await;
    let (_, order) = app.get(&format!("/api/v1/orders/{n}")).await;
    assert_eq!(docs.len(), 1, "{body} {}", order["timeline"]);
    assert_eq!(
        docs[0]["document"]["filename"],
        format!("{invoice}.pdf").as_str()
    );
    // A later move of the paid, confirmed order sends no second copy.
    let (status, body) = app.move_order(n, json!({"status": "approved"})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        documents_to(&graph, wa, 2, Duration::from_millis(500))
            .await
            .len(),
        1
    );
    app.stop().await;
}

/// A returned refund's credit note: its own number, the invoice it
/// corrects, the amount with its tax split as the invoice's was.
async fn a_refund_gets_a_credit_note_pdf_in_its_own_series(backend: Backend) {
    let graph = GraphFake::start().await;
    let app = shop(backend, &graph, "off").await;
    let wa = "919822200024";
    let (n, _) = cart_to_payment_link(&app, &graph, wa).await;
    let invoice = mark_paid(&app, n, "UTR 11").await;
    let path = |file: &str| format!("/api/v1/orders/{n}/credit-notes/{file}");
    let r = get_raw(&app, &path("CN-2026-00001.pdf"), true).await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND, "no refund yet");

    // UPI: the refund is recorded, so the money is back and noted at once.
    let (status, order) = act(
        &app,
        n,
        json!({"action": "refund", "amount_minor": 10_500, "reason": "one cup broke"}),
    )
    .await;
    assert_eq!(status, 200, "{order}");
    let note = order["refunds"][0]["credit_note"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(note.starts_with("CN-"), "{note}");
    let r = get_raw(&app, &path(&format!("{note}.pdf")), true).await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()["content-type"], "application/pdf");
    assert!(r.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .contains(&format!("{note}.pdf")));
    let text = pdf_text(&r.bytes().await.unwrap());
    // ₹105.00 back at 5 % inside: ₹100.00 + CGST ₹2.50 + SGST ₹2.50
    // (the Kolkata buyer is in the shop's state).
    for part in [
        "Credit note",
        note.as_str(),
        invoice.as_str(),
        "Refund against invoice",
        "one cup broke",
        "100.00",
        "CGST 2.5%",
        "2.50",
        "105.00",
        "19ABCDE1234F1Z5",
    ] {
        assert!(text.contains(part), "{part} missing from:\n{text}");
    }
    assert!(
        !text.contains("499.00"),
        "the order's lines are not repeated"
    );

    // Another number, a file not named .pdf, another order, no login: refused.
    for (p, token, want) in [
        (path("CN-2026-00099.pdf"), true, StatusCode::NOT_FOUND),
        (path(&note), true, StatusCode::NOT_FOUND),
        (
            format!("/api/v1/orders/99999/credit-notes/{note}.pdf"),
            true,
            StatusCode::NOT_FOUND,
        ),
        (
            path(&format!("{note}.pdf")),
            false,
            StatusCode::UNAUTHORIZED,
        ),
    ] {
        let r = get_raw(&app, &p, token).await;
        assert_eq!(r.status(), want, "{p}");
        let body: Value = r.json().await.unwrap();
        assert!(body["error"]["message"].is_string(), "{body}");
    }
    app.stop().await;
}

both_backends!(
    a_refund_gets_a_credit_note_pdf_in_its_own_series,
    a_paid_orders_invoice_is_downloaded_and_sent_by_a_signed_link,
    with_sending_off_the_customer_gets_no_invoice_but_staff_still_do,
    on_confirmation_a_bulk_confirm_sends_the_invoice_of_a_paid_order,
);
