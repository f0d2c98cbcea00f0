//! The document API: one document by id — `GET`, `PUT` (create or replace), `PATCH` (JSON
//! merge patch, RFC 7396) and `DELETE` on `/v1/collections/{name}/documents/{id}` — with
//! ETags from the document's version; and `POST /v1/collections`, `GET /v1/collections/{name}`.
//!
//! Every write is one statement on the shard that owns the id, and a conditional write
//! carries its condition inside that statement (`UPDATE … WHERE id = $1 AND version =
//! ANY($3)`, `INSERT … ON CONFLICT (id) DO NOTHING`), so two writers holding the same ETag
//! cannot both succeed. PATCH reads, merges here and writes back guarded by the version it
//! read, re-reading when another writer came in between. Versions move exactly as SQL writes
//! move them: 1 on insert, +1 on every update (see `write::ddl::VERSION_COLUMN`).

use std::collections::BTreeMap;

use axum::body::Bytes;
use axum::extract::{Path, Request, State};
use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use docfusion_pgvalue::{Jsonb, JsonbObject};
use futures::future::try_join_all;
use serde::{Deserialize, Serialize};
use tokio_postgres::Row;
use tokio_postgres::types::{ToSql, Type};
use utoipa::ToSchema;
use utoipa_axum::router::UtoipaMethodRouter;

use super::{CollectionEntry, ErrorBody, HttpState, StatementMetrics, error_response, http_status};
use crate::catalog::TableKind;
use crate::engine::Engine;
use crate::error::{SqlError, sqlstate};
use crate::metrics::metrics;
use crate::scan::pushdown::quote_ident;
use crate::shards::shard_error;
use crate::write::ddl::{VERSION_COLUMN, collection_ddl};

/// SQLSTATE of a failed `If-Match` (the document changed since the client read it): the
/// code Postgres gives a write that lost a race at REPEATABLE READ.
const VERSION_MISMATCH: &str = "40001";
/// SQLSTATE of a failed `If-None-Match: *` (the document exists).
const ALREADY_EXISTS: &str = "23505";
/// SQLSTATE of an object of the wrong kind (a relational table where a collection is needed).
const WRONG_OBJECT_TYPE: &str = "42809";
/// SQLSTATE of a body that is not UTF-8.
const NOT_UTF8: &str = "22021";
/// Media type of a JSON merge patch (RFC 7396).
const MERGE_PATCH: &str = "application/merge-patch+json";
/// Times PATCH re-reads a document that other writers keep changing before giving up.
const PATCH_ATTEMPTS: usize = 16;
/// The bound of the first random pause after a lost race, doubled after each next one.
const PATCH_BACKOFF_START_US: u64 = 200;
/// The largest bound of a pause between attempts.
const PATCH_BACKOFF_MAX_US: u64 = 50_000;

/// An error answer of the document API: an error with its SQLSTATE, and an HTTP status of
/// its own where the SQLSTATE alone does not decide it (412, 409, 415).
#[derive(Debug)]
pub struct DocError {
    status: StatusCode,
    error: SqlError,
    header: Option<Box<(HeaderName, HeaderValue)>>,
}

impl DocError {
    fn with_status(status: StatusCode, error: SqlError) -> Self {
        DocError {
            status,
            error,
            header: None,
        }
    }

    /// The HTTP status of this answer.
    pub fn status(&self) -> StatusCode {
        self.status
    }
}

impl From<SqlError> for DocError {
    fn from(error: SqlError) -> Self {
        DocError::with_status(http_status(error.code), error)
    }
}

impl IntoResponse for DocError {
    fn into_response(self) -> Response {
        let code = self.error.code;
        let mut response = error_response(self.status, self.error);
        response.extensions_mut().insert(FailedWith(code));
        if let Some(h) = self.header {
            let (name, value) = *h;
            response.headers_mut().insert(name, value);
        }
        response
    }
}

/// The SQLSTATE of an error answer, for the statement metrics.
#[derive(Debug, Clone, Copy)]
struct FailedWith(&'static str);

/// `routes` with each request counted as a statement in the node's metrics (`canceled`
/// when the client goes away before the answer).
pub fn metered(routes: UtoipaMethodRouter<HttpState>) -> UtoipaMethodRouter<HttpState> {
    let (schemas, paths, router) = routes;
    let router = router.layer(axum::middleware::from_fn(count_statement));
    (schemas, paths, router)
}

async fn count_statement(request: Request, next: Next) -> Response {
    let statement = StatementMetrics::start();
    let response = next.run(request).await;
    let outcome = match response.extensions().get::<FailedWith>() {
        Some(FailedWith(code)) => Err(SqlError::new(code, "")),
        // Refused before a handler ran (a body over the limit, a bad path).
        None if response.status().is_client_error() || response.status().is_server_error() => {
            Err(SqlError::new(sqlstate::PROTOCOL_VIOLATION, ""))
        }
        None => Ok(()),
    };
    statement.finish(&outcome);
    response
}

// ---------------------------------------------------------------------------------------
// Preconditions (RFC 9110 §13): pure.

/// One entity tag of an `If-Match` / `If-None-Match` list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntityTag {
    /// `W/"…"`.
    pub weak: bool,
    /// The text between the quotes.
    pub opaque: String,
}

/// The value of an `If-Match` or `If-None-Match` header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Precondition {
    /// `*`: any current document.
    Any,
    /// A list of entity tags.
    Tags(Vec<EntityTag>),
}

