//! `Command` and `Child`: real programs on real ptys.

mod common;

use std::io::ErrorKind;
use std::os::unix::process::ExitStatusExt;
use std::time::{Duration, Instant};

use common::{exits_within, output_of, pidfd, run_pty, stat_fields, Running, TIMEOUT};
use ptyx::{Command, Winsize};

#[test]
fn output_and_exit_code_3() {
    let (out, status) = run_pty("sh", &["-c", "echo hello; exit 3"]);
    assert_eq!(out, "hello\r\n");
    assert_eq!(status.code(), Some(3));
    assert_eq!(status.signal(), None);
}

#[test]
fn death_by_sigterm_is_reported_as_the_signal() {
    let (out, status) = run_pty("sh", &["-c", "kill -TERM $$"]);
    assert_eq!(out, "");
    assert_eq!(status.signal(), Some(libc::SIGTERM), "{status:?}");
    assert_eq!(status.code(), None);
}

#[test]
fn args_are_passed_verbatim() {
    let child = Command::new("printf").args(["%s|", "a", "b c", "", "d\"e'f", "-n"]).arg("$HOME").spawn().unwrap();
    let (out, status) = output_of(child);
    assert_eq!(out, "a|b c||d\"e'f|-n|$HOME|");
    assert!(status.success());
}

#[test]
fn getters_report_program_args_and_window_size() {
    let mut cmd = Command::new("prog");
    cmd.arg("one").args(["two", "three"]);
    assert_eq!(cmd.get_program(), "prog");
    assert_eq!(cmd.get_args().collect::<Vec<_>>(), ["one", "two", "three"]);
    assert_eq!(cmd.get_window_size(), Winsize::new(24, 80));
    cmd.window_size(Winsize::new(5, 6));
    assert_eq!(cmd.get_window_size(), Winsize::new(5, 6));
}

#[test]
fn env_and_envs_set_variables() {
    let child = Command::new("sh")
        .args(["-c", "echo \"$PTYX_A/$PTYX_B/$PTYX_C\""])
        .env("PTYX_A", "1")
        .envs([("PTYX_B", "two words"), ("PTYX_C", "x=y")])
        .env("PTYX_A", "overridden")
        .spawn()
        .unwrap();
    assert_eq!(output_of(child).0, "overridden/two words/x=y\r\n");
}

#[test]
fn env_remove_removes_set_and_inherited_variables() {
    // Some inherited variable that must survive (cargo always sets PATH; pick another one too).
    let (kept, _) = std::env::vars()
        .find(|(k, v)| k != "PATH" && !k.starts_with("PTYX_") && !v.contains('\n') && !k.is_empty())
        .expect("the test process has some environment");
    let child =
        Command::new("/usr/bin/env").env("PTYX_GONE", "1").env_remove("PTYX_GONE").env_remove("PATH").spawn().unwrap();
    let (out, status) = output_of(child);
    assert!(status.success());
    let names: Vec<&str> = out.lines().filter_map(|l| l.split_once('=').map(|(k, _)| k)).collect();
    assert!(!names.contains(&"PTYX_GONE"), "{out}");
    assert!(!names.contains(&"PATH"), "{out}");
    assert!(names.contains(&kept.as_str()), "inherited {kept} missing: {out}");
}

#[test]
fn env_clear_leaves_only_what_is_set_and_still_finds_programs() {
    // Found without PATH: the child's PATH is unset, so the default search path applies.
    let child = Command::new("env").env_clear().env("ONLY", "this").spawn().unwrap();
    let (out, status) = output_of(child);
    assert!(status.success());
    assert_eq!(out, "ONLY=this\r\n");
    // env after env_clear adds; env_clear after env forgets what was set before.
    let child = Command::new("/usr/bin/env").env("BEFORE", "1").env_clear().spawn().unwrap();
    assert_eq!(output_of(child).0, "");
}

#[test]
fn current_dir_runs_the_child_there() {
    let dir = tempfile::tempdir().expect("tempdir");
    let child = Command::new("sh").args(["-c", "pwd -P"]).current_dir(dir.path()).spawn().unwrap();
    let (out, status) = output_of(child);
    assert!(status.success());
    assert_eq!(out, format!("{}\r\n", dir.path().display()));
}

#[test]
fn window_size_defaults_to_24x80_and_can_be_set() {
    assert_eq!(run_pty("stty", &["size"]).0, "24 80\r\n");
    let child = Command::new("stty").arg("size").window_size(Winsize::new(40, 132)).spawn().unwrap();
    assert_eq!(child.window_size().unwrap(), Winsize::new(40, 132));
    assert_eq!(output_of(child).0, "40 132\r\n");
}

