//! The end of a dropped child, in the background: a task on the child's runtime waits for it
//! (through its [pidfd](https://man7.org/linux/man-pages/man2/pidfd_open.2.html)), for a
//! kill-on-drop child sends `SIGKILL` to its process group after a grace, and reaps it
//! ([waitpid(2)](https://man7.org/linux/man-pages/man2/waitpid.2.html)). Dropping never waits on
//! the runtime's thread.

use std::future::poll_fn;
use std::io;
use std::os::fd::OwnedFd;
use std::task::Poll;
use std::time::Duration;

use tokio::io::unix::AsyncFd;
use tokio::runtime::Handle;

use super::timer::Timer;
use crate::process::{self, Pid};

/// How long a kill-on-drop child has, once its terminal has hung up (`SIGHUP`), to exit by
/// itself before its process group gets `SIGKILL`.
pub(crate) const GRACE: Duration = Duration::from_millis(500);

/// Hands a dropped, unreaped child to a task on `runtime` that ends it (`kill`) or only waits for
/// it, and reaps it.
///
/// If the runtime is shut down before the task is done (or already is, so that the task never
/// runs), dropping the task does the rest at once, on the thread that shuts the runtime down: a
/// kill-on-drop child gets `SIGKILL` and is reaped (a killed process exits at once); any other
/// child is reaped if it has exited, else left running as `std` leaves it.
pub(crate) fn hand_over(runtime: &Handle, pid: Pid, pidfd: AsyncFd<OwnedFd>, kill: bool) {
    let unfinished = Unfinished { pid, kill, done: false };
    // The grace starts now, when the terminal hangs up, not when the task first runs.
    let grace = if kill { Timer::start(GRACE).ok() } else { None };
    runtime.spawn(async move {
        // Bound whole, so that the task owns it (a closure would capture only the field it sets)
        // and its `Drop` runs when the task ends or is dropped.
        let mut unfinished = unfinished;
        unfinished.done = end(pid, &pidfd, kill, grace).await.is_ok();
    });
}

/// Waits out the grace (when killing), kills, waits for the exit and reaps.
async fn end(pid: Pid, pidfd: &AsyncFd<OwnedFd>, kill: bool, grace: Option<Timer>) -> io::Result<()> {
    if kill {
        // No timer (no descriptor left for one): no grace either.
        let expiry = match grace.map(Timer::register) {
            Some(Ok(expiry)) => Some(expiry),
            Some(Err(_)) | None => None,
        };
        if let Some(expiry) = expiry {
            poll_fn(|cx| {
                if pidfd.poll_read_ready(cx).is_ready() || expiry.poll_expired(cx).is_ready() {
                    Poll::Ready(())
                } else {
                    Poll::Pending
                }
            })
            .await;
        }
        // Exited or not, the leader is not reaped yet, so its group id cannot have been reused:
        // the signal reaches what is left of its process group, and nobody else. A child that
        // cannot be signalled (`EPERM`: it changed its credentials) is still waited for.
        let _ = process::signal_group(pid, libc::SIGKILL);
    }
    loop {
        let mut exited = pidfd.readable().await?;
        match process::waitpid(pid, false) {
            Ok(Some(_)) => return Ok(()),
            Ok(None) => exited.clear_ready(),
            // Reaped by someone else (`ECHILD`): nothing left to do.
            Err(_) => return Ok(()),
        }
    }
}

/// The part of a child's end still to do if its task stops early; done in `Drop`, at once.
struct Unfinished {
    pid: Pid,
    kill: bool,
    done: bool,
}

impl Drop for Unfinished {
    fn drop(&mut self) {
        if self.done {
            return;
        }
        let killed = self.kill && process::signal_group(self.pid, libc::SIGKILL).is_ok();
        // After a SIGKILL the wait is for the kernel to tear the process down, not for the
        // program; without one, only a child that has exited is reaped.
        let _ = process::waitpid(self.pid, killed);
    }
}
