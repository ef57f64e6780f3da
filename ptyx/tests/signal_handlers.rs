//! The caller's signal dispositions around `ptyx::spawn` and the `Relay`: whatever handlers,
//! ignores and defaults were installed are exactly back when spawn returns, an ignored signal
//! stays ignored throughout, and the child starts with default dispositions and an empty mask.
//!
//! These tests change process-wide signal state, so they live in their own test binary and take
//! one lock, each putting the state it changed back.

mod common;

use std::os::fd::AsRawFd;
use std::sync::{Barrier, Mutex, MutexGuard};

use ptyx::{Command, Relay};

fn serial() -> MutexGuard<'static, ()> {
    static LOCK: Mutex<()> = Mutex::new(());
    let guard = LOCK.lock().unwrap_or_else(|e| e.into_inner());
    common::stdin_dev_null();
    guard
}

extern "C" fn term_handler(_: libc::c_int) {}
extern "C" fn quit_handler(_: libc::c_int, _: *mut libc::siginfo_t, _: *mut libc::c_void) {}
extern "C" fn winch_handler(_: libc::c_int) {}

/// A disposition as sigaction(2) reports it, comparable.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Disposition {
    handler: libc::sighandler_t,
    flags: libc::c_int,
    /// The signals in the handler's mask.
    mask: Vec<i32>,
}

fn disposition(sig: i32) -> Disposition {
    // SAFETY: a zeroed sigaction is a valid out-buffer; querying only.
    let mut sa: libc::sigaction = unsafe { std::mem::zeroed() };
    assert_eq!(unsafe { libc::sigaction(sig, std::ptr::null(), &mut sa) }, 0);
    // SAFETY: sigismember on a valid set.
    let mask = (1..libc::SIGRTMAX()).filter(|&s| unsafe { libc::sigismember(&sa.sa_mask, s) } == 1).collect();
    Disposition { handler: sa.sa_sigaction, flags: sa.sa_flags, mask }
}

fn set_disposition(sig: i32, handler: libc::sighandler_t, flags: libc::c_int, mask: &[i32]) {
    // SAFETY: a zeroed sigaction is valid; the handlers installed do nothing.
    unsafe {
        let mut sa: libc::sigaction = std::mem::zeroed();
        sa.sa_sigaction = handler;
        sa.sa_flags = flags;
        libc::sigemptyset(&mut sa.sa_mask);
        for &s in mask {
            libc::sigaddset(&mut sa.sa_mask, s);
        }
        assert_eq!(libc::sigaction(sig, &sa, std::ptr::null_mut()), 0);
    }
}

const WATCHED: [i32; 6] = [libc::SIGTERM, libc::SIGHUP, libc::SIGINT, libc::SIGQUIT, libc::SIGWINCH, libc::SIGUSR1];

/// Installs a distinctive disposition for every signal the relay catches: a handler with a mask,
/// an ignore, a default, an SA_SIGINFO handler, and returns them (plus SIGUSR1, left default).
fn install_known_dispositions() -> Vec<Disposition> {
    set_disposition(libc::SIGTERM, term_handler as *const () as usize, libc::SA_RESTART, &[libc::SIGUSR2]);
    set_disposition(libc::SIGHUP, libc::SIG_IGN, 0, &[]);
    set_disposition(libc::SIGINT, libc::SIG_DFL, 0, &[]);
    set_disposition(
        libc::SIGQUIT,
        quit_handler as *const () as usize,
        libc::SA_SIGINFO | libc::SA_NODEFER,
        &[libc::SIGALRM, libc::SIGCHLD],
    );
    set_disposition(libc::SIGWINCH, winch_handler as *const () as usize, 0, &[]);
    set_disposition(libc::SIGUSR1, libc::SIG_DFL, 0, &[]);
    WATCHED.iter().map(|&s| disposition(s)).collect()
}

fn current() -> Vec<Disposition> {
    WATCHED.iter().map(|&s| disposition(s)).collect()
}

/// Puts every watched signal back to its default.
fn reset() {
    for sig in WATCHED {
        set_disposition(sig, libc::SIG_DFL, 0, &[]);
    }
}