impl Precondition {
    /// Parses a header value: `*`, or entity tags (`"3"`, `W/"3"`) separated by commas.
    pub fn parse(value: &str) -> Result<Precondition, String> {
        let value = value.trim();
        if value == "*" {
            return Ok(Precondition::Any);
        }
        let mut tags = Vec::new();
        let mut rest = value;
        loop {
            rest = rest.trim_start_matches([' ', '\t', ',']);
            if rest.is_empty() {
                break;
            }
            let (weak, tail) = match rest.strip_prefix("W/") {
                Some(t) => (true, t),
                None => (false, rest),
            };
            let Some(quoted) = tail.strip_prefix('"') else {
                return Err(format!(
                    "expected * or a list of quoted entity tags such as \"3\", found {rest:?}"
                ));
            };
            let Some(end) = quoted.find('"') else {
                return Err(format!("entity tag {tail:?} has no closing quote"));
            };
            tags.push(EntityTag {
                weak,
                opaque: quoted[..end].to_string(),
            });
            rest = &quoted[end + 1..];
            let after = rest.trim_start_matches([' ', '\t']);
            if !after.is_empty() && !after.starts_with(',') {
                return Err(format!(
                    "expected a comma after an entity tag, found {after:?}"
                ));
            }
        }
        if tags.is_empty() {
            return Err("the header is empty".to_string());
        }
        Ok(Precondition::Tags(tags))
    }

    /// `If-Match`: strong comparison (a weak tag never matches).
    pub fn matches_strong(&self, version: i64) -> bool {
        match self {
            Precondition::Any => true,
            Precondition::Tags(tags) => tags
                .iter()
                .any(|t| !t.weak && t.opaque == version.to_string()),
        }
    }

    /// `If-None-Match`: weak comparison.
    pub fn matches_weak(&self, version: i64) -> bool {
        match self {
            Precondition::Any => true,
            Precondition::Tags(tags) => tags.iter().any(|t| t.opaque == version.to_string()),
        }
    }

    /// The versions an `If-Match` list accepts (strong tags that are versions).
    pub fn strong_versions(&self) -> Vec<i64> {
        match self {
            Precondition::Any => Vec::new(),
            Precondition::Tags(tags) => tags
                .iter()
                .filter(|t| !t.weak)
                .filter_map(|t| {
                    t.opaque
                        .parse::<i64>()
                        .ok()
                        .filter(|v| v.to_string() == t.opaque)
                })
                .collect(),
        }
    }
}

/// The ETag of a document at `version`: strong, quoted.
pub fn etag(version: i64) -> String {
    format!("\"{version}\"")
}

/// The precondition in header `name` (several fields of it are one list), if any.
fn precondition(headers: &HeaderMap, name: &HeaderName) -> Result<Option<Precondition>, DocError> {
    let mut values = Vec::new();
    for v in headers.get_all(name) {
        let text = v.to_str().map_err(|_| {
            bad_request(
                sqlstate::INVALID_PARAMETER_VALUE,
                format!("header {name} is not visible ASCII"),
            )
        })?;
        values.push(text.to_string());
    }
    if values.is_empty() {
        return Ok(None);
    }
    Precondition::parse(&values.join(","))
        .map(Some)
        .map_err(|reason| {
            bad_request(
                sqlstate::INVALID_PARAMETER_VALUE,
                format!("header {name}: {reason}"),
            )
        })
}

