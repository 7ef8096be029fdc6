//! `intake`: the typed-order reader's exact-read score on the corpus and
//! its time per message against a large catalog.
//!
//! The large catalog is the grocery corpus catalog plus generated products
//! (brand × product × size, each with a keyword) up to `--products`, so the
//! corpus messages still name real products while every line is compared
//! against an index of that size. Timing is single-threaded wall clock over
//! `--rounds` passes of every corpus message, after one warm-up pass.

use std::time::Instant;

use orderdesk_intake::corpus::{self, TARGET_PERCENT};
use orderdesk_intake::{read, Catalog, CatalogItem};

const BRANDS: &[&str] = &[
    "Amul",
    "Tata",
    "Fortune",
    "Patanjali",
    "Haldiram",
    "Britannia",
    "Parle",
    "Nestle",
    "Dabur",
    "Everest",
    "MDH",
    "Aashirvaad",
    "Saffola",
    "Catch",
    "Kissan",
    "Mother Dairy",
    "Bikaji",
    "Lijjat",
    "Priya",
    "Aachi",
    "Eastern",
    "Sunfeast",
    "Cadbury",
    "Lays",
    "Kurkure",
];
const PRODUCTS: &[(&str, &str)] = &[
    ("Bhujia", "namkeen"),
    ("Pickle", "achaar"),
    ("Papad", "papadam"),
    ("Ketchup", "sauce"),
    ("Jam", "fruit jam"),
    ("Honey", "shahad"),
    ("Vermicelli", "seviyan"),
    ("Oats", "rolled oats"),
    ("Cornflakes", "flakes"),
    ("Chocolate", "choco"),
    ("Cookies", "cookie"),
    ("Rusk", "toast"),
    ("Chips", "wafers"),
    ("Mixture", "chivda"),
    ("Soan Papdi", "patisa"),
    ("Rasgulla", "rosogolla"),
    ("Gulab Jamun", "jamun"),
    ("Kaju", "cashew"),
    ("Badam", "almond"),
    ("Kishmish", "raisin"),
    ("Elaichi", "cardamom"),
    ("Laung", "clove"),
    ("Dalchini", "cinnamon"),
    ("Hing", "asafoetida"),
    ("Ajwain", "carom"),
    ("Methi", "fenugreek"),
    ("Saunf", "fennel"),
    ("Rai", "mustard seed"),
    ("Kasuri Methi", "dry methi"),
    ("Garam Masala", "masala"),
    ("Chole Masala", "chana masala"),
    ("Pav Bhaji Masala", "bhaji masala"),
    ("Sambar Powder", "sambar masala"),
    ("Rasam Powder", "rasam"),
    ("Coconut Oil", "nariyal tel"),
    ("Sesame Oil", "til tel"),
    ("Vinegar", "sirka"),
    ("Soya Chunks", "nutrela"),
    ("Rajma", "kidney beans"),
    ("Kabuli Chana", "chole"),
    ("Urad Dal", "urad"),
    ("Sabudana", "sago"),
    ("Jaggery", "gud"),
    ("Brown Sugar", "khand"),
    ("Dalia", "broken wheat"),
    ("Ragi Flour", "nachni"),
    ("Jowar Flour", "jowar atta"),
    ("Bajra Flour", "bajra atta"),
    ("Rice Flour", "chawal atta"),
    ("Corn Flour", "makki atta"),
];
const SIZES: &[&str] = &[
    "50 g", "100 g", "200 g", "250 g", "500 g", "1 kg", "2 kg", "5 kg",
];

fn large_catalog(products: usize) -> Result<Vec<CatalogItem>, String> {
    let mut items = corpus::catalog_items(corpus::GROCERY.0)?;
    let mut n = 0;
    'fill: for size in SIZES {
        for brand in BRANDS {
            for (product, keyword) in PRODUCTS {
                if items.len() >= products {
                    break 'fill;
                }
                n += 1;
                items.push(CatalogItem::new(
                    &format!("gen-{n}"),
                    &format!("{brand} {product} {size}"),
                    brand,
                    keyword,
                ));
            }
        }
    }
    Ok(items)
}

pub fn intake(products: usize, rounds: usize) -> anyhow::Result<()> {
    let mut messages = Vec::new();
    for (name, corpus) in [("grocery", corpus::GROCERY), ("tea", corpus::TEA)] {
        let score = corpus::score(corpus).map_err(anyhow::Error::msg)?;
        println!(
            "corpus {name}: {}/{} messages read exactly ({:.1} %, target {TARGET_PERCENT} %)",
            score.exact,
            score.total,
            score.percent()
        );
        for case in corpus::cases(corpus.1).map_err(anyhow::Error::msg)? {
            messages.push(case.message);
        }
    }
    let items = large_catalog(products).map_err(anyhow::Error::msg)?;
    let built = Instant::now();
    let catalog = Catalog::new(items);
    println!(
        "catalog: {} products indexed in {:.1} ms",
        catalog.len(),
        built.elapsed().as_secs_f64() * 1e3
    );
    for m in &messages {
        std::hint::black_box(read(&catalog, m));
    }
    let mut times = Vec::with_capacity(messages.len() * rounds);
    // Each message's fastest round: on a loaded machine a round is only
    // ever slowed (preempted, cache lost), never sped up, so the fastest is
    // the message's own cost and the slow tail of `times` is partly the
    // machine's.
    let mut best = vec![f64::INFINITY; messages.len()];
    for _ in 0..rounds {
        for (m, best) in messages.iter().zip(&mut best) {
            let t = Instant::now();
            std::hint::black_box(read(&catalog, m));
            let us = t.elapsed().as_secs_f64() * 1e6;
            times.push(us);
            *best = best.min(us);
        }
    }
    let slowest = best
        .iter()
        .enumerate()
        .max_by(|a, b| a.1.total_cmp(b.1))
        .map(|(at, _)| messages[at].replace('\n', " / "));
    times.sort_by(f64::total_cmp);
    let mean = times.iter().sum::<f64>() / times.len().max(1) as f64;
    println!(
        "read: {} messages × {rounds} rounds, per message mean {mean:.1} µs, p50 {:.1} µs, p99 {:.1} µs, max {:.1} µs (target ≤ 1000 µs)",
        messages.len(),
        quantile(&times, 0.5),
        quantile(&times, 0.99),
        quantile(&times, 1.0)
    );
    best.sort_by(f64::total_cmp);
    println!(
        "read, each message's fastest round: p50 {:.1} µs, p99 {:.1} µs, max {:.1} µs ({})",
        quantile(&best, 0.5),
        quantile(&best, 0.99),
        quantile(&best, 1.0),
        slowest.unwrap_or_default()
    );
    Ok(())
}

/// The `q` quantile of sorted `times` (0 when empty).
fn quantile(times: &[f64], q: f64) -> f64 {
    let at = ((times.len().max(1) - 1) as f64 * q) as usize;
    times.get(at).copied().unwrap_or(0.0)
}
