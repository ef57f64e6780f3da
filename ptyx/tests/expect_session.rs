//! The expect session against real programs (sh, cat, python3, bash): what it finds, what it
//! sends, how it waits (no spinning, timeouts on time), the end of output, and what dropping it
//! leaves (nothing).
#![cfg(feature = "expect")]

mod common;

use std::io::ErrorKind;
use std::os::unix::process::ExitStatusExt;
use std::sync::{RwLock, RwLockReadGuard, RwLockWriteGuard};
use std::time::{Duration, Instant};

use ptyx::expect::{Eof, ExpectError, Needle, Regex, Session};
use ptyx::Command;

/// Tests that look at the whole process (its CPU time, its children and descriptors) run alone;
/// the others share.
static WHOLE_PROCESS: RwLock<()> = RwLock::new(());

fn shared() -> RwLockReadGuard<'static, ()> {
    WHOLE_PROCESS.read().unwrap_or_else(|e| e.into_inner())
}

fn alone() -> RwLockWriteGuard<'static, ()> {
    WHOLE_PROCESS.write().unwrap_or_else(|e| e.into_inner())
}

fn sh(script: &str) -> Session {
    let mut s = Session::spawn(Command::new("sh").args(["-c", script])).expect("spawn sh");
    s.set_timeout(Some(common::TIMEOUT));
    s
}

fn cat() -> Session {
    let mut s = Session::spawn(&mut Command::new("cat")).expect("spawn cat");
    s.set_timeout(Some(common::TIMEOUT));
    s
}

/// CPU time (user + system) this process has used, all threads included.
fn cpu_time() -> Duration {
    // SAFETY: getrusage fills the struct it is given.
    let usage = unsafe {
        let mut usage = std::mem::zeroed::<libc::rusage>();
        assert_eq!(libc::getrusage(libc::RUSAGE_SELF, &mut usage), 0);
        usage
    };
    let tv = |t: libc::timeval| Duration::new(t.tv_sec as u64, t.tv_usec as u32 * 1000);
    tv(usage.ru_utime) + tv(usage.ru_stime)
}

#[test]
fn python_repl_the_issue_example() {
    let _guard = shared();
    let mut s = Session::spawn(Command::new("python3").arg("-q")).unwrap();
    s.set_timeout(Some(common::TIMEOUT));
    s.expect(">>> ").unwrap();
    s.send_line("6*7").unwrap();
    let m = s.expect(Regex::new(r"\r\n(\d+)\r\n").unwrap()).unwrap();
    assert_eq!(m.get(1), Some(&b"42"[..]));
    assert_eq!(m.get(0), Some(m.as_bytes()));
    assert_eq!(m.before(), b"6*7", "the echo of the line comes before the match");
    let (i, _) =
        s.expect_any(&[Needle::from(">>> "), Needle::from(Regex::new("Error").unwrap()), Needle::Eof]).unwrap();
    assert_eq!(i, 0);
    s.send_line("exit()").unwrap();
    let m = s.expect(Eof).unwrap();
    assert_eq!(m.before(), b"exit()\r\n");
    assert!(s.wait().unwrap().success());
}

#[test]
fn the_match_that_ends_earliest_wins_and_ties_go_to_the_first_needle() {
    let _guard = shared();
    let mut s = sh("printf 'abcdef\\n'; read x");
    // "cd" ends at 4, "abcde" at 5: "cd" wins though "abcde" starts earlier.
    let (i, m) = s.expect_any(&[Needle::from("abcde"), Needle::from("cd")]).unwrap();
    assert_eq!((i, m.as_bytes(), m.before()), (1, &b"cd"[..], &b"ab"[..]));
    // "e" and a regex ending at the same byte: the first in the list wins.
    let (i, m) = s.expect_any(&[Needle::from(Regex::new("e").unwrap()), Needle::from("e")]).unwrap();
    assert_eq!((i, m.as_bytes()), (0, &b"e"[..]));
    let (i, _) = s.expect_any(&[Needle::from("f"), Needle::from(Regex::new("f").unwrap())]).unwrap();
    assert_eq!(i, 0);
}

