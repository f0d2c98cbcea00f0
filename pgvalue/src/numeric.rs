//! Exact decimal numbers with PostgreSQL `numeric` input rules, display scale and arithmetic.

use std::cmp::Ordering;
use std::fmt;

use crate::error::{PgError, sqlstate};

/// Largest base-10000 weight a stored numeric may have (`int16` field).
const MAX_NBASE_WEIGHT: i64 = 32767;
/// Largest display scale a stored numeric may have (`NUMERIC_DSCALE_MASK`).
const MAX_DSCALE: i64 = 0x3FFF;
/// numeric_in rejects exponents at or beyond `INT_MAX / 2` before anything else.
const MAX_INPUT_EXPONENT: i64 = (i32::MAX / 2) as i64;
/// Division keeps at least this many significant digits (`NUMERIC_MIN_SIG_DIGITS`).
const MIN_SIG_DIGITS: i64 = 16;
/// Division never chooses more fractional digits than this (`NUMERIC_MAX_DISPLAY_SCALE`).
const MAX_DISPLAY_SCALE: i64 = 1000;

/// A finite PostgreSQL `numeric` value together with its display scale.
///
/// Equality and ordering compare values (`1.0 == 1`), as jsonb does; the display scale only
/// affects [`Numeric::to_string`].
#[derive(Clone, Debug)]
pub struct Numeric {
    negative: bool,
    /// Significant digits, most significant first, without leading or trailing zeros;
    /// empty for zero.
    digits: Vec<u8>,
    /// The value is `digits × 10^exponent`.
    exponent: i64,
    /// Number of fractional digits shown on output.
    dscale: u32,
}

/// What a numeric input string denotes: a finite value or one of numeric's special values.
#[derive(Clone, Debug, PartialEq)]
pub enum NumericInput {
    /// A finite number.
    Finite(Numeric),
    /// `NaN`.
    NaN,
    /// `Infinity`.
    Infinity,
    /// `-Infinity`.
    NegativeInfinity,
}

fn overflow() -> PgError {
    PgError::new(
        sqlstate::NUMERIC_VALUE_OUT_OF_RANGE,
        "value overflows numeric format",
    )
}

fn invalid_numeric(text: &str) -> PgError {
    PgError::new(
        sqlstate::INVALID_TEXT_REPRESENTATION,
        format!("invalid input syntax for type numeric: \"{text}\""),
    )
}

/// Normalizes numeric input text the way `numeric_in` followed by `numeric_out` does:
/// `' 1.50 '` → `1.50`, `1e2` → `100`, `1.5e-3` → `0.0015`, `nan` → `NaN`.
pub fn numeric_normalize(text: &str) -> Result<String, PgError> {
    Ok(match Numeric::parse_input(text)? {
        NumericInput::Finite(n) => n.to_string(),
        NumericInput::NaN => "NaN".to_string(),
        NumericInput::Infinity => "Infinity".to_string(),
        NumericInput::NegativeInfinity => "-Infinity".to_string(),
    })
}

fn is_c_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c)
}

impl Numeric {
    /// Zero with display scale 0.
    pub fn zero() -> Numeric {
        Numeric {
            negative: false,
            digits: Vec::new(),
            exponent: 0,
            dscale: 0,
        }
    }

    /// Parses text accepted by `numeric_in`, including `NaN` and the infinities.
    pub fn parse_input(text: &str) -> Result<NumericInput, PgError> {
        let trimmed = text.trim_matches(|c: char| c.is_ascii() && is_c_space(c as u8));
        let (negative, unsigned) = match trimmed.as_bytes().first() {
            Some(b'-') => (true, &trimmed[1..]),
            Some(b'+') => (false, &trimmed[1..]),
            _ => (false, trimmed),
        };
        let lower = unsigned.to_ascii_lowercase();
        if lower == "nan" && unsigned.len() == trimmed.len() {
            return Ok(NumericInput::NaN);
        }
        if lower == "infinity" || lower == "inf" {
            return Ok(if negative {
                NumericInput::NegativeInfinity
            } else {
                NumericInput::Infinity
            });
        }
        Numeric::parse_decimal(trimmed)
            .map_err(|e| e.unwrap_or_else(|| invalid_numeric(text)))
            .map(NumericInput::Finite)
    }

