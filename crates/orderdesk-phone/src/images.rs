//! Product pictures drawn from the product itself, so the demo fetches
//! nothing from the internet: a background colour from a hash of the
//! retailer id, a shape picked from the kind of product, and its initials.

use sha2::{Digest, Sha256};

use crate::catalog::Product;

/// An SVG picture of `product`, 240×240.
pub fn product_svg(product: &Product) -> String {
    let digest = Sha256::digest(product.retailer_id.as_bytes());
    let hue = u16::from_be_bytes([digest[0], digest[1]]) % 360;
    let accent = (hue + 150) % 360;
    let shape = shape_for(&product.retailer_id, digest[2]);
    let initials: String = product
        .title
        .split_whitespace()
        .filter(|w| w.chars().next().is_some_and(char::is_alphabetic))
        .take(2)
        .filter_map(|w| w.chars().next())
        .flat_map(char::to_uppercase)
        .collect();
    format!(
        concat!(
            r##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 240 240" width="240" height="240" role="img" aria-label="{label}">"##,
            r##"<rect width="240" height="240" fill="hsl({hue},55%,88%)"/>"##,
            r##"<circle cx="200" cy="40" r="60" fill="hsl({hue},60%,80%)"/>"##,
            r##"<g fill="hsl({hue},45%,42%)" stroke="hsl({accent},50%,35%)" stroke-width="4">{shape}</g>"##,
            r##"<text x="120" y="214" font-family="sans-serif" font-size="28" font-weight="700" text-anchor="middle" fill="hsl({hue},40%,25%)">{initials}</text>"##,
            "</svg>"
        ),
        label = xml_escape(&product.title),
        hue = hue,
        accent = accent,
        shape = shape,
        initials = xml_escape(&initials),
    )
}

/// A silhouette for the product's kind (the retailer id's first word).
fn shape_for(retailer_id: &str, variant: u8) -> &'static str {
    match retailer_id.split('-').next().unwrap_or_default() {
        // A tea packet with a leaf.
        "tea" => match variant % 2 {
            0 => {
                r#"<rect x="70" y="40" width="100" height="130" rx="8"/><path d="M120 80c25 5 30 35 0 55c-30-20-25-50 0-55z" fill="hsl(120,45%,55%)"/>"#
            }
            _ => {
                r#"<path d="M80 40h80l10 130H70z"/><path d="M120 78c22 6 26 32 0 50c-26-18-22-44 0-50z" fill="hsl(120,45%,55%)"/>"#
            }
        },
        // A honeycomb jar.
        "honey" => {
            r#"<rect x="75" y="60" width="90" height="110" rx="18"/><rect x="80" y="40" width="80" height="22" rx="5"/><polygon points="120,92 140,104 140,128 120,140 100,128 100,104" fill="hsl(45,90%,60%)"/>"#
        }
        // Cups.
        "mug" => r#"<path d="M55 80h60l-8 85H63z"/><path d="M125 80h60l-8 85h-44z"/>"#,
        // A kettle.
        "kettle" => {
            r#"<ellipse cx="120" cy="120" rx="60" ry="50"/><path d="M175 105l35-20-10 30z"/><rect x="100" y="55" width="40" height="18" rx="6"/>"#
        }
        // A round strainer with a handle.
        "strainer" => {
            r#"<circle cx="100" cy="110" r="45"/><rect x="140" y="104" width="70" height="12" rx="6"/>"#
        }
        // A wrapped box.
        "gift" => {
            r#"<rect x="60" y="70" width="120" height="100" rx="6"/><rect x="112" y="70" width="16" height="100" fill="hsl(0,70%,60%)"/><path d="M120 70c-30-30-45 0 0 0c45 0 30-30 0 0z" fill="hsl(0,70%,60%)"/>"#
        }
        // Round biscuits.
        "biscuits" => r#"<circle cx="95" cy="105" r="38"/><circle cx="150" cy="130" r="38"/>"#,
        _ => r#"<circle cx="120" cy="110" r="60"/>"#,
    }
}

fn xml_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::demo_shop;

    #[test]
    fn every_product_gets_its_own_well_formed_picture() {
        let shop = demo_shop();
        let pictures: Vec<String> = shop.iter().map(product_svg).collect();
        for (p, svg) in shop.iter().zip(&pictures) {
            assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"), "{svg}");
            assert!(svg.contains(&xml_escape(&p.title)));
        }
        let distinct: std::collections::HashSet<_> = pictures.iter().collect();
        assert_eq!(distinct.len(), shop.len());
    }

    #[test]
    fn titles_are_escaped_in_the_picture() {
        let mut p = demo_shop().remove(0);
        p.title = "<script>x</script> & \"co\"".into();
        let svg = product_svg(&p);
        assert!(!svg.contains("<script>"));
        assert!(svg.contains("&lt;script&gt;"));
    }
}