#[test]
fn a_timeout_loses_nothing_and_says_what_was_there() {
    let _guard = shared();
    let mut s = sh("printf 'Password: '; read x; echo \"got $x\"");
    s.set_timeout(Some(Duration::from_millis(300)));
    let err = s.expect("Username:").unwrap_err();
    assert_eq!(err.kind(), ErrorKind::TimedOut);
    let inner = ExpectError::of(&err).expect("an ExpectError inside");
    assert_eq!(inner.output(), b"Password: ");
    let text = err.to_string();
    assert!(text.contains("\"Username:\"") && text.contains("Password: "), "{text}");
    // The output is still there for the next expect.
    assert_eq!(s.unmatched(), b"Password: ");
    s.set_timeout(Some(common::TIMEOUT));
    let m = s.expect("Password: ").unwrap();
    assert_eq!(m.before(), b"");
    s.send_line("secret").unwrap();
    s.expect("got secret").unwrap();
}

#[test]
fn a_300_ms_timeout_fires_after_300_ms() {
    let _guard = shared();
    let mut s = cat();
    s.set_timeout(Some(Duration::from_millis(300)));
    let start = Instant::now();
    let err = s.expect("never").unwrap_err();
    let took = start.elapsed();
    assert_eq!(err.kind(), ErrorKind::TimedOut);
    assert!(took >= Duration::from_millis(300), "fired early: {took:?}");
    assert!(took < Duration::from_millis(1000), "fired late: {took:?}");
}

#[test]
fn waiting_costs_nothing() {
    let _guard = alone();
    // rexpect sleeps and polls, expectrl spins on non-blocking reads: a 2 s wait on a silent
    // program must use (almost) no CPU.
    let mut s = cat();
    s.set_timeout(Some(Duration::from_secs(2)));
    let before = cpu_time();
    let err = s.expect("never").unwrap_err();
    let used = cpu_time() - before;
    assert_eq!(err.kind(), ErrorKind::TimedOut);
    assert!(used < Duration::from_millis(5), "a 2 s expect used {used:?} of CPU");
}

#[test]
fn every_byte_before_exit_is_in_the_end_of_output_50_times() {
    let _guard = shared();
    let len = 10 << 20;
    let pattern = common::pattern_example();
    for run in 0..50 {
        let mut s = Session::spawn(Command::new(&pattern).arg(len.to_string())).unwrap();
        s.set_timeout(Some(common::TIMEOUT));
        let m = s.expect(Eof).unwrap();
        common::assert_pattern(m.before(), len, &format!("run {run}"));
        assert!(s.wait().unwrap().success());
    }
}

#[test]
fn a_program_that_exits_at_once_still_yields_its_output() {
    let _guard = shared();
    for _ in 0..200 {
        let mut s = Session::spawn(Command::new("echo").arg("quick")).unwrap();
        s.set_timeout(Some(common::TIMEOUT));
        let m = s.expect(Eof).unwrap();
        assert_eq!(m.before(), b"quick\r\n");
        assert!(s.wait().unwrap().success());
    }
}

#[test]
fn utf8_split_across_reads_matches_text_and_regex_needles() {
    let _guard = shared();
    // The program writes the two bytes of "é" with a read of ours in between: the first expect
    // times out having read half a character.
    for needle in [Needle::from("é"), Needle::from(Regex::new("(é)").unwrap())] {
        // No echo: the newline sent would come between the two bytes.
        let mut s =
            Session::spawn(Command::new("sh").args(["-c", "printf 'caf\\303'; read x; printf '\\251!'"]).echo(false))
                .unwrap();
        s.set_timeout(Some(Duration::from_millis(300)));
        let err = s.expect(needle.clone()).unwrap_err();
        assert_eq!(ExpectError::of(&err).unwrap().output(), b"caf\xc3", "{needle}");
        s.set_timeout(Some(common::TIMEOUT));
        s.send_line("").unwrap();
        let m = s.expect(needle.clone()).unwrap();
        assert_eq!((m.as_bytes(), m.before()), ("é".as_bytes(), &b"caf"[..]), "{needle}");
    }
}

