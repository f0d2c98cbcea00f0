//! One Postgres connection: authentication (SCRAM-SHA-256 against verifiers, or trust on
//! loopback), its own [`Session`], the simple and extended query protocols, `COPY … FROM
//! STDIN` (streamed into the shards as the data arrives), cancellation and statement
//! timeouts.

use std::fmt::Debug;
use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use async_trait::async_trait;
use bytes::BytesMut;
use datafusion::arrow::datatypes::{FieldRef, SchemaRef};
use datafusion::sql::parser::Statement;
use futures::{Sink, SinkExt};
use pgwire::api::auth::{
    ServerParameterProvider, StartupHandler, finish_authentication, protocol_negotiation,
    save_startup_parameters_to_metadata,
};
use pgwire::api::cancel::CancelHandler;
use pgwire::api::copy::CopyHandler;
use pgwire::api::portal::{Format, Portal};
use pgwire::api::query::{ExtendedQueryHandler, SimpleQueryHandler};
use pgwire::api::results::{
    CopyResponse, DataRowEncoder, FieldFormat, FieldInfo, QueryResponse, Response, Tag,
};
use pgwire::api::stmt::{QueryParser, StoredStatement};
use pgwire::api::store::PortalStore;
use pgwire::api::{
    ClientInfo, ClientPortalStore, METADATA_DATABASE, METADATA_USER, PgWireConnectionState,
    PgWireServerHandlers, Type,
};
use pgwire::error::{ErrorInfo, PgWireError, PgWireResult};
use pgwire::messages::cancel::CancelRequest;
use pgwire::messages::copy::{CopyData, CopyDone, CopyFail};
use pgwire::messages::startup::{Authentication, SecretKey};
use pgwire::messages::{PgWireBackendMessage, PgWireFrontendMessage, ProtocolVersion};
use tokio::sync::watch;
use tokio_util::sync::CancellationToken;

use super::wire::{Raw, decode_param, encode_value, field_of_pg_type, param_pg_type, pg_type};
use super::{SERVER_VERSION, Shared};
use crate::auth::ScramExchange;
use crate::engine::{CATALOG, QueryOutput};
use crate::error::{SqlError, sqlstate};
use crate::load::Ingest;
use crate::load::copy::CopyCommand;
use crate::metrics::metrics;
use crate::session::{Outcome, Prepared, Session, TxnState};
use crate::write::{Isolation, WriteTxn};

/// Why a running statement was stopped.
const CANCEL_USER: u8 = 1;
const CANCEL_SHUTDOWN: u8 = 2;

/// What the server keeps about a connection to cancel its statement and drain it.
#[derive(Debug)]
pub struct Control {
    token: Mutex<CancellationToken>,
    reason: AtomicU8,
    busy: watch::Sender<bool>,
}

impl Control {
    pub(super) fn new() -> Arc<Control> {
        Arc::new(Control {
            token: Mutex::new(CancellationToken::new()),
            reason: AtomicU8::new(0),
            busy: watch::Sender::new(false),
        })
    }

    fn begin(&self) -> CancellationToken {
        let token = CancellationToken::new();
        if let Ok(mut t) = self.token.lock() {
            *t = token.clone();
        }
        self.reason.store(0, Ordering::SeqCst);
        self.busy.send_replace(true);
        token
    }

    fn end(&self) {
        self.busy.send_replace(false);
    }

    /// Stops the running statement, if any.
    pub(super) fn cancel(&self, shutdown: bool) {
        let reason = if shutdown {
            CANCEL_SHUTDOWN
        } else {
            CANCEL_USER
        };
        self.reason.store(reason, Ordering::SeqCst);
        if let Ok(t) = self.token.lock() {
            t.cancel();
        }
    }

    /// Resolves once no statement is running.
    pub(super) async fn idle(&self) {
        let mut rx = self.busy.subscribe();
        let _ = rx.wait_for(|busy| !busy).await;
    }
}

fn fatal(code: &str, message: impl Into<String>) -> PgWireError {
    PgWireError::UserError(Box::new(ErrorInfo::new(
        "FATAL".to_string(),
        code.to_string(),
        message.into(),
    )))
}

fn to_error_info(e: SqlError) -> ErrorInfo {
    let mut info = ErrorInfo::new("ERROR".to_string(), e.code.to_string(), e.message);
    info.detail = e.detail;
    info
}

fn user_error(e: SqlError) -> PgWireError {
    PgWireError::UserError(Box::new(to_error_info(e)))
}

/// The parameters reported to the client after authentication.
struct Parameters {
    user: String,
    application_name: String,
}

