//! Several throwaway servers, started in parallel, standing in for the shards of a cluster.

use crate::TestPostgres;

/// `n` independent [`TestPostgres`] servers (e.g. the shards of a test cluster).
#[derive(Debug)]
pub struct TestCluster {
    servers: Vec<TestPostgres>,
}

impl TestCluster {
    /// Starts `n` servers in parallel threads. Panics if any fails (the others are stopped).
    pub fn start(n: usize) -> TestCluster {
        let results: Vec<std::thread::Result<TestPostgres>> = std::thread::scope(|scope| {
            let handles: Vec<_> = (0..n).map(|_| scope.spawn(TestPostgres::start)).collect();
            handles.into_iter().map(|handle| handle.join()).collect()
        });
        let mut servers = Vec::with_capacity(n);
        let mut first_panic = None;
        for result in results {
            match result {
                Ok(server) => servers.push(server),
                Err(panic) => {
                    first_panic.get_or_insert(panic);
                }
            }
        }
        if let Some(panic) = first_panic {
            drop(servers);
            std::panic::resume_unwind(panic);
        }
        TestCluster { servers }
    }

    /// The servers, in start order (index = shard number).
    pub fn servers(&self) -> &[TestPostgres] {
        &self.servers
    }

    /// Each server's connection string, in the order of [`TestCluster::servers`].
    pub fn dsns(&self) -> Vec<String> {
        self.servers.iter().map(TestPostgres::dsn).collect()
    }
}
