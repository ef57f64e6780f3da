//! The `Relay` in-process, between pipes the test owns: events, callbacks, errors that end the
//! session, small buffers, and signals to this process while a relay runs (forwarding,
//! `kill_after`, `report_signal`).
//!
//! Signals are raised from inside a relay callback, when the relay's handlers are certainly
//! installed; every relay in the process hears them, so the tests here take one lock.

mod common;

use std::io::{self, Read, Write};
use std::os::fd::{AsFd, OwnedFd};
use std::os::unix::process::ExitStatusExt;
use std::time::{Duration, Instant};

use common::{assert_pattern, pattern_example, serial};
use ptyx::{Command, Event, Relay};

fn sh(script: &str) -> Command {
    let mut cmd = Command::new("sh");
    cmd.args(["-c", script]);
    cmd
}

/// A pipe: (read end, write end).
fn pipe() -> (OwnedFd, OwnedFd) {
    rustix::pipe::pipe_with(rustix::pipe::PipeFlags::CLOEXEC).unwrap()
}

/// Reads a pipe to its end on a thread.
fn drain(read: OwnedFd) -> std::thread::JoinHandle<Vec<u8>> {
    std::thread::spawn(move || {
        let mut out = Vec::new();
        std::fs::File::from(read).read_to_end(&mut out).unwrap();
        out
    })
}

/// Whether process `pid` no longer exists (reaped, so kill(2) finds nothing).
fn gone(pid: i32) -> bool {
    // SAFETY: kill with signal 0 only checks existence.
    unsafe { libc::kill(pid, 0) == -1 && *libc::__errno_location() == libc::ESRCH }
}

/// The value of `prefix...` up to the next `.` in `text`.
fn value(text: &[u8], prefix: &str) -> Option<String> {
    let text = String::from_utf8_lossy(text);
    let start = text.find(prefix)? + prefix.len();
    let len = text[start..].find('.')?;
    Some(text[start..start + len].to_string())
}

#[test]
fn input_and_output_pipes_are_relayed_and_reported_as_events() {
    let _s = serial();
    let (in_read, in_write) = pipe();
    let (out_read, out_write) = pipe();
    let reader = drain(out_read);
    std::fs::File::from(in_write).write_all(b"abc\n").unwrap(); // and closed: end of input
    let (mut inputs, mut outputs) = (Vec::new(), Vec::new());
    let status = Relay::new(Command::new("cat"))
        .input(Some(in_read.as_fd()))
        .output(Some(out_write.as_fd()))
        .on_event(|_, event| {
            match event {
                Event::Input(bytes) => inputs.extend_from_slice(bytes),
                Event::Output(bytes) => outputs.extend_from_slice(bytes),
                _ => {}
            }
            Ok(())
        })
        .run()
        .unwrap();
    drop(out_write);
    assert!(status.success());
    let out = reader.join().unwrap();
    assert_eq!(out, b"abc\r\nabc\r\n", "the echo and cat's copy");
    assert_eq!(outputs, out, "Output events are exactly what was written out");
    assert_eq!(inputs, b"abc\n", "Input events are exactly what was read");
}

#[test]
fn stdin_read_callback_supplies_the_input() {
    let _s = serial();
    let null = std::fs::File::open("/dev/null").unwrap();
    let mut given = false;
    let mut out = Vec::new();
    let status = Relay::new(sh("read x; echo \"got=$x.\""))
        .input(Some(null.as_fd()))
        .output(None)
        .stdin_read(|_, buf| {
            if given {
                return Ok(0);
            }
            given = true;
            buf[..9].copy_from_slice(b"injected\n");
            Ok(9)
        })
        .master_read(|fd, buf| {
            let n = ptyx::read(fd, buf)?;
            out.extend_from_slice(&buf[..n]);
            Ok(n)
        })
        .run()
        .unwrap();
    assert!(status.success());
    assert_eq!(value(&out, "got=").as_deref(), Some("injected"), "{:?}", String::from_utf8_lossy(&out));
}

#[test]
fn one_byte_buffer_still_relays_every_byte_in_order() {
    let _s = serial();
    const LEN: usize = 100_000;
    let (out_read, out_write) = pipe();
    let reader = drain(out_read);
    let mut cmd = Command::new(pattern_example());
    cmd.arg(LEN.to_string());
    let status = Relay::new(cmd).input(None).output(Some(out_write.as_fd())).buffer_size(1).run().unwrap();
    drop(out_write);
    assert!(status.success());
    assert_pattern(&reader.join().unwrap(), LEN, "relayed one byte at a time");
}

#[test]
fn event_handler_error_ends_the_session_and_is_returned() {
    let _s = serial();
    let mut pid = None;
    let mut seen = Vec::new();
    let start = Instant::now();
    let err = Relay::new(sh("echo \"pid=$$.\"; exec sleep 30"))
        .input(None)
        .output(None)
        .on_event(|_, event| {
            if let Event::Output(bytes) = event {
                seen.extend_from_slice(bytes);
                if let Some(p) = value(&seen, "pid=") {
                    pid = p.parse::<i32>().ok();
                    return Err(io::Error::other("disk full"));
                }
            }
            Ok(())
        })
        .run()
        .unwrap_err();
    assert_eq!(err.to_string(), "disk full");
    assert!(start.elapsed() < Duration::from_secs(10), "the child was not stopped: {:?}", start.elapsed());
    assert!(gone(pid.expect("pid seen")), "the child was left behind");
}

