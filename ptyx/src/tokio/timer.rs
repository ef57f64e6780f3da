//! A one-shot timer that needs only tokio's I/O driver: a
//! [timerfd](https://man7.org/linux/man-pages/man2/timerfd_create.2.html) armed now and polled
//! through the reactor later. It times the grace of a dropped child in any runtime that could
//! start one (tokio's own timers need `enable_time`, and panic without it).

use std::io;
use std::os::fd::OwnedFd;
use std::task::{Context, Poll};
use std::time::Duration;

use rustix::time::{Itimerspec, TimerfdClockId, TimerfdFlags, TimerfdTimerFlags, Timespec};
use tokio::io::unix::AsyncFd;
use tokio::io::Interest;

use super::registration::register;

/// A running timer, started outside the runtime (in a `Drop`), not yet on the reactor.
#[derive(Debug)]
pub(crate) struct Timer {
    fd: OwnedFd,
}

/// A [`Timer`] on the reactor: [`poll_expired`](Expiry::poll_expired) says when it fires.
#[derive(Debug)]
pub(crate) struct Expiry {
    fd: AsyncFd<OwnedFd>,
}

impl Timer {
    /// Starts a timer that expires `after` from now (monotonic clock).
    ///
    /// # Errors
    ///
    /// The OS error of timerfd_create(2) (`EMFILE`).
    pub(crate) fn start(after: Duration) -> io::Result<Timer> {
        let flags = TimerfdFlags::CLOEXEC | TimerfdFlags::NONBLOCK;
        let fd = rustix::time::timerfd_create(TimerfdClockId::Monotonic, flags)?;
        let zero = Timespec { tv_sec: 0, tv_nsec: 0 };
        // An it_value of zero would disarm the timer: the shortest wait is a nanosecond.
        let after = after.max(Duration::from_nanos(1));
        let value =
            Timespec { tv_sec: after.as_secs().try_into().unwrap_or(i64::MAX), tv_nsec: after.subsec_nanos().into() };
        let spec = Itimerspec { it_interval: zero, it_value: value };
        rustix::time::timerfd_settime(&fd, TimerfdTimerFlags::empty(), &spec)?;
        Ok(Timer { fd })
    }

    /// Puts the timer on the reactor of the runtime this code runs in.
    ///
    /// # Errors
    ///
    /// The reactor's, if it refuses the descriptor.
    pub(crate) fn register(self) -> io::Result<Expiry> {
        let fd = register(self.fd, Interest::READABLE).map_err(|(_, e)| e)?;
        Ok(Expiry { fd })
    }
}

impl Expiry {
    /// `Ready(Ok(()))` once the timer has fired (and from then on).
    ///
    /// # Errors
    ///
    /// The reactor's, such as the runtime shutting down.
    pub(crate) fn poll_expired(&self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        // The expiry count is never read: the timer fires once and is then dropped, so its
        // readiness may stay set.
        self.fd.poll_read_ready(cx).map_ok(drop)
    }
}