impl ServerParameterProvider for Parameters {
    fn server_parameters<C>(&self, _client: &C) -> Option<std::collections::HashMap<String, String>>
    where
        C: ClientInfo,
    {
        let p = [
            ("server_version", SERVER_VERSION),
            ("server_encoding", "UTF8"),
            ("client_encoding", "UTF8"),
            ("DateStyle", "ISO, MDY"),
            ("IntervalStyle", "postgres"),
            ("TimeZone", "UTC"),
            ("integer_datetimes", "on"),
            ("standard_conforming_strings", "on"),
            ("is_superuser", "off"),
            ("default_transaction_read_only", "off"),
            ("in_hot_standby", "off"),
            ("session_authorization", self.user.as_str()),
            ("application_name", self.application_name.as_str()),
        ];
        Some(
            p.into_iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        )
    }
}

/// A parsed and planned statement of the extended protocol.
#[derive(Debug, Clone)]
pub enum Stmt {
    /// SQL the engine runs.
    Sql(Arc<Prepared>),
    /// `COPY … FROM STDIN`, run by the connection as the client sends its data.
    Copy(Arc<CopyCommand>),
}

impl Stmt {
    /// The result columns (none for COPY).
    fn schema(&self) -> SchemaRef {
        match self {
            Stmt::Sql(p) => p.schema.clone(),
            Stmt::Copy(_) => Arc::new(datafusion::arrow::datatypes::Schema::empty()),
        }
    }
}

/// A `COPY … FROM STDIN` in progress on a connection.
struct CopyIn {
    ingest: Ingest,
    /// The COPY's own transaction; `None` inside a transaction block (the block's is used).
    own: Option<WriteTxn>,
    token: CancellationToken,
    started: Instant,
}

/// The transaction a COPY writes in: its own, or the session's block.
fn copy_txn<'a>(
    own: &'a mut Option<WriteTxn>,
    session: &'a mut Session,
    engine: &crate::engine::Engine,
) -> &'a mut WriteTxn {
    match own {
        Some(txn) => txn,
        None => session.block_write_txn(engine),
    }
}

/// One connection.
pub struct Connection {
    shared: Arc<Shared>,
    control: Arc<Control>,
    session: tokio::sync::Mutex<Option<Session>>,
    copy: tokio::sync::Mutex<Option<CopyIn>>,
    scram: Mutex<Option<ScramExchange>>,
    pid: Mutex<Option<i32>>,
    me: std::sync::Weak<Connection>,
}

impl Debug for Connection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Connection").finish_non_exhaustive()
    }
}

impl Drop for Connection {
    fn drop(&mut self) {
        if let Ok(pid) = self.pid.lock()
            && let Some(pid) = *pid
        {
            self.shared.unregister(pid);
        }
    }
}

impl Connection {
    pub(super) fn new(shared: Arc<Shared>, control: Arc<Control>) -> Arc<Connection> {
        Arc::new_cyclic(|me| Connection {
            shared,
            control,
            session: tokio::sync::Mutex::new(None),
            copy: tokio::sync::Mutex::new(None),
            scram: Mutex::new(None),
            pid: Mutex::new(None),
            me: me.clone(),
        })
    }

    async fn finish_startup<C>(&self, client: &mut C) -> PgWireResult<()>
    where
        C: ClientInfo + Sink<PgWireBackendMessage> + Unpin + Send + Sync,
        C::Error: Debug,
        PgWireError: From<<C as Sink<PgWireBackendMessage>>::Error>,
    {
        let user = client
            .metadata()
            .get(METADATA_USER)
            .cloned()
            .unwrap_or_default();
        let mut session = Session::new(&self.shared.engine, &user);
        let application_name = client
            .metadata()
            .get("application_name")
            .cloned()
            .unwrap_or_default();
        session
            .set("application_name", &application_name)
            .map_err(user_error)?;
        if let Some(enc) = client.metadata().get("client_encoding") {
            session
                .set("client_encoding", enc)
                .map_err(|e| fatal(e.code, e.message))?;
        }
        *self.session.lock().await = Some(session);
        let secret = match client.protocol_version() {
            ProtocolVersion::PROTOCOL3_0 => SecretKey::I32(rand::random::<i32>()),
            _ => {
                let mut bytes = vec![0u8; 32];
                rand::fill(bytes.as_mut_slice());
                SecretKey::Bytes(bytes.into())
            }
        };
        let pid = self
            .shared
            .register(secret.to_bytes(), self.control.clone());
        if let Ok(mut p) = self.pid.lock() {
            *p = Some(pid);
        }
        client.set_pid_and_secret_key(pid, secret);
        self.shared.metrics_connected();
        finish_authentication(
            client,
            &Parameters {
                user,
                application_name,
            },
        )
        .await
    }

