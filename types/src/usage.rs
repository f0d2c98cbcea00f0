//! The usage event that query nodes and the operator send to billing: CloudEvents-shaped
//! (`id`, `source`, `type`, `subject`, `time`, `data`), with an exact decimal quantity.
//!
//! Producers derive ids deterministically so that a retry is the same event: a statement's
//! query id for per-statement usage, [`UsageEvent::periodic_id`] for periodic samples.

use std::fmt::Write as _;

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Deserializer, Serialize};
use sha2::{Digest, Sha256};

/// The CloudEvents spec version our events declare when serialised.
pub const CLOUDEVENTS_SPEC_VERSION: &str = "1.0";

/// Longest accepted `id`, `source`, `type`, `subject`, `cluster` or `resource`.
pub const MAX_TEXT_LEN: usize = 256;

/// One usage event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UsageEvent {
    /// CloudEvents `specversion`; always `1.0` (accepted when absent).
    #[serde(default = "spec_version", rename = "specversion")]
    pub spec_version: String,
    /// Unique per `source` and tenant; a repeat with the same payload is a duplicate.
    pub id: String,
    /// Who produced it, e.g. `query-node/acme-prod-0` or `operator`.
    pub source: String,
    /// The meter, e.g. `rows_scanned` (CloudEvents `type`).
    #[serde(rename = "type")]
    pub meter: String,
    /// The tenant (CloudEvents `subject`).
    #[serde(rename = "subject")]
    pub tenant: String,
    /// When the usage happened (event time, not arrival time).
    pub time: DateTime<Utc>,
    /// What was used, where.
    pub data: UsageData,
}

/// The `data` of a usage event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UsageData {
    /// The tenant's cluster the usage belongs to.
    pub cluster: String,
    /// What inside the cluster, e.g. a statement id, a shard, a PVC; used by unique-count
    /// meters and periodic ids.
    #[serde(default)]
    pub resource: String,
    /// The quantity: an exact decimal, serialised as a string (`"12.5"`); integers are
    /// accepted as JSON numbers too, fractions only as strings.
    #[serde(
        serialize_with = "rust_decimal::serde::str::serialize",
        deserialize_with = "exact_decimal"
    )]
    pub value: Decimal,
}

fn spec_version() -> String {
    CLOUDEVENTS_SPEC_VERSION.to_owned()
}

/// A usage event that breaks a rule; `field` names the JSON field at fault.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("usage event field `{field}`: {reason}")]
pub struct UsageEventError {
    /// The field, as named in JSON: `id`, `type`, `subject`, `data.value`, …
    pub field: &'static str,
    /// What is wrong with it.
    pub reason: String,
}

impl UsageEventError {
    fn new(field: &'static str, reason: impl Into<String>) -> Self {
        UsageEventError {
            field,
            reason: reason.into(),
        }
    }
}

impl UsageEvent {
    /// A new event with the current spec version.
    pub fn new(
        id: impl Into<String>,
        source: impl Into<String>,
        meter: impl Into<String>,
        tenant: impl Into<String>,
        time: DateTime<Utc>,
        data: UsageData,
    ) -> Self {
        UsageEvent {
            spec_version: spec_version(),
            id: id.into(),
            source: source.into(),
            meter: meter.into(),
            tenant: tenant.into(),
            time,
            data,
        }
    }

    /// The id of a periodic sample (node-seconds, storage GB-hours): a SHA-256 (hex) of the
    /// resource, the meter and the interval start, so that every retry of the sample for
    /// that interval carries the same id.
    pub fn periodic_id(resource: &str, meter: &str, interval_start: DateTime<Utc>) -> String {
        let mut hasher = Sha256::new();
        // Length prefixes keep ("ab","c") and ("a","bc") apart.
        for part in [resource, meter] {
            hasher.update((part.len() as u64).to_be_bytes());
            hasher.update(part.as_bytes());
        }
        let micros = interval_start.timestamp_micros();
        hasher.update(micros.to_be_bytes());
        let digest = hasher.finalize();
        let mut hex = String::with_capacity(64);
        for byte in digest.iter() {
            // Writing to a String cannot fail.
            let _ = write!(hex, "{byte:02x}");
        }
        hex
    }

