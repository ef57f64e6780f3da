//! `ptyx::spawn` on a user's terminal: the `spawn` example runs on an outer pty the test opened
//! (its controlling terminal and stdin/stdout/stderr), and the test plays the user through the
//! outer master: window size, resizes, raw mode, and signals sent to the spawning process.

mod common;

use std::os::unix::process::ExitStatusExt;

use common::{exits_within, pidfd, run_spawn, Mode, Outer, TIMEOUT};
use ptyx::Winsize;

/// A mode no pty starts with, so that "restored" cannot pass by luck of defaults: no echo, a
/// different erase character and interrupt key, no XON/XOFF.
fn unusual_mode(slave: &ptyx::Slave) {
    use std::os::fd::AsRawFd;
    let fd = slave.as_raw_fd();
    // SAFETY: zeroed termios is a valid out-buffer; fd is live.
    unsafe {
        let mut t: libc::termios = std::mem::zeroed();
        assert_eq!(libc::tcgetattr(fd, &mut t), 0);
        t.c_lflag &= !(libc::ECHO | libc::ECHOE);
        t.c_iflag &= !libc::IXON;
        t.c_cc[libc::VERASE] = 0x08;
        t.c_cc[libc::VINTR] = 0x07;
        assert_eq!(libc::tcsetattr(fd, libc::TCSANOW, &t), 0);
    }
}

/// The spawn example running `script` under `sh -c` on an outer pty in [`unusual_mode`].
fn spawn_on_unusual_terminal(script: &str) -> (Outer, Mode) {
    let mut before = None;
    let outer = Outer::start_with(common::spawn_example(), &["sh", "-c", script], Winsize::new(24, 80), |slave| {
        unusual_mode(slave);
        before = Some(Mode::of(slave));
    });
    let before = before.unwrap();
    assert!(!before.is_raw());
    (outer, before)
}

#[test]
fn pty_starts_with_the_size_of_the_stdin_terminal() {
    let mut outer = Outer::spawn_example(&["stty", "size"], Winsize::new(33, 101));
    assert_eq!(outer.read_to_end(), b"33 101\r\n");
    assert_eq!(outer.wait().code(), Some(0));
}

#[test]
fn pty_is_24x80_when_stdin_is_not_a_terminal() {
    let out = run_spawn(&["stty", "size"]);
    assert_eq!(out.stdout_str(), "24 80\r\n");
    assert!(out.status.success(), "{out:?}");
}

#[test]
fn pty_is_24x80_when_the_stdin_terminal_is_0x0() {
    let mut outer = Outer::spawn_example(&["stty", "size"], Winsize::new(0, 0));
    assert_eq!(outer.read_to_end(), b"24 80\r\n");
    assert_eq!(outer.wait().code(), Some(0));
}

#[test]
fn resizing_the_stdin_terminal_resizes_the_pty() {
    // The trap is set before the first size is printed: seeing it means the child is listening.
    let script = "trap 'kill $! 2>/dev/null; stty size; exit 0' WINCH; stty size; \
                  while :; do sleep 10 & wait $!; done";
    let mut outer = Outer::spawn_example(&["sh", "-c", script], Winsize::new(33, 101));
    let pos = outer.read_until("33 101\r\n");
    outer.master.set_window_size(Winsize::new(50, 120)).unwrap();
    outer.read_until_from(pos, "50 120\r\n");
    assert_eq!(outer.wait().code(), Some(0));
}

#[test]
fn output_to_the_terminal_arrives_whole() {
    const LEN: usize = 2_000_000;
    let pattern = common::pattern_example();
    let len = LEN.to_string();
    let mut outer = Outer::spawn_example(&[pattern.to_str().unwrap(), &len, "6"], Winsize::new(24, 80));
    let out = outer.read_to_end().to_vec();
    assert_eq!(outer.wait().code(), Some(6));
    common::assert_pattern(&out, LEN, "output to the user's terminal");
}

#[test]
fn stdin_terminal_is_raw_while_running_and_restored_after() {
    let (mut outer, before) = spawn_on_unusual_terminal("echo ready; read x; echo \"got=$x.\"");
    outer.read_until("ready");
    let during = outer.mode();
    assert!(during.is_raw(), "the user's terminal must be raw while the program runs: {during:?}");
    // Keys reach the program through the pty's line discipline: \r becomes a line there.
    outer.write(b"hello\r");
    outer.read_until("got=hello.");
    assert_eq!(outer.wait().code(), Some(0));
    assert_eq!(outer.mode(), before, "terminal mode after spawn returned");
}

#[test]
fn stdin_terminal_is_restored_after_the_child_is_killed() {
    let (mut outer, before) = spawn_on_unusual_terminal("echo \"pid=$$.\"; read x");
    outer.read_until(".");
    let child: i32 = outer.out.value("pid=").parse().unwrap();
    assert!(outer.mode().is_raw());
    // SAFETY: kill(2).
    assert_eq!(unsafe { libc::kill(child, libc::SIGKILL) }, 0);
    assert_eq!(outer.wait().code(), Some(128 + libc::SIGKILL));
    assert_eq!(outer.mode(), before, "terminal mode after the child was killed");
}

