//! Forwarding the end of the relay's input to the program as the terminal's end-of-file
//! character (see [`Relay::forward_eof`](crate::Relay::forward_eof) for why it is resent).

use std::os::fd::BorrowedFd;
use std::time::{Duration, Instant};

use rustix::termios::SpecialCodeIndex;

/// How long after sending `VEOF` to look at the program's input queue first; the interval
/// doubles up to [`RECHECK_MAX`].
const RECHECK: Duration = Duration::from_millis(50);
const RECHECK_MAX: Duration = Duration::from_secs(2);

/// What is known about the end of the input.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum EofState {
    /// Input still open, or no EOF to forward.
    Idle,
    /// Send `VEOF` once everything before it is written.
    Pending { interval: Duration },
    /// `VEOF` sent; look at the program's input queue again at `check`.
    Sent { check: Instant, interval: Duration },
}

impl EofState {
    /// The input has ended: `VEOF` is to be sent once the input before it is written.
    pub(super) fn input_ended() -> EofState {
        EofState::Pending { interval: RECHECK }
    }

    /// Whether `VEOF` waits to be written to the master.
    pub(super) fn wants_write(self) -> bool {
        matches!(self, EofState::Pending { .. })
    }

    /// When to look at the program's input queue next, if `VEOF` was sent.
    pub(super) fn deadline(self) -> Option<Instant> {
        match self {
            EofState::Sent { check, .. } => Some(check),
            _ => None,
        }
    }

    /// Writes `VEOF` to the master if it is pending (the input before it all written).
    pub(super) fn write(self, master: BorrowedFd<'_>, now: Instant) -> EofState {
        let EofState::Pending { interval } = self else { return self };
        match eof_char(master) {
            Some(c) => match rustix::io::write(master, &[c]) {
                Ok(1) => EofState::Sent { check: now + interval, interval },
                Err(rustix::io::Errno::AGAIN) | Err(rustix::io::Errno::INTR) => self,
                _ => EofState::Idle,
            },
            None => EofState::Idle,
        }
    }

    /// At the check time: resend `VEOF` if the program's input queue is empty (it read the last
    /// one and may be waiting for more), look again later if it is not.
    pub(super) fn recheck(self, master: BorrowedFd<'_>, now: Instant, alive: bool) -> EofState {
        let EofState::Sent { check, interval } = self else { return self };
        if now < check {
            return self;
        }
        let next = (interval * 2).min(RECHECK_MAX);
        match input_queue_len(master) {
            Some(0) if alive => EofState::Pending { interval: next },
            Some(_) if alive => EofState::Sent { check: now + interval, interval },
            _ => EofState::Idle,
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
    #[cfg(any(target_os = "linux", target_os = "android"))]
    {
        use rustix::pty::OpenptFlags;
        // Opens the slave through the master (TIOCGPTPEER) for the FIONREAD; closed at once.
        let flags = OpenptFlags::RDWR | OpenptFlags::NOCTTY | OpenptFlags::CLOEXEC;
        let slave = rustix::pty::ioctl_tiocgptpeer(master, flags).ok()?;
        rustix::io::ioctl_fionread(&slave).ok()
    }
    #[cfg(not(any(target_os = "linux", target_os = "android")))]
    {
        let _ = master;
        None
    }
}
