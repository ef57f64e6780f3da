//! Shared helpers of the integration tests: finding the example programs, running a program on an
//! outer pty and driving it through the master, waiting for processes and output with deadlines,
//! and the byte pattern the `pattern` example writes.
//!
//! Every wait here has a deadline so that a library bug makes a test fail instead of hanging, and
//! every wait is for an event (output on a descriptor, a process exit through a pidfd), never a
//! sleep standing in for one.
#![allow(dead_code)]

use std::ffi::OsStr;
use std::io::{self, Read, Write};
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, OwnedFd};
use std::path::{Path, PathBuf};
use std::process::{Child as StdChild, ExitStatus};
use std::sync::Once;
use std::time::{Duration, Instant};

use rustix::event::{PollFd, PollFlags};

/// How long any single wait in a test may take before the test fails. Far above what a working
/// library needs even on a loaded 2-core machine; it only turns a hang into a failure.
pub const TIMEOUT: Duration = Duration::from_secs(30);

/// The path of an example program of this package, built by `cargo test` next to the test
/// binaries: `target/<profile>/deps/<test>` -> `target/<profile>/examples/<name>`.
pub fn example(name: &str) -> PathBuf {
    let exe = std::env::current_exe().expect("current_exe");
    let profile_dir = exe.parent().and_then(Path::parent).expect("test binary is in target/<profile>/deps");
    let path = profile_dir.join("examples").join(name);
    assert!(
        path.is_file(),
        "example {} not built at {}: `cargo test` builds it; with `--test` run `cargo build -p ptyx --examples` first",
        name,
        path.display()
    );
    path
}

/// `ptyx-spawn ARGV...`, the `spawn` example: `ptyx::spawn(argv)`, exits with the code or 128+signal.
pub fn spawn_example() -> PathBuf {
    example("spawn")
}

/// `pattern LEN [CODE]`, the `pattern` example: writes [`pattern`]`(LEN)` to stdout, exits with CODE.
pub fn pattern_example() -> PathBuf {
    example("pattern")
}

/// Replaces this process's fd 0 with /dev/null, once, for tests that call `ptyx::spawn` in-process:
/// it reads stdin and puts a terminal stdin in raw mode, which must not be the terminal of the
/// developer running `cargo test`, and CI's stdin must behave the same as a developer's.
pub fn stdin_dev_null() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let null = std::fs::File::open("/dev/null").expect("open /dev/null");
        // SAFETY: dup2 onto fd 0 atomically replaces what stdin was; nothing holds a borrow of it.
        let r = unsafe { libc::dup2(null.as_raw_fd(), 0) };
        assert_eq!(r, 0, "dup2 /dev/null onto stdin: {}", io::Error::last_os_error());
    });
}

/// The bytes the `pattern` example writes: printable (no `\n`, so a terminal passes them through
/// unchanged), repeating only every [`PERIOD`] bytes, a prime, so that a lost, repeated or moved
/// chunk of any size a pipe or pty uses shows up as a mismatch.
pub fn pattern(len: usize) -> Vec<u8> {
    let block = pattern_block();
    let mut out = Vec::with_capacity(len);
    while out.len() < len {
        let n = (len - out.len()).min(block.len());
        out.extend_from_slice(&block[..n]);
    }
    out
}

pub const PERIOD: usize = 65521;

/// One period of the pattern. Must match `examples/pattern.rs`.
pub fn pattern_block() -> Vec<u8> {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    (0..PERIOD as u64).map(|i| ALPHABET[(i.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 58) as usize]).collect()
}

/// Asserts that `got` is exactly `pattern(len)`, reporting the first difference (not megabytes).
pub fn assert_pattern(got: &[u8], len: usize, what: &str) {
    let block = pattern_block();
    for (i, chunk) in got.chunks(PERIOD).enumerate() {
        let want = &block[..chunk.len().min(block.len())];
        if chunk != want {
            let j = chunk.iter().zip(want).position(|(a, b)| a != b).unwrap_or(want.len());
            let at = i * PERIOD + j;
            panic!(
                "{what}: content differs at byte {at} of {} (expected {len}): got {:?}, expected {:?}",
                got.len(),
                String::from_utf8_lossy(&got[at..(at + 40).min(got.len())]),
                String::from_utf8_lossy(&pattern(at + 40)[at..]),
            );
        }
    }
    assert_eq!(got.len(), len, "{what}: length");
}

