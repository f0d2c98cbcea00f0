//! A lean shard client for the point-read fast path.
//!
//! A point read is one prepared statement, one id, at most one row, so the client that
//! carries its shard query is a large part of its cost on the node. The general
//! client (tokio-postgres) runs each connection as a task of its own: a query is handed to
//! that task through a channel, the task writes it, reads the answer, parses every row into
//! an owned `Row` and hands them back through another channel — two task wake-ups and a
//! few allocations per query, often a wake-up of the other worker thread too. Here the task
//! that runs the read writes Bind/Execute/Sync to the shard's socket itself and reads the
//! answer in place; each row stays a slice of the bytes read.
//!
//! A [`ShardConn`] speaks the extended protocol only: statements are prepared once per
//! connection (parameters as text, results in binary, as tokio-postgres asks for them, so
//! the same decoders read both) and cached by their SQL. Queries may share a connection,
//! pipelined: each writes its request when it holds the write side and reads its own answer
//! in turn. Authentication: trust, password, MD5 and SCRAM-SHA-256, as the shards'
//! `pg_hba.conf` asks. No TLS, like the node's other shard connections.
//!
//! A query dropped after its request went out (a cancelled statement) leaves its answer to
//! be skipped by the next query; the pool takes back only a connection with every answer
//! read. A failure on the socket breaks the connection for good.

use std::collections::HashMap;
use std::fmt;
use std::io;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::Poll;

use bytes::{BufMut, BytesMut};
use fallible_iterator::FallibleIterator;
use postgres_protocol::IsNull;
use postgres_protocol::authentication::md5_hash;
use postgres_protocol::authentication::sasl::{ChannelBinding, SCRAM_SHA_256, ScramSha256};
use postgres_protocol::message::backend::{DataRowBody, ErrorResponseBody, Message};
use postgres_protocol::message::frontend;
use postgres_types::{FromSql, Kind, Type};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::{TcpStream, UnixStream};
use tokio_postgres::config::{Host, SslMode};

/// Statements one connection keeps prepared; a connection that would need more is retired
/// after its query (the pool opens a fresh one), which bounds the shard's memory for them.
pub const MAX_STATEMENTS: usize = 256;

/// Why a shard query failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WireError {
    /// The shard answered with an error. The connection is still in step.
    Db {
        /// SQLSTATE.
        code: String,
        /// The server's message.
        message: String,
        /// Its detail, if any.
        detail: Option<String>,
    },
    /// The connection could not be opened or failed mid-way: it is not used again.
    Broken(String),
}

impl fmt::Display for WireError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            WireError::Db { message, .. } => f.write_str(message),
            WireError::Broken(message) => f.write_str(message),
        }
    }
}

impl std::error::Error for WireError {}

impl From<io::Error> for WireError {
    fn from(e: io::Error) -> Self {
        WireError::Broken(e.to_string())
    }
}

fn db_error(body: &ErrorResponseBody) -> WireError {
    let mut code = String::new();
    let mut message = String::new();
    let mut detail = None;
    let mut fields = body.fields();
    while let Ok(Some(field)) = fields.next() {
        match field.type_() {
            b'C' => code = String::from_utf8_lossy(field.value_bytes()).into_owned(),
            b'M' => message = String::from_utf8_lossy(field.value_bytes()).into_owned(),
            b'D' => detail = Some(String::from_utf8_lossy(field.value_bytes()).into_owned()),
            _ => {}
        }
    }
    WireError::Db {
        code,
        message,
        detail,
    }
}

enum Stream {
    Tcp(TcpStream),
    Unix(UnixStream),
}

impl Stream {
    async fn write_all(&mut self, bytes: &[u8]) -> io::Result<()> {
        match self {
            Stream::Tcp(s) => s.write_all(bytes).await,
            Stream::Unix(s) => s.write_all(bytes).await,
        }
    }
}

/// A result column: its name (for error messages) and type (for the decoders).
#[derive(Debug)]
pub struct Column {
    name: String,
    ty: Type,
}

