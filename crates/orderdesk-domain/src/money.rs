//! Money is an integer count of minor units plus an ISO 4217 currency, never a
//! float. WhatsApp sends `item_price` in major units as a JSON number, so the
//! decimal text of that number is parsed here, in one place, exactly: `7.99`
//! is 799 cents, not 798.9999.

use std::fmt;

use serde::{Deserialize, Serialize};

/// An ISO 4217 alphabetic code: three upper-case ASCII letters.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(try_from = "String", into = "String")]
#[schema(value_type = String, example = "INR")]
pub struct Currency([u8; 3]);

/// Why a currency or an amount was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MoneyError {
    #[error("currency must be a three-letter ISO 4217 code, got {0:?}")]
    Currency(String),
    #[error("amount {0:?} is not a decimal number")]
    NotANumber(String),
    #[error("amount {amount:?} has more decimals than {currency} allows ({exponent})")]
    TooPrecise {
        amount: String,
        currency: Currency,
        exponent: u32,
    },
    #[error("amount {0:?} is negative")]
    Negative(String),
    #[error("amount {0:?} is too large")]
    Overflow(String),
    #[error("cannot combine {0} with {1}")]
    Mismatch(Currency, Currency),
}

/// Currencies whose minor unit is not the cent (ISO 4217 exponent 0 or 3).
const ZERO_DECIMALS: &[&str] = &[
    "BIF", "CLP", "DJF", "GNF", "ISK", "JPY", "KMF", "KRW", "PYG", "RWF", "UGX", "UYI", "VND",
    "VUV", "XAF", "XOF", "XPF",
];
const THREE_DECIMALS: &[&str] = &["BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND"];

impl Currency {
    /// Indian rupees: what a sample amount is shown in when a business has
    /// no order yet to take its currency from.
    pub const INR: Currency = Currency(*b"INR");

    /// Parses a code, upper-casing it (`inr` → `INR`).
    pub fn parse(code: &str) -> Result<Self, MoneyError> {
        let bytes = code.trim().as_bytes();
        match bytes {
            [a, b, c] if bytes.iter().all(u8::is_ascii_alphabetic) => Ok(Self([
                a.to_ascii_uppercase(),
                b.to_ascii_uppercase(),
                c.to_ascii_uppercase(),
            ])),
            _ => Err(MoneyError::Currency(code.to_owned())),
        }
    }

    pub fn as_str(&self) -> &str {
        // Only ASCII letters are ever stored, so this cannot fail.
        std::str::from_utf8(&self.0).unwrap_or("XXX")
    }

    /// Number of decimal places of the minor unit.
    pub fn exponent(&self) -> u32 {
        let code = self.as_str();
        if ZERO_DECIMALS.contains(&code) {
            0
        } else if THREE_DECIMALS.contains(&code) {
            3
        } else {
            2
        }
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
impl fmt::Debug for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Currency({})", self.as_str())
    }
}
impl TryFrom<String> for Currency {
    type Error = MoneyError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::parse(&s)
    }
}
impl From<Currency> for String {
    fn from(c: Currency) -> Self {
        c.as_str().to_owned()
    }
}

/// An amount in minor units of one currency.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Money {
    minor: i64,
    currency: Currency,
}

impl Money {
    pub fn from_minor(minor: i64, currency: Currency) -> Self {
        Self { minor, currency }
    }

    pub fn minor(&self) -> i64 {
        self.minor
    }

    pub fn currency(&self) -> Currency {
        self.currency
    }