/// Waits until `fd` is readable (or hung up), at most `timeout`; `true` if it is.
pub fn wait_readable(fd: BorrowedFd<'_>, timeout: Duration) -> bool {
    let deadline = Instant::now() + timeout;
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        let ts = rustix::event::Timespec { tv_sec: left.as_secs() as i64, tv_nsec: left.subsec_nanos() as _ };
        let mut fds = [PollFd::from_borrowed_fd(fd, PollFlags::IN)];
        match rustix::event::poll(&mut fds, Some(&ts)) {
            Ok(0) => return false,
            Ok(_) => return true,
            Err(rustix::io::Errno::INTR) => continue,
            Err(e) => panic!("poll: {e}"),
        }
    }
}

/// A pidfd for `pid` (any process, not only a child): readable once the process has exited.
pub fn pidfd(pid: u32) -> OwnedFd {
    let pid = rustix::process::Pid::from_raw(pid as i32).expect("pid > 0");
    rustix::process::pidfd_open(pid, rustix::process::PidfdFlags::empty()).expect("pidfd_open")
}

/// Whether the process behind `pidfd` exits within `timeout`.
pub fn exits_within(pidfd: &OwnedFd, timeout: Duration) -> bool {
    wait_readable(pidfd.as_fd(), timeout)
}

/// Waits for a std child with a deadline; on timeout kills it (and its process group if it leads
/// one) and panics.
pub fn wait_std(child: &mut StdChild, what: &str) -> ExitStatus {
    let fd = pidfd(child.id());
    if !exits_within(&fd, TIMEOUT) {
        // SAFETY: kill(2) has no memory preconditions.
        unsafe {
            libc::kill(-(child.id() as i32), libc::SIGKILL);
            libc::kill(child.id() as i32, libc::SIGKILL);
        }
        let _ = child.wait();
        panic!("{what}: did not exit within {TIMEOUT:?}");
    }
    child.wait().expect("wait")
}

/// What a finished std child produced.
#[derive(Debug)]
pub struct Output {
    pub status: ExitStatus,
    pub stdout: Vec<u8>,
    pub stderr: Vec<u8>,
}

impl Output {
    pub fn stdout_str(&self) -> String {
        String::from_utf8_lossy(&self.stdout).into_owned()
    }
    pub fn stderr_str(&self) -> String {
        String::from_utf8_lossy(&self.stderr).into_owned()
    }
}

/// Runs `program args...` (std `Command`, stdin as given, stdout and stderr piped) and collects its
/// output and status, failing the test if it does not end within [`TIMEOUT`].
pub fn run_std(program: impl AsRef<OsStr>, args: &[&str], stdin: std::process::Stdio, input: Option<&[u8]>) -> Output {
    use std::process::{Command, Stdio};
    let what = format!("{} {:?}", program.as_ref().to_string_lossy(), args);
    let mut child = Command::new(program)
        .args(args)
        .stdin(stdin)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("start {what}: {e}"));
    let writer = child.stdin.take().map(|mut w| {
        let input = input.unwrap_or_default().to_vec();
        std::thread::spawn(move || {
            let _ = w.write_all(&input);
        })
    });
    let mut out = child.stdout.take().unwrap();
    let mut err = child.stderr.take().unwrap();
    let out_thread = std::thread::spawn(move || {
        let mut v = Vec::new();
        let _ = out.read_to_end(&mut v);
        v
    });
    let err_thread = std::thread::spawn(move || {
        let mut v = Vec::new();
        let _ = err.read_to_end(&mut v);
        v
    });
    let status = wait_std(&mut child, &what);
    if let Some(w) = writer {
        w.join().unwrap();
    }
    // The pipes reach EOF once the program and everything that inherited them are gone; a
    // straggler holding them is itself a failure, so this read has a deadline too.
    let stdout = join_within(out_thread, &what);
    let stderr = join_within(err_thread, &what);
    Output { status, stdout, stderr }
}

/// Runs the `spawn` example with stdin from /dev/null.
pub fn run_spawn(argv: &[&str]) -> Output {
    run_std(spawn_example(), argv, std::process::Stdio::null(), None)
}

