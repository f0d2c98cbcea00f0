//! CPU time spent by the processes of a benchmark run, read from `/proc`: this process (the
//! clients, and DocFusionDB's node when it runs in-process) and each PostgreSQL server with
//! its backends. Dividing by the work done gives CPU per operation, which stays meaningful
//! when other programs share the machine, unlike a rate.

use std::path::Path;
use std::time::Duration;

/// Linux reports process times in USER_HZ ticks, 100 per second on every architecture the
/// kernel ABI supports for `/proc/<pid>/stat`.
const TICKS_PER_SECOND: u64 = 100;

/// (parent pid, user + system ticks) of process `pid`, from `/proc/<pid>/stat`.
fn stat(pid: u32) -> Option<(u32, u64)> {
    let text = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The command name (field 2) is in parentheses and may hold spaces: fields after it.
    let rest = &text[text.rfind(')')? + 1..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    // fields[0] is field 3 (state): ppid is field 4, utime 14, stime 15.
    let ppid = fields.get(1)?.parse().ok()?;
    let utime: u64 = fields.get(11)?.parse().ok()?;
    let stime: u64 = fields.get(12)?.parse().ok()?;
    Some((ppid, utime + stime))
}

fn ticks_to_duration(ticks: u64) -> Duration {
    Duration::from_micros(ticks * 1_000_000 / TICKS_PER_SECOND)
}

/// CPU time this process has used so far (all threads).
pub fn own() -> Duration {
    stat(std::process::id()).map_or(Duration::ZERO, |(_, t)| ticks_to_duration(t))
}

/// The postmaster's pid of the server whose data directory is `data_dir`.
pub fn postmaster_pid(data_dir: &Path) -> Option<u32> {
    std::fs::read_to_string(data_dir.join("postmaster.pid"))
        .ok()?
        .lines()
        .next()?
        .trim()
        .parse()
        .ok()
}

/// CPU time used so far by the postmasters `roots` and their children (the backends).
pub fn servers(roots: &[u32]) -> Duration {
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return Duration::ZERO;
    };
    let ticks: u64 = entries
        .filter_map(|e| e.ok()?.file_name().to_str()?.parse::<u32>().ok())
        .filter_map(|pid| {
            let (ppid, ticks) = stat(pid)?;
            (roots.contains(&pid) || roots.contains(&ppid)).then_some(ticks)
        })
        .sum();
    ticks_to_duration(ticks)
}

/// CPU used during a window: by this process and by the servers.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct CpuUse {
    /// This process (clients, and the node when in-process).
    pub harness: Duration,
    /// The PostgreSQL servers and their backends.
    pub servers: Duration,
}

/// A reading of both counters, to subtract from a later one.
#[derive(Debug, Clone, Copy)]
pub struct CpuMark(CpuUse);

impl CpuMark {
    /// Reads the counters now.
    pub fn now(server_roots: &[u32]) -> CpuMark {
        CpuMark(CpuUse {
            harness: own(),
            servers: servers(server_roots),
        })
    }

    /// CPU used between `self` and `later`.
    pub fn until(self, later: CpuMark) -> CpuUse {
        CpuUse {
            harness: later.0.harness.saturating_sub(self.0.harness),
            servers: later.0.servers.saturating_sub(self.0.servers),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn this_process_is_found_and_its_time_grows_with_work() {
        let before = own();
        let start = std::time::Instant::now();
        let mut x = 0u64;
        while start.elapsed() < Duration::from_millis(300) {
            x = x.wrapping_mul(6364136223846793005).wrapping_add(1);
        }
        std::hint::black_box(x);
        let used = own() - before;
        // 300 ms of busy wall time on a possibly shared machine: well over one tick.
        assert!(used >= Duration::from_millis(20), "{used:?}");
        let (ppid, _) = stat(std::process::id()).unwrap();
        assert!(ppid > 0);
        // Our own pid as a root counts us.
        assert!(servers(&[std::process::id()]) >= used);
    }
}
