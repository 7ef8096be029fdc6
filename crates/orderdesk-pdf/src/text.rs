//! A line of text in any of the invoice's scripts, laid out the way a
//! reader expects it: split into directional runs by the Unicode
//! bidirectional algorithm (an Arabic name reads right to left, the digits
//! of an address inside it left to right), each run split by font (the
//! first of the family that has the character; spaces, digits and
//! punctuation stay with the script around them), and each piece shaped by
//! rustybuzz (a pure-Rust port of HarfBuzz, kept in step with it: the
//! Indic and Arabic shapers, which a plain character-to-glyph map cannot
//! do, are what make Devanagari conjuncts and Arabic joining forms right).

use std::ops::Range;

use pdf_writer::{Content, Name, Str, TextStr};
use unicode_bidi::BidiInfo;

use crate::font::{Font, Placed};
use crate::PdfError;

/// One face (regular or bold) in every script.
pub(crate) struct Family {
    pub(crate) fonts: Vec<Font>,
    /// `b'R'` or `b'B'`: the first letter of the page resources' names.
    prefix: u8,
}

/// A piece of a line in one font and one direction, shaped.
struct Piece {
    font: usize,
    text: String,
    glyphs: Vec<Placed>,
    rtl: bool,
}

impl Family {
    pub(crate) fn load(
        faces: [(&'static [u8], &'static str); 4],
        prefix: u8,
    ) -> Result<Self, PdfError> {
        let fonts = faces
            .into_iter()
            .map(Font::load)
            .collect::<Result<_, _>>()?;
        Ok(Self { fonts, prefix })
    }

    /// The page resource name of font `index` (`R0`, `B3`, …).
    pub(crate) fn resource(&self, index: usize) -> [u8; 2] {
        [self.prefix, b'0' + u8::try_from(index % 10).unwrap_or(0)]
    }

    /// The width of `text` at `size` points.
    pub(crate) fn width(&self, text: &str, size: f32) -> f32 {
        self.layout(text)
            .iter()
            .flat_map(|p| &p.glyphs)
            .map(|g| g.x_advance)
            .sum::<f32>()
            * size
            / 1000.0
    }

    /// Draws `text` with its baseline at `baseline`, its left edge at `x`.
    pub(crate) fn draw(
        &mut self,
        page: &mut Content,
        size: f32,
        x: f32,
        baseline: f32,
        text: &str,
    ) {
        let pieces = self.layout(text);
        page.begin_text();
        page.next_line(x, baseline);
        // Where the layout wants the pen and where the PDF's text position
        // is (it moves by each glyph's own width), in thousandths of an em.
        let (mut pen, mut cursor) = (0.0_f32, 0.0_f32);
        for piece in &pieces {
            let resource = self.resource(piece.font);
            let font = &mut self.fonts[piece.font];
            font.record(&piece.text, &piece.glyphs, piece.rtl);
            // Shaped scripts reorder, merge and split characters, so the
            // glyphs alone do not give the text back; ActualText does.
            // Not around right-to-left text: readers would take it for
            // visual order and reverse it (see `Font::record`).
            let tagged = piece.font != 0 && !piece.rtl;
            if tagged {
                page.begin_marked_content_with_properties(Name(b"Span"))
                    .properties()
                    .actual_text(TextStr(&piece.text));
            }
            page.set_font(Name(&resource), size);
            for run in piece.glyphs.chunk_by(|a, b| a.y_offset == b.y_offset) {
                page.set_rise(run[0].y_offset * size / 1000.0);
                let mut shown = page.show_positioned();
                let mut items = shown.items();
                for g in run {
                    let want = pen + g.x_offset;
                    if (want - cursor).abs() > 0.01 {
                        items.adjust(cursor - want);
                    }
                    items.show(Str(&g.id.to_be_bytes()));
                    cursor = want + font.advance(g.id);
                    pen += g.x_advance;
                }
            }
            if tagged {
                page.end_marked_content();
            }
        }
        page.set_rise(0.0);
        page.end_text();
    }

