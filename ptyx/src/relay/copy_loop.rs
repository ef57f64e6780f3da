//! One running relay: the state of the copy loop and its turns. Each turn is one poll(2) on the
//! descriptors with something to wait for (named in [`PollSet`]), with a timeout only when a timer
//! is due (the end of the grace, a pending `SIGKILL`, the next end-of-file check).

use std::io;
use std::os::fd::{AsFd, BorrowedFd};
use std::time::{Duration, Instant};

use rustix::event::PollFlags;

use super::callbacks::{Callbacks, Read};
use super::eof::EofState;
use super::pending::Pending;
use super::poll_set::{PollSet, Slot};
use super::{Event, Options, TERMINATING};
use crate::child::Child;
use crate::fd::{write_all, OutputKind};
use crate::signals::Subscription;
use crate::winsize;

/// Output held for a slow output descriptor before the relay stops reading the master (the child
/// then blocks in write, which is the back-pressure it would get from a real terminal).
const MAX_PENDING: usize = 1024 * 1024;

/// How long, after a terminating signal was forwarded because the caller's handler failed, to
/// wait before `SIGKILL` when no [`kill_after`](crate::Relay::kill_after) is set.
const DEFAULT_KILL_AFTER: Duration = Duration::from_secs(2);

/// The descriptors a relay copies between.
#[derive(Clone, Copy)]
pub(super) struct Ends<'a> {
    pub(super) input: Option<BorrowedFd<'a>>,
    pub(super) output: Option<BorrowedFd<'a>>,
    /// The input, when it is a terminal (its size is followed).
    pub(super) input_tty: Option<BorrowedFd<'a>>,
}

/// The relay's output side: where the program's output goes, and what of it waits to be written.
struct Output<'a> {
    fd: Option<BorrowedFd<'a>>,
    kind: OutputKind,
    /// Writing has not failed (a closed pipe stops the copy, not the session).
    ok: bool,
    pending: Pending,
}

impl<'a> Output<'a> {
    fn new(fd: Option<BorrowedFd<'a>>) -> Self {
        let kind = match fd {
            Some(fd) => OutputKind::of(fd),
            None => OutputKind { direct: true, chunk: usize::MAX },
        };
        Output { fd, kind, ok: fd.is_some(), pending: Pending::default() }
    }

    /// The poll events wanted: room to write, while something waits to be written.
    fn events(&self) -> PollFlags {
        if self.ok && !self.pending.is_empty() {
            PollFlags::OUT
        } else {
            PollFlags::empty()
        }
    }

    /// Copies `bytes` out: at once to a file or device that takes whole writes, else queued for
    /// when poll says the output has room.
    fn queue(&mut self, bytes: &[u8]) {
        if bytes.is_empty() {
            return;
        }
        let Some(out) = self.fd.filter(|_| self.ok) else { return };
        if self.kind.direct && self.pending.is_empty() {
            if write_all(out, bytes).is_err() {
                self.ok = false;
            }
        } else {
            self.pending.push(bytes);
        }
    }

    /// Writes what poll said the output has room for.
    fn write_some(&mut self) {
        let Some(out) = self.fd else { return };
        if self.pending.write_some(out, self.kind.chunk).is_err() {
            // A closed pipe or a full disk: stop copying there, keep the session going.
            self.ok = false;
        }
    }

    /// Writes out everything still queued, waiting for room as long as it takes.
    fn flush(&mut self) {
        self.pending.flush(self.fd.filter(|_| self.ok));
    }
}

/// Why the loop stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Stop {
    /// The program ended: it exited and its output reached end of file (or the grace passed).
    Exited,
    /// The escape byte was read from the input.
    Escape,
    /// The input ended and is not forwarded as end of file.
    InputEnded,
    /// A callback or the event handler failed on a child the relay does not own.
    Failed,
}

