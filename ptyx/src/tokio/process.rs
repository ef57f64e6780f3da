//! The child process of a [`Child`](super::Child), watched through its
//! [pidfd](https://man7.org/linux/man-pages/man2/pidfd_open.2.html) on tokio's reactor: the
//! pidfd becomes readable when the child exits, which wakes the task waiting for it; then
//! [waitpid(2)](https://man7.org/linux/man-pages/man2/waitpid.2.html) reaps it. No `SIGCHLD`
//! handler, no thread, no polling interval.

use std::io;
use std::mem::ManuallyDrop;
use std::os::fd::{AsFd, OwnedFd};
use std::process::ExitStatus;
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

use tokio::io::unix::AsyncFd;
use tokio::runtime::Handle;

use super::reaper;
use crate::process::{self, Pid};

/// A child process, its pidfd on the reactor, and its status once reaped. Dropped unreaped, it
/// is handed to the [`reaper`].
#[derive(Debug)]
pub(crate) struct Process {
    pid: Pid,
    /// Taken by `Drop` (to hand to the reaper), and never used after that.
    pidfd: ManuallyDrop<AsyncFd<OwnedFd>>,
    /// Set when the child is reaped. Reaping and signalling happen under this lock, so a signal
    /// never goes to a pid that a concurrent wait has just released for reuse.
    status: Mutex<Option<ExitStatus>>,
    kill_on_drop: bool,
    /// The runtime whose reactor `pidfd` is registered with; the reaper runs there.
    runtime: Handle,
}

impl Process {
    /// `pidfd` is `pid`'s, registered with `runtime`'s reactor for reading.
    pub(crate) fn new(runtime: Handle, pid: Pid, pidfd: AsyncFd<OwnedFd>, status: Option<ExitStatus>) -> Process {
        Process { pid, pidfd: ManuallyDrop::new(pidfd), status: Mutex::new(status), kill_on_drop: false, runtime }
    }

    pub(crate) fn pid(&self) -> Pid {
        self.pid
    }

    pub(crate) fn set_kill_on_drop(&mut self, kill: bool) {
        self.kill_on_drop = kill;
    }

    fn status(&self) -> MutexGuard<'_, Option<ExitStatus>> {
        // The lock guards plain data that every holder leaves consistent: a panic elsewhere
        // while holding it changes nothing.
        self.status.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Waits until the child has exited, reaps it and returns the status. Any number of tasks
    /// may wait at once; each is woken when the pidfd becomes readable.
    pub(crate) async fn wait(&self) -> io::Result<ExitStatus> {
        loop {
            if let Some(status) = self.try_wait()? {
                return Ok(status);
            }
            let mut exited = self.pidfd.readable().await?;
            match self.try_wait()? {
                Some(status) => return Ok(status),
                // Readiness without an exit to reap: wait for the next one rather than spin.
                None => exited.clear_ready(),
            }
        }
    }

    pub(crate) fn try_wait(&self) -> io::Result<Option<ExitStatus>> {
        let mut status = self.status();
        if status.is_none() {
            *status = process::waitpid(self.pid, false)?;
        }
        Ok(*status)
    }

    /// Signals the child's process group, unless the child has been reaped (its pid may be
    /// someone else's by then).
    pub(crate) fn signal(&self, sig: i32) -> io::Result<()> {
        let status = self.status();
        if status.is_some() {
            return Ok(());
        }
        process::signal_group(self.pid, sig)
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        // SAFETY: this is the last use of `self.pidfd`: it is taken once, here, and `self` is
        // not used after `drop`.
        let pidfd = unsafe { ManuallyDrop::take(&mut self.pidfd) };
        if self.status.get_mut().unwrap_or_else(|poisoned| poisoned.into_inner()).is_some() {
            return;
        }
        // The cheap cases end here, without a task: an exited child is reaped at once (a
        // kill-on-drop one after its group got SIGKILL, for what it left behind).
        if self.kill_on_drop {
            if let Ok(true) = crate::fd::poll_readable(pidfd.as_fd(), Some(Duration::ZERO)) {
                let _ = process::signal_group(self.pid, libc::SIGKILL);
                // A zombie: the wait returns at once.
                let _ = process::waitpid(self.pid, true);
                return;
            }
        } else if !matches!(process::waitpid(self.pid, false), Ok(None)) {
            return;
        }
        reaper::hand_over(&self.runtime, self.pid, pidfd, self.kill_on_drop);
    }
}
