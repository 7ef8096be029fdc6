//! A QR code encoder for the packing slip: short texts (an order number),
//! error correction level M (15 % of the symbol may be damaged), versions
//! 1–6 (no version-information block needed), numeric mode for digits and
//! byte mode otherwise. The construction follows ISO/IEC 18004: data
//! codewords, Reed–Solomon error correction over GF(256) (polynomial
//! 0x11D) per block, interleaved, placed in the zig-zag order around the
//! function patterns. One fixed data mask (pattern 0): every mask is valid
//! and readers take the mask from the format information; the standard's
//! penalty rules only pick the easiest to read, which a printed slip with
//! a quiet zone does not need.

/// Error-correction codewords per block and number of blocks, level M,
/// versions 1–6.
const ECC_PER_BLOCK: [usize; 6] = [10, 16, 26, 18, 24, 16];
const BLOCKS: [usize; 6] = [1, 1, 1, 2, 2, 4];
/// Format information's error-correction bits for level M.
const LEVEL_M: u32 = 0;
const MASK: u32 = 0;

/// A QR symbol: `size` × `size` modules, `true` dark.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QrCode {
    pub size: usize,
    modules: Vec<bool>,
}

impl QrCode {
    /// Whether the module at column `x`, row `y` is dark.
    pub fn dark(&self, x: usize, y: usize) -> bool {
        self.modules[y * self.size + x]
    }

    /// Encodes `text`; `None` when it does not fit version 6-M.
    pub fn encode(text: &str) -> Option<Self> {
        let numeric = !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit());
        for version in 1..=6 {
            let capacity = data_codewords(version);
            if let Some(data) = data_bits(text, numeric, capacity) {
                let codewords = with_ecc(&data, version);
                return Some(Self::draw(version, &codewords));
            }
        }
        None
    }

    fn draw(version: usize, codewords: &[u8]) -> Self {
        let size = version * 4 + 17;
        let mut q = Grid {
            size,
            modules: vec![false; size * size],
            function: vec![false; size * size],
        };
        q.function_patterns(version);
        q.codewords(codewords);
        q.mask();
        q.format_bits();
        QrCode {
            size,
            modules: q.modules,
        }
    }

    /// The symbol as an SVG element with a 4-module quiet zone, an eighth
    /// of an `em` a module: the page sets the module size with the SVG's
    /// `font-size`, a whole number of pixels, so no module is drawn a pixel
    /// wider than its neighbours (as a box scaled to fit would).
    pub fn svg(&self, label: &str) -> String {
        let side = self.size + 8;
        let em = side as f64 / 8.0;
        let label = label
            .replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
            .replace('"', "&quot;");
        let mut path = String::new();
        for y in 0..self.size {
            for x in 0..self.size {
                if self.dark(x, y) {
                    path.push_str(&format!("M{},{}h1v1h-1z", x + 4, y + 4));
                }
            }
        }
        format!(
            "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"qrcode\" width=\"{em}em\" height=\"{em}em\" viewBox=\"0 0 {side} {side}\" \
             shape-rendering=\"crispEdges\" role=\"img\" aria-label=\"QR code of {label}\">\
             <rect width=\"{side}\" height=\"{side}\" fill=\"#fff\"/><path d=\"{path}\" fill=\"#000\"/></svg>"
        )
    }
}

/// Data modules of a version, less function patterns and format bits.
fn raw_modules(version: usize) -> usize {
    let n = (16 * version + 128) * version + 64;
    if version >= 2 {
        // Alignment patterns (one for versions 2–6, the formula counts
        // the ones overlapping the finders out).
        let align = version / 7 + 2;
        n - ((25 * align - 10) * align - 55)
    } else {
        n
    }
}

fn total_codewords(version: usize) -> usize {
    raw_modules(version) / 8
}

fn data_codewords(version: usize) -> usize {
    total_codewords(version) - ECC_PER_BLOCK[version - 1] * BLOCKS[version - 1]
}

struct Bits(Vec<bool>);

impl Bits {
    fn push(&mut self, value: u32, len: u32) {
        for i in (0..len).rev() {
            self.0.push((value >> i) & 1 == 1);
        }
    }
}