fn join_within<T: Send + 'static>(handle: std::thread::JoinHandle<T>, what: &str) -> T {
    let deadline = Instant::now() + TIMEOUT;
    // A join with a deadline: std has none, so look at is_finished between short waits. This
    // only bounds a failure; a passing test returns at the first look or soon after.
    while !handle.is_finished() {
        assert!(Instant::now() < deadline, "{what}: its output did not reach EOF within {TIMEOUT:?}");
        std::thread::sleep(Duration::from_millis(5));
    }
    handle.join().expect("reader thread")
}

/// A terminal mode snapshot read with libc's tcgetattr (independent of the library), comparable.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mode {
    pub iflag: libc::tcflag_t,
    pub oflag: libc::tcflag_t,
    pub cflag: libc::tcflag_t,
    pub lflag: libc::tcflag_t,
    pub line: libc::cc_t,
    pub cc: [libc::cc_t; libc::NCCS],
    pub ispeed: libc::speed_t,
    pub ospeed: libc::speed_t,
}

impl Mode {
    pub fn of(fd: impl AsFd) -> Mode {
        // SAFETY: zeroed termios is a valid out-buffer for tcgetattr.
        let mut t: libc::termios = unsafe { std::mem::zeroed() };
        // SAFETY: fd is a live descriptor, t a valid pointer.
        let r = unsafe { libc::tcgetattr(fd.as_fd().as_raw_fd(), &mut t) };
        assert_eq!(r, 0, "tcgetattr: {}", io::Error::last_os_error());
        Mode {
            iflag: t.c_iflag,
            oflag: t.c_oflag,
            cflag: t.c_cflag,
            lflag: t.c_lflag,
            line: t.c_line,
            cc: t.c_cc,
            ispeed: t.c_ispeed,
            ospeed: t.c_ospeed,
        }
    }

    /// What `cfmakeraw` clears is cleared: no line editing, echo, key signals or output processing.
    pub fn is_raw(&self) -> bool {
        self.lflag & (libc::ICANON | libc::ECHO | libc::ISIG | libc::IEXTEN) == 0
            && self.oflag & libc::OPOST == 0
            && self.iflag & (libc::ICRNL | libc::IXON | libc::ISTRIP | libc::INLCR | libc::IGNCR) == 0
            && self.cflag & libc::CSIZE == libc::CS8
    }
}

/// Output read from a master so far, and reading more of it with deadlines.
pub struct Transcript {
    /// Everything read from the master so far.
    pub seen: Vec<u8>,
    what: String,
}

impl Transcript {
    pub fn new(what: String) -> Transcript {
        Transcript { seen: Vec::new(), what }
    }

    /// Reads one chunk with a deadline; `false` at end of file.
    fn read_some(&mut self, master: &ptyx::Master, deadline: Instant) -> bool {
        let left = deadline.saturating_duration_since(Instant::now());
        if !wait_readable(master.as_fd(), left) {
            panic!("{}: timed out after {TIMEOUT:?}; output so far: {:?}", self.what, self.text());
        }
        let mut buf = [0u8; 65536];
        let mut reader = master;
        match reader.read(&mut buf) {
            Ok(0) => false,
            Ok(n) => {
                self.seen.extend_from_slice(&buf[..n]);
                true
            }
            Err(e) if e.kind() == io::ErrorKind::Interrupted => true,
            Err(e) => panic!("{}: read master: {e}", self.what),
        }
    }

    /// Reads until `marker` has appeared at or after position `from`; returns the position just
    /// past it.
    pub fn read_until_from(&mut self, master: &ptyx::Master, from: usize, marker: &str) -> usize {
        let deadline = Instant::now() + TIMEOUT;
        loop {
            if let Some(i) = find(&self.seen[from.min(self.seen.len())..], marker.as_bytes()) {
                return from + i + marker.len();
            }
            if !self.read_some(master, deadline) {
                panic!("{}: end of output before {marker:?}; output: {:?}", self.what, self.text());
            }
        }
    }

    /// Reads until the master reports end of file (every slave descriptor closed).
    pub fn read_to_end(&mut self, master: &ptyx::Master) {
        let deadline = Instant::now() + TIMEOUT;
        while self.read_some(master, deadline) {}
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.seen).into_owned()
    }

    /// The text between `prefix` and the next `.` in the output: how the tests' shell snippets
    /// report a value (`echo "pid=$$."`).
    pub fn value(&self, prefix: &str) -> String {
        let text = self.text();
        let start = text.find(prefix).unwrap_or_else(|| panic!("no {prefix:?} in {text:?}")) + prefix.len();
        let len = text[start..].find('.').expect("value ends with '.'");
        text[start..start + len].to_string()
    }
}

