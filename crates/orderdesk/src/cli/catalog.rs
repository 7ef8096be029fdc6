//! `orderdesk catalog import FILE.csv`: a Meta catalog data feed
//! (`id,title,description,availability,condition,price,link,image_link,brand`),
//! plus an optional `keywords` column: other names customers use,
//! `|`-separated (`pyaz|kanda`), which the typed-order reader matches on,
//! and optional `hsn` and `tax_rate` columns for invoices: the product's
//! HSN (or SAC) code and its own GST/VAT rate in percent (`18`, `12.5`;
//! empty: the business's default, `ORDERDESK_TAX_RATE`).
//! Every bad row is reported with its line number, and then nothing is
//! imported: a half-imported catalog is worse than none.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context};
use clap::Subcommand;
use orderdesk_domain::Money;
use orderdesk_store::{Product, ProductTax};

use crate::config::Config;

#[derive(Debug, Subcommand)]
pub enum CatalogCommand {
    /// Import (insert or update by id) products from a catalog CSV.
    Import { file: PathBuf },
}

const REQUIRED: &[&str] = &["id", "title", "price"];
const COLUMNS: &[&str] = &[
    "id",
    "title",
    "description",
    "availability",
    "condition",
    "price",
    "link",
    "image_link",
    "brand",
];

pub async fn run(cmd: CatalogCommand, config: &Config) -> anyhow::Result<()> {
    let CatalogCommand::Import { file } = cmd;
    let products = read_catalog(&file)?;
    // Read before anything is written: a bad rate refuses the whole file.
    let taxes = read_taxes(&file)?;
    let store = crate::open_store(config).await?;
    let written = store.upsert_products(&products).await?;
    if let Some(keywords) = read_keywords(&file)? {
        store.set_product_keywords(&keywords).await?;
    }
    if let Some(taxes) = taxes {
        store.set_product_taxes(&taxes).await?;
    }
    println!("imported {written} products from {}", file.display());
    Ok(())
}

/// Reads and checks the whole file.
///
/// # Errors
/// One line per bad row (`line N: …`), joined, when anything is wrong.
pub fn read_catalog(path: &Path) -> anyhow::Result<Vec<Product>> {
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .flexible(true)
        .from_path(path)
        .with_context(|| format!("{}: cannot open", path.display()))?;
    let headers = reader
        .headers()
        .with_context(|| format!("{}: cannot read the header line", path.display()))?
        .clone();
    let index = |name: &str| headers.iter().position(|h| h.eq_ignore_ascii_case(name));
    let missing: Vec<_> = REQUIRED.iter().filter(|c| index(c).is_none()).collect();
    if !missing.is_empty() {
        bail!(
            "{}: line 1: missing column(s) {:?}; expected {}",
            path.display(),
            missing,
            COLUMNS.join(",")
        );
    }
    let cols: Vec<Option<usize>> = COLUMNS.iter().map(|c| index(c)).collect();
    let mut products = Vec::new();
    let mut errors = Vec::new();
    let mut seen = HashSet::new();
    for (i, record) in reader.records().enumerate() {
        let line = record
            .as_ref()
            .ok()
            .and_then(|r| r.position())
            .map_or(i + 2, |p| usize::try_from(p.line()).unwrap_or(i + 2));
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                errors.push(format!("line {line}: {e}"));
                continue;
            }
        };
        let field = |n: usize| cols[n].and_then(|c| record.get(c)).unwrap_or("").to_owned();
        let id = field(0);
        let title = field(1);
        let price_text = field(5);
        let mut problems = Vec::new();
        if id.is_empty() {
            problems.push("id is empty".to_owned());
        } else if !seen.insert(id.clone()) {
            problems.push(format!("id '{id}' appears twice"));
        }
        if title.is_empty() {
            problems.push("title is empty".to_owned());
        }
        let price = Money::parse_with_code(&price_text);
        if let Err(e) = &price {
            problems.push(format!(
                "price '{price_text}' is not like '499.50 INR' ({e})"
            ));
        }
        match (problems.is_empty(), price) {
            (true, Ok(price)) => products.push(Product {
                retailer_id: id,
                title,
                description: field(2),
                availability: non_empty_or(field(3), "in stock"),
                condition: non_empty_or(field(4), "new"),
                price_minor: price.minor(),
                currency: price.currency(),
                link: field(6),
                image_link: field(7),
                brand: field(8),
            }),
            _ => errors.push(format!("line {line}: {}", problems.join("; "))),
        }
    }
    refuse_bad_rows(path, &errors)?;
    if products.is_empty() {
        bail!("{}: no products in the file", path.display());
    }
    Ok(products)
}

