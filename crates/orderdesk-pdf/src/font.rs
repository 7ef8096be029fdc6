//! One embedded TrueType font: text to glyph ids, widths for layout, and
//! the PDF objects that embed it (a Type 0 font with Identity-H encoding,
//! so any glyph of the font can be shown, and a ToUnicode map, so readers
//! can search and copy the text).
//!
//! The fonts are DejaVu Sans subsets committed under `fonts/` (see its
//! LICENSE): Latin, Latin-1 and Latin Extended-A, punctuation, € and ₹.
//! A character the font lacks is drawn as the font's empty box, never
//! dropped, so a name in another script still shows that something is there.

use std::collections::BTreeMap;

use pdf_writer::types::{CidFontType, FontFlags, SystemInfo, UnicodeCmap};
use pdf_writer::{Chunk, Finish, Name, Rect, Ref, Str};

use crate::PdfError;

/// The regular face.
pub(crate) const REGULAR: &[u8] = include_bytes!("../fonts/DejaVuSans-subset.ttf");
/// The bold face.
pub(crate) const BOLD: &[u8] = include_bytes!("../fonts/DejaVuSans-Bold-subset.ttf");

/// A parsed font and the glyphs used so far (for the widths and the
/// ToUnicode map written at the end).
pub(crate) struct Font {
    data: &'static [u8],
    face: ttf_parser::Face<'static>,
    name: &'static str,
    used: BTreeMap<u16, char>,
}

impl Font {
    pub(crate) fn load(data: &'static [u8], name: &'static str) -> Result<Self, PdfError> {
        let face = ttf_parser::Face::parse(data, 0).map_err(|e| PdfError::Font(e.to_string()))?;
        Ok(Self {
            data,
            face,
            name,
            used: BTreeMap::new(),
        })
    }

    fn glyph(&self, c: char) -> u16 {
        let c = match c {
            // Number formatters use narrow and thin no-break spaces.
            '\u{202F}' | '\u{2009}' | '\u{00A0}' => ' ',
            other => other,
        };
        self.face.glyph_index(c).map_or(0, |g| g.0)
    }

    fn advance(&self, glyph: u16) -> f32 {
        let units = f32::from(self.face.units_per_em());
        let advance = self
            .face
            .glyph_hor_advance(ttf_parser::GlyphId(glyph))
            .unwrap_or(0);
        f32::from(advance) * 1000.0 / units
    }

    /// The width of `text` at `size` points.
    pub(crate) fn width(&self, text: &str, size: f32) -> f32 {
        text.chars()
            .map(|c| self.advance(self.glyph(c)))
            .sum::<f32>()
            * size
            / 1000.0
    }

    /// `text` as the two-byte glyph ids Identity-H reads, remembering
    /// which character each glyph stands for.
    pub(crate) fn encode(&mut self, text: &str) -> Vec<u8> {
        let mut out = Vec::with_capacity(text.len() * 2);
        for c in text.chars() {
            let glyph = self.glyph(c);
            if glyph != 0 {
                self.used.entry(glyph).or_insert(c);
            }
            out.extend_from_slice(&glyph.to_be_bytes());
        }
        out
    }

    /// Writes the font's objects; `font` is the reference pages use.
    pub(crate) fn write(&self, chunk: &mut Chunk, font: Ref, next: &mut impl FnMut() -> Ref) {
        let (cid, descriptor, file, cmap) = (next(), next(), next(), next());
        let name = Name(self.name.as_bytes());
        let info = SystemInfo {
            registry: Str(b"Adobe"),
            ordering: Str(b"Identity"),
            supplement: 0,
        };
        chunk
            .type0_font(font)
            .base_font(name)
            .encoding_predefined(Name(b"Identity-H"))
            .descendant_font(cid)
            .to_unicode(cmap);

        let mut cid_font = chunk.cid_font(cid);
        cid_font
            .subtype(CidFontType::Type2)
            .base_font(name)
            .system_info(info)
            .font_descriptor(descriptor)
            .default_width(self.advance(0))
            .cid_to_gid_map_predefined(Name(b"Identity"));
        let mut widths = cid_font.widths();
        for glyph in self.used.keys() {
            widths.consecutive(*glyph, [self.advance(*glyph)]);
        }
        widths.finish();
        cid_font.finish();

        let units = f32::from(self.face.units_per_em());
        let scale = |v: i16| f32::from(v) * 1000.0 / units;
        let bbox = self.face.global_bounding_box();
        chunk
            .font_descriptor(descriptor)
            .name(name)
            .flags(FontFlags::SYMBOLIC)
            .bbox(Rect::new(
                scale(bbox.x_min),
                scale(bbox.y_min),
                scale(bbox.x_max),
                scale(bbox.y_max),
            ))
            .italic_angle(0.0)
            .ascent(scale(self.face.ascender()))
            .descent(scale(self.face.descender()))
            .cap_height(scale(self.face.capital_height().unwrap_or(700)))
            .stem_v(80.0)
            .font_file2(file);

        let length = i32::try_from(self.data.len()).unwrap_or(i32::MAX);
        chunk.stream(file, self.data).pair(Name(b"Length1"), length);

        let mut map = UnicodeCmap::new(Name(b"Custom"), info);
        for (glyph, c) in &self.used {
            map.pair(*glyph, *c);
        }
        let map = map.finish();
        chunk.cmap(cmap, &map);
    }
}
