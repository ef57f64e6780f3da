//! Reaping and signalling children: [waitpid(2)](https://man7.org/linux/man-pages/man2/waitpid.2.html),
//! [kill(2)](https://man7.org/linux/man-pages/man2/kill.2.html), and a pollable "has it exited" via
//! [pidfd_open(2)](https://man7.org/linux/man-pages/man2/pidfd_open.2.html).

use std::io;
use std::os::fd::OwnedFd;
use std::os::unix::process::ExitStatusExt;
use std::process::ExitStatus;

use crate::fork::Pid;

/// Waits for `pid` to change state to exited or killed; `Ok(None)` if `block` is false and it has
/// not yet. Retries on `EINTR`, so a signal handled meanwhile does not surface as an error.
pub(crate) fn waitpid(pid: Pid, block: bool) -> io::Result<Option<ExitStatus>> {
    let options = if block { 0 } else { libc::WNOHANG };
    let mut status = 0;
    loop {
        // SAFETY: `status` is a valid, writable c_int for the duration of the call.
        let r = unsafe { libc::waitpid(pid.as_raw(), &mut status, options) };
        if r == pid.as_raw() {
            return Ok(Some(ExitStatus::from_raw(status)));
        }
        if r == 0 {
            return Ok(None);
        }
        let err = io::Error::last_os_error();
        if err.kind() != io::ErrorKind::Interrupted {
            return Err(err);
        }
    }
}

/// Sends `sig` to the process group `pgid` leads. A group with no process left (`ESRCH`) is not an
/// error: the signal had nobody to reach, which is what the caller wanted anyway.
pub(crate) fn signal_group(pgid: Pid, sig: i32) -> io::Result<()> {
    // SAFETY: kill(2) has no memory-safety preconditions; a negative pid names the group.
    let r = unsafe { libc::kill(-pgid.as_raw(), sig) };
    if r == 0 {
        return Ok(());
    }
    let err = io::Error::last_os_error();
    match err.raw_os_error() {
        Some(libc::ESRCH) => Ok(()),
        Some(libc::EINVAL) => Err(io::Error::new(io::ErrorKind::InvalidInput, format!("invalid signal number {sig}"))),
        _ => Err(err),
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
