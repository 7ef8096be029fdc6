//! Background customers for `orderdesk demo --traffic N`: every 60/N
//! seconds a new customer sends a cart through the simulator, then behaves
//! like a person on a phone: reads the bot's messages, fills in the hosted
//! address form (a real HTTP POST to the link the bot sent), taps the
//! payment and note buttons, and sometimes wanders off half-way, so the
//! board shows orders at every step. Now and then one types the address
//! into the chat instead, twice, and taps "Talk to a person" when the bot
//! offers it, so the inbox has someone waiting. Offered cash on delivery,
//! some take it, and most of those answer the confirmation question
//! (Confirm, now and then Cancel, a few never), so staff can approve them.

use std::time::Duration;

use orderdesk_domain::followup::{CodAnswer, FollowupTap};
use orderdesk_domain::{ButtonAction, ButtonId, HANDOVER_BUTTON_ID};
use rand::seq::SliceRandom;
use rand::Rng;

use crate::{Message, Side, Simulator};

/// How much simulated traffic to make.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Traffic {
    per_minute: u32,
    /// Percent of a person's reading and typing pauses actually waited.
    pace: u32,
}

impl Traffic {
    /// `n` new customers a minute, pausing like people do.
    pub fn per_minute(n: u32) -> Self {
        Self {
            per_minute: n,
            pace: 100,
        }
    }

    /// Customers who act without pauses, for tests.
    #[must_use]
    pub fn without_pauses(mut self) -> Self {
        self.pace = 0;
        self
    }
}

const FIRST: &[&str] = &[
    "Aarav", "Diya", "Kabir", "Meera", "Rohan", "Ananya", "Ishaan", "Kavya", "Arjun", "Saanvi",
    "Farhan", "Nisha", "Tenzin", "Lakshmi", "Gurpreet", "Joseph",
];
const LAST: &[&str] = &[
    "Sharma",
    "Iyer",
    "Khan",
    "Reddy",
    "Das",
    "Menon",
    "Singh",
    "Patel",
    "Fernandes",
    "Bose",
    "Nair",
    "Gupta",
];
/// `(city, state, postal code prefix)`.
const CITIES: &[(&str, &str, &str)] = &[
    ("Bengaluru", "Karnataka", "560"),
    ("Mumbai", "Maharashtra", "400"),
    ("Chennai", "Tamil Nadu", "600"),
    ("Kolkata", "West Bengal", "700"),
    ("Pune", "Maharashtra", "411"),
    ("Hyderabad", "Telangana", "500"),
    ("Kochi", "Kerala", "682"),
    ("Jaipur", "Rajasthan", "302"),
];
const CART_TEXTS: &[&str] = &[
    "Please deliver after 6 pm",
    "Is the Darjeeling fresh stock?",
    "Gift wrap if possible 🎁",
];
const NOTES: &[&str] = &[
    "Leave it with the security guard",
    "Call before delivery please",
    "Ring the bell twice",
];

/// Runs until the process ends, starting a customer every `60 / N` seconds.
pub async fn run_traffic(sim: Simulator, traffic: Traffic) {
    if traffic.per_minute == 0 {
        return;
    }
    let every = Duration::from_secs_f64(60.0 / f64::from(traffic.per_minute));
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap_or_default();
    let mut tick = tokio::time::interval(every);
    loop {
        tick.tick().await;
        let (sim, http) = (sim.clone(), http.clone());
        tokio::spawn(async move {
            if let Err(e) = journey(&sim, &http, traffic.pace).await {
                tracing::debug!(error = %e, "simulated customer stopped");
            }
        });
    }
}