    /// Checks the rules every producer must follow: non-empty, bounded, printable text
    /// fields; a non-negative value; spec version `1.0`.
    pub fn validate(&self) -> Result<(), UsageEventError> {
        if self.spec_version != CLOUDEVENTS_SPEC_VERSION {
            return Err(UsageEventError::new(
                "specversion",
                format!(
                    "must be {CLOUDEVENTS_SPEC_VERSION:?}, got {:?}",
                    self.spec_version
                ),
            ));
        }
        check_text("id", &self.id, true)?;
        check_text("source", &self.source, true)?;
        check_text("type", &self.meter, true)?;
        check_text("subject", &self.tenant, true)?;
        check_text("data.cluster", &self.data.cluster, true)?;
        check_text("data.resource", &self.data.resource, false)?;
        if self.data.value.is_sign_negative() && !self.data.value.is_zero() {
            return Err(UsageEventError::new(
                "data.value",
                format!("must not be negative, got {}", self.data.value),
            ));
        }
        Ok(())
    }
}

fn check_text(field: &'static str, value: &str, required: bool) -> Result<(), UsageEventError> {
    if required && value.trim().is_empty() {
        return Err(UsageEventError::new(field, "must not be empty"));
    }
    if value.len() > MAX_TEXT_LEN {
        return Err(UsageEventError::new(
            field,
            format!(
                "is {} bytes long, at most {MAX_TEXT_LEN} allowed",
                value.len()
            ),
        ));
    }
    if value.chars().any(char::is_control) {
        return Err(UsageEventError::new(
            field,
            "must not contain control characters",
        ));
    }
    Ok(())
}

