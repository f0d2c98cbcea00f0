//! The plans file (`plans.yaml`): meters and plans, typed and validated at load with errors
//! that name the key at fault (e.g. `plans.pro.prices.rows_scanned.tiers[1].up_to`).

use std::collections::BTreeMap;
use std::path::Path;

use docfusion_types::{LimitAction, LimitKind};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// The whole plans file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlansFile {
    /// ISO 4217 currency of every price, e.g. `USD`.
    pub currency: String,
    /// Meters by name (the usage event's `type`).
    pub meters: BTreeMap<String, Meter>,
    /// Plans by name.
    pub plans: BTreeMap<String, Plan>,
    /// The plan of a tenant that has none assigned.
    pub default_plan: String,
}

/// How a meter aggregates the events of a period.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Meter {
    /// The aggregation.
    pub aggregation: Aggregation,
    /// Shown on invoices, e.g. `rows`, `GB-hours`.
    #[serde(default)]
    pub unit: String,
    /// For `time_weighted_gauge`: seconds each sample stands for (the producer's interval).
    #[serde(default)]
    pub sample_seconds: Option<u32>,
    /// For `time_weighted_gauge`: seconds of the billed unit (3600 for GB-hours).
    #[serde(default)]
    pub unit_seconds: Option<u32>,
}

/// Meter aggregations.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Aggregation {
    /// Sum of values.
    Sum,
    /// Number of events.
    Count,
    /// Largest value.
    Max,
    /// Value of the latest event (by event time, then id).
    Latest,
    /// Number of distinct `data.resource` values.
    UniqueCount,
    /// Sum of value × sample_seconds / unit_seconds: each periodic sample holds for its
    /// interval (GB-hours from a GB gauge sampled every N seconds).
    TimeWeightedGauge,
}

impl Aggregation {
    /// The name used in the plans file.
    pub fn as_str(self) -> &'static str {
        match self {
            Aggregation::Sum => "sum",
            Aggregation::Count => "count",
            Aggregation::Max => "max",
            Aggregation::Latest => "latest",
            Aggregation::UniqueCount => "unique_count",
            Aggregation::TimeWeightedGauge => "time_weighted_gauge",
        }
    }
}

/// One plan.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Plan {
    /// Shown on invoices.
    #[serde(default)]
    pub display_name: String,
    /// Fixed fee per period, prorated on plan change.
    #[serde(default)]
    pub base_fee: Decimal,
    /// Quantities per meter that the base fee includes.
    #[serde(default)]
    pub included: BTreeMap<String, Decimal>,
    /// Price of usage above the included quantity, per meter.
    #[serde(default)]
    pub prices: BTreeMap<String, Price>,
    /// Limits.
    #[serde(default)]
    pub limits: Vec<Limit>,
}

/// A price model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "model", rename_all = "snake_case", deny_unknown_fields)]
pub enum Price {
    /// Each tier prices the units that fall in it.
    Graduated {
        /// Tiers in increasing `up_to`; the last has no `up_to`.
        tiers: Vec<Tier>,
    },
    /// Every unit is priced at the tier the total falls in.
    Volume {
        /// Tiers in increasing `up_to`; the last has no `up_to`.
        tiers: Vec<Tier>,
    },
    /// Units are sold in whole packages.
    Package {
        /// Units per package.
        size: Decimal,
        /// Price of one package.
        price: Decimal,
    },
}

/// One tier of a graduated or volume price.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Tier {
    /// Upper bound (inclusive) of the tier; absent on the last tier.
    #[serde(default)]
    pub up_to: Option<Decimal>,
    /// Price per unit.
    pub unit_price: Decimal,
    /// Fee charged once when any unit falls in the tier.
    #[serde(default)]
    pub flat_fee: Decimal,
}

/// A limit on a meter.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Limit {
    /// The meter.
    pub meter: String,
    /// Soft or hard.
    pub kind: LimitKind,
    /// The quantity at which it acts.
    pub value: Decimal,
    /// What it does.
    pub action: LimitAction,
    /// For `throttle`: seconds the client should wait (default 60).
    #[serde(default = "default_retry_after")]
    pub retry_after_seconds: u64,
}

fn default_retry_after() -> u64 {
    60
}

/// A plans file that cannot be used; `key` names the key at fault.
#[derive(Debug, thiserror::Error)]
pub enum PlansError {
    /// Unreadable file.
    #[error("plans file {path}: {source}")]
    Read {
        /// The file.
        path: String,
        /// Why.
        source: std::io::Error,
    },
    /// Not YAML of the right shape (serde's message names the key and line).
    #[error("plans file: {0}")]
    Parse(String),
    /// A rule broken.
    #[error("plans file key `{key}`: {reason}")]
    Invalid {
        /// e.g. `plans.pro.prices.rows_scanned.tiers[1].up_to`.
        key: String,
        /// What is wrong.
        reason: String,
    },
}

