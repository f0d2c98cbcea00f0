//! DataFusion's view of the shards: a schema whose tables are the discovered collections
//! and relational tables (re-discovered when a name is not known yet) and any table a user
//! registers (external Parquet/CSV/NDJSON/Arrow files).

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, RwLock};

use async_trait::async_trait;
use datafusion::catalog::{SchemaProvider, TableProvider};
use datafusion::error::{DataFusionError, Result};

use crate::catalog::discovery::discover;
use crate::catalog::table_info::{TableInfo, TableKind};
use crate::error::SqlError;
use crate::replica::Replica;
use crate::replica::table::ReplicaTable;
use crate::scan::ShardedTable;
use crate::shards::ShardSet;

/// The `public` schema of the node.
#[derive(Debug)]
pub struct ShardSchemaProvider {
    shards: ShardSet,
    discovered: RwLock<BTreeMap<String, Arc<ShardedTable>>>,
    registered: RwLock<HashMap<String, Arc<dyn TableProvider>>>,
    replica: Option<Arc<Replica>>,
}

impl ShardSchemaProvider {
    /// An empty schema over `shards`; call [`ShardSchemaProvider::refresh`] to fill it.
    pub fn new(shards: ShardSet) -> Self {
        Self {
            shards,
            discovered: RwLock::new(BTreeMap::new()),
            registered: RwLock::new(HashMap::new()),
            replica: None,
        }
    }

    /// The same schema answering collections from `replica` once it is ready.
    pub fn with_replica(mut self, replica: Option<Arc<Replica>>) -> Self {
        self.replica = replica;
        self
    }

    /// Re-reads the tables from the shards.
    pub async fn refresh(&self) -> Result<(), SqlError> {
        let tables = discover(&self.shards).await?;
        let mut map = BTreeMap::new();
        for (name, info) in tables {
            map.insert(
                name,
                Arc::new(ShardedTable::new(Arc::new(info), self.shards.clone())),
            );
        }
        *self.discovered.write().unwrap_or_else(|e| e.into_inner()) = map;
        Ok(())
    }

    /// The description of a discovered table.
    pub fn table_info(&self, name: &str) -> Option<Arc<TableInfo>> {
        self.discovered
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .get(name)
            .map(|t| t.info().clone())
    }

    fn lookup(&self, name: &str) -> Option<Arc<dyn TableProvider>> {
        if let Some(t) = self
            .registered
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .get(name)
        {
            return Some(t.clone());
        }
        let table = self
            .discovered
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .get(name)
            .cloned()?;
        match &self.replica {
            // Until the replica is ready, collections keep the shard scan's pushdowns.
            Some(replica) if table.info().kind == TableKind::Collection && replica.is_ready() => {
                Some(Arc::new(ReplicaTable::new(table, replica.clone())))
            }
            _ => Some(table),
        }
    }
}

#[async_trait]
impl SchemaProvider for ShardSchemaProvider {
    fn table_names(&self) -> Vec<String> {
        let mut names: Vec<String> = self
            .discovered
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .keys()
            .cloned()
            .collect();
        names.extend(
            self.registered
                .read()
                .unwrap_or_else(|e| e.into_inner())
                .keys()
                .cloned(),
        );
        names.sort();
        names.dedup();
        names
    }

    async fn table(&self, name: &str) -> Result<Option<Arc<dyn TableProvider>>> {
        if let Some(t) = self.lookup(name) {
            return Ok(Some(t));
        }
        // Another node (or `docfusiondb load`) may have created it since the last look.
        self.refresh().await.map_err(SqlError::into_datafusion)?;
        Ok(self.lookup(name))
    }

    fn register_table(
        &self,
        name: String,
        table: Arc<dyn TableProvider>,
    ) -> Result<Option<Arc<dyn TableProvider>>> {
        if self.lookup(&name).is_some() {
            return Err(DataFusionError::Plan(format!(
                "relation \"{name}\" already exists"
            )));
        }
        Ok(self
            .registered
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .insert(name, table))
    }

    fn deregister_table(&self, name: &str) -> Result<Option<Arc<dyn TableProvider>>> {
        Ok(self
            .registered
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .remove(name))
    }

    fn table_exist(&self, name: &str) -> bool {
        self.lookup(name).is_some()
    }
}
