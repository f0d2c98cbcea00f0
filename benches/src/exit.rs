//! How a benchmark binary ends: its run stopped by Ctrl-C, and its exit status.

use std::future::Future;
use std::process::ExitCode;

use anyhow::{Result, anyhow};

/// Runs `run` to its end or until Ctrl-C (the run is then dropped, which stops its servers
/// through their `Drop`). Success when it returns `Ok(true)`; on `Ok(false)` prints
/// `failed` and on an error the error chain, prefixed by `program`, and fails.
pub async fn run_to_exit(
    program: &str,
    failed: &str,
    run: impl Future<Output = Result<bool>>,
) -> ExitCode {
    let outcome = tokio::select! {
        outcome = run => outcome,
        _ = tokio::signal::ctrl_c() => Err(anyhow!("interrupted")),
    };
    match outcome {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => {
            eprintln!("{program}: {failed}: exit status 1");
            ExitCode::FAILURE
        }
        Err(e) => {
            eprintln!("{program}: {e:#}");
            ExitCode::FAILURE
        }
    }
}