    /// Parses a finite decimal (`[+-]digits[.digits][e[+-]digits]`); the error is `None`
    /// when the syntax is wrong, `Some` when the value does not fit numeric.
    fn parse_decimal(s: &str) -> Result<Numeric, Option<PgError>> {
        let b = s.as_bytes();
        let mut i = 0;
        let mut negative = false;
        if i < b.len() && (b[i] == b'+' || b[i] == b'-') {
            negative = b[i] == b'-';
            i += 1;
        }
        let mut mantissa = Vec::new();
        let mut frac_len: i64 = 0;
        let mut seen_point = false;
        let mut seen_digit = false;
        while i < b.len() {
            match b[i] {
                c @ b'0'..=b'9' => {
                    mantissa.push(c - b'0');
                    seen_digit = true;
                    if seen_point {
                        frac_len += 1;
                    }
                }
                b'.' if !seen_point => seen_point = true,
                _ => break,
            }
            i += 1;
        }
        if !seen_digit {
            return Err(None);
        }
        let mut exp: i64 = 0;
        if i < b.len() && (b[i] == b'e' || b[i] == b'E') {
            i += 1;
            let mut exp_negative = false;
            if i < b.len() && (b[i] == b'+' || b[i] == b'-') {
                exp_negative = b[i] == b'-';
                i += 1;
            }
            let start = i;
            while i < b.len() && b[i].is_ascii_digit() {
                exp = exp
                    .saturating_mul(10)
                    .saturating_add(i64::from(b[i] - b'0'));
                i += 1;
            }
            if i == start {
                return Err(None);
            }
            if exp_negative {
                exp = -exp;
            }
            if exp >= MAX_INPUT_EXPONENT || exp <= -MAX_INPUT_EXPONENT {
                return Err(Some(overflow()));
            }
        }
        if i != b.len() {
            return Err(None);
        }
        let dscale = (frac_len - exp).max(0);
        let n = Numeric::from_parts(negative, mantissa, exp - frac_len, dscale).map_err(Some)?;
        Ok(n)
    }

    /// Parses the text of a JSON number token (already validated by the JSON lexer).
    pub(crate) fn parse_json_number(text: &str) -> Result<Numeric, PgError> {
        Numeric::parse_decimal(text).map_err(|e| e.unwrap_or_else(|| invalid_numeric(text)))
    }

    /// Builds a value from raw digits, checking numeric's storage limits.
    fn from_parts(
        negative: bool,
        mut digits: Vec<u8>,
        mut exponent: i64,
        dscale: i64,
    ) -> Result<Numeric, PgError> {
        let lead = digits.iter().take_while(|&&d| d == 0).count();
        digits.drain(..lead);
        while digits.last() == Some(&0) {
            digits.pop();
            exponent += 1;
        }
        if digits.is_empty() {
            exponent = 0;
        } else {
            let dweight = digits.len() as i64 - 1 + exponent;
            if dweight.div_euclid(4) > MAX_NBASE_WEIGHT {
                return Err(overflow());
            }
        }
        if dscale > MAX_DSCALE {
            return Err(overflow());
        }
        Ok(Numeric {
            negative: negative && !digits.is_empty(),
            digits,
            exponent,
            dscale: dscale as u32,
        })
    }

    /// The value of an `i64`, display scale 0.
    pub fn from_i64(v: i64) -> Numeric {
        let mut digits: Vec<u8> = v
            .unsigned_abs()
            .to_string()
            .bytes()
            .map(|c| c - b'0')
            .collect();
        let mut exponent = 0;
        while digits.last() == Some(&0) {
            digits.pop();
            exponent += 1;
        }
        if digits.is_empty() {
            exponent = 0;
        }
        Numeric {
            negative: v < 0,
            digits,
            exponent,
            dscale: 0,
        }
    }

    /// True for zero.
    pub fn is_zero(&self) -> bool {
        self.digits.is_empty()
    }

    /// True when the value is below zero.
    pub fn is_negative(&self) -> bool {
        self.negative
    }

    /// Display scale (digits shown after the decimal point).
    pub fn dscale(&self) -> u32 {
        self.dscale
    }

    /// The nearest `f64` (infinite when out of range).
    pub fn to_f64(&self) -> f64 {
        self.to_string().parse::<f64>().unwrap_or(f64::NAN)
    }

    /// The value truncated toward zero, if it fits an `i64`.
    pub fn trunc_to_i64(&self) -> Option<i64> {
        let int_len = self.digits.len() as i64 + self.exponent;
        if int_len <= 0 {
            return Some(0);
        }
        if int_len > 19 {
            return None;
        }
        let mut v: i128 = 0;
        for k in 0..int_len {
            let d = self.digits.get(k as usize).copied().unwrap_or(0);
            v = v * 10 + i128::from(d);
        }
        if self.negative {
            v = -v;
        }
        i64::try_from(v).ok()
    }