/// Refuses `If-None-Match` on a request that only honours `If-Match`.
fn refuse_if_none_match(headers: &HeaderMap, method: &str) -> Result<(), DocError> {
    if headers.contains_key(header::IF_NONE_MATCH) {
        return Err(bad_request(
            sqlstate::FEATURE_NOT_SUPPORTED,
            format!("{method} honours If-Match only; If-None-Match is for GET and PUT"),
        ));
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------
// Documents: pure.

/// Applies a JSON merge patch (RFC 7396) to `target`: members of an object patch merge
/// recursively, `null` removes a member, anything else (arrays included) replaces.
pub fn merge_patch(target: Jsonb, patch: &Jsonb) -> Jsonb {
    let Jsonb::Object(patch) = patch else {
        return patch.clone();
    };
    let mut target = match target {
        Jsonb::Object(o) => o,
        _ => JsonbObject::new(),
    };
    for (name, value) in patch.iter() {
        if *value == Jsonb::Null {
            target.remove(name);
        } else {
            // An absent member merges like a non-object: it starts from `{}`.
            let current = target.remove(name).unwrap_or(Jsonb::Null);
            target.insert(name.clone(), merge_patch(current, value));
        }
    }
    Jsonb::Object(target)
}

/// Parses a request body as JSON (jsonb semantics); the error names the position.
pub fn parse_body(body: &[u8]) -> Result<Jsonb, SqlError> {
    let text = std::str::from_utf8(body).map_err(|e| {
        SqlError::new(
            NOT_UTF8,
            format!(
                "request body is not UTF-8 (invalid byte at offset {})",
                e.valid_up_to()
            ),
        )
    })?;
    Jsonb::parse(text).map_err(|e| {
        let mut e = SqlError::from(e);
        // The jsonb parser says what is wrong; serde_json says where.
        let at = match serde_json::from_str::<serde::de::IgnoredAny>(text) {
            Err(s) if s.line() > 0 => format!(" at line {}, column {}", s.line(), s.column()),
            _ => String::new(),
        };
        e.message = format!("request body{at}: {}", e.message);
        e
    })
}

/// Checks that `doc` is an object whose `id` field (if any) names document `id`.
pub fn document_object(doc: Jsonb, id: &str) -> Result<JsonbObject, SqlError> {
    let Jsonb::Object(object) = doc else {
        return Err(SqlError::new(
            sqlstate::INVALID_PARAMETER_VALUE,
            format!(
                "a document must be a JSON object, not {} (document \"{id}\")",
                doc.type_name()
            ),
        ));
    };
    match object.get("id") {
        None | Some(Jsonb::Null) => Ok(object),
        Some(Jsonb::String(s)) if s == id => Ok(object),
        Some(Jsonb::Number(n)) if n.to_string() == id => Ok(object),
        Some(other) => Err(SqlError::new(
            sqlstate::INVALID_PARAMETER_VALUE,
            format!(
                "the document's \"id\" field is {} but the URL names document \"{id}\": the URL decides the id, so leave the field out or make it equal",
                other.to_pg_text()
            ),
        )),
    }
}

/// ` AND version = ANY($param)` when `guarded`: the If-Match condition of a write.
fn version_guard(guarded: bool, param: usize) -> String {
    if guarded {
        format!(" AND {VERSION_COLUMN} = ANY(${param})")
    } else {
        String::new()
    }
}

/// The statements of the document API on one collection (`table`: the quoted name).
struct Statements {
    table: String,
}

impl Statements {
    fn new(collection: &str) -> Self {
        Statements {
            table: quote_ident(collection),
        }
    }

    /// `$1` id → (doc text, version).
    fn read(&self) -> String {
        format!(
            "SELECT doc::text, {VERSION_COLUMN} FROM {} WHERE id = $1",
            self.table
        )
    }

    /// `$1` id, `$2` doc → (doc text, version, inserted).
    fn upsert(&self) -> String {
        format!(
            "INSERT INTO {} AS d (id, doc) VALUES ($1, $2::jsonb) ON CONFLICT (id) DO UPDATE \
             SET doc = EXCLUDED.doc, {VERSION_COLUMN} = d.{VERSION_COLUMN} + 1 \
             RETURNING d.doc::text, d.{VERSION_COLUMN}, d.xmax = 0",
            self.table
        )
    }

    /// `$1` id, `$2` doc → (doc text, version); nothing when the id exists.
    fn create(&self) -> String {
        format!(
            "INSERT INTO {} (id, doc) VALUES ($1, $2::jsonb) ON CONFLICT (id) DO NOTHING \
             RETURNING doc::text, {VERSION_COLUMN}",
            self.table
        )
    }

    /// `$1` id, `$2` doc[, `$3` accepted versions] → (doc text, version).
    fn replace(&self, guarded: bool) -> String {
        let guard = version_guard(guarded, 3);
        format!(
            "UPDATE {} SET doc = $2::jsonb, {VERSION_COLUMN} = {VERSION_COLUMN} + 1 \
             WHERE id = $1{guard} RETURNING doc::text, {VERSION_COLUMN}",
            self.table
        )
    }

    /// `$1` id[, `$2` accepted versions] → (version).
    fn delete(&self, guarded: bool) -> String {
        let guard = version_guard(guarded, 2);
        format!(
            "DELETE FROM {} WHERE id = $1{guard} RETURNING {VERSION_COLUMN}",
            self.table
        )
    }
}

// ---------------------------------------------------------------------------------------
// The shards.

/// A collection the document API may work on, with its statements.
struct Collection {
    name: String,
    sql: Statements,
}

/// Collection `name`: known (re-discovered once when not), a collection (not a relational
/// table), with a version column.
async fn collection(engine: &Engine, name: &str) -> Result<Collection, DocError> {
    let info = engine.table_for_write(name).await.map_err(|e| {
        if e.code == sqlstate::UNDEFINED_TABLE {
            SqlError::new(
                sqlstate::UNDEFINED_TABLE,
                format!("collection \"{name}\" does not exist"),
            )
        } else {
            e
        }
    })?;
    if info.kind != TableKind::Collection {
        return Err(bad_request(
            WRONG_OBJECT_TYPE,
            format!(
                "\"{name}\" is a relational table, not a collection: use POST /v1/sql for its rows"
            ),
        ));
    }
    if info.column_index(VERSION_COLUMN).is_none() {
        return Err(SqlError::new(
            sqlstate::FEATURE_NOT_SUPPORTED,
            format!(
                "collection \"{name}\" has no {VERSION_COLUMN} column, so its documents have no ETag; add it on every shard with ALTER TABLE {name} ADD COLUMN {VERSION_COLUMN} bigint NOT NULL DEFAULT 1"
            ),
        )
        .into());
    }
    Ok(Collection {
        name: info.name.clone(),
        sql: Statements::new(&info.name),
    })
}

/// Runs one statement (autocommit) on the shard that owns `id`, prepared once per
/// connection with parameter types `types`.
async fn on_owner(
    engine: &Engine,
    id: &str,
    sql: &str,
    types: &[Type],
    params: &[&(dyn ToSql + Sync)],
) -> Result<Vec<Row>, SqlError> {
    let shards = engine.shards();
    let shard = shards.shard(shards.map().shard_for(id));
    let conn = shard.connect().await?;
    let statement = conn
        .prepare_typed_cached(sql, types)
        .await
        .map_err(|e| shard_error(&shard.name, &e))?;
    conn.query(&statement, params)
        .await
        .map_err(|e| shard_error(&shard.name, &e))
}

/// A document as stored: its jsonb text and version.
struct Stored {
    doc: String,
    version: i64,
}

fn stored(row: &Row) -> Result<Stored, SqlError> {
    let internal =
        |e: tokio_postgres::Error| SqlError::new(sqlstate::INTERNAL_ERROR, e.to_string());
    Ok(Stored {
        doc: row.try_get(0).map_err(internal)?,
        version: row.try_get(1).map_err(internal)?,
    })
}

/// The current document `id` of `c`, if there is one.
async fn read_current(
    engine: &Engine,
    c: &Collection,
    id: &str,
) -> Result<Option<Stored>, SqlError> {
    let rows = on_owner(engine, id, &c.sql.read(), &[Type::TEXT], &[&id]).await?;
    rows.first().map(stored).transpose()
}

// ---------------------------------------------------------------------------------------
// Answers.

fn bad_request(code: &'static str, message: String) -> DocError {
    DocError::with_status(StatusCode::BAD_REQUEST, SqlError::new(code, message))
}

fn not_found(c: &Collection, id: &str) -> DocError {
    DocError::with_status(
        StatusCode::NOT_FOUND,
        SqlError::new(
            "02000",
            format!("document \"{id}\" does not exist in collection {}", c.name),
        ),
    )
}

/// 412 for an `If-Match` that the document (at `current`, or absent) does not satisfy.
fn version_mismatch(
    c: &Collection,
    id: &str,
    current: Option<i64>,
    wanted: &Precondition,
) -> DocError {
    let wanted = match wanted {
        Precondition::Any => "*".to_string(),
        Precondition::Tags(tags) => tags
            .iter()
            .map(|t| format!("{}\"{}\"", if t.weak { "W/" } else { "" }, t.opaque))
            .collect::<Vec<_>>()
            .join(", "),
    };
    let message = match current {
        Some(v) => format!(
            "document \"{id}\" in {} is at version {} (ETag {}), not If-Match {wanted}: it changed since it was read; GET it again and retry",
            c.name,
            v,
            etag(v)
        ),
        None => format!(
            "document \"{id}\" does not exist in collection {} (If-Match {wanted} needs it to)",
            c.name
        ),
    };
    DocError::with_status(
        StatusCode::PRECONDITION_FAILED,
        SqlError::new(VERSION_MISMATCH, message),
    )
}

/// A document answer: its jsonb text as the body, its version as the ETag.
fn document_response(status: StatusCode, doc: Stored) -> Result<Response, DocError> {
    let tag = HeaderValue::try_from(etag(doc.version))
        .map_err(|e| SqlError::new(sqlstate::INTERNAL_ERROR, e.to_string()))?;
    metrics().returned(super::PROTOCOL, 1, doc.doc.len() as u64);
    Ok((
        status,
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            ),
            (header::ETAG, tag),
        ],
        doc.doc,
    )
        .into_response())
}

