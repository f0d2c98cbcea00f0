//! The Markdown report: machine facts, settings, and one table per data set size.

use std::fmt::Write;
use std::path::Path;

use anyhow::{Context, Result};
use tokio::io::AsyncWriteExt;

use crate::measure::{Measurement, Verdict};
use crate::timing::Summary;

/// Facts about the machine and the servers, stated above every table.
#[derive(Debug, Clone, Default)]
pub struct Machine {
    /// CPU model name.
    pub cpu: String,
    /// Logical CPUs available to this process.
    pub cpus: usize,
    /// Total memory, e.g. `23.4 GiB`.
    pub memory: String,
    /// Kernel release.
    pub kernel: String,
    /// `SHOW server_version` of the baseline (the shards run the same binaries).
    pub postgres_version: String,
    /// Server settings as `name = value`, the same on every server.
    pub settings: Vec<(String, String)>,
}

impl Machine {
    /// Reads what /proc says about this machine (Linux; fields stay empty elsewhere).
    pub async fn detect() -> Machine {
        let cpuinfo = tokio::fs::read_to_string("/proc/cpuinfo")
            .await
            .unwrap_or_default();
        let meminfo = tokio::fs::read_to_string("/proc/meminfo")
            .await
            .unwrap_or_default();
        let kernel = tokio::fs::read_to_string("/proc/sys/kernel/osrelease")
            .await
            .unwrap_or_default();
        Machine {
            cpu: cpu_model(&cpuinfo).unwrap_or_else(|| "unknown".into()),
            cpus: std::thread::available_parallelism().map_or(0, |n| n.get()),
            memory: mem_total(&meminfo).unwrap_or_else(|| "unknown".into()),
            kernel: kernel.trim().to_string(),
            ..Machine::default()
        }
    }
}

/// The `model name` line of /proc/cpuinfo.
fn cpu_model(cpuinfo: &str) -> Option<String> {
    cpuinfo
        .lines()
        .find(|l| l.starts_with("model name"))
        .and_then(|l| l.split_once(':'))
        .map(|(_, v)| v.trim().to_string())
}

/// `MemTotal` of /proc/meminfo, in GiB.
fn mem_total(meminfo: &str) -> Option<String> {
    let kib: f64 = meminfo
        .lines()
        .find(|l| l.starts_with("MemTotal:"))?
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()?;
    Some(format!("{:.1} GiB", kib / (1024.0 * 1024.0)))
}

/// One data set size's run.
#[derive(Debug, Clone)]
pub struct SizeReport {
    /// Documents loaded.
    pub docs: usize,
    /// DocFusionDB shards.
    pub shards: usize,
    /// Timed runs per query.
    pub runs: usize,
    /// Data set seed.
    pub seed: u64,
    /// Seconds to load the baseline (COPY into the indexed table).
    pub baseline_load_s: f64,
    /// Seconds to load DocFusionDB (create_collection + load_ndjson).
    pub docfusion_load_s: f64,
    /// The measurements, in query order.
    pub measurements: Vec<Measurement>,
}

/// Milliseconds picked from `summary`, one decimal, or `—` when there is none.
pub fn ms(summary: Option<Summary>, pick: fn(&Summary) -> f64) -> String {
    summary.map_or_else(|| "—".to_string(), |s| format!("{:.1}", pick(&s)))
}

/// `Postgres / DocFusionDB` of the medians: above 1 means DocFusionDB is faster.
pub fn ratio(postgres: Option<Summary>, docfusion: Option<Summary>) -> Option<f64> {
    match (postgres, docfusion) {
        (Some(p), Some(d)) if d.median_ms > 0.0 => Some(p.median_ms / d.median_ms),
        _ => None,
    }
}

/// Makes text safe inside a Markdown table cell.
fn cell(text: &str) -> String {
    text.replace('|', "\\|").replace('\n', " ")
}

/// A verdict as a table cell: `same`, or the difference or error in bold.
pub fn verdict_cell(verdict: &Verdict) -> String {
    match verdict {
        Verdict::Same => "same".to_string(),
        Verdict::Mismatch(d) => format!("**MISMATCH**: {}", cell(d)),
        Verdict::DocfusionFailed(e) => format!("**FAILED on DocFusionDB**: {}", cell(e)),
        Verdict::PostgresFailed(e) => format!("**FAILED on Postgres**: {}", cell(e)),
    }
}