/// The data codewords (mode, count, data, terminator, padding), or `None`
/// when they do not fit `capacity`.
fn data_bits(text: &str, numeric: bool, capacity: usize) -> Option<Vec<u8>> {
    let mut b = Bits(Vec::new());
    if numeric {
        b.push(0b0001, 4);
        b.push(u32::try_from(text.len()).ok()?, 10);
        for chunk in text.as_bytes().chunks(3) {
            let value = chunk
                .iter()
                .fold(0u32, |acc, d| acc * 10 + u32::from(d - b'0'));
            b.push(value, [0, 4, 7, 10][chunk.len()]);
        }
    } else {
        if text.len() > 255 {
            return None;
        }
        b.push(0b0100, 4);
        b.push(u32::try_from(text.len()).ok()?, 8);
        for byte in text.bytes() {
            b.push(u32::from(byte), 8);
        }
    }
    let cap_bits = capacity * 8;
    if b.0.len() > cap_bits {
        return None;
    }
    let terminator = (cap_bits - b.0.len()).min(4);
    b.push(0, u32::try_from(terminator).ok()?);
    let pad = (8 - b.0.len() % 8) % 8;
    b.push(0, u32::try_from(pad).ok()?);
    let mut out: Vec<u8> =
        b.0.chunks(8)
            .map(|c| c.iter().fold(0u8, |acc, bit| (acc << 1) | u8::from(*bit)))
            .collect();
    for filler in [0xEC, 0x11].into_iter().cycle() {
        if out.len() >= capacity {
            break;
        }
        out.push(filler);
    }
    Some(out)
}

/// GF(256) multiplication modulo x⁸ + x⁴ + x³ + x² + 1.
fn gf_mul(x: u8, y: u8) -> u8 {
    let mut z: u16 = 0;
    for i in (0..8).rev() {
        z = (z << 1) ^ ((z >> 7) * 0x11D);
        z ^= u16::from((y >> i) & 1) * u16::from(x);
    }
    (z & 0xFF) as u8
}

/// The generator polynomial of `degree` (its coefficients after the
/// leading 1), roots 2⁰ … 2^(degree−1).
fn rs_divisor(degree: usize) -> Vec<u8> {
    let mut result = vec![0u8; degree];
    result[degree - 1] = 1;
    let mut root = 1u8;
    for _ in 0..degree {
        for j in 0..degree {
            result[j] = gf_mul(result[j], root);
            if j + 1 < degree {
                result[j] ^= result[j + 1];
            }
        }
        root = gf_mul(root, 2);
    }
    result
}

/// The error-correction codewords of `data`.
fn rs_remainder(data: &[u8], divisor: &[u8]) -> Vec<u8> {
    let mut result = vec![0u8; divisor.len()];
    for b in data {
        let factor = b ^ result.remove(0);
        result.push(0);
        for (r, d) in result.iter_mut().zip(divisor) {
            *r ^= gf_mul(*d, factor);
        }
    }
    result
}

/// Data split into blocks, each with its error correction, interleaved.
fn with_ecc(data: &[u8], version: usize) -> Vec<u8> {
    let blocks = BLOCKS[version - 1];
    let ecc_len = ECC_PER_BLOCK[version - 1];
    let raw = total_codewords(version);
    let short_blocks = blocks - raw % blocks;
    let short_len = raw / blocks;
    let divisor = rs_divisor(ecc_len);
    let mut all: Vec<Vec<u8>> = Vec::with_capacity(blocks);
    let mut k = 0;
    for i in 0..blocks {
        let len = short_len - ecc_len + usize::from(i >= short_blocks);
        let mut block = data[k..k + len].to_vec();
        k += len;
        let ecc = rs_remainder(&block, &divisor);
        if i < short_blocks {
            block.push(0);
        }
        block.extend(ecc);
        all.push(block);
    }
    let mut out = Vec::with_capacity(raw);
    for i in 0..all[0].len() {
        for (j, block) in all.iter().enumerate() {
            // The short blocks' placeholder byte is not sent.
            if i != short_len - ecc_len || j >= short_blocks {
                out.push(block[i]);
            }
        }
    }
    out
}

struct Grid {
    size: usize,
    modules: Vec<bool>,
    function: Vec<bool>,
}

impl Grid {
    fn set_function(&mut self, x: usize, y: usize, dark: bool) {
        self.modules[y * self.size + x] = dark;
        self.function[y * self.size + x] = true;
    }

    fn function_patterns(&mut self, version: usize) {
        let size = self.size;
        for i in 0..size {
            self.set_function(6, i, i % 2 == 0);
            self.set_function(i, 6, i % 2 == 0);
        }
        for (cx, cy) in [(3, 3), (size - 4, 3), (3, size - 4)] {
            for dy in -4i64..=4 {
                for dx in -4i64..=4 {
                    let (x, y) = (cx as i64 + dx, cy as i64 + dy);
                    if (0..size as i64).contains(&x) && (0..size as i64).contains(&y) {
                        let dist = dx.abs().max(dy.abs());
                        self.set_function(x as usize, y as usize, dist != 2 && dist != 4);
                    }
                }
            }
        }
        if version >= 2 {
            // Versions 2–6 have one alignment pattern, near the bottom right.
            let c = size - 7;
            for dy in -2i64..=2 {
                for dx in -2i64..=2 {
                    let dist = dx.abs().max(dy.abs());
                    self.set_function(
                        (c as i64 + dx) as usize,
                        (c as i64 + dy) as usize,
                        dist != 1,
                    );
                }
            }
        }
        // Reserve the format areas (drawn last, once the mask is applied).
        self.format_bits();
    }

