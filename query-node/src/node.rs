//! A running node: the engine over its shards, and the local shards themselves in embedded
//! mode.

use std::sync::Arc;

use docfusion_types::NodeConfig;

use crate::embedded::{EmbeddedCluster, EmbeddedError};
use crate::engine::Engine;
use crate::error::SqlError;

/// Errors starting a node.
#[derive(Debug, thiserror::Error)]
pub enum NodeError {
    /// The embedded shards did not start.
    #[error(transparent)]
    Embedded(#[from] EmbeddedError),
    /// The shards could not be reached or read.
    #[error("{}: {}", .0.code, .0.message)]
    Engine(#[from] SqlError),
}

/// A node: its engine and, in embedded mode, its local shards.
#[derive(Debug)]
pub struct Node {
    engine: Arc<Engine>,
    embedded: Option<EmbeddedCluster>,
}

impl Node {
    /// Starts a node for `config`: local shards first when it names none.
    pub async fn start(config: NodeConfig) -> Result<Node, NodeError> {
        let (dsns, embedded) = if config.is_embedded() {
            let dir = config.data_dir.clone();
            let shards = config.embedded.shards;
            let cluster = tokio::task::spawn_blocking(move || EmbeddedCluster::start(&dir, shards))
                .await
                .map_err(|e| EmbeddedError::Task(e.to_string()))??;
            (cluster.dsns(), Some(cluster))
        } else {
            (config.shards.iter().map(|s| s.dsn.clone()).collect(), None)
        };
        let engine = Engine::start(config, &dsns).await?;
        Ok(Node { engine, embedded })
    }

    /// The engine.
    pub fn engine(&self) -> &Arc<Engine> {
        &self.engine
    }

    /// True when the node runs its own local shards.
    pub fn is_embedded(&self) -> bool {
        self.embedded.is_some()
    }

    /// Stops the local shards, if any (cleanly, waiting for them).
    pub async fn stop(self) -> Result<(), NodeError> {
        self.engine.shards().close();
        if let Some(cluster) = self.embedded {
            tokio::task::spawn_blocking(move || cluster.stop())
                .await
                .map_err(|e| EmbeddedError::Task(e.to_string()))?
                .map_err(|e| EmbeddedError::Task(e.to_string()))?;
        }
        Ok(())
    }
}