    /// Runs `prepared` with `params` under the connection's cancel token and the session's
    /// statement timeout.
    async fn run_guarded(
        &self,
        session: &mut Session,
        prepared: &Prepared,
        params: &[datafusion::scalar::ScalarValue],
    ) -> Result<Outcome, SqlError> {
        let token = self.control.begin();
        let running = metrics()
            .statements_running
            .with_label_values(&["postgres"]);
        running.inc();
        let _running = GaugeDec(running);
        let timeout = session.statement_timeout();
        let started = Instant::now();
        let engine = self.shared.engine.clone();
        let result = {
            let run = engine.run(session, prepared, params);
            tokio::select! {
                r = run => r,
                _ = token.cancelled() => Err(self.cancelled()),
                _ = sleep_or_forever(timeout) => Err(SqlError::new(
                    sqlstate::QUERY_CANCELED,
                    "canceling statement due to statement timeout",
                )),
            }
        };
        if result.is_err() {
            session.statement_failed();
        }
        self.control.end();
        self.shared.metrics_statement(&result, started.elapsed());
        result
    }

    /// Why the running statement was stopped.
    fn cancelled(&self) -> SqlError {
        if self.control.reason.load(Ordering::SeqCst) == CANCEL_SHUTDOWN {
            SqlError::new(
                sqlstate::ADMIN_SHUTDOWN,
                "terminating connection due to administrator command",
            )
        } else {
            SqlError::new(
                sqlstate::QUERY_CANCELED,
                "canceling statement due to user request",
            )
        }
    }

    /// Starts `COPY … FROM STDIN`: checks the collection, opens the load (in the block's
    /// transaction inside BEGIN, else in its own) and asks the client for its data.
    async fn start_copy(
        &self,
        session: &mut Session,
        command: &CopyCommand,
    ) -> Result<Response, SqlError> {
        if session.txn() == TxnState::Failed {
            return Err(SqlError::new(
                sqlstate::IN_FAILED_TRANSACTION,
                "current transaction is aborted, commands ignored until end of transaction block",
            ));
        }
        let engine = &self.shared.engine;
        engine.admit_write().await?;
        crate::load::ingest::check_target(engine, &command.collection).await?;
        let ingest = Ingest::new(
            engine.shards(),
            &command.collection,
            command.format.clone(),
            "id",
            1,
            false,
        );
        let own = (!session.in_block()).then(|| engine.write_txn(Isolation::ReadCommitted));
        let token = self.control.begin();
        *self.copy.lock().await = Some(CopyIn {
            ingest,
            own,
            token,
            started: Instant::now(),
        });
        Ok(Response::CopyIn(CopyResponse::new(
            0,
            command.columns,
            futures::stream::empty::<PgWireResult<CopyData>>(),
        )))
    }

    /// Ends a COPY that failed: the shards abort what it sent, its own transaction rolls
    /// back (a block becomes failed).
    async fn abort_copy(&self, mut copy: CopyIn, session: &mut Session, error: &SqlError) {
        copy.ingest.abort().await;
        if let Some(txn) = copy.own.take() {
            txn.rollback().await;
        }
        session.statement_failed();
        self.end_copy(&copy, Err(error));
    }

    fn end_copy(&self, copy: &CopyIn, result: Result<(), &SqlError>) {
        self.control.end();
        let result = result.map_err(|e| e.clone());
        self.shared
            .metrics_statement(&result, copy.started.elapsed());
    }

    async fn prepare(
        &self,
        session: &Session,
        statement: Statement,
        hints: &[Option<FieldRef>],
    ) -> Result<Prepared, SqlError> {
        self.shared.engine.prepare(session, statement, hints).await
    }
}

/// Decrements a gauge when dropped (also when the statement's future is dropped).
struct GaugeDec(prometheus::IntGauge);

impl Drop for GaugeDec {
    fn drop(&mut self) {
        self.0.dec();
    }
}

async fn sleep_or_forever(d: Option<Duration>) {
    match d {
        Some(d) => tokio::time::sleep(d).await,
        None => std::future::pending::<()>().await,
    }
}

/// The handlers pgwire asks for, all served by the one connection.
pub struct Handlers(pub Arc<Connection>);

impl PgWireServerHandlers for Handlers {
    fn simple_query_handler(&self) -> Arc<impl SimpleQueryHandler> {
        self.0.clone()
    }
    fn extended_query_handler(&self) -> Arc<impl ExtendedQueryHandler> {
        self.0.clone()
    }
    fn startup_handler(&self) -> Arc<impl StartupHandler> {
        self.0.clone()
    }
    fn cancel_handler(&self) -> Arc<impl CancelHandler> {
        self.0.clone()
    }
    fn copy_handler(&self) -> Arc<impl CopyHandler> {
        self.0.clone()
    }
}