/// Accepts `"12.5"` or a JSON integer; rejects JSON fractions, which would have passed
/// through a float.
fn exact_decimal<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Decimal, D::Error> {
    struct Visitor;
    impl serde::de::Visitor<'_> for Visitor {
        type Value = Decimal;
        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("a decimal as a string (\"12.5\") or an integer")
        }
        fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Decimal, E> {
            v.trim()
                .parse::<Decimal>()
                .map_err(|e| E::custom(format!("{v:?} is not a decimal: {e}")))
        }
        fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<Decimal, E> {
            Ok(Decimal::from(v))
        }
        fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<Decimal, E> {
            Ok(Decimal::from(v))
        }
        fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<Decimal, E> {
            Err(E::custom(format!(
                "{v} is a JSON fraction; send fractional quantities as strings (\"{v}\") so \
                 they stay exact"
            )))
        }
    }
    deserializer.deserialize_any(Visitor)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use std::str::FromStr;

    fn at(h: u32, m: u32) -> DateTime<Utc> {
        match Utc.with_ymd_and_hms(2026, 3, 1, h, m, 0) {
            chrono::LocalResult::Single(t) => t,
            _ => unreachable!("valid fixed date"),
        }
    }

    fn sample() -> UsageEvent {
        UsageEvent::new(
            "q-1",
            "query-node/n0",
            "rows_scanned",
            "acme",
            at(10, 0),
            UsageData {
                cluster: "prod".into(),
                resource: "stmt-1".into(),
                value: Decimal::from_str("12.50").unwrap_or_default(),
            },
        )
    }

    #[test]
    fn serialises_with_cloudevents_field_names_and_a_string_value() {
        let json = serde_json::to_value(sample()).unwrap_or_default();
        assert_eq!(json["specversion"], "1.0");
        assert_eq!(json["id"], "q-1");
        assert_eq!(json["source"], "query-node/n0");
        assert_eq!(json["type"], "rows_scanned");
        assert_eq!(json["subject"], "acme");
        assert_eq!(json["time"], "2026-03-01T10:00:00Z");
        assert_eq!(json["data"]["cluster"], "prod");
        assert_eq!(json["data"]["resource"], "stmt-1");
        assert_eq!(json["data"]["value"], "12.50");
    }

    #[test]
    fn round_trips_exactly() {
        let event = sample();
        let text = serde_json::to_string(&event).unwrap_or_default();
        let back: UsageEvent = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(back, event);
        assert_eq!(back.data.value.to_string(), "12.50");
    }

    #[test]
    fn accepts_integers_and_missing_specversion_rejects_fractions() {
        let ok = r#"{"id":"a","source":"s","type":"m","subject":"t",
            "time":"2026-03-01T10:00:00+01:00","data":{"cluster":"c","value":7}}"#;
        let event: UsageEvent = serde_json::from_str(ok).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(event.data.value, Decimal::from(7));
        assert_eq!(event.spec_version, "1.0");
        assert_eq!(event.time, at(9, 0), "offsets are normalised to UTC");
        assert_eq!(event.data.resource, "");

        let float = ok.replace("\"value\":7", "\"value\":0.1");
        let err = serde_json::from_str::<UsageEvent>(&float)
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(
            err.contains("send fractional quantities as strings"),
            "{err}"
        );

        let bad = ok.replace("\"value\":7", "\"value\":\"7x\"");
        assert!(serde_json::from_str::<UsageEvent>(&bad).is_err());
    }

    #[test]
    fn periodic_id_is_stable_and_distinguishes_its_inputs() {
        let a = UsageEvent::periodic_id("pvc/data-0", "storage_gb_hours", at(10, 0));
        assert_eq!(
            a,
            UsageEvent::periodic_id("pvc/data-0", "storage_gb_hours", at(10, 0))
        );
        assert_eq!(a.len(), 64);
        assert!(a.chars().all(|c| c.is_ascii_hexdigit()));
        assert_ne!(
            a,
            UsageEvent::periodic_id("pvc/data-0", "storage_gb_hours", at(11, 0))
        );
        assert_ne!(
            a,
            UsageEvent::periodic_id("pvc/data-1", "storage_gb_hours", at(10, 0))
        );
        assert_ne!(
            UsageEvent::periodic_id("ab", "c", at(10, 0)),
            UsageEvent::periodic_id("a", "bc", at(10, 0))
        );
        // Pinned (computed independently: sha256 of be-u64 lengths, bytes, be-i64 micros)
        // so that a change of the derivation (which would double-count every retry
        // across an upgrade) fails here first.
        assert_eq!(
            UsageEvent::periodic_id("r", "m", DateTime::<Utc>::UNIX_EPOCH),
            PINNED_PERIODIC_ID
        );
    }

    const PINNED_PERIODIC_ID: &str =
        "0cc2bb2f610cebd8a767179e25cb43da7d647c913667fa1714a73cef7863b416";

    #[test]
    fn validation_names_the_field() {
        assert_eq!(sample().validate(), Ok(()));
        type Mutation = Box<dyn Fn(&mut UsageEvent)>;
        let cases: Vec<(&str, Mutation)> = vec![
            ("id", Box::new(|e| e.id = " ".into())),
            ("source", Box::new(|e| e.source = String::new())),
            ("type", Box::new(|e| e.meter = String::new())),
            ("subject", Box::new(|e| e.tenant = "a\nb".into())),
            ("data.cluster", Box::new(|e| e.data.cluster = String::new())),
            (
                "data.resource",
                Box::new(|e| e.data.resource = "x".repeat(MAX_TEXT_LEN + 1)),
            ),
            ("data.value", Box::new(|e| e.data.value = Decimal::from(-1))),
            ("specversion", Box::new(|e| e.spec_version = "0.3".into())),
        ];
        for (field, mutate) in cases {
            let mut event = sample();
            mutate(&mut event);
            let err = event.validate().err();
            assert_eq!(err.as_ref().map(|e| e.field), Some(field), "{err:?}");
            let message = err.map(|e| e.to_string()).unwrap_or_default();
            assert!(message.contains(&format!("`{field}`")), "{message}");
        }
    }
}
