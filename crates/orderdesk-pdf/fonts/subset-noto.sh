#!/bin/sh
# Makes the Noto Sans subsets committed beside this script (run once, by
# hand, when the ranges change; the build only reads the .ttf files).
# Needs fontTools (`python3 -m venv v && v/bin/pip install fonttools`,
# then PYFTSUBSET=v/bin/pyftsubset) and Debian's fonts-noto-core.
#
# Each subset keeps its script's block, the joiners and marks shaping
# needs (ZWNJ, ZWJ, the dotted circle a lone mark is drawn on), the space,
# digits and the punctuation a name or an address in that script uses, and
# ALL layout features: rustybuzz shapes with them (conjuncts, vowel signs
# reordered before the consonant, Arabic joining forms and lam-alef).
# Hinting is dropped: a PDF reader does not use it.
set -eu
PYFTSUBSET=${PYFTSUBSET:-pyftsubset}
NOTO=${NOTO:-/usr/share/fonts/truetype/noto}
OUT=$(dirname "$0")
COMMON="U+0020-0040,U+005B-0060,U+007B-007E,U+00A0,U+00AD,U+200B-200F,U+2010-2015,U+2018-201F,U+2026,U+25CC"
subset() { # font, unicodes
    for face in Regular Bold; do
        "$PYFTSUBSET" "$NOTO/$1-$face.ttf" --unicodes="$COMMON,$2" \
            --layout-features='*' --no-hinting --desubroutinize --notdef-outline \
            --name-IDs='*' --output-file="$OUT/$1-$face-subset.ttf"
    done
}
# Devanagari and Devanagari Extended (Hindi, Marathi, Nepali names); ₹.
subset NotoSansDevanagari "U+0900-097F,U+A8E0-A8FF,U+20B9"
# Tamil and Tamil's own fractions and signs; ₹.
subset NotoSansTamil "U+0B80-0BFF,U+20B9"
# Arabic and its supplement (Urdu, Persian, Pashto letters); the Arabic comma,
# semicolon and digits (in the main block).
subset NotoSansArabic "U+0600-06FF,U+0750-077F"