impl Column {
    /// The column's name as the shard reported it.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Its type.
    pub fn type_(&self) -> &Type {
        &self.ty
    }
}

#[derive(Debug)]
struct Statement {
    name: String,
    columns: Arc<[Column]>,
}

/// One row of a shard's answer: a slice of the bytes read, decoded on access.
#[derive(Debug, Clone)]
pub struct WireRow {
    columns: Arc<[Column]>,
    body: DataRowBody,
}

impl WireRow {
    /// Number of columns.
    pub fn len(&self) -> usize {
        self.columns.len()
    }

    /// True when the row has no columns.
    pub fn is_empty(&self) -> bool {
        self.columns.is_empty()
    }

    /// The result columns.
    pub fn columns(&self) -> &[Column] {
        &self.columns
    }

    /// The raw binary value of column `idx` (`None` for NULL).
    fn raw(&self, idx: usize) -> Result<Option<&[u8]>, String> {
        let range = self
            .body
            .ranges()
            .nth(idx)
            .map_err(|e| format!("malformed row: {e}"))?
            .ok_or_else(|| format!("the row has no column {idx}"))?;
        Ok(range.map(|r| &self.body.buffer()[r]))
    }

    /// Column `idx` decoded as `T`.
    pub fn try_get<'a, T: FromSql<'a>>(&'a self, idx: usize) -> Result<T, String> {
        let column = self
            .columns
            .get(idx)
            .ok_or_else(|| format!("the row has no column {idx}"))?;
        if !T::accepts(&column.ty) {
            return Err(format!(
                "column {} has type {}, which cannot be read as {}",
                column.name,
                column.ty,
                std::any::type_name::<T>()
            ));
        }
        T::from_sql_nullable(&column.ty, self.raw(idx)?).map_err(|e| e.to_string())
    }
}

/// A connection while it starts up (before it is split into its two halves).
struct Startup {
    stream: Stream,
    read: BytesMut,
    write: BytesMut,
}

/// The write side of a [`ShardConn`]: requests go out in the order they take its lock.
struct Writer {
    half: Box<dyn AsyncWrite + Send + Unpin>,
    buf: BytesMut,
    statements: HashMap<String, Arc<Statement>>,
    next_statement: u64,
    /// Requests sent. Each ends with Sync, so each gets one answer, ending with
    /// ReadyForQuery.
    sent: u64,
}

/// The read side: answers are read in the order their requests went out.
struct Reader {
    half: Box<dyn AsyncRead + Send + Unpin>,
    buf: BytesMut,
    /// Answers read to their end, by whichever query read them.
    answered: u64,
}

/// What a shard answered to one request.
#[derive(Default)]
struct Answer {
    rows: Vec<DataRowBody>,
    columns: Vec<Column>,
    error: Option<WireError>,
}

/// One connection to a shard. Queries may share it: each writes its request as soon as it
/// holds the write side, so a second query is on its way while the shard still runs the
/// first (pipelining), and each reads its own answer in turn. A query dropped before it
/// read its answer leaves the answer to be skipped by the next one; a query dropped while
/// writing breaks the connection.
pub struct ShardConn {
    writer: tokio::sync::Mutex<Writer>,
    reader: tokio::sync::Mutex<Reader>,
    /// Failed mid-way (or a write was cut short): every later request fails at once.
    broken: AtomicBool,
    /// Too many statements prepared: not taken back by the pool.
    retire: AtomicBool,
    /// Some query's answer was read on it.
    used: AtomicBool,
}

impl fmt::Debug for ShardConn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ShardConn")
            .field("broken", &self.broken.load(Ordering::Relaxed))
            .field("used", &self.used.load(Ordering::Relaxed))
            .finish()
    }
}

/// Marks a connection broken if dropped before [`BreakOnDrop::disarm`]: a request whose
/// write was cut short leaves the shard reading a partial message.
struct BreakOnDrop<'a>(Option<&'a AtomicBool>);

impl BreakOnDrop<'_> {
    fn disarm(mut self) {
        self.0 = None;
    }
}

