//! The invoice PDF read back as a PDF reader reads it: poppler's
//! `pdftotext` extracts the text (so the fonts' ToUnicode maps, the ₹ and
//! the layout are what a customer's reader sees) and `pdfinfo` counts the
//! pages. Both come with poppler-utils (`.ci/run` installs it); the tests
//! fail without it.

// Test helpers too, not only #[test] bodies, may panic on a broken fixture.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::process::Command;

use orderdesk_domain::invoice::{build_invoice, InvoiceInput, LineInput, Party, TaxMode, TaxRules};
use orderdesk_domain::{Currency, Local, OrderNumber};
use orderdesk_pdf::render_invoice;

fn sample(lines: Vec<LineInput>, buyer_state: &str) -> orderdesk_domain::invoice::Invoice {
    let input = InvoiceInput {
        number: "INV-2026-00042".to_owned(),
        order_number: OrderNumber::new(1042).unwrap(),
        issued_at: chrono::DateTime::from_timestamp(1_780_000_000, 0).unwrap(),
        currency: Currency::parse("INR").unwrap(),
        seller: Party {
            name: "Chai & Co".to_owned(),
            address: vec!["12 MG Road, Bengaluru 560001, Karnataka".to_owned()],
            phone: Some("+91 80 4000 1234".to_owned()),
            tax_id: Some("29ABCDE1234F1Z5".to_owned()),
        },
        buyer: Party {
            name: "Asha Rao".to_owned(),
            address: vec!["4 Park Street".to_owned(), "Kolkata 700016".to_owned()],
            phone: Some("+91 99887 76655".to_owned()),
            tax_id: None,
        },
        buyer_state: Some(buyer_state.to_owned()),
        lines,
        shipping_minor: 4_000,
        discount_minor: 0,
        payment: Some("Paid online (Razorpay), pay_29QQoUBi66xm2f".to_owned()),
    };
    let rules = TaxRules {
        mode: TaxMode::Inclusive,
        seller_country: "IN".to_owned(),
        seller_state: "Karnataka".to_owned(),
    };
    build_invoice(input, &rules)
}

fn chai(quantity: i64) -> LineInput {
    LineInput {
        description: "Masala chai, 250 g tin".to_owned(),
        hsn: Some("0902".to_owned()),
        quantity,
        unit_price_minor: 24_950,
        rate_bp: 1800,
    }
}

