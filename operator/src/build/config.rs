//! The query node's config file, rendered from the cluster with the shared `NodeConfig`
//! type (the exact file `docfusiondb serve --config` reads), and the shards' `pg_hba.conf`.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::PathBuf;

use docfusion_types::{
    AuthConfig, Limits, ListenConfig, NodeConfig, ShardConfig, TlsConfig, TlsMode, TokenConfig,
    UserConfig,
};
use k8s_openapi::api::core::v1::ConfigMap;
use sha2::{Digest, Sha256};

use super::BuildContext;
use crate::names::{
    Component, DATABASE, NODE_CONFIG_KEY, POSTGRES_PORT, QUERY_HTTP_PORT, QUERY_PG_PORT, TLS_DIR,
};
use crate::{Error, Result};

/// Where query nodes keep local state (an emptyDir).
pub const NODE_DATA_DIR: &str = "/var/lib/docfusion";
/// The key of `pg_hba.conf` in the Postgres ConfigMap.
pub const PG_HBA_KEY: &str = "pg_hba.conf";

/// `limits.shutdown_grace_ms` of the query nodes: how long running statements may finish
/// after SIGTERM (the pod's termination grace period is derived from it).
pub fn shutdown_grace_ms(ctx: &BuildContext<'_>) -> u64 {
    ctx.cluster
        .spec
        .query_nodes
        .config
        .shutdown_grace_ms
        .unwrap_or(Limits::default().shutdown_grace_ms)
}

/// The `auth` section: the client user's SCRAM verifier and token digest.
fn auth_config(ctx: &BuildContext<'_>) -> Result<AuthConfig> {
    let client = ctx
        .client
        .as_ref()
        .ok_or(Error::MissingField("client credentials"))?;
    Ok(AuthConfig {
        users: vec![UserConfig {
            name: client.username.clone(),
            password: client.verifier.clone(),
        }],
        tokens: client
            .token_sha256
            .iter()
            .map(|sha256| TokenConfig {
                user: client.username.clone(),
                sha256: sha256.clone(),
            })
            .collect(),
        ..AuthConfig::default()
    })
}

/// The `tls` section: the mounted `kubernetes.io/tls` Secret when `spec.tls.enabled`.
fn tls_config(ctx: &BuildContext<'_>) -> TlsConfig {
    let tls = &ctx.cluster.spec.tls;
    if !tls.enabled || tls.secret_name.is_none() {
        return TlsConfig::default();
    }
    TlsConfig {
        mode: match tls.mode {
            docfusion_crds::TlsMode::Require => TlsMode::Require,
            docfusion_crds::TlsMode::Allow => TlsMode::Allow,
        },
        cert: Some(PathBuf::from(TLS_DIR).join("tls.crt")),
        key: Some(PathBuf::from(TLS_DIR).join("tls.key")),
    }
}

/// The node config for this cluster, validated by the node's own rules. It lists the
/// serving shards only (see [`super::serving_shards`]).
pub fn node_config(ctx: &BuildContext<'_>) -> Result<NodeConfig> {
    let spec = &ctx.cluster.spec;
    let shards = (0..ctx.serving_shards.min(spec.shards.count))
        .map(|i| ShardConfig {
            name: Some(format!("shard-{i}")),
            dsn: format!(
                "host={} port={POSTGRES_PORT} user={} dbname={DATABASE} application_name=docfusiondb",
                ctx.names.shard_primary_host(i),
                ctx.username
            ),
        })
        .collect();
    let o = &spec.query_nodes.config;
    let d = Limits::default();
    let config = NodeConfig {
        listen: ListenConfig {
            http: format!("0.0.0.0:{QUERY_HTTP_PORT}"),
            postgres: format!("0.0.0.0:{QUERY_PG_PORT}"),
        },
        data_dir: PathBuf::from(NODE_DATA_DIR),
        shards,
        limits: Limits {
            max_connections_per_shard: o
                .max_connections_per_shard
                .map_or(d.max_connections_per_shard, |v| v as usize),
            shard_connect_timeout_ms: o
                .shard_connect_timeout_ms
                .unwrap_or(d.shard_connect_timeout_ms),
            statement_timeout_ms: o.statement_timeout_ms.unwrap_or(d.statement_timeout_ms),
            batch_rows: o.batch_rows.map_or(d.batch_rows, |v| v as usize),
            max_result_rows: o.max_result_rows.map_or(d.max_result_rows, |v| v as usize),
            max_body_bytes: o.max_body_bytes.map_or(d.max_body_bytes, |v| v as usize),
            shutdown_grace_ms: shutdown_grace_ms(ctx),
            point_read_concurrency: d.point_read_concurrency,
        },
        auth: auth_config(ctx)?,
        tls: tls_config(ctx),
        ..NodeConfig::default()
    };
    config.validate().map_err(Error::NodeConfig)?;
    Ok(config)
}

