//! The packing slip's codes read back by a real decoder, as a courier's
//! scanner would (issue #16, item 7): Chromium renders the slip — on screen
//! at desktop and 412 px, and printed to PDF on A4 and 4×6 in labels, the
//! PDF rasterised by poppler's `pdftoppm` at a printer's resolution — and
//! rxing reads the Code 128 barcode and the QR code from the pixels. Both
//! carry the order number, as the slip promises; on the bulk page each
//! slip's codes belong to its own order. On screen each code is also
//! checked as drawn: only black and white, every module the same whole
//! number of pixels, its own quiet zone. The pictures are in
//! `target/screenshots/slips/`.
//!
//! Why rxing: it is the Rust port of ZXing, the open-source decoder behind
//! many phone and desk scanner apps, kept up to date, and it reads both
//! symbologies, so one decoder judges both codes (rqrr reads QR only and
//! would leave Code 128 to a hand-written reader, which would share our
//! encoder's misreadings of the standard). Built with its QR and
//! one-dimensional decoders only (no `image` crate, no other symbologies),
//! it adds a few dozen lines to the dependency tree; `png` turns Chromium's
//! PNGs into pixels.

use std::collections::HashSet;
use std::path::Path;

use fantoccini::wd::{PrintConfiguration, PrintMargins, PrintSize};
use orderdesk_store::Role;
use orderdesk_testkit::browser::Browser;
use rxing::{BarcodeFormat, DecodeHints};
use serde_json::json;

use crate::both_backends;
use crate::browser::{browser, click, js, log_in, wait_js};
use crate::dashboard::add_user;
use crate::helpers::{fresh_db, order_webhook, Backend, TestApp};
use crate::order_edit::patch;

/// A grey picture: one byte a pixel, 0 black.
struct Gray {
    width: u32,
    height: u32,
    pixels: Vec<u8>,
}

impl Gray {
    fn from_png(bytes: &[u8]) -> Self {
        let mut decoder = png::Decoder::new(std::io::Cursor::new(bytes));
        decoder.set_transformations(png::Transformations::normalize_to_color8());
        let mut reader = decoder.read_info().expect("a PNG");
        let mut buf = vec![0; reader.output_buffer_size().expect("a sane PNG size")];
        let info = reader.next_frame(&mut buf).expect("a PNG frame");
        let channels = info.color_type.samples();
        let pixels = buf[..info.buffer_size()]
            .chunks_exact(channels)
            .map(|p| match channels {
                1 | 2 => p[0],
                // ITU-R BT.601 luma, as scanners weigh colours.
                _ => {
                    ((299 * u32::from(p[0]) + 587 * u32::from(p[1]) + 114 * u32::from(p[2])) / 1000)
                        as u8
                }
            })
            .collect();
        Gray {
            width: info.width,
            height: info.height,
            pixels,
        }
    }

    /// The part of the picture inside the rectangle (clamped to it).
    fn crop(&self, x: f64, y: f64, w: f64, h: f64) -> Self {
        let clamp = |v: f64, max: u32| (v.round().max(0.0) as u32).min(max);
        let (x0, y0) = (clamp(x, self.width), clamp(y, self.height));
        let (x1, y1) = (clamp(x + w, self.width), clamp(y + h, self.height));
        let mut pixels = Vec::with_capacity(((x1 - x0) * (y1 - y0)) as usize);
        for row in y0..y1 {
            let start = (row * self.width + x0) as usize;
            pixels.extend_from_slice(&self.pixels[start..start + (x1 - x0) as usize]);
        }
        Gray {
            width: x1 - x0,
            height: y1 - y0,
            pixels,
        }
    }

    /// The picture inside a black frame `border` pixels wide: print up to
    /// its edges, so only a code's own quiet zone separates it from ink.
    fn framed(&self, border: u32) -> Self {
        let width = self.width + 2 * border;
        let height = self.height + 2 * border;
        let mut pixels = vec![0; (width * height) as usize];
        for row in 0..self.height {
            let from = (row * self.width) as usize;
            let to = ((row + border) * width + border) as usize;
            pixels[to..to + self.width as usize]
                .copy_from_slice(&self.pixels[from..from + self.width as usize]);
        }
        Gray {
            width,
            height,
            pixels,
        }
    }

