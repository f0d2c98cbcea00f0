//! Text output of `float4`/`float8` exactly as PostgreSQL 15 prints them (extra_float_digits = 1).

pub use crate::numeric::numeric_normalize;

/// Decimal digits and the decimal exponent of their first digit (`"15", 2` is `1.5e2`).
struct Digits {
    digits: String,
    exp: i32,
}

fn split_scientific(text: &str) -> (bool, Digits) {
    let (negative, body) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    let (mantissa, exp_text) = body.split_once('e').unwrap_or((body, "0"));
    let exp: i32 = exp_text.parse().unwrap_or(0);
    let digits: String = mantissa.chars().filter(|c| *c != '.').collect();
    (negative, Digits { digits, exp })
}

/// `digits - 1` as a digit string of the same length (`"100"` → `"099"`).
fn decrement(digits: &str) -> String {
    let mut bytes = digits.as_bytes().to_vec();
    for b in bytes.iter_mut().rev() {
        if *b == b'0' {
            *b = b'9';
        } else {
            *b -= 1;
            break;
        }
    }
    String::from_utf8(bytes).unwrap_or_default()
}

/// Whether the decimal reads back as the same float and lies strictly inside its rounding
/// interval. PostgreSQL's Ryu never prints a decimal that sits exactly on the halfway point to
/// a neighbouring float (it prints `1e23` as `9.999999999999999e+22`), whereas Rust's shortest
/// formatting accepts such boundary decimals for even mantissas; nudging the candidate by a
/// far-below-precision amount in both directions tells the two cases apart.
fn strictly_inside(d: &Digits, same: &dyn Fn(&str) -> bool) -> bool {
    let scale = d.exp - (d.digits.len() as i32 - 1) - 30;
    let exact = format!("{}e{}", d.digits, d.exp - (d.digits.len() as i32 - 1));
    let above = format!("{}{}1e{}", d.digits, "0".repeat(29), scale);
    let below = format!("{}{}e{}", decrement(&d.digits), "9".repeat(30), scale);
    same(&exact) && same(&above) && same(&below)
}

/// Shortest digits strictly inside the rounding interval, closest to the value.
fn shortest_digits(
    rust_shortest: Digits,
    rounded: &dyn Fn(usize) -> Digits,
    same: &dyn Fn(&str) -> bool,
) -> Digits {
    if strictly_inside(&rust_shortest, same) {
        return rust_shortest;
    }
    for len in rust_shortest.digits.len()..=17 {
        let r = rounded(len);
        if strictly_inside(&r, same) {
            return r;
        }
        for neighbour in neighbours(&r) {
            if strictly_inside(&neighbour, same) {
                return neighbour;
            }
        }
    }
    rust_shortest
}

/// The decimals one unit in the last place below and above `d`, same digit count.
fn neighbours(d: &Digits) -> Vec<Digits> {
    let len = d.digits.len();
    let mut out = Vec::new();
    let down = decrement(&d.digits);
    if let Some(rest) = down.strip_prefix('0') {
        out.push(Digits {
            digits: format!("{rest}9"),
            exp: d.exp - 1,
        });
    } else {
        out.push(Digits {
            digits: down,
            exp: d.exp,
        });
    }
    let mut up = d.digits.as_bytes().to_vec();
    let mut carry = true;
    for b in up.iter_mut().rev() {
        if !carry {
            break;
        }
        if *b == b'9' {
            *b = b'0';
        } else {
            *b += 1;
            carry = false;
        }
    }
    let up = String::from_utf8(up).unwrap_or_default();
    if carry {
        out.push(Digits {
            digits: format!("1{}", &up[..len - 1]),
            exp: d.exp + 1,
        });
    } else {
        out.push(Digits {
            digits: up,
            exp: d.exp,
        });
    }
    out
}

/// Formats digits the way PostgreSQL's Ryu-based output does: fixed notation when the decimal
/// exponent is in `[-4, fixed_limit)`, otherwise `d.ddde±XX`.
fn format_digits(negative: bool, d: &Digits, fixed_limit: i32) -> String {
    let digits = d.digits.trim_end_matches('0');
    let digits = if digits.is_empty() { "0" } else { digits };
    let exp = d.exp;
    let mut out = String::new();
    if negative {
        out.push('-');
    }
    if (-4..fixed_limit).contains(&exp) {
        if exp >= 0 {
            let int_len = exp as usize + 1;
            if digits.len() <= int_len {
                out.push_str(digits);
                out.extend(std::iter::repeat_n('0', int_len - digits.len()));
            } else {
                out.push_str(&digits[..int_len]);
                out.push('.');
                out.push_str(&digits[int_len..]);
            }
        } else {
            out.push_str("0.");
            out.extend(std::iter::repeat_n('0', (-exp - 1) as usize));
            out.push_str(digits);
        }
    } else {
        out.push_str(&digits[..1]);
        if digits.len() > 1 {
            out.push('.');
            out.push_str(&digits[1..]);
        }
        out.push('e');
        out.push(if exp < 0 { '-' } else { '+' });
        let abs = exp.unsigned_abs();
        if abs < 10 {
            out.push('0');
        }
        out.push_str(&abs.to_string());
    }
    out
}

/// `float8out`: shortest text that reads back as the same `f64`, e.g. `0.1`, `1e+16`,
/// `1.2345678901234568e+17`, `1e-05`, `NaN`, `Infinity`, `-Infinity`, `-0`.
pub fn float8_out(value: f64) -> String {
    if value.is_nan() {
        return "NaN".to_string();
    }
    if value.is_infinite() {
        return if value > 0.0 { "Infinity" } else { "-Infinity" }.to_string();
    }
    if value == 0.0 {
        return if value.is_sign_negative() { "-0" } else { "0" }.to_string();
    }
    let magnitude = value.abs();
    let (_, shortest) = split_scientific(&format!("{magnitude:e}"));
    let same = |t: &str| t.parse::<f64>().is_ok_and(|p| p == magnitude);
    let rounded = |len: usize| split_scientific(&format!("{:.*e}", len - 1, magnitude)).1;
    let digits = shortest_digits(shortest, &rounded, &same);
    // DBL_DIG (15) is the fixed-notation threshold.
    format_digits(value < 0.0, &digits, 15)
}

/// `float4out`: shortest text that reads back as the same `f32`, e.g. `1e+06`, `0.1`, `NaN`.
pub fn float4_out(value: f32) -> String {
    if value.is_nan() {
        return "NaN".to_string();
    }
    if value.is_infinite() {
        return if value > 0.0 { "Infinity" } else { "-Infinity" }.to_string();
    }
    if value == 0.0 {
        return if value.is_sign_negative() { "-0" } else { "0" }.to_string();
    }
    let magnitude = value.abs();
    let (_, shortest) = split_scientific(&format!("{magnitude:e}"));
    let same = |t: &str| t.parse::<f32>().is_ok_and(|p| p == magnitude);
    let rounded = |len: usize| split_scientific(&format!("{:.*e}", len - 1, magnitude)).1;
    let digits = shortest_digits(shortest, &rounded, &same);
    // FLT_DIG (6) is the fixed-notation threshold.
    format_digits(value < 0.0, &digits, 6)
}

#[cfg(test)]
mod tests;
