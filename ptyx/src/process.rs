//! Process ids, reaping and signalling children:
//! [waitpid(2)](https://man7.org/linux/man-pages/man2/waitpid.2.html),
//! [kill(2)](https://man7.org/linux/man-pages/man2/kill.2.html), and a pollable "has it exited" via
//! [pidfd_open(2)](https://man7.org/linux/man-pages/man2/pidfd_open.2.html).

use std::fmt;
use std::io;
use std::os::fd::OwnedFd;
use std::os::unix::process::ExitStatusExt;
use std::process::ExitStatus;

use rustix::process::{Signal, WaitOptions};

/// A process id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Pid(i32);

impl Pid {
    /// The raw process id, as `getpid()` or `waitpid()` use it.
    pub const fn as_raw(self) -> i32 {
        self.0
    }

    pub(crate) const fn from_raw(pid: i32) -> Pid {
        Pid(pid)
    }

    /// Waits for this child process to end and returns its status, like Python's
    /// `os.waitpid(pid, 0)`. Only a child of the calling process can be waited for.
    ///
    /// # Errors
    ///
    /// `ECHILD` (the OS error) when this is not a child of the calling process, or it has been
    /// reaped already.
    pub fn wait(self) -> io::Result<ExitStatus> {
        loop {
            if let Some(status) = waitpid(self, true)? {
                return Ok(status);
            }
        }
    }
}

impl fmt::Display for Pid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

fn rustix_pid(pid: Pid) -> io::Result<rustix::process::Pid> {
    rustix::process::Pid::from_raw(pid.as_raw())
        .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, format!("invalid process id {pid}")))
}

/// Waits for `pid` to change state to exited or killed; `Ok(None)` if `block` is false and it has
/// not yet. Retries on `EINTR`, so a signal handled meanwhile does not surface as an error.
pub(crate) fn waitpid(pid: Pid, block: bool) -> io::Result<Option<ExitStatus>> {
    let options = if block { WaitOptions::empty() } else { WaitOptions::NOHANG };
    let raw = rustix_pid(pid)?;
    loop {
        match rustix::process::waitpid(Some(raw), options) {
            Ok(Some((_, status))) => return Ok(Some(ExitStatus::from_raw(status.as_raw()))),
            Ok(None) => return Ok(None),
            Err(rustix::io::Errno::INTR) => {}
            Err(e) => return Err(e.into()),
        }
    }
}

/// Sends `sig` to the process group `pgid` leads; 0 only checks that the group exists. A group
/// with no process left (`ESRCH`) is not an error: the signal had nobody to reach, which is what
/// the caller wanted anyway. Every number the kernel accepts works, the real-time signals and
/// glibc's reserved 32 and 33 included (programs not built on glibc use those as real-time
/// signals); anything else is `InvalidInput`.
pub(crate) fn signal_group(pgid: Pid, sig: i32) -> io::Result<()> {
    let invalid = || io::Error::new(io::ErrorKind::InvalidInput, format!("invalid signal number {sig}"));
    let pgid = rustix_pid(pgid)?;
    let result = if sig == 0 {
        rustix::process::test_kill_process_group(pgid)
    } else if let Some(signal) = Signal::from_named_raw(sig) {
        rustix::process::kill_process_group(pgid, signal)
    } else if (1..=libc::SIGRTMAX()).contains(&sig) {
        // SAFETY: `sig` is a non-zero number the kernel accepts as a signal (1..=SIGRTMAX), which is
        // what `from_raw_unchecked` requires. rustix's further rule, that a libc-reserved number
        // (glibc's 32 and 33) must not be used to send signals, protects libc's own use of them in
        // *this* process; the Signal here only goes to kill(2) for another process group (a child
        // in a session of its own), never to a handler, mask or wait of ours.
        let signal = unsafe { Signal::from_raw_unchecked(sig) };
        rustix::process::kill_process_group(pgid, signal)
    } else {
        return Err(invalid());
    };
    match result {
        Ok(()) | Err(rustix::io::Errno::SRCH) => Ok(()),
        Err(rustix::io::Errno::INVAL) => Err(invalid()),
        Err(e) => Err(e.into()),
    }
}

/// A descriptor that becomes readable when `pid` exits, for poll loops and timed waits.
/// `None` where the kernel has no pidfds (before Linux 5.3) or the platform is not Linux.
pub(crate) fn pidfd(pid: Pid) -> Option<OwnedFd> {
    #[cfg(any(target_os = "linux", target_os = "android"))]
    {
        let raw = rustix::process::Pid::from_raw(pid.as_raw())?;
        rustix::process::pidfd_open(raw, rustix::process::PidfdFlags::empty()).ok()
    }
    #[cfg(not(any(target_os = "linux", target_os = "android")))]
    {
        let _ = pid;
        None
    }
}