    /// Each pixel black or white, as a thermal printer burns a dot or not.
    fn thresholded(&self) -> Self {
        Gray {
            width: self.width,
            height: self.height,
            pixels: self
                .pixels
                .iter()
                .map(|p| if *p < 128 { 0 } else { 255 })
                .collect(),
        }
    }

    /// What a decoder reads as `format`; `try_harder` lets it look
    /// everywhere and rotated (a person aiming roughly), without it a few
    /// rows through the middle, as a handheld scanner aimed at the code.
    fn read(&self, format: BarcodeFormat, try_harder: bool) -> Result<String, String> {
        let mut hints = DecodeHints {
            TryHarder: Some(try_harder),
            ..DecodeHints::default()
        };
        rxing::helpers::detect_in_luma_slice_with_hints(
            &self.pixels,
            self.width,
            self.height,
            Some(format),
            &mut hints,
        )
        .map(|r| r.getText().to_owned())
        .map_err(|e| format!("{e}"))
    }
}

/// Lengths of the runs of dark (`true`) and light pixels along a line.
fn runs(line: impl Iterator<Item = u8>) -> Vec<(bool, u32)> {
    let mut runs: Vec<(bool, u32)> = Vec::new();
    for p in line {
        let dark = p < 128;
        match runs.last_mut() {
            Some((d, n)) if *d == dark => *n += 1,
            _ => runs.push((dark, 1)),
        }
    }
    runs
}

/// What the standards ask of a code drawn on screen, checked on its own
/// box as Chromium painted it: only black and white (no anti-aliased grey),
/// every module the same whole number of pixels, and the quiet zone the
/// code needs around it (10 modules for Code 128, 4 for QR).
fn assert_crisp_and_quiet(code: &Gray, format: BarcodeFormat, what: &str) {
    let (w, h) = (code.width, code.height);
    // Inside its box: the box's own edge may fall between two pixels.
    let inside = code.crop(1.0, 1.0, f64::from(w - 2), f64::from(h - 2));
    let grey = inside.pixels.iter().filter(|p| **p != 0 && **p != 255);
    assert_eq!(
        grey.count(),
        0,
        "{format:?} of {what}: grey pixels, a blurred edge"
    );
    // A pixel of the box may be cut off too.
    let quiet = |px: u32, modules: u32, module: u32| px + 1 >= modules * module;
    if format == BarcodeFormat::CODE_128 {
        let row = runs((0..w).map(|x| code.pixels[(h / 2 * w + x) as usize]));
        let bars = &row[1..row.len() - 1];
        // Every start symbol opens with a 2-module bar.
        let module = bars[0].1 / 2;
        assert!(
            module >= 2 && bars[0].1 % 2 == 0,
            "{what}: {} px for the first bar",
            bars[0].1
        );
        for (dark, n) in bars {
            assert!(
                n % module == 0 && (1..=4).contains(&(n / module)),
                "{what}: a {} of {n} px where modules are {module} px: {bars:?}",
                if *dark { "bar" } else { "space" }
            );
        }
        let (left, right) = (row[0].1, row[row.len() - 1].1);
        assert!(
            quiet(left, 10, module) && quiet(right, 10, module),
            "{what}: quiet zones of {left} and {right} px, modules of {module} px"
        );
    } else {
        let top = (0..h)
            .find(|y| (0..w).any(|x| code.pixels[(y * w + x) as usize] < 128))
            .expect("a dark module");
        let row = runs((0..w).map(|x| code.pixels[(top * w + x) as usize]));
        // The top-left finder pattern's edge: 7 modules.
        let finder = row[1].1;
        let module = finder / 7;
        assert!(
            module >= 2 && finder % 7 == 0,
            "{what}: a {finder} px finder pattern"
        );
        let bottom = (0..h)
            .rev()
            .find(|y| (0..w).any(|x| code.pixels[(y * w + x) as usize] < 128))
            .expect("a dark module");
        let (left, right) = (row[0].1, row[row.len() - 1].1);
        for (side, px) in [
            ("left", left),
            ("right", right),
            ("top", top),
            ("bottom", h - 1 - bottom),
        ] {
            assert!(
                quiet(px, 4, module),
                "{what}: {px} px of quiet zone at the {side}, modules of {module} px"
            );
        }
    }
}

