//! `orderdesk demo`: the product on one machine with no accounts anywhere.
//! Embedded SQLite in a file a second run reuses (or `--fresh`), a seeded
//! catalog of a small shop, an owner login and an API token, all served by
//! the same `serve` code path production uses.
//!
//! WhatsApp is played by the phone simulator (`orderdesk-phone`), mounted
//! on the same listener: `WHATSAPP_GRAPH_URL` points at its Graph API, and
//! the customers on `/phone` post signed webhooks to `/webhooks/whatsapp`.
//! The bot, the outbox and the webhook handler cannot tell it from Meta.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Instant;

use anyhow::Context;
use clap::Args;
use orderdesk_domain::Currency;
use orderdesk_engine::accounts::{self, AccountError};
use orderdesk_phone::{Settings, Simulator, Traffic};
use orderdesk_store::{Product, Role, SettingChange};

use crate::config::Config;

#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Where to listen.
    #[arg(long, default_value = "127.0.0.1:8080")]
    listen: SocketAddr,
    /// The demo database file.
    #[arg(long, default_value = "orderdesk-demo.db")]
    db: PathBuf,
    /// Start from an empty database (deletes the old demo database).
    #[arg(long)]
    fresh: bool,
    /// Simulated customers ordering per minute, so the board looks alive.
    #[arg(long, value_name = "N", default_value_t = 0)]
    traffic: u32,
    /// Native WhatsApp messages: the address asked with WhatsApp's own
    /// form, the payment as an `order_details` message, stage updates as
    /// `order_status` (`ORDERDESK_NATIVE_MESSAGES=on`).
    #[arg(long)]
    native: bool,
}

pub const DEMO_EMAIL: &str = "owner@demo.orderdesk";
pub const DEMO_PASSWORD: &str = "orderdesk-demo";
pub const DEMO_APP_SECRET: &str = "demo-app-secret";
pub const DEMO_VERIFY_TOKEN: &str = "demo-verify-token";
/// The simulated business number.
pub const DEMO_PHONE_NUMBER_ID: &str = "100000000000001";
pub const DEMO_DISPLAY_PHONE_NUMBER: &str = "918045600000";
pub const DEMO_ACCESS_TOKEN: &str = "demo-access-token";

