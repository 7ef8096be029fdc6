//! Randomised properties over many generated messages (seeded, so a
//! failure repeats): the reader never panics, never invents a product,
//! accounts for every line, and reads a catalog title back as itself.

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use super::*;

const ALPHABET: &[char] = &[
    'a', 'b', 'k', 'g', 'l', 'm', ' ', ' ', ',', '\n', '1', '2', '5', '0', '.', '/', '?', 'x', 'é',
    '½', '+', '-', '&',
];

fn random_text(rng: &mut StdRng, len: usize) -> String {
    (0..len)
        .map(|_| ALPHABET[rng.gen_range(0..ALPHABET.len())])
        .collect()
}

#[test]
fn any_text_reads_without_panicking_and_names_only_catalog_products() {
    let c = super::grocery();
    let mut rng = StdRng::seed_from_u64(21);
    for _ in 0..3000 {
        let len = rng.gen_range(0..80);
        let text = random_text(&mut rng, len);
        let r = read(&c, &text);
        for item in &r.items {
            assert!(c.title(&item.retailer_id).is_some(), "{text:?}");
            assert!((1..=MAX_QUANTITY).contains(&item.quantity), "{text:?}");
        }
        let lines = r.items.len() + r.ambiguous.len() + r.unmatched.len();
        assert!(lines <= MAX_LINES, "{text:?}");
    }
}

#[test]
fn every_title_reads_back_as_its_own_product_with_any_count() {
    let c = super::grocery();
    let mut rng = StdRng::seed_from_u64(7);
    for entry in &c.entries {
        // Products sharing a title but for the size need the size to tell them apart.
        for _ in 0..20 {
            let n: u32 = rng.gen_range(1..50);
            let r = read(&c, &format!("{n} x {}", entry.title));
            assert_eq!(r.items.len(), 1, "{}: {r:?}", entry.title);
            assert_eq!(r.items[0].retailer_id, entry.retailer_id);
            assert_eq!(r.items[0].quantity, n, "{}", entry.title);
        }
    }
}

#[test]
fn shuffled_lines_read_as_the_same_items_in_their_new_order() {
    let c = super::grocery();
    let phrases = [
        "2 kg atta",
        "3 maggi",
        "1 kg pyaz",
        "500 g tamatar",
        "sugar",
    ];
    let mut rng = StdRng::seed_from_u64(3);
    for _ in 0..200 {
        let mut order: Vec<&str> = phrases.to_vec();
        for i in (1..order.len()).rev() {
            order.swap(i, rng.gen_range(0..=i));
        }
        let sep = [", ", "\n", " and ", " + "][rng.gen_range(0..4)];
        let r = read(&c, &order.join(sep));
        let texts: Vec<&str> = r.items.iter().map(|i| i.text.as_str()).collect();
        assert_eq!(texts, order, "{r:?}");
    }
}
