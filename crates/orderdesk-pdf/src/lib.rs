//! Invoices as PDF, made in-process: an [`Invoice`] (every figure already
//! computed by `orderdesk_domain::invoice`) and the business's [`Local`]
//! (how money and dates are written) in, the bytes of an A4 PDF out.
//!
//! Nothing here decides a figure: the document prints what the domain
//! computed, so the PDF, the API and the tests agree. Text is drawn with
//! embedded font subsets (see `fonts/LICENSE`): DejaVu Sans, which has ₹,
//! and Noto Sans Devanagari, Tamil and Arabic for names and addresses in
//! those scripts, shaped and laid out right to left where the script is
//! ([`text`]). The text can be searched and copied (each font carries a
//! ToUnicode map, shaped runs an ActualText). Only the fonts a document
//! uses are embedded. Streams are left uncompressed: an invoice is a few
//! tens of kilobytes, almost all of it the fonts.

use orderdesk_domain::invoice::Invoice;
use orderdesk_domain::Local;
use pdf_writer::{Finish, Name, Pdf, Rect, Ref, TextStr};

mod canvas;
mod font;
mod invoice;
mod text;

use canvas::{Canvas, PAGE_HEIGHT, PAGE_WIDTH};
use text::Family;

/// Why no PDF could be made (only a broken build: the fonts are ours).
#[derive(Debug, thiserror::Error)]
pub enum PdfError {
    #[error("the embedded font cannot be read: {0}")]
    Font(String),
}

/// The invoice as a PDF.
///
/// # Errors
/// `Font` if an embedded font does not parse (a broken build).
pub fn render_invoice(invoice: &Invoice, local: &Local) -> Result<Vec<u8>, PdfError> {
    render(invoice, local, invoice::Kind::Invoice)
}

/// A credit note (built like an invoice, see
/// `orderdesk_domain::invoice::credit_note_input`) against invoice
/// `against`, as a PDF.
///
/// # Errors
/// As [`render_invoice`].
pub fn render_credit_note(
    note: &Invoice,
    against: &str,
    local: &Local,
) -> Result<Vec<u8>, PdfError> {
    render(note, local, invoice::Kind::CreditNote { against })
}

fn render(invoice: &Invoice, local: &Local, kind: invoice::Kind<'_>) -> Result<Vec<u8>, PdfError> {
    let mut canvas = Canvas::new(
        Family::load(font::REGULAR, b'R')?,
        Family::load(font::BOLD, b'B')?,
    );
    invoice::draw(&mut canvas, invoice, local, kind);
    Ok(finish(canvas, &invoice.number))
}

/// Writes the pages, the fonts and the document's title.
fn finish(canvas: Canvas, title: &str) -> Vec<u8> {
    let mut next_id = 1;
    let mut next = move || {
        let id = Ref::new(next_id);
        next_id += 1;
        id
    };
    let mut pdf = Pdf::new();
    let (catalog, tree, info) = (next(), next(), next());
    pdf.catalog(catalog).pages(tree);
    pdf.document_info(info)
        .title(TextStr(title))
        .producer(TextStr("orderdesk"));

    // The fonts some page shows, each with its resource name and object.
    let mut fonts = Vec::new();
    for family in [&canvas.regular, &canvas.bold] {
        for (index, font) in family.fonts.iter().enumerate() {
            if font.shown {
                fonts.push((family.resource(index), font, next()));
            }
        }
    }
    let page_ids: Vec<(Ref, Ref)> = canvas.pages.iter().map(|_| (next(), next())).collect();
    pdf.pages(tree)
        .kids(page_ids.iter().map(|(page, _)| *page))
        .count(i32::try_from(page_ids.len()).unwrap_or(i32::MAX));
    for ((page_id, content_id), content) in page_ids.iter().zip(canvas.pages) {
        let mut page = pdf.page(*page_id);
        page.media_box(Rect::new(0.0, 0.0, PAGE_WIDTH, PAGE_HEIGHT))
            .parent(tree)
            .contents(*content_id);
        let mut resources = page.resources();
        let mut dict = resources.fonts();
        for (name, _, id) in &fonts {
            dict.pair(Name(name), *id);
        }
        dict.finish();
        resources.finish();
        page.finish();
        let stream = content.finish();
        pdf.stream(*content_id, &stream);
    }
    for (_, font, id) in &fonts {
        font.write(&mut pdf, *id, &mut next);
    }
    pdf.finish()
}