#[test]
fn master_read_error_ends_the_session_and_is_returned() {
    let _s = serial();
    let mut pid = None;
    let mut seen = Vec::new();
    let start = Instant::now();
    let err = Relay::new(sh("echo \"pid=$$.\"; exec sleep 30"))
        .input(None)
        .output(None)
        .master_read(|fd, buf| {
            let n = ptyx::read(fd, buf)?;
            seen.extend_from_slice(&buf[..n]);
            if let Some(p) = value(&seen, "pid=") {
                pid = p.parse::<i32>().ok();
                return Err(io::Error::other("recorder failed"));
            }
            Ok(n)
        })
        .run()
        .unwrap_err();
    assert_eq!(err.to_string(), "recorder failed");
    assert!(start.elapsed() < Duration::from_secs(10), "the child was not stopped: {:?}", start.elapsed());
    assert!(gone(pid.expect("pid seen")), "the child was left behind");
}

/// Runs `script` in a relay and raises `sig` in this process from inside the output callback once
/// the script printed `ready` (the relay's handlers are certainly installed then). When the relay
/// reports a signal, types `go` at the program. Returns the status and the signals reported.
fn raise_during_relay(
    script: &str,
    sig: i32,
    configure: impl FnOnce(Relay<'_>) -> Relay<'_>,
) -> (ptyx::ExitStatus, Vec<i32>) {
    use std::cell::{Cell, RefCell};
    use std::os::fd::AsRawFd;
    // Caught by the relay only if not ignored, which this process may have inherited.
    // SAFETY: signal(2); the tests here run one at a time.
    unsafe { libc::signal(sig, libc::SIG_DFL) };
    let master = Cell::new(-1);
    let reported = RefCell::new(Vec::new());
    let mut seen = Vec::new();
    let relay = Relay::new(sh(script))
        .input(None)
        .output(None)
        .master_read(|fd, buf| {
            let n = ptyx::read(fd, buf)?;
            seen.extend_from_slice(&buf[..n]);
            if master.get() < 0 && common::find(&seen, b"ready").is_some() {
                master.set(fd.as_raw_fd());
                // SAFETY: raise(3); the relay's handler for `sig` is installed while it runs.
                assert_eq!(unsafe { libc::raise(sig) }, 0);
            }
            Ok(n)
        })
        .on_event(|_, event| {
            if let Event::Signal(s) = event {
                reported.borrow_mut().push(s);
                // SAFETY: the master descriptor stays open while the relay runs.
                unsafe { libc::write(master.get(), b"go\r".as_ptr().cast(), 3) };
            }
            Ok(())
        });
    let status = configure(relay).run().unwrap();
    let reported = reported.into_inner();
    (status, reported)
}

#[test]
fn sigterm_to_this_process_during_a_relay_is_forwarded_and_reported() {
    let _s = serial();
    let (status, reported) = raise_during_relay("echo ready; exec sleep 30", libc::SIGTERM, |r| r);
    assert_eq!(status.signal(), Some(libc::SIGTERM), "{status:?}");
    assert_eq!(reported, [libc::SIGTERM]);
}

/// CPU time of the calling thread (the relay runs on it).
fn thread_cpu() -> Duration {
    // SAFETY: a zeroed rusage is a valid out-parameter of getrusage(2).
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: RUSAGE_THREAD with a valid pointer.
    assert_eq!(unsafe { libc::getrusage(libc::RUSAGE_THREAD, &mut usage) }, 0);
    let tv = |t: libc::timeval| Duration::new(t.tv_sec as u64, t.tv_usec as u32 * 1000);
    tv(usage.ru_utime) + tv(usage.ru_stime)
}

#[test]
fn a_failed_handler_does_not_make_the_relay_spin_until_the_child_is_gone() {
    let _s = serial();
    // The child ignores the SIGTERM the failure sends and keeps writing: it lives until the
    // SIGKILL 0.5 s later, its output waiting on the master all that time.
    let before = thread_cpu();
    let start = Instant::now();
    let err = Relay::new(sh("trap '' TERM; while :; do echo x; sleep 0.05; done"))
        .input(None)
        .output(None)
        .kill_after(Some(Duration::from_millis(500)))
        .on_event(|_, event| match event {
            Event::Output(_) => Err(io::Error::other("disk full")),
            _ => Ok(()),
        })
        .run()
        .unwrap_err();
    let (took, cpu) = (start.elapsed(), thread_cpu() - before);
    assert_eq!(err.to_string(), "disk full");
    assert!(took >= Duration::from_millis(500), "ended after {took:?}, before the SIGKILL");
    assert!(cpu < Duration::from_millis(150), "the relay used {cpu:?} of CPU in {took:?}");
}

#[test]
fn kill_after_kills_a_child_that_ignores_the_forwarded_signal() {
    let _s = serial();
    let (status, reported) = raise_during_relay("trap '' TERM; echo ready; exec sleep 30", libc::SIGTERM, |r| {
        r.kill_after(Some(Duration::from_millis(200)))
    });
    assert_eq!(status.signal(), Some(libc::SIGKILL), "{status:?}");
    assert_eq!(reported, [libc::SIGTERM]);
}

#[test]
fn report_signal_is_reported_and_not_forwarded() {
    let _s = serial();
    // The child exits 4 once it reads the line typed when the signal is reported; SIGUSR1
    // forwarded to it would kill it first.
    let (status, reported) =
        raise_during_relay("echo ready; read x; exit 4", libc::SIGUSR1, |r| r.report_signal(libc::SIGUSR1));
    assert_eq!(status.code(), Some(4), "{status:?}");
    assert_eq!(reported, [libc::SIGUSR1]);
}

#[test]
fn on_spawn_error_is_told_the_error_run_returns_and_only_for_a_failed_start() {
    let _s = serial();
    let dir = tempfile::tempdir().unwrap();
    let not_executable = dir.path().join("data");
    std::fs::write(&not_executable, "not a program").unwrap();
    let null = std::fs::File::open("/dev/null").unwrap();
    for (program, kind) in [
        (std::path::PathBuf::from("no-such-program-ptyx"), io::ErrorKind::NotFound),
        (not_executable, io::ErrorKind::PermissionDenied),
    ] {
        let mut told = None;
        let err = Relay::new(Command::new(&program))
            .input(Some(null.as_fd()))
            .output(None)
            .on_spawn_error(|e| told = Some((e.kind(), e.raw_os_error())))
            .run()
            .unwrap_err();
        assert_eq!(err.kind(), kind, "{program:?}: {err}");
        assert_eq!(told, Some((err.kind(), err.raw_os_error())), "{program:?}");
    }
    // A program that starts, and one whose callback fails, are no failed start.
    let mut told = false;
    let status =
        Relay::new(sh("exit 3")).input(Some(null.as_fd())).output(None).on_spawn_error(|_| told = true).run().unwrap();
    assert_eq!(status.code(), Some(3));
    let mut told_failed = false;
    let err = Relay::new(sh("echo hi; exec sleep 30"))
        .input(Some(null.as_fd()))
        .output(None)
        .master_read(|_, _| Err(io::Error::other("callback failed")))
        .on_spawn_error(|_| told_failed = true)
        .run()
        .unwrap_err();
    assert_eq!(err.to_string(), "callback failed");
    assert!(!told && !told_failed);
}

#[test]
fn on_interrupt_runs_when_a_signal_interrupts_the_wait_and_its_error_ends_the_session() {
    use std::sync::mpsc::{channel, RecvTimeoutError};
    let _s = serial();
    // A signal with a handler of the caller's (doing nothing), which the relay does not catch.
    extern "C" fn nothing(_: libc::c_int) {}
    // SAFETY: a zeroed sigaction is a valid "default, empty mask" value; the handler installed
    // does nothing, which is async-signal-safe; the previous disposition is put back below.
    let previous = unsafe {
        let mut action: libc::sigaction = std::mem::zeroed();
        action.sa_sigaction = nothing as *const () as libc::sighandler_t;
        let mut previous: libc::sigaction = std::mem::zeroed();
        assert_eq!(libc::sigaction(libc::SIGUSR2, &action, &mut previous), 0);
        previous
    };
    // SAFETY: pthread_self has no preconditions.
    let relay_thread = unsafe { libc::pthread_self() };
    let (done, stop) = channel::<()>();
    // Interrupt this thread until the relay is over: the relay spends its time waiting in poll,
    // so signals land there, and each one it sees is one call of the hook.
    let signaller = std::thread::spawn(move || {
        while let Err(RecvTimeoutError::Timeout) = stop.recv_timeout(Duration::from_millis(20)) {
            // SAFETY: the test thread outlives this loop (it joins this thread); SIGUSR2 has the
            // handler installed above.
            unsafe { libc::pthread_kill(relay_thread, libc::SIGUSR2) };
        }
    });
    let null = std::fs::File::open("/dev/null").unwrap();
    let mut calls = 0;
    let result = Relay::new(sh("exec sleep 30"))
        .input(Some(null.as_fd()))
        .output(None)
        .on_interrupt(|| {
            calls += 1;
            if calls < 3 {
                Ok(())
            } else {
                Err(io::Error::other("a handler of the caller's failed"))
            }
        })
        .run();
    drop(done);
    signaller.join().unwrap();
    // SAFETY: restoring the disposition sigaction reported.
    unsafe { libc::sigaction(libc::SIGUSR2, &previous, std::ptr::null_mut()) };
    assert_eq!(result.unwrap_err().to_string(), "a handler of the caller's failed");
    assert_eq!(calls, 3, "the hook is not called again once it failed");
}