/// The state of one running relay.
pub(super) struct CopyLoop<'r, 'a> {
    child: &'r mut Child,
    /// The relay started the child, so it may hang it up and kill it.
    owned: bool,
    ends: Ends<'a>,
    callbacks: &'r mut Callbacks<'a>,
    options: &'r Options,
    signals: Option<&'r Subscription>,
    escape: Option<u8>,
    start: Instant,
    /// The buffer `Buffer` callbacks read into.
    buf: Vec<u8>,
    /// The vector `Vec` callbacks append to.
    vec: Vec<u8>,
    /// Output read from the master, on its way to the output descriptor.
    output: Output<'a>,
    /// Input read and not yet written to the master.
    to_master: Pending,
    input_open: bool,
    master_open: bool,
    eof: EofState,
    exited_at: Option<Instant>,
    last_output: Instant,
    kill_at: Option<Instant>,
    failure: Option<io::Error>,
    stop: Option<Stop>,
}

impl<'r, 'a> CopyLoop<'r, 'a> {
    #[allow(clippy::too_many_arguments)]
    pub(super) fn new(
        child: &'r mut Child,
        owned: bool,
        ends: Ends<'a>,
        callbacks: &'r mut Callbacks<'a>,
        options: &'r Options,
        signals: Option<&'r Subscription>,
        escape: Option<u8>,
        start: Instant,
    ) -> Self {
        let exited_at = child.status().map(|_| start);
        CopyLoop {
            child,
            owned,
            buf: vec![0; options.buffer_size],
            vec: Vec::new(),
            output: Output::new(ends.output),
            input_open: ends.input.is_some(),
            ends,
            callbacks,
            options,
            signals,
            escape,
            start,
            to_master: Pending::default(),
            master_open: true,
            eof: EofState::Idle,
            exited_at,
            last_output: start,
            kill_at: None,
            failure: None,
            stop: None,
        }
    }

    /// Runs turns until the session ends, the escape byte is typed or the input ends (as asked).
    /// An error is poll(2) failing; a callback's error is kept for [`finish`](Self::finish).
    pub(super) fn run(&mut self) -> io::Result<Stop> {
        loop {
            let now = Instant::now();
            self.check_timers(now)?;
            if let Some(stop) = self.stop {
                return Ok(stop);
            }
            if self.done(now) {
                return Ok(Stop::Exited);
            }
            let timeout = self.timeout(now);
            let polled = {
                let mut set = PollSet::default();
                set.want(Slot::Signals, self.signals.map(|s| s.fd()), PollFlags::IN);
                set.want(Slot::Master, Some(self.child.master().as_fd()), self.master_events());
                set.want(Slot::Input, self.ends.input, self.input_events());
                set.want(Slot::Output, self.output.fd, self.output.events());
                let child_events = if self.exited_at.is_none() { PollFlags::IN } else { PollFlags::empty() };
                set.want(Slot::Child, self.child.pidfd(), child_events);
                set.poll(timeout)
            };
            let ready = match polled {
                Ok(ready) => ready,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {
                    self.interrupted();
                    continue;
                }
                Err(e) => return Err(e),
            };
            if ready.has(Slot::Signals, PollFlags::IN) {
                self.handle_signals()?;
            }
            if ready.writable(Slot::Output) {
                self.output.write_some();
            }
            if ready.readable(Slot::Master) && self.master_events().contains(PollFlags::IN) {
                self.read_master()?;
            }
            if ready.writable(Slot::Master) && self.master_events().contains(PollFlags::OUT) {
                self.write_master();
            }
            if ready.readable(Slot::Input) && !self.input_events().is_empty() {
                self.read_input();
            }
            if ready.readable(Slot::Child) || (self.child.pidfd().is_none() && self.exited_at.is_none()) {
                self.reap()?;
            }
        }
    }

    fn master_events(&self) -> PollFlags {
        let mut events = PollFlags::empty();
        // After a failure nothing more is read (the read callback may be what failed): the master
        // leaves the poll set, or its waiting output would wake every poll at once until the
        // child is gone.
        if self.master_open && self.failure.is_none() && self.output.pending.len() < MAX_PENDING {
            events |= PollFlags::IN;
        }
        if self.master_open && (!self.to_master.is_empty() || self.eof.wants_write()) {
            events |= PollFlags::OUT;
        }
        events
    }