impl Drop for BreakOnDrop<'_> {
    fn drop(&mut self) {
        if let Some(broken) = self.0 {
            broken.store(true, Ordering::Release);
        }
    }
}

/// The next message in `buf`, reading from `io` as needed. Cancel-safe: a message is
/// taken from the buffer only once it is whole.
async fn next_message<R: AsyncRead + Unpin + ?Sized>(
    io: &mut R,
    buf: &mut BytesMut,
) -> Result<Message, WireError> {
    loop {
        if let Some(message) = Message::parse(buf)? {
            return Ok(message);
        }
        if buf.capacity() - buf.len() < 4096 {
            buf.reserve(8192);
        }
        if io.read_buf(buf).await? == 0 {
            return Err(WireError::Broken("the shard closed the connection".into()));
        }
    }
}

/// The socket of the first endpoint of `config` that accepts (as libpq pairs `host`,
/// `hostaddr` and `port`).
async fn open(config: &tokio_postgres::Config) -> Result<Stream, WireError> {
    let hosts = config.get_hosts();
    let addrs = config.get_hostaddrs();
    let ports = config.get_ports();
    let endpoints = hosts.len().max(addrs.len());
    if endpoints == 0 {
        return Err(WireError::Broken("the shard DSN names no host".into()));
    }
    let mut failures = Vec::new();
    for i in 0..endpoints {
        let port = ports.get(i).or(ports.first()).copied().unwrap_or(5432);
        let attempt = match (addrs.get(i), hosts.get(i)) {
            (Some(addr), _) => tcp(config, (*addr, port)).await,
            (None, Some(Host::Tcp(host))) => tcp(config, (host.as_str(), port)).await,
            (None, Some(Host::Unix(dir))) => {
                UnixStream::connect(dir.join(format!(".s.PGSQL.{port}")))
                    .await
                    .map(Stream::Unix)
            }
            (None, None) => continue,
        };
        match attempt {
            Ok(stream) => return Ok(stream),
            Err(e) => failures.push(e.to_string()),
        }
    }
    Err(WireError::Broken(failures.join("; ")))
}

async fn tcp<A: tokio::net::ToSocketAddrs>(
    config: &tokio_postgres::Config,
    addr: A,
) -> io::Result<Stream> {
    let stream = TcpStream::connect(addr).await?;
    stream.set_nodelay(true)?;
    if config.get_keepalives() {
        let keepalive = socket2::TcpKeepalive::new().with_time(config.get_keepalives_idle());
        socket2::SockRef::from(&stream).set_tcp_keepalive(&keepalive)?;
    }
    Ok(Stream::Tcp(stream))
}

fn encode(result: io::Result<()>) -> Result<(), WireError> {
    result.map_err(|e| WireError::Broken(format!("cannot encode a message: {e}")))
}

impl Startup {
    async fn send(&mut self) -> Result<(), WireError> {
        let sent = self.stream.write_all(&self.write).await;
        self.write.clear();
        sent.map_err(WireError::from)
    }

    async fn next(&mut self) -> Result<Message, WireError> {
        match &mut self.stream {
            Stream::Tcp(s) => next_message(s, &mut self.read).await,
            Stream::Unix(s) => next_message(s, &mut self.read).await,
        }
    }

