//! The relay: the one copy loop of ptyx. It runs a program on a pty (a [`Command`] it starts, or a
//! [`Child`] already running) and copies the caller's input to the program and the program's
//! output back, on [poll(2)](https://man7.org/linux/man-pages/man2/poll.2.html), while forwarding
//! signals and window-size changes. [`spawn`](crate::spawn) is this loop with Python's defaults;
//! a recorder is this loop with an [`Event`] handler; an expect session's `interact` is this loop
//! on its child until an escape byte.
//!
//! Invariants the loop keeps:
//! - Neither direction can block the other: the master is non-blocking and both directions are
//!   buffered, so a program that never reads its input still has its output copied.
//! - Nothing the program wrote is lost: the loop ends on the master's end of file (which Linux
//!   reports only after the last byte), or, when a background process keeps the pty open after the
//!   child exited, once the pty has been quiet for the grace period. Buffered output is written
//!   out before returning.
//! - The child is reaped before the master closes, so it never gets a hang-up it did not cause.
//! - The terminal mode and the parent's signal handlers are back as they were on every way out.
//!
//! Files: `callbacks.rs` (the caller's callbacks), `copy_loop.rs` (the loop), `poll_set.rs` (what
//! one turn waits on), `pending.rs` (the queues), `eof.rs` (forwarding the end of input).

mod callbacks;
mod copy_loop;
mod eof;
mod pending;
mod poll_set;

use std::io;
use std::os::fd::{AsFd, BorrowedFd};
use std::process::ExitStatus;
use std::time::{Duration, Instant};

pub use callbacks::{EventFn, ReadFn, VecReadFn};

use callbacks::{Callbacks, Reader};
use copy_loop::{CopyLoop, Ends, Stop};

use crate::child::Child;
use crate::command::Command;
use crate::signals::Subscription;
use crate::tty::ModeGuard;
use crate::winsize::{self, Winsize};

/// Default size of the buffer the callbacks read into: 64 KiB.
///
/// Measured (see BENCHMARKS.md): a read from a Linux pty master returns at most 4095 bytes (the
/// line discipline's buffer), so any size from 4 KiB up needs the same number of reads, and
/// Python's 1 KiB four times as many. The relay fills the buffer with successive reads before it
/// copies the output out in one write, so its size sets how many reads share a write: with
/// 64 KiB, recording 64 MiB takes about 2,500 output writes instead of 17,000 (one per read), and
/// about 4 % less CPU.
pub const DEFAULT_BUFFER_SIZE: usize = 64 * 1024;

/// Signals that end the session: forwarded to the child's process group.
const TERMINATING: [i32; 4] = [libc::SIGTERM, libc::SIGHUP, libc::SIGINT, libc::SIGQUIT];

/// Something that happened during a session, reported to the [`Relay::on_event`] handler.
///
/// ```
/// use std::os::fd::AsFd;
/// let null = std::fs::File::open("/dev/null")?;
/// let mut output = Vec::new();
/// let status = ptyx::Relay::new(ptyx::Command::new("echo").arg("hi").clone())
///     .input(Some(null.as_fd()))
///     .output(None)
///     .on_event(|_since_start, event| {
///         if let ptyx::Event::Output(bytes) = event {
///             output.extend_from_slice(bytes);
///         }
///         Ok(())
///     })
///     .run()?;
/// assert!(status.success());
/// assert_eq!(output, b"hi\r\n");
/// # Ok::<(), std::io::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Event<'a> {
    /// The program wrote these bytes to its terminal.
    Output(&'a [u8]),
    /// These bytes were read from the input and will be written to the program's terminal.
    Input(&'a [u8]),
    /// The pty was resized after the input terminal was (`SIGWINCH`).
    Resize(Winsize),
    /// The relay's process received this signal; a terminating one was forwarded to the child.
    Signal(i32),
}

/// How [`Relay::run_until_escape`] ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Ended {
    /// The program ended (its output reached end of file) and was reaped, with this status.
    Exited(ExitStatus),
    /// The escape byte was read from the input. An attached child goes on running.
    Escape,
    /// The input ended, and [`forward_eof`](Relay::forward_eof) is off, so there is no more to
    /// relay. An attached child goes on running.
    InputEnded,
}