/// The command line as typed, for the report.
pub fn command_line() -> String {
    let args: Vec<String> = std::env::args()
        .map(|a| {
            if a.is_empty() || a.contains(|c: char| c.is_whitespace() || c == '\'') {
                format!("'{}'", a.replace('\'', "'\\''"))
            } else {
                a
            }
        })
        .collect();
    args.join(" ")
}

/// Appends `markdown` and a blank line to the file at `path` (created if missing).
pub async fn append_markdown(path: &Path, markdown: &str) -> Result<()> {
    let mut file = tokio::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .await
        .with_context(|| format!("opening {}", path.display()))?;
    file.write_all(format!("{markdown}\n").as_bytes())
        .await
        .with_context(|| format!("writing {}", path.display()))
}

/// Prints `table`, adds it to the run's `markdown`, and appends the whole report to `out`
/// when one is given (what each benchmark binary does with its one table).
pub async fn publish_table(markdown: &mut String, table: &str, out: Option<&Path>) -> Result<()> {
    println!("{table}");
    markdown.push('\n');
    markdown.push_str(table);
    match out {
        Some(path) => append_markdown(path, markdown).await,
        None => Ok(()),
    }
}

/// The header shared by every table of a run.
pub fn header(machine: &Machine, command_line: &str) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "- Command: `{command_line}`");
    let _ = writeln!(
        out,
        "- Machine: {} logical CPUs ({}), {} RAM, Linux {}",
        machine.cpus, machine.cpu, machine.memory, machine.kernel
    );
    let _ = writeln!(out, "- PostgreSQL {}", machine.postgres_version);
    let settings: Vec<String> = machine
        .settings
        .iter()
        .map(|(name, value)| format!("{name}={value}"))
        .collect();
    let _ = writeln!(
        out,
        "- Server settings (baseline and every shard): {}",
        settings.join(", ")
    );
    out
}

/// The table of one size.
pub fn table(report: &SizeReport) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "### {} documents, {} shard(s), {} runs (seed {})\n",
        report.docs, report.shards, report.runs, report.seed
    );
    let _ = writeln!(
        out,
        "Load: Postgres {:.1} s, DocFusionDB {:.1} s.\n",
        report.baseline_load_s, report.docfusion_load_s
    );
    out.push_str(
        "| query | rows | Postgres ms (median) | DocFusionDB ms (median) | ratio PG/DF | Postgres ms (min) | DocFusionDB ms (min) | answers |\n",
    );
    out.push_str("|---|---:|---:|---:|---:|---:|---:|---|\n");
    for m in &report.measurements {
        let ratio =
            ratio(m.postgres, m.docfusion).map_or_else(|| "—".into(), |r| format!("{r:.2}"));
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} | {} | {} |",
            m.query.name,
            m.rows.map_or_else(|| "—".into(), |r| r.to_string()),
            ms(m.postgres, |s| s.median_ms),
            ms(m.docfusion, |s| s.median_ms),
            ratio,
            ms(m.postgres, |s| s.min_ms),
            ms(m.docfusion, |s| s.min_ms),
            verdict_cell(&m.verdict),
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::queries::QUERIES;

    #[test]
    fn reads_proc_files() {
        assert_eq!(
            cpu_model("processor\t: 0\nmodel name\t: AMD EPYC 7B13\nflags : x").as_deref(),
            Some("AMD EPYC 7B13")
        );
        assert_eq!(
            mem_total("MemTotal:       24576000 kB\nMemFree: 1 kB").as_deref(),
            Some("23.4 GiB")
        );
        assert_eq!(mem_total(""), None);
    }

    #[test]
    fn ratio_above_one_means_docfusion_is_faster() {
        let s = |median_ms| {
            Some(Summary {
                median_ms,
                min_ms: median_ms,
            })
        };
        assert_eq!(ratio(s(10.0), s(5.0)), Some(2.0));
        assert_eq!(ratio(s(10.0), None), None);
    }

    #[test]
    fn failures_show_in_the_table() {
        let report = SizeReport {
            docs: 10,
            shards: 2,
            runs: 3,
            seed: 1,
            baseline_load_s: 0.1,
            docfusion_load_s: 0.2,
            measurements: vec![Measurement {
                query: QUERIES[0],
                rows: None,
                postgres: Some(Summary {
                    median_ms: 1.26,
                    min_ms: 1.0,
                }),
                docfusion: None,
                verdict: Verdict::DocfusionFailed("42883: no | function".into()),
            }],
        };
        let table = table(&report);
        assert!(
            table.contains("| count_all | — | 1.3 | — | — | 1.0 | — | **FAILED on DocFusionDB**: 42883: no \\| function |"),
            "{table}"
        );
    }
}
