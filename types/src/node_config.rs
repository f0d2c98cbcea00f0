//! The query node's configuration file (`docfusiondb serve --config FILE`): typed, with
//! defaults, and validated at load with errors that name the offending key.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::auth::{AuthConfig, AuthMethod, ScramVerifier, TlsConfig, TlsMode};

/// Default address of the HTTP API.
pub const DEFAULT_HTTP_LISTEN: &str = "127.0.0.1:8433";
/// Default address of the Postgres wire protocol.
pub const DEFAULT_PG_LISTEN: &str = "127.0.0.1:5433";

/// The whole configuration of one query node.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "snake_case")]
pub struct NodeConfig {
    /// Where the node listens.
    #[serde(default)]
    pub listen: ListenConfig,
    /// Directory for the node's own state (and, in embedded mode, the shards' data).
    #[serde(default = "default_data_dir")]
    pub data_dir: PathBuf,
    /// The Postgres shards, in shard-index order. Empty means embedded mode.
    #[serde(default)]
    pub shards: Vec<ShardConfig>,
    /// Settings of the local shards the node manages itself when `shards` is empty.
    #[serde(default)]
    pub embedded: EmbeddedConfig,
    /// Resource limits.
    #[serde(default)]
    pub limits: Limits,
    /// Metering and quotas of the hosted tier; absent = not metered.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub billing: Option<BillingConfig>,
    /// Users, passwords (as SCRAM verifiers) and HTTP tokens.
    #[serde(default)]
    pub auth: AuthConfig,
    /// TLS for the Postgres protocol.
    #[serde(default)]
    pub tls: TlsConfig,
    /// The columnar replica of the collections (off by default).
    #[serde(default)]
    pub replica: ReplicaConfig,
}

/// The columnar replica: a copy of the collections in the node's memory, kept current by
/// the shards' change feed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReplicaConfig {
    /// Keep and serve the replica. Off until scans read its shredded columns.
    #[serde(default)]
    pub enabled: bool,
    /// Memory the replica may take; over it, collections are read from the shards.
    #[serde(default = "default_replica_memory_budget_mb")]
    pub memory_budget_mb: u64,
    /// Memory one collection's replica (all shards together) may take; over it, that
    /// collection alone is read from the shards. None: only the node's budget applies.
    #[serde(default)]
    pub collection_memory_budget_mb: Option<u64>,
    /// Budgets of named collections, in place of `collection_memory_budget_mb`.
    #[serde(default)]
    pub collection_memory_budgets_mb: std::collections::BTreeMap<String, u64>,
    /// How often the change feed is polled when no query asks for it.
    #[serde(default = "default_replica_poll_interval_ms")]
    pub poll_interval_ms: u64,
    /// Changes one peek of a shard's feed asks for.
    #[serde(default = "default_replica_batch_changes")]
    pub batch_changes: u32,
    /// An inactive feed slot (of any node) lagging the shard's WAL by more than this is
    /// dropped as belonging to a dead node.
    #[serde(default = "default_replica_slot_max_lag_mb")]
    pub slot_max_lag_mb: u64,
}

fn default_replica_memory_budget_mb() -> u64 {
    1024
}
fn default_replica_poll_interval_ms() -> u64 {
    200
}
fn default_replica_batch_changes() -> u32 {
    10_000
}
fn default_replica_slot_max_lag_mb() -> u64 {
    4096
}

impl Default for ReplicaConfig {
    fn default() -> Self {
        Self {
            enabled: false,
            memory_budget_mb: default_replica_memory_budget_mb(),
            collection_memory_budget_mb: None,
            collection_memory_budgets_mb: std::collections::BTreeMap::new(),
            poll_interval_ms: default_replica_poll_interval_ms(),
            batch_changes: default_replica_batch_changes(),
            slot_max_lag_mb: default_replica_slot_max_lag_mb(),
        }
    }
}

impl ReplicaConfig {
    /// The memory budget of collection `name` in MB, if it has one of its own.
    pub fn collection_budget_mb(&self, name: &str) -> Option<u64> {
        self.collection_memory_budgets_mb
            .get(name)
            .copied()
            .or(self.collection_memory_budget_mb)
    }
}