#[async_trait]
impl CopyHandler for Connection {
    async fn on_copy_data<C>(&self, _client: &mut C, copy_data: CopyData) -> PgWireResult<()>
    where
        C: ClientInfo + Sink<PgWireBackendMessage> + Unpin + Send + Sync,
        C::Error: Debug,
        PgWireError: From<<C as Sink<PgWireBackendMessage>>::Error>,
    {
        let mut guard = self.session.lock().await;
        let mut copy = self.copy.lock().await;
        let (Some(state), Some(session)) = (copy.as_mut(), guard.as_mut()) else {
            // Data after the COPY already failed: dropped, as Postgres drops it.
            return Ok(());
        };
        let engine = self.shared.engine.clone();
        let CopyIn {
            ingest, own, token, ..
        } = state;
        let txn = copy_txn(own, session, &engine);
        let pushed = tokio::select! {
            r = ingest.push(&copy_data.data, txn) => r,
            _ = token.cancelled() => Err(self.cancelled()),
        };
        match pushed {
            Ok(()) => Ok(()),
            Err(e) => {
                if let Some(state) = copy.take() {
                    self.abort_copy(state, session, &e).await;
                }
                Err(user_error(e))
            }
        }
    }

    async fn on_copy_done<C>(&self, client: &mut C, _done: CopyDone) -> PgWireResult<()>
    where
        C: ClientInfo + Sink<PgWireBackendMessage> + Unpin + Send + Sync,
        C::Error: Debug,
        PgWireError: From<<C as Sink<PgWireBackendMessage>>::Error>,
    {
        let mut guard = self.session.lock().await;
        let Some(mut state) = self.copy.lock().await.take() else {
            return Err(user_error(SqlError::new(
                sqlstate::PROTOCOL_VIOLATION,
                "CopyDone outside of COPY",
            )));
        };
        let Some(session) = guard.as_mut() else {
            return Err(fatal(sqlstate::PROTOCOL_VIOLATION, "not authenticated"));
        };
        let engine = self.shared.engine.clone();
        let finished = {
            let txn = copy_txn(&mut state.own, session, &engine);
            tokio::select! {
                r = state.ingest.finish(txn) => r,
                _ = state.token.cancelled() => Err(self.cancelled()),
            }
        };
        let committed = match finished {
            Ok(report) => match state.own.take() {
                Some(txn) => txn.commit().await.map(|()| report),
                None => Ok(report),
            },
            Err(e) => {
                self.abort_copy(state, session, &e).await;
                return Err(user_error(e));
            }
        };
        match committed {
            Ok(report) => {
                self.end_copy(&state, Ok(()));
                let tag = Tag::new("COPY").with_rows(report.written.inserted as usize);
                client
                    .send(PgWireBackendMessage::CommandComplete(tag.into()))
                    .await?;
                Ok(())
            }
            Err(e) => {
                session.statement_failed();
                self.end_copy(&state, Err(&e));
                Err(user_error(e))
            }
        }
    }

    async fn on_copy_fail<C>(&self, _client: &mut C, fail: CopyFail) -> PgWireError
    where
        C: ClientInfo + Sink<PgWireBackendMessage> + Unpin + Send + Sync,
        C::Error: Debug,
        PgWireError: From<<C as Sink<PgWireBackendMessage>>::Error>,
    {
        let error = SqlError::new(
            sqlstate::QUERY_CANCELED,
            format!("COPY from stdin failed: {}", fail.message),
        );
        let mut guard = self.session.lock().await;
        let state = self.copy.lock().await.take();
        if let (Some(state), Some(session)) = (state, guard.as_mut()) {
            self.abort_copy(state, session, &error).await;
        }
        user_error(error)
    }
}

#[async_trait]
impl CancelHandler for Connection {
    async fn on_cancel_request(&self, request: CancelRequest) {
        self.shared
            .cancel(request.pid, &request.secret_key.to_bytes());
    }
}

#[async_trait]
impl StartupHandler for Connection {
    async fn on_startup<C>(
        &self,
        client: &mut C,
        message: PgWireFrontendMessage,
    ) -> PgWireResult<()>
    where
        C: ClientInfo + Sink<PgWireBackendMessage> + Unpin + Send + Sync,
        C::Error: Debug,
        PgWireError: From<<C as Sink<PgWireBackendMessage>>::Error>,
    {
        let info = match self.startup_step(client, message).await {
            Err(PgWireError::UserError(info)) => info,
            other => return other,
        };
        // Postgres ends the connection after a startup error, with no ReadyForQuery; pgwire
        // would send one (asyncpg then reports a protocol error). So the error is sent here
        // and the connection closed; pgwire's own attempt then fails on the closed socket.
        client
            .send(PgWireBackendMessage::ErrorResponse((*info).into()))
            .await?;
        client.close().await?;
        Err(PgWireError::IoError(std::io::Error::new(
            std::io::ErrorKind::ConnectionAborted,
            "connection closed after a startup error",
        )))
    }
}