pub async fn run(args: DemoArgs) -> anyhow::Result<()> {
    let started = Instant::now();
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
    let listener = tokio::net::TcpListener::bind(args.listen)
        .await
        .with_context(|| format!("--listen: cannot listen on {}", args.listen))?;
    // Links and the simulator's webhooks go to where we really listen: port
    // 0 becomes the port we got, 0.0.0.0 the loopback address.
    let mut reachable = listener.local_addr()?;
    if reachable.ip().is_unspecified() {
        reachable.set_ip(std::net::Ipv4Addr::LOCALHOST.into());
    }
    let public_url = format!("http://{reachable}");
    let graph_url = format!("{public_url}{}/v23.0", orderdesk_phone::GRAPH_PATH);
    let config = Config::from_sources(None, |key| {
        Some(match key {
            "ORDERDESK_DATABASE_URL" => format!("sqlite://{}", args.db.display()),
            "ORDERDESK_LISTEN" => reachable.to_string(),
            "ORDERDESK_PUBLIC_URL" => public_url.clone(),
            "WHATSAPP_APP_SECRET" => DEMO_APP_SECRET.to_owned(),
            "WHATSAPP_VERIFY_TOKEN" => DEMO_VERIFY_TOKEN.to_owned(),
            "WHATSAPP_GRAPH_URL" => graph_url.clone(),
            "WHATSAPP_PHONE_NUMBER_ID" => DEMO_PHONE_NUMBER_ID.to_owned(),
            "WHATSAPP_ACCESS_TOKEN" => DEMO_ACCESS_TOKEN.to_owned(),
            "PAYMENTS_PROVIDER" => "simulator".to_owned(),
            "WHATSAPP_BUSINESS_ACCOUNT_ID" => orderdesk_phone::DEMO_BUSINESS_ACCOUNT_ID.to_owned(),
            // Products from the chat show the phone's catalog.
            "WHATSAPP_CATALOG_ID" => orderdesk_phone::DEMO_CATALOG_ID.to_owned(),
            "ORDERDESK_NATIVE_MESSAGES" if args.native => "on".to_owned(),
            // The business's own settings (time zone, locale, profile, …)
            // may come from the environment: `ORDERDESK_TIMEZONE=Asia/Kolkata
            // orderdesk demo`. The seller on invoices has demo values
            // unless given, so a demo invoice shows who sells (the
            // first-run setup page looks at WhatsApp, not at these).
            // Cash on delivery too, so `COD_ENABLED=false orderdesk demo`
            // turns it off; otherwise the demo's stored value applies.
            other if other.starts_with("ORDERDESK_") || other == "COD_ENABLED" => {
                return std::env::var(other)
                    .ok()
                    .or_else(|| demo_seller(other).map(str::to_owned))
            }
            _ => return None,
        })
    })?;
    let store = crate::open_store(&config).await?;
    seed(store.as_ref(), &public_url).await?;
    let name = format!(
        "demo {}",
        chrono::Utc::now().format("%Y-%m-%d %H:%M:%S%.3f")
    );
    let token = accounts::create_token(store.as_ref(), &name).await?.secret;
    let phone = Simulator::start(
        Settings::new(
            format!("{public_url}/webhooks/whatsapp"),
            DEMO_APP_SECRET,
            DEMO_PHONE_NUMBER_ID,
            DEMO_DISPLAY_PHONE_NUMBER,
            orderdesk_phone::demo_shop(),
        )
        .with_access_token(DEMO_ACCESS_TOKEN),
    );
    let fresh = store.status_counts().await?.iter().all(|(_, n)| *n == 0);
    let customers = phone_customers(&phone, fresh);
    println!("orderdesk demo is running (database {})", args.db.display());
    println!("  dashboard:  {public_url}/orders");
    println!("  phone:      {public_url}/phone");
    println!("  login:      {DEMO_EMAIL} / {DEMO_PASSWORD}");
    println!("  API token:  {token}");
    println!("  try:        curl -H 'Authorization: Bearer {token}' {public_url}/api/v1/orders");
    println!("  checks:     curl -H 'Authorization: Bearer {token}' {public_url}/api/v1/doctor");
    if args.traffic > 0 {
        println!(
            "  traffic:    {} simulated customers a minute",
            args.traffic
        );
    }
    println!(
        "Ready in {} ms. Press Ctrl-C to stop.",
        started.elapsed().as_millis()
    );
    if fresh {
        tokio::spawn(send_sample_carts(phone.clone(), customers));
    }
    if args.traffic > 0 {
        tokio::spawn(orderdesk_phone::run_traffic(
            phone.clone(),
            Traffic::per_minute(args.traffic),
        ));
    }
    let extra = orderdesk_phone::router(phone);
    crate::serve_with_extra(
        config,
        store,
        listener,
        crate::shutdown_signal(),
        Some(extra),
    )
    .await
}

/// A sample customer's `(phone, name, [(retailer_id, quantity)], text)`.
type SampleCart = (
    &'static str,
    &'static str,
    &'static [(&'static str, u32)],
    &'static str,
);

/// The customer the phone opens as, with an empty chat to order from.
const YOU: (&str, &str) = ("+91 98765 43210", "Priya Sharma");

/// Customers who "order" on a fresh demo, so there is something to look at.
const SAMPLE_CARTS: &[SampleCart] = &[
    (
        "+91 98123 45601",
        "Asha Rao",
        &[("tea-assam-250", 2), ("mug-clay-2", 1)],
        "",
    ),
    (
        "+91 98123 45602",
        "Vikram Iyer",
        &[("gift-box-4", 1)],
        "It's a gift, please no invoice in the box",
    ),
    (
        "+44 7700 900123",
        "Zoë <b>Hughes</b>",
        &[
            ("tea-masala-200", 3),
            ("biscuits-ginger", 2),
            ("honey-forest-250", 1),
        ],
        "",
    ),
];

/// Adds the phone's customers: "you" first, then the sample customers on
/// a fresh database. Returns the sample customers' wa_ids.
fn phone_customers(phone: &Simulator, fresh: bool) -> Vec<String> {
    let mut added = Vec::new();
    let _ = phone.add_customer(YOU.1, YOU.0);
    if fresh {
        for (number, name, _, _) in SAMPLE_CARTS {
            match phone.add_customer(name, number) {
                Ok(c) => added.push(c.wa_id),
                Err(e) => tracing::warn!(error = %e, "demo: could not add a sample customer"),
            }
        }
    }
    added
}