    /// Logs in: the startup message, then whatever authentication the shard asks for,
    /// then its parameter statuses and backend key up to ReadyForQuery.
    async fn log_in(&mut self, config: &tokio_postgres::Config) -> Result<(), WireError> {
        let user = config
            .get_user()
            .ok_or_else(|| WireError::Broken("the shard DSN names no user".into()))?;
        let mut params: Vec<(&str, &str)> = vec![("client_encoding", "UTF8"), ("user", user)];
        if let Some(db) = config.get_dbname() {
            params.push(("database", db));
        }
        if let Some(options) = config.get_options() {
            params.push(("options", options));
        }
        if let Some(name) = config.get_application_name() {
            params.push(("application_name", name));
        }
        encode(frontend::startup_message(params, &mut self.write))?;
        self.send().await?;
        let password = || {
            config.get_password().ok_or_else(|| {
                WireError::Broken("the shard asks for a password and none is configured".into())
            })
        };
        let mut scram: Option<ScramSha256> = None;
        loop {
            match self.next().await? {
                Message::AuthenticationOk => break,
                Message::AuthenticationCleartextPassword => {
                    encode(frontend::password_message(password()?, &mut self.write))?;
                    self.send().await?;
                }
                Message::AuthenticationMd5Password(body) => {
                    let hash = md5_hash(user.as_bytes(), password()?, body.salt());
                    encode(frontend::password_message(hash.as_bytes(), &mut self.write))?;
                    self.send().await?;
                }
                Message::AuthenticationSasl(body) => {
                    let mut offered = body.mechanisms();
                    let mut scram_offered = false;
                    while let Some(mechanism) = offered.next()? {
                        scram_offered |= mechanism == SCRAM_SHA_256;
                    }
                    if !scram_offered {
                        return Err(WireError::Broken(
                            "the shard offers no SASL mechanism this client speaks".into(),
                        ));
                    }
                    let exchange = ScramSha256::new(password()?, ChannelBinding::unsupported());
                    encode(frontend::sasl_initial_response(
                        SCRAM_SHA_256,
                        exchange.message(),
                        &mut self.write,
                    ))?;
                    scram = Some(exchange);
                    self.send().await?;
                }
                Message::AuthenticationSaslContinue(body) => {
                    let exchange = scram.as_mut().ok_or_else(|| {
                        WireError::Broken("SASL continuation without a SASL exchange".into())
                    })?;
                    exchange.update(body.data())?;
                    encode(frontend::sasl_response(exchange.message(), &mut self.write))?;
                    self.send().await?;
                }
                Message::AuthenticationSaslFinal(body) => {
                    let mut exchange = scram.take().ok_or_else(|| {
                        WireError::Broken("SASL final message without a SASL exchange".into())
                    })?;
                    exchange.finish(body.data())?;
                }
                Message::ErrorResponse(body) => return Err(db_error(&body)),
                Message::NoticeResponse(_) => {}
                _ => {
                    return Err(WireError::Broken(
                        "the shard asks for an authentication method this client does not \
                         speak"
                            .into(),
                    ));
                }
            }
        }
        // An error now (no such database, too many connections) is fatal: the server
        // closes the connection after it.
        loop {
            match self.next().await? {
                Message::ReadyForQuery(_) => return Ok(()),
                Message::ErrorResponse(body) => return Err(db_error(&body)),
                _ => {}
            }
        }
    }
}

impl ShardConn {
    /// Opens a connection as `config` says (hosts, port, user, password, database,
    /// options, application name, keepalives) within its connect timeout.
    pub async fn connect(config: &tokio_postgres::Config) -> Result<ShardConn, WireError> {
        if config.get_ssl_mode() == SslMode::Require {
            return Err(WireError::Broken(
                "the shard DSN requires TLS, which shard connections do not use".into(),
            ));
        }
        let connect = async {
            let mut startup = Startup {
                stream: open(config).await?,
                read: BytesMut::with_capacity(8192),
                write: BytesMut::with_capacity(1024),
            };
            startup.log_in(config).await?;
            Ok(startup)
        };
        let startup = match config.get_connect_timeout() {
            Some(limit) => tokio::time::timeout(*limit, connect)
                .await
                .unwrap_or_else(|_| {
                    Err(WireError::Broken(format!(
                        "timed out after {} ms",
                        limit.as_millis()
                    )))
                })?,
            None => connect.await?,
        };
        let (read, write): (
            Box<dyn AsyncRead + Send + Unpin>,
            Box<dyn AsyncWrite + Send + Unpin>,
        ) = match startup.stream {
            Stream::Tcp(s) => {
                let (r, w) = s.into_split();
                (Box::new(r), Box::new(w))
            }
            Stream::Unix(s) => {
                let (r, w) = s.into_split();
                (Box::new(r), Box::new(w))
            }
        };
        Ok(ShardConn {
            writer: tokio::sync::Mutex::new(Writer {
                half: write,
                buf: startup.write,
                statements: HashMap::new(),
                next_statement: 0,
                sent: 0,
            }),
            reader: tokio::sync::Mutex::new(Reader {
                half: read,
                buf: startup.read,
                answered: 0,
            }),
            broken: AtomicBool::new(false),
            retire: AtomicBool::new(false),
            used: AtomicBool::new(false),
        })
    }

