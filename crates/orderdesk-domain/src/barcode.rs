//! Code 128 for the packing slip's order number: scanners at a packing
//! table read it back as the number. Pure: the bars as module widths, and
//! the SVG the slip draws them with.
//!
//! A symbol is: a quiet zone, a start symbol, the data symbols, the check
//! symbol (`(start + Σ position × value) mod 103`), Stop, a quiet zone. Each
//! symbol is three bars and three spaces, 11 modules wide; Stop is 13.
//! Digits go in code set C, two to a symbol (an odd last digit after a
//! switch to set B): an 8-digit order number takes 99 modules instead of
//! 143, so its bars stay wide enough to scan off a phone's screen and a
//! 4×6 in label. Any other text is set B, one character a symbol.

/// Module widths (bar, space, bar, space, bar, space) of each value 0–105;
/// 106 is Stop (with its final 2-module bar).
const PATTERNS: [&str; 107] = [
    "212222", "222122", "222221", "121223", "121322", "131222", "122213", "122312", "132212",
    "221213", "221312", "231212", "112232", "122132", "122231", "113222", "123122", "123221",
    "223211", "221132", "221231", "213212", "223112", "312131", "311222", "321122", "321221",
    "312212", "322112", "322211", "212123", "212321", "232121", "111323", "131123", "131321",
    "112313", "132113", "132311", "211313", "231113", "231311", "112133", "112331", "132131",
    "113123", "113321", "133121", "313121", "211331", "231131", "213113", "213311", "213131",
    "311123", "311321", "331121", "312113", "312311", "332111", "314111", "221411", "431111",
    "111224", "111422", "121124", "121421", "141122", "141221", "112214", "112412", "122114",
    "122411", "142112", "142211", "241211", "221114", "413111", "241112", "134111", "111242",
    "121142", "121241", "114212", "124112", "124211", "411212", "421112", "421211", "212141",
    "214121", "412121", "111143", "111341", "131141", "114113", "114311", "411113", "411311",
    "113141", "114131", "311141", "411131", "211412", "211214", "211232", "2331112",
];

const START_B: usize = 104;
const START_C: usize = 105;
/// In code set C: the next symbol is set B's.
const CODE_B: usize = 100;
const STOP: usize = 106;
/// Blank modules either side, as the standard asks (at least 10).
pub const QUIET: u32 = 10;

/// The symbol values of `text` (start, data, check, stop): set C for two
/// or more digits, set B otherwise; `None` when a character is outside
/// printable ASCII.
pub fn code128_values(text: &str) -> Option<Vec<usize>> {
    let digits = text.as_bytes();
    let mut values;
    if digits.len() >= 2 && digits.iter().all(u8::is_ascii_digit) {
        values = vec![START_C];
        let pairs = digits.chunks_exact(2);
        let last = pairs.remainder().first().copied();
        values.extend(pairs.map(|p| usize::from((p[0] - b'0') * 10 + (p[1] - b'0'))));
        if let Some(d) = last {
            values.push(CODE_B);
            values.push(usize::from(d - 32));
        }
    } else {
        values = vec![START_B];
        for c in text.chars() {
            let v = u32::from(c);
            if !(32..=126).contains(&v) {
                return None;
            }
            values.push((v - 32) as usize);
        }
    }
    let check = values
        .iter()
        .enumerate()
        .map(|(i, v)| i.max(1) * v)
        .sum::<usize>()
        % 103;
    values.push(check);
    values.push(STOP);
    Some(values)
}

/// The bars of `text`: (left edge, width) in modules, quiet zone
/// included, and the total width in modules.
pub fn code128_bars(text: &str) -> Option<(Vec<(u32, u32)>, u32)> {
    let mut x = QUIET;
    let mut bars = Vec::new();
    for v in code128_values(text)? {
        for (i, w) in PATTERNS[v].bytes().enumerate() {
            let w = u32::from(w - b'0');
            if i % 2 == 0 {
                bars.push((x, w));
            }
            x += w;
        }
    }
    Some((bars, x + QUIET))
}