    fn input_events(&self) -> PollFlags {
        if self.input_open && self.to_master.len() < MAX_PENDING {
            PollFlags::IN
        } else {
            PollFlags::empty()
        }
    }

    fn elapsed(&self) -> Duration {
        self.start.elapsed()
    }

    /// A callback or the handler failed: end the session as a terminating signal to us would, and
    /// report the error when it is over. A child the relay does not own is left to its owner.
    fn fail(&mut self, e: io::Error) {
        if self.failure.is_some() {
            return;
        }
        self.failure = Some(e);
        if self.owned {
            let _ = self.child.signal(libc::SIGTERM);
            self.kill_at = Some(Instant::now() + self.options.kill_after.unwrap_or(DEFAULT_KILL_AFTER));
        } else {
            self.stop = Some(Stop::Failed);
        }
    }

    /// A signal interrupted the wait: the caller's [`on_interrupt`](crate::Relay::on_interrupt).
    fn interrupted(&mut self) {
        if self.failure.is_some() {
            return;
        }
        if let Some(Err(e)) = self.callbacks.on_interrupt.as_mut().map(|f| f()) {
            self.fail(e);
        }
    }

    fn handle_signals(&mut self) -> io::Result<()> {
        let Some(signals) = self.signals else { return Ok(()) };
        for sig in signals.take() {
            let t = self.elapsed();
            if sig == libc::SIGWINCH {
                let Some(size) = self.ends.input_tty.and_then(winsize::of_terminal) else { continue };
                self.child.resize(size)?;
                if let Err(e) = self.callbacks.emit(t, Event::Resize(size)) {
                    self.fail(e);
                }
            } else {
                if let Err(e) = self.callbacks.emit(t, Event::Signal(sig)) {
                    self.fail(e);
                }
                if TERMINATING.contains(&sig) {
                    self.child.signal(sig)?;
                    if let Some(after) = self.options.kill_after {
                        self.kill_at.get_or_insert(Instant::now() + after);
                    }
                }
            }
        }
        Ok(())
    }

    fn read_master(&mut self) -> io::Result<()> {
        // Drain what is there before polling again, and copy it out in one write: a pty hands out
        // at most 4095 bytes per read, so successive reads fill the buffer side by side and the
        // output gets one write per buffer instead of one per read.
        let mut filled = 0;
        // A read may return up to a pty's 4095 bytes: stop before the space left could cut one.
        let room = self.buf.len().min(4096);
        for _ in 0..16 {
            if self.failure.is_some() || self.buf.len() - filled < room {
                break;
            }
            let master = self.child.master().as_fd();
            let read = self.callbacks.master.read(master, &mut self.buf[filled..], &mut self.vec);
            match read {
                Ok(Read::Bytes(n)) => {
                    self.last_output = Instant::now();
                    let t = self.elapsed();
                    let from_vec = self.callbacks.master.fills_vec();
                    let bytes = if from_vec { &self.vec[..n] } else { &self.buf[filled..filled + n] };
                    if let Err(e) = self.callbacks.emit(t, Event::Output(bytes)) {
                        self.fail(e);
                    }
                    if from_vec {
                        self.output.queue(&self.vec[..n]);
                    } else {
                        filled += n;
                    }
                }
                Ok(Read::End) => {
                    self.master_ended()?;
                    break;
                }
                Ok(Read::Later) => break,
                Err(e) => {
                    self.fail(e);
                    self.master_open = false;
                    break;
                }
            }
        }
        self.output.queue(&self.buf[..filled]);
        Ok(())
    }

    /// The master read end of file. When the slave side is still open (the callback chose to
    /// stop, as a Python `master_read` returning `b''`), a relay that owns the child hangs the
    /// terminal up, as Python's `pty.spawn` closes the master: the program gets `SIGHUP`. At the
    /// kernel's own end of file every slave descriptor is already closed, and the child, about to
    /// exit, is left to do so undisturbed.
    fn master_ended(&mut self) -> io::Result<()> {
        self.master_open = false;
        if self.owned && self.exited_at.is_none() && !slave_closed(self.child.master().as_fd()) {
            self.child.hang_up()?;
            if let Some(after) = self.options.kill_after {
                self.kill_at.get_or_insert(Instant::now() + after);
            }
        }
        Ok(())
    }