    /// True while the pool may hand the connection out again: not broken, not retired,
    /// and every answer read (an answer left unread by a dropped query is not skipped
    /// here; the connection is closed instead).
    pub fn is_usable(&self) -> bool {
        if self.broken.load(Ordering::Acquire) || self.retire.load(Ordering::Relaxed) {
            return false;
        }
        match (self.writer.try_lock(), self.reader.try_lock()) {
            (Ok(writer), Ok(reader)) => writer.sent == reader.answered,
            _ => false,
        }
    }

    /// True when a query was answered on this connection before (a failure before any
    /// answer on such a connection may just mean the shard closed it while it sat idle).
    pub fn was_used(&self) -> bool {
        self.used.load(Ordering::Relaxed)
    }

    fn fail_if_broken(&self) -> Result<(), WireError> {
        if self.broken.load(Ordering::Acquire) {
            return Err(WireError::Broken("the connection failed earlier".into()));
        }
        Ok(())
    }

    /// Sends what `writer` holds; returns the request's place in the order of answers.
    async fn send(&self, writer: &mut Writer) -> Result<u64, WireError> {
        let guard = BreakOnDrop(Some(&self.broken));
        let sent = writer.half.write_all(&writer.buf).await;
        guard.disarm();
        writer.buf.clear();
        match sent {
            Ok(()) => {
                writer.sent += 1;
                Ok(writer.sent - 1)
            }
            Err(e) => {
                self.broken.store(true, Ordering::Release);
                Err(e.into())
            }
        }
    }

    /// Reads answers up to and including that of request `seq`, skipping those of
    /// earlier requests whose queries were dropped.
    async fn read_answer(&self, reader: &mut Reader, seq: u64) -> Result<Answer, WireError> {
        let mut answer = Answer::default();
        loop {
            if reader.answered > seq {
                self.broken.store(true, Ordering::Release);
                return Err(WireError::Broken("answers out of order".into()));
            }
            let mine = reader.answered == seq;
            let message = match next_message(&mut reader.half, &mut reader.buf).await {
                Ok(message) => message,
                Err(e) => {
                    self.broken.store(true, Ordering::Release);
                    return Err(e);
                }
            };
            match message {
                Message::ReadyForQuery(_) => {
                    reader.answered += 1;
                    if mine {
                        self.used.store(true, Ordering::Relaxed);
                        return Ok(answer);
                    }
                }
                _ if !mine => {}
                Message::DataRow(body) => answer.rows.push(body),
                Message::RowDescription(body) => {
                    let mut fields = body.fields();
                    while let Some(field) = fields.next()? {
                        let oid = field.type_oid();
                        let ty = Type::from_oid(oid).unwrap_or_else(|| {
                            Type::new(format!("oid {oid}"), oid, Kind::Simple, String::new())
                        });
                        answer.columns.push(Column {
                            name: field.name().to_string(),
                            ty,
                        });
                    }
                }
                Message::ErrorResponse(body) => {
                    answer.error = answer.error.or(Some(db_error(&body)));
                }
                // BindComplete, ParseComplete, CommandComplete, notices, statuses.
                _ => {}
            }
        }
    }