#[test]
fn expect_after_the_end_of_output_fails_at_once_and_send_is_a_broken_pipe() {
    let _guard = shared();
    let mut s = sh("echo bye; exit 3");
    let err = s.expect("hello").unwrap_err();
    assert_eq!(err.kind(), ErrorKind::UnexpectedEof);
    let inner = ExpectError::of(&err).unwrap();
    assert_eq!(inner.output(), b"bye\r\n");
    assert_eq!(inner.exit_status().and_then(|st| st.code()), Some(3), "{err}");
    assert!(err.to_string().contains("bye"), "{err}");
    let start = Instant::now();
    assert_eq!(s.expect("again").unwrap_err().kind(), ErrorKind::UnexpectedEof);
    assert!(start.elapsed() < Duration::from_secs(1));
    assert_eq!(s.send_line("anyone?").unwrap_err().kind(), ErrorKind::BrokenPipe);
    assert_eq!(s.wait().unwrap().code(), Some(3));
}

#[test]
fn send_to_a_reaped_child_is_a_broken_pipe() {
    let _guard = shared();
    let mut s = cat();
    s.child_mut().kill().unwrap();
    s.child_mut().wait().unwrap();
    assert_eq!(s.send("x").unwrap_err().kind(), ErrorKind::BrokenPipe);
}

#[test]
fn a_line_longer_than_the_canonical_buffer_is_refused_and_nothing_is_sent() {
    let _guard = shared();
    let mut s = cat();
    let long = "x".repeat(4096);
    let err = s.send_line(&long).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidInput);
    // The longest line that fits goes through whole.
    let fits = "y".repeat(4095);
    s.send_line(&fits).unwrap();
    let m = s.expect(format!("{fits}\r\n{fits}\r\n")).unwrap();
    assert!(!m.before().contains(&b'x'), "part of the refused line was sent");
}

#[test]
fn send_control_eof_and_intr_reach_the_program() {
    let _guard = shared();
    let mut s = cat();
    s.send("abc").unwrap();
    s.send_eof().unwrap(); // ends the line: cat reads "abc" and prints it
    s.expect("abcabc").unwrap();
    s.send_eof().unwrap(); // on an empty line: end of file
    s.expect(Eof).unwrap();
    assert!(s.wait().unwrap().success());

    let mut s = cat();
    s.send_intr().unwrap();
    s.expect(Eof).unwrap();
    assert_eq!(s.wait().unwrap().signal(), Some(libc::SIGINT));

    let mut s = cat();
    s.send_control('C').unwrap();
    s.expect(Eof).unwrap();
    assert_eq!(s.wait().unwrap().signal(), Some(libc::SIGINT));
    let mut s = cat();
    assert_eq!(s.send_control('1').unwrap_err().kind(), ErrorKind::InvalidInput);
}

#[test]
fn sends_are_not_delayed() {
    let _guard = shared();
    // pexpect sleeps 50 ms before every send: 100 round trips would take 5 s there.
    let mut s = cat();
    let start = Instant::now();
    for i in 0..100 {
        s.send_line(&format!("line {i}")).unwrap();
        s.expect(format!("line {i}\r\nline {i}\r\n")).unwrap();
    }
    assert!(start.elapsed() < Duration::from_secs(5), "{:?}", start.elapsed());
}