/// Where the node asks for quota decisions and sends usage.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BillingConfig {
    /// Base URL of the billing service (`http://billing:8080`).
    pub url: String,
    /// The tenant this node's cluster belongs to.
    pub tenant: String,
    /// The cluster's name, recorded on usage events.
    #[serde(default = "default_cluster")]
    pub cluster: String,
    /// How long a quota snapshot is reused before it is refreshed.
    #[serde(default = "default_quota_refresh_ms")]
    pub quota_refresh_ms: u64,
}

fn default_cluster() -> String {
    "default".to_string()
}

fn default_quota_refresh_ms() -> u64 {
    5_000
}

/// Listen addresses.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListenConfig {
    /// HTTP API address (`POST /v1/sql`, `/metrics`).
    #[serde(default = "default_http")]
    pub http: String,
    /// Postgres wire protocol address.
    #[serde(default = "default_pg")]
    pub postgres: String,
}

/// One Postgres shard.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ShardConfig {
    /// A name used in errors and metrics; defaults to `shard-<index>`.
    #[serde(default)]
    pub name: Option<String>,
    /// A libpq-style connection string (`host=… port=… user=… dbname=…`) or a
    /// `postgres://` URL.
    pub dsn: String,
}

/// The local cluster of embedded mode.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EmbeddedConfig {
    /// Number of local Postgres shards.
    #[serde(default = "default_embedded_shards")]
    pub shards: usize,
}

/// Limits that protect the node and the shards.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Limits {
    /// Connections the node keeps open to each shard.
    #[serde(default = "default_pool_size")]
    pub max_connections_per_shard: usize,
    /// Shard queries the point-read fast path runs at once for one statement shape on one
    /// shard; reads that arrive while that many run wait and are then sent to the shard
    /// together, as one query.
    #[serde(default = "default_point_read_concurrency")]
    pub point_read_concurrency: usize,
    /// How long to wait for a shard connection before failing the statement.
    #[serde(default = "default_connect_timeout_ms")]
    pub shard_connect_timeout_ms: u64,
    /// Statement timeout applied on the shards (0 = none).
    #[serde(default = "default_statement_timeout_ms")]
    pub statement_timeout_ms: u64,
    /// Rows per Arrow batch read from a shard.
    #[serde(default = "default_batch_rows")]
    pub batch_rows: usize,
    /// Most rows an HTTP response returns (0 = unlimited).
    #[serde(default = "default_max_result_rows")]
    pub max_result_rows: usize,
    /// Largest HTTP request body accepted, in bytes.
    #[serde(default = "default_max_body_bytes")]
    pub max_body_bytes: usize,
    /// On SIGTERM, how long running statements may finish before they are cancelled.
    #[serde(default = "default_shutdown_grace_ms")]
    pub shutdown_grace_ms: u64,
}

/// A configuration that could not be loaded, naming the key at fault.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file could not be read.
    #[error("cannot read config file {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    /// The YAML did not parse or had unknown/mistyped keys.
    #[error("invalid config file {path}: {message}")]
    Parse { path: PathBuf, message: String },
    /// A key has a value that is not allowed.
    #[error("invalid config: {key}: {message}")]
    Invalid { key: String, message: String },
}

fn default_data_dir() -> PathBuf {
    PathBuf::from("./docfusion-data")
}
fn default_http() -> String {
    DEFAULT_HTTP_LISTEN.to_string()
}
fn default_pg() -> String {
    DEFAULT_PG_LISTEN.to_string()
}
fn default_embedded_shards() -> usize {
    2
}
fn default_pool_size() -> usize {
    8
}
fn default_point_read_concurrency() -> usize {
    2
}
fn default_connect_timeout_ms() -> u64 {
    5_000
}
fn default_statement_timeout_ms() -> u64 {
    0
}
fn default_batch_rows() -> usize {
    8_192
}
fn default_max_result_rows() -> usize {
    100_000
}
fn default_shutdown_grace_ms() -> u64 {
    30_000
}
fn default_max_body_bytes() -> usize {
    256 * 1024 * 1024
}

impl Default for ListenConfig {
    fn default() -> Self {
        Self {
            http: default_http(),
            postgres: default_pg(),
        }
    }
}

