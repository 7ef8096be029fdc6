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
            "WHATSAPP_PHONE_NUMBER_ID" => "100000000000001".to_owned(),
            "WHATSAPP_ACCESS_TOKEN" => "demo-access-token".to_owned(),
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
    crate::serve_with_store(config, store, listener, crate::shutdown_signal()).await
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