/// One simulated customer, from cart to confirmation (or not).
async fn journey(sim: &Simulator, http: &reqwest::Client, pace: u32) -> Result<(), String> {
    let pause = |min_ms: u64, max_ms: u64| pause_paced(min_ms, max_ms, pace);
    let (name, phone, lines, cart_text, city, quits_at, cod) = {
        let mut rng = rand::thread_rng();
        let name = format!(
            "{} {}",
            FIRST.choose(&mut rng).unwrap_or(&"Asha"),
            LAST.choose(&mut rng).unwrap_or(&"Rao")
        );
        let phone = format!("+91 9{:09}", rng.gen_range(0..1_000_000_000u32));
        let mut products: Vec<&crate::Product> = sim.catalog().iter().collect();
        products.shuffle(&mut rng);
        let count = rng.gen_range(1..=3);
        let lines: Vec<(String, u32)> = products
            .iter()
            .take(count)
            .map(|p| (p.retailer_id.clone(), rng.gen_range(1..=3)))
            .collect();
        let cart_text = rng
            .gen_bool(0.25)
            .then(|| CART_TEXTS.choose(&mut rng).copied().unwrap_or_default());
        let city = *CITIES.choose(&mut rng).unwrap_or(&CITIES[0]);
        // Some never give an address, some never pay: the board shows both.
        let quits_at = match rng.gen_range(0..10) {
            0 => Step::Address,
            1 => Step::Payment,
            2 => Step::Person,
            _ => Step::Never,
        };
        // Offered both, two in five take cash on delivery; asked to confirm
        // it, most do, one in ten cancels and one in ten never answers.
        let cod = rng.gen_bool(0.4).then(|| match rng.gen_range(0..10) {
            0 => Some(CodAnswer::Cancel),
            1 => None,
            _ => Some(CodAnswer::Confirm),
        });
        (name, phone, lines, cart_text, city, quits_at, cod)
    };
    let customer = sim.add_customer(&name, &phone).map_err(|e| e.to_string())?;
    let wa = customer.wa_id.clone();
    let mut seen = Seen {
        version: sim.thread(&wa, 0).map(|t| t.version).unwrap_or(0),
        wamids: std::collections::HashSet::new(),
        unread: std::collections::VecDeque::new(),
    };
    sim.send_cart(&wa, &lines, cart_text)
        .map_err(|e| e.to_string())?;
    // Anything the bot sends is answered by what the customer does next;
    // a customer who hears nothing for a minute gives up.
    let mut typed = 0;
    for _ in 0..12 {
        let Some(message) = next_business_message(sim, &wa, &mut seen).await else {
            return Err("the bot went quiet".into());
        };
        pause(1_500, 5_000).await;
        let _ = sim.read_all(&wa);
        if let Some(link) = &message.link {
            if link.url.contains("/address/") {
                if quits_at == Step::Address {
                    return Ok(());
                }
                if quits_at == Step::Person && typed < 2 {
                    // Types rather than opening the form; the bot keeps it
                    // and, the second time, offers a person.
                    pause(2_000, 6_000).await;
                    let text = if typed == 0 {
                        format!(
                            "My address is 14 {} Road, {} {}001",
                            LAST[0], city.0, city.2
                        )
                    } else {
                        "hello? can someone help".to_owned()
                    };
                    sim.send_text(&wa, &text).map_err(|e| e.to_string())?;
                    typed += 1;
                    continue;
                }
                pause(2_000, 6_000).await;
                fill_address(http, &link.url, &customer.name, &phone, city).await?;
            } else if quits_at == Step::Payment {
                return Ok(());
            } else {
                pause(3_000, 8_000).await;
                pay(http, &link.url).await?;
            }
            continue;
        }
        // Buttons are found by what their id asks for, not by their title:
        // titles are the business's editable texts, ids are the contract.
        let pick = |wanted: ButtonAction| {
            message
                .buttons
                .iter()
                .find(|b| ButtonId::parse(&b.id).is_some_and(|id| id.action == wanted))
                .map(|b| b.id.clone())
        };
        if let Some(person) = message.buttons.iter().find(|b| b.id == HANDOVER_BUTTON_ID) {
            sim.tap(&wa, &message.wamid, &person.id)
                .map_err(|e| e.to_string())?;
            return Ok(());
        }
        let cod_question =
            message
                .buttons
                .iter()
                .find_map(|b| match (FollowupTap::parse(&b.id), cod.flatten()) {
                    (Some(FollowupTap::Cod { answer, .. }), Some(wanted)) if answer == wanted => {
                        Some(b.id.clone())
                    }
                    _ => None,
                });
        let pays = match (pick(ButtonAction::PayOnline), pick(ButtonAction::PayCod)) {
            (Some(online), Some(by_cod)) => Some(if cod.is_some() { by_cod } else { online }),
            (online, by_cod) => online.or(by_cod),
        };
        if let Some(answer) = cod_question {
            sim.tap(&wa, &message.wamid, &answer)
                .map_err(|e| e.to_string())?;
        } else if message
            .buttons
            .iter()
            .any(|b| FollowupTap::parse(&b.id).is_some())
        {
            // A question this customer leaves unanswered.
            return Ok(());
        } else if let Some(pays) = pays {
            if quits_at == Step::Payment {
                return Ok(());
            }
            sim.tap(&wa, &message.wamid, &pays)
                .map_err(|e| e.to_string())?;
        } else if let Some(skip) = pick(ButtonAction::SkipNote) {
            let add = pick(ButtonAction::AddNote).filter(|_| rand::thread_rng().gen_bool(0.3));
            match add {
                Some(add) => {
                    sim.tap(&wa, &message.wamid, &add)
                        .map_err(|e| e.to_string())?;
                    let _ = next_business_message(sim, &wa, &mut seen).await;
                    pause(2_000, 5_000).await;
                    let note = NOTES
                        .choose(&mut rand::thread_rng())
                        .copied()
                        .unwrap_or_default();
                    sim.send_text(&wa, note).map_err(|e| e.to_string())?;
                }
                None => {
                    sim.tap(&wa, &message.wamid, &skip)
                        .map_err(|e| e.to_string())?;
                }
            }
        } else if message
            .text
            .as_deref()
            .is_some_and(|t| t.to_lowercase().contains("confirmed"))
        {
            return Ok(());
        }
    }
    Ok(())
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Step {
    Address,
    Payment,
    /// Types the address in the chat and asks for a person.
    Person,
    Never,
}

async fn pause_paced(min_ms: u64, max_ms: u64, pace: u32) {
    let ms = rand::thread_rng().gen_range(min_ms..=max_ms) * u64::from(pace) / 100;
    tokio::time::sleep(Duration::from_millis(ms)).await;
}

/// What a simulated customer has already seen of the thread, and the
/// business messages that arrived but are not read yet.
struct Seen {
    version: u64,
    wamids: std::collections::HashSet<String>,
    unread: std::collections::VecDeque<Message>,
}

/// The next message from the business, oldest first, waiting up to a
/// minute. A tick change brings an old message back in the changes; it is
/// not news.
async fn next_business_message(sim: &Simulator, wa: &str, seen: &mut Seen) -> Option<Message> {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
    while seen.unread.is_empty() && tokio::time::Instant::now() < deadline {
        let changes = sim
            .wait_thread(wa, seen.version, Duration::from_secs(20))
            .await?;
        seen.version = changes.version;
        for m in changes.messages {
            if m.from == Side::Business && seen.wamids.insert(m.wamid.clone()) {
                seen.unread.push_back(m);
            }
        }
    }
    seen.unread.pop_front()
}

/// Submits the hosted address form the bot linked to, as a phone's browser does.
async fn fill_address(
    http: &reqwest::Client,
    url: &str,
    name: &str,
    phone: &str,
    (city, state, pin): (&str, &str, &str),
) -> Result<(), String> {
    let (house, postal) = {
        let mut rng = rand::thread_rng();
        (
            rng.gen_range(1..200),
            format!("{pin}{:03}", rng.gen_range(1..100)),
        )
    };
    let line1 = format!(
        "{house}, {} Road",
        LAST.choose(&mut rand::thread_rng()).unwrap_or(&"MG")
    );
    let form = [
        ("name", name),
        ("phone", phone),
        ("line1", line1.as_str()),
        ("line2", ""),
        ("city", city),
        ("state", state),
        ("postal_code", postal.as_str()),
        ("country", "IN"),
    ];
    submit(http, url, &form, "address form").await
}

/// Pays on the payment page the bot linked to: the built-in payment
/// simulator's page (`/simulator/pay/…`) takes a form POST to its own
/// address with `outcome=pay` (or, now and then, `fail`). Other providers'
/// pages cannot be paid by a robot, so the order stays unpaid.
async fn pay(http: &reqwest::Client, url: &str) -> Result<(), String> {
    if !url.contains("/simulator/pay/") {
        return Err("no robot can pay on this payment page".into());
    }
    let outcome = if rand::thread_rng().gen_bool(0.1) {
        "fail"
    } else {
        "pay"
    };
    submit(http, url, &[("outcome", outcome)], "payment page").await
}

/// Posts `form` to `url` as a browser would; a success or a redirect (the
/// page's own "done" answer) is done, anything else is said as what `page`
/// answered.
async fn submit(
    http: &reqwest::Client,
    url: &str,
    form: &[(&str, &str)],
    page: &str,
) -> Result<(), String> {
    let answer = http
        .post(url)
        .form(form)
        .send()
        .await
        .map_err(|e| e.to_string())?;
    if answer.status().is_success() || answer.status().is_redirection() {
        Ok(())
    } else {
        Err(format!("{page} answered {}", answer.status()))
    }
}
