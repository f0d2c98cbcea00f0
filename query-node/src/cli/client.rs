//! The CLI's client of a running node's HTTP API (`docfusiondb sql`, `docfusiondb load`).

use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::Context;

use crate::cli::load::{BatchFailure, LoadOptions};
use crate::cli::table::format_table;

/// Default address of a node's HTTP API.
pub const DEFAULT_NODE: &str = "http://127.0.0.1:8433";

/// Who the CLI authenticates as (HTTP basic auth).
#[derive(Debug, Clone)]
pub struct Credentials {
    /// The user.
    pub user: String,
    /// The password; `None` sends no credentials (a node with `auth.method: trust`).
    pub password: Option<String>,
    /// The file the password was read from, to name it when it is refused.
    pub password_file: Option<PathBuf>,
}

impl Credentials {
    /// The credentials of `user`: `password` when given, else the one an embedded node keeps
    /// in `DATA_DIR/password` when that file exists.
    pub fn resolve(
        user: String,
        password: Option<String>,
        data_dir: &Path,
    ) -> anyhow::Result<Credentials> {
        if let Some(password) = password {
            return Ok(Credentials {
                user,
                password: Some(password),
                password_file: None,
            });
        }
        let path = data_dir.join("password");
        match std::fs::read_to_string(&path) {
            Ok(text) => Ok(Credentials {
                user,
                password: Some(text.trim().to_string()),
                password_file: Some(path),
            }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Credentials {
                user,
                password: None,
                password_file: None,
            }),
            Err(e) => Err(anyhow::anyhow!(
                "cannot read the password file {}: {e}",
                path.display()
            )),
        }
    }

    fn apply(&self, request: reqwest::RequestBuilder) -> reqwest::RequestBuilder {
        match &self.password {
            Some(password) => request.basic_auth(&self.user, Some(password)),
            None => request,
        }
    }

    /// What to do about a 401.
    fn hint(&self) -> String {
        let tried = match (&self.password, &self.password_file) {
            (None, _) => "no password was sent".to_string(),
            (Some(_), Some(file)) => format!(
                "the password of user \"{}\" from {} was refused",
                self.user,
                file.display()
            ),
            (Some(_), None) => format!("the password of user \"{}\" was refused", self.user),
        };
        format!(
            "{tried}. Pass the password with --password or DOCFUSION_PASSWORD (and the user with --user or DOCFUSION_USER); \
             a node without configured users prints it at start and keeps it in DATA_DIR/password, which is read when --data-dir / DOCFUSION_DATA_DIR points at the node's data directory"
        )
    }
}

/// Turns a non-success answer into an error, with advice on credentials for a 401.
fn failure(credentials: &Credentials, status: reqwest::StatusCode, body: &str) -> anyhow::Error {
    let error = api_error(status, body);
    if status == reqwest::StatusCode::UNAUTHORIZED {
        anyhow::anyhow!("{error}\n{}", credentials.hint())
    } else {
        error
    }
}

fn client() -> anyhow::Result<reqwest::Client> {
    Ok(reqwest::Client::builder()
        .connect_timeout(Duration::from_secs(5))
        .build()?)
}

/// An error body from the node, as `CODE: message`.
fn api_error(status: reqwest::StatusCode, body: &str) -> anyhow::Error {
    let parsed: Option<serde_json::Value> = serde_json::from_str(body).ok();
    match parsed.as_ref().and_then(|v| v.get("error")) {
        Some(e) => {
            let code = e.get("code").and_then(|c| c.as_str()).unwrap_or("?");
            let message = e.get("message").and_then(|c| c.as_str()).unwrap_or(body);
            let mut text = format!("ERROR {code}: {message}");
            if let Some(detail) = e.get("detail").and_then(|d| d.as_str()) {
                text.push_str(&format!("\nDETAIL: {detail}"));
            }
            anyhow::anyhow!(text)
        }
        None => anyhow::anyhow!("node answered {status}: {body}"),
    }
}

fn unreachable(node: &str, e: reqwest::Error) -> anyhow::Error {
    anyhow::anyhow!(
        "cannot reach a DocFusionDB node at {node}: {e}\nstart one with `docfusiondb serve`, or pass --node URL"
    )
}

/// Runs `sql` on the node and returns the response JSON.
pub async fn run_sql(
    node: &str,
    credentials: &Credentials,
    sql: &str,
) -> anyhow::Result<serde_json::Value> {
    let request = client()?
        .post(format!("{node}/v1/sql"))
        .json(&serde_json::json!({ "sql": sql }));
    let response = credentials
        .apply(request)
        .send()
        .await
        .map_err(|e| unreachable(node, e))?;
    let status = response.status();
    let body = response.text().await?;
    if !status.is_success() {
        return Err(failure(credentials, status, &body));
    }
    serde_json::from_str(&body).context("the node sent invalid JSON")
}

/// Renders a `/v1/sql` response as a table.
pub fn response_table(response: &serde_json::Value) -> String {
    let headers: Vec<String> = response["columns"]
        .as_array()
        .map(|cols| {
            cols.iter()
                .map(|c| c["name"].as_str().unwrap_or("?").to_string())
                .collect()
        })
        .unwrap_or_default();
    let rows: Vec<Vec<Option<String>>> = response["rows"]
        .as_array()
        .map(|rows| {
            rows.iter()
                .map(|r| {
                    r.as_array()
                        .map(|cells| {
                            cells
                                .iter()
                                .map(|c| match c {
                                    serde_json::Value::Null => None,
                                    serde_json::Value::String(s) => Some(s.clone()),
                                    other => Some(other.to_string()),
                                })
                                .collect()
                        })
                        .unwrap_or_default()
                })
                .collect()
        })
        .unwrap_or_default();
    let mut text = format_table(&headers, &rows);
    if response["truncated"].as_bool() == Some(true) {
        text.push_str(" (truncated by the node's max_result_rows)");
    }
    text
}

/// Sends one batch of NDJSON lines (the first numbered `first_line`) to the node, which
/// loads it as one transaction; returns the documents inserted.
pub async fn send_batch(
    options: &LoadOptions,
    body: Vec<u8>,
    first_line: u64,
) -> Result<u64, BatchFailure> {
    let failed = |error: anyhow::Error, unanswered: bool| BatchFailure { error, unanswered };
    let url = format!(
        "{}/v1/collections/{}/documents?id_field={}&first_line={first_line}",
        options.node,
        urlencode(&options.collection),
        urlencode(&options.id_field)
    );
    let http = client().map_err(|e| failed(e, false))?;
    let request = http
        .post(url)
        .header("content-type", "application/x-ndjson")
        .body(body);
    let response = options
        .credentials
        .apply(request)
        .send()
        .await
        // A connection that never opened sent nothing; past that, whether the node
        // committed the batch is unknown.
        .map_err(|e| {
            let unanswered = !e.is_connect();
            failed(unreachable(&options.node, e), unanswered)
        })?;
    let status = response.status();
    let text = response
        .text()
        .await
        .map_err(|e| failed(anyhow::anyhow!("the node's answer was cut: {e}"), true))?;
    if !status.is_success() {
        return Err(failed(failure(&options.credentials, status, &text), false));
    }
    let v: serde_json::Value = serde_json::from_str(&text).map_err(|e| {
        failed(
            anyhow::anyhow!("the node sent invalid JSON ({e}): {text}"),
            true,
        )
    })?;
    Ok(v["inserted"].as_u64().unwrap_or(0))
}

fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}
