//! The relay waits, it does not spin: while the child sleeps after its input ended, after the
//! output reader went away, or after it closed its terminal, the relaying process uses almost no
//! CPU. (poll(2) reports POLLHUP even for descriptors polled with no events; a loop that keeps an
//! ended descriptor in its set wakes at once, forever.)

mod common;

use std::io::Write;
use std::process::{Command, Stdio};
use std::time::Duration;

/// How long the child sleeps, and the CPU time the relay may use meanwhile: a spinning loop
/// burns about all of the sleep; a waiting one, a few milliseconds.
const SLEEP: &str = "0.5";
const CPU_BUDGET: Duration = Duration::from_millis(150);

/// Runs the spawn example with `argv` on the given stdin/stdout, waits for it with
/// wait4 and returns (exit code, CPU time it used).
#[allow(clippy::zombie_processes)] // reaped with wait4 below, which std cannot do
fn cpu_of(argv: &[&str], stdin: Stdio, stdout: Stdio, input: Option<&[u8]>, close_stdout: bool) -> (i32, Duration) {
    let mut child = Command::new(common::spawn_example())
        .args(argv)
        .stdin(stdin)
        .stdout(stdout)
        .stderr(Stdio::null())
        .spawn()
        .expect("start the spawn example");
    if let Some(mut w) = child.stdin.take() {
        w.write_all(input.unwrap_or_default()).unwrap();
    }
    if close_stdout {
        drop(child.stdout.take());
    }
    let pidfd = common::pidfd(child.id());
    assert!(common::exits_within(&pidfd, common::TIMEOUT), "{argv:?} hung");
    let mut status = 0;
    // SAFETY: a zeroed rusage is a valid out-parameter; the pid is our exited child.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let r = unsafe { libc::wait4(child.id() as i32, &mut status, 0, &mut usage) };
    assert_eq!(r, child.id() as i32);
    let tv = |t: libc::timeval| Duration::new(t.tv_sec as u64, t.tv_usec as u32 * 1000);
    (libc::WEXITSTATUS(status), tv(usage.ru_utime) + tv(usage.ru_stime))
}

#[test]
fn no_spin_after_stdin_ends() {
    let (code, cpu) = cpu_of(&["sleep", SLEEP], Stdio::piped(), Stdio::null(), Some(b"hi\n"), false);
    assert_eq!(code, 0);
    assert!(cpu < CPU_BUDGET, "relay used {cpu:?} of CPU while the child slept {SLEEP} s");
}

#[test]
fn no_spin_after_the_output_reader_is_gone() {
    let script = format!("echo start; sleep {SLEEP}; echo end");
    let (code, cpu) = cpu_of(&["sh", "-c", &script], Stdio::null(), Stdio::piped(), None, true);
    assert_eq!(code, 0);
    assert!(cpu < CPU_BUDGET, "relay used {cpu:?} of CPU while the child slept {SLEEP} s");
}

#[test]
fn no_spin_after_the_child_closes_its_terminal() {
    let script = format!("exec </dev/null >/dev/null 2>&1; sleep {SLEEP}");
    let (code, cpu) = cpu_of(&["sh", "-c", &script], Stdio::null(), Stdio::null(), None, false);
    assert_eq!(code, 0);
    assert!(cpu < CPU_BUDGET, "relay used {cpu:?} of CPU while the child slept {SLEEP} s");
}
