//! `orderdesk demo`: the product on one machine with no accounts anywhere.
//! Embedded SQLite in a file a second run reuses (or `--fresh`), a seeded
//! catalog of a small shop, an owner login and an API token, all served by
//! the same `serve` code path production uses.

use std::net::SocketAddr;
use std::path::PathBuf;

use anyhow::Context;
use clap::Args;
use orderdesk_domain::Currency;
use orderdesk_store::{NewApiToken, NewUser, Product, Role, StoreError};

use crate::config::Config;

#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Where to listen.
    #[arg(long, default_value = "127.0.0.1:8080")]
    listen: SocketAddr,
    /// The demo database file.
    #[arg(long, default_value = "orderdesk-demo.db")]
    db: PathBuf,
    /// Start from an empty database.
    #[arg(long)]
    fresh: bool,
}

pub const DEMO_EMAIL: &str = "owner@demo.orderdesk";
pub const DEMO_PASSWORD: &str = "orderdesk-demo";
pub const DEMO_APP_SECRET: &str = "demo-app-secret";
pub const DEMO_VERIFY_TOKEN: &str = "demo-verify-token";

/// (id, title, price in minor units) of a believable small tea shop, in INR.
const CATALOG: &[(&str, &str, i64)] = &[
    ("tea-assam-250", "Assam Breakfast Tea 250 g", 34900),
    ("tea-darjeeling-100", "Darjeeling First Flush 100 g", 59900),
    ("tea-masala-200", "Masala Chai Blend 200 g", 29900),
    ("tea-green-100", "Nilgiri Green Tea 100 g", 27500),
    ("tea-tulsi-100", "Tulsi Ginger Infusion 100 g", 24900),
    ("tea-kashmiri-100", "Kashmiri Kahwa 100 g", 44900),
    ("honey-forest-250", "Wild Forest Honey 250 g", 39900),
    ("mug-clay-2", "Kulhad Clay Cups (set of 2)", 19900),
    ("kettle-brass", "Brass Tea Kettle 1 l", 189900),
    ("strainer-steel", "Steel Tea Strainer", 14900),
    ("gift-box-4", "Tasting Gift Box (4 teas)", 99900),
    ("biscuits-ginger", "Ginger Biscuits 200 g", 12900),
];

pub async fn run(args: DemoArgs) -> anyhow::Result<()> {
    if args.fresh {
        for suffix in ["", "-wal", "-shm"] {
            let mut path = args.db.clone().into_os_string();
            path.push(suffix);
            match std::fs::remove_file(&path) {
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => return Err(e).context("--fresh: cannot remove the old demo database"),
            }
        }
    }
    let public_url = format!("http://{}", args.listen);
    let config = Config::from_sources(None, |key| {
        Some(match key {
            "ORDERDESK_DATABASE_URL" => format!("sqlite://{}", args.db.display()),
            "ORDERDESK_LISTEN" => args.listen.to_string(),
            "ORDERDESK_PUBLIC_URL" => public_url.clone(),
            "WHATSAPP_APP_SECRET" => DEMO_APP_SECRET.to_owned(),
            "WHATSAPP_VERIFY_TOKEN" => DEMO_VERIFY_TOKEN.to_owned(),
            // No Graph credentials until the phone simulator (issue #6) is
            // there to receive: outbound messages wait in the outbox rather
            // than go to the real graph.facebook.com.
            "PAYMENTS_PROVIDER" => "simulator".to_owned(),
            _ => return None,
        })
    })?;
    let listener = tokio::net::TcpListener::bind(args.listen)
        .await
        .with_context(|| format!("--listen: cannot listen on {}", args.listen))?;
    let store = crate::open_store(&config).await?;
    seed(store.as_ref()).await?;
    let token = crate::cli::token::new_secret();
    store
        .create_token(&NewApiToken {
            name: format!(
                "demo {}",
                chrono::Utc::now().format("%Y-%m-%d %H:%M:%S%.3f")
            ),
            secret_hash: orderdesk_web::auth::token_hash(&token),
            created_at: chrono::Utc::now(),
        })
        .await?;
    println!("orderdesk demo is running (database {})", args.db.display());
    println!("  API:        {public_url}/api/v1/orders");
    println!("  events:     {public_url}/api/v1/events");
    println!("  webhook:    {public_url}/webhooks/whatsapp (app secret '{DEMO_APP_SECRET}')");
    println!("  login:      {DEMO_EMAIL} / {DEMO_PASSWORD}");
    println!("  API token:  {token}");
    println!("  try:        curl -H 'Authorization: Bearer {token}' {public_url}/api/v1/orders");
    println!("Press Ctrl-C to stop.");
    if store.status_counts().await?.iter().all(|(_, n)| *n == 0) {
        tokio::spawn(send_sample_carts(public_url.clone()));
    }
    crate::serve_with_store(config, store, listener, crate::shutdown_signal()).await
}