/// SHA-256 (hex) of a rendered file, put on the pod template so that a config change rolls
/// the Deployment.
pub fn config_hash(text: &str) -> String {
    let digest = Sha256::digest(text.as_bytes());
    let mut hex = String::with_capacity(64);
    for byte in digest.iter() {
        let _ = write!(hex, "{byte:02x}");
    }
    hex
}

/// The ConfigMap holding the node config file, and the hash of its content.
pub fn node_config_map(ctx: &BuildContext<'_>) -> Result<(ConfigMap, String)> {
    let text = node_config(ctx)?.to_yaml();
    let hash = config_hash(&text);
    let map = ConfigMap {
        metadata: ctx.component_meta(ctx.names.node_config(), Component::QueryNode),
        data: Some(BTreeMap::from([(NODE_CONFIG_KEY.to_string(), text)])),
        ..ConfigMap::default()
    };
    Ok((map, hash))
}

/// `pg_hba.conf` of the shards: password auth for clients and for streaming replication;
/// trust only over the pod-local socket (the image's init scripts and probes use it).
pub fn pg_hba() -> String {
    [
        "# Managed by docfusion-operator.",
        "local   all          all                trust",
        "host    all          all   127.0.0.1/32 scram-sha-256",
        "host    all          all   0.0.0.0/0    scram-sha-256",
        "host    all          all   ::/0         scram-sha-256",
        "host    replication  all   0.0.0.0/0    scram-sha-256",
        "host    replication  all   ::/0         scram-sha-256",
        "",
    ]
    .join("\n")
}