    fn format_bits(&mut self) {
        let data = (LEVEL_M << 3) | MASK;
        let mut rem = data;
        for _ in 0..10 {
            rem = (rem << 1) ^ ((rem >> 9) * 0x537);
        }
        let bits = ((data << 10) | rem) ^ 0x5412;
        let bit = |i: u32| (bits >> i) & 1 == 1;
        let size = self.size;
        for i in 0..=5 {
            self.set_function(8, i as usize, bit(i));
        }
        self.set_function(8, 7, bit(6));
        self.set_function(8, 8, bit(7));
        self.set_function(7, 8, bit(8));
        for i in 9..15 {
            self.set_function(14 - i as usize, 8, bit(i));
        }
        for i in 0..8 {
            self.set_function(size - 1 - i as usize, 8, bit(i));
        }
        for i in 8..15 {
            self.set_function(8, size - 15 + i as usize, bit(i));
        }
        self.set_function(8, size - 8, true);
    }

    fn codewords(&mut self, data: &[u8]) {
        let size = self.size;
        let mut i = 0usize;
        let mut right = size - 1;
        loop {
            if right == 6 {
                right = 5;
            }
            for vert in 0..size {
                for j in 0..2 {
                    let x = right - j;
                    let upward = (right + 1) & 2 == 0;
                    let y = if upward { size - 1 - vert } else { vert };
                    if !self.function[y * size + x] && i < data.len() * 8 {
                        self.modules[y * size + x] = (data[i >> 3] >> (7 - (i & 7))) & 1 == 1;
                        i += 1;
                    }
                }
            }
            if right < 2 {
                break;
            }
            right -= 2;
        }
    }

    /// Mask pattern 0: invert where (row + column) is even.
    fn mask(&mut self) {
        for y in 0..self.size {
            for x in 0..self.size {
                let k = y * self.size + x;
                if !self.function[k] && (x + y) % 2 == 0 {
                    self.modules[k] = !self.modules[k];
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numeric_data_and_error_correction_match_the_standards_example() {
        // ISO/IEC 18004 Annex I: "01234567" as 1-M.
        let data = data_bits("01234567", true, data_codewords(1)).unwrap();
        assert_eq!(
            data,
            vec![
                0x10, 0x20, 0x0C, 0x56, 0x61, 0x80, 0xEC, 0x11, 0xEC, 0x11, 0xEC, 0x11, 0xEC, 0x11,
                0xEC, 0x11
            ]
        );
        let ecc = rs_remainder(&data, &rs_divisor(10));
        assert_eq!(
            ecc,
            vec![0xA5, 0x24, 0xD4, 0xC1, 0xED, 0x36, 0xC7, 0x87, 0x2C, 0x55]
        );
    }

    #[test]
    fn capacities_are_the_standards() {
        // Total and level-M data codewords, versions 1–6.
        let totals: Vec<usize> = (1..=6).map(total_codewords).collect();
        assert_eq!(totals, vec![26, 44, 70, 100, 134, 172]);
        let data: Vec<usize> = (1..=6).map(data_codewords).collect();
        assert_eq!(data, vec![16, 28, 44, 64, 86, 108]);
    }

    #[test]
    fn format_information_for_level_m_mask_0() {
        let q = QrCode::encode("1001").unwrap();
        assert_eq!(q.size, 21, "an order number fits version 1");
        // 101010000010010, most significant bit first, along row 8 from
        // the left (skipping the timing column 6).
        let row: String = [0, 1, 2, 3, 4, 5, 7, 8]
            .iter()
            .map(|&x| if q.dark(x, 8) { '1' } else { '0' })
            .collect();
        assert_eq!(row, "10101000");
        assert!(q.dark(8, q.size - 8), "the dark module");
    }

    #[test]
    fn finders_sit_in_three_corners() {
        let q = QrCode::encode("order 1001 at the desk").unwrap();
        for (x0, y0) in [(0, 0), (q.size - 7, 0), (0, q.size - 7)] {
            for d in 0..7 {
                assert!(q.dark(x0 + d, y0), "top edge");
                assert!(q.dark(x0, y0 + d), "left edge");
            }
            assert!(!q.dark(x0 + 1, y0 + 1), "the light ring");
            assert!(q.dark(x0 + 3, y0 + 3), "the centre");
        }
    }

    #[test]
    fn longer_texts_take_bigger_versions_and_too_long_none() {
        assert_eq!(QrCode::encode(&"a".repeat(40)).unwrap().size, 3 * 4 + 17);
        assert_eq!(QrCode::encode(&"a".repeat(200)), None);
        assert!(QrCode::encode("1001")
            .unwrap()
            .svg("1001")
            .contains("width=\"3.625em\" height=\"3.625em\" viewBox=\"0 0 29 29\""));
        assert!(QrCode::encode("1001")
            .unwrap()
            .svg("1001")
            .contains("QR code of 1001"));
    }
}
