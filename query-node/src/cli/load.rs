//! `docfusiondb load`: an NDJSON file (or standard input) into a collection through the
//! node's HTTP API. Pass 1 checks every line locally with the node's own parser (a bad
//! line stops the load before anything is written, unless `--skip-bad`); pass 2 sends
//! batches of lines, each committed as it goes, so that a load that stops (node, shard or
//! network down) can be resumed from the last line that is durably loaded.

use std::io::{IsTerminal, Read, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use indicatif::{ProgressBar, ProgressStyle};
use tokio::io::AsyncBufReadExt;

use crate::cli::client::{Credentials, send_batch};
use crate::load::{DocReader, Format};

/// What to load and where.
#[derive(Debug, Clone)]
pub struct LoadOptions {
    /// The node's HTTP address.
    pub node: String,
    /// Who to authenticate as.
    pub credentials: Credentials,
    /// The collection (created when missing).
    pub collection: String,
    /// The NDJSON file; `-` is standard input.
    pub input: PathBuf,
    /// Field holding each document's id.
    pub id_field: String,
    /// Lines per request (one transaction each).
    pub batch_lines: usize,
    /// Lines at the start of the input that are already loaded.
    pub skip_lines: u64,
    /// Report bad lines and load the others, instead of loading nothing.
    pub skip_bad: bool,
}

/// What a load did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LoadSummary {
    /// Documents written.
    pub loaded: u64,
    /// Bad lines skipped (with `--skip-bad`).
    pub skipped: u64,
}

/// A bad line found by pass 1.
#[derive(Debug, Clone)]
struct BadLine {
    line: u64,
    reason: String,
}

/// What pass 1 learnt about the input.
struct Checked {
    /// The file pass 2 reads (a copy of standard input, or the input itself).
    path: PathBuf,
    _spool: Option<tempfile::TempPath>,
    lines: u64,
    bad: Vec<BadLine>,
}

/// Bad lines listed when a load is refused.
const LISTED_BAD_LINES: usize = 20;

/// Runs a load (see the module documentation).
pub async fn load(options: LoadOptions) -> anyhow::Result<LoadSummary> {
    let input = options.input.clone();
    let (id_field, skip_lines) = (options.id_field.clone(), options.skip_lines);
    let checked =
        tokio::task::spawn_blocking(move || check_input(&input, &id_field, skip_lines)).await??;
    if !checked.bad.is_empty() && !options.skip_bad {
        let mut text = String::new();
        for b in checked.bad.iter().take(LISTED_BAD_LINES) {
            text.push_str(&format!("{}\n", b.reason));
        }
        if checked.bad.len() > LISTED_BAD_LINES {
            text.push_str(&format!(
                "… and {} more\n",
                checked.bad.len() - LISTED_BAD_LINES
            ));
        }
        bail!(
            "{text}{} bad line(s) in {}; nothing was loaded. Fix them, or pass --skip-bad to load the other lines",
            checked.bad.len(),
            options.input.display()
        );
    }
    for b in &checked.bad {
        eprintln!("skipped: {}", b.reason);
    }
    send_all(&options, &checked).await
}

/// Pass 1: reads the input once, checking every line after `skip_lines` with the node's
/// parser; standard input is spooled to a temporary file for pass 2.
fn check_input(input: &Path, id_field: &str, skip_lines: u64) -> anyhow::Result<Checked> {
    let (mut source, spool): (Box<dyn Read>, Option<tempfile::NamedTempFile>) =
        if input == Path::new("-") {
            let spool = tempfile::NamedTempFile::new().context("cannot create a spool file")?;
            (Box::new(std::io::stdin().lock()), Some(spool))
        } else {
            let file = std::fs::File::open(input)
                .with_context(|| format!("cannot open {}", input.display()))?;
            (Box::new(file), None)
        };
    let mut spool = spool;
    let progress = Progress::new("checking", None);
    let mut reader = DocReader::new(Format::Ndjson, id_field, 1);
    let mut bad = Vec::new();
    let mut on =
        |line: u64, doc: Result<crate::load::document::Doc<'_>, crate::error::SqlError>| {
            if let Err(e) = doc
                && line > skip_lines
            {
                bad.push(BadLine {
                    line,
                    reason: format!("ERROR {}: {}", e.code, e.message),
                });
            }
            Ok(())
        };
    let mut buf = vec![0u8; 1 << 20];
    let mut bytes = 0u64;
    loop {
        let n = source
            .read(&mut buf)
            .with_context(|| format!("cannot read {}", input.display()))?;
        if n == 0 {
            break;
        }
        if let Some(s) = spool.as_mut() {
            s.write_all(&buf[..n])
                .context("cannot write the spool file")?;
        }
        reader
            .push(&buf[..n], &mut on)
            .map_err(|e| anyhow::anyhow!("{}", e.message))?;
        bytes += n as u64;
        progress.set(bytes, &format!("{bytes} bytes"));
    }
    reader
        .finish(&mut on)
        .map_err(|e| anyhow::anyhow!("{}", e.message))?;
    let lines = reader.last_line();
    progress.done();
    let (path, spool) = match spool {
        Some(s) => {
            let path = s.into_temp_path();
            (path.to_path_buf(), Some(path))
        }
        None => (input.to_path_buf(), None),
    };
    Ok(Checked {
        path,
        _spool: spool,
        lines,
        bad,
    })
}