#[test]
fn handlers_are_back_after_spawn_returns() {
    let _s = serial();
    let before = install_known_dispositions();
    assert_eq!(before[1].handler, libc::SIG_IGN);
    let status = ptyx::spawn(["sh", "-c", "exit 0"]).unwrap();
    assert!(status.success());
    assert_eq!(current(), before, "dispositions after spawn");
    // Also when the child is killed by a signal, and when the start fails.
    let status = ptyx::spawn(["sh", "-c", "kill -KILL $$"]).unwrap();
    assert!(status.code().is_none());
    assert_eq!(current(), before, "dispositions after a killed child");
    ptyx::spawn(["ptyx-no-such-program"]).unwrap_err();
    assert_eq!(current(), before, "dispositions after a failed start");
    reset();
}

#[test]
fn ignored_signal_stays_ignored_and_others_are_caught_while_spawn_runs() {
    let _s = serial();
    let before = install_known_dispositions();
    let mut during = None;
    let status = Relay::new(Command::new("echo").arg("x").clone())
        .input(None)
        .output(None)
        .master_read(|fd, buf| {
            during.get_or_insert_with(current);
            ptyx::read(fd, buf)
        })
        .run()
        .unwrap();
    assert!(status.success());
    let during = during.expect("the callback ran during the session");
    assert_eq!(during[1].handler, libc::SIG_IGN, "SIGHUP was ignored and must stay ignored while spawn runs");
    for (i, name) in [(0, "SIGTERM"), (2, "SIGINT"), (3, "SIGQUIT"), (4, "SIGWINCH")] {
        assert_ne!(during[i].handler, before[i].handler, "{name} is caught by the relay while it runs");
        assert_ne!(during[i].handler, libc::SIG_IGN, "{name}");
    }
    assert_eq!(current(), before);
    reset();
}

#[test]
fn report_signal_handler_is_removed_after_the_relay() {
    let _s = serial();
    let before = install_known_dispositions();
    let status = Relay::new(Command::new("true")).input(None).output(None).report_signal(libc::SIGUSR1).run().unwrap();
    assert!(status.success());
    assert_eq!(current(), before);
    reset();
}

#[test]
fn handlers_are_back_after_overlapping_relays_on_two_threads() {
    let _s = serial();
    let before = install_known_dispositions();
    // Both relays are running at the barrier; each then lets its child finish.
    let barrier = Barrier::new(2);
    std::thread::scope(|s| {
        for _ in 0..2 {
            s.spawn(|| {
                let mut seen = Vec::new();
                let mut released = false;
                let status = Relay::new(Command::new("sh").args(["-c", "echo ready; read x; exit 0"]).clone())
                    .input(None)
                    .output(None)
                    .master_read(|fd, buf| {
                        let n = ptyx::read(fd, buf)?;
                        seen.extend_from_slice(&buf[..n]);
                        if !released && common::find(&seen, b"ready").is_some() {
                            released = true;
                            barrier.wait();
                            rustix::io::write(fd, b"go\r")?;
                        }
                        Ok(n)
                    })
                    .run()
                    .unwrap();
                assert!(status.success());
            });
        }
    });
    assert_eq!(current(), before, "dispositions after two overlapping relays");
    reset();
}

/// The child's blocked and ignored signal sets (`SigBlk`, `SigIgn` of /proc/self/status), for a
/// child started by `Command` and one started by the relay, while this process ignores SIGHUP and
/// SIGINT (an ignore survives exec unless reset) and this thread blocks SIGUSR2 and SIGALRM.
fn child_signal_sets() -> Vec<(&'static str, u64, u64)> {
    install_known_dispositions();
    set_disposition(libc::SIGINT, libc::SIG_IGN, 0, &[]);
    // SAFETY: blocking signals in this thread only, restored below.
    let mut old: libc::sigset_t = unsafe { std::mem::zeroed() };
    unsafe {
        let mut block: libc::sigset_t = std::mem::zeroed();
        libc::sigemptyset(&mut block);
        libc::sigaddset(&mut block, libc::SIGUSR2);
        libc::sigaddset(&mut block, libc::SIGALRM);
        assert_eq!(libc::pthread_sigmask(libc::SIG_BLOCK, &block, &mut old), 0);
    }
    let args = ["-E", "^Sig(Blk|Ign)", "/proc/self/status"];
    let (by_command, status) = common::run_pty("grep", &args);
    assert!(status.success());
    let out = Command::new("grep").args(args).output().unwrap();
    assert!(out.status.success());
    let by_relay = String::from_utf8_lossy(&out.output).into_owned();
    // SAFETY: restoring this thread's mask.
    unsafe { assert_eq!(libc::pthread_sigmask(libc::SIG_SETMASK, &old, std::ptr::null_mut()), 0) };
    reset();
    let parse = |what: &'static str, text: &str| {
        let field = |name: &str| {
            let line = text.lines().find(|l| l.starts_with(name)).unwrap_or_else(|| panic!("{name} in {text:?}"));
            u64::from_str_radix(line[name.len()..].trim(), 16).unwrap()
        };
        (what, field("SigBlk:"), field("SigIgn:"))
    };
    vec![parse("Command child", &by_command), parse("spawn child", &by_relay)]
}

