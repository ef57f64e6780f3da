//! Handing descriptors to tokio's reactor
//! ([epoll(7)](https://man7.org/linux/man-pages/man7/epoll.7.html) through
//! [`AsyncFd`]): the one place that states why each registration is sound.

use std::io;
use std::os::fd::{AsRawFd, OwnedFd};

use tokio::io::unix::AsyncFd;
use tokio::io::Interest;

/// A value that owns one descriptor for its whole life: `as_raw_fd` always returns the same
/// number, referring to the same open file description, and the descriptor is closed only when
/// the value is dropped. Nothing reachable through a shared reference replaces or closes it.
///
/// This is what [`AsyncFd::register`] asks of its inner value; only the types below are
/// registered, and the module never calls [`AsyncFd::get_mut`] on them.
pub(crate) trait OwnsFd: AsRawFd {}

/// Closes its descriptor in `Drop` and nowhere else.
impl OwnsFd for OwnedFd {}

/// A `File` inside: the descriptor is closed when the `Master` is dropped, and only the consuming
/// conversions (`into_raw_fd`, `OwnedFd::from`), which need the value itself, give it away.
impl OwnsFd for crate::Master {}

/// Registers `inner` with the reactor of the runtime this thread is in, for `interest`.
/// On failure the value comes back untouched with the reason.
///
/// # Panics
///
/// Outside a runtime, or in one built without I/O (`enable_io`): callers enter a runtime first,
/// and a runtime without I/O is the one case tokio itself answers with a panic.
pub(crate) fn register<T: OwnsFd>(inner: T, interest: Interest) -> Result<AsyncFd<T>, (T, io::Error)> {
    // SAFETY: `T: OwnsFd`: the descriptor is open (the value owns it), stays open and keeps its
    // number and open file description until the value is dropped. The `AsyncFd` owns the value,
    // so the value is dropped only after `AsyncFd`'s own drop (or `into_inner`) has removed the
    // registration: the reactor never holds a descriptor that was closed or reused.
    unsafe { AsyncFd::register_with_interest(inner, interest) }.map_err(|e| e.into_parts())
}
