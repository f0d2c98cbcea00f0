//! What a price model charges for a billable quantity: graduated, volume and package, in
//! exact decimals (rounding to cents happens once per invoice line, not here).

use rust_decimal::Decimal;

use crate::plans::{Price, Tier};

/// The amount a price charges for `quantity` billable units (already net of included).
pub fn charge(price: &Price, quantity: Decimal) -> Decimal {
    if quantity <= Decimal::ZERO {
        return Decimal::ZERO;
    }
    match price {
        Price::Graduated { tiers } => graduated(tiers, quantity),
        Price::Volume { tiers } => volume(tiers, quantity),
        Price::Package { size, price } => {
            if *size <= Decimal::ZERO {
                return Decimal::ZERO;
            }
            (quantity / size).ceil() * price
        }
    }
}

/// Each tier prices the units between the previous bound and its own `up_to`; a tier's flat
/// fee is charged once any unit falls in it.
fn graduated(tiers: &[Tier], quantity: Decimal) -> Decimal {
    let mut total = Decimal::ZERO;
    let mut lower = Decimal::ZERO;
    for tier in tiers {
        if quantity <= lower {
            break;
        }
        let upper = tier.up_to.map_or(quantity, |up_to| up_to.min(quantity));
        let units = upper - lower;
        total += units * tier.unit_price + tier.flat_fee;
        match tier.up_to {
            Some(up_to) => lower = up_to,
            None => break,
        }
    }
    total
}

/// Every unit at the price of the tier the whole quantity falls in (its `up_to` is
/// inclusive), plus that tier's flat fee.
fn volume(tiers: &[Tier], quantity: Decimal) -> Decimal {
    let tier = tiers
        .iter()
        .find(|tier| tier.up_to.is_none_or(|up_to| quantity <= up_to))
        .or(tiers.last());
    tier.map_or(Decimal::ZERO, |tier| {
        quantity * tier.unit_price + tier.flat_fee
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(text: &str) -> Decimal {
        text.parse().unwrap_or_else(|e| panic!("{text}: {e}"))
    }

    fn tier(up_to: Option<&str>, unit_price: &str, flat_fee: &str) -> Tier {
        Tier {
            up_to: up_to.map(d),
            unit_price: d(unit_price),
            flat_fee: d(flat_fee),
        }
    }

    fn tiers() -> Vec<Tier> {
        vec![
            tier(Some("100"), "1.00", "0"),
            tier(Some("1000"), "0.50", "10"),
            tier(None, "0.10", "0"),
        ]
    }

    #[test]
    fn graduated_by_hand() {
        let price = Price::Graduated { tiers: tiers() };
        assert_eq!(charge(&price, d("0")), d("0"));
        assert_eq!(charge(&price, d("100")), d("100"));
        // 100 × 1.00 + 1 × 0.50 + 10 flat = 110.50
        assert_eq!(charge(&price, d("101")), d("110.50"));
        // 100 + 900 × 0.50 + 10 + 500 × 0.10 = 610
        assert_eq!(charge(&price, d("1500")), d("610"));
        // fractional quantities stay exact: 2.5 × 1.00
        assert_eq!(charge(&price, d("2.5")), d("2.5"));
    }

    #[test]
    fn volume_by_hand() {
        let price = Price::Volume { tiers: tiers() };
        assert_eq!(charge(&price, d("100")), d("100"), "up_to is inclusive");
        // 101 × 0.50 + 10 = 60.50
        assert_eq!(charge(&price, d("101")), d("60.50"));
        // 1500 × 0.10 = 150
        assert_eq!(charge(&price, d("1500")), d("150"));
    }

    #[test]
    fn package_by_hand() {
        let price = Price::Package {
            size: d("1000"),
            price: d("0.10"),
        };
        assert_eq!(charge(&price, d("1")), d("0.10"));
        assert_eq!(charge(&price, d("1000")), d("0.10"));
        assert_eq!(charge(&price, d("1001")), d("0.20"));
        assert_eq!(charge(&price, d("-5")), d("0"));
    }
}
