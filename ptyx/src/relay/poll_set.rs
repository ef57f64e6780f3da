//! The descriptors one turn of the relay waits on, each in a named slot.

use std::io;
use std::os::fd::BorrowedFd;
use std::time::Duration;

use rustix::event::{PollFd, PollFlags};

/// A slot of the poll set.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Slot {
    /// The signal pipe: a signal arrived.
    Signals,
    /// The pty master: output to read, room for input.
    Master,
    /// The relay's input: bytes typed.
    Input,
    /// The relay's output: room to write.
    Output,
    /// The child's pidfd: it exited.
    Child,
}

const SLOTS: usize = 5;

impl Slot {
    fn index(self) -> usize {
        self as usize
    }
}

/// What poll(2) reported, by slot.
#[derive(Debug, Clone, Copy)]
pub(super) struct Ready([PollFlags; SLOTS]);

impl Ready {
    /// Whether `slot` reported any of `flags`.
    pub(super) fn has(&self, slot: Slot, flags: PollFlags) -> bool {
        self.0[slot.index()].intersects(flags)
    }

    /// Readable, or hung up or failed (a read then tells which).
    pub(super) fn readable(&self, slot: Slot) -> bool {
        self.has(slot, PollFlags::IN | PollFlags::HUP | PollFlags::ERR)
    }

    /// Writable, or hung up or failed (a write then tells which).
    pub(super) fn writable(&self, slot: Slot) -> bool {
        self.has(slot, PollFlags::OUT | PollFlags::HUP | PollFlags::ERR)
    }
}

/// The descriptors to wait on, with the events wanted of each.
#[derive(Default)]
pub(super) struct PollSet<'fd> {
    wanted: [Option<(BorrowedFd<'fd>, PollFlags)>; SLOTS],
}

impl<'fd> PollSet<'fd> {
    /// Waits for `events` on `fd` in `slot`. Nothing is polled for an empty set of events: poll(2)
    /// reports a hang-up even for an empty event mask, so an ended input or a hung-up master left
    /// in the set would wake every call and spin.
    pub(super) fn want(&mut self, slot: Slot, fd: Option<BorrowedFd<'fd>>, events: PollFlags) {
        self.wanted[slot.index()] = fd.filter(|_| !events.is_empty()).map(|fd| (fd, events));
    }

    /// One poll(2) with `timeout`; what each slot reported.
    pub(super) fn poll(&self, timeout: Option<Duration>) -> io::Result<Ready> {
        let mut fds = Vec::with_capacity(SLOTS);
        let mut at = [None; SLOTS];
        for (i, (fd, events)) in self.wanted.iter().enumerate().filter_map(|(i, w)| w.map(|w| (i, w))) {
            at[i] = Some(fds.len());
            fds.push(PollFd::from_borrowed_fd(fd, events));
        }
        crate::fd::poll(&mut fds, timeout)?;
        let mut ready = Ready([PollFlags::empty(); SLOTS]);
        for (i, at) in at.iter().enumerate() {
            if let Some(j) = at {
                ready.0[i] = fds[*j].revents();
            }
        }
        Ok(ready)
    }
}