/// Bit of signal `sig` in a /proc/<pid>/status signal set.
fn bit(sig: i32) -> u64 {
    1 << (sig - 1)
}

#[test]
fn child_starts_with_an_empty_mask_and_default_dispositions() {
    let _s = serial();
    // glibc reserves signals 32 and 33 for itself (the next test is about them).
    let glibc_internal = bit(32) | bit(33);
    for (what, blocked, ignored) in child_signal_sets() {
        assert_eq!(blocked, 0, "{what}: blocked signals {blocked:#x}");
        assert_eq!(ignored & !glibc_internal, 0, "{what}: ignored signals {ignored:#x}");
    }
}

#[test]
fn child_starts_with_glibc_internal_signals_32_and_33_at_default_too() {
    // Signals 32 and 33 are ordinary real-time signals to a program not built on glibc (musl, Go);
    // "every signal disposition is back to default" includes them. glibc's posix_spawn sets them
    // to SIG_IGN in the child unless they are in the SETSIGDEF set, which sigfillset/sigaddset
    // leave them out of (std's posix_spawn children have the same two ignored; Python's
    // fork+exec children do not).
    let _s = serial();
    for (what, _, ignored) in child_signal_sets() {
        assert_eq!(ignored, 0, "{what}: ignored signals {ignored:#x}");
    }
}

#[test]
fn stdin_of_these_tests_is_not_a_terminal() {
    // The in-process spawns above rely on it: they must not touch a developer's terminal.
    let _s = serial();
    // SAFETY: isatty on fd 0.
    assert_eq!(unsafe { libc::isatty(std::io::stdin().as_raw_fd()) }, 0);
}

static TERMS_SEEN: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

extern "C" fn count_term(_: libc::c_int) {
    TERMS_SEEN.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
}

#[test]
fn output_leaves_this_process_handlers_alone_as_std_does() {
    // Command::output, like std's, installs no handler: a SIGTERM to this process while it runs
    // reaches this process's own handler, and is not forwarded to the program.
    let _s = serial();
    let before = disposition(libc::SIGTERM);
    set_disposition(libc::SIGTERM, count_term as *const () as libc::sighandler_t, 0, &[]);
    let out = Command::new("sh").args(["-c", "kill -TERM $PPID; sleep 0.2; echo after"]).output().unwrap();
    set_disposition(libc::SIGTERM, before.handler, before.flags, &before.mask);
    assert_eq!(TERMS_SEEN.load(std::sync::atomic::Ordering::SeqCst), 1, "this process's handler did not run");
    assert!(out.status.success(), "the program got the signal: {:?}", out.status);
    assert_eq!(out.output, b"after\r\n");
    // The relay, by contrast, forwards it (the default): the same program ends by the signal.
    set_disposition(libc::SIGTERM, count_term as *const () as libc::sighandler_t, 0, &[]);
    let null = std::fs::File::open("/dev/null").unwrap();
    let mut cmd = Command::new("sh");
    cmd.args(["-c", "kill -TERM $PPID; sleep 5; echo after"]);
    let status = Relay::new(cmd).input(Some(std::os::fd::AsFd::as_fd(&null))).output(None).run().unwrap();
    set_disposition(libc::SIGTERM, before.handler, before.flags, &before.mask);
    use std::os::unix::process::ExitStatusExt;
    assert_eq!(status.signal(), Some(libc::SIGTERM));
    assert_eq!(TERMS_SEEN.load(std::sync::atomic::Ordering::SeqCst), 1, "the relay let the handler run");
}