/// Checks the body's media type: absent, or one of `accepted` (parameters ignored).
fn require_media_type(headers: &HeaderMap, accepted: &[&str]) -> Result<(), DocError> {
    let Some(value) = headers.get(header::CONTENT_TYPE) else {
        return Ok(());
    };
    let text = value.to_str().unwrap_or("");
    let essence = text
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    if accepted.contains(&essence.as_str()) {
        return Ok(());
    }
    let mut e = DocError::with_status(
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        SqlError::new(
            sqlstate::INVALID_PARAMETER_VALUE,
            format!(
                "Content-Type {text:?} is not accepted here: send {}",
                accepted.join(" or ")
            ),
        ),
    );
    if accepted.contains(&MERGE_PATCH) {
        e.header = Some(Box::new((
            HeaderName::from_static("accept-patch"),
            HeaderValue::from_static(MERGE_PATCH),
        )));
    }
    Err(e)
}

// ---------------------------------------------------------------------------------------
// Handlers.

/// The answers every route of this module can give besides its own (described for the
/// OpenAPI document; the handlers answer with [`DocError`]).
#[allow(dead_code)] // described, never built
#[derive(utoipa::IntoResponses)]
enum SharedAnswers {
    /// Missing or wrong credentials (SQLSTATE 28000 or 28P01)
    #[response(status = 401, headers(("WWW-Authenticate" = String, description = "Basic realm=\"docfusiondb\"")))]
    Unauthorized(ErrorBody),
    /// A shard is unavailable (SQLSTATE 08xxx); nothing was written
    #[response(status = 503)]
    Unavailable(ErrorBody),
}

/// Where a document is: the path parameters of its routes.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Path)]
pub struct DocumentPath {
    /// Collection name.
    name: String,
    /// Document id (percent-encode `/` and other reserved characters). A document's `id`
    /// field, if it has one, must equal it.
    id: String,
}

/// Reads one document.
#[utoipa::path(
    get,
    path = "/v1/collections/{name}/documents/{id}",
    tag = "documents",
    params(
        DocumentPath,
        ("If-None-Match" = Option<String>, Header, description = "`*` or ETags (`\"3\"`, weak comparison): 304 when the document is at one of them"),
        ("If-Match" = Option<String>, Header, description = "`*` or ETags (strong comparison): 412 unless the document is at one of them"),
    ),
    security(("basic" = []), ("bearer" = [])),
    responses(
        (status = 200, description = "The document, exactly as stored (jsonb text)", body = Object, content_type = "application/json",
            headers(("ETag" = String, description = "The document's version, strong and quoted: `\"3\"`"))),
        (status = 304, description = "The document is at a version named by If-None-Match",
            headers(("ETag" = String, description = "The document's version"))),
        (status = 400, description = "A malformed precondition header (22023)", body = ErrorBody),
        (status = 404, description = "No such document (02000) or collection (42P01)", body = ErrorBody),
        (status = 412, description = "If-Match names another version (40001)", body = ErrorBody),
        SharedAnswers,
    )
)]
pub async fn get_document(
    State(state): State<HttpState>,
    Path(DocumentPath { name, id }): Path<DocumentPath>,
    headers: HeaderMap,
) -> Result<Response, DocError> {
    let (engine, name, id, headers) = (&state.engine, &name, &id, &headers);
    let if_match = precondition(headers, &header::IF_MATCH)?;
    let if_none_match = precondition(headers, &header::IF_NONE_MATCH)?;
    let c = collection(engine, name).await?;
    engine.admit_read().await?;
    let Some(doc) = read_current(engine, &c, id).await? else {
        return Err(not_found(&c, id));
    };
    engine.report_read(1, doc.doc.len() as u64).await;
    if let Some(m) = &if_match
        && !m.matches_strong(doc.version)
    {
        return Err(version_mismatch(&c, id, Some(doc.version), m));
    }
    if let Some(n) = &if_none_match
        && n.matches_weak(doc.version)
    {
        let tag = HeaderValue::try_from(etag(doc.version))
            .map_err(|e| SqlError::new(sqlstate::INTERNAL_ERROR, e.to_string()))?;
        return Ok((StatusCode::NOT_MODIFIED, [(header::ETAG, tag)]).into_response());
    }
    document_response(StatusCode::OK, doc)
}

