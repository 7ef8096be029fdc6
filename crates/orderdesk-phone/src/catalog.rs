//! The shop the phone browses: products with titles, descriptions and
//! prices, and the demo's own small tea shop.
//!
//! The server keeps its own copy of the catalog (the `products` table, as
//! `orderdesk catalog import` fills it); a cart names products by
//! `retailer_id` and carries their prices, so both copies must agree. The
//! demo seeds the server from [`demo_shop`] for that reason.

use serde::Serialize;

/// One product of the catalog, as WhatsApp's catalog browser shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Product {
    /// The id carts carry as `product_retailer_id`.
    pub retailer_id: String,
    pub title: String,
    pub description: String,
    /// Price in minor units of `currency` (paise for INR).
    pub price_minor: i64,
    /// ISO 4217 code.
    pub currency: String,
    pub brand: String,
}

/// The business name the phone shows at the top of the chat.
pub const DEMO_BUSINESS_NAME: &str = "Chai & Co";

/// `(retailer_id, title, description, price in paise)` of a small tea shop.
const SHOP: &[(&str, &str, &str, i64)] = &[
    (
        "tea-assam-250",
        "Assam Breakfast Tea 250 g",
        "Malty, full-bodied CTC from Dibrugarh estates. Takes milk well.",
        34900,
    ),
    (
        "tea-darjeeling-100",
        "Darjeeling First Flush 100 g",
        "Spring-picked whole leaf with a bright, muscatel finish.",
        59900,
    ),
    (
        "tea-masala-200",
        "Masala Chai Blend 200 g",
        "Assam tea with cardamom, ginger, cinnamon and clove. Boil with milk.",
        29900,
    ),
    (
        "tea-green-100",
        "Nilgiri Green Tea 100 g",
        "Light, grassy green tea from the Blue Mountains. Brew at 80 °C.",
        27500,
    ),
    (
        "tea-tulsi-100",
        "Tulsi Ginger Infusion 100 g",
        "Caffeine-free holy basil with dried ginger. Calming after dinner.",
        24900,
    ),
    (
        "tea-kashmiri-100",
        "Kashmiri Kahwa 100 g",
        "Green tea with saffron, almond and cardamom, as served in Srinagar.",
        44900,
    ),
    (
        "honey-forest-250",
        "Wild Forest Honey 250 g",
        "Raw multiflora honey from the Western Ghats. Unheated, unfiltered.",
        39900,
    ),
    (
        "mug-clay-2",
        "Kulhad Clay Cups (set of 2)",
        "Hand-thrown terracotta cups that give chai its earthy aroma.",
        19900,
    ),
    (
        "kettle-brass",
        "Brass Tea Kettle 1 l",
        "Tin-lined brass kettle with a wooden handle. Stovetop safe.",
        189900,
    ),
    (
        "strainer-steel",
        "Steel Tea Strainer",
        "Fine stainless mesh that fits any cup or kettle spout.",
        14900,
    ),
    (
        "gift-box-4",
        "Tasting Gift Box (4 teas)",
        "Assam, Darjeeling, Masala and Kahwa, 50 g each, in a printed box.",
        99900,
    ),
    (
        "biscuits-ginger",
        "Ginger Biscuits 200 g",
        "Crisp butter biscuits with dry ginger, baked for dunking.",
        12900,
    ),
];

/// The demo's tea shop: a dozen products priced in INR.
pub fn demo_shop() -> Vec<Product> {
    SHOP.iter()
        .map(|(id, title, description, price)| Product {
            retailer_id: (*id).to_owned(),
            title: (*title).to_owned(),
            description: (*description).to_owned(),
            price_minor: *price,
            currency: "INR".to_owned(),
            brand: DEMO_BUSINESS_NAME.to_owned(),
        })
        .collect()
}

/// `item_price` as WhatsApp sends it: major units as a JSON number
/// (`349`, `7.99`), never a string.
pub(crate) fn major_units(minor: i64) -> serde_json::Number {
    let text = if minor % 100 == 0 {
        (minor / 100).to_string()
    } else {
        let sign = if minor < 0 { "-" } else { "" };
        format!("{sign}{}.{:02}", (minor / 100).abs(), (minor % 100).abs())
    };
    text.parse()
        .unwrap_or_else(|_| serde_json::Number::from(minor / 100))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_demo_shop_has_a_dozen_distinct_priced_products() {
        let shop = demo_shop();
        assert_eq!(shop.len(), 12);
        let ids: std::collections::HashSet<_> = shop.iter().map(|p| &p.retailer_id).collect();
        assert_eq!(ids.len(), 12);
        assert!(shop
            .iter()
            .all(|p| p.price_minor > 0 && !p.description.is_empty()));
    }

    #[test]
    fn prices_go_out_in_major_units_as_numbers() {
        assert_eq!(major_units(34900).to_string(), "349");
        assert_eq!(major_units(799).to_string(), "7.99");
        assert_eq!(major_units(1050).to_string(), "10.5");
        assert_eq!(major_units(5).to_string(), "0.05");
    }
}