#[test]
fn stdin_terminal_is_restored_after_sigterm_to_the_parent() {
    let (mut outer, before) = spawn_on_unusual_terminal("echo ready; read x");
    outer.read_until("ready");
    assert!(outer.mode().is_raw());
    outer.signal(libc::SIGTERM);
    let status = outer.wait();
    assert_eq!(status.code(), Some(128 + libc::SIGTERM), "the child died of the forwarded SIGTERM: {status:?}");
    assert_eq!(outer.mode(), before, "terminal mode after SIGTERM to the parent");
}

#[test]
fn ctrl_c_typed_at_the_users_terminal_interrupts_the_child_not_the_parent() {
    // Raw mode: ^C is a plain byte to the user's terminal, copied to the pty, whose line
    // discipline turns it into SIGINT for the child.
    let mut outer = Outer::spawn_example(&["sh", "-c", "echo ready; exec sleep 30"], Winsize::new(24, 80));
    outer.read_until("ready");
    outer.write(b"\x03");
    let status = outer.wait();
    assert_eq!(status.code(), Some(128 + libc::SIGINT), "{status:?}");
}

/// Sends `sig` to the spawn example while its child sleeps: the child must die of that signal, and
/// the example must return its status (exit 128+sig), not die of the signal itself.
fn signal_is_forwarded(sig: i32) {
    // No core file from SIGQUIT; `exec` so that the signalled process is the child itself.
    let mut outer = Outer::spawn_example(&["sh", "-c", "ulimit -c 0; echo ready; exec sleep 30"], Winsize::new(24, 80));
    outer.read_until("ready");
    outer.signal(sig);
    let status = outer.wait();
    assert_eq!(status.signal(), None, "the parent itself died of signal {sig}: {status:?}");
    assert_eq!(status.code(), Some(128 + sig), "{status:?}");
}

#[test]
fn sigterm_to_the_parent_is_forwarded_to_the_child() {
    signal_is_forwarded(libc::SIGTERM);
}

#[test]
fn sighup_to_the_parent_is_forwarded_to_the_child() {
    signal_is_forwarded(libc::SIGHUP);
}

#[test]
fn sigint_to_the_parent_is_forwarded_to_the_child() {
    signal_is_forwarded(libc::SIGINT);
}

#[test]
fn sigquit_to_the_parent_is_forwarded_to_the_child() {
    signal_is_forwarded(libc::SIGQUIT);
}

#[test]
fn signal_ignored_by_the_parent_stays_ignored_and_is_not_forwarded() {
    // Started as `nohup ptyx-spawn ...` would be: SIGHUP ignored. A SIGHUP then changes nothing,
    // and the child goes on to read its line and exit 0.
    let script = "echo ready; read x; echo \"got=$x.\"";
    let mut outer =
        Outer::start_ignoring(common::spawn_example(), &["sh", "-c", script], Winsize::new(24, 80), &[libc::SIGHUP]);
    let pos = outer.read_until("ready");
    outer.signal(libc::SIGHUP);
    outer.write(b"line\r");
    outer.read_until_from(pos, "got=line.");
    assert_eq!(outer.wait().code(), Some(0));
}

#[test]
fn sigterm_to_the_parent_reaches_the_childs_whole_process_group() {
    // A grandchild in the child's group that ignores the SIGHUP of its session leader's death,
    // and reports its pid once it does.
    let script = r#"sh -c 'trap "" HUP; echo "grandchild=$$."; exec sleep 30' & wait"#;
    let mut outer = Outer::spawn_example(&["sh", "-c", script], Winsize::new(24, 80));
    outer.read_until(".");
    let grandchild: u32 = outer.out.value("grandchild=").parse().unwrap();
    let fd = pidfd(grandchild);
    outer.signal(libc::SIGTERM);
    assert_eq!(outer.wait().code(), Some(128 + libc::SIGTERM));
    assert!(exits_within(&fd, TIMEOUT), "grandchild {grandchild} survived the forwarded SIGTERM");
}

#[test]
fn closing_the_users_terminal_ends_the_child_and_spawn_returns_its_status() {
    // The terminal window closes: the kernel hangs up the outer pty, the spawning process gets
    // SIGHUP and forwards it; the child dies of it and that is the status returned, even though
    // the terminal whose mode would be restored is gone.
    let mut outer = Outer::spawn_example(&["sh", "-c", "echo ready; read x"], Winsize::new(24, 80));
    outer.read_until("ready");
    let (spare, _spare_slave) = ptyx::openpty().unwrap();
    drop(std::mem::replace(&mut outer.master, spare));
    let status = outer.wait();
    assert_eq!(status.code(), Some(128 + libc::SIGHUP), "{status:?}");
}