/// A `ptyx::Child` driven through its master, killed if the test fails.
pub struct Running {
    pub child: ptyx::Child,
    pub out: Transcript,
}

impl Running {
    /// Starts `program args...` with `ptyx::Command` on a pty of `size`.
    pub fn start(program: impl AsRef<OsStr>, args: &[&str], size: ptyx::Winsize) -> Running {
        let what = format!("{} {:?}", program.as_ref().to_string_lossy(), args);
        let child = ptyx::Command::new(program.as_ref())
            .args(args)
            .window_size(size)
            .spawn()
            .unwrap_or_else(|e| panic!("start {what}: {e}"));
        Running { child, out: Transcript::new(what) }
    }

    pub fn read_until(&mut self, marker: &str) -> usize {
        self.out.read_until_from(self.child.master(), 0, marker)
    }

    pub fn read_until_from(&mut self, from: usize, marker: &str) -> usize {
        self.out.read_until_from(self.child.master(), from, marker)
    }

    /// Sends `sig` to the program itself (not its group).
    pub fn signal_program(&self, sig: i32) {
        // SAFETY: kill(2) has no memory preconditions.
        let r = unsafe { libc::kill(self.child.id() as i32, sig) };
        assert_eq!(r, 0, "kill: {}", io::Error::last_os_error());
    }

