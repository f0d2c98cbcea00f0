//! Kubernetes quantities (`10Gi`, `500M`) as exact byte counts, for billing storage and for
//! deciding whether a volume must grow.

use rust_decimal::Decimal;

/// Bytes in a Kubernetes quantity such as `10Gi`, `500M` or `1073741824`; `None` when the
/// text is not a plain (non-exponent) quantity.
pub fn quantity_bytes(text: &str) -> Option<Decimal> {
    let text = text.trim();
    let split = text
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(text.len());
    let (number, suffix) = text.split_at(split);
    let number: Decimal = number.parse().ok()?;
    let factor: u64 = match suffix {
        "" => 1,
        "k" => 1_000,
        "M" => 1_000_000,
        "G" => 1_000_000_000,
        "T" => 1_000_000_000_000,
        "P" => 1_000_000_000_000_000,
        "Ki" => 1 << 10,
        "Mi" => 1 << 20,
        "Gi" => 1 << 30,
        "Ti" => 1 << 40,
        "Pi" => 1 << 50,
        _ => return None,
    };
    number.checked_mul(Decimal::from(factor))
}

/// Whether quantity `a` is smaller than `b`; `None` when either does not parse.
pub fn is_smaller(a: &str, b: &str) -> Option<bool> {
    Some(quantity_bytes(a)? < quantity_bytes(b)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantities_convert_to_bytes() {
        assert_eq!(quantity_bytes("10Gi"), Some(Decimal::from(10u64 << 30)));
        assert_eq!(quantity_bytes("500M"), Some(Decimal::from(500_000_000u64)));
        assert_eq!(quantity_bytes("1.5Gi"), Some(Decimal::from(3u64 << 29)));
        assert_eq!(quantity_bytes("42"), Some(Decimal::from(42)));
        assert_eq!(quantity_bytes("ten"), None);
        assert_eq!(quantity_bytes("1e3"), None);
    }

    #[test]
    fn comparison_is_by_bytes_not_by_text() {
        assert_eq!(is_smaller("10Gi", "20Gi"), Some(true));
        assert_eq!(is_smaller("1Ti", "1000Gi"), Some(false));
        // 10G = 10^10 bytes is less than 10Gi = 10 × 2^30.
        assert_eq!(is_smaller("10G", "10Gi"), Some(true));
        assert_eq!(is_smaller("10Gi", "10Gi"), Some(false));
        assert_eq!(is_smaller("x", "10Gi"), None);
    }
}