/// Creates or replaces one document.
#[utoipa::path(
    put,
    path = "/v1/collections/{name}/documents/{id}",
    tag = "documents",
    params(
        DocumentPath,
        ("If-Match" = Option<String>, Header, description = "`*`: replace only an existing document; ETags (`\"3\"`): replace only if the document is at one of them. Checked and written in one statement"),
        ("If-None-Match" = Option<String>, Header, description = "`*`: create only (412 if the document exists)"),
    ),
    request_body(content = Object, content_type = "application/json", description = "The document: a JSON object"),
    security(("basic" = []), ("bearer" = [])),
    responses(
        (status = 200, description = "Replaced; the stored document", body = Object, content_type = "application/json",
            headers(("ETag" = String, description = "The new version"))),
        (status = 201, description = "Created (version 1); the stored document", body = Object, content_type = "application/json",
            headers(("ETag" = String, description = "The new version, `\"1\"`"))),
        (status = 400, description = "Not JSON (22P02, with line and column), not an object or an `id` field naming another document (22023), a malformed or unsupported precondition (22023, 0A000)", body = ErrorBody),
        (status = 404, description = "No such collection (42P01)", body = ErrorBody),
        (status = 412, description = "If-Match not satisfied (40001) or, with If-None-Match: *, the document exists (23505); nothing was written", body = ErrorBody),
        (status = 413, description = "Body over `limits.max_body_bytes`"),
        (status = 415, description = "Content-Type other than application/json", body = ErrorBody),
        SharedAnswers,
    )
)]
pub async fn put_document(
    State(state): State<HttpState>,
    Path(DocumentPath { name, id }): Path<DocumentPath>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, DocError> {
    let (engine, name, id, headers) = (&state.engine, &name, &id, &headers);
    require_media_type(headers, &["application/json"])?;
    let if_match = precondition(headers, &header::IF_MATCH)?;
    let if_none_match = precondition(headers, &header::IF_NONE_MATCH)?;
    if if_none_match
        .as_ref()
        .is_some_and(|p| *p != Precondition::Any)
    {
        return Err(bad_request(
            sqlstate::FEATURE_NOT_SUPPORTED,
            "PUT honours If-None-Match: * only (create, never replace); use If-Match to replace a known version".into(),
        ));
    }
    if if_match.is_some() && if_none_match.is_some() {
        return Err(bad_request(
            sqlstate::INVALID_PARAMETER_VALUE,
            "If-Match and If-None-Match: * together can never both hold: send one".into(),
        ));
    }
    let doc = Jsonb::Object(document_object(parse_body(&body)?, id)?).to_pg_text();
    let c = collection(engine, name).await?;
    engine.admit_write().await?;
    let text_text = [Type::TEXT, Type::TEXT];
    match (&if_match, if_none_match) {
        (None, None) => {
            let rows = on_owner(engine, id, &c.sql.upsert(), &text_text, &[&id, &doc]).await?;
            let row = rows.first().ok_or_else(|| {
                SqlError::new(sqlstate::INTERNAL_ERROR, "an upsert returned no row")
            })?;
            let inserted: bool = row
                .try_get(2)
                .map_err(|e| SqlError::new(sqlstate::INTERNAL_ERROR, e.to_string()))?;
            let status = if inserted {
                StatusCode::CREATED
            } else {
                StatusCode::OK
            };
            document_response(status, stored(row)?)
        }
        (None, Some(_)) => {
            let rows = on_owner(engine, id, &c.sql.create(), &text_text, &[&id, &doc]).await?;
            match rows.first() {
                Some(row) => document_response(StatusCode::CREATED, stored(row)?),
                None => Err(DocError::with_status(
                    StatusCode::PRECONDITION_FAILED,
                    SqlError::new(
                        ALREADY_EXISTS,
                        format!(
                            "document \"{id}\" already exists in collection {} (If-None-Match: * creates only)",
                            c.name
                        ),
                    ),
                )),
            }
        }
        (Some(condition), _) => {
            let rows = replace(engine, &c, id, &doc, condition).await?;
            match rows.first() {
                Some(row) => document_response(StatusCode::OK, stored(row)?),
                None => {
                    let current = read_current(engine, &c, id).await?.map(|s| s.version);
                    Err(version_mismatch(&c, id, current, condition))
                }
            }
        }
    }
}

/// Replaces document `id` with `doc` if it satisfies `condition`, in one statement.
async fn replace(
    engine: &Engine,
    c: &Collection,
    id: &str,
    doc: &str,
    condition: &Precondition,
) -> Result<Vec<Row>, SqlError> {
    match condition {
        Precondition::Any => {
            on_owner(
                engine,
                id,
                &c.sql.replace(false),
                &[Type::TEXT, Type::TEXT],
                &[&id, &doc],
            )
            .await
        }
        tags => {
            let versions = tags.strong_versions();
            on_owner(
                engine,
                id,
                &c.sql.replace(true),
                &[Type::TEXT, Type::TEXT, Type::INT8_ARRAY],
                &[&id, &doc, &versions],
            )
            .await
        }
    }
}

/// Changes one document with a JSON merge patch (RFC 7396).
#[utoipa::path(
    patch,
    path = "/v1/collections/{name}/documents/{id}",
    tag = "documents",
    params(
        DocumentPath,
        ("If-Match" = Option<String>, Header, description = "ETags (`\"3\"`) or `*`: patch only the document at one of those versions"),
    ),
    request_body(description = "A JSON merge patch: members merge recursively into objects, `null` removes a member, arrays and other values replace",
        content((Object = "application/merge-patch+json"), (Object = "application/json"))),
    security(("basic" = []), ("bearer" = [])),
    responses(
        (status = 200, description = "Patched; the stored document", body = Object, content_type = "application/json",
            headers(("ETag" = String, description = "The new version"))),
        (status = 400, description = "Not JSON (22P02), a result that is not an object or changes the `id` field (22023), a malformed precondition (22023), If-None-Match (0A000)", body = ErrorBody),
        (status = 404, description = "No such document (02000) or collection (42P01)", body = ErrorBody),
        (status = 409, description = "Other writers changed the document on every attempt (40001); retry", body = ErrorBody),
        (status = 412, description = "If-Match not satisfied (40001); nothing was written", body = ErrorBody),
        (status = 415, description = "Content-Type other than application/merge-patch+json or application/json (JSON Patch is not supported)", body = ErrorBody,
            headers(("Accept-Patch" = String, description = "application/merge-patch+json"))),
        SharedAnswers,
    )
)]
pub async fn patch_document(
    State(state): State<HttpState>,
    Path(DocumentPath { name, id }): Path<DocumentPath>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, DocError> {
    let (engine, name, id, headers) = (&state.engine, &name, &id, &headers);
    require_media_type(headers, &[MERGE_PATCH, "application/json"])?;
    refuse_if_none_match(headers, "PATCH")?;
    let if_match = precondition(headers, &header::IF_MATCH)?;
    let patch = parse_body(&body)?;
    let c = collection(engine, name).await?;
    engine.admit_write().await?;
    for attempt in 0..PATCH_ATTEMPTS {
        let Some(current) = read_current(engine, &c, id).await? else {
            return Err(not_found(&c, id));
        };
        if let Some(m) = &if_match
            && !m.matches_strong(current.version)
        {
            return Err(version_mismatch(&c, id, Some(current.version), m));
        }
        let target = Jsonb::parse(&current.doc).map_err(SqlError::from)?;
        let merged = document_object(merge_patch(target, &patch), id)?;
        let doc = Jsonb::Object(merged).to_pg_text();
        let guard = Precondition::Tags(vec![EntityTag {
            weak: false,
            opaque: current.version.to_string(),
        }]);
        if let Some(row) = replace(engine, &c, id, &doc, &guard).await?.first() {
            return document_response(StatusCode::OK, stored(row)?);
        }
        // Another writer came between the read and the write: wait a random while, up
        // to a bound that doubles with each lost race, then read again. Writers racing
        // for one document then spread out instead of colliding again and again (with
        // eight of them on a busy machine, a writer could lose all its attempts).
        let bound_us = (PATCH_BACKOFF_START_US << attempt.min(8)).min(PATCH_BACKOFF_MAX_US);
        let pause = rand::random_range(0..=bound_us);
        tokio::time::sleep(std::time::Duration::from_micros(pause)).await;
    }
    Err(DocError::with_status(
        StatusCode::CONFLICT,
        SqlError::new(
            VERSION_MISMATCH,
            format!(
                "document \"{id}\" in {} changed {PATCH_ATTEMPTS} times while it was being patched; retry",
                c.name
            ),
        ),
    ))
}

/// Deletes one document.
#[utoipa::path(
    delete,
    path = "/v1/collections/{name}/documents/{id}",
    tag = "documents",
    params(
        DocumentPath,
        ("If-Match" = Option<String>, Header, description = "ETags (`\"3\"`) or `*`: delete only the document at one of those versions. Checked and deleted in one statement"),
    ),
    security(("basic" = []), ("bearer" = [])),
    responses(
        (status = 204, description = "Deleted"),
        (status = 400, description = "A malformed precondition (22023), If-None-Match (0A000)", body = ErrorBody),
        (status = 404, description = "No such document (02000) or collection (42P01)", body = ErrorBody),
        (status = 412, description = "If-Match not satisfied (40001); nothing was deleted", body = ErrorBody),
        SharedAnswers,
    )
)]
pub async fn delete_document(
    State(state): State<HttpState>,
    Path(DocumentPath { name, id }): Path<DocumentPath>,
    headers: HeaderMap,
) -> Result<Response, DocError> {
    let (engine, name, id, headers) = (&state.engine, &name, &id, &headers);
    refuse_if_none_match(headers, "DELETE")?;
    let if_match = precondition(headers, &header::IF_MATCH)?;
    let c = collection(engine, name).await?;
    engine.admit_write().await?;
    let rows = match &if_match {
        None | Some(Precondition::Any) => {
            on_owner(engine, id, &c.sql.delete(false), &[Type::TEXT], &[&id]).await?
        }
        Some(tags) => {
            let versions = tags.strong_versions();
            on_owner(
                engine,
                id,
                &c.sql.delete(true),
                &[Type::TEXT, Type::INT8_ARRAY],
                &[&id, &versions],
            )
            .await?
        }
    };
    if !rows.is_empty() {
        return Ok(StatusCode::NO_CONTENT.into_response());
    }
    // Nothing deleted: absent (404, whatever the precondition) or at another version (412).
    match (read_current(engine, &c, id).await?, &if_match) {
        (Some(current), Some(m)) => Err(version_mismatch(&c, id, Some(current.version), m)),
        _ => Err(not_found(&c, id)),
    }
}