#[test]
fn child_is_a_session_leader_with_the_pty_as_controlling_terminal() {
    let child = Command::new("sh")
        .args(["-c", "cat /proc/$$/stat; tty; test -t 0 -a -t 1 -a -t 2 && echo all-ttys"])
        .spawn()
        .unwrap();
    let pid = child.id();
    assert_eq!(child.pid().as_raw() as u32, pid);
    let master = child.master().try_clone().unwrap();
    let (out, status) = output_of(child);
    assert!(status.success(), "{out}");
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 3, "{out}");
    let f = stat_fields(lines[0]).unwrap();
    let field = |i: usize| f[i].parse::<i64>().unwrap();
    let (pgrp, session, tty_nr, tpgid) = (field(2), field(3), field(4), field(5));
    assert_eq!(session, pid as i64, "the child leads its own session");
    assert_eq!(pgrp, pid as i64, "and its own process group");
    assert_ne!(tty_nr, 0, "it has a controlling terminal");
    assert_eq!(tpgid, pid as i64, "its group is the terminal's foreground group");
    // The controlling terminal is this pty: tty(1) names the slave of our master.
    let pts = rustix::pty::ptsname(&master, Vec::new()).unwrap();
    assert_eq!(lines[1], pts.to_str().unwrap());
    use std::os::unix::fs::MetadataExt;
    let rdev = std::fs::metadata(lines[1]).unwrap().rdev();
    assert_eq!(tty_nr as u64, rdev, "tty_nr is the slave's device number");
    assert_eq!(lines[2], "all-ttys", "fds 0, 1 and 2 are the terminal");
}

#[test]
fn try_wait_wait_timeout_kill_and_wait_on_a_sleeping_child() {
    let mut child = Command::new("sleep").arg("5").spawn().unwrap();
    assert!(child.try_wait().unwrap().is_none());
    let start = Instant::now();
    assert!(child.wait_timeout(Duration::from_millis(300)).unwrap().is_none(), "sleep 5 is still running");
    assert!(start.elapsed() >= Duration::from_millis(300), "wait_timeout returned early: {:?}", start.elapsed());
    child.kill().unwrap();
    let status = child.wait().unwrap();
    assert_eq!(status.signal(), Some(libc::SIGKILL));
    // The status is remembered, and signalling a reaped child is a no-op (its pid may be reused).
    assert_eq!(child.wait().unwrap(), status);
    assert_eq!(child.try_wait().unwrap(), Some(status));
    assert_eq!(child.wait_timeout(Duration::from_secs(1)).unwrap(), Some(status));
    child.kill().unwrap();
    child.signal(libc::SIGTERM).unwrap();
}

#[test]
fn wait_timeout_returns_as_soon_as_the_child_exits() {
    let mut child = Command::new("sh").args(["-c", "exit 4"]).spawn().unwrap();
    let start = Instant::now();
    let status = child.wait_timeout(TIMEOUT).unwrap().expect("exited");
    assert_eq!(status.code(), Some(4));
    // Not a speed requirement: a wait that slept out its whole timeout would take 30 s.
    assert!(start.elapsed() < Duration::from_secs(10), "{:?}", start.elapsed());
}

#[test]
fn signal_with_an_invalid_number_is_invalid_input() {
    let mut child = Command::new("sleep").arg("5").spawn().unwrap();
    let err = child.signal(1_000_000).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidInput);
    child.kill().unwrap();
    assert_eq!(child.wait().unwrap().signal(), Some(libc::SIGKILL));
}

/// A child `sh` that starts a background grandchild in its process group, immune to the SIGHUP it
/// would get when the session leader dies, so that only a signal to the whole group can end it.
/// The grandchild reports its pid itself, once it ignores SIGHUP.
fn child_with_grandchild() -> (Running, u32) {
    let script = r#"sh -c 'trap "" HUP; echo "grandchild=$$."; exec sleep 30' & wait"#;
    let mut running = Running::start("sh", &["-c", script], Winsize::new(24, 80));
    running.read_until(".");
    let pid: u32 = running.out.value("grandchild=").parse().expect("grandchild pid");
    (running, pid)
}

#[test]
fn signal_reaches_the_whole_process_group() {
    let (mut running, grandchild) = child_with_grandchild();
    let grandchild_fd = pidfd(grandchild);
    running.child.signal(libc::SIGTERM).unwrap();
    assert_eq!(running.wait().signal(), Some(libc::SIGTERM));
    assert!(exits_within(&grandchild_fd, TIMEOUT), "grandchild {grandchild} survived SIGTERM to the group");
}