fn invalid(key: impl Into<String>, reason: impl Into<String>) -> PlansError {
    PlansError::Invalid {
        key: key.into(),
        reason: reason.into(),
    }
}

impl PlansFile {
    /// Reads and validates a plans file.
    pub fn load(path: &Path) -> Result<PlansFile, PlansError> {
        let text = std::fs::read_to_string(path).map_err(|source| PlansError::Read {
            path: path.display().to_string(),
            source,
        })?;
        PlansFile::from_yaml(&text)
    }

    /// Parses and validates plans YAML.
    pub fn from_yaml(text: &str) -> Result<PlansFile, PlansError> {
        let plans: PlansFile =
            serde_yaml_ng::from_str(text).map_err(|e| PlansError::Parse(e.to_string()))?;
        plans.validate()?;
        Ok(plans)
    }

    /// A plan by name.
    pub fn plan(&self, name: &str) -> Option<&Plan> {
        self.plans.get(name)
    }

    /// Checks every cross-reference and number.
    pub fn validate(&self) -> Result<(), PlansError> {
        if self.currency.len() != 3 || !self.currency.chars().all(|c| c.is_ascii_uppercase()) {
            return Err(invalid(
                "currency",
                format!("must be an ISO 4217 code like USD, got {:?}", self.currency),
            ));
        }
        if self.meters.is_empty() {
            return Err(invalid("meters", "at least one meter is needed"));
        }
        for (name, meter) in &self.meters {
            let key = format!("meters.{name}");
            check_name(&key, name)?;
            let gauge = meter.aggregation == Aggregation::TimeWeightedGauge;
            for (field, value) in [
                ("sample_seconds", meter.sample_seconds),
                ("unit_seconds", meter.unit_seconds),
            ] {
                match (gauge, value) {
                    (true, None) | (true, Some(0)) => {
                        return Err(invalid(
                            format!("{key}.{field}"),
                            "a time_weighted_gauge needs a positive number of seconds",
                        ));
                    }
                    (false, Some(_)) => {
                        return Err(invalid(
                            format!("{key}.{field}"),
                            format!(
                                "only applies to time_weighted_gauge, this meter is {}",
                                meter.aggregation.as_str()
                            ),
                        ));
                    }
                    _ => {}
                }
            }
        }
        if self.plans.is_empty() {
            return Err(invalid("plans", "at least one plan is needed"));
        }
        if !self.plans.contains_key(&self.default_plan) {
            return Err(invalid(
                "default_plan",
                format!("no plan named {:?}", self.default_plan),
            ));
        }
        for (name, plan) in &self.plans {
            self.validate_plan(name, plan)?;
        }
        Ok(())
    }

    fn validate_plan(&self, name: &str, plan: &Plan) -> Result<(), PlansError> {
        let key = format!("plans.{name}");
        check_name(&key, name)?;
        non_negative(&format!("{key}.base_fee"), plan.base_fee)?;
        for (meter, quantity) in &plan.included {
            let key = format!("{key}.included.{meter}");
            self.known_meter(&key, meter)?;
            non_negative(&key, *quantity)?;
        }
        for (meter, price) in &plan.prices {
            let key = format!("{key}.prices.{meter}");
            self.known_meter(&key, meter)?;
            validate_price(&key, price)?;
        }
        for (index, limit) in plan.limits.iter().enumerate() {
            let key = format!("{key}.limits[{index}]");
            self.known_meter(&format!("{key}.meter"), &limit.meter)?;
            non_negative(&format!("{key}.value"), limit.value)?;
            if limit.action == LimitAction::Throttle && limit.retry_after_seconds == 0 {
                return Err(invalid(
                    format!("{key}.retry_after_seconds"),
                    "must be at least 1 for a throttle",
                ));
            }
            let twin = plan.limits[..index]
                .iter()
                .any(|other| other.meter == limit.meter && other.kind == limit.kind);
            if twin {
                return Err(invalid(
                    key,
                    format!("a second {:?} limit on meter {:?}", limit.kind, limit.meter),
                ));
            }
        }
        Ok(())
    }

    fn known_meter(&self, key: &str, meter: &str) -> Result<(), PlansError> {
        if self.meters.contains_key(meter) {
            Ok(())
        } else {
            Err(invalid(
                key,
                format!("no meter named {meter:?} in `meters`"),
            ))
        }
    }
}