impl Connection {
    async fn startup_step<C>(
        &self,
        client: &mut C,
        message: PgWireFrontendMessage,
    ) -> PgWireResult<()>
    where
        C: ClientInfo + Sink<PgWireBackendMessage> + Unpin + Send + Sync,
        C::Error: Debug,
        PgWireError: From<<C as Sink<PgWireBackendMessage>>::Error>,
    {
        match message {
            PgWireFrontendMessage::Startup(ref startup) => {
                protocol_negotiation(client, startup).await?;
                save_startup_parameters_to_metadata(client, startup);
                if self.shared.draining.is_cancelled() {
                    return Err(fatal("57P03", "the database system is shutting down"));
                }
                if self.shared.tls_required && !client.is_secure() {
                    return Err(fatal(
                        sqlstate::INVALID_AUTHORIZATION,
                        "this server requires TLS: connect with sslmode=require",
                    ));
                }
                let Some(user) = client.metadata().get(METADATA_USER).cloned() else {
                    return Err(fatal(
                        sqlstate::INVALID_AUTHORIZATION,
                        "no PostgreSQL user name specified in startup packet",
                    ));
                };
                let database = client
                    .metadata()
                    .get(METADATA_DATABASE)
                    .cloned()
                    .unwrap_or_else(|| user.clone());
                if database != CATALOG {
                    return Err(fatal(
                        sqlstate::INVALID_CATALOG_NAME,
                        format!(
                            "database \"{database}\" does not exist (this server has one database, \"{CATALOG}\")"
                        ),
                    ));
                }
                let auth = &self.shared.auth;
                if auth.is_trust() {
                    if !auth.trusts(client.socket_addr().ip()) {
                        return Err(fatal(
                            sqlstate::INVALID_AUTHORIZATION,
                            "trust authentication is only allowed from loopback addresses",
                        ));
                    }
                    return self.finish_startup(client).await;
                }
                client.set_state(PgWireConnectionState::AuthenticationInProgress);
                client
                    .send(PgWireBackendMessage::Authentication(Authentication::SASL(
                        vec!["SCRAM-SHA-256".to_string()],
                    )))
                    .await?;
            }
            PgWireFrontendMessage::PasswordMessageFamily(msg) => {
                let user = client
                    .metadata()
                    .get(METADATA_USER)
                    .cloned()
                    .unwrap_or_default();
                let pending = self.scram.lock().ok().and_then(|mut s| s.take());
                match pending {
                    None => {
                        let first = msg.into_sasl_initial_response()?;
                        if first.auth_method != "SCRAM-SHA-256" {
                            return Err(fatal(
                                sqlstate::INVALID_AUTHORIZATION,
                                format!(
                                    "SASL mechanism {} is not supported: use SCRAM-SHA-256",
                                    first.auth_method
                                ),
                            ));
                        }
                        let data = first.data.unwrap_or_default();
                        let (server_first, exchange) = self
                            .shared
                            .auth
                            .scram_start(&user, &data)
                            .map_err(|e| fatal(e.code, e.message))?;
                        if let Ok(mut s) = self.scram.lock() {
                            *s = Some(exchange);
                        }
                        client
                            .send(PgWireBackendMessage::Authentication(
                                Authentication::SASLContinue(server_first.into_bytes().into()),
                            ))
                            .await?;
                    }
                    Some(exchange) => {
                        let response = msg.into_sasl_response()?;
                        let server_final = exchange.finish(&response.data).map_err(|e| {
                            self.shared.metrics_auth_failed();
                            fatal(e.code, e.message)
                        })?;
                        client
                            .feed(PgWireBackendMessage::Authentication(
                                Authentication::SASLFinal(server_final.into_bytes().into()),
                            ))
                            .await?;
                        self.finish_startup(client).await?;
                    }
                }
            }
            _ => {}
        }
        Ok(())
    }
}

/// The field descriptions of a result.
fn fields_of(schema: &SchemaRef, format: Option<&Format>) -> Vec<FieldInfo> {
    schema
        .fields()
        .iter()
        .enumerate()
        .map(|(i, f)| {
            let format = format.map_or(FieldFormat::Text, |fm| fm.format_for(i));
            FieldInfo::new(f.name().clone(), None, None, pg_type(f), format)
        })
        .collect()
}