#[test]
fn kill_reaches_the_whole_process_group() {
    let (mut running, grandchild) = child_with_grandchild();
    let grandchild_fd = pidfd(grandchild);
    running.child.kill().unwrap();
    assert_eq!(running.wait().signal(), Some(libc::SIGKILL));
    assert!(exits_within(&grandchild_fd, TIMEOUT), "grandchild {grandchild} survived SIGKILL to the group");
}

#[test]
fn control_grandchild_survives_a_signal_to_the_child_alone() {
    // Shows the two tests above can fail: the grandchild outlives a signal sent to the child only.
    let (mut running, grandchild) = child_with_grandchild();
    let grandchild_fd = pidfd(grandchild);
    running.signal_program(libc::SIGTERM);
    assert_eq!(running.wait().signal(), Some(libc::SIGTERM));
    assert!(!exits_within(&grandchild_fd, Duration::from_millis(300)), "grandchild died without a group signal");
    // Through the pidfd: the pid cannot have been reused.
    rustix::process::pidfd_send_signal(&grandchild_fd, rustix::process::Signal::KILL).unwrap();
    assert!(exits_within(&grandchild_fd, TIMEOUT));
}

#[test]
fn resize_changes_the_window_and_the_child_gets_sigwinch() {
    let script = "trap 'kill $! 2>/dev/null; stty size; exit 0' WINCH; echo ready; \
                  while :; do sleep 10 & wait $!; done";
    let mut running = Running::start("sh", &["-c", script], Winsize::new(24, 80));
    let pos = running.read_until("ready\r\n");
    let size = Winsize { rows: 50, cols: 200, xpixel: 1, ypixel: 2 };
    running.child.resize(size).unwrap();
    assert_eq!(running.child.window_size().unwrap(), size);
    running.read_until_from(pos, "50 200\r\n");
    assert!(running.wait().success());
}

#[test]
fn dropping_a_running_child_hangs_up_its_terminal() {
    let child = Command::new("sh").args(["-c", "echo ready; read x; echo not reached"]).spawn().unwrap();
    common::read_until(child.master(), "ready");
    let pid = child.id() as i32;
    let fd = pidfd(pid as u32);
    drop(child);
    assert!(exits_within(&fd, TIMEOUT), "the child should end on the hang-up");
    let mut status = 0;
    // SAFETY: waitpid on our own child with a valid status pointer.
    let r = unsafe { libc::waitpid(pid, &mut status, 0) };
    assert_eq!(r, pid, "the dropped child was not reaped before it exited, so we reap it");
    assert!(libc::WIFSIGNALED(status) && libc::WTERMSIG(status) == libc::SIGHUP, "status {status:#x}");
}

#[test]
fn dropping_an_exited_child_reaps_it() {
    let child = Command::new("true").spawn().unwrap();
    let pid = child.id() as i32;
    assert!(exits_within(&pidfd(pid as u32), TIMEOUT));
    drop(child);
    let mut status = 0;
    // SAFETY: waitpid with a valid status pointer.
    let r = unsafe { libc::waitpid(pid, &mut status, libc::WNOHANG) };
    assert_eq!(r, -1, "an exited child must be reaped by Drop (left a zombie)");
    assert_eq!(std::io::Error::last_os_error().raw_os_error(), Some(libc::ECHILD));
}

#[test]
fn signal_sends_every_signal_number_real_time_and_glibc_reserved_ones_included() {
    // Each default action is to terminate: the status names the very signal sent.
    for sig in [libc::SIGRTMIN(), libc::SIGRTMIN() + 3, libc::SIGRTMAX(), 32, 33] {
        let mut child = Command::new("sleep").arg("30").spawn().unwrap();
        child.signal(sig).unwrap();
        assert_eq!(child.wait_timeout(common::TIMEOUT).unwrap().and_then(|s| s.signal()), Some(sig), "signal {sig}");
    }
    // A real-time signal a program catches reaches its handler.
    let mut running = Running::start(
        "bash",
        &["-c", "trap 'echo got-rt' RTMIN+3; echo ready; while :; do sleep 0.05; done"],
        Winsize::new(24, 80),
    );
    running.read_until("ready");
    running.child.signal(libc::SIGRTMIN() + 3).unwrap();
    running.read_until("got-rt");
    // 0 checks the group is there; negative and too large numbers are refused.
    running.child.signal(0).unwrap();
    for bad in [-1, libc::SIGRTMAX() + 1] {
        assert_eq!(running.child.signal(bad).unwrap_err().kind(), ErrorKind::InvalidInput, "signal {bad}");
    }
}
