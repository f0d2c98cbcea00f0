//! `docfusiondb serve`: start a node (embedded shards by default) and serve HTTP until
//! SIGINT/SIGTERM, then stop cleanly.

use std::path::PathBuf;

use anyhow::Context;
use docfusion_types::NodeConfig;

use std::sync::Arc;

use tokio_util::sync::CancellationToken;

use crate::auth::{Authenticator, DEFAULT_USER};
use crate::node::Node;

/// Options of `serve` that override the config file.
#[derive(Debug, Clone, Default)]
pub struct ServeOptions {
    /// Config file.
    pub config: Option<PathBuf>,
    /// `data_dir` override.
    pub data_dir: Option<PathBuf>,
    /// `listen.http` override.
    pub http: Option<String>,
    /// `listen.postgres` override.
    pub postgres: Option<String>,
    /// `embedded.shards` override.
    pub shards: Option<usize>,
}

/// The configuration `serve` runs with: the file (or defaults) plus overrides.
pub fn resolve_config(opts: &ServeOptions) -> anyhow::Result<NodeConfig> {
    let mut config = match &opts.config {
        Some(path) => NodeConfig::load(path)?,
        None => NodeConfig::default(),
    };
    if let Some(d) = &opts.data_dir {
        config.data_dir = d.clone();
    }
    if let Some(h) = &opts.http {
        config.listen.http = h.clone();
    }
    if let Some(p) = &opts.postgres {
        config.listen.postgres = p.clone();
    }
    if let Some(n) = opts.shards {
        config.embedded.shards = n;
    }
    config.validate()?;
    Ok(config)
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
}

/// Runs the node until a shutdown signal, then drains the Postgres connections (running
/// statements finish or are cancelled at the deadline) and stops.
pub async fn serve(opts: ServeOptions) -> anyhow::Result<()> {
    let config = resolve_config(&opts)?;
    // A certificate that does not load stops start-up: never a silent fall-back to plaintext.
    let tls = crate::server::pg::tls_acceptor(&config)?;
    let http_addr = config.listen.http.clone();
    let pg_addr = config.listen.postgres.clone();
    let http_listener = tokio::net::TcpListener::bind(&http_addr)
        .await
        .with_context(|| format!("cannot listen on {http_addr} (listen.http)"))?;
    let pg_listener = tokio::net::TcpListener::bind(&pg_addr)
        .await
        .with_context(|| format!("cannot listen on {pg_addr} (listen.postgres)"))?;
    let (auth, generated) = Authenticator::from_config(&config)
        .map_err(|e| anyhow::anyhow!("authentication setup: {e}"))?;
    let auth = Arc::new(auth);
    let embedded = config.is_embedded();
    let shard_count = if embedded {
        config.embedded.shards
    } else {
        config.shards.len()
    };
    let data_dir = config.data_dir.clone();
    let node = Node::start(config).await?;
    if embedded {
        println!(
            "DocFusionDB: {shard_count} embedded Postgres shards under {}",
            data_dir.display()
        );
    } else {
        println!("DocFusionDB: {shard_count} Postgres shards");
    }
    println!("HTTP API on http://{http_addr}  (POST /v1/sql, GET /openapi.json)");
    println!("Postgres protocol on {pg_addr}");
    if let Some(g) = &generated {
        let (host, port) = pg_addr
            .rsplit_once(':')
            .unwrap_or((pg_addr.as_str(), "5433"));
        println!(
            "user {DEFAULT_USER}, password {} ({}){}",
            g.password,
            g.path.display(),
            if g.created { ", generated now" } else { "" }
        );
        println!(
            "connect: psql \"postgresql://{DEFAULT_USER}:{}@{host}:{port}/{}\"",
            g.password,
            crate::engine::CATALOG
        );
    }
    let shutdown = CancellationToken::new();
    let pg =
        crate::server::pg::PgServer::new(pg_listener, node.engine().clone(), auth.clone(), tls);
    let grace = std::time::Duration::from_millis(node.engine().config().limits.shutdown_grace_ms);
    let pg_task = tokio::spawn(pg.serve(shutdown.clone(), grace));
    let app = crate::server::http::router(node.engine().clone(), auth.clone());
    let http_shutdown = shutdown.clone();
    let http_task = tokio::spawn(async move {
        // With the peer address, so that `auth.method: trust` can let loopback clients in.
        let app = app.into_make_service_with_connect_info::<std::net::SocketAddr>();
        axum::serve(http_listener, app)
            .with_graceful_shutdown(async move { http_shutdown.cancelled().await })
            .await
    });
    shutdown_signal().await;
    println!("DocFusionDB: shutting down (draining connections)");
    shutdown.cancel();
    let pg_result = pg_task.await;
    let http_result = http_task.await;
    node.stop().await?;
    pg_result.context("Postgres protocol server failed")?;
    http_result
        .context("HTTP server failed")?
        .context("HTTP server failed")?;
    Ok(())
}
