//! [`Child`]: a program running on a pty, driven from tokio: its master is `AsyncRead +
//! AsyncWrite`, [`wait`](Child::wait) is woken by the child's pidfd, and a kill-on-drop child is
//! ended in the background.

use std::io;
use std::process::ExitStatus;

use tokio::io::Interest;
use tokio::runtime::Handle;

use super::error::TryFromError;
use super::master::Master;
use super::process::Process;
use super::registration::register;
use crate::child::Parts;
use crate::process::{self, Pid};
use crate::winsize::Winsize;

/// A program running on a pty, on tokio: from [`Command::spawn_async`](crate::Command::spawn_async),
/// or from a [`ptyx::Child`](crate::Child) with `try_from`.
///
/// As with [`ptyx::Child`](crate::Child), the program leads a session of its own with the pty as
/// its controlling terminal; [`signal`](Child::signal) and [`kill`](Child::kill) reach its
/// foreground process group; they only send a signal, so they are not `async`. `wait`,
/// `try_wait`, `kill` and `signal` take `&self`: a task can wait while another reads or signals.
///
/// Dropping a `Child` closes its master (the program gets `SIGHUP` from the kernel, unless a
/// [`try_clone`](Master::try_clone) of the master is still open) and never blocks:
/// - by default the program is left running, as `std` and tokio leave it, and a task on the
///   runtime reaps it when it exits (no zombie);
/// - with [`kill_on_drop(true)`](Child::kill_on_drop) the program is ended, as a dropped expect
///   session ends it: if it has not exited half a second after the hang-up, its process group
///   gets `SIGKILL`; then it is reaped. That happens in a task on the runtime, never on the
///   thread that drops the `Child`. If the runtime shuts down first, the `SIGKILL` and the reap
///   happen at once during the shutdown.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> std::io::Result<()> {
/// use tokio::io::AsyncReadExt;
/// let mut child = ptyx::Command::new("sh").args(["-c", "stty size; exit 3"]).spawn_async()?;
/// let mut output = String::new();
/// child.master().read_to_string(&mut output).await?; // to the end of the session, then Ok(0)
/// assert_eq!(output, "24 80\r\n");
/// assert_eq!(child.wait().await?.code(), Some(3));
///
/// let mut sleeper = ptyx::Command::new("sleep").arg("60").spawn_async()?;
/// sleeper.kill()?; // SIGKILL to its process group
/// assert!(!sleeper.wait().await?.success());
/// # Ok(())
/// # }
/// ```
#[derive(Debug)]
#[cfg_attr(docsrs, doc(cfg(feature = "tokio")))]
pub struct Child {
    // Declared first, so dropped first: the terminal hangs up before the process is handed to
    // the reaper.
    master: Master,
    process: Process,
}

impl Child {
    /// Moves a `ptyx::Child` onto `runtime`'s reactor; gives it back, as it was, on failure.
    pub(crate) fn from_sync(runtime: Handle, child: crate::Child) -> Result<Child, TryFromError<crate::Child>> {
        let Parts { pid, master, status, pidfd } = child.into_parts();
        // Registering panics in a runtime without I/O; the child must not outlive that.
        let mut on_panic = KillOnUnwind { pid, armed: status.is_none() };
        let back = |master, pidfd, error| TryFromError {
            value: crate::Child::from_parts(Parts { pid, master, status, pidfd }),
            error,
        };
        let Some(pidfd) = pidfd else {
            on_panic.armed = false;
            let error = io::Error::new(io::ErrorKind::Unsupported, "ptyx::tokio needs pidfds (Linux 5.3 or later)");
            return Err(back(master, None, error));
        };
        let registered = {
            let _in_runtime = runtime.enter();
            register(pidfd, Interest::READABLE)
        };
        let pidfd = match registered {
            Ok(pidfd) => pidfd,
            Err((pidfd, error)) => {
                on_panic.armed = false;
                return Err(back(master, Some(pidfd), error));
            }
        };
        let master = match Master::register(runtime.clone(), master) {
            Ok(master) => master,
            Err((master, error)) => {
                on_panic.armed = false;
                return Err(back(master, Some(pidfd.into_inner()), error));
            }
        };
        on_panic.armed = false;
        Ok(Child { master, process: Process::new(runtime, pid, pidfd, status) })
    }

    /// The child's process id, like `std::process::Child::id`.
    pub fn id(&self) -> u32 {
        self.process.pid().as_raw() as u32
    }

    /// The child's process id as a [`Pid`]; it also names the child's session and process group.
    pub fn pid(&self) -> Pid {
        self.process.pid()
    }

    /// The pty master: read the program's output from it, write its input to it. `&Master` is
    /// `AsyncRead + AsyncWrite`, so a reader and a writer can share it.
    pub fn master(&self) -> &Master {
        &self.master
    }

