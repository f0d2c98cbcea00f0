//! Types shared by every DocFusionDB process that must not compile DataFusion: the query
//! node's configuration file (which the operator renders into a ConfigMap) and the usage
//! event that query nodes and the operator send to billing, and the quota decisions billing
//! gives query nodes.

pub mod auth;
pub mod node_config;
pub mod quota;
pub mod usage;

pub use auth::{
    AuthConfig, AuthMethod, SCRAM_ITERATIONS, ScramVerifier, TlsConfig, TlsMode, TokenConfig,
    UserConfig,
};
pub use node_config::{
    BillingConfig, ConfigError, DEFAULT_HTTP_LISTEN, DEFAULT_PG_LISTEN, EmbeddedConfig, Limits,
    ListenConfig, NodeConfig, ReplicaConfig, ShardConfig,
};
pub use quota::{
    LimitAction, LimitBalance, LimitHit, LimitKind, MeterBalance, QUOTA_SQLSTATE, QuotaDecision,
    QuotaRequest, QuotaSnapshot,
};
pub use usage::{UsageData, UsageEvent, UsageEventError};
