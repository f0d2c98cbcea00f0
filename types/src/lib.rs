//! Types shared by every DocFusionDB process that must not compile DataFusion: the query
//! node's configuration file (which the operator renders into a ConfigMap).

pub mod node_config;

pub use node_config::{
    ConfigError, DEFAULT_HTTP_LISTEN, DEFAULT_PG_LISTEN, EmbeddedConfig, Limits, ListenConfig,
    NodeConfig, ShardConfig,
};