/// A sample customer's `(wa_id, name, [(catalog index, quantity)])`.
type SampleCart = (&'static str, &'static str, &'static [(usize, u32)]);

/// Customers who "order" on a fresh demo, so there is something to look at.
const SAMPLE_CARTS: &[SampleCart] = &[
    ("919812345601", "Asha Rao", &[(0, 2), (7, 1)]),
    ("919812345602", "Vikram Iyer", &[(10, 1)]),
    (
        "447700900123",
        "Zoë <b>Hughes</b>",
        &[(2, 3), (11, 2), (6, 1)],
    ),
];

/// Posts a few signed carts to our own webhook, exactly as Meta would, so
/// they take the production path: signature, inbox, processor, event log.
async fn send_sample_carts(base: String) {
    let client = reqwest::Client::new();
    for (i, (wa_id, name, lines)) in SAMPLE_CARTS.iter().enumerate() {
        let items: Vec<serde_json::Value> = lines
            .iter()
            .filter_map(|(product, qty)| CATALOG.get(*product).map(|p| (p, qty)))
            .map(|((id, _, price), qty)| {
                // item_price is a JSON number in major units, as WhatsApp sends it.
                let major: serde_json::Number = format!("{}.{:02}", price / 100, price % 100)
                    .parse()
                    .unwrap_or_else(|_| serde_json::Number::from(0));
                serde_json::json!({"product_retailer_id": id, "quantity": qty,
                    "item_price": major, "currency": "INR"})
            })
            .collect();
        let body = serde_json::json!({
            "object": "whatsapp_business_account",
            "entry": [{"id": "100000000000000", "changes": [{"field": "messages", "value": {
                "messaging_product": "whatsapp",
                "metadata": {"display_phone_number": "15550000000", "phone_number_id": "100000000000001"},
                "contacts": [{"profile": {"name": name}, "wa_id": wa_id, "user_id": format!("IN.demo{i}")}],
                "messages": [{"from": wa_id, "id": format!("wamid.demo-sample-{i}"),
                    "timestamp": chrono::Utc::now().timestamp().to_string(), "type": "order",
                    "order": {"catalog_id": "demo", "text": "", "product_items": items}}]
            }}]}]
        })
        .to_string();
        let signature = orderdesk_whatsapp::sign(DEMO_APP_SECRET.as_bytes(), body.as_bytes());
        let sent = client
            .post(format!("{base}/webhooks/whatsapp"))
            .header("x-hub-signature-256", signature)
            .header("content-type", "application/json")
            .body(body)
            .send()
            .await;
        if let Err(e) = sent {
            tracing::warn!(error = %e, "demo: could not send a sample cart");
        }
    }
}

/// Seeds the catalog and the owner once; a second run finds them and moves on.
async fn seed(store: &dyn orderdesk_store::Store) -> anyhow::Result<()> {
    let inr = Currency::parse("INR")?;
    let products: Vec<Product> = CATALOG
        .iter()
        .map(|(id, title, price)| Product {
            retailer_id: (*id).to_owned(),
            title: (*title).to_owned(),
            description: String::new(),
            availability: "in stock".to_owned(),
            condition: "new".to_owned(),
            price_minor: *price,
            currency: inr,
            link: String::new(),
            image_link: String::new(),
            brand: "Chai & Co".to_owned(),
        })
        .collect();
    if store.products().await?.is_empty() {
        store.upsert_products(&products).await?;
    }
    let created = store
        .create_user(&NewUser {
            email: DEMO_EMAIL.to_owned(),
            role: Role::Owner,
            password_hash: crate::cli::user::hash_password(DEMO_PASSWORD)?,
            created_at: chrono::Utc::now(),
        })
        .await;
    match created {
        Ok(_) | Err(StoreError::Duplicate(_)) => Ok(()),
        Err(e) => Err(e.into()),
    }
}
