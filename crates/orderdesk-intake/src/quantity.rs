//! What a line asks for, and how many packs of a product that makes.
//!
//! A bare count is packs ("2 maggi" → 2); no number is one pack; a weight
//! or volume becomes packs of the product's size rounded up ("1 kg paneer"
//! with a 200 g pack → 5); pieces become packs of the product's piece count
//! ("1 dozen eggs" with a 6-piece tray → 2). A count and a size multiply
//! ("2 x 500g butter" → 2 × 500 g). The product's size is read from its
//! title ("Amul Butter 500 g", "Eggs (pack of 6)"); a product whose title
//! gives none is taken as sold per kilogram, per litre or per piece.

use crate::text::Atom;
use crate::words::{self, Unit};

/// The size of one pack, as read from a product title.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Pack {
    Grams(f64),
    Millilitres(f64),
    Pieces(f64),
}

/// What a line asks for, before it meets a product.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub(crate) struct Amount {
    /// Bare counts and "packets", multiplied (1 when none).
    pub count: f64,
    /// Grams or millilitres asked for (the two are not told apart: a
    /// customer asking "1 kg oil" wants the litre bottle).
    pub measure: Option<f64>,
    pub pieces: Option<f64>,
}

/// Reads the quantity atoms of a line (those marked by `text::classify`).
pub(crate) fn amount(atoms: &[Atom], quantity: &[bool]) -> Amount {
    let mut amount = Amount {
        count: 1.0,
        ..Amount::default()
    };
    let mut pending: Option<f64> = None;
    // After "pack of", the number is pieces in a pack ("2 x pack of 6").
    let mut pack_of = false;
    let flush = |pending: &mut Option<f64>, amount: &mut Amount| {
        if let Some(n) = pending.take() {
            amount.count *= n;
        }
    };
    for (atom, _) in atoms.iter().zip(quantity).filter(|(_, q)| **q) {
        match atom {
            Atom::Num(n) if pack_of => {
                pack_of = false;
                *amount.pieces.get_or_insert(0.0) += n * amount.count.max(1.0);
                amount.count = 1.0;
            }
            Atom::Num(n) => {
                // "1 1/2": a whole number and a fraction add up.
                pending = Some(match pending {
                    Some(p) if *n < 1.0 => p + n,
                    Some(p) => {
                        amount.count *= p;
                        *n
                    }
                    None => *n,
                });
            }
            Atom::Word(w) => {
                if let Some(n) = words::number_word(w) {
                    pending = Some(match pending {
                        Some(p) if n < 1.0 => p + n,
                        Some(p) => {
                            amount.count *= p;
                            n
                        }
                        None => n,
                    });
                } else if w == "of" {
                    pack_of = true;
                } else if words::quarter_before_unit(w) {
                    pending = Some(0.25);
                } else if let Some(unit) = words::unit(w) {
                    let n = pending.take().unwrap_or(1.0);
                    match unit {
                        Unit::Weight(g) => *amount.measure.get_or_insert(0.0) += n * g,
                        Unit::Volume(ml) => *amount.measure.get_or_insert(0.0) += n * ml,
                        Unit::Pieces(p) => *amount.pieces.get_or_insert(0.0) += n * p,
                        Unit::Pack => amount.count *= n,
                    }
                } else {
                    // "x" between a count and a size: the count stays.
                    flush(&mut pending, &mut amount);
                }
            }
        }
    }
    flush(&mut pending, &mut amount);
    amount
}

impl Amount {
    /// Packs of a product with this pack size, rounded up; `None` when the
    /// result is not a usable count (zero, negative, absurdly large).
    pub(crate) fn packs(&self, pack: Option<Pack>) -> Option<u32> {
        let per_count = match (self.measure, self.pieces, pack) {
            (Some(m), _, Some(Pack::Grams(p) | Pack::Millilitres(p))) => m / p,
            (Some(m), _, _) => m / 1000.0,
            (None, Some(n), Some(Pack::Pieces(p))) => n / p,
            (None, Some(n), _) => n,
            (None, None, _) => 1.0,
        };
        let packs = (per_count * self.count - 1e-9).ceil();
        if packs.is_finite() && (1.0..=f64::from(crate::MAX_QUANTITY)).contains(&packs) {
            // In range and whole: the cast is exact.
            #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
            Some(packs as u32)
        } else {
            None
        }
    }

    /// The weight or volume asked for, to prefer the product of that size.
    pub(crate) fn size(&self) -> Option<f64> {
        self.measure
    }
}

/// Reads a pack size from a product title: "Toor Dal 1kg", "Milk 500 ml",
/// "Eggs (pack of 6)", "Eggs 12 pcs". The first size found wins.
pub(crate) fn pack_of(atoms: &[Atom]) -> Option<Pack> {
    for (i, pair) in atoms.windows(2).enumerate() {
        match pair {
            [Atom::Num(n), Atom::Word(w)] if *n > 0.0 => match words::unit(w) {
                Some(Unit::Weight(g)) => return Some(Pack::Grams(n * g)),
                Some(Unit::Volume(ml)) => return Some(Pack::Millilitres(n * ml)),
                Some(Unit::Pieces(p)) => return Some(Pack::Pieces(n * p)),
                _ => {}
            },
            [Atom::Word(a), Atom::Word(b)] if a == "pack" && b == "of" => {
                if let Some(Atom::Num(n)) = atoms.get(i + 2) {
                    if *n > 0.0 {
                        return Some(Pack::Pieces(*n));
                    }
                }
            }
            _ => {}
        }
    }
    None
}

impl Pack {
    /// Grams or millilitres, for comparing with what was asked.
    pub(crate) fn size(self) -> Option<f64> {
        match self {
            Pack::Grams(n) | Pack::Millilitres(n) => Some(n),
            Pack::Pieces(_) => None,
        }
    }
}
