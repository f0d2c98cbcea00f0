//! Running the PostgreSQL tools (`initdb`, `pg_ctl`) as the server user, and reading the
//! server log.

use std::io::{Read, Seek, SeekFrom};
use std::path::Path;
use std::process::{Output, Stdio};
use std::time::Duration;

use crate::{LocalPgError, ServerUser};

/// Runs `program args` as `user`; `Ok(output)` with stderr and stdout if it succeeded.
pub(crate) fn run(
    user: &ServerUser,
    program: &Path,
    args: &[&std::ffi::OsStr],
) -> Result<String, LocalPgError> {
    let output = spawn(user, program, args)?;
    let text = combined_output(&output);
    if output.status.success() {
        Ok(text)
    } else {
        Err(LocalPgError::CommandFailed {
            program: program.to_path_buf(),
            args: args
                .iter()
                .map(|a| a.to_string_lossy())
                .collect::<Vec<_>>()
                .join(" "),
            status: output.status,
            output: text,
        })
    }
}

/// Runs `program args` as `user` and returns its output whatever the exit status.
pub(crate) fn spawn(
    user: &ServerUser,
    program: &Path,
    args: &[&std::ffi::OsStr],
) -> Result<Output, LocalPgError> {
    user.command(program)
        .args(args)
        // Messages are matched (port conflicts), so keep them in English.
        .env("LC_ALL", "C")
        .env_remove("PGDATA")
        .stdin(Stdio::null())
        .output()
        .map_err(|source| LocalPgError::Spawn {
            program: program.to_path_buf(),
            source,
        })
}

/// stderr then stdout, trimmed, as one string.
pub(crate) fn combined_output(output: &Output) -> String {
    let stderr = String::from_utf8_lossy(&output.stderr);
    let stdout = String::from_utf8_lossy(&output.stdout);
    format!("{}\n{}", stderr.trim(), stdout.trim())
        .trim()
        .to_owned()
}

/// `pg_ctl -t` takes whole seconds.
pub(crate) fn timeout_secs(timeout: Duration) -> String {
    timeout.as_secs_f64().ceil().max(1.0).to_string()
}

/// The current length of a file (0 if it does not exist), to read only what comes after.
pub(crate) fn file_len(path: &Path) -> u64 {
    std::fs::metadata(path).map(|m| m.len()).unwrap_or(0)
}

/// The last `max_lines` lines written to `path` after byte `from` (at most the last 64 KiB).
pub(crate) fn log_tail(path: &Path, from: u64, max_lines: usize) -> String {
    const MAX_BYTES: u64 = 64 * 1024;
    let Ok(mut file) = std::fs::File::open(path) else {
        return format!("(no log at {})", path.display());
    };
    let len = file.metadata().map(|m| m.len()).unwrap_or(0);
    let start = from.max(len.saturating_sub(MAX_BYTES)).min(len);
    let mut bytes = Vec::new();
    if file.seek(SeekFrom::Start(start)).is_err() || file.read_to_end(&mut bytes).is_err() {
        return format!("(could not read {})", path.display());
    }
    let text = String::from_utf8_lossy(&bytes);
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(max_lines)..].join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn log_tail_reads_only_new_lines_and_the_last_few() {
        let dir = tempfile::tempdir().expect("tempdir");
        let log = dir.path().join("server.log");
        std::fs::write(&log, "old 1\nold 2\n").expect("write");
        let offset = file_len(&log);
        assert_eq!(offset, 12);
        std::fs::write(&log, "old 1\nold 2\nnew 1\nnew 2\nnew 3\n").expect("write");
        assert_eq!(log_tail(&log, offset, 10), "new 1\nnew 2\nnew 3");
        assert_eq!(log_tail(&log, offset, 2), "new 2\nnew 3");
        assert_eq!(log_tail(&log, 0, 100).lines().count(), 5);
        assert!(log_tail(&dir.path().join("missing"), 0, 5).starts_with("(no log at"));
    }

    #[test]
    fn timeouts_round_up_to_whole_seconds() {
        assert_eq!(timeout_secs(Duration::from_millis(1500)), "2");
        assert_eq!(timeout_secs(Duration::ZERO), "1");
        assert_eq!(timeout_secs(Duration::from_secs(60)), "60");
    }
}