    /// Waits for the program to exit, failing the test after [`TIMEOUT`].
    pub fn wait(&mut self) -> ExitStatus {
        match self.child.wait_timeout(TIMEOUT).expect("wait_timeout") {
            Some(status) => status,
            None => {
                let _ = self.child.kill();
                let _ = self.child.wait();
                panic!("{}: did not exit within {TIMEOUT:?}; output: {:?}", self.out.what, self.out.text());
            }
        }
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        // A failed test must not leave the program running.
        if self.child.try_wait().ok().flatten().is_none() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// A program running on an outer pty that the test opened, as on a user's terminal: a session
/// leader with the slave as controlling terminal and as fds 0, 1, 2, started with std's `Command`
/// (so the harness relies on nothing of the library but `openpty` and the master's `Read`/`Write`).
/// The test plays the user through the master.
pub struct Outer {
    pub master: ptyx::Master,
    pub child: StdChild,
    pub out: Transcript,
}

impl Outer {
    /// Starts `program args...` on a new pty of `size` in the pty's default mode.
    pub fn start(program: impl AsRef<OsStr>, args: &[&str], size: ptyx::Winsize) -> Outer {
        Outer::start_with(program, args, size, |_| {})
    }

    /// Starts `program args...` on a new pty of `size`, after `setup` has seen the slave (to set a
    /// mode, say).
    pub fn start_with(
        program: impl AsRef<OsStr>,
        args: &[&str],
        size: ptyx::Winsize,
        setup: impl FnOnce(&ptyx::Slave),
    ) -> Outer {
        Outer::start_full(program, args, size, setup, &[])
    }

    /// Starts `program args...` on a new pty of `size` with the signals `ignored` ignored, as
    /// `nohup` or a non-interactive shell's `&` would start it.
    pub fn start_ignoring(program: impl AsRef<OsStr>, args: &[&str], size: ptyx::Winsize, ignored: &[i32]) -> Outer {
        Outer::start_full(program, args, size, |_| {}, ignored)
    }

    /// Starts the program as a terminal's shell would: in a new session on the pty, with the
    /// terminal signals at their defaults whatever this test process inherited (a test run from
    /// a background job has SIGINT and SIGQUIT ignored), except for the `ignored` ones.
    fn start_full(
        program: impl AsRef<OsStr>,
        args: &[&str],
        size: ptyx::Winsize,
        setup: impl FnOnce(&ptyx::Slave),
        ignored: &[i32],
    ) -> Outer {
        use std::os::unix::process::CommandExt;
        let what = format!("{} {:?}", program.as_ref().to_string_lossy(), args);
        let (master, slave) = ptyx::openpty().expect("openpty");
        master.set_window_size(size).expect("set outer size");
        setup(&slave);
        let stdio = |s: &ptyx::Slave| std::process::Stdio::from(OwnedFd::from(s.try_clone().expect("dup slave")));
        let mut cmd = std::process::Command::new(program.as_ref());
        cmd.args(args).stdin(stdio(&slave)).stdout(stdio(&slave)).stderr(stdio(&slave));
        let ignored = ignored.to_vec();
        // SAFETY: only async-signal-safe system calls (setsid, ioctl, signal) between fork and
        // exec; `ignored` was allocated before the fork and is only read.
        unsafe {
            cmd.pre_exec(move || {
                for sig in [libc::SIGHUP, libc::SIGINT, libc::SIGQUIT, libc::SIGTERM, libc::SIGWINCH] {
                    libc::signal(sig, libc::SIG_DFL);
                }
                for &sig in &ignored {
                    libc::signal(sig, libc::SIG_IGN);
                }
                if libc::setsid() < 0 || libc::ioctl(0, libc::TIOCSCTTY, 0) < 0 {
                    return Err(io::Error::last_os_error());
                }
                Ok(())
            });
        }
        let child = cmd.spawn().unwrap_or_else(|e| panic!("start {what} on an outer pty: {e}"));
        // Only the program holds the slave now: the master sees end of file when it is done.
        drop(cmd);
        drop(slave);
        Outer { master, child, out: Transcript::new(what) }
    }

    /// Starts the `spawn` example running `argv` on a new outer pty of `size`.
    pub fn spawn_example(argv: &[&str], size: ptyx::Winsize) -> Outer {
        Outer::start(spawn_example(), argv, size)
    }

    pub fn pid(&self) -> i32 {
        self.child.id() as i32
    }

    pub fn read_until(&mut self, marker: &str) -> usize {
        self.out.read_until_from(&self.master, 0, marker)
    }

    pub fn read_until_from(&mut self, from: usize, marker: &str) -> usize {
        self.out.read_until_from(&self.master, from, marker)
    }

    pub fn read_to_end(&mut self) -> &[u8] {
        self.out.read_to_end(&self.master);
        &self.out.seen
    }

    pub fn write(&self, bytes: &[u8]) {
        let mut writer = &self.master;
        writer.write_all(bytes).expect("write to outer master");
    }

    /// Sends `sig` to the program.
    pub fn signal(&self, sig: i32) {
        // SAFETY: kill(2) has no memory preconditions.
        let r = unsafe { libc::kill(self.pid(), sig) };
        assert_eq!(r, 0, "kill: {}", io::Error::last_os_error());
    }

    /// Waits for the program to exit, failing the test after [`TIMEOUT`].
    pub fn wait(&mut self) -> ExitStatus {
        let what = self.out.what.clone();
        wait_std(&mut self.child, &what)
    }

    /// The outer terminal's mode, as the program sees it.
    pub fn mode(&self) -> Mode {
        Mode::of(&self.master)
    }
}

impl Drop for Outer {
    fn drop(&mut self) {
        if self.child.try_wait().ok().flatten().is_none() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

pub fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    if needle.is_empty() {
        return Some(0);
    }
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// Reads a ptyx child's whole output (to the master's end of file) with a deadline, then waits.
pub fn output_of(mut child: ptyx::Child) -> (String, ExitStatus) {
    let what = format!("pid {}", child.id());
    let deadline = Instant::now() + TIMEOUT;
    let mut out = Vec::new();
    let mut buf = [0u8; 65536];
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        if !wait_readable(child.master().as_fd(), left) {
            let _ = child.kill();
            panic!("{what}: output did not end within {TIMEOUT:?}: {:?}", String::from_utf8_lossy(&out));
        }
        match child.master().read(&mut buf) {
            Ok(0) => break,
            Ok(n) => out.extend_from_slice(&buf[..n]),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => panic!("{what}: read master: {e}"),
        }
    }
    let status = match child.wait_timeout(TIMEOUT).expect("wait_timeout") {
        Some(s) => s,
        None => {
            let _ = child.kill();
            panic!("{what}: did not exit within {TIMEOUT:?}");
        }
    };
    (String::from_utf8_lossy(&out).into_owned(), status)
}

/// Reads the master until `marker` appears (or fails the test at end of file or after [`TIMEOUT`]);
/// returns everything read.
pub fn read_until(master: &ptyx::Master, marker: &str) -> Vec<u8> {
    let deadline = Instant::now() + TIMEOUT;
    let mut out = Vec::new();
    let mut buf = [0u8; 4096];
    let mut reader = master;
    while find(&out, marker.as_bytes()).is_none() {
        let left = deadline.saturating_duration_since(Instant::now());
        assert!(
            wait_readable(master.as_fd(), left),
            "no {marker:?} within {TIMEOUT:?}: {:?}",
            String::from_utf8_lossy(&out)
        );
        match reader.read(&mut buf) {
            Ok(0) => panic!("end of output before {marker:?}: {:?}", String::from_utf8_lossy(&out)),
            Ok(n) => out.extend_from_slice(&buf[..n]),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => panic!("read master: {e}"),
        }
    }
    out
}

/// Runs `program args...` with `ptyx::Command` and returns its output and status.
pub fn run_pty(program: &str, args: &[&str]) -> (String, ExitStatus) {
    let child = ptyx::Command::new(program).args(args).spawn().unwrap_or_else(|e| panic!("spawn {program}: {e}"));
    output_of(child)
}

/// The process ids of this process's children that are zombies, from /proc.
pub fn zombie_children() -> Vec<i32> {
    children().into_iter().filter(|&(_, state)| state == 'Z').map(|(pid, _)| pid).collect()
}

/// This process's children (pid, state) from /proc/*/stat.
pub fn children() -> Vec<(i32, char)> {
    let me = std::process::id() as i32;
    let mut out = Vec::new();
    for entry in std::fs::read_dir("/proc").expect("read /proc").flatten() {
        let Some(pid) = entry.file_name().to_str().and_then(|s| s.parse::<i32>().ok()) else { continue };
        let Ok(stat) = std::fs::read_to_string(entry.path().join("stat")) else { continue };
        let Some(fields) = stat_fields(&stat) else { continue };
        if fields.get(1).and_then(|p| p.parse::<i32>().ok()) == Some(me) {
            out.push((pid, fields[0].chars().next().unwrap_or('?')));
        }
    }
    out
}

/// The fields of a /proc/<pid>/stat line after `(comm)`: [state, ppid, pgrp, session, tty_nr, tpgid, ...].
pub fn stat_fields(stat: &str) -> Option<Vec<&str>> {
    let after = &stat[stat.rfind(')')? + 1..];
    Some(after.split_whitespace().collect())
}

/// Number of open descriptors of this process.
pub fn open_fds() -> Vec<i32> {
    let mut fds: Vec<i32> = std::fs::read_dir("/proc/self/fd")
        .expect("read /proc/self/fd")
        .flatten()
        .filter_map(|e| e.file_name().to_str().and_then(|s| s.parse().ok()))
        .collect();
    fds.sort();
    fds
}

/// Takes this test binary's one lock, for the tests that count the process's descriptors and
/// children or change its signal dispositions: they need the process to themselves. A test that
/// failed while holding it does not poison it for the others.
pub fn serial() -> std::sync::MutexGuard<'static, ()> {
    static LOCK: std::sync::Mutex<()> = std::sync::Mutex::new(());
    LOCK.lock().unwrap_or_else(|e| e.into_inner())
}

/// Fails unless this process has the descriptors `fds_before` (from [`open_fds`]) and no child,
/// zombie or not: what a run of spawns must leave.
pub fn assert_nothing_left(fds_before: &[i32], what: &str) {
    assert_eq!(open_fds(), fds_before, "{what}: descriptors leaked");
    assert_eq!(zombie_children(), Vec::<i32>::new(), "{what}: zombies left");
    assert_eq!(children(), vec![], "{what}: children left");
}

/// The text between `prefix` and the next `.` in `text`: how the tests' shell snippets report a
/// value (`echo "pid=$$."`).
pub fn value_in(text: &str, prefix: &str) -> String {
    let start = text.find(prefix).unwrap_or_else(|| panic!("no {prefix:?} in {text:?}")) + prefix.len();
    let len = text[start..].find('.').unwrap_or_else(|| panic!("{prefix:?} value has no '.' in {text:?}"));
    text[start..start + len].to_string()
}