    /// Prepares `sql` (its `params` parameters typed text) with both sides held, after
    /// every earlier answer was read: one round trip, once per connection and statement.
    async fn prepare(
        &self,
        writer: &mut Writer,
        reader: &mut Reader,
        sql: &str,
        params: usize,
    ) -> Result<Arc<Statement>, WireError> {
        let name = format!("dfpr{}", writer.next_statement);
        writer.next_statement += 1;
        let encoded = encode(frontend::parse(
            &name,
            sql,
            std::iter::repeat_n(Type::TEXT.oid(), params),
            &mut writer.buf,
        ))
        .and_then(|()| encode(frontend::describe(b'S', &name, &mut writer.buf)));
        if let Err(e) = encoded {
            writer.buf.clear();
            return Err(e);
        }
        frontend::sync(&mut writer.buf);
        let seq = self.send(writer).await?;
        let answer = self.read_answer(reader, seq).await?;
        if let Some(e) = answer.error {
            return Err(e);
        }
        let statement = Arc::new(Statement {
            name,
            columns: answer.columns.into(),
        });
        if writer.statements.len() >= MAX_STATEMENTS {
            self.retire.store(true, Ordering::Relaxed);
        } else {
            writer.statements.insert(sql.to_string(), statement.clone());
        }
        Ok(statement)
    }

    /// Runs `sql` with the text parameters `params` (prepared on first use) and returns
    /// its rows.
    pub async fn query(&self, sql: &str, params: &[&str]) -> Result<Vec<WireRow>, WireError> {
        let mut writer = self.writer.lock().await;
        self.fail_if_broken()?;
        let (statement, prepared_with) = match writer.statements.get(sql).cloned() {
            Some(statement) => (statement, None),
            None => {
                let mut reader = self.reader.lock().await;
                let statement = self
                    .prepare(&mut writer, &mut reader, sql, params.len())
                    .await?;
                (statement, Some(reader))
            }
        };
        let encoded = frontend::bind(
            "",
            &statement.name,
            [1],
            params.iter(),
            |param, buf| {
                buf.put_slice(param.as_bytes());
                Ok(IsNull::No)
            },
            [1],
            &mut writer.buf,
        )
        .map_err(|_| WireError::Broken("cannot encode the parameters".into()))
        .and_then(|()| encode(frontend::execute("", 0, &mut writer.buf)));
        if let Err(e) = encoded {
            // Nothing was sent: drop the partial message, the connection stays in step.
            writer.buf.clear();
            return Err(e);
        }
        frontend::sync(&mut writer.buf);
        let seq = self.send(&mut writer).await?;
        let mut reader = match prepared_with {
            Some(reader) => {
                drop(writer);
                reader
            }
            None => {
                // Queue for the read side before the next query may write, so that
                // answers are read in the order their requests went out (the lock is fair,
                // first come first served).
                let lock = self.reader.lock();
                tokio::pin!(lock);
                let first_try = futures::poll!(lock.as_mut());
                drop(writer);
                match first_try {
                    Poll::Ready(reader) => reader,
                    Poll::Pending => lock.await,
                }
            }
        };
        let answer = self.read_answer(&mut reader, seq).await?;
        drop(reader);
        match answer.error {
            Some(e) => Err(e),
            None => Ok(answer
                .rows
                .into_iter()
                .map(|body| WireRow {
                    columns: statement.columns.clone(),
                    body,
                })
                .collect()),
        }
    }
}

/// Opens [`ShardConn`]s for a pool and takes back only those still in step.
#[derive(Debug)]
pub struct ShardConnector {
    config: tokio_postgres::Config,
}

impl ShardConnector {
    /// Connections as `config` says.
    pub fn new(config: tokio_postgres::Config) -> Self {
        ShardConnector { config }
    }
}

impl deadpool::managed::Manager for ShardConnector {
    type Type = ShardConn;
    type Error = WireError;

    async fn create(&self) -> Result<ShardConn, WireError> {
        ShardConn::connect(&self.config).await
    }

    async fn recycle(
        &self,
        conn: &mut ShardConn,
        _: &deadpool::managed::Metrics,
    ) -> deadpool::managed::RecycleResult<WireError> {
        if conn.is_usable() {
            Ok(())
        } else {
            Err(deadpool::managed::RecycleError::message(
                "out of step or retired",
            ))
        }
    }
}

/// A pool of point-read connections to one shard.
pub type ShardConnPool = deadpool::managed::Pool<ShardConnector>;

/// A connection checked out of a [`ShardConnPool`].
pub type PooledShardConn = deadpool::managed::Object<ShardConnector>;