fn poppler(tool: &str, pdf: &[u8], args: &[&str]) -> String {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("invoice.pdf");
    std::fs::write(&path, pdf).unwrap();
    let out = Command::new(tool)
        .args(args)
        .arg(&path)
        .args(if tool == "pdftotext" {
            &["-"][..]
        } else {
            &[][..]
        })
        .output()
        .unwrap_or_else(|e| panic!("{tool} (poppler-utils) is needed: {e}"));
    assert!(
        out.status.success(),
        "{tool} could not read the PDF: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn the_invoice_text_holds_the_number_parties_lines_gst_and_total_in_rupees() {
    let invoice = sample(vec![chai(2)], "Karnataka");
    let local = Local::parse("Asia/Kolkata", "en-IN").unwrap();
    let pdf = render_invoice(&invoice, &local).unwrap();
    let text = poppler("pdftotext", &pdf, &["-layout"]);
    for expected in [
        "Tax invoice",
        "INV-2026-00042",
        "#1042",
        "Chai & Co",
        "29ABCDE1234F1Z5",
        "Asha Rao",
        "Kolkata 700016",
        "Masala chai, 250 g tin",
        "0902",
        "₹249.50",
        "₹422.88",
        "CGST 9%",
        "SGST 9%",
        "₹38.06",
        "Shipping",
        "₹40.00",
        "₹539.00",
        "pay_29QQoUBi66xm2f",
    ] {
        assert!(
            text.contains(expected),
            "{expected:?} missing from:\n{text}"
        );
    }
    assert!(!text.contains("IGST"), "one state: no IGST\n{text}");
}

#[test]
fn across_states_the_invoice_shows_igst() {
    let invoice = sample(vec![chai(1)], "West Bengal");
    let pdf = render_invoice(&invoice, &Local::utc()).unwrap();
    let text = poppler("pdftotext", &pdf, &[]);
    assert!(text.contains("IGST 18%"), "{text}");
    assert!(text.contains("₹38.06"), "{text}");
    assert!(!text.contains("CGST"), "{text}");
}

#[test]
fn a_long_order_runs_onto_more_pages_with_every_line() {
    let lines = (1..=70)
        .map(|i| LineInput {
            description: format!("Item number {i} with a rather long name that wraps"),
            hsn: None,
            quantity: 1,
            unit_price_minor: 1_000,
            rate_bp: 500,
        })
        .collect();
    let invoice = sample(lines, "Karnataka");
    let pdf = render_invoice(&invoice, &Local::utc()).unwrap();
    let info = poppler("pdfinfo", &pdf, &[]);
    let pages = info
        .lines()
        .find_map(|l| l.strip_prefix("Pages:"))
        .map(|p| p.trim().parse::<u32>().unwrap())
        .unwrap();
    assert!(pages >= 2, "{info}");
    let text = poppler("pdftotext", &pdf, &[]);
    assert!(text.contains("Item number 70"), "{text}");
    assert!(!text.contains("HSN"), "no HSN column without codes");
    assert!(text.contains("₹740.00"), "70 × ₹10 + ₹40 shipping:\n{text}");
}

/// `target/screenshots`, as the browser tests' (next to the test binary).
fn screenshots() -> std::path::PathBuf {
    let dir = match std::env::var("CARGO_TARGET_DIR") {
        Ok(dir) => std::path::PathBuf::from(dir),
        Err(_) => std::env::current_exe()
            .unwrap()
            .ancestors()
            .nth(3)
            .unwrap()
            .to_path_buf(),
    }
    .join("screenshots");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn names_and_addresses_in_devanagari_tamil_and_arabic_read_back_as_written() {
    let mut invoice = sample(vec![chai(1)], "Tamil Nadu");
    invoice.buyer.name = "अमित क्षत्रिय".to_owned();
    invoice.buyer.address = vec![
        "12 அண்ணா சாலை, சென்னை".to_owned(),
        "Tamil Nadu 600002".to_owned(),
    ];
    invoice.lines[0].description = "Masala chai for فاطمة الزهراء".to_owned();
    invoice.seller.name = "مؤسسة النور".to_owned();
    invoice.seller.address = vec!["شارع السلام 12، دبي".to_owned()];
    let local = Local::parse("Asia/Kolkata", "en-IN").unwrap();
    let pdf = render_invoice(&invoice, &local).unwrap();
    let text = poppler("pdftotext", &pdf, &[]);
    for expected in [
        "अमित क्षत्रिय",
        "12 அண்ணா சாலை, சென்னை",
        "فاطمة الزهراء",
        "مؤسسة النور",
        // Poppler orders a line's mixed-direction parts its own way, so
        // the words are checked, each read right to left (lam-alef too).
        "شارع السلام",
        "دبي",
        "Masala chai for",
        "₹249.50",
        "IGST 18%",
    ] {
        assert!(
            text.contains(expected),
            "{expected:?} missing from:\n{text}"
        );
    }
    // Only the scripts used are embedded (no Tamil bold: no bold Tamil).
    let fonts = poppler("pdffonts", &pdf, &[]);
    for font in [
        "NotoSansDevanagari-Bold",
        "NotoSansTamil ",
        "NotoSansArabic ",
        "NotoSansArabic-Bold",
    ] {
        assert!(fonts.contains(font), "{font} not embedded:\n{fonts}");
    }
    assert!(!fonts.contains("NotoSansTamil-Bold"), "{fonts}");

    // The page as an image, to look at (`target/screenshots/`).
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("invoice.pdf");
    std::fs::write(&path, &pdf).unwrap();
    let out = screenshots().join("invoice-scripts");
    let status = Command::new("pdftoppm")
        .args(["-png", "-r", "110", "-singlefile"])
        .arg(&path)
        .arg(&out)
        .status()
        .expect("pdftoppm (poppler-utils) is needed");
    assert!(status.success());
}