/// Encodes a result as a pgwire response.
fn query_response(
    output: QueryOutput,
    verb: &str,
    fields: Arc<Vec<FieldInfo>>,
) -> Result<Response, SqlError> {
    let unconstrained: Vec<bool> = output
        .schema
        .fields()
        .iter()
        .map(|f| crate::pgtype::is_unconstrained_numeric(f))
        .collect();
    let mut encoder = DataRowEncoder::new(fields.clone());
    let mut rows = Vec::with_capacity(output.row_count());
    let mut buf = BytesMut::new();
    for batch in &output.batches {
        for row in 0..batch.num_rows() {
            for (c, field) in fields.iter().enumerate() {
                buf.clear();
                let present = encode_value(
                    batch.column(c).as_ref(),
                    row,
                    field.datatype(),
                    field.format(),
                    unconstrained[c],
                    &mut buf,
                )?;
                let value = Raw(present.then_some(&buf[..]));
                encoder
                    .encode_field(&value)
                    .map_err(|e| SqlError::new(sqlstate::INTERNAL_ERROR, e.to_string()))?;
            }
            rows.push(Ok(encoder.take_row()));
        }
    }
    let mut response = QueryResponse::new(fields, futures::stream::iter(rows));
    response.set_command_tag(verb);
    Ok(Response::Query(response))
}

/// The pgwire response of a statement's outcome.
fn response_of(outcome: Outcome, format: Option<&Format>) -> Result<Response, SqlError> {
    match outcome {
        Outcome::Rows { output, verb } => {
            let fields = Arc::new(fields_of(&output.schema, format));
            query_response(output, &verb, fields)
        }
        Outcome::Command(tag) => Ok(match tag.as_str() {
            "BEGIN" => Response::TransactionStart(Tag::new(&tag)),
            "COMMIT" | "ROLLBACK" => Response::TransactionEnd(Tag::new(&tag)),
            _ => Response::Execution(Tag::new(&tag)),
        }),
    }
}

#[async_trait]
impl SimpleQueryHandler for Connection {
    async fn do_query<C>(&self, _client: &mut C, query: &str) -> PgWireResult<Vec<Response>>
    where
        C: ClientInfo + ClientPortalStore + Sink<PgWireBackendMessage> + Unpin + Send + Sync,
        C::PortalStore: PortalStore,
        C::Error: Debug,
        PgWireError: From<<C as Sink<PgWireBackendMessage>>::Error>,
    {
        let mut guard = self.session.lock().await;
        let Some(session) = guard.as_mut() else {
            return Err(fatal(sqlstate::PROTOCOL_VIOLATION, "not authenticated"));
        };
        if let Some(copy) = crate::load::copy::parse_copy(query) {
            let started = match copy {
                Ok(command) => self.start_copy(session, &command).await,
                Err(e) => Err(e),
            };
            return Ok(vec![started.unwrap_or_else(|e| {
                session.statement_failed();
                self.shared
                    .metrics_statement::<()>(&Err(e.clone()), Duration::ZERO);
                Response::Error(Box::new(to_error_info(e)))
            })]);
        }
        let mut responses = Vec::new();
        let statements = match self.shared.engine.parse(query) {
            Ok(s) => s,
            Err(e) => {
                session.statement_failed();
                self.shared
                    .metrics_statement::<()>(&Err(e.clone()), Duration::ZERO);
                return Ok(vec![Response::Error(Box::new(to_error_info(e)))]);
            }
        };
        for statement in statements {
            let result = async {
                if session.txn() == TxnState::Failed {
                    // Only the end of the block is accepted; `run` says so for the rest.
                }
                let prepared = self.prepare(session, statement, &[]).await;
                let prepared = match prepared {
                    Ok(p) => p,
                    Err(e) => {
                        session.statement_failed();
                        return Err(e);
                    }
                };
                let outcome = self.run_guarded(session, &prepared, &[]).await?;
                response_of(outcome, None)
            }
            .await;
            match result {
                Ok(r) => responses.push(r),
                Err(e) => {
                    responses.push(Response::Error(Box::new(to_error_info(e))));
                    break;
                }
            }
        }
        Ok(responses)
    }
}