// ---------------------------------------------------------------------------------------
// Collections.

/// Body of `POST /v1/collections`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewCollection {
    /// The collection's name: 1-63 lower-case letters, digits and underscores, not starting
    /// with a digit.
    #[schema(example = "listings")]
    pub name: String,
}

/// Answer of `GET /v1/collections/{name}`.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct CollectionDetail {
    /// Its name.
    pub name: String,
    /// `collection` (documents) or `table` (relational, a copy on every shard).
    #[schema(example = "collection")]
    pub kind: String,
    /// Documents of a collection (all shards), or rows of a table (one copy).
    pub count: u64,
    /// Documents (or rows) per shard name.
    pub per_shard: BTreeMap<String, u64>,
}

/// Creates a collection on every shard.
#[utoipa::path(
    post,
    path = "/v1/collections",
    tag = "collections",
    request_body = NewCollection,
    security(("basic" = []), ("bearer" = [])),
    responses(
        (status = 201, description = "Created on every shard (in one transaction across them)", body = CollectionEntry,
            headers(("Location" = String, description = "`/v1/collections/{name}`"))),
        (status = 400, description = "A bad name (42602) or request body (08P01)", body = ErrorBody),
        (status = 409, description = "A collection or table of that name exists (42P07)", body = ErrorBody),
        SharedAnswers,
    )
)]
pub async fn create_collection(
    State(state): State<HttpState>,
    body: Result<axum::Json<NewCollection>, axum::extract::rejection::JsonRejection>,
) -> Result<Response, DocError> {
    let engine = &state.engine;
    let axum::Json(request) = body.map_err(|e| {
        SqlError::new(
            sqlstate::PROTOCOL_VIOLATION,
            format!("invalid request body: {}", e.body_text()),
        )
    })?;
    let name = request.name;
    crate::load::validate_collection_name(&name)?;
    engine.admit_write().await?;
    engine
        .run_ddl_everywhere(&collection_ddl(&name, false, &[]))
        .await
        .map_err(|e| {
            if e.code == sqlstate::DUPLICATE_TABLE {
                DocError::with_status(
                    StatusCode::CONFLICT,
                    SqlError::new(
                        sqlstate::DUPLICATE_TABLE,
                        format!("collection \"{name}\" already exists"),
                    ),
                )
            } else {
                e.into()
            }
        })?;
    let location = HeaderValue::try_from(format!("/v1/collections/{name}"))
        .map_err(|e| SqlError::new(sqlstate::INTERNAL_ERROR, e.to_string()))?;
    Ok((
        StatusCode::CREATED,
        [(header::LOCATION, location)],
        axum::Json(CollectionEntry {
            name,
            kind: "collection".into(),
        }),
    )
        .into_response())
}