    /// Whether the value has no fractional part.
    pub fn is_integral(&self) -> bool {
        self.exponent >= 0
    }

    /// The value with its sign flipped.
    pub fn negate(&self) -> Numeric {
        let mut n = self.clone();
        n.negative = !n.negative && !n.digits.is_empty();
        n
    }

    /// Decimal exponent of the leading digit (`1.5` → 0, `0.01` → -2).
    fn dweight(&self) -> i64 {
        self.digits.len() as i64 - 1 + self.exponent
    }

    fn cmp_magnitude(&self, other: &Numeric) -> Ordering {
        match (self.is_zero(), other.is_zero()) {
            (true, true) => return Ordering::Equal,
            (true, false) => return Ordering::Less,
            (false, true) => return Ordering::Greater,
            _ => {}
        }
        self.dweight()
            .cmp(&other.dweight())
            .then_with(|| self.digits.cmp(&other.digits))
    }

    /// Little-endian digit vector of `|self|` scaled to `10^exp` units (`exp <= self.exponent`).
    fn scaled_le(&self, exp: i64) -> Vec<u8> {
        let mut v = vec![0u8; (self.exponent - exp) as usize];
        v.extend(self.digits.iter().rev());
        v
    }

    fn from_le(negative: bool, le: Vec<u8>, exp: i64, dscale: i64) -> Result<Numeric, PgError> {
        let digits: Vec<u8> = le.into_iter().rev().collect();
        Numeric::from_parts(negative, digits, exp, dscale)
    }

    /// `self + other` with scale `max(dscale)`.
    pub fn add(&self, other: &Numeric) -> Result<Numeric, PgError> {
        let dscale = i64::from(self.dscale.max(other.dscale));
        let exp = self.exponent.min(other.exponent);
        let a = self.scaled_le(exp);
        let b = other.scaled_le(exp);
        if self.negative == other.negative {
            return Numeric::from_le(self.negative, add_le(&a, &b), exp, dscale);
        }
        match self.cmp_magnitude(other) {
            Ordering::Equal => Numeric::from_parts(false, Vec::new(), 0, dscale),
            Ordering::Greater => Numeric::from_le(self.negative, sub_le(&a, &b), exp, dscale),
            Ordering::Less => Numeric::from_le(other.negative, sub_le(&b, &a), exp, dscale),
        }
    }

    /// `self - other` with scale `max(dscale)`.
    pub fn sub(&self, other: &Numeric) -> Result<Numeric, PgError> {
        self.add(&other.negate())
    }

    /// `self * other` with scale `dscale1 + dscale2`.
    pub fn mul(&self, other: &Numeric) -> Result<Numeric, PgError> {
        let dscale = i64::from(self.dscale) + i64::from(other.dscale);
        let a: Vec<u8> = self.digits.iter().rev().copied().collect();
        let b: Vec<u8> = other.digits.iter().rev().copied().collect();
        let product = mul_le(&a, &b);
        let exp = self.exponent + other.exponent;
        let n = Numeric::from_le(self.negative != other.negative, product, exp, dscale)?;
        Ok(n.round_to(dscale))
    }

    /// `self / other` with PostgreSQL's choice of result scale; `22012` on division by zero.
    pub fn div(&self, other: &Numeric) -> Result<Numeric, PgError> {
        if other.is_zero() {
            return Err(PgError::new(sqlstate::DIVISION_BY_ZERO, "division by zero"));
        }
        let rscale = self.select_div_scale(other);
        self.div_to_scale(other, rscale, true)
    }

    /// `self % other` (sign of the dividend), scale `max(dscale)`.
    pub fn rem(&self, other: &Numeric) -> Result<Numeric, PgError> {
        if other.is_zero() {
            return Err(PgError::new(sqlstate::DIVISION_BY_ZERO, "division by zero"));
        }
        let quotient = self.div_to_scale(other, 0, false)?;
        let product = other.mul(&quotient)?;
        let mut r = self.sub(&product)?;
        r.dscale = self.dscale.max(other.dscale);
        Ok(r)
    }