/// The barcode as an SVG element, `height` units tall (stretched to the
/// height CSS gives it). Its width is an eighth of an `em` a module, so the
/// page sets the module size with the SVG's `font-size` (24px: 3 CSS px a
/// module), a whole number of pixels: every bar of one width is drawn as
/// wide as the others, where a box scaled to fit would make some modules a
/// pixel wider than the rest (or blur them) and scanners misread the
/// widths. `shape-rendering: crispEdges` keeps the edges sharp.
pub fn code128_svg(text: &str, height: u32) -> Option<String> {
    let (bars, width) = code128_bars(text)?;
    // The label repeats the text: escaped, as the SVG is inlined in HTML.
    let label = text
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;");
    let em = f64::from(width) / 8.0;
    let mut svg = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"barcode\" width=\"{em}em\" viewBox=\"0 0 {width} {height}\" \
         preserveAspectRatio=\"none\" shape-rendering=\"crispEdges\" role=\"img\" \
         aria-label=\"Code 128 barcode of {label}\"><rect width=\"{width}\" height=\"{height}\" fill=\"#fff\"/>"
    );
    for (x, w) in bars {
        svg.push_str(&format!(
            "<rect x=\"{x}\" width=\"{w}\" height=\"{height}\" fill=\"#000\"/>"
        ));
    }
    svg.push_str("</svg>");
    Some(svg)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_symbol_is_eleven_modules_and_stop_thirteen() {
        for (v, p) in PATTERNS.iter().enumerate() {
            let sum: u32 = p.bytes().map(|b| u32::from(b - b'0')).sum();
            assert_eq!(sum, if v == STOP { 13 } else { 11 }, "value {v}");
        }
        let distinct: std::collections::HashSet<_> = PATTERNS.iter().collect();
        assert_eq!(distinct.len(), PATTERNS.len(), "no two values look alike");
    }

    #[test]
    fn the_check_symbol_weights_each_character_by_its_position() {
        // Start B 104; "P"=48, "J"=42, "J"=42, "1"=17, "2"=18, "3"=19, "C"=35:
        // 104 + 48 + 84 + 126 + 68 + 90 + 114 + 245 = 879 ≡ 55 (mod 103).
        let v = code128_values("PJJ123C").unwrap();
        assert_eq!(v, vec![104, 48, 42, 42, 17, 18, 19, 35, 55, 106]);
        // An order number, in set C: 105 + 10 + 2·1 = 117 ≡ 14.
        assert_eq!(code128_values("1001").unwrap(), vec![105, 10, 1, 14, 106]);
    }

    #[test]
    fn digits_go_two_to_a_symbol_and_an_odd_last_one_in_set_b() {
        // 105 + 12 + 2·34 + 3·56 + 4·100 + 5·23 = 868 ≡ 44; "7" is 23 in B.
        assert_eq!(
            code128_values("1234567").unwrap(),
            vec![105, 12, 34, 56, 100, 23, 44, 106]
        );
        // 8 digits: 4 symbols, not 8.
        let (_, width) = code128_bars("12345678").unwrap();
        assert_eq!(width, 6 * 11 + 13 + 2 * QUIET);
        // A single digit, or digits with anything else, stay in set B.
        assert_eq!(code128_values("7").unwrap()[..2], [104, 23]);
        assert_eq!(code128_values("12a").unwrap()[0], 104);
    }

    #[test]
    fn bars_start_and_end_in_the_quiet_zone() {
        let (bars, width) = code128_bars("1001").unwrap();
        // Start, 2 digit pairs, check: 4 × 11 modules; Stop 13; two quiet zones.
        assert_eq!(width, 4 * 11 + 13 + 2 * QUIET);
        assert_eq!(
            bars.first(),
            Some(&(QUIET, 2)),
            "Start C opens with a 2-module bar"
        );
        let (x, w) = *bars.last().unwrap();
        assert_eq!(
            x + w,
            width - QUIET,
            "Stop ends with its bar at the quiet zone"
        );
        // 3 bars per symbol, 4 for Stop.
        assert_eq!(bars.len(), 4 * 3 + 4);
    }

    #[test]
    fn text_outside_printable_ascii_has_no_barcode() {
        assert_eq!(code128_values("Zoë"), None);
        assert_eq!(code128_values("a\nb"), None);
        let svg = code128_svg("1001", 40).unwrap();
        assert!(svg.contains("Code 128 barcode of 1001"));
        // 77 modules, an eighth of an em each: the font-size sets the module.
        assert!(
            svg.contains("width=\"9.625em\" viewBox=\"0 0 77 40\""),
            "{svg}"
        );
        assert!(code128_svg("<a\"", 40).unwrap().contains("of &lt;a&quot;"));
    }
}