/// The sample customers send their carts through the simulator, exactly
/// as Meta would deliver them: signed webhook, inbox, processor, bot.
async fn send_sample_carts(phone: Simulator, customers: Vec<String>) {
    for (wa_id, (_, _, lines, text)) in customers.iter().zip(SAMPLE_CARTS) {
        let lines: Vec<(String, u32)> = lines
            .iter()
            .map(|(id, qty)| ((*id).to_owned(), *qty))
            .collect();
        if let Err(e) = phone.send_cart(wa_id, &lines, Some(text)) {
            tracing::warn!(error = %e, "demo: could not send a sample cart");
        }
    }
}

/// The demo business as its invoices name it (a made-up GSTIN of the
/// right shape, for Maharashtra, whose code is 27), unless the
/// environment says otherwise.
pub const DEMO_SELLER: [(&str, &str); 5] = [
    (
        "ORDERDESK_BUSINESS_NAME",
        orderdesk_phone::DEMO_BUSINESS_NAME,
    ),
    ("ORDERDESK_BUSINESS_ADDRESS", "12 Tilak Road\nPune 411002"),
    ("ORDERDESK_BUSINESS_STATE", "Maharashtra"),
    ("ORDERDESK_BUSINESS_TAX_ID", "27AAACC1234D1Z5"),
    ("ORDERDESK_TAX_RATE", "5"),
];

/// The demo offers cash on delivery, asks its customers to confirm, and
/// asks for a rating a minute after delivery, so both run on the phone with
/// no setup (issue #19). They are the demo's own stored settings, not the
/// product's defaults (which stay off): the owner may change them at
/// `/settings`, and the environment wins as always.
pub const DEMO_FOLLOWUPS: [(&str, &str); 4] = [
    ("COD_ENABLED", "true"),
    ("ORDERDESK_COD_CONFIRM", "on"),
    ("ORDERDESK_COD_CONFIRM_WAIT", "10m"),
    ("ORDERDESK_FEEDBACK_AFTER", "1m"),
];

/// Stores the demo's follow-up settings that are not stored yet, so a
/// value the owner changed at `/settings` stays as they left it.
async fn seed_followups(store: &dyn orderdesk_store::Store) -> anyhow::Result<()> {
    let stored = store.stored_settings().await?;
    let missing: Vec<SettingChange> = DEMO_FOLLOWUPS
        .iter()
        .filter(|(key, _)| !stored.iter().any(|s| s.key == *key))
        .map(|(key, value)| SettingChange {
            key: (*key).to_owned(),
            value: Some((*value).to_owned()),
        })
        .collect();
    if !missing.is_empty() {
        store
            .put_settings(&missing, chrono::Utc::now(), "orderdesk demo")
            .await?;
    }
    Ok(())
}

fn demo_seller(key: &str) -> Option<&'static str> {
    DEMO_SELLER.iter().find(|(k, _)| *k == key).map(|(_, v)| *v)
}

/// Seeds the catalog (refreshed every run, so picture links follow the
/// address) and the owner once; a second run finds the owner and moves on.
async fn seed(store: &dyn orderdesk_store::Store, public_url: &str) -> anyhow::Result<()> {
    let products = orderdesk_phone::demo_shop()
        .into_iter()
        .map(|p| {
            Ok(Product {
                image_link: format!("{public_url}/simulator/images/{}.svg", p.retailer_id),
                link: format!("{public_url}/phone"),
                retailer_id: p.retailer_id,
                title: p.title,
                description: p.description,
                availability: "in stock".to_owned(),
                condition: "new".to_owned(),
                price_minor: p.price_minor,
                currency: Currency::parse(&p.currency)?,
                brand: p.brand,
            })
        })
        .collect::<anyhow::Result<Vec<Product>>>()?;
    store.upsert_products(&products).await?;
    seed_followups(store).await?;
    if store.user_by_email(DEMO_EMAIL).await?.is_some() {
        return Ok(());
    }
    let created = accounts::add_user(
        store,
        DEMO_EMAIL,
        Role::Owner,
        Some(DEMO_PASSWORD.to_owned()),
        &accounts::OffWorkers,
    )
    .await;
    match created {
        Ok(_) | Err(AccountError::EmailTaken(_)) => Ok(()),
        Err(e) => Err(e.into()),
    }
}