/// Describes one collection or table: its kind and how many documents (rows) it holds.
#[utoipa::path(
    get,
    path = "/v1/collections/{name}",
    tag = "collections",
    params(("name" = String, Path, description = "Collection or table name")),
    security(("basic" = []), ("bearer" = [])),
    responses(
        (status = 200, description = "The collection, with an exact count (each shard counts its part)", body = CollectionDetail),
        (status = 404, description = "No such collection or table (42P01)", body = ErrorBody),
        SharedAnswers,
    )
)]
pub async fn describe_collection(
    State(state): State<HttpState>,
    Path(name): Path<String>,
) -> Result<Response, DocError> {
    let (engine, name) = (&state.engine, &name);
    let info = engine.table_for_write(name).await?;
    engine.admit_read().await?;
    let sql = format!("SELECT count(*) FROM {}", quote_ident(&info.name));
    let counts = try_join_all(engine.shards().shards().iter().map(|shard| {
        let sql = &sql;
        async move {
            let conn = shard.connect().await?;
            let row = conn
                .query_one(sql.as_str(), &[])
                .await
                .map_err(|e| shard_error(&shard.name, &e))?;
            let n: i64 = row
                .try_get(0)
                .map_err(|e| SqlError::new(sqlstate::INTERNAL_ERROR, e.to_string()))?;
            Ok::<_, SqlError>((shard.name.clone(), n.max(0) as u64))
        }
    }))
    .await?;
    let (kind, count) = match info.kind {
        TableKind::Collection => ("collection", counts.iter().map(|(_, n)| n).sum()),
        // A reference table holds the same rows on every shard.
        TableKind::Relational => ("table", counts.first().map_or(0, |(_, n)| *n)),
    };
    Ok(axum::Json(CollectionDetail {
        name: info.name.clone(),
        kind: kind.to_string(),
        count,
        per_shard: counts.into_iter().collect(),
    })
    .into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn json(text: &str) -> Jsonb {
        Jsonb::parse(text).unwrap()
    }

    #[test]
    fn merge_patch_follows_rfc_7396() {
        // The examples of RFC 7396 appendix A, hand-checked.
        let cases = [
            (r#"{"a":"b"}"#, r#"{"a":"c"}"#, r#"{"a":"c"}"#),
            (r#"{"a":"b"}"#, r#"{"b":"c"}"#, r#"{"a":"b","b":"c"}"#),
            (r#"{"a":"b"}"#, r#"{"a":null}"#, r#"{}"#),
            (r#"{"a":"b","b":"c"}"#, r#"{"a":null}"#, r#"{"b":"c"}"#),
            (r#"{"a":["b"]}"#, r#"{"a":"c"}"#, r#"{"a":"c"}"#),
            (r#"{"a":"c"}"#, r#"{"a":["b"]}"#, r#"{"a":["b"]}"#),
            (
                r#"{"a":{"b":"c"}}"#,
                r#"{"a":{"b":"d","c":null}}"#,
                r#"{"a":{"b":"d"}}"#,
            ),
            (r#"{"a":[{"b":"c"}]}"#, r#"{"a":[1]}"#, r#"{"a":[1]}"#),
            (r#"["a","b"]"#, r#"["c","d"]"#, r#"["c","d"]"#),
            (r#"{"a":"b"}"#, r#"["c"]"#, r#"["c"]"#),
            (r#"{"a":"foo"}"#, "null", "null"),
            (r#"{"a":"foo"}"#, r#""bar""#, r#""bar""#),
            (r#"{"e":null}"#, r#"{"a":1}"#, r#"{"a":1,"e":null}"#),
            (r#"[1,2]"#, r#"{"a":"b","c":null}"#, r#"{"a":"b"}"#),
            ("{}", r#"{"a":{"bb":{"ccc":null}}}"#, r#"{"a":{"bb":{}}}"#),
        ];
        for (target, patch, expected) in cases {
            assert_eq!(
                merge_patch(json(target), &json(patch)),
                json(expected),
                "{target} + {patch}"
            );
        }
    }

    #[test]
    fn entity_tags_parse_and_compare() {
        assert_eq!(Precondition::parse(" * "), Ok(Precondition::Any));
        let p = Precondition::parse(r#""3", W/"4" ,"x,y""#).unwrap();
        assert_eq!(
            p,
            Precondition::Tags(vec![
                EntityTag {
                    weak: false,
                    opaque: "3".into()
                },
                EntityTag {
                    weak: true,
                    opaque: "4".into()
                },
                EntityTag {
                    weak: false,
                    opaque: "x,y".into()
                },
            ])
        );
        assert!(p.matches_strong(3) && !p.matches_strong(4) && !p.matches_strong(5));
        assert!(p.matches_weak(3) && p.matches_weak(4) && !p.matches_weak(5));
        assert_eq!(p.strong_versions(), vec![3]);
        // "03" is not the tag of version 3 (strong comparison is character by character).
        let p = Precondition::parse(r#""03""#).unwrap();
        assert!(!p.matches_strong(3));
        assert!(p.strong_versions().is_empty());
        assert!(Precondition::Any.matches_strong(1));
        for bad in ["3", "\"3", "\"3\" \"4\"", "", " , ", "W/3"] {
            assert!(Precondition::parse(bad).is_err(), "{bad:?}");
        }
        assert_eq!(etag(12), "\"12\"");
    }

    #[test]
    fn documents_are_objects_whose_id_field_agrees_with_the_url() {
        assert!(document_object(json(r#"{"id": "a", "x": 1}"#), "a").is_ok());
        assert!(document_object(json(r#"{"id": 7}"#), "7").is_ok());
        assert!(document_object(json(r#"{"x": 1}"#), "a").is_ok());
        assert!(document_object(json(r#"{"id": null}"#), "a").is_ok());
        let e = document_object(json(r#"{"id": "b"}"#), "a").unwrap_err();
        assert_eq!(e.code, "22023");
        assert!(
            e.message.contains(r#""b""#) && e.message.contains("\"a\""),
            "{}",
            e.message
        );
        let e = document_object(json("[1]"), "a").unwrap_err();
        assert_eq!(e.code, "22023");
        assert!(e.message.contains("not array"), "{}", e.message);
    }

    #[test]
    fn bad_bodies_name_the_position() {
        let e = parse_body(b"{\"a\": 1,\n \"b\": tru}").unwrap_err();
        assert_eq!(e.code, "22P02");
        assert!(
            e.message.starts_with("request body at line 2, column"),
            "{}",
            e.message
        );
        assert_eq!(e.detail.as_deref(), Some("Token \"tru\" is invalid."));
        assert_eq!(parse_body(b"{\"a\": \xff}").unwrap_err().code, "22021");
        // Numbers keep their precision.
        let v = parse_body(b"{\"n\": 12345678901234567890.10}").unwrap();
        assert_eq!(v.to_pg_text(), r#"{"n": 12345678901234567890.10}"#);
    }

    #[test]
    fn conditions_are_part_of_the_write_statement() {
        let s = Statements::new("My Docs");
        assert_eq!(
            s.replace(true),
            "UPDATE \"My Docs\" SET doc = $2::jsonb, version = version + 1 WHERE id = $1 AND version = ANY($3) RETURNING doc::text, version"
        );
        assert_eq!(
            s.delete(true),
            "DELETE FROM \"My Docs\" WHERE id = $1 AND version = ANY($2) RETURNING version"
        );
        assert!(s.create().contains("ON CONFLICT (id) DO NOTHING"));
        assert!(s.upsert().contains("version = d.version + 1"));
    }
}
