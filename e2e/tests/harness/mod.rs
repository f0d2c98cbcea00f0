//! A query node serving the Postgres protocol over real Postgres shards, for tests that drive
//! it with real clients.

#![allow(dead_code)]

pub mod billing;

use std::sync::Arc;
use std::time::Duration;

use docfusion_test_support::TestPostgres;
use docfusion_types::{NodeConfig, ShardConfig, UserConfig};
use docfusiondb::auth::{Authenticator, verifier_for};
use docfusiondb::node::Node;
use tokio_util::sync::CancellationToken;

/// The user and password every harness accepts.
pub const USER: &str = "app";
pub const PASSWORD: &str = "s3cret-pw";
pub const DATABASE: &str = "docfusion";

/// The three documents of the client scenario (see e2e/clients/README.md).
pub const SCENARIO_DOCS: &str = r#"{"id": "a1", "name": "Alpha", "city": "Lisbon", "price": 80, "tags": ["sea", "wifi"]}
{"id": "b2", "name": "Beta", "city": "Porto", "price": 120.5, "tags": []}
{"id": "c3", "name": "Gamma", "city": "Lisbon", "price": 95, "tags": ["wifi"]}
"#;

pub struct PgHarness {
    pub shards: Vec<TestPostgres>,
    pub node: Arc<Node>,
    pub auth: Arc<Authenticator>,
    pub port: u16,
    pub shutdown: CancellationToken,
    pub server: Option<tokio::task::JoinHandle<()>>,
}

impl PgHarness {
    /// Two shards, one user, the scenario collection loaded.
    pub async fn start() -> PgHarness {
        Self::start_with(|_| {}).await
    }

    pub async fn start_with(adjust: impl FnOnce(&mut NodeConfig)) -> PgHarness {
        Self::start_sharded_with(2, adjust).await
    }

    /// `n` shards, one user, the scenario collection loaded.
    pub async fn start_sharded_with(n: usize, adjust: impl FnOnce(&mut NodeConfig)) -> PgHarness {
        let shards = TestPostgres::start_many(n).await;
        let mut config = NodeConfig {
            shards: shards
                .iter()
                .map(|s| ShardConfig {
                    name: None,
                    dsn: s.dsn(),
                })
                .collect(),
            ..NodeConfig::default()
        };
        config.auth.users.push(UserConfig {
            name: USER.into(),
            password: verifier_for(PASSWORD).to_string(),
        });
        adjust(&mut config);
        config.validate().unwrap();
        let (auth, _) = Authenticator::from_config(&config).unwrap();
        let tls = docfusiondb::server::pg::tls_acceptor(&config).unwrap();
        let node = Arc::new(Node::start(config).await.unwrap());
        docfusiondb::load::create_collection(node.engine().shards(), "scenario")
            .await
            .unwrap();
        docfusiondb::load::load_ndjson(node.engine(), "scenario", SCENARIO_DOCS, "id", 1)
            .await
            .unwrap();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let shutdown = CancellationToken::new();
        let auth = Arc::new(auth);
        let server = docfusiondb::server::pg::PgServer::new(
            listener,
            node.engine().clone(),
            auth.clone(),
            tls,
        );
        let server = tokio::spawn(server.serve(shutdown.clone(), Duration::from_secs(2)));
        PgHarness {
            shards,
            node,
            auth,
            port,
            shutdown,
            server: Some(server),
        }
    }

    /// Serves the node's HTTP API on a loopback port too; returns its base URL.
    pub async fn serve_http(&self) -> String {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let app = docfusiondb::server::http::router(self.node.engine().clone(), self.auth.clone());
        let shutdown = self.shutdown.clone();
        tokio::spawn(async move {
            let app = app.into_make_service_with_connect_info::<std::net::SocketAddr>();
            let _ = axum::serve(listener, app)
                .with_graceful_shutdown(shutdown.cancelled_owned())
                .await;
        });
        format!("http://{addr}")
    }

    pub fn conn_string(&self, password: &str) -> String {
        format!(
            "host=127.0.0.1 port={} user={USER} password={password} dbname={DATABASE} sslmode=disable",
            self.port
        )
    }

    pub async fn connect(&self) -> tokio_postgres::Client {
        self.try_connect(PASSWORD).await.unwrap()
    }

    pub async fn try_connect(
        &self,
        password: &str,
    ) -> Result<tokio_postgres::Client, tokio_postgres::Error> {
        let (client, conn) =
            tokio_postgres::connect(&self.conn_string(password), tokio_postgres::NoTls).await?;
        tokio::spawn(async move {
            let _ = conn.await;
        });
        Ok(client)
    }

    /// Runs `psql` with `args` against the node; returns (success, stdout, stderr).
    pub fn psql(&self, extra_env: &[(&str, &str)], args: &[&str]) -> (bool, String, String) {
        let mut cmd = std::process::Command::new("psql");
        cmd.env("PGHOST", "127.0.0.1")
            .env("PGPORT", self.port.to_string())
            .env("PGUSER", USER)
            .env("PGPASSWORD", PASSWORD)
            .env("PGDATABASE", DATABASE)
            .env("PGSSLMODE", "disable")
            .env("PGCONNECT_TIMEOUT", "10")
            .arg("-X");
        for (k, v) in extra_env {
            cmd.env(k, v);
        }
        let out = cmd.args(args).output().expect("psql runs");
        (
            out.status.success(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    }
}

/// The server's message of a tokio-postgres error.
pub fn message(e: &tokio_postgres::Error) -> String {
    e.as_db_error()
        .map(|d| d.message().to_string())
        .unwrap_or_else(|| e.to_string())
}

/// The SQLSTATE of a tokio-postgres error.
pub fn sqlstate(e: &tokio_postgres::Error) -> String {
    e.code()
        .map(|c| c.code().to_string())
        .unwrap_or_else(|| format!("no SQLSTATE: {e}"))
}
