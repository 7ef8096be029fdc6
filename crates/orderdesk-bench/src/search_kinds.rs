//! Every kind of search issue #16 asks to be fast (≤ 50 ms p99), on orders
//! that carry what is searched: every 10th order gets an address (a phone
//! spelled `+91 6… …`, a street, one of ten cities, a postal code) and a
//! tracking number, every 50th a customer name with an accent (`Zoë`),
//! every 100th a note. Both `list` (SQLite) and `big-list` (PostgreSQL)
//! fill the same columns the same way, in their own SQL, and time the same
//! requests, built here from the order number they look for.

/// The cities, picked by `(number / 10) % 10`: one order in 100 each.
pub const CITIES: [&str; 10] = [
    "Pune",
    "Mumbai",
    "Kolkata",
    "Chennai",
    "Bengaluru",
    "Jaipur",
    "Lucknow",
    "Kochi",
    "Indore",
    "Bhopal",
];

/// The address phone's ten national digits for order `number`: spread
/// (times a prime, modulo 4·10⁹) so the digits vary as real ones do.
pub fn phone(number: u64) -> u64 {
    6_000_000_000 + (number * 7919) % 4_000_000_000
}

/// The postal code of order `number`'s address.
pub fn postal_code(number: u64) -> u64 {
    400_000 + (number * 31) % 100_000
}

/// The tracking number of order `number` (India Post's shape).
pub fn tracking(number: u64) -> String {
    format!("EE{number:09}IN")
}

/// The cities as a JSON array, for the seeding SQL.
pub fn cities_json() -> String {
    let quoted: Vec<String> = CITIES.iter().map(|c| format!("\"{c}\"")).collect();
    format!("[{}]", quoted.join(","))
}

/// The path of each kind of search, for an order `number` that has an
/// address (a multiple of 10): its phone in three spellings, an accent
/// left out, `item` (a product name or id sold in one order in 12), a city
/// (one order in 100), its postal code, its tracking number, a note's words
/// (one order in 100).
pub fn paths(number: u64, item: &str) -> Vec<String> {
    let p = phone(number);
    let (head, tail) = (p / 100_000, p % 100_000);
    [
        format!("%2B91%20{head}%20{tail:05}"),
        format!("0{p}"),
        p.to_string(),
        "zoe".to_owned(),
        item.replace(' ', "%20"),
        CITIES[7].to_owned(),
        postal_code(number).to_string(),
        tracking(number),
        "gift%20wrap".to_owned(),
    ]
    .into_iter()
    .map(|q| format!("/api/v1/orders?q={q}&limit=50"))
    .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_spelling_is_the_same_phone() {
        let paths = paths(4_240, "sku-7");
        assert_eq!(phone(4_240), 6_033_576_560);
        assert!(paths[0].contains("q=%2B91%2060335%2076560&"));
        assert!(paths[1].contains("q=06033576560&"));
        assert_eq!(cities_json().matches(',').count(), CITIES.len() - 1);
        assert_eq!(tracking(4_240), "EE000004240IN");
    }
}