    /// Parses a non-negative decimal in major units, as WhatsApp's
    /// `item_price` or a catalog price: `7.99`, `30`, `0.1`, `1.5e1`.
    /// Trailing zeros beyond the currency's exponent are fine (`7.990`);
    /// any other extra precision is refused rather than rounded.
    pub fn parse_decimal(text: &str, currency: Currency) -> Result<Self, MoneyError> {
        let raw = text.trim();
        let bad = || MoneyError::NotANumber(raw.to_owned());
        if raw.starts_with('-') {
            return Err(MoneyError::Negative(raw.to_owned()));
        }
        let raw_num = raw.strip_prefix('+').unwrap_or(raw);
        let (mantissa, exp10) = match raw_num.find(['e', 'E']) {
            Some(i) => {
                let e: i32 = raw_num[i + 1..].parse().map_err(|_| bad())?;
                (&raw_num[..i], e)
            }
            None => (raw_num, 0),
        };
        let (int_part, frac_part) = match mantissa.split_once('.') {
            Some((i, f)) => (i, f),
            None => (mantissa, ""),
        };
        if int_part.is_empty() && frac_part.is_empty()
            || !int_part.bytes().all(|b| b.is_ascii_digit())
            || !frac_part.bytes().all(|b| b.is_ascii_digit())
        {
            return Err(bad());
        }
        // All digits as one integer, with the decimal point `scale` places from the right.
        let digits: String = format!("{int_part}{frac_part}");
        let digits = digits.trim_start_matches('0');
        let scale =
            i64::from(u32::try_from(frac_part.len()).map_err(|_| bad())?) - i64::from(exp10);
        let exponent = currency.exponent();
        // minor = digits * 10^(exponent - scale)
        let shift = i64::from(exponent) - scale;
        let overflow = || MoneyError::Overflow(raw.to_owned());
        let mut value: i64 = 0;
        let (kept, dropped) = if shift >= 0 {
            (digits, "")
        } else {
            let cut = usize::try_from(-shift).map_err(|_| overflow())?;
            if cut >= digits.len() {
                ("", digits)
            } else {
                digits.split_at(digits.len() - cut)
            }
        };
        if dropped.bytes().any(|b| b != b'0') {
            return Err(MoneyError::TooPrecise {
                amount: raw.to_owned(),
                currency,
                exponent,
            });
        }
        for b in kept.bytes() {
            value = value
                .checked_mul(10)
                .and_then(|v| v.checked_add(i64::from(b - b'0')))
                .ok_or_else(overflow)?;
        }
        if shift > 0 && value != 0 {
            let factor = 10_i64
                .checked_pow(u32::try_from(shift).map_err(|_| overflow())?)
                .ok_or_else(overflow)?;
            value = value.checked_mul(factor).ok_or_else(overflow)?;
        }
        Ok(Self::from_minor(value, currency))
    }

    /// Parses a catalog price such as `499.50 INR` (amount, space, code).
    pub fn parse_with_code(text: &str) -> Result<Self, MoneyError> {
        let mut parts = text.split_whitespace();
        match (parts.next(), parts.next(), parts.next()) {
            (Some(amount), Some(code), None) => Self::parse_decimal(amount, Currency::parse(code)?),
            _ => Err(MoneyError::NotANumber(text.to_owned())),
        }
    }

    /// `self * quantity`, refusing overflow.
    pub fn times(&self, quantity: i64) -> Result<Self, MoneyError> {
        self.minor
            .checked_mul(quantity)
            .map(|minor| Self::from_minor(minor, self.currency))
            .ok_or_else(|| MoneyError::Overflow(format!("{self} x {quantity}")))
    }

    /// `self + other`, refusing mixed currencies and overflow.
    pub fn plus(&self, other: Money) -> Result<Self, MoneyError> {
        if self.currency != other.currency {
            return Err(MoneyError::Mismatch(self.currency, other.currency));
        }
        self.minor
            .checked_add(other.minor)
            .map(|minor| Self::from_minor(minor, self.currency))
            .ok_or_else(|| MoneyError::Overflow(format!("{self} + {other}")))
    }
}

impl fmt::Display for Money {
    /// `499.50 INR`, the same shape `parse_with_code` reads.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let exp = self.currency.exponent();
        let sign = if self.minor < 0 { "-" } else { "" };
        let abs = self.minor.unsigned_abs();
        if exp == 0 {
            return write!(f, "{sign}{abs} {}", self.currency);
        }
        let div = 10_u64.pow(exp);
        write!(
            f,
            "{sign}{}.{:0width$} {}",
            abs / div,
            abs % div,
            self.currency,
            width = exp as usize
        )
    }
}

#[cfg(test)]
mod tests;