    /// The base-10000 weight and first base-10000 digit, as numeric stores them.
    fn nbase_lead(&self) -> (i64, u32) {
        if self.is_zero() {
            return (0, 0);
        }
        let dw = self.dweight();
        let weight = dw.div_euclid(4);
        // Digits of the leading group: positions dw down to weight*4.
        let mut first = 0u32;
        for p in (weight * 4..=dw).rev() {
            let idx = dw - p;
            let d = self.digits.get(idx as usize).copied().unwrap_or(0);
            first = first * 10 + u32::from(d);
        }
        (weight, first)
    }

    fn select_div_scale(&self, other: &Numeric) -> i64 {
        let (w1, f1) = self.nbase_lead();
        let (w2, f2) = other.nbase_lead();
        let mut qweight = w1 - w2;
        if f1 <= f2 {
            qweight -= 1;
        }
        let rscale = (MIN_SIG_DIGITS - qweight * 4)
            .max(i64::from(self.dscale))
            .max(i64::from(other.dscale))
            .max(0);
        rscale.min(MAX_DISPLAY_SCALE)
    }

    /// Quotient with `rscale` fractional digits, rounded half away from zero or truncated.
    fn div_to_scale(&self, other: &Numeric, rscale: i64, round: bool) -> Result<Numeric, PgError> {
        if self.is_zero() {
            return Numeric::from_parts(false, Vec::new(), 0, rscale);
        }
        // q = a*10^ea / (b*10^eb); compute integer floor(a*10^k / b) with k chosen so the
        // quotient unit is 10^-(rscale+1) (one guard digit for rounding).
        let guard = if round { 1 } else { 0 };
        let target_exp = -(rscale + guard);
        let k = self.exponent - other.exponent - target_exp;
        let mut a: Vec<u8> = self.digits.clone();
        let mut b: Vec<u8> = other.digits.clone();
        if k >= 0 {
            a.extend(std::iter::repeat_n(0, k as usize));
        } else {
            b.extend(std::iter::repeat_n(0, (-k) as usize));
        }
        let mut q = div_be(&a, &b);
        let mut exp = target_exp;
        if round {
            let last = q.pop().unwrap_or(0);
            if last >= 5 {
                q = add_be_one(&q);
            }
            exp += 1;
        }
        let negative = self.negative != other.negative;
        Numeric::from_parts(negative, q, exp, rscale)
    }

    /// Rounds to `scale` fractional digits (half away from zero) and sets the display scale.
    pub fn round_to(&self, scale: i64) -> Numeric {
        let mut n = self.clone();
        let cut = -scale - n.exponent; // number of trailing digits to drop
        if cut > 0 {
            let cut = cut as usize;
            if cut > n.digits.len() {
                n.digits.clear();
            } else {
                let keep = n.digits.len() - cut;
                let round_up = n.digits[keep] >= 5;
                n.digits.truncate(keep);
                n.exponent += cut as i64;
                if round_up {
                    n.digits = add_be_one(&n.digits);
                    if n.digits.len() > keep && keep > 0 {
                        // carry produced an extra leading digit; value is still exact
                    }
                }
            }
            while n.digits.last() == Some(&0) {
                n.digits.pop();
                n.exponent += 1;
            }
            if n.digits.is_empty() {
                n.exponent = 0;
                n.negative = false;
            }
        }
        n.dscale = scale.clamp(0, i64::from(u32::MAX)) as u32;
        n
    }

    /// The value truncated toward zero with display scale 0.
    pub fn trunc(&self) -> Numeric {
        let mut n = self.clone();
        if n.exponent < 0 {
            let cut = (-n.exponent) as usize;
            if cut >= n.digits.len() {
                return Numeric::zero();
            }
            n.digits.truncate(n.digits.len() - cut);
            n.exponent = 0;
            while n.digits.last() == Some(&0) {
                n.digits.pop();
                n.exponent += 1;
            }
        }
        n.dscale = 0;
        n
    }

    /// Largest integer not greater than the value (`ceil`/`floor` use scale 0).
    pub fn floor(&self) -> Numeric {
        let t = self.trunc();
        if self.negative && !self.is_integral() {
            t.sub(&Numeric::from_i64(1)).unwrap_or(t)
        } else {
            t
        }
    }

    /// Smallest integer not less than the value.
    pub fn ceil(&self) -> Numeric {
        let t = self.trunc();
        if !self.negative && !self.is_integral() {
            t.add(&Numeric::from_i64(1)).unwrap_or(t)
        } else {
            t
        }
    }

    /// Absolute value, same scale.
    pub fn abs(&self) -> Numeric {
        let mut n = self.clone();
        n.negative = false;
        n
    }
}