    /// `text` as shaped pieces in drawing order, left to right.
    fn layout(&self, text: &str) -> Vec<Piece> {
        // Number formatters use narrow and thin no-break spaces.
        let text: String = text
            .chars()
            .map(|c| match c {
                '\u{202F}' | '\u{2009}' | '\u{00A0}' => ' ',
                other => other,
            })
            .collect();
        let bidi = BidiInfo::new(&text, None);
        let mut out = Vec::new();
        for paragraph in &bidi.paragraphs {
            let (levels, runs) = bidi.visual_runs(paragraph, paragraph.range.clone());
            for run in runs {
                let rtl = levels[run.start].is_rtl();
                let mut pieces: Vec<Piece> = self
                    .split(&text[run.clone()])
                    .into_iter()
                    .map(|(font, range)| {
                        let part = &text[run.start + range.start..run.start + range.end];
                        Piece {
                            font,
                            text: part.to_owned(),
                            glyphs: self.fonts[font].shape(part, rtl),
                            rtl,
                        }
                    })
                    .collect();
                if rtl {
                    pieces.reverse();
                }
                out.extend(pieces);
            }
        }
        out
    }

    /// Splits a run into ranges of one font each.
    fn split(&self, text: &str) -> Vec<(usize, Range<usize>)> {
        let mut out: Vec<(usize, Range<usize>)> = Vec::new();
        for (i, c) in text.char_indices() {
            let end = i + c.len_utf8();
            let font = self.pick(c, out.last().map(|(font, _)| *font));
            match out.last_mut() {
                Some((last, range)) if *last == font => range.end = end,
                _ => out.push((font, i..end)),
            }
        }
        out
    }

    /// The font for `c`, the one before it being `previous`.
    fn pick(&self, c: char, previous: Option<usize>) -> usize {
        let neutral =
            !c.is_alphabetic() || matches!(c, '\u{200C}' | '\u{200D}' | '\u{0300}'..='\u{036F}');
        if let Some(previous) = previous.filter(|p| neutral && self.fonts[*p].has(c)) {
            return previous;
        }
        self.fonts
            .iter()
            .position(|f| f.has(c))
            .or(previous)
            .unwrap_or(0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::font::REGULAR;

    fn family() -> Family {
        Family::load(REGULAR, b'R').unwrap()
    }

    fn fonts_of(text: &str) -> Vec<(usize, String)> {
        family()
            .layout(text)
            .into_iter()
            .map(|p| (p.font, p.text))
            .collect()
    }

    #[test]
    fn each_script_goes_to_its_font_and_spaces_stay_with_their_script() {
        assert_eq!(
            fonts_of("Mr अमित शर्मा, 12"),
            [(0, "Mr ".to_owned()), (1, "अमित शर्मा, 12".to_owned())]
        );
        assert_eq!(fonts_of("சென்னை"), [(2, "சென்னை".to_owned())]);
    }

    #[test]
    fn arabic_is_laid_out_right_to_left_with_digits_left_to_right() {
        // Logical "شارع 12": the digits come first on the page (left), the
        // word after them; each glyph run is drawn left to right.
        let pieces = family().layout("شارع 12");
        let texts: Vec<(usize, &str)> = pieces.iter().map(|p| (p.font, p.text.as_str())).collect();
        assert_eq!(texts, [(0, "12"), (3, "شارع ")]);
        // Joined forms: the shaped word's glyphs are not the isolated
        // letters' glyphs.
        let f = &family().fonts[3];
        let joined: Vec<u16> = f.shape("شارع", true).iter().map(|g| g.id).collect();
        let isolated: Vec<u16> = "شارع"
            .chars()
            .rev()
            .map(|c| f.shape(&c.to_string(), true)[0].id)
            .collect();
        assert_ne!(joined, isolated);
    }

    #[test]
    fn a_devanagari_conjunct_is_fewer_glyphs_than_letters() {
        let f = &family().fonts[1];
        // क्ष (ka, virama, ssa) is one conjunct glyph.
        assert_eq!(f.shape("क्ष", false).len(), 1);
        // कि: the i-sign is drawn before the consonant it follows.
        let ki = f.shape("कि", false);
        let ka = f.shape("क", false)[0].id;
        assert_eq!(ki.len(), 2);
        assert_eq!(ki[1].id, ka);
    }
}
