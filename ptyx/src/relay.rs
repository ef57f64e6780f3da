//! The relay: the one copy loop of ptyx. It runs a [`Command`] on a pty and copies the user's input
//! to the program and the program's output back, on [poll(2)](https://man7.org/linux/man-pages/man2/poll.2.html),
//! while forwarding signals and window-size changes. [`spawn`](crate::spawn) is this loop with
//! Python's defaults; a recorder is this loop with an [`Event`] handler.
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

use std::io;
use std::os::fd::{AsFd, BorrowedFd};
use std::process::ExitStatus;
use std::time::{Duration, Instant};

use rustix::event::{PollFd, PollFlags};
use rustix::termios::SpecialCodeIndex;

use crate::command::{Child, Command};
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

/// How often, at first, to check whether a program whose input has ended is waiting for more
/// (see [`Relay::forward_eof`]); the interval doubles up to [`EOF_RECHECK_MAX`].
const EOF_RECHECK: Duration = Duration::from_millis(50);
const EOF_RECHECK_MAX: Duration = Duration::from_secs(2);

/// Output held for a slow output descriptor before the relay stops reading the master (the child
/// then blocks in write, which is the back-pressure it would get from a real terminal).
const MAX_PENDING: usize = 1024 * 1024;

/// A callback that reads from `fd` into the buffer and returns the count; `Ok(0)` is end of file.
/// The signature of Python's `master_read`/`stdin_read`, with the buffer passed in.
pub type ReadFn<'a> = Box<dyn FnMut(BorrowedFd<'_>, &mut [u8]) -> io::Result<usize> + 'a>;

/// A handler of what happens during a session, with the time since the relay started.
pub type EventFn<'a> = Box<dyn FnMut(Duration, Event<'_>) -> io::Result<()> + 'a>;

/// Something that happened during a session, reported to the [`Relay::on_event`] handler.
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

/// Runs a [`Command`] on a pty and relays between it and the caller's input and output.
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
pub struct Relay<'a> {
    command: Command,
    input: Option<BorrowedFd<'a>>,
    output: Option<BorrowedFd<'a>>,
    master_read: ReadFn<'a>,
    input_read: ReadFn<'a>,
    on_event: Option<EventFn<'a>>,
    buffer_size: usize,
    forward_eof: bool,
    raw: bool,
    kill_after: Option<Duration>,
    grace: Duration,
    report: Vec<i32>,
}