/// Both codes of the one slip in `picture` carry `number`.
fn assert_codes(picture: &Gray, number: i64, what: &str) {
    for format in [BarcodeFormat::CODE_128, BarcodeFormat::QR_CODE] {
        assert_eq!(
            picture.read(format, true),
            Ok(number.to_string()),
            "{format:?} of {what}"
        );
    }
}

/// The viewport as Chromium paints it, saved to look at and decoded.
async fn screen(b: &Browser, name: &str) -> Gray {
    let path = b.screenshot(&format!("slips/{name}")).await.unwrap();
    eprintln!("screenshot: {}", path.display());
    Gray::from_png(&std::fs::read(path).unwrap())
}

/// Aims at each code of the slip `number` on screen alone — its own box,
/// framed in black, so the quiet zone must be the code's — and reads it
/// the way a handheld scanner does.
async fn aim_at_codes(b: &Browser, number: i64, what: &str) {
    let slip = format!("document.querySelector('.slip[data-number=\"{number}\"]')");
    js(b, &format!("({slip}.scrollIntoView(), true)")).await;
    let picture = screen(b, &format!("aimed-{what}")).await;
    for (css, format) in [
        (".slip-barcode svg", BarcodeFormat::CODE_128),
        (".slip-qr svg", BarcodeFormat::QR_CODE),
    ] {
        let rect = js(
            b,
            &format!("(r => [r.x, r.y, r.width, r.height])({slip}.querySelector('{css}').getBoundingClientRect())"),
        )
        .await;
        let r: Vec<f64> = rect
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_f64().unwrap())
            .collect();
        let code = picture.crop(r[0], r[1], r[2], r[3]);
        assert_crisp_and_quiet(&code, format, what);
        let code = code.framed(12);
        assert_eq!(
            code.read(format, false),
            Ok(number.to_string()),
            "{format:?} of {what}, the code's own box ({r:?})"
        );
    }
}

/// The page printed by Chromium on paper of `size` (cm) with the margins
/// the slip's CSS asks for, rasterised at `dpi` in grey, one picture a page.
async fn print(b: &Browser, size: PrintSize, margin_cm: f64, dpi: u32, name: &str) -> Vec<Gray> {
    let config = PrintConfiguration::builder()
        .size(size)
        .margins(PrintMargins {
            top: margin_cm,
            bottom: margin_cm,
            left: margin_cm,
            right: margin_cm,
        })
        .build()
        .unwrap();
    let pdf = b.client.print(config).await.unwrap();
    // Next to the screenshots, to look at.
    let marker = b.screenshot(&format!("slips/{name}-screen")).await.unwrap();
    let dir = marker.parent().unwrap();
    let file = dir.join(format!("{name}.pdf"));
    std::fs::write(&file, &pdf).unwrap();
    let prefix = dir.join(name);
    for old in pages(dir, name) {
        std::fs::remove_file(old).unwrap();
    }
    let rendered = std::process::Command::new("pdftoppm")
        .args(["-png", "-gray", "-r", &dpi.to_string()])
        .arg(&file)
        .arg(&prefix)
        .status()
        .expect("pdftoppm (poppler-utils) is needed");
    assert!(rendered.success(), "pdftoppm {}", file.display());
    pages(dir, name)
        .into_iter()
        .map(|p| {
            eprintln!("printed page: {}", p.display());
            Gray::from_png(&std::fs::read(p).unwrap())
        })
        .collect()
}

