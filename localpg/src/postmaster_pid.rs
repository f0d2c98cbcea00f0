//! Reading `postmaster.pid` and deciding whether the server it names is alive, dead, or
//! stale (its pid now belongs to another process, e.g. after a container restart).

use std::path::{Path, PathBuf};

/// Name of the lock file a running postmaster keeps in its data directory.
pub(crate) const PID_FILE: &str = "postmaster.pid";

/// The fields of `postmaster.pid` this crate uses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct PostmasterPid {
    pub pid: u32,
    pub port: Option<u16>,
    /// `starting`, `ready`, `stopping` or `standby` (line 8), when written yet.
    pub status: Option<String>,
}

impl PostmasterPid {
    /// Parses the file: pid, data directory, start time, port, socket dir, listen address,
    /// shared memory key, status; one per line. `None` if the pid line is not a number.
    pub fn parse(text: &str) -> Option<PostmasterPid> {
        let lines: Vec<&str> = text.lines().map(str::trim).collect();
        let pid = lines.first()?.parse().ok().filter(|pid| *pid > 0)?;
        Some(PostmasterPid {
            pid,
            port: lines.get(3).and_then(|p| p.parse().ok()),
            status: lines
                .get(7)
                .filter(|s| !s.is_empty())
                .map(|s| (*s).to_owned()),
        })
    }

    /// Reads `<data_dir>/postmaster.pid`; `None` if absent or unreadable as a pid file.
    pub fn read(data_dir: &Path) -> Option<PostmasterPid> {
        let text = std::fs::read_to_string(data_dir.join(PID_FILE)).ok()?;
        PostmasterPid::parse(&text)
    }
}

/// What a pid from `postmaster.pid` is now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum PidState {
    /// No such process: the server crashed or was killed; PostgreSQL cleans this up itself.
    Dead,
    /// A live process working in this data directory: the server is running.
    ServingThisDir,
    /// A zombie, or a live process that is not a server of this directory (pid reused):
    /// PostgreSQL would refuse to start, so the lock file is stale and may be removed.
    Stale,
    /// This system has no `/proc`; ask `pg_ctl status` instead.
    Unknown,
}

/// Classifies `pid` against `data_dir` (canonical) using `/proc`.
pub(crate) fn pid_state(pid: u32, data_dir: &Path) -> PidState {
    if !Path::new("/proc/self").exists() {
        return PidState::Unknown;
    }
    let proc_dir = PathBuf::from(format!("/proc/{pid}"));
    let Ok(stat) = std::fs::read_to_string(proc_dir.join("stat")) else {
        return PidState::Dead;
    };
    if process_state(&stat) == Some('Z') {
        return PidState::Stale;
    }
    match std::fs::read_link(proc_dir.join("cwd")) {
        // A postmaster and its backends chdir into the data directory.
        Ok(cwd) if cwd == data_dir => PidState::ServingThisDir,
        Ok(_) => PidState::Stale,
        // Not allowed to look (another user's process): only call it stale if it is clearly
        // not PostgreSQL.
        Err(_) => match std::fs::read_to_string(proc_dir.join("comm")) {
            Ok(comm) if !matches!(comm.trim(), "postgres" | "postmaster") => PidState::Stale,
            _ => PidState::ServingThisDir,
        },
    }
}

/// Live (non-zombie) processes whose working directory is `data_dir`: a server's leftover
/// backends still attached to its shared memory.
pub(crate) fn processes_in_dir(data_dir: &Path) -> Vec<u32> {
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    entries
        .filter_map(|entry| {
            let entry = entry.ok()?;
            let pid: u32 = entry.file_name().to_str()?.parse().ok()?;
            let cwd = std::fs::read_link(entry.path().join("cwd")).ok()?;
            (cwd == data_dir).then_some(pid)
        })
        .collect()
}

/// The state letter of `/proc/<pid>/stat`: `pid (comm) S ...`, where comm may hold spaces
/// and parentheses, so it is found after the last `)`.
fn process_state(stat: &str) -> Option<char> {
    let after_comm = &stat[stat.rfind(')')? + 1..];
    after_comm.trim_start().chars().next()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_a_ready_pid_file() {
        let text =
            "4242\n/var/lib/pg/data\n1718000000\n5433\n\n127.0.0.1\n  1234567  98304\nready   \n";
        assert_eq!(
            PostmasterPid::parse(text),
            Some(PostmasterPid {
                pid: 4242,
                port: Some(5433),
                status: Some("ready".to_owned()),
            })
        );
    }

    #[test]
    fn parses_a_pid_file_still_being_written() {
        assert_eq!(
            PostmasterPid::parse("77\n/data\n"),
            Some(PostmasterPid {
                pid: 77,
                port: None,
                status: None
            })
        );
        assert_eq!(PostmasterPid::parse(""), None);
        assert_eq!(PostmasterPid::parse("garbage\n"), None);
        assert_eq!(PostmasterPid::parse("0\n"), None);
    }

    #[test]
    fn reads_the_state_after_the_command_name() {
        assert_eq!(process_state("12 (postgres) S 1 12 12"), Some('S'));
        assert_eq!(process_state("13 (weird) name)) Z 1 2"), Some('Z'));
        assert_eq!(process_state("no parens"), None);
    }

    #[test]
    fn classifies_this_process_and_a_missing_one() {
        let cwd = std::env::current_dir().expect("cwd");
        let me = std::process::id();
        assert_eq!(pid_state(me, &cwd), PidState::ServingThisDir);
        assert_eq!(
            pid_state(me, Path::new("/nonexistent-dir")),
            PidState::Stale
        );
        // Pids are below 2^22 on Linux.
        assert_eq!(pid_state(u32::MAX - 1, &cwd), PidState::Dead);
        assert!(processes_in_dir(&cwd).contains(&me));
    }
}