/// What the relay runs on.
enum Target<'a> {
    /// A command to start, reap and drop.
    Spawn(Command),
    /// A child the caller owns, and keeps.
    Attach(&'a mut Child),
}

/// The relay's settings.
struct Options {
    buffer_size: usize,
    forward_eof: bool,
    raw: bool,
    kill_after: Option<Duration>,
    grace: Duration,
    report: Vec<i32>,
    forward_signals: bool,
}

/// Runs a program on a pty and relays between it and the caller's input and output.
///
/// ```no_run
/// use std::io::Write;
/// let mut log = std::fs::File::create("session.log")?;
/// let status = ptyx::Relay::new(ptyx::Command::new("bash"))
///     .on_event(|_, event| match event {
///         ptyx::Event::Output(bytes) => log.write_all(bytes),
///         _ => Ok(()),
///     })
///     .run()?;
/// println!("bash exited with {status}");
/// # Ok::<(), std::io::Error>(())
/// ```
#[must_use = "a Relay does nothing until it is run"]
pub struct Relay<'a> {
    target: Target<'a>,
    input: Option<BorrowedFd<'a>>,
    output: Option<BorrowedFd<'a>>,
    callbacks: Callbacks<'a>,
    options: Options,
}

impl<'a> Relay<'a> {
    /// A relay that starts `command` on a new pty, between stdin and stdout, with Python's
    /// behaviour: raw mode on stdin when it is a terminal, the default [`read`](crate::read)
    /// callbacks. It reaps the program and returns its status.
    pub fn new(command: Command) -> Relay<'a> {
        Relay::with_target(Target::Spawn(command))
    }

    /// A relay on a child that is already running, which stays the caller's: the relay neither
    /// hangs it up nor kills it (an error of a callback or the handler is returned at once), and
    /// [`run_until_escape`](Relay::run_until_escape) returns without reaping it. The pty takes the
    /// input terminal's size when the relay starts. The master's non-blocking flag is put back as
    /// it was when the relay ends.
    ///
    /// ```no_run
    /// # fn main() -> std::io::Result<()> {
    /// let mut child = ptyx::Command::new("bash").spawn()?;
    /// // ... drive it, then hand it to the user until they type Ctrl-]:
    /// match ptyx::Relay::attach(&mut child).run_until_escape(0x1d)? {
    ///     ptyx::Ended::Escape => println!("back in control; bash still runs"),
    ///     ended => println!("{ended:?}"),
    /// }
    /// # Ok(()) }
    /// ```
    pub fn attach(child: &'a mut Child) -> Relay<'a> {
        Relay::with_target(Target::Attach(child))
    }

    fn with_target(target: Target<'a>) -> Relay<'a> {
        Relay {
            target,
            input: Some(rustix::stdio::stdin()),
            output: Some(rustix::stdio::stdout()),
            callbacks: Callbacks {
                master: Reader::Buffer(Box::new(crate::read)),
                input: Reader::Buffer(Box::new(crate::read)),
                on_event: None,
                on_spawn_error: None,
                on_interrupt: None,
            },
            options: Options {
                buffer_size: DEFAULT_BUFFER_SIZE,
                forward_eof: true,
                raw: true,
                kill_after: None,
                grace: Duration::from_millis(100),
                report: Vec::new(),
                forward_signals: true,
            },
        }
    }

    /// Where input comes from (default: stdin); `None` for no input at all. When it is a terminal
    /// the pty starts with its size and follows its resizes.
    pub fn input(mut self, fd: Option<BorrowedFd<'a>>) -> Self {
        self.input = fd;
        self
    }

    /// Where output goes (default: stdout); `None` to only pass it to the callbacks. If writing
    /// fails (a closed pipe), output stops being copied there but the session goes on.
    pub fn output(mut self, fd: Option<BorrowedFd<'a>>) -> Self {
        self.output = fd;
        self
    }

    /// Python's `master_read`: called when the master is readable, reads from it into the buffer.
    ///
    /// `Ok(0)` is end of file: if the program's side of the terminal is still open then (the
    /// callback chose to stop), a relay that started the program hangs the terminal up, as
    /// Python's `pty.spawn` closes the master, and the program gets `SIGHUP`; the relay then waits
    /// for it to exit (at most [`kill_after`](Relay::kill_after) before `SIGKILL`, if set).
    /// `WouldBlock` and `Interrupted` mean "nothing now". Any other error ends the session as an
    /// error of the [`on_event`](Relay::on_event) handler does.
    pub fn master_read(mut self, f: impl FnMut(BorrowedFd<'_>, &mut [u8]) -> io::Result<usize> + 'a) -> Self {
        self.callbacks.master = Reader::Buffer(Box::new(f));
        self
    }

    /// Python's `stdin_read`: called when the input is readable, reads from it into the buffer.
    ///
    /// `Ok(0)` and `EIO` (a hung-up terminal) are the end of the input; `WouldBlock` and
    /// `Interrupted` mean "nothing now". Any other error ends the session as an error of the
    /// [`on_event`](Relay::on_event) handler does.
    pub fn stdin_read(mut self, f: impl FnMut(BorrowedFd<'_>, &mut [u8]) -> io::Result<usize> + 'a) -> Self {
        self.callbacks.input = Reader::Buffer(Box::new(f));
        self
    }

    /// [`master_read`](Relay::master_read) for a callback that produces its bytes itself, any
    /// number of them (a Python callback returns a `bytes` of any size): it appends them to the
    /// vector it is given and returns how many. Nothing of a large return is lost.
    pub fn master_read_vec(mut self, f: impl FnMut(BorrowedFd<'_>, &mut Vec<u8>) -> io::Result<usize> + 'a) -> Self {
        self.callbacks.master = Reader::Vec(Box::new(f));
        self
    }

    /// [`stdin_read`](Relay::stdin_read) for a callback that produces its bytes itself; see
    /// [`master_read_vec`](Relay::master_read_vec).
    pub fn stdin_read_vec(mut self, f: impl FnMut(BorrowedFd<'_>, &mut Vec<u8>) -> io::Result<usize> + 'a) -> Self {
        self.callbacks.input = Reader::Vec(Box::new(f));
        self
    }

    /// Reports output, input, resizes and signals with their time since the start. An error from
    /// the handler (a full disk) ends the session: a program the relay started gets `SIGTERM`
    /// (and `SIGKILL` after [`kill_after`](Relay::kill_after), 2 s if unset), is reaped, and
    /// [`run`](Relay::run) returns the error; on an [attached](Relay::attach) child the relay
    /// returns the error at once.
    pub fn on_event(mut self, f: impl FnMut(Duration, Event<'_>) -> io::Result<()> + 'a) -> Self {
        self.callbacks.on_event = Some(Box::new(f));
        self
    }

    /// Calls `f` with the error when the program cannot be started (as [`Command::spawn`] fails:
    /// a missing program, one that is not executable, no pty left), just before
    /// [`run`](Relay::run) returns that same error. It tells a failed start from the relay's own
    /// failures, which `run` returns alike: Python's `ptyx.spawn` raises the first with the
    /// program's name, as `subprocess` does. Not called for a relay made with
    /// [`attach`](Relay::attach).
    ///
    /// ```
    /// let mut failed = None;
    /// let result = ptyx::Relay::new(ptyx::Command::new("no-such-program-here"))
    ///     .on_spawn_error(|e| failed = Some(e.kind()))
    ///     .run();
    /// assert!(result.is_err());
    /// assert_eq!(failed, Some(std::io::ErrorKind::NotFound));
    /// ```
    pub fn on_spawn_error(mut self, f: impl FnOnce(&io::Error) + 'a) -> Self {
        self.callbacks.on_spawn_error = Some(Box::new(f));
        self
    }

    /// Calls `f` whenever a signal interrupts the relay's wait (poll(2) fails with `EINTR`): a
    /// signal with a handler of the caller's, which the relay neither catches nor forwards, has
    /// been handled. An error from `f` ends the session as an error of the
    /// [`on_event`](Relay::on_event) handler does. Python's `ptyx.spawn` runs the interpreter's
    /// pending signal handlers here, so that an exception one raises (`signal.alarm`'s handler
    /// raising `TimeoutError`) ends `spawn` as it ends `pty.spawn`. A signal that arrives while the
    /// relay is not waiting is seen at the next interrupted wait, or not at all.
    pub fn on_interrupt(mut self, f: impl FnMut() -> io::Result<()> + 'a) -> Self {
        self.callbacks.on_interrupt = Some(Box::new(f));
        self
    }

    /// Size of the buffer the callbacks read into (default [`DEFAULT_BUFFER_SIZE`]; at least 1).
    pub fn buffer_size(mut self, size: usize) -> Self {
        self.options.buffer_size = size.max(1);
        self
    }

    /// Whether the end of the input reaches the program as end of file (default: yes).
    ///
    /// A terminal has no end of file, only the EOF character (`VEOF`, usually `^D`) that the
    /// line discipline turns into a zero-length read in canonical mode. Sent once, it can be lost:
    /// written before the program starts reading, it may meet a program that switches the terminal
    /// to raw mode first (an interactive shell), which turns it into a plain byte or flushes it.
    /// So after the input ends and all of it is written, the relay sends `VEOF`, then checks at
    /// growing intervals (50 ms to 2 s) whether the program's input queue is empty, and sends it
    /// again each time it is: every read the program makes after the input ended sees end of file,
    /// as it would reading an exhausted pipe. The check opens the slave through the master
    /// (`TIOCGPTPEER`) and asks its queue length (`FIONREAD`), so no descriptor stays open.
    pub fn forward_eof(mut self, forward: bool) -> Self {
        self.options.forward_eof = forward;
        self
    }

    /// Whether to put an input terminal in raw mode for the session (default: yes), so that keys
    /// reach the program unprocessed and the pty's line discipline does the echo and editing.
    pub fn raw_mode(mut self, raw: bool) -> Self {
        self.options.raw = raw;
        self
    }

    /// After forwarding a terminating signal (`SIGTERM`, `SIGHUP`, `SIGINT`, `SIGQUIT`) to the
    /// child's process group, or hanging the terminal up, send `SIGKILL` if the child is still
    /// running this much later. Default: never, the child decides.
    pub fn kill_after(mut self, after: Option<Duration>) -> Self {
        self.options.kill_after = after;
        self
    }

    /// How long to keep reading after the child exited while another process (started in the
    /// background) holds the pty open: the session ends once the pty has been quiet this long,
    /// or ten times this long after the child's exit at most. Default 100 ms. The usual ending,
    /// the pty's end of file, does not wait.
    pub fn grace(mut self, grace: Duration) -> Self {
        self.options.grace = grace;
        self
    }

    /// Also catch `signal` while the session runs and report it as [`Event::Signal`], without
    /// forwarding it (a recorder uses `SIGUSR1` to flush its files).
    pub fn report_signal(mut self, signal: i32) -> Self {
        self.options.report.push(signal);
        self
    }

    /// Whether to catch `SIGTERM`, `SIGHUP`, `SIGINT` and `SIGQUIT` while the session runs and
    /// forward them to the program, and `SIGWINCH` to follow the input terminal's size (default:
    /// yes). Off, the process's handlers are left alone: a `SIGINT` to this process does what it
    /// did before, as with `std::process::Command`. Signals asked for with
    /// [`report_signal`](Relay::report_signal) are caught either way.
    pub fn forward_signals(mut self, forward: bool) -> Self {
        self.options.forward_signals = forward;
        self
    }

    /// Runs until the session ends; returns the program's exit status. A relay made with
    /// [`new`](Relay::new) starts the program first.
    ///
    /// # Errors
    ///
    /// The program could not be started (as [`Command::spawn`]); poll(2) or a signal handler
    /// could not be set up; or a callback or the event handler failed (its error is returned once
    /// the program is gone).
    pub fn run(self) -> io::Result<ExitStatus> {
        match self.run_inner(None)? {
            Ended::Exited(status) => Ok(status),
            // Only possible with an escape byte or an attached child and no forwarded end of input.
            Ended::Escape | Ended::InputEnded => Err(io::Error::other("the relay ended before the program")),
        }
    }

    /// Runs until the session ends or `escape` is read from the input (not passed on: what was
    /// typed before it reaches the program, what follows it in the same read is dropped), or,
    /// with [`forward_eof`](Relay::forward_eof) off, the input ends. An [attached](Relay::attach)
    /// child keeps running after an escape; one the relay started is hung up and reaped.
    ///
    /// # Errors
    ///
    /// As [`run`](Relay::run).
    pub fn run_until_escape(self, escape: u8) -> io::Result<Ended> {
        self.run_inner(Some(escape))
    }

    fn run_inner(self, escape: Option<u8>) -> io::Result<Ended> {
        let start = Instant::now();
        // Before any descriptor of the relay's own exists, which could otherwise take a closed
        // stdin's or stdout's number.
        let _held = crate::fd::HeldStdio::new()?;
        let Relay { target, input, output, mut callbacks, options } = self;
        let input_tty = input.filter(|fd| rustix::termios::isatty(fd));
        let mut wanted = Vec::new();
        if options.forward_signals {
            wanted.extend(TERMINATING);
            wanted.push(libc::SIGWINCH);
        }
        wanted.extend(options.report.iter().copied());
        // Catch signals before the child exists, so none sent from then on is missed.
        let signals = if wanted.is_empty() { None } else { Some(Subscription::new(&wanted)?) };
        // Raw mode before the child exists too: its first output already meets the final mode,
        // and a failed spawn restores the terminal through the guard.
        let mode = match input_tty {
            Some(tty) if options.raw => Some(ModeGuard::raw(tty)?),
            _ => None,
        };
        let ends = Ends { input, output, input_tty };
        let result = match target {
            Target::Spawn(mut command) => {
                if let Some(size) = input_tty.and_then(winsize::of_terminal) {
                    if command.explicit_window_size().is_none() {
                        command.window_size(size);
                    }
                }
                let mut child = match command.spawn() {
                    Ok(child) => child,
                    Err(e) => {
                        if let Some(told) = callbacks.on_spawn_error.take() {
                            told(&e);
                        }
                        return Err(e);
                    }
                };
                child.master().set_nonblocking(true)?;
                let mut copy =
                    CopyLoop::new(&mut child, true, ends, &mut callbacks, &options, signals.as_ref(), escape, start);
                let stop = copy.run();
                let finished = copy.finish();
                end_owned(&mut child, stop, finished, &options)
            }
            Target::Attach(child) => {
                if let Some(tty) = input_tty {
                    // A terminal that does not know its size (0x0) leaves the pty's as it is.
                    winsize::inherit(tty, child.master())?;
                }
                let was_nonblocking = crate::fd::set_nonblocking(child.master().as_fd(), true)?;
                let mut copy =
                    CopyLoop::new(child, false, ends, &mut callbacks, &options, signals.as_ref(), escape, start);
                let stop = copy.run();
                let finished = copy.finish();
                drop(copy);
                let restored = crate::fd::set_nonblocking(child.master().as_fd(), was_nonblocking);
                end_attached(child, stop, finished).and_then(|ended| restored.map(|_| ended))
            }
        };
        if let Some(mode) = mode {
            match mode.restore() {
                // The terminal hung up (its window closed): there is no mode left to restore, and
                // the child's status is what the caller needs.
                Err(e) if e.raw_os_error() == Some(libc::EIO) => {}
                other => other?,
            }
        }
        drop(signals);
        result
    }
}

/// Ends a session on a child the relay started: whatever stopped the loop, the child is gone and
/// reaped when this returns.
fn end_owned(
    child: &mut Child,
    stop: io::Result<Stop>,
    finished: io::Result<()>,
    options: &Options,
) -> io::Result<Ended> {
    let ended = match stop {
        Ok(Stop::Exited) => Ok(Ended::Exited(child.wait()?)),
        Ok(stop @ (Stop::Escape | Stop::InputEnded | Stop::Failed)) => {
            // The caller is done with the program: hang it up as closing its window would, and
            // make sure nothing of it is left.
            child.terminate(options.kill_after.unwrap_or(Duration::from_secs(2)))?;
            Ok(if stop == Stop::Escape { Ended::Escape } else { Ended::InputEnded })
        }
        Err(e) => {
            // The loop itself failed (poll): do not leave the child behind.
            let _ = child.kill();
            let _ = child.wait();
            Err(e)
        }
    };
    finished?;
    ended
}

/// Ends a session on a child the caller owns: it is reaped only if it ended.
fn end_attached(child: &mut Child, stop: io::Result<Stop>, finished: io::Result<()>) -> io::Result<Ended> {
    let stop = stop?;
    finished?;
    Ok(match stop {
        Stop::Exited => Ended::Exited(child.wait()?),
        Stop::Escape => Ended::Escape,
        Stop::InputEnded | Stop::Failed => Ended::InputEnded,
    })
}