/// `pdftoppm`'s pages of `name` in order (it pads the page numbers to one
/// width, so they sort as text).
fn pages(dir: &Path, name: &str) -> Vec<std::path::PathBuf> {
    let mut pages: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            p.file_name().and_then(|f| f.to_str()).is_some_and(|f| {
                f.strip_prefix(name)
                    .and_then(|rest| rest.strip_prefix('-'))
                    .and_then(|rest| rest.strip_suffix(".png"))
                    .is_some_and(|n| n.bytes().all(|c| c.is_ascii_digit()))
            })
        })
        .collect();
    pages.sort();
    pages
}

/// A4 at 150 dpi (a plain office printer's draft), and 4×6 in labels at
/// 203 dpi (the thermal label printers couriers hand out), from either
/// button: each printed page is one slip, and its codes are that order's.
async fn assert_printed(b: &Browser, numbers: &[i64], name: &str) {
    js(b, "(document.body.classList.remove('paper-label'), true)").await;
    let a4 = print(b, PrintSize::A4, 1.0, 150, &format!("{name}-a4")).await;
    js(b, "(document.body.classList.add('paper-label'), true)").await;
    let label = PrintSize {
        width: 4.0 * 2.54,
        height: 6.0 * 2.54,
    };
    let labels = print(b, label.clone(), 0.4, 203, &format!("{name}-label")).await;
    js(b, "(document.body.classList.remove('paper-label'), true)").await;
    // "Print on A4", then 4×6 in paper picked in the print dialog: the
    // page's own 10 mm margins, the narrow-paper print CSS.
    let dialog = print(b, label, 1.0, 203, &format!("{name}-label-paper")).await;
    for (paper, printed) in [
        ("A4", a4),
        ("4×6 in label", labels),
        ("4×6 in paper after the A4 button", dialog),
    ] {
        assert_eq!(printed.len(), numbers.len(), "one {paper} page a slip");
        for (page, n) in printed.iter().zip(numbers) {
            assert_codes(page, *n, &format!("#{n} printed on {paper}"));
            // A printer prints a dot or none: a module is then a whole
            // number of dots (4 or 5 of a label printer's), never grey.
            let burnt = page.thresholded();
            assert_codes(&burnt, *n, &format!("#{n} burnt on {paper}"));
        }
    }
}

/// Sets the next order number, as a shop that has taken millions of
/// orders has it (the longest numbers make the thinnest bars).
async fn next_number_is(backend: Backend, db_url: &str, next: i64) {
    let sql = format!("UPDATE counters SET value = {next} WHERE name = 'order_number'");
    match backend {
        Backend::Sqlite => {
            let pool = sqlx::SqlitePool::connect(db_url).await.unwrap();
            sqlx::raw_sql(&sql).execute(&pool).await.unwrap();
            pool.close().await;
        }
        Backend::Postgres => {
            let pool = sqlx::PgPool::connect(db_url).await.unwrap();
            sqlx::raw_sql(&sql).execute(&pool).await.unwrap();
            pool.close().await;
        }
    }
}