    fn read_input(&mut self) {
        let Some(input) = self.ends.input else { return };
        let read = self.callbacks.input.read(input, &mut self.buf, &mut self.vec);
        let n = match read {
            Ok(Read::Bytes(n)) => n,
            Ok(Read::Later) => return,
            Ok(Read::End) => return self.input_ended(),
            // A hung-up terminal has ended as surely as an input at end of file.
            Err(e) if e.raw_os_error() == Some(libc::EIO) => return self.input_ended(),
            Err(e) => return self.fail(e),
        };
        let from_vec = self.callbacks.input.fills_vec();
        let mut bytes = if from_vec { &self.vec[..n] } else { &self.buf[..n] };
        if let Some(at) = self.escape.and_then(|esc| bytes.iter().position(|&b| b == esc)) {
            // What was typed before the escape still reaches the program; what follows it in the
            // same read is the user's, for whoever reads the terminal next.
            bytes = &bytes[..at];
            self.stop = Some(Stop::Escape);
            self.input_open = false;
        }
        if bytes.is_empty() {
            return;
        }
        let t = self.start.elapsed();
        let result = self.callbacks.emit(t, Event::Input(bytes));
        self.to_master.push(bytes);
        if let Err(e) = result {
            self.fail(e);
        }
    }

    fn input_ended(&mut self) {
        self.input_open = false;
        if self.options.forward_eof {
            self.eof = EofState::input_ended();
        } else if self.escape.is_some() {
            self.stop = Some(Stop::InputEnded);
        }
    }

    fn write_master(&mut self) {
        let master = self.child.master().as_fd();
        if !self.to_master.is_empty() && self.to_master.write_some(master, usize::MAX).is_err() {
            // The terminal is gone (EIO): nobody is left to read this input.
            self.eof = EofState::Idle;
        }
        if self.to_master.is_empty() {
            self.eof = self.eof.write(master, Instant::now());
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
        let alive = self.exited_at.is_none() && self.master_open;
        self.eof = self.eof.recheck(self.child.master().as_fd(), now, alive);
        Ok(())
    }

    /// When a background process holds the pty after the child exited, the moment to stop.
    fn grace_end(&self) -> Option<Instant> {
        let exited = self.exited_at?;
        let quiet = self.last_output.max(exited) + self.options.grace;
        Some(quiet.min(exited + self.options.grace * 10))
    }

    fn done(&self, now: Instant) -> bool {
        if self.exited_at.is_none() {
            return false;
        }
        !self.master_open || self.grace_end().is_some_and(|end| now >= end)
    }

    fn timeout(&self, now: Instant) -> Option<Duration> {
        let mut deadlines = [self.grace_end(), self.kill_at, self.eof.deadline(), None];
        if self.child.pidfd().is_none() && self.exited_at.is_none() {
            // No pidfd to wake us (Linux before 5.3): look at the child's status regularly.
            deadlines[3] = Some(now + Duration::from_millis(20));
        }
        deadlines.into_iter().flatten().min().map(|d| d.saturating_duration_since(now))
    }

    /// Writes out what is still buffered, in both directions, and returns the error a callback or
    /// the handler failed with, if one did.
    pub(super) fn finish(&mut self) -> io::Result<()> {
        self.output.flush();
        // Typed before the escape (or before the input ended): the program is to get it.
        self.to_master.flush(self.master_open.then(|| self.child.master().as_fd()));
        match self.failure.take() {
            Some(e) => Err(e),
            None => Ok(()),
        }
    }
}

/// Whether every slave descriptor of the pty is closed (the master polls as hung up).
fn slave_closed(master: BorrowedFd<'_>) -> bool {
    let mut fds = [rustix::event::PollFd::from_borrowed_fd(master, PollFlags::IN)];
    crate::fd::poll(&mut fds, Some(Duration::ZERO)).is_ok() && fds[0].revents().contains(PollFlags::HUP)
}