/// The ConfigMap holding the shards' `pg_hba.conf`.
pub fn postgres_config_map(ctx: &BuildContext<'_>) -> ConfigMap {
    ConfigMap {
        metadata: ctx.component_meta(ctx.names.postgres_config(), Component::Shard),
        data: Some(BTreeMap::from([(PG_HBA_KEY.to_string(), pg_hba())])),
        ..ConfigMap::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::build::test_cluster::{TWO_SHARDS, client, cluster};
    use docfusion_types::ScramVerifier;

    fn ctx_for(c: &docfusion_crds::DocFusionCluster) -> BuildContext<'_> {
        BuildContext::new(c, "docfusion")
            .expect("ctx")
            .with_client(client())
    }

    #[test]
    fn rendered_config_is_what_the_node_reads_back() {
        let c = cluster(TWO_SHARDS);
        let ctx = ctx_for(&c);
        let (map, hash) = node_config_map(&ctx).expect("renders");
        let text = &map.data.as_ref().expect("data")[NODE_CONFIG_KEY];
        let parsed = NodeConfig::from_yaml(text).expect("the node accepts the rendered file");
        assert_eq!(parsed.shards.len(), 2);
        assert_eq!(
            parsed.shards[1].dsn,
            "host=orders-shard-1-0.orders-shard-1.shop.svc port=5432 user=docfusion dbname=docfusion application_name=docfusiondb"
        );
        assert_eq!(parsed.shard_name(0), "shard-0");
        assert_eq!(parsed.listen.postgres, "0.0.0.0:5433");
        assert_eq!(parsed.listen.http, "0.0.0.0:8433");
        assert!(!parsed.is_embedded());
        assert_eq!(hash, config_hash(text));
        assert_eq!(hash.len(), 64);
    }

    #[test]
    fn overrides_reach_the_limits_section_and_change_the_hash() {
        let c = cluster(TWO_SHARDS);
        let ctx = ctx_for(&c);
        let (_, base_hash) = node_config_map(&ctx).expect("renders");
        let c = cluster(
            "shards: {count: 2, storage: {size: 10Gi}}\nqueryNodes: {config: {maxConnectionsPerShard: 16, statementTimeoutMs: 60000}}",
        );
        let ctx = ctx_for(&c);
        let config = node_config(&ctx).expect("renders");
        assert_eq!(config.limits.max_connections_per_shard, 16);
        assert_eq!(config.limits.statement_timeout_ms, 60000);
        assert_eq!(config.limits.batch_rows, Limits::default().batch_rows);
        let (_, hash) = node_config_map(&ctx).expect("renders");
        assert_ne!(hash, base_hash);
    }

    #[test]
    fn the_client_user_is_rendered_as_a_verifier_never_as_its_password() {
        let c = cluster(TWO_SHARDS);
        let (map, hash) = node_config_map(&ctx_for(&c)).expect("renders");
        let text = &map.data.as_ref().expect("data")[NODE_CONFIG_KEY];
        assert!(!text.contains("app-password") && !text.contains("app-token"));
        let parsed = NodeConfig::from_yaml(text).expect("the node accepts it");
        assert_eq!(parsed.auth.users.len(), 1);
        assert_eq!(parsed.auth.users[0].name, "app");
        let v = ScramVerifier::parse(&parsed.auth.users[0].password).expect("verifier");
        assert!(v.matches_password("app-password"));
        assert_eq!(v.salt, b"0123456789abcdef");
        assert_eq!(parsed.auth.tokens[0].user, "app");
        // Re-rendering gives the same file, so the Deployment does not roll.
        let (_, again) = node_config_map(&ctx_for(&c)).expect("renders");
        assert_eq!(hash, again);
        let no_client = BuildContext::new(&c, "docfusion").expect("ctx");
        assert!(matches!(
            node_config(&no_client),
            Err(Error::MissingField("client credentials"))
        ));
    }

    #[test]
    fn tls_spec_becomes_the_node_tls_section() {
        let c = cluster(TWO_SHARDS);
        assert_eq!(
            node_config(&ctx_for(&c)).expect("ok").tls.mode,
            TlsMode::Disable
        );
        let c = cluster(
            "{tls: {enabled: true, secretName: t}, shards: {count: 1, storage: {size: 1Gi}}}",
        );
        let tls = node_config(&ctx_for(&c)).expect("ok").tls;
        assert_eq!(tls.mode, TlsMode::Require, "Require is the default");
        assert_eq!(tls.cert, Some(PathBuf::from("/etc/docfusion-tls/tls.crt")));
        assert_eq!(tls.key, Some(PathBuf::from("/etc/docfusion-tls/tls.key")));
        let c = cluster(
            "{tls: {enabled: true, mode: Allow, secretName: t}, shards: {count: 1, storage: {size: 1Gi}}}",
        );
        assert_eq!(
            node_config(&ctx_for(&c)).expect("ok").tls.mode,
            TlsMode::Allow
        );
    }

    #[test]
    fn only_serving_shards_are_in_the_config_and_grace_is_overridable() {
        let c = cluster(
            "{queryNodes: {config: {shutdownGraceMs: 45000}}, shards: {count: 4, storage: {size: 1Gi}}}",
        );
        let mut ctx = ctx_for(&c);
        ctx.serving_shards = 2;
        let config = node_config(&ctx).expect("ok");
        assert_eq!(config.shards.len(), 2);
        assert_eq!(config.shard_name(1), "shard-1");
        assert_eq!(config.limits.shutdown_grace_ms, 45000);
        let c = cluster(TWO_SHARDS);
        assert_eq!(
            node_config(&ctx_for(&c))
                .expect("ok")
                .limits
                .shutdown_grace_ms,
            30000
        );
    }

    #[test]
    fn pg_hba_allows_replication_with_passwords_only() {
        let hba = pg_hba();
        assert!(hba.contains("host    replication  all   0.0.0.0/0    scram-sha-256"));
        assert!(
            !hba.lines()
                .any(|l| l.starts_with("host") && l.contains("trust"))
        );
    }
}