async fn a_scanner_reads_the_order_number_from_every_slip(backend: Backend) {
    // Both backends' runs write their pictures side by side.
    let tag = format!("{backend:?}").to_lowercase();
    let (db_url, _dir) = fresh_db(backend);
    let app =
        TestApp::spawn_configured(backend, None, &[("ORDERDESK_DATABASE_URL", &db_url)]).await;
    add_user(&app, "owner@shop.test", Role::Owner).await;
    // A shop's first order, its millionth (an odd number of digits) and
    // its ten-millionth.
    for (i, (wa, name, next)) in [
        ("919988776655", "Asha Rao", None),
        ("14155550123", "Ravi Kumar", Some(1_234_567)),
        ("919800000777", "Zoë Fernandes", Some(12_345_678)),
    ]
    .into_iter()
    .enumerate()
    {
        if let Some(next) = next {
            next_number_is(backend, &db_url, next).await;
        }
        let cart = order_webhook(
            &format!("wamid.scan{i}"),
            wa,
            name,
            &[("tea", 2, "249.50", "INR"), ("cups", 6, "40.00", "INR")],
        );
        assert_eq!(app.post_webhook(cart.as_bytes()).await.status(), 200);
        app.wait_for_orders(i + 1).await;
    }
    let orders = app.wait_for_orders(3).await;
    let mut numbers: Vec<i64> = orders
        .iter()
        .map(|o| o["number"].as_i64().unwrap())
        .collect();
    numbers.sort_unstable();
    assert_eq!(numbers, [1001, 1_234_567, 12_345_678]);
    // The longest number, with a full address, as long as a real slip.
    let n = numbers[2];
    let longest = &orders.iter().find(|o| o["number"] == n).unwrap();
    let (status, body) = patch(
        &app,
        &format!("/api/v1/orders/{n}"),
        &json!({"version": longest["version"], "address": {
            "name": "Asha Rao", "phone": "+91 99887 76655", "line1": "12 MG Road",
            "line2": "Flat 4, Lakeview Apartments", "city": "Pune", "state": "Maharashtra",
            "postal_code": "411001", "country": "IN"}}),
    )
    .await;
    assert_eq!(status, 200, "{body}");

    let b = browser(false).await;
    log_in(&b, &app, "owner@shop.test").await;

    // One order's slip, on a desktop screen and on screen as a label.
    b.client
        .goto(&app.url(&format!("/orders/{n}/slip")))
        .await
        .unwrap();
    wait_js(&b, "document.body.dataset.page === 'slips'").await;
    assert_codes(
        &screen(&b, &format!("{tag}-one")).await,
        n,
        "the slip on screen",
    );
    aim_at_codes(&b, n, &format!("{tag}-one")).await;
    js(&b, "(document.body.classList.add('paper-label'), true)").await;
    assert_codes(
        &screen(&b, &format!("{tag}-one-label")).await,
        n,
        "the label on screen",
    );
    aim_at_codes(&b, n, &format!("{tag}-one-label")).await;
    assert_printed(&b, &[n], &format!("{tag}-one")).await;

    // The table view's selection: one slip per order, each with its codes.
    b.client.goto(&app.url("/orders?view=table")).await.unwrap();
    wait_js(&b, "!!document.getElementById('bulk-form')").await;
    for n in &numbers {
        click(&b, &format!("#row-{n} input.pick")).await;
    }
    // The button opens the slips in a new tab; here, in this one.
    js(
        &b,
        "(document.getElementById('bulk-slips').removeAttribute('formtarget'), true)",
    )
    .await;
    click(&b, "#bulk-slips").await;
    wait_js(&b, "document.body.dataset.page === 'slips'").await;
    let shown = js(
        &b,
        "Array.from(document.querySelectorAll('.slip')).map(s => Number(s.dataset.number))",
    )
    .await;
    let shown: Vec<i64> = serde_json::from_value(shown).unwrap();
    assert_eq!(
        shown.iter().collect::<HashSet<_>>(),
        numbers.iter().collect::<HashSet<_>>()
    );
    for n in &shown {
        aim_at_codes(&b, *n, &format!("{tag}-bulk-{n}")).await;
    }
    assert_printed(&b, &shown, &format!("{tag}-bulk")).await;
    b.close().await.unwrap();

    // On a phone (a courier scanning the slip off the merchant's screen).
    let phone = Browser::sized(412, 915, true)
        .await
        .unwrap_or_else(|e| panic!("a headless Chromium is needed for the browser tests: {e:#}"));
    log_in(&phone, &app, "owner@shop.test").await;
    for n in &numbers {
        phone
            .client
            .goto(&app.url(&format!("/orders/{n}/slip")))
            .await
            .unwrap();
        wait_js(&phone, "document.body.dataset.page === 'slips'").await;
        let what = format!("{tag}-one-412-{n}");
        assert_codes(&screen(&phone, &what).await, *n, "the slip on a phone");
        aim_at_codes(&phone, *n, &what).await;
    }
    phone.close().await.unwrap();
    app.stop().await;
}

both_backends!(a_scanner_reads_the_order_number_from_every_slip);