    /// Waits for the program to exit and returns its status; later calls return the same status.
    /// The task is woken when the child's pidfd becomes readable, at the exit.
    ///
    /// It takes `&self` (std's and tokio's take `&mut self`), so that one task can wait while
    /// another reads [`master`](Child::master), and several can wait at once:
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> std::io::Result<()> {
    /// use tokio::io::AsyncReadExt;
    /// let child = ptyx::Command::new("sh").args(["-c", "echo hi; exit 2"]).spawn_async()?;
    /// let mut output = Vec::new();
    /// let mut master = child.master();
    /// let (read, status) = tokio::join!(master.read_to_end(&mut output), child.wait());
    /// read?;
    /// assert_eq!((output.as_slice(), status?.code()), (&b"hi\r\n"[..], Some(2)));
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// Cancel safe: dropping the future (for instance in `tokio::time::timeout` or `select!`)
    /// loses nothing; a later `wait` or [`try_wait`](Child::try_wait) returns the status.
    ///
    /// # Errors
    ///
    /// The OS error of waitpid(2): `ECHILD` if something else reaped the child first; or the
    /// reactor's, if the runtime shuts down.
    pub async fn wait(&self) -> io::Result<ExitStatus> {
        self.process.wait().await
    }

    /// The exit status if the program has exited, else `None`, without waiting.
    ///
    /// # Errors
    ///
    /// As [`wait`](Child::wait).
    pub fn try_wait(&self) -> io::Result<Option<ExitStatus>> {
        self.process.try_wait()
    }

    /// Sends `SIGKILL` to the child's process group. Does nothing once the child has been reaped.
    ///
    /// # Errors
    ///
    /// The OS error of kill(2) (`EPERM` for a child that changed its credentials).
    pub fn kill(&self) -> io::Result<()> {
        self.signal(libc::SIGKILL)
    }

    /// Sends signal `sig` to the child's process group, as [`ptyx::Child::signal`](crate::Child::signal):
    /// every number kill(2) accepts, real-time signals (`libc::SIGRTMIN() + 3`) included; 0 only
    /// checks that the group is there. Does nothing once the child has been reaped.
    ///
    /// # Errors
    ///
    /// `InvalidInput` for a number that is not a signal; else the OS error of kill(2).
    pub fn signal(&self, sig: i32) -> io::Result<()> {
        self.process.signal(sig)
    }

    /// Resizes the pty; the program gets `SIGWINCH`. The same as
    /// [`master().set_window_size(size)`](Master::set_window_size).
    ///
    /// # Errors
    ///
    /// The OS error of the ioctl, which does not fail on a pty.
    pub fn resize(&self, size: Winsize) -> io::Result<()> {
        self.master.set_window_size(size)
    }

    /// The pty's current window size, the same as [`master().window_size()`](Master::window_size).
    ///
    /// # Errors
    ///
    /// The OS error of the ioctl, which does not fail on a pty.
    pub fn window_size(&self) -> io::Result<Winsize> {
        self.master.window_size()
    }

    /// Whether dropping this `Child` ends the program (default: no), like tokio's
    /// `Command::kill_on_drop`: the terminal hangs up, and after a grace of half a second the
    /// program's process group gets `SIGKILL`; it is reaped in the background either way (see
    /// [`Child`]).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> std::io::Result<()> {
    /// let mut child = ptyx::Command::new("sleep").arg("60").spawn_async()?;
    /// child.kill_on_drop(true);
    /// drop(child); // returns at once; sleep gets SIGHUP now, and is reaped in the background
    /// # Ok(())
    /// # }
    /// ```
    pub fn kill_on_drop(&mut self, kill: bool) -> &mut Child {
        self.process.set_kill_on_drop(kill);
        self
    }
}

impl TryFrom<crate::Child> for Child {
    type Error = TryFromError<crate::Child>;

    /// Moves a `ptyx::Child` onto the current runtime: its master and pidfd are registered with
    /// the runtime's reactor, and the master becomes non-blocking.
    ///
    /// # Errors
    ///
    /// `Other` outside a tokio runtime; `Unsupported` without pidfds (Linux before 5.3); the OS
    /// error when the reactor refuses a descriptor. The child comes back in the error, as it
    /// was, still running.
    ///
    /// # Panics
    ///
    /// In a runtime built without I/O (no `enable_io`), as tokio's own I/O types do; the program
    /// is killed and reaped first.
    fn try_from(child: crate::Child) -> Result<Child, Self::Error> {
        match super::current_runtime() {
            Ok(runtime) => Child::from_sync(runtime, child),
            Err(error) => Err(TryFromError { value: child, error }),
        }
    }
}

/// Kills and reaps the child if a panic unwinds through the conversion (tokio's, for a runtime
/// without I/O), so that no process outlives a failed start.
struct KillOnUnwind {
    pid: Pid,
    armed: bool,
}

impl Drop for KillOnUnwind {
    fn drop(&mut self) {
        if self.armed && process::signal_group(self.pid, libc::SIGKILL).is_ok() {
            let _ = process::waitpid(self.pid, true);
        }
    }
}
