//! The caller's side of the relay: the two read callbacks (Python's `master_read` and
//! `stdin_read`) and the event handler.

use std::io;
use std::os::fd::BorrowedFd;
use std::time::Duration;

use super::Event;

/// A callback that reads from `fd` into the buffer and returns the count; `Ok(0)` is end of file.
/// The signature of Python's `master_read`/`stdin_read`, with the buffer passed in.
pub type ReadFn<'a> = Box<dyn FnMut(BorrowedFd<'_>, &mut [u8]) -> io::Result<usize> + 'a>;

/// A callback that reads from `fd` and appends what it read, any amount of it, to the vector
/// (which the relay gives it empty); returns the count appended, `Ok(0)` being end of file. For
/// callbacks that produce their bytes themselves, as Python's return a `bytes` object of any size.
pub type VecReadFn<'a> = Box<dyn FnMut(BorrowedFd<'_>, &mut Vec<u8>) -> io::Result<usize> + 'a>;

/// A handler of what happens during a session, with the time since the relay started.
pub type EventFn<'a> = Box<dyn FnMut(Duration, Event<'_>) -> io::Result<()> + 'a>;

/// Told the error of a program that could not be started.
pub(super) type SpawnErrorFn<'a> = Box<dyn FnOnce(&io::Error) + 'a>;

/// Called when a signal interrupted the relay's wait.
pub(super) type InterruptFn<'a> = Box<dyn FnMut() -> io::Result<()> + 'a>;

/// One of the two read callbacks, in either form.
pub(super) enum Reader<'a> {
    /// Reads into the relay's buffer.
    Buffer(ReadFn<'a>),
    /// Appends to a vector of its own size.
    Vec(VecReadFn<'a>),
}

/// What a read callback gave.
pub(super) enum Read {
    /// This many bytes, at the start of the buffer or vector it was given.
    Bytes(usize),
    /// End of file.
    End,
    /// Nothing now (`WouldBlock`, `Interrupted`): poll again.
    Later,
}

impl Reader<'_> {
    /// Calls the callback with `buf` (a `Buffer` reader) or `vec` (a `Vec` reader, cleared first).
    pub(super) fn read(&mut self, fd: BorrowedFd<'_>, buf: &mut [u8], vec: &mut Vec<u8>) -> io::Result<Read> {
        let result = match self {
            Reader::Buffer(f) => f(fd, buf).map(|n| n.min(buf.len())),
            Reader::Vec(f) => {
                vec.clear();
                f(fd, vec).map(|n| n.min(vec.len()))
            }
        };
        match result {
            Ok(0) => Ok(Read::End),
            Ok(n) => Ok(Read::Bytes(n)),
            Err(e) if matches!(e.kind(), io::ErrorKind::WouldBlock | io::ErrorKind::Interrupted) => Ok(Read::Later),
            Err(e) => Err(e),
        }
    }

    /// Whether the bytes of a read are in the vector (else in the buffer).
    pub(super) fn fills_vec(&self) -> bool {
        matches!(self, Reader::Vec(_))
    }
}

/// The caller's callbacks for one relay.
pub(super) struct Callbacks<'a> {
    pub(super) master: Reader<'a>,
    pub(super) input: Reader<'a>,
    pub(super) on_event: Option<EventFn<'a>>,
    pub(super) on_spawn_error: Option<SpawnErrorFn<'a>>,
    pub(super) on_interrupt: Option<InterruptFn<'a>>,
}

impl Callbacks<'_> {
    /// Reports `event` at `t` to the handler, if there is one.
    pub(super) fn emit(&mut self, t: Duration, event: Event<'_>) -> io::Result<()> {
        match self.on_event.as_mut() {
            Some(handler) => handler(t, event),
            None => Ok(()),
        }
    }
}
