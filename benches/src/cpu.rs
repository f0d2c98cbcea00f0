//! CPU time spent by the processes of a benchmark run, read from `/proc`: this process (the
//! clients, and DocFusionDB's node when it runs in-process) and each PostgreSQL server with
//! its backends. Dividing by the work done gives CPU per operation, which stays meaningful
//! when other programs share the machine, unlike a rate.

use std::collections::HashMap;
use std::path::Path;
use std::time::Duration;

/// Linux reports process times in USER_HZ ticks, 100 per second on every architecture the
/// kernel ABI supports for `/proc/<pid>/stat`.
const TICKS_PER_SECOND: u64 = 100;

/// One process as `/proc/<pid>/stat` shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct ProcStat {
    ppid: u32,
    /// User + system CPU, in ticks.
    ticks: u64,
    /// Start time after boot, in ticks: tells a process from a later one with its pid.
    start: u64,
}

/// Process `pid`'s parent, CPU time and start time, from `/proc/<pid>/stat`.
fn stat(pid: u32) -> Option<ProcStat> {
    let text = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The command name (field 2) is in parentheses and may hold spaces: fields after it.
    let rest = &text[text.rfind(')')? + 1..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    // fields[0] is field 3 (state): ppid is field 4, utime 14, stime 15, starttime 22.
    let ppid = fields.get(1)?.parse().ok()?;
    let utime: u64 = fields.get(11)?.parse().ok()?;
    let stime: u64 = fields.get(12)?.parse().ok()?;
    let start: u64 = fields.get(19)?.parse().ok()?;
    Some(ProcStat {
        ppid,
        ticks: utime + stime,
        start,
    })
}

fn ticks_to_duration(ticks: u64) -> Duration {
    Duration::from_micros(ticks * 1_000_000 / TICKS_PER_SECOND)
}

/// CPU time this process has used so far (all threads).
pub fn own() -> Duration {
    stat(std::process::id()).map_or(Duration::ZERO, |p| ticks_to_duration(p.ticks))
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

/// The postmasters `roots` and their children (the backends) now: (pid, start) → ticks.
fn server_processes(roots: &[u32]) -> HashMap<(u32, u64), u64> {
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return HashMap::new();
    };
    entries
        .filter_map(|e| e.ok()?.file_name().to_str()?.parse::<u32>().ok())
        .filter_map(|pid| {
            let p = stat(pid)?;
            (roots.contains(&pid) || roots.contains(&p.ppid)).then_some(((pid, p.start), p.ticks))
        })
        .collect()
}

/// CPU time the server processes used between two readings. A process alive at both counts
/// its growth; one started since counts all of its time. One that exited in between is left
/// out (its last ticks are lost, not the whole of its life: summing totals instead would
/// subtract a long-lived backend that quits, such as the load's, from the window).
fn servers_between(
    before: &HashMap<(u32, u64), u64>,
    after: &HashMap<(u32, u64), u64>,
) -> Duration {
    let ticks = after
        .iter()
        .map(|(key, ticks)| ticks.saturating_sub(before.get(key).copied().unwrap_or(0)))
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

/// A reading of the counters, to compare with a later one.
#[derive(Debug, Clone)]
pub struct CpuMark {
    harness: Duration,
    servers: HashMap<(u32, u64), u64>,
}

impl CpuMark {
    /// Reads the counters now.
    pub fn now(server_roots: &[u32]) -> CpuMark {
        CpuMark {
            harness: own(),
            servers: server_processes(server_roots),
        }
    }

    /// CPU used between `self` and `later`.
    pub fn until(self, later: CpuMark) -> CpuUse {
        CpuUse {
            harness: later.harness.saturating_sub(self.harness),
            servers: servers_between(&self.servers, &later.servers),
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
        let me = stat(std::process::id()).unwrap();
        assert!(me.ppid > 0);
        // Our own pid as a root counts us.
        let ours = server_processes(&[std::process::id()]);
        assert!(ticks_to_duration(ours[&(std::process::id(), me.start)]) >= used);
    }

    #[test]
    fn a_server_process_that_exits_does_not_take_its_past_from_the_window() {
        let before = HashMap::from([((10, 1), 500), ((11, 1), 40), ((12, 7), 9_000)]);
        // 11 grew by 60 ticks, 12 exited, 13 started and used 5, and 10's pid was reused by
        // a process that started later and used 3.
        let after = HashMap::from([((10, 2), 3), ((11, 1), 100), ((13, 8), 5)]);
        assert_eq!(
            servers_between(&before, &after),
            ticks_to_duration(3 + 60 + 5)
        );
    }
}