#[test]
fn send_does_not_deadlock_with_a_program_that_writes_before_it_reads() {
    let _guard = shared();
    // The program writes 1 MiB before reading: a send of 1 MiB blocks on a full input queue
    // unless the session reads the output meanwhile.
    let mut s = sh(
        "stty -icanon -echo; echo ready; head -c 1048576 /dev/zero | tr '\\0' o; head -c 100000 >/dev/null; echo done",
    );
    s.expect("ready").unwrap();
    s.send(vec![b'i'; 100_000]).unwrap();
    s.expect("done").unwrap();
}

#[test]
fn the_log_gets_everything_read_and_optionally_what_was_sent() {
    let _guard = shared();
    use std::sync::{Arc, Mutex};
    #[derive(Clone, Default)]
    struct Shared(Arc<Mutex<Vec<u8>>>);
    impl std::io::Write for Shared {
        fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(b);
            Ok(b.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let log = Shared::default();
    let mut s = Session::spawn(Command::new("cat").echo(false)).unwrap();
    s.log_to(log.clone());
    s.log_sent(true);
    s.send_line("one").unwrap();
    s.expect("one\r\n").unwrap();
    assert_eq!(*log.0.lock().unwrap(), b"one\rone\r\n");
    // A file log, to a file created 0600.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("log");
    let mut s = sh("echo to-file");
    s.log_file(&path).unwrap();
    s.expect(Eof).unwrap();
    drop(s);
    assert_eq!(std::fs::read(&path).unwrap(), b"to-file\r\n");
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
}

#[test]
fn resize_reaches_the_program() {
    let _guard = shared();
    let mut s = sh("trap 'stty size' WINCH; echo ready; while :; do sleep 0.05; done");
    s.expect("ready").unwrap();
    s.resize(ptyx::Winsize::new(33, 111)).unwrap();
    s.expect("33 111").unwrap();
}

#[test]
fn dropping_a_session_ends_the_program_and_its_process_group() {
    let _guard = alone();
    // A program that ignores SIGHUP, with a background job in its process group.
    let mut s = sh("trap '' HUP; sleep 300 & echo \"bg=$!.\"; echo ready; sleep 300");
    let m = s.expect("ready").unwrap();
    let text = String::from_utf8_lossy(m.before()).into_owned();
    let bg: i32 = common::value_in(&text, "bg=").parse().unwrap();
    let pid = s.child().id() as i32;
    let (fd_pid, fd_bg) = (common::pidfd(pid as u32), common::pidfd(bg as u32));
    let start = Instant::now();
    drop(s);
    assert!(start.elapsed() < Duration::from_secs(2), "drop took {:?}", start.elapsed());
    assert!(common::exits_within(&fd_pid, common::TIMEOUT));
    assert!(common::exits_within(&fd_bg, common::TIMEOUT), "the background job was left");
    assert!(!common::zombie_children().contains(&pid), "the child was not reaped");
}

#[test]
fn a_thousand_sessions_started_and_dropped_leave_nothing_behind() {
    let _guard = alone();
    let fds_before = common::open_fds();
    for i in 0..1000 {
        let mut s = if i % 2 == 0 { sh("echo hi; sleep 100") } else { sh("echo hi") };
        s.expect("hi").unwrap();
        if i % 2 == 1 {
            s.expect(Eof).unwrap();
        }
    }
    assert_eq!(common::open_fds(), fds_before, "descriptors left open");
    assert_eq!(common::zombie_children(), Vec::<i32>::new(), "zombies left");
    assert_eq!(common::children(), Vec::<(i32, char)>::new(), "processes left");
}

#[test]
fn a_background_process_holding_the_terminal_does_not_hide_the_end() {
    let _guard = shared();
    // The child exits; a background process keeps the terminal open without writing.
    let mut s = sh("sleep 5 & echo done");
    let start = Instant::now();
    let m = s.expect(Eof).unwrap();
    assert_eq!(m.before(), b"done\r\n");
    assert!(start.elapsed() < Duration::from_secs(4));
}
