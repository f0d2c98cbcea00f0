//! The Postgres wire protocol: psql, every Postgres driver and BI tool talk to the node as if
//! it were PostgreSQL 15.
//!
//! Built on pgwire's codec and protocol state machine, with our own handlers: SCRAM-SHA-256
//! against verifiers, one [`crate::session::Session`] per connection, TLS that either loads or
//! stops start-up, cancellation and statement timeouts, and a drain on shutdown.

mod conn;
pub mod socket;
pub mod wire;

use std::collections::HashMap;
use std::sync::atomic::{AtomicI32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use docfusion_types::{NodeConfig, TlsMode};
use tokio::net::TcpListener;
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;

use crate::auth::Authenticator;
use crate::engine::Engine;
use crate::error::SqlError;
use crate::metrics::metrics;

use conn::{Connection, Control, Handlers};

/// The version reported to clients (`server_version`, `SHOW server_version`, `version()`).
pub const SERVER_VERSION: &str = "15.0 (DocFusionDB 0.1.0)";

/// [`SERVER_VERSION`] as a number (`server_version_num`), which tools compare.
pub const SERVER_VERSION_NUM: &str = "150000";

const PROTOCOL: &str = "postgres";

/// State shared by every connection of a server.
pub struct Shared {
    engine: Arc<Engine>,
    auth: Arc<Authenticator>,
    tls_required: bool,
    draining: CancellationToken,
    next_pid: AtomicI32,
    connections: Mutex<HashMap<i32, (Bytes, Arc<Control>)>>,
}

impl Shared {
    fn register(&self, secret: Bytes, control: Arc<Control>) -> i32 {
        let pid = self.next_pid.fetch_add(1, Ordering::Relaxed);
        if let Ok(mut c) = self.connections.lock() {
            c.insert(pid, (secret, control));
        }
        pid
    }

    fn unregister(&self, pid: i32) {
        if let Ok(mut c) = self.connections.lock() {
            c.remove(&pid);
        }
    }

    /// A CancelRequest: stops the statement of connection `pid` if the secret matches.
    fn cancel(&self, pid: i32, secret: &Bytes) {
        let control = self.connections.lock().ok().and_then(|c| {
            c.get(&pid)
                .filter(|(s, _)| s == secret)
                .map(|(_, control)| control.clone())
        });
        match control {
            Some(c) => c.cancel(false),
            None => tracing::debug!(pid, "cancel request for an unknown connection ignored"),
        }
    }

    fn cancel_all(&self) {
        if let Ok(c) = self.connections.lock() {
            for (_, control) in c.values() {
                control.cancel(true);
            }
        }
    }

    fn metrics_connected(&self) {
        metrics()
            .connections_total
            .with_label_values(&[PROTOCOL])
            .inc();
    }

    fn metrics_auth_failed(&self) {
        metrics()
            .auth_failures_total
            .with_label_values(&[PROTOCOL])
            .inc();
    }

    fn metrics_statement<T>(&self, result: &Result<T, SqlError>, elapsed: Duration) {
        let outcome = match result {
            Ok(_) => "ok",
            Err(e) if e.code == crate::error::sqlstate::QUERY_CANCELED => "canceled",
            Err(_) => "error",
        };
        metrics().statement(PROTOCOL, outcome, elapsed);
    }
}

/// Loads the TLS acceptor of the config; a certificate or key that cannot be loaded is an
/// error (start-up stops), never a silent fall-back to plaintext.
pub fn tls_acceptor(config: &NodeConfig) -> anyhow::Result<Option<tokio_rustls::TlsAcceptor>> {
    use anyhow::Context;
    if config.tls.mode == TlsMode::Disable {
        return Ok(None);
    }
    let (Some(cert), Some(key)) = (&config.tls.cert, &config.tls.key) else {
        anyhow::bail!("tls.cert and tls.key are required when tls.mode is allow or require");
    };
    let cert_pem = std::fs::read(cert)
        .with_context(|| format!("cannot read TLS certificate {}", cert.display()))?;
    let certs = rustls_pemfile::certs(&mut cert_pem.as_slice())
        .collect::<Result<Vec<_>, _>>()
        .with_context(|| format!("TLS certificate {} is not valid PEM", cert.display()))?;
    if certs.is_empty() {
        anyhow::bail!("TLS certificate {} holds no certificate", cert.display());
    }
    let key_pem =
        std::fs::read(key).with_context(|| format!("cannot read TLS key {}", key.display()))?;
    let key = rustls_pemfile::private_key(&mut key_pem.as_slice())
        .with_context(|| format!("TLS key {} is not valid PEM", key.display()))?
        .with_context(|| format!("TLS key {} holds no private key", key.display()))?;
    let provider = Arc::new(tokio_rustls::rustls::crypto::aws_lc_rs::default_provider());
    let server = tokio_rustls::rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .context("TLS protocol versions")?
        .with_no_client_auth()
        .with_single_cert(certs, key)
        .context("TLS certificate and key do not match")?;
    Ok(Some(tokio_rustls::TlsAcceptor::from(Arc::new(server))))
}

/// A running Postgres protocol server.
pub struct PgServer {
    shared: Arc<Shared>,
    listener: TcpListener,
    tls: Option<tokio_rustls::TlsAcceptor>,
}

impl PgServer {
    /// A server on `listener` for `engine`.
    pub fn new(
        listener: TcpListener,
        engine: Arc<Engine>,
        auth: Arc<Authenticator>,
        tls: Option<tokio_rustls::TlsAcceptor>,
    ) -> PgServer {
        let tls_required = engine.config().tls.mode == TlsMode::Require;
        PgServer {
            shared: Arc::new(Shared {
                engine,
                auth,
                tls_required,
                draining: CancellationToken::new(),
                next_pid: AtomicI32::new(1000),
                connections: Mutex::new(HashMap::new()),
            }),
            listener,
            tls,
        }
    }

    /// Serves until `shutdown` fires, then drains: no new connections; idle connections are
    /// closed; running statements may finish until `grace` has passed, then are cancelled.
    pub async fn serve(self, shutdown: CancellationToken, grace: Duration) {
        let mut tasks = JoinSet::new();
        loop {
            tokio::select! {
                _ = shutdown.cancelled() => break,
                accepted = self.listener.accept() => {
                    let (socket, peer) = match accepted {
                        Ok(a) => a,
                        Err(e) => {
                            tracing::warn!(error = %e, "accept failed");
                            continue;
                        }
                    };
                    let shared = self.shared.clone();
                    let tls = self.tls.clone();
                    tasks.spawn(async move {
                        let control = Control::new();
                        let conn = Connection::new(shared.clone(), control.clone());
                        let gauge = metrics().connections.with_label_values(&[PROTOCOL]);
                        gauge.inc();
                        let draining = shared.draining.clone();
                        tokio::select! {
                            r = socket::serve_socket(socket, tls, Handlers(conn)) => {
                                if let Err(e) = r {
                                    tracing::debug!(%peer, error = %e, "connection ended with an error");
                                }
                            }
                            _ = async {
                                draining.cancelled().await;
                                control.idle().await;
                            } => {
                                tracing::debug!(%peer, "connection closed by shutdown");
                            }
                        }
                        gauge.dec();
                    });
                }
                Some(_) = tasks.join_next(), if !tasks.is_empty() => {}
            }
        }
        drop(self.listener);
        self.shared.draining.cancel();
        let deadline = tokio::time::sleep(grace);
        tokio::pin!(deadline);
        loop {
            tokio::select! {
                next = tasks.join_next() => if next.is_none() { return },
                _ = &mut deadline => break,
            }
        }
        tracing::info!(
            remaining = tasks.len(),
            "shutdown grace period over: cancelling running statements"
        );
        self.shared.cancel_all();
        let _ = tokio::time::timeout(Duration::from_secs(5), async {
            while tasks.join_next().await.is_some() {}
        })
        .await;
        tasks.abort_all();
    }
}
