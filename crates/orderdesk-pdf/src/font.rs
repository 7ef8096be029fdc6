//! One embedded TrueType font: shaping (rustybuzz), widths for layout, and
//! the PDF objects that embed it (a Type 0 font with Identity-H encoding,
//! so any glyph of the font can be shown, and a ToUnicode map, so readers
//! can search and copy the text).
//!
//! The fonts are subsets committed under `fonts/` (see its LICENSE and
//! `subset-noto.sh`): DejaVu Sans for Latin, punctuation, € and ₹; Noto
//! Sans Devanagari, Tamil and Arabic for names and addresses in those
//! scripts ([`crate::text`] picks one per run of text). A character no font
//! has is drawn as DejaVu's empty box, never dropped, so a name in another
//! script still shows that something is there.

use std::collections::BTreeMap;

use pdf_writer::types::{CidFontType, FontFlags, SystemInfo, UnicodeCmap};
use pdf_writer::{Chunk, Finish, Name, Rect, Ref, Str};

use crate::PdfError;

/// One face of each script, in fallback order: a character goes to the
/// first font that has it. `(file, PostScript name)`.
pub(crate) const REGULAR: [(&[u8], &str); 4] = [
    (
        include_bytes!("../fonts/DejaVuSans-subset.ttf"),
        "DejaVuSans",
    ),
    (
        include_bytes!("../fonts/NotoSansDevanagari-Regular-subset.ttf"),
        "NotoSansDevanagari",
    ),
    (
        include_bytes!("../fonts/NotoSansTamil-Regular-subset.ttf"),
        "NotoSansTamil",
    ),
    (
        include_bytes!("../fonts/NotoSansArabic-Regular-subset.ttf"),
        "NotoSansArabic",
    ),
];
/// The bold faces, in the same order as [`REGULAR`].
pub(crate) const BOLD: [(&[u8], &str); 4] = [
    (
        include_bytes!("../fonts/DejaVuSans-Bold-subset.ttf"),
        "DejaVuSans-Bold",
    ),
    (
        include_bytes!("../fonts/NotoSansDevanagari-Bold-subset.ttf"),
        "NotoSansDevanagari-Bold",
    ),
    (
        include_bytes!("../fonts/NotoSansTamil-Bold-subset.ttf"),
        "NotoSansTamil-Bold",
    ),
    (
        include_bytes!("../fonts/NotoSansArabic-Bold-subset.ttf"),
        "NotoSansArabic-Bold",
    ),
];

/// A glyph placed by the shaper, in thousandths of an em (PDF's text
/// space unit), whatever the font's own units.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Placed {
    pub(crate) id: u16,
    pub(crate) x_advance: f32,
    pub(crate) x_offset: f32,
    pub(crate) y_offset: f32,
    /// Byte offset of the glyph's cluster in the shaped text.
    pub(crate) cluster: usize,
}

/// A parsed font and the glyphs used so far (for the widths and the
/// ToUnicode map written at the end).
pub(crate) struct Font {
    data: &'static [u8],
    face: rustybuzz::Face<'static>,
    name: &'static str,
    used: BTreeMap<u16, String>,
    /// Whether a page shows text in it (even only its empty box), so the
    /// document must embed it.
    pub(crate) shown: bool,
}

impl Font {
    pub(crate) fn load((data, name): (&'static [u8], &'static str)) -> Result<Self, PdfError> {
        let face = rustybuzz::Face::from_slice(data, 0)
            .ok_or_else(|| PdfError::Font(format!("{name} does not parse")))?;
        Ok(Self {
            data,
            face,
            name,
            used: BTreeMap::new(),
            shown: false,
        })
    }

    pub(crate) fn has(&self, c: char) -> bool {
        self.face.glyph_index(c).is_some()
    }

    fn scale(&self) -> f32 {
        1000.0 / self.face.units_per_em().max(1) as f32
    }

    /// The glyph's own advance (what the PDF's width array says).
    pub(crate) fn advance(&self, glyph: u16) -> f32 {
        let advance = self
            .face
            .glyph_hor_advance(ttf_parser::GlyphId(glyph))
            .unwrap_or(0);
        f32::from(advance) * self.scale()
    }

    /// `text` shaped in one direction: glyphs in the order they are drawn,
    /// left to right (so reversed for right-to-left text), with the
    /// font's ligatures, conjuncts, reordered vowel signs, joining forms
    /// and mark positions applied.
    pub(crate) fn shape(&self, text: &str, rtl: bool) -> Vec<Placed> {
        let mut buffer = rustybuzz::UnicodeBuffer::new();
        buffer.push_str(text);
        buffer.set_direction(if rtl {
            rustybuzz::Direction::RightToLeft
        } else {
            rustybuzz::Direction::LeftToRight
        });
        buffer.guess_segment_properties();
        let shaped = rustybuzz::shape(&self.face, &[], buffer);
        let scale = self.scale();
        shaped
            .glyph_infos()
            .iter()
            .zip(shaped.glyph_positions())
            .map(|(info, pos)| Placed {
                id: u16::try_from(info.glyph_id).unwrap_or(0),
                x_advance: pos.x_advance as f32 * scale,
                x_offset: pos.x_offset as f32 * scale,
                y_offset: pos.y_offset as f32 * scale,
                cluster: info.cluster as usize,
            })
            .collect()
    }

    /// Remembers which text each glyph stands for (the first glyph of a
    /// cluster stands for the whole cluster, e.g. a conjunct; a glyph keeps
    /// the first text it was seen with). Exact extraction of shaped
    /// left-to-right text comes from the ActualText the canvas writes
    /// around it; right-to-left text is read from this map, glyph by glyph
    /// in drawing order, and readers turn that visual order back into
    /// reading order character by character. So an RTL ligature (lam-alef)
    /// is mapped to its characters reversed, to come out the right way round.
    pub(crate) fn record(&mut self, text: &str, glyphs: &[Placed], rtl: bool) {
        self.shown = true;
        let mut starts: Vec<usize> = glyphs.iter().map(|g| g.cluster).collect();
        starts.sort_unstable();
        starts.dedup();
        let mut seen = Vec::new();
        for g in glyphs {
            if g.id == 0 || seen.contains(&g.cluster) {
                continue;
            }
            seen.push(g.cluster);
            let end = starts
                .iter()
                .find(|s| **s > g.cluster)
                .copied()
                .unwrap_or(text.len());
            if let Some(cluster) = text.get(g.cluster..end) {
                let mapped = if rtl {
                    cluster.chars().rev().collect()
                } else {
                    cluster.to_owned()
                };
                self.used.entry(g.id).or_insert(mapped);
            }
        }
        for g in glyphs {
            // Glyphs that are part of another glyph's cluster still need
            // their width in the PDF.
            self.used.entry(g.id).or_default();
        }
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

        let scale = |v: i16| f32::from(v) * self.scale();
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
        for (glyph, text) in &self.used {
            if !text.is_empty() {
                map.pair_with_multiple(*glyph, text.chars());
            }
        }
        let map = map.finish();
        chunk.cmap(cmap, &map);
    }
}