fn check_name(key: &str, name: &str) -> Result<(), PlansError> {
    let ok = !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '-');
    if ok {
        Ok(())
    } else {
        Err(invalid(
            key,
            "names use lowercase letters, digits, `_` and `-`",
        ))
    }
}

fn non_negative(key: &str, value: Decimal) -> Result<(), PlansError> {
    if value.is_sign_negative() && !value.is_zero() {
        Err(invalid(key, format!("must not be negative, got {value}")))
    } else {
        Ok(())
    }
}

fn validate_price(key: &str, price: &Price) -> Result<(), PlansError> {
    match price {
        Price::Graduated { tiers } | Price::Volume { tiers } => {
            if tiers.is_empty() {
                return Err(invalid(
                    format!("{key}.tiers"),
                    "at least one tier is needed",
                ));
            }
            let mut previous = Decimal::ZERO;
            for (index, tier) in tiers.iter().enumerate() {
                let tier_key = format!("{key}.tiers[{index}]");
                non_negative(&format!("{tier_key}.unit_price"), tier.unit_price)?;
                non_negative(&format!("{tier_key}.flat_fee"), tier.flat_fee)?;
                let last = index + 1 == tiers.len();
                match (tier.up_to, last) {
                    (None, true) => {}
                    (None, false) => {
                        return Err(invalid(
                            format!("{tier_key}.up_to"),
                            "only the last tier may omit up_to",
                        ));
                    }
                    (Some(_), true) => {
                        return Err(invalid(
                            format!("{tier_key}.up_to"),
                            "the last tier must omit up_to (it has no upper bound)",
                        ));
                    }
                    (Some(up_to), false) => {
                        if up_to <= previous {
                            return Err(invalid(
                                format!("{tier_key}.up_to"),
                                format!("must be greater than {previous}, got {up_to}"),
                            ));
                        }
                        previous = up_to;
                    }
                }
            }
            Ok(())
        }
        Price::Package { size, price } => {
            if *size <= Decimal::ZERO {
                return Err(invalid(format!("{key}.size"), "must be positive"));
            }
            non_negative(&format!("{key}.price"), *price)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const EXAMPLE: &str = include_str!("../plans.example.yaml");

    fn error_of(text: &str) -> String {
        match PlansFile::from_yaml(text) {
            Ok(_) => panic!("expected an error for:\n{text}"),
            Err(e) => e.to_string(),
        }
    }

    #[test]
    fn the_example_loads() {
        let plans = PlansFile::from_yaml(EXAMPLE).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            plans.plans.keys().collect::<Vec<_>>(),
            ["enterprise", "free", "pro"]
        );
        assert_eq!(plans.default_plan, "free");
        assert!(plans.meters.len() >= 6);
    }

    #[test]
    fn errors_name_the_key() {
        let cases = [
            ("currency: USD", "currency: usd", "`currency`"),
            ("default_plan: free", "default_plan: gold", "`default_plan`"),
            (
                "    sample_seconds: 60\n",
                "",
                "`meters.storage_gb_hours.sample_seconds`",
            ),
            (
                "      rows_scanned: 1000000\n",
                "      rows_scaned: 1000000\n",
                "`plans.free.included.rows_scaned`",
            ),
            (
                "          - up_to: 100000000\n",
                "          - up_to: 1\n",
                "`plans.pro.prices.rows_scanned.tiers[1].up_to`",
            ),
            (
                "        size: 1000",
                "        size: 0",
                "`plans.pro.prices.vector_searches.size`",
            ),
            (
                "      - meter: queries\n        kind: hard",
                "      - meter: querys\n        kind: hard",
                "`plans.free.limits[0].meter`",
            ),
            ("base_fee: 49", "base_fee: -49", "`plans.pro.base_fee`"),
        ];
        for (from, to, key) in cases {
            assert!(EXAMPLE.contains(from), "example lacks {from:?}");
            let message = error_of(&EXAMPLE.replacen(from, to, 1));
            assert!(message.contains(key), "{key} not in: {message}");
        }
    }

    #[test]
    fn unknown_keys_and_wrong_types_are_named() {
        let message = error_of(&EXAMPLE.replacen("default_plan:", "defualt_plan:", 1));
        assert!(message.contains("defualt_plan"), "{message}");
        let message = error_of(&EXAMPLE.replacen("aggregation: sum", "aggregation: avg", 1));
        assert!(message.contains("avg"), "{message}");
    }
}