impl Default for EmbeddedConfig {
    fn default() -> Self {
        Self {
            shards: default_embedded_shards(),
        }
    }
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_connections_per_shard: default_pool_size(),
            point_read_concurrency: default_point_read_concurrency(),
            shard_connect_timeout_ms: default_connect_timeout_ms(),
            statement_timeout_ms: default_statement_timeout_ms(),
            batch_rows: default_batch_rows(),
            max_result_rows: default_max_result_rows(),
            max_body_bytes: default_max_body_bytes(),
            shutdown_grace_ms: default_shutdown_grace_ms(),
        }
    }
}

impl Default for NodeConfig {
    fn default() -> Self {
        Self {
            listen: ListenConfig::default(),
            data_dir: default_data_dir(),
            shards: Vec::new(),
            embedded: EmbeddedConfig::default(),
            limits: Limits::default(),
            billing: None,
            auth: AuthConfig::default(),
            tls: TlsConfig::default(),
            replica: ReplicaConfig::default(),
        }
    }
}

impl NodeConfig {
    /// Reads and validates a config file.
    pub fn load(path: &Path) -> Result<Self, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        let config: NodeConfig =
            serde_yaml_ng::from_str(&text).map_err(|e| ConfigError::Parse {
                path: path.to_path_buf(),
                message: e.to_string(),
            })?;
        config.validate()?;
        Ok(config)
    }

    /// Parses and validates YAML text (used by tests and by the operator's round trip).
    pub fn from_yaml(text: &str) -> Result<Self, ConfigError> {
        let config: NodeConfig = serde_yaml_ng::from_str(text).map_err(|e| ConfigError::Parse {
            path: PathBuf::from("<inline>"),
            message: e.to_string(),
        })?;
        config.validate()?;
        Ok(config)
    }

    /// Renders the config as YAML, in the format [`NodeConfig::load`] reads.
    pub fn to_yaml(&self) -> String {
        // Serialising plain structs of strings and numbers cannot fail.
        serde_yaml_ng::to_string(self).unwrap_or_default()
    }

    /// True when the node manages its own local shards.
    pub fn is_embedded(&self) -> bool {
        self.shards.is_empty()
    }

    /// The display name of shard `index`.
    pub fn shard_name(&self, index: usize) -> String {
        self.shards
            .get(index)
            .and_then(|s| s.name.clone())
            .unwrap_or_else(|| format!("shard-{index}"))
    }

    /// Checks every value, naming the key of the first one at fault.
    pub fn validate(&self) -> Result<(), ConfigError> {
        let invalid = |key: &str, message: String| ConfigError::Invalid {
            key: key.to_string(),
            message,
        };
        for (key, value) in [
            ("listen.http", &self.listen.http),
            ("listen.postgres", &self.listen.postgres),
        ] {
            value.parse::<SocketAddr>().map_err(|e| {
                invalid(
                    key,
                    format!("{value:?} is not an address like 127.0.0.1:8433 ({e})"),
                )
            })?;
        }
        if self.data_dir.as_os_str().is_empty() {
            return Err(invalid("data_dir", "must not be empty".into()));
        }
        let mut names = std::collections::HashSet::new();
        for (i, shard) in self.shards.iter().enumerate() {
            let key = format!("shards[{i}].dsn");
            if shard.dsn.trim().is_empty() {
                return Err(invalid(&key, "must not be empty".into()));
            }
            validate_dsn(&shard.dsn).map_err(|m| invalid(&key, m))?;
            if !names.insert(self.shard_name(i)) {
                return Err(invalid(
                    &format!("shards[{i}].name"),
                    format!("duplicate shard name {:?}", self.shard_name(i)),
                ));
            }
        }
        if self.shards.is_empty() && !(1..=64).contains(&self.embedded.shards) {
            return Err(invalid(
                "embedded.shards",
                format!("must be between 1 and 64, got {}", self.embedded.shards),
            ));
        }
        let l = &self.limits;
        if l.point_read_concurrency == 0 {
            return Err(invalid(
                "limits.point_read_concurrency",
                "must be at least 1".into(),
            ));
        }
        if l.max_connections_per_shard == 0 {
            return Err(invalid(
                "limits.max_connections_per_shard",
                "must be at least 1".into(),
            ));
        }
        if l.shard_connect_timeout_ms == 0 {
            return Err(invalid(
                "limits.shard_connect_timeout_ms",
                "must be at least 1".into(),
            ));
        }
        if !(1..=1_000_000).contains(&l.batch_rows) {
            return Err(invalid(
                "limits.batch_rows",
                format!("must be between 1 and 1000000, got {}", l.batch_rows),
            ));
        }
        if l.max_body_bytes == 0 {
            return Err(invalid(
                "limits.max_body_bytes",
                "must be at least 1".into(),
            ));
        }
        let r = &self.replica;
        for (key, value) in [
            ("replica.memory_budget_mb", r.memory_budget_mb),
            ("replica.poll_interval_ms", r.poll_interval_ms),
            ("replica.batch_changes", u64::from(r.batch_changes)),
            ("replica.slot_max_lag_mb", r.slot_max_lag_mb),
        ] {
            if value == 0 {
                return Err(invalid(key, "must be at least 1".into()));
            }
        }
        if r.collection_memory_budget_mb == Some(0) {
            return Err(invalid(
                "replica.collection_memory_budget_mb",
                "must be at least 1".into(),
            ));
        }
        if let Some((name, _)) = r
            .collection_memory_budgets_mb
            .iter()
            .find(|(_, mb)| **mb == 0)
        {
            return Err(invalid(
                &format!("replica.collection_memory_budgets_mb.{name}"),
                "must be at least 1".into(),
            ));
        }
        if let Some(b) = &self.billing {
            if !(b.url.starts_with("http://") || b.url.starts_with("https://")) {
                return Err(invalid(
                    "billing.url",
                    format!("{:?} is not an http(s) URL", b.url),
                ));
            }
            if b.tenant.trim().is_empty() {
                return Err(invalid("billing.tenant", "must not be empty".into()));
            }
            if b.quota_refresh_ms == 0 {
                return Err(invalid(
                    "billing.quota_refresh_ms",
                    "must be at least 1".into(),
                ));
            }
        }
        self.validate_auth()
    }

    fn validate_auth(&self) -> Result<(), ConfigError> {
        let invalid = |key: String, message: String| ConfigError::Invalid { key, message };
        let mut names = std::collections::HashSet::new();
        for (i, u) in self.auth.users.iter().enumerate() {
            if u.name.trim().is_empty() {
                return Err(invalid(
                    format!("auth.users[{i}].name"),
                    "must not be empty".into(),
                ));
            }
            if !names.insert(u.name.as_str()) {
                return Err(invalid(
                    format!("auth.users[{i}].name"),
                    format!("duplicate user {:?}", u.name),
                ));
            }
            ScramVerifier::parse(&u.password)
                .map_err(|m| invalid(format!("auth.users[{i}].password"), m))?;
        }
        for (i, t) in self.auth.tokens.iter().enumerate() {
            if !(t.sha256.len() == 64 && t.sha256.bytes().all(|b| b.is_ascii_hexdigit())) {
                return Err(invalid(
                    format!("auth.tokens[{i}].sha256"),
                    "must be the 64 hex digits of the token's SHA-256 (`docfusiondb hash-token`)"
                        .into(),
                ));
            }
            if !names.contains(t.user.as_str()) {
                return Err(invalid(
                    format!("auth.tokens[{i}].user"),
                    format!("{:?} is not one of auth.users", t.user),
                ));
            }
        }
        if self.auth.method == AuthMethod::Trust {
            for (key, value) in [
                ("listen.http", &self.listen.http),
                ("listen.postgres", &self.listen.postgres),
            ] {
                let loopback = value
                    .parse::<SocketAddr>()
                    .is_ok_and(|a| a.ip().is_loopback());
                if !loopback {
                    return Err(invalid(
                        "auth.method".into(),
                        format!(
                            "trust is only allowed when the node listens on loopback, but {key} is {value:?}"
                        ),
                    ));
                }
            }
        }
        if self.tls.mode != TlsMode::Disable {
            if self.tls.cert.is_none() {
                return Err(invalid(
                    "tls.cert".into(),
                    "a certificate file is required when tls.mode is allow or require".into(),
                ));
            }
            if self.tls.key.is_none() {
                return Err(invalid(
                    "tls.key".into(),
                    "a private key file is required when tls.mode is allow or require".into(),
                ));
            }
        }
        Ok(())
    }
}