fn add_le(a: &[u8], b: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(a.len().max(b.len()) + 1);
    let mut carry = 0;
    for i in 0..a.len().max(b.len()) {
        let s = a.get(i).copied().unwrap_or(0) + b.get(i).copied().unwrap_or(0) + carry;
        out.push(s % 10);
        carry = s / 10;
    }
    if carry > 0 {
        out.push(carry);
    }
    out
}

/// `a - b` for `a >= b`, little-endian.
fn sub_le(a: &[u8], b: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(a.len());
    let mut borrow = 0i8;
    for (i, &ad) in a.iter().enumerate() {
        let mut d = ad as i8 - b.get(i).copied().unwrap_or(0) as i8 - borrow;
        borrow = 0;
        if d < 0 {
            d += 10;
            borrow = 1;
        }
        out.push(d as u8);
    }
    out
}

fn mul_le(a: &[u8], b: &[u8]) -> Vec<u8> {
    if a.is_empty() || b.is_empty() {
        return Vec::new();
    }
    let mut acc = vec![0u32; a.len() + b.len()];
    for (i, &x) in a.iter().enumerate() {
        for (j, &y) in b.iter().enumerate() {
            acc[i + j] += u32::from(x) * u32::from(y);
        }
    }
    let mut out = Vec::with_capacity(acc.len());
    let mut carry = 0u32;
    for v in acc {
        let s = v + carry;
        out.push((s % 10) as u8);
        carry = s / 10;
    }
    while carry > 0 {
        out.push((carry % 10) as u8);
        carry /= 10;
    }
    out
}

fn cmp_be(a: &[u8], b: &[u8]) -> Ordering {
    let a = strip_leading(a);
    let b = strip_leading(b);
    a.len().cmp(&b.len()).then_with(|| a.cmp(b))
}

fn strip_leading(a: &[u8]) -> &[u8] {
    let lead = a.iter().take_while(|&&d| d == 0).count();
    &a[lead..]
}

/// Integer long division of big-endian digit strings, returning the floor quotient.
fn div_be(a: &[u8], b: &[u8]) -> Vec<u8> {
    let b = strip_leading(b);
    let mut q = Vec::with_capacity(a.len());
    let mut rem: Vec<u8> = Vec::new();
    for &d in a {
        rem.push(d);
        let stripped = strip_leading(&rem).to_vec();
        rem = stripped;
        let mut count = 0;
        while cmp_be(&rem, b) != Ordering::Less {
            let r_le: Vec<u8> = rem.iter().rev().copied().collect();
            let b_le: Vec<u8> = b.iter().rev().copied().collect();
            rem = sub_le(&r_le, &b_le).into_iter().rev().collect();
            rem = strip_leading(&rem).to_vec();
            count += 1;
        }
        q.push(count);
    }
    q
}

fn add_be_one(a: &[u8]) -> Vec<u8> {
    let mut out = a.to_vec();
    for d in out.iter_mut().rev() {
        if *d == 9 {
            *d = 0;
        } else {
            *d += 1;
            return out;
        }
    }
    out.insert(0, 1);
    out
}

impl PartialEq for Numeric {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Numeric {}

impl PartialOrd for Numeric {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Numeric {
    fn cmp(&self, other: &Self) -> Ordering {
        match (self.negative, other.negative) {
            (false, true) => Ordering::Greater,
            (true, false) => Ordering::Less,
            (false, false) => self.cmp_magnitude(other),
            (true, true) => other.cmp_magnitude(self),
        }
    }
}

impl fmt::Display for Numeric {
    /// Formats like `numeric_out`: plain decimal notation with exactly `dscale` fractional digits.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut s = String::new();
        if self.negative {
            s.push('-');
        }
        let len = self.digits.len() as i64;
        let int_len = len + self.exponent;
        if int_len <= 0 || self.digits.is_empty() {
            s.push('0');
        } else {
            for k in 0..int_len {
                let d = self.digits.get(k as usize).copied().unwrap_or(0);
                s.push((b'0' + d) as char);
            }
        }
        if self.dscale > 0 {
            s.push('.');
            for k in 0..i64::from(self.dscale) {
                let idx = int_len + k;
                let d = if idx >= 0 && idx < len && !self.digits.is_empty() {
                    self.digits[idx as usize]
                } else {
                    0
                };
                s.push((b'0' + d) as char);
            }
        }
        f.write_str(&s)
    }
}

#[cfg(test)]
mod tests;
