//! The CLI's client of a running node's HTTP API (`docfusiondb sql`, `docfusiondb load`).

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Context, bail};
use indicatif::{ProgressBar, ProgressStyle};

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

/// Loads the NDJSON file at `path` into `collection` in chunks of `batch_lines` lines,
/// showing progress. On failure, says which line stopped it and how to resume.
pub async fn load_file(
    node: &str,
    credentials: &Credentials,
    collection: &str,
    path: &Path,
    id_field: &str,
    batch_lines: usize,
    skip_lines: u64,
) -> anyhow::Result<u64> {
    let file =
        std::fs::File::open(path).with_context(|| format!("cannot open {}", path.display()))?;
    let size = file.metadata().map(|m| m.len()).unwrap_or(0);
    let bar = ProgressBar::new(size);
    bar.set_style(
        ProgressStyle::with_template(
            "{spinner} [{elapsed_precise}] [{wide_bar}] {bytes}/{total_bytes} ({bytes_per_sec}) {msg}",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let reader = BufReader::new(file);
    let http = client()?;
    let mut chunk = String::new();
    let mut chunk_first_line = skip_lines + 1;
    let mut chunk_lines = 0usize;
    let mut loaded = 0u64;
    let mut line_no = 0u64;
    let mut lines = reader.lines();
    loop {
        let next = lines.next();
        let at_end = next.is_none();
        if let Some(line) = next {
            let line = line.with_context(|| {
                format!("cannot read {} at line {}", path.display(), line_no + 1)
            })?;
            line_no += 1;
            bar.inc(line.len() as u64 + 1);
            if line_no <= skip_lines {
                continue;
            }
            chunk.push_str(&line);
            chunk.push('\n');
            chunk_lines += 1;
        }
        if chunk_lines > 0 && (chunk_lines >= batch_lines || at_end) {
            let url = format!(
                "{node}/v1/collections/{collection}/documents?id_field={}&first_line={chunk_first_line}",
                urlencode(id_field)
            );
            let request = http
                .post(url)
                .header("content-type", "application/x-ndjson")
                .body(std::mem::take(&mut chunk));
            let response = credentials
                .apply(request)
                .send()
                .await
                .map_err(|e| unreachable(node, e))?;
            let status = response.status();
            let body = response.text().await?;
            if !status.is_success() {
                bar.abandon();
                let resume = chunk_first_line - 1;
                bail!(
                    "{}\nlines 1-{resume} are loaded; lines {chunk_first_line}-{line_no} were not. Fix the file and resume with --skip-lines {resume}",
                    failure(credentials, status, &body)
                );
            }
            let v: serde_json::Value = serde_json::from_str(&body)?;
            loaded += v["inserted"].as_u64().unwrap_or(0);
            bar.set_message(format!("{loaded} documents"));
            chunk_first_line = line_no + 1;
            chunk_lines = 0;
        }
        if at_end {
            break;
        }
    }
    bar.finish_with_message(format!("{loaded} documents"));
    Ok(loaded)
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