impl Connection {
    /// Parses and plans a statement of the extended protocol.
    async fn parse_statement(
        &self,
        sql: &str,
        types: &[Option<Type>],
    ) -> PgWireResult<Option<Stmt>> {
        if let Some(copy) = crate::load::copy::parse_copy(sql) {
            let command = copy.map_err(user_error)?;
            // As Postgres does, a missing collection fails the Parse, before a client
            // (tokio-postgres' copy_in) starts streaming data.
            crate::load::ingest::check_target(&self.shared.engine, &command.collection)
                .await
                .map_err(user_error)?;
            return Ok(Some(Stmt::Copy(Arc::new(command))));
        }
        let mut statements = self.shared.engine.parse(sql).map_err(user_error)?;
        if statements.len() > 1 {
            return Err(user_error(SqlError::new(
                sqlstate::SYNTAX_ERROR,
                "cannot insert multiple commands into a prepared statement",
            )));
        }
        let Some(statement) = statements.pop() else {
            return Ok(None);
        };
        let hints: Vec<Option<FieldRef>> = types
            .iter()
            .map(|t| t.as_ref().and_then(field_of_pg_type))
            .collect();
        let guard = self.session.lock().await;
        let Some(session) = guard.as_ref() else {
            return Err(fatal(sqlstate::PROTOCOL_VIOLATION, "not authenticated"));
        };
        let prepared = self
            .prepare(session, statement, &hints)
            .await
            .map_err(user_error)?;
        Ok(Some(Stmt::Sql(Arc::new(prepared))))
    }
}

/// The parameter types a statement is described with.
fn parameter_types(stmt: &Stmt) -> Vec<Type> {
    match stmt {
        Stmt::Sql(prepared) => prepared.params.iter().map(|f| param_pg_type(f)).collect(),
        Stmt::Copy(_) => Vec::new(),
    }
}

/// pgwire's parser of the extended protocol: the connection's own planning.
pub struct StmtParser {
    conn: std::sync::Weak<Connection>,
}

#[async_trait]
impl QueryParser for StmtParser {
    type Statement = Stmt;

    async fn parse_sql<C>(
        &self,
        _client: &C,
        sql: &str,
        types: &[Option<Type>],
    ) -> PgWireResult<Option<Self::Statement>>
    where
        C: ClientInfo + Unpin + Send + Sync,
    {
        match self.conn.upgrade() {
            Some(conn) => conn.parse_statement(sql, types).await,
            None => Err(fatal(sqlstate::ADMIN_SHUTDOWN, "connection closed")),
        }
    }

    fn get_parameter_types(&self, stmt: &Self::Statement) -> PgWireResult<Vec<Type>> {
        Ok(parameter_types(stmt))
    }

    fn get_result_schema(
        &self,
        stmt: &Self::Statement,
        column_format: Option<&Format>,
    ) -> PgWireResult<Vec<FieldInfo>> {
        Ok(fields_of(&stmt.schema(), column_format))
    }
}

#[async_trait]
impl ExtendedQueryHandler for Connection {
    type Statement = Stmt;
    type QueryParser = StmtParser;

    fn query_parser(&self) -> Arc<Self::QueryParser> {
        Arc::new(StmtParser {
            conn: self.me.clone(),
        })
    }

    async fn on_parse<C>(
        &self,
        client: &mut C,
        message: pgwire::messages::extendedquery::Parse,
    ) -> PgWireResult<()>
    where
        C: ClientInfo + ClientPortalStore + Sink<PgWireBackendMessage> + Unpin + Send + Sync,
        C::PortalStore: PortalStore<Statement = Self::Statement>,
        C::Error: Debug,
        PgWireError: From<<C as Sink<PgWireBackendMessage>>::Error>,
    {
        let name = message
            .name
            .clone()
            .unwrap_or_else(|| pgwire::api::DEFAULT_NAME.to_owned());
        let parsed = StoredStatement::parse(client, &message, self.query_parser()).await;
        let parsed = match parsed {
            Ok(p) => p,
            Err(e) => {
                if let Some(s) = self.session.lock().await.as_mut() {
                    s.statement_failed();
                }
                return Err(e);
            }
        };
        match parsed {
            Some(stmt) => client.portal_store().put_statement(Arc::new(stmt)),
            None => client.portal_store().put_empty_statement(&name),
        }
        client
            .send(PgWireBackendMessage::ParseComplete(
                pgwire::messages::extendedquery::ParseComplete::new(),
            ))
            .await?;
        Ok(())
    }

