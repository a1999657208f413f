//! What the engine's benchmarks share: reading the CPU time a process or thread has used.

use std::time::Duration;

/// User and system CPU time from a `/proc/.../stat` file (fields 14 and 15, in clock ticks of
/// 10 ms): `/proc/self/stat` for the process, `/proc/thread-self/stat` for the calling thread.
pub fn cpu_time(stat: &str) -> Duration {
    let text = std::fs::read_to_string(stat).unwrap_or_default();
    // The command name in parentheses may contain spaces: count fields after it.
    let after_name = text
        .rsplit_once(')')
        .map(|(_, rest)| rest)
        .unwrap_or_default();
    let ticks: u64 = after_name
        .split_whitespace()
        .skip(11)
        .take(2)
        .filter_map(|v| v.parse::<u64>().ok())
        .sum();
    Duration::from_millis(ticks * 10)
}