/// A light syntax check of a connection string, so that typos fail at load, not at the first
/// query. Accepts `postgres://` / `postgresql://` URLs and `key=value` lists.
fn validate_dsn(dsn: &str) -> Result<(), String> {
    let dsn = dsn.trim();
    if dsn.starts_with("postgres://") || dsn.starts_with("postgresql://") {
        return Ok(());
    }
    for part in dsn.split_whitespace() {
        let Some((key, _)) = part.split_once('=') else {
            return Err(format!(
                "{part:?} is not key=value (expected e.g. \"host=10.0.0.1 port=5432 user=postgres\")"
            ));
        };
        const KEYS: &[&str] = &[
            "host",
            "hostaddr",
            "port",
            "user",
            "password",
            "dbname",
            "options",
            "application_name",
            "sslmode",
            "connect_timeout",
            "keepalives",
            "keepalives_idle",
            "target_session_attrs",
            "channel_binding",
            "load_balance_hosts",
            "sslcert",
            "sslkey",
            "sslrootcert",
        ];
        if !KEYS.contains(&key) {
            return Err(format!("unknown connection parameter {key:?}"));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_file_gives_the_documented_defaults() {
        let c = NodeConfig::from_yaml("{}").unwrap();
        assert_eq!(c.listen.http, "127.0.0.1:8433");
        assert_eq!(c.listen.postgres, "127.0.0.1:5433");
        assert_eq!(c.data_dir, PathBuf::from("./docfusion-data"));
        assert!(c.is_embedded());
        assert_eq!(c.embedded.shards, 2);
        assert_eq!(c.limits.batch_rows, 8192);
    }

    #[test]
    fn full_file_round_trips_through_yaml() {
        let text = r#"
listen:
  http: 0.0.0.0:9000
  postgres: 0.0.0.0:6543
data_dir: /var/lib/docfusion
shards:
  - dsn: host=pg-0 port=5432 user=docfusion dbname=docfusion
  - name: eu-1
    dsn: postgres://docfusion@pg-1:5432/docfusion
limits:
  max_connections_per_shard: 4
  statement_timeout_ms: 30000
"#;
        let c = NodeConfig::from_yaml(text).unwrap();
        assert_eq!(c.shards.len(), 2);
        assert_eq!(c.shard_name(0), "shard-0");
        assert_eq!(c.shard_name(1), "eu-1");
        assert_eq!(c.limits.max_connections_per_shard, 4);
        assert_eq!(c.limits.statement_timeout_ms, 30000);
        let again = NodeConfig::from_yaml(&c.to_yaml()).unwrap();
        assert_eq!(again, c);
    }

    fn error_of(text: &str) -> String {
        NodeConfig::from_yaml(text).unwrap_err().to_string()
    }

    #[test]
    fn unknown_key_is_named() {
        let e = error_of("limits:\n  max_conections_per_shard: 3\n");
        assert!(e.contains("max_conections_per_shard"), "{e}");
    }

    #[test]
    fn bad_listen_address_names_the_key() {
        let e = error_of("listen:\n  http: localhost\n");
        assert!(e.contains("listen.http"), "{e}");
    }

    #[test]
    fn bad_dsn_names_the_shard() {
        let e = error_of("shards:\n  - dsn: host=a\n  - dsn: hots=b\n");
        assert!(e.contains("shards[1].dsn"), "{e}");
        assert!(e.contains("hots"), "{e}");
    }

    #[test]
    fn duplicate_shard_names_are_refused() {
        let e = error_of("shards:\n  - {name: a, dsn: host=x}\n  - {name: a, dsn: host=y}\n");
        assert!(e.contains("shards[1].name"), "{e}");
    }

    #[test]
    fn zero_values_are_refused_with_their_key() {
        assert!(error_of("limits: {batch_rows: 0}").contains("limits.batch_rows"));
        assert!(error_of("embedded: {shards: 0}").contains("embedded.shards"));
        assert!(
            error_of("limits: {max_connections_per_shard: 0}")
                .contains("limits.max_connections_per_shard")
        );
    }

    #[test]
    fn billing_section_is_optional_and_checked() {
        assert!(NodeConfig::from_yaml("{}").unwrap().billing.is_none());
        let c = NodeConfig::from_yaml("billing: {url: 'http://b:8080', tenant: acme}").unwrap();
        let b = c.billing.unwrap();
        assert_eq!(
            (b.tenant.as_str(), b.cluster.as_str(), b.quota_refresh_ms),
            ("acme", "default", 5000)
        );
        assert!(error_of("billing: {url: 'b:8080', tenant: acme}").contains("billing.url"));
        assert!(error_of("billing: {url: 'http://b', tenant: ''}").contains("billing.tenant"));
    }

    #[test]
    fn auth_users_need_verifiers_not_passwords() {
        let v = crate::auth::tests::PG_VERIFIER;
        let ok = format!("auth:\n  users:\n    - name: app\n      password: \"{v}\"\n");
        let c = NodeConfig::from_yaml(&ok).unwrap();
        assert_eq!(c.auth.users[0].name, "app");
        let plain = error_of("auth:\n  users:\n    - name: app\n      password: secret\n");
        assert!(plain.contains("auth.users[0].password"), "{plain}");
        assert!(
            plain.contains("plaintext passwords are not accepted"),
            "{plain}"
        );
        let dup = format!("{ok}    - name: app\n      password: \"{v}\"\n");
        assert!(error_of(&dup).contains("duplicate user"));
        let token = format!(
            "{ok}  tokens:\n    - user: bob\n      sha256: {}\n",
            "a".repeat(64)
        );
        assert!(error_of(&token).contains("auth.tokens[0].user"));
        let token = format!("{ok}  tokens:\n    - user: app\n      sha256: abc\n");
        assert!(error_of(&token).contains("auth.tokens[0].sha256"));
    }

    #[test]
    fn trust_only_on_loopback_and_tls_needs_files() {
        assert!(NodeConfig::from_yaml("auth:\n  method: trust\n").is_ok());
        let e = error_of("listen:\n  postgres: 0.0.0.0:5433\nauth:\n  method: trust\n");
        assert!(
            e.contains("auth.method") && e.contains("listen.postgres"),
            "{e}"
        );
        let e = error_of("tls:\n  mode: require\n");
        assert!(e.contains("tls.cert"), "{e}");
        let e = error_of("tls:\n  mode: allow\n  cert: c.pem\n");
        assert!(e.contains("tls.key"), "{e}");
    }

    #[test]
    fn wrong_type_is_reported_with_its_location() {
        let e = error_of("limits:\n  batch_rows: many\n");
        assert!(e.contains("batch_rows"), "{e}");
    }

    #[test]
    fn replica_is_off_by_default_and_validated() {
        let c = NodeConfig::from_yaml("{}").unwrap();
        assert!(!c.replica.enabled);
        assert_eq!(c.replica.memory_budget_mb, 1024);
        let c =
            NodeConfig::from_yaml("replica:\n  enabled: true\n  memory_budget_mb: 64\n").unwrap();
        assert!(c.replica.enabled);
        assert_eq!(c.replica.memory_budget_mb, 64);
        let e = error_of("replica:\n  poll_interval_ms: 0\n");
        assert!(e.contains("replica.poll_interval_ms"), "{e}");
        let e = error_of("replica:\n  enable: true\n");
        assert!(e.contains("enable"), "{e}");
    }

    #[test]
    fn collection_budgets_default_to_none_and_named_ones_win() {
        let c = NodeConfig::from_yaml("{}").unwrap();
        assert_eq!(c.replica.collection_budget_mb("events"), None);
        let c = NodeConfig::from_yaml(
            "replica:\n  collection_memory_budget_mb: 100\n  collection_memory_budgets_mb:\n    events: 7\n",
        )
        .unwrap();
        assert_eq!(c.replica.collection_budget_mb("events"), Some(7));
        assert_eq!(c.replica.collection_budget_mb("other"), Some(100));
        let e = error_of("replica:\n  collection_memory_budgets_mb:\n    events: 0\n");
        assert!(
            e.contains("replica.collection_memory_budgets_mb.events"),
            "{e}"
        );
        let e = error_of("replica:\n  collection_memory_budget_mb: 0\n");
        assert!(e.contains("replica.collection_memory_budget_mb"), "{e}");
    }
}