    async fn on_describe<C>(
        &self,
        client: &mut C,
        message: pgwire::messages::extendedquery::Describe,
    ) -> PgWireResult<()>
    where
        C: ClientInfo + ClientPortalStore + Sink<PgWireBackendMessage> + Unpin + Send + Sync,
        C::PortalStore: PortalStore<Statement = Self::Statement>,
        C::Error: Debug,
        PgWireError: From<<C as Sink<PgWireBackendMessage>>::Error>,
    {
        // A cursor made with DECLARE is a portal too: clients (psycopg's server-side cursors)
        // describe it by name to learn its columns.
        if message.target_type == pgwire::messages::extendedquery::TARGET_TYPE_BYTE_PORTAL {
            let name = message
                .name
                .clone()
                .unwrap_or_else(|| pgwire::api::DEFAULT_NAME.to_owned());
            if client.portal_store().get_portal(&name).is_none() {
                let schema = self
                    .session
                    .lock()
                    .await
                    .as_ref()
                    .and_then(|s| s.cursor_schema(&name));
                if let Some(schema) = schema {
                    let response =
                        pgwire::api::results::DescribePortalResponse::new(fields_of(&schema, None));
                    pgwire::api::query::send_describe_response(client, &response).await?;
                    return Ok(());
                }
            }
        }
        self._on_describe(client, message).await
    }

    async fn do_describe_statement<C>(
        &self,
        _client: &mut C,
        target: &StoredStatement<Self::Statement>,
    ) -> PgWireResult<pgwire::api::results::DescribeStatementResponse>
    where
        C: ClientInfo + ClientPortalStore + Sink<PgWireBackendMessage> + Unpin + Send + Sync,
        C::PortalStore: PortalStore<Statement = Self::Statement>,
        C::Error: Debug,
        PgWireError: From<<C as Sink<PgWireBackendMessage>>::Error>,
    {
        let ours = parameter_types(&target.statement);
        let params = (0..ours.len().max(target.parameter_types.len()))
            .map(|i| {
                target
                    .parameter_types
                    .get(i)
                    .cloned()
                    .flatten()
                    .filter(|t| *t != Type::UNKNOWN)
                    .or_else(|| ours.get(i).cloned())
                    .unwrap_or(Type::TEXT)
            })
            .collect();
        let fields = fields_of(&target.statement.schema(), None);
        Ok(pgwire::api::results::DescribeStatementResponse::new(
            params, fields,
        ))
    }

    async fn do_describe_portal<C>(
        &self,
        _client: &mut C,
        target: &Portal<Self::Statement>,
    ) -> PgWireResult<pgwire::api::results::DescribePortalResponse>
    where
        C: ClientInfo + ClientPortalStore + Sink<PgWireBackendMessage> + Unpin + Send + Sync,
        C::PortalStore: PortalStore<Statement = Self::Statement>,
        C::Error: Debug,
        PgWireError: From<<C as Sink<PgWireBackendMessage>>::Error>,
    {
        let fields = fields_of(
            &target.statement.statement.schema(),
            Some(&target.result_column_format),
        );
        Ok(pgwire::api::results::DescribePortalResponse::new(fields))
    }

    async fn do_query<C>(
        &self,
        _client: &mut C,
        portal: &Portal<Self::Statement>,
        _max_rows: usize,
    ) -> PgWireResult<Response>
    where
        C: ClientInfo + ClientPortalStore + Sink<PgWireBackendMessage> + Unpin + Send + Sync,
        C::PortalStore: PortalStore<Statement = Self::Statement>,
        C::Error: Debug,
        PgWireError: From<<C as Sink<PgWireBackendMessage>>::Error>,
    {
        let mut guard = self.session.lock().await;
        let Some(session) = guard.as_mut() else {
            return Err(fatal(sqlstate::PROTOCOL_VIOLATION, "not authenticated"));
        };
        let prepared = match &portal.statement.statement {
            Stmt::Sql(prepared) => prepared.clone(),
            Stmt::Copy(command) => {
                return self.start_copy(session, command).await.map_err(|e| {
                    session.statement_failed();
                    user_error(e)
                });
            }
        };
        let declared = &portal.statement.parameter_types;
        let result = async {
            if portal.parameters.len() != prepared.params.len() {
                return Err(SqlError::new(
                    sqlstate::PROTOCOL_VIOLATION,
                    format!(
                        "bind message supplies {} parameters, but prepared statement requires {}",
                        portal.parameters.len(),
                        prepared.params.len()
                    ),
                ));
            }
            let mut params = Vec::with_capacity(prepared.params.len());
            for (i, target) in prepared.params.iter().enumerate() {
                let ty = declared
                    .get(i)
                    .cloned()
                    .flatten()
                    .filter(|t| *t != Type::UNKNOWN)
                    .unwrap_or_else(|| param_pg_type(target));
                params.push(decode_param(
                    i,
                    portal.parameters[i].as_deref(),
                    &ty,
                    portal.parameter_format.is_binary(i),
                    target,
                )?);
            }
            let outcome = self.run_guarded(session, &prepared, &params).await?;
            response_of(outcome, Some(&portal.result_column_format))
        }
        .await;
        match result {
            Ok(r) => Ok(r),
            Err(e) => {
                session.statement_failed();
                Err(user_error(e))
            }
        }
    }
}