/// Pass 2: sends the lines after `skip_lines` in batches, bad ones blanked (the node skips
/// blank lines, and the line numbers stay those of the input).
async fn send_all(options: &LoadOptions, checked: &Checked) -> anyhow::Result<LoadSummary> {
    let file = tokio::fs::File::open(&checked.path)
        .await
        .with_context(|| format!("cannot open {}", checked.path.display()))?;
    let mut lines = tokio::io::BufReader::with_capacity(1 << 20, file);
    let bad: std::collections::HashSet<u64> = checked.bad.iter().map(|b| b.line).collect();
    let total = checked.lines.saturating_sub(options.skip_lines);
    let progress = Progress::new("loading", Some(total));
    let started = Instant::now();
    let mut summary = LoadSummary {
        loaded: 0,
        skipped: bad.len() as u64,
    };
    let mut line_no = 0u64;
    let mut batch = Vec::new();
    let mut batch_lines = 0usize;
    let mut line = Vec::new();
    loop {
        line.clear();
        let n = lines
            .read_until(b'\n', &mut line)
            .await
            .with_context(|| format!("cannot read {}", checked.path.display()))?;
        if n > 0 {
            line_no += 1;
            if line_no <= options.skip_lines {
                continue;
            }
            if bad.contains(&line_no) {
                batch.push(b'\n');
            } else {
                batch.extend_from_slice(&line);
                if !line.ends_with(b"\n") {
                    batch.push(b'\n');
                }
            }
            batch_lines += 1;
        }
        if batch_lines > 0 && (batch_lines >= options.batch_lines || n == 0) {
            let first = line_no - batch_lines as u64 + 1;
            let body = std::mem::take(&mut batch);
            match send_batch(options, body, first).await {
                Ok(inserted) => summary.loaded += inserted,
                Err(failure) => {
                    progress.done();
                    bail!("{}", stopped(options, &failure, first, line_no));
                }
            }
            batch_lines = 0;
            let done = line_no - options.skip_lines;
            let rate = summary.loaded as f64 / started.elapsed().as_secs_f64().max(1e-3);
            progress.set(done, &format!("{} documents ({rate:.0}/s)", summary.loaded));
        }
        if n == 0 {
            break;
        }
    }
    progress.done();
    Ok(summary)
}

/// Why a batch failed, and whether it may have been committed anyway.
#[derive(Debug)]
pub struct BatchFailure {
    /// The error.
    pub error: anyhow::Error,
    /// True when no answer came back (the batch may have been committed).
    pub unanswered: bool,
}

/// The message of a load that stopped at the batch starting at line `first`: what is
/// loaded and the command that resumes it.
fn stopped(options: &LoadOptions, failure: &BatchFailure, first: u64, last: u64) -> String {
    let done = first - 1;
    let mut resume = format!(
        "docfusiondb load {} {} --skip-lines {{N}}",
        options.collection,
        options.input.display()
    );
    if options.id_field != "id" {
        resume.push_str(&format!(" --id-field {}", options.id_field));
    }
    if options.node != crate::cli::client::DEFAULT_NODE {
        resume.push_str(&format!(" --node {}", options.node));
    }
    if options.skip_bad {
        resume.push_str(" --skip-bad");
    }
    let stdin_note = if options.input == Path::new("-") {
        "\n(the input was standard input: pipe the same input again)"
    } else {
        ""
    };
    let resume_at = |n: u64| resume.replace("{N}", &n.to_string());
    if failure.unanswered {
        format!(
            "{}\nlines 1-{done} are loaded. Lines {first}-{last} were sent but the node did not answer: they may or may not be committed.\n\
             If they are not (e.g. SELECT count(*) shows no document of line {first}), resume with:\n  {}\nIf they are, resume with:\n  {}{stdin_note}",
            failure.error,
            resume_at(done),
            resume_at(last)
        )
    } else {
        format!(
            "{}\nlines 1-{done} are loaded; lines {first}-{last} were not (their batch was rolled back). Fix the cause and resume with:\n  {}{stdin_note}",
            failure.error,
            resume_at(done)
        )
    }
}

/// A progress bar on a terminal, else a plain line every few seconds.
enum Progress {
    Bar(ProgressBar),
    Plain {
        what: &'static str,
        total: Option<u64>,
        last: std::sync::Mutex<Instant>,
    },
}

/// How often a plain progress line is printed.
const PLAIN_EVERY: Duration = Duration::from_secs(5);

impl Progress {
    fn new(what: &'static str, total: Option<u64>) -> Progress {
        if std::io::stderr().is_terminal() {
            let bar = match total {
                Some(t) => ProgressBar::new(t),
                None => ProgressBar::new_spinner(),
            };
            let template = match total {
                Some(_) => {
                    "{spinner} {prefix} [{elapsed_precise}] [{wide_bar}] {pos}/{len} lines, {msg}"
                }
                None => "{spinner} {prefix} [{elapsed_precise}] {msg}",
            };
            bar.set_style(
                ProgressStyle::with_template(template)
                    .unwrap_or_else(|_| ProgressStyle::default_bar()),
            );
            bar.set_prefix(what);
            Progress::Bar(bar)
        } else {
            Progress::Plain {
                what,
                total,
                last: std::sync::Mutex::new(Instant::now()),
            }
        }
    }

    fn set(&self, position: u64, message: &str) {
        match self {
            Progress::Bar(bar) => {
                bar.set_position(position);
                bar.set_message(message.to_string());
            }
            Progress::Plain { what, total, last } => {
                let mut last = last.lock().unwrap_or_else(|e| e.into_inner());
                if last.elapsed() >= PLAIN_EVERY {
                    *last = Instant::now();
                    match total {
                        Some(t) => eprintln!("{what}: {position}/{t} lines, {message}"),
                        None => eprintln!("{what}: {message}"),
                    }
                }
            }
        }
    }

    fn done(&self) {
        if let Progress::Bar(bar) = self {
            bar.finish_and_clear();
        }
    }
}
