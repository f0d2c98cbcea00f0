//! `docfusiondb serve`: start a node (embedded shards by default) and serve HTTP until
//! SIGINT/SIGTERM, then stop cleanly.

use std::path::PathBuf;

use anyhow::Context;
use docfusion_types::NodeConfig;

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

/// Runs the node until a shutdown signal.
pub async fn serve(opts: ServeOptions) -> anyhow::Result<()> {
    let config = resolve_config(&opts)?;
    let http_addr = config.listen.http.clone();
    let listener = tokio::net::TcpListener::bind(&http_addr)
        .await
        .with_context(|| format!("cannot listen on {http_addr} (listen.http)"))?;
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
    println!("HTTP API on http://{http_addr}  (POST /v1/sql)");
    println!("try: docfusiondb sql \"SELECT 1\"");
    let app = crate::server::http::router(node.engine().clone());
    let served = axum::serve(listener, app)
        .with_graceful_shutdown(shutdown_signal())
        .await;
    println!("DocFusionDB: shutting down");
    node.stop().await?;
    served.context("HTTP server failed")?;
    Ok(())
}