impl<'a> Relay<'a> {
    /// A relay for `command` between stdin and stdout, with Python's behaviour: raw mode on stdin
    /// when it is a terminal, the default [`read`](crate::read) callbacks.
    pub fn new(command: Command) -> Relay<'a> {
        Relay {
            command,
            input: Some(rustix::stdio::stdin()),
            output: Some(rustix::stdio::stdout()),
            master_read: Box::new(crate::read),
            input_read: Box::new(crate::read),
            on_event: None,
            buffer_size: DEFAULT_BUFFER_SIZE,
            forward_eof: true,
            raw: true,
            kill_after: None,
            grace: Duration::from_millis(100),
            report: Vec::new(),
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
    pub fn master_read(mut self, f: impl FnMut(BorrowedFd<'_>, &mut [u8]) -> io::Result<usize> + 'a) -> Self {
        self.master_read = Box::new(f);
        self
    }

    /// Python's `stdin_read`: called when the input is readable, reads from it into the buffer.
    pub fn stdin_read(mut self, f: impl FnMut(BorrowedFd<'_>, &mut [u8]) -> io::Result<usize> + 'a) -> Self {
        self.input_read = Box::new(f);
        self
    }

    /// Reports output, input, resizes and signals with their time since the start. An error from
    /// the handler (a full disk) ends the session: the child gets `SIGTERM` (and `SIGKILL` after
    /// [`kill_after`](Relay::kill_after), 2 s if unset), is reaped, and [`run`](Relay::run)
    /// returns the error.
    pub fn on_event(mut self, f: impl FnMut(Duration, Event<'_>) -> io::Result<()> + 'a) -> Self {
        self.on_event = Some(Box::new(f));
        self
    }

    /// Size of the buffer the callbacks read into (default [`DEFAULT_BUFFER_SIZE`]; at least 1).
    pub fn buffer_size(mut self, size: usize) -> Self {
        self.buffer_size = size.max(1);
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
        self.forward_eof = forward;
        self
    }

    /// Whether to put an input terminal in raw mode for the session (default: yes), so that keys
    /// reach the program unprocessed and the pty's line discipline does the echo and editing.
    pub fn raw_mode(mut self, raw: bool) -> Self {
        self.raw = raw;
        self
    }

    /// After forwarding a terminating signal (`SIGTERM`, `SIGHUP`, `SIGINT`, `SIGQUIT`) to the
    /// child's process group, send `SIGKILL` if the child is still running this much later.
    /// Default: never, the child decides.
    pub fn kill_after(mut self, after: Option<Duration>) -> Self {
        self.kill_after = after;
        self
    }

    /// How long to keep reading after the child exited while another process (started in the
    /// background) holds the pty open: the session ends once the pty has been quiet this long,
    /// or ten times this long after the child's exit at most. Default 100 ms. The usual ending,
    /// the pty's end of file, does not wait.
    pub fn grace(mut self, grace: Duration) -> Self {
        self.grace = grace;
        self
    }

    /// Also catch `signal` while the session runs and report it as [`Event::Signal`], without
    /// forwarding it (a recorder uses `SIGUSR1` to flush its files).
    pub fn report_signal(mut self, signal: i32) -> Self {
        self.report.push(signal);
        self
    }

    /// Starts the program and relays until the session ends; returns the program's exit status.
    pub fn run(mut self) -> io::Result<ExitStatus> {
        let start = Instant::now();
        let input_tty = self.input.filter(|fd| rustix::termios::isatty(fd));
        if let Some(size) = input_tty.and_then(winsize::of_terminal) {
            if self.command.explicit_window_size().is_none() {
                self.command.window_size(size);
            }
        }
        let mut wanted = TERMINATING.to_vec();
        wanted.push(libc::SIGWINCH);
        wanted.extend(self.report.iter().copied());
        // Catch signals before the child exists, so none sent from then on is missed.
        let signals = Subscription::new(&wanted)?;
        // Raw mode before the child exists too: its first output already meets the final mode,
        // and a failed spawn restores the terminal through the guard.
        let mode = match input_tty {
            Some(tty) if self.raw => Some(ModeGuard::raw(tty)?),
            _ => None,
        };
        let child = self.command.spawn()?;
        let mut session = Session::new(&mut self, child, &signals, start, input_tty)?;
        let result = session.run();
        if result.is_err() {
            // The loop itself failed (poll or a callback): do not leave the child behind.
            let _ = session.child.kill();
        }
        let status = session.finish();
        drop(session);
        if let Some(mode) = mode {
            match mode.restore() {
                // The terminal hung up (its window closed): there is no mode left to restore, and
                // the child's status is what the caller needs.
                Err(e) if e.raw_os_error() == Some(libc::EIO) => {}
                other => other?,
            }
        }
        drop(signals);
        result?;
        status
    }
}

/// What is known about the end of the input.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Eof {
    /// Input still open, or no EOF to forward.
    Idle,
    /// Send `VEOF` once everything before it is written.
    Pending { interval: Duration },
    /// `VEOF` sent; look at the program's input queue again at `check`.
    Sent { check: Instant, interval: Duration },
}

/// One running session: the state of the copy loop.
struct Session<'r, 'a> {
    relay: &'r mut Relay<'a>,
    child: Child,
    signals: &'r Subscription,
    pidfd: Option<std::os::fd::OwnedFd>,
    start: Instant,
    input_tty: Option<BorrowedFd<'a>>,
    buf: Vec<u8>,
    /// Output read from the master and not yet written to the output descriptor.
    to_output: Pending,
    /// Input read and not yet written to the master.
    to_master: Pending,
    /// Output goes straight to a descriptor that never blocks for long (file, /dev/null).
    output_direct: bool,
    /// Largest write that cannot block once poll said the output is writable (pipes: PIPE_BUF).
    output_chunk: usize,
    output_ok: bool,
    input_open: bool,
    master_open: bool,
    eof: Eof,
    exited_at: Option<Instant>,
    last_output: Instant,
    kill_at: Option<Instant>,
    failure: Option<io::Error>,
}

/// Bytes waiting to be written, consumed from the front without moving the rest each time.
#[derive(Default)]
struct Pending {
    data: Vec<u8>,
    pos: usize,
}

impl Pending {
    fn len(&self) -> usize {
        self.data.len() - self.pos
    }

    fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn bytes(&self) -> &[u8] {
        &self.data[self.pos..]
    }

    fn push(&mut self, bytes: &[u8]) {
        // Drop the written prefix once it is half the buffer: a reader that always lags (a slow
        // pipe) would otherwise grow it for the whole session. Moving the rest costs at most what
        // was written since the last move, so pushes stay O(1) amortized.
        if self.pos > 0 && self.pos >= self.data.len() / 2 {
            self.data.drain(..self.pos);
            self.pos = 0;
        }
        self.data.extend_from_slice(bytes);
    }

    fn consume(&mut self, n: usize) {
        self.pos += n;
        if self.pos == self.data.len() {
            self.data.clear();
            self.pos = 0;
        }
    }

    fn clear(&mut self) {
        self.data.clear();
        self.pos = 0;
    }
}

impl<'r, 'a> Session<'r, 'a> {
    fn new(
        relay: &'r mut Relay<'a>,
        child: Child,
        signals: &'r Subscription,
        start: Instant,
        input_tty: Option<BorrowedFd<'a>>,
    ) -> io::Result<Self> {
        child.master().set_nonblocking(true)?;
        let pidfd = crate::wait::pidfd(child.pid());
        let (output_direct, output_chunk) = match relay.output {
            Some(fd) => classify_output(fd),
            None => (true, usize::MAX),
        };
        Ok(Session {
            buf: vec![0; relay.buffer_size],
            output_ok: relay.output.is_some(),
            input_open: relay.input.is_some(),
            relay,
            child,
            signals,
            pidfd,
            start,
            input_tty,
            to_output: Pending::default(),
            to_master: Pending::default(),
            output_direct,
            output_chunk,
            master_open: true,
            eof: Eof::Idle,
            exited_at: None,
            last_output: start,
            kill_at: None,
            failure: None,
        })
    }

    fn run(&mut self) -> io::Result<()> {
        loop {
            let now = Instant::now();
            self.check_timers(now)?;
            if self.done(now) {
                return Ok(());
            }
            let timeout = self.timeout(now);
            let master = self.child.master_fd();
            let mut master_flags = PollFlags::empty();
            if self.master_open && self.to_output.len() < MAX_PENDING {
                master_flags |= PollFlags::IN;
            }
            if self.master_open && (!self.to_master.is_empty() || matches!(self.eof, Eof::Pending { .. })) {
                master_flags |= PollFlags::OUT;
            }
            let input_flags = match self.relay.input {
                Some(_) if self.input_open && self.to_master.len() < MAX_PENDING => PollFlags::IN,
                _ => PollFlags::empty(),
            };
            let output_flags =
                if self.output_ok && !self.to_output.is_empty() { PollFlags::OUT } else { PollFlags::empty() };
            let child_flags = if self.exited_at.is_none() { PollFlags::IN } else { PollFlags::empty() };
            // Only descriptors with something to wait for go in: poll reports POLLHUP/POLLERR even
            // for an empty event mask, so an ended input or a hung-up master left in the set would
            // wake every call and spin.
            let wanted = [
                Some((self.signals.fd(), PollFlags::IN)),
                Some((master, master_flags)),
                self.relay.input.map(|fd| (fd, input_flags)),
                self.relay.output.map(|fd| (fd, output_flags)),
                self.pidfd.as_ref().map(|fd| (fd.as_fd(), child_flags)),
            ];
            let mut fds = Vec::with_capacity(wanted.len());
            let mut slot = [None; 5];
            for (i, (fd, flags)) in wanted.iter().enumerate().filter_map(|(i, w)| w.map(|w| (i, w))) {
                if !flags.is_empty() {
                    slot[i] = Some(fds.len());
                    fds.push(PollFd::from_borrowed_fd(fd, flags));
                }
            }
            match poll(&mut fds, timeout) {
                Ok(_) => {}
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            }
            let ready = slot.map(|i| i.map_or(PollFlags::empty(), |i| fds[i].revents()));
            let any = PollFlags::IN | PollFlags::HUP | PollFlags::ERR;
            if ready[0].intersects(PollFlags::IN) {
                self.handle_signals()?;
            }
            if ready[3].intersects(PollFlags::OUT | PollFlags::ERR | PollFlags::HUP) {
                self.write_output();
            }
            if ready[1].intersects(any) && master_flags.contains(PollFlags::IN) {
                self.read_master()?;
            }
            if ready[1].intersects(PollFlags::OUT | PollFlags::ERR | PollFlags::HUP)
                && master_flags.contains(PollFlags::OUT)
            {
                self.write_master();
            }
            if ready[2].intersects(any) && !input_flags.is_empty() {
                self.read_input();
            }
            if ready[4].intersects(any) || (self.pidfd.is_none() && self.exited_at.is_none()) {
                self.reap()?;
            }
        }
    }

    fn elapsed(&self) -> Duration {
        self.start.elapsed()
    }

    fn emit(&mut self, event: Event<'_>) {
        if self.failure.is_some() {
            return;
        }
        let t = self.elapsed();
        if let Some(handler) = self.relay.on_event.as_mut() {
            if let Err(e) = handler(t, event) {
                self.fail(e);
            }
        }
    }

    /// The handler failed: end the session as a signal to us would, and report the error.
    fn fail(&mut self, e: io::Error) {
        self.failure = Some(e);
        let _ = self.child.signal(libc::SIGTERM);
        self.kill_at = Some(Instant::now() + self.relay.kill_after.unwrap_or(Duration::from_secs(2)));
    }

    fn handle_signals(&mut self) -> io::Result<()> {
        for sig in self.signals.take() {
            if sig == libc::SIGWINCH {
                let Some(size) = self.input_tty.and_then(winsize::of_terminal) else { continue };
                self.child.resize(size)?;
                self.emit(Event::Resize(size));
            } else if TERMINATING.contains(&sig) {
                self.emit(Event::Signal(sig));
                self.child.signal(sig)?;
                if let Some(after) = self.relay.kill_after {
                    self.kill_at.get_or_insert(Instant::now() + after);
                }
            } else {
                self.emit(Event::Signal(sig));
            }
        }
        Ok(())
    }

    fn read_master(&mut self) -> io::Result<()> {
        // Drain what is there before polling again, and copy it out in one write: a pty hands out
        // at most 4095 bytes per read, so successive reads fill the buffer side by side and the
        // output gets one write per buffer instead of one per read.
        let mut filled = 0;
        let result = self.fill_from_master(&mut filled);
        let buf = std::mem::take(&mut self.buf);
        self.queue_output(&buf[..filled]);
        self.buf = buf;
        result
    }

    fn fill_from_master(&mut self, filled: &mut usize) -> io::Result<()> {
        // A read may return up to a pty's 4095 bytes: stop before the space left could cut one.
        let room = self.buf.len().min(4096);
        for _ in 0..16 {
            if self.buf.len() - *filled < room {
                return Ok(());
            }
            let master = self.child.master_fd();
            match (self.relay.master_read)(master, &mut self.buf[*filled..]) {
                Ok(0) => {
                    self.master_open = false;
                    return Ok(());
                }
                Ok(n) => {
                    let n = n.min(self.buf.len() - *filled);
                    self.last_output = Instant::now();
                    let buf = std::mem::take(&mut self.buf);
                    self.emit(Event::Output(&buf[*filled..*filled + n]));
                    self.buf = buf;
                    *filled += n;
                }
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => return Ok(()),
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
        Ok(())
    }

    fn queue_output(&mut self, bytes: &[u8]) {
        if bytes.is_empty() {
            return;
        }
        let Some(out) = self.relay.output.filter(|_| self.output_ok) else { return };
        if self.output_direct && self.to_output.is_empty() {
            if write_all(out, bytes).is_err() {
                self.output_ok = false;
            }
        } else {
            self.to_output.push(bytes);
        }
    }

    fn write_output(&mut self) {
        let Some(out) = self.relay.output else { return };
        let chunk = self.to_output.bytes();
        let chunk = &chunk[..chunk.len().min(self.output_chunk)];
        match rustix::io::write(out, chunk) {
            Ok(n) => self.to_output.consume(n),
            Err(rustix::io::Errno::AGAIN) | Err(rustix::io::Errno::INTR) => {}
            Err(_) => {
                // A closed pipe or a full disk: stop copying there, keep the session going.
                self.output_ok = false;
                self.to_output.clear();
            }
        }
    }

    fn read_input(&mut self) {
        let Some(input) = self.relay.input else { return };
        let n = match (self.relay.input_read)(input, &mut self.buf) {
            Ok(n) => n.min(self.buf.len()),
            Err(e) if matches!(e.kind(), io::ErrorKind::WouldBlock | io::ErrorKind::Interrupted) => return,
            // An input that fails (a hung-up terminal) has ended as surely as one at EOF.
            Err(_) => 0,
        };
        if n == 0 {
            self.input_open = false;
            if self.relay.forward_eof {
                self.eof = Eof::Pending { interval: EOF_RECHECK };
            }
            return;
        }
        let buf = std::mem::take(&mut self.buf);
        self.emit(Event::Input(&buf[..n]));
        self.to_master.push(&buf[..n]);
        self.buf = buf;
    }

    fn write_master(&mut self) {
        let master = self.child.master_fd();
        if !self.to_master.is_empty() {
            match rustix::io::write(master, self.to_master.bytes()) {
                Ok(n) => self.to_master.consume(n),
                Err(rustix::io::Errno::AGAIN) | Err(rustix::io::Errno::INTR) => {}
                Err(_) => {
                    // The terminal is gone (EIO): nobody is left to read this input.
                    self.to_master.clear();
                    self.eof = Eof::Idle;
                }
            }
        }
        if let (true, Eof::Pending { interval }) = (self.to_master.is_empty(), self.eof) {
            self.eof = match eof_char(master) {
                Some(c) => match rustix::io::write(master, &[c]) {
                    Ok(1) => Eof::Sent { check: Instant::now() + interval, interval },
                    Err(rustix::io::Errno::AGAIN) | Err(rustix::io::Errno::INTR) => self.eof,
                    _ => Eof::Idle,
                },
                None => Eof::Idle,
            };
        }
    }

    /// Collects the child's status if it has exited.
    fn reap(&mut self) -> io::Result<()> {
        if self.exited_at.is_none() && self.child.try_wait()?.is_some() {
            self.exited_at = Some(Instant::now());
        }
        Ok(())
    }

    fn check_timers(&mut self, now: Instant) -> io::Result<()> {
        if self.kill_at.is_some_and(|t| now >= t) {
            self.kill_at = None;
            self.child.kill()?;
        }
        if let Eof::Sent { check, interval } = self.eof {
            if now >= check {
                let alive = self.exited_at.is_none() && self.master_open;
                let next = (interval * 2).min(EOF_RECHECK_MAX);
                self.eof = match input_queue_len(self.child.master_fd()) {
                    Some(0) if alive => Eof::Pending { interval: next },
                    Some(_) if alive => Eof::Sent { check: now + interval, interval },
                    _ => Eof::Idle,
                };
            }
        }
        Ok(())
    }

    /// When a background process holds the pty after the child exited, the moment to stop.
    fn grace_end(&self) -> Option<Instant> {
        let exited = self.exited_at?;
        let quiet = self.last_output.max(exited) + self.relay.grace;
        Some(quiet.min(exited + self.relay.grace * 10))
    }

    fn done(&self, now: Instant) -> bool {
        if self.exited_at.is_none() {
            return false;
        }
        !self.master_open || self.grace_end().is_some_and(|end| now >= end)
    }

    fn timeout(&self, now: Instant) -> Option<Duration> {
        let mut deadlines = Vec::with_capacity(4);
        deadlines.extend(self.grace_end());
        deadlines.extend(self.kill_at);
        if let Eof::Sent { check, .. } = self.eof {
            deadlines.push(check);
        }
        if self.pidfd.is_none() && self.exited_at.is_none() {
            // No pidfd to wake us: look at the child's status regularly.
            deadlines.push(now + Duration::from_millis(20));
        }
        deadlines.into_iter().min().map(|d| d.saturating_duration_since(now))
    }

    /// Writes out what output is still buffered and makes sure the child is reaped.
    fn finish(&mut self) -> io::Result<ExitStatus> {
        if let Some(out) = self.relay.output.filter(|_| self.output_ok) {
            let _ = write_all(out, self.to_output.bytes());
            self.to_output.clear();
        }
        let status = self.child.wait()?;
        match self.failure.take() {
            Some(e) => Err(e),
            None => Ok(status),
        }
    }
}

/// The terminal's end-of-file character, if it has one.
fn eof_char(master: BorrowedFd<'_>) -> Option<u8> {
    let termios = rustix::termios::tcgetattr(master).ok()?;
    let c = termios.special_codes[SpecialCodeIndex::VEOF];
    // _POSIX_VDISABLE is 0 on Linux: a disabled VEOF cannot be sent.
    (c != 0).then_some(c)
}

/// How many bytes the program on the pty can read right now, or `None` if it cannot be known.
/// Counts complete lines only in canonical mode, which is what "the next read would block" means.
fn input_queue_len(master: BorrowedFd<'_>) -> Option<u64> {
    use rustix::pty::OpenptFlags;
    let flags = OpenptFlags::RDWR | OpenptFlags::NOCTTY | OpenptFlags::CLOEXEC;
    #[cfg(any(target_os = "linux", target_os = "android"))]
    {
        let slave = rustix::pty::ioctl_tiocgptpeer(master, flags).ok()?;
        rustix::io::ioctl_fionread(&slave).ok()
    }
    #[cfg(not(any(target_os = "linux", target_os = "android")))]
    {
        let _ = (master, flags);
        None
    }
}

/// How to write to `fd`: `(direct, chunk)`. Regular files and devices such as /dev/null take
/// whole writes at once; pipes and sockets get at most `PIPE_BUF` per poll, the most that cannot
/// block once poll reported them writable; terminals get polled writes too.
fn classify_output(fd: BorrowedFd<'_>) -> (bool, usize) {
    use rustix::fs::FileType;
    let Ok(stat) = rustix::fs::fstat(fd) else { return (false, libc::PIPE_BUF) };
    match FileType::from_raw_mode(stat.st_mode) {
        FileType::RegularFile => (true, usize::MAX),
        FileType::CharacterDevice if !rustix::termios::isatty(fd) => (true, usize::MAX),
        FileType::Fifo | FileType::Socket => (false, libc::PIPE_BUF),
        _ => (false, 64 * 1024),
    }
}

/// Writes all of `bytes` to a descriptor that may be non-blocking, waiting for it when full.
pub(crate) fn write_all(fd: BorrowedFd<'_>, mut bytes: &[u8]) -> io::Result<()> {
    while !bytes.is_empty() {
        match rustix::io::write(fd, bytes) {
            Ok(0) => return Err(io::ErrorKind::WriteZero.into()),
            Ok(n) => bytes = &bytes[n..],
            Err(rustix::io::Errno::INTR) => {}
            Err(rustix::io::Errno::AGAIN) => {
                let mut fds = [PollFd::from_borrowed_fd(fd, PollFlags::OUT)];
                poll(&mut fds, None)?;
            }
            Err(e) => return Err(e.into()),
        }
    }
    Ok(())
}

/// poll(2) with an optional timeout; `EINTR` comes back as `Interrupted`.
fn poll(fds: &mut [PollFd<'_>], timeout: Option<Duration>) -> io::Result<usize> {
    let ts = timeout.map(|d| rustix::event::Timespec {
        tv_sec: d.as_secs().min(i64::MAX as u64) as i64,
        tv_nsec: d.subsec_nanos() as _,
    });
    Ok(rustix::event::poll(fds, ts.as_ref())?)
}

/// Waits until `fd` is readable or `timeout` passes; `Ok(true)` if it is readable.
pub(crate) fn poll_readable(fd: BorrowedFd<'_>, timeout: Option<Duration>) -> io::Result<bool> {
    let mut fds = [PollFd::from_borrowed_fd(fd, PollFlags::IN)];
    match poll(&mut fds, timeout) {
        Ok(n) => Ok(n > 0),
        Err(e) if e.kind() == io::ErrorKind::Interrupted => Ok(false),
        Err(e) => Err(e),
    }
}

#[cfg(test)]
mod tests {
    use super::Pending;

    #[test]
    fn pending_stays_bounded_when_the_reader_always_lags() {
        let mut p = Pending::default();
        let chunk = [7u8; 4096];
        for _ in 0..10_000 {
            p.push(&chunk);
            // The writer takes a little less than was added, so the queue never empties.
            let n = p.len().min(4000);
            assert!(p.bytes()[..n].iter().all(|&b| b == 7));
            p.consume(n);
        }
        assert!(p.len() < 1 << 20, "pending {} bytes", p.len());
        assert!(p.data.len() <= 2 * p.len() + 4096, "buffer {} for {} pending", p.data.len(), p.len());
    }

    #[test]
    fn pending_keeps_the_order_of_bytes() {
        let mut p = Pending::default();
        let mut want = Vec::new();
        let mut got = Vec::new();
        for i in 0..1000u32 {
            let bytes = i.to_le_bytes();
            p.push(&bytes);
            want.extend_from_slice(&bytes);
            let n = p.len().min((i % 7) as usize);
            got.extend_from_slice(&p.bytes()[..n]);
            p.consume(n);
        }
        got.extend_from_slice(p.bytes());
        assert_eq!(got, want);
    }
}