/// (id, keywords) of every row when the file has a `keywords` column
/// (an empty cell clears a product's keywords), `None` when it has not
/// (keywords set before are kept). Run after [`read_catalog`] accepted
/// the file, so ids are known to be present and distinct.
///
/// # Errors
/// When the file cannot be read.
pub fn read_keywords(path: &Path) -> anyhow::Result<Option<Vec<(String, String)>>> {
    let (mut reader, index) = open_with_columns(path)?;
    let (Some(id), Some(words)) = (index("id"), index("keywords")) else {
        return Ok(None);
    };
    let mut out = Vec::new();
    for record in reader.records() {
        let record = record?;
        let keywords: Vec<&str> = record
            .get(words)
            .unwrap_or("")
            .split('|')
            .map(str::trim)
            .filter(|k| !k.is_empty())
            .collect();
        out.push((record.get(id).unwrap_or("").to_owned(), keywords.join("|")));
    }
    Ok(Some(out))
}

/// Refuses the whole file when any row is bad, naming each.
fn refuse_bad_rows(path: &Path, errors: &[String]) -> anyhow::Result<()> {
    if !errors.is_empty() {
        bail!(
            "{}: nothing imported, {} bad row(s): {}",
            path.display(),
            errors.len(),
            errors.join(" | ")
        );
    }
    Ok(())
}

/// The file's reader and a lookup of its columns by name (any case).
fn open_with_columns(
    path: &Path,
) -> anyhow::Result<(csv::Reader<std::fs::File>, impl Fn(&str) -> Option<usize>)> {
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .flexible(true)
        .from_path(path)
        .with_context(|| format!("{}: cannot open", path.display()))?;
    let headers = reader.headers()?.clone();
    let index = move |name: &str| headers.iter().position(|h| h.eq_ignore_ascii_case(name));
    Ok((reader, index))
}

/// Every row's tax details when the file has an `hsn` or a `tax_rate`
/// column (an empty cell clears that detail), `None` when it has neither
/// (details set before are kept).
///
/// # Errors
/// One line per row whose rate is not a percentage from 0 to 100, or
/// whose HSN code is over 16 characters; nothing is imported then.
pub fn read_taxes(path: &Path) -> anyhow::Result<Option<Vec<ProductTax>>> {
    let (mut reader, index) = open_with_columns(path)?;
    let (hsn, rate) = (index("hsn"), index("tax_rate"));
    let Some(id) = index("id").filter(|_| hsn.is_some() || rate.is_some()) else {
        return Ok(None);
    };
    let mut out = Vec::new();
    let mut errors = Vec::new();
    for (i, record) in reader.records().enumerate() {
        let record = record?;
        let cell = |c: Option<usize>| c.and_then(|c| record.get(c)).unwrap_or("").to_owned();
        let (code, rate_text) = (cell(hsn), cell(rate));
        let rate_bp = match rate_text.as_str() {
            "" => None,
            text => match orderdesk_domain::invoice::parse_rate(text) {
                Some(bp) => Some(bp),
                None => {
                    errors.push(format!(
                        "line {}: tax_rate '{text}' is not a percentage from 0 to 100",
                        i + 2
                    ));
                    None
                }
            },
        };
        if code.chars().count() > 16 {
            errors.push(format!(
                "line {}: hsn '{code}' is over 16 characters",
                i + 2
            ));
        }
        out.push(ProductTax {
            retailer_id: cell(Some(id)),
            hsn: code,
            rate_bp,
        });
    }
    refuse_bad_rows(path, &errors)?;
    Ok(Some(out))
}

fn non_empty_or(value: String, default: &str) -> String {
    if value.is_empty() {
        default.to_owned()
    } else {
        value
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn csv(text: &str) -> tempfile::NamedTempFile {
        let file = tempfile::NamedTempFile::new().unwrap();
        std::fs::write(file.path(), text).unwrap();
        file
    }

    #[test]
    fn hsn_and_tax_rate_columns_are_read_and_a_bad_rate_refuses_the_file() {
        let good =
            csv("id,title,price,hsn,tax_rate\ntea,Tea,249.50 INR,0902,5\nmug,Mug,99 INR,,\n");
        let taxes = read_taxes(good.path()).unwrap().unwrap();
        assert_eq!(
            taxes,
            vec![
                ProductTax {
                    retailer_id: "tea".into(),
                    hsn: "0902".into(),
                    rate_bp: Some(500)
                },
                ProductTax {
                    retailer_id: "mug".into(),
                    hsn: String::new(),
                    rate_bp: None
                },
            ]
        );
        let without = csv("id,title,price\ntea,Tea,249.50 INR\n");
        assert_eq!(
            read_taxes(without.path()).unwrap(),
            None,
            "kept as they are"
        );
        let bad = csv("id,title,price,tax_rate\ntea,Tea,249.50 INR,18%\nmug,Mug,99 INR,eighteen\n");
        let err = read_taxes(bad.path()).unwrap_err().to_string();
        assert!(
            err.contains("nothing imported") && err.contains("line 3"),
            "{err}"
        );
        assert!(!err.contains("line 2"), "18% is a rate: {err}");
    }
}
