//! A program running on a pty: [`Child`], the handle [`Command::spawn`](crate::Command::spawn)
//! returns, shaped like `std::process::Child`: wait for it (blocking, without blocking, or with a
//! timeout through its [pidfd](https://man7.org/linux/man-pages/man2/pidfd_open.2.html)), signal
//! its process group, resize its terminal.

use std::io;
use std::os::fd::{AsFd, BorrowedFd, OwnedFd};
use std::process::ExitStatus;
use std::time::{Duration, Instant};

use crate::process::{self, Pid};
use crate::pty::Master;
use crate::winsize::Winsize;

/// A program running on a pty, started by [`Command::spawn`](crate::Command::spawn).
///
/// The child leads a session of its own with the pty as its controlling terminal, so
/// [`signal`](Child::signal) and [`kill`](Child::kill) reach its whole foreground process group.
/// Dropping a `Child` closes the master (the program gets `SIGHUP` from the kernel, as when a
/// terminal window closes) and reaps the child if it has already exited; it never blocks and
/// never panics.
///
/// ```
/// use std::io::{Read, Write};
/// use std::time::Duration;
/// let mut child = ptyx::Command::new("sh")
///     .args(["-c", "stty size; read line; echo \"got $line\"; exit 7"])
///     .window_size(ptyx::Winsize::new(30, 100))
///     .spawn()?;
/// assert_eq!(child.window_size()?, ptyx::Winsize::new(30, 100));
/// child.resize(ptyx::Winsize::new(40, 120))?; // the program gets SIGWINCH
/// child.master().write_all(b"hello\n")?; // typed at the program
/// let mut output = String::new();
/// child.master().read_to_string(&mut output)?; // to the end of the session
/// assert!(output.ends_with("got hello\r\n"), "{output:?}");
/// assert_eq!(child.wait_timeout(Duration::from_secs(5))?.and_then(|s| s.code()), Some(7));
///
/// let mut sleeper = ptyx::Command::new("sleep").arg("60").spawn()?;
/// sleeper.kill()?; // SIGKILL to its process group
/// assert!(!sleeper.wait()?.success());
/// # Ok::<(), std::io::Error>(())
/// ```
#[derive(Debug)]
pub struct Child {
    pid: Pid,
    master: Master,
    status: Option<ExitStatus>,
    /// Readable once the child has exited; `None` without pidfds (Linux before 5.3).
    pidfd: Option<OwnedFd>,
}

impl Child {
    pub(crate) fn new(pid: Pid, master: Master) -> Child {
        let pidfd = process::pidfd(pid);
        Child { pid, master, status: None, pidfd }
    }

    /// The child's process id, like `std::process::Child::id`.
    pub fn id(&self) -> u32 {
        self.pid.as_raw() as u32
    }

    /// The child's process id as a [`Pid`]; it also names the child's session and process group.
    pub fn pid(&self) -> Pid {
        self.pid
    }

    /// The pty master: read the child's output from it, write its input to it.
    /// `&Master` is `Read + Write`, so a reader thread and a writer thread can share it.
    pub fn master(&self) -> &Master {
        &self.master
    }

    /// Waits for the child to exit and returns its status. Later calls return the same status.
    ///
    /// # Errors
    ///
    /// The OS error of waitpid(2): `ECHILD` if something else reaped the child first.
    pub fn wait(&mut self) -> io::Result<ExitStatus> {
        if let Some(status) = self.status {
            return Ok(status);
        }
        let status = self.pid.wait()?;
        self.status = Some(status);
        Ok(status)
    }

    /// The exit status if the child has exited, else `None`, without blocking.
    ///
    /// # Errors
    ///
    /// As [`wait`](Child::wait).
    pub fn try_wait(&mut self) -> io::Result<Option<ExitStatus>> {
        if self.status.is_none() {
            self.status = process::waitpid(self.pid, false)?;
        }
        Ok(self.status)
    }

    /// Waits at most `timeout` for the child to exit: one poll(2) on its pidfd with the time left.
    ///
    /// # Errors
    ///
    /// As [`wait`](Child::wait).
    pub fn wait_timeout(&mut self, timeout: Duration) -> io::Result<Option<ExitStatus>> {
        if let Some(status) = self.try_wait()? {
            return Ok(Some(status));
        }
        let deadline = Instant::now() + timeout;
        if let Some(pidfd) = &self.pidfd {
            exited_by(pidfd.as_fd(), deadline)?;
            return self.try_wait();
        }
        // No pidfds (Linux before 5.3): nothing to wait on, so look at the status with a short,
        // growing pause.
        let mut pause = Duration::from_millis(1);
        loop {
            if let Some(status) = self.try_wait()? {
                return Ok(Some(status));
            }
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Ok(None);
            }
            std::thread::sleep(pause.min(left));
            pause = (pause * 2).min(Duration::from_millis(50));
        }
    }

    /// Sends `SIGKILL` to the child's process group. Does nothing once the child has been reaped
    /// (its pid may belong to someone else by then).
    ///
    /// # Errors
    ///
    /// The OS error of kill(2) (`EPERM` for a child that changed its credentials).
    pub fn kill(&mut self) -> io::Result<()> {
        self.signal(libc::SIGKILL)
    }

    /// Sends signal `sig` (e.g. `libc::SIGTERM`, or a real-time signal such as
    /// `libc::SIGRTMIN() + 3`) to the child's process group: the child and whatever it started in
    /// its session's foreground. Every number kill(2) accepts works; 0 only checks that the group
    /// is there. Does nothing once the child has been reaped.
    ///
    /// # Errors
    ///
    /// `InvalidInput` for a number that is not a signal; else the OS error of kill(2).
    pub fn signal(&self, sig: i32) -> io::Result<()> {
        if self.status.is_some() {
            return Ok(());
        }
        process::signal_group(self.pid, sig)
    }

    /// Resizes the pty; the child gets `SIGWINCH`. The same as
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

    /// The descriptor that becomes readable when the child exits, if the kernel has pidfds.
    pub(crate) fn pidfd(&self) -> Option<BorrowedFd<'_>> {
        self.pidfd.as_ref().map(|fd| fd.as_fd())
    }

    /// The status, if the child has been reaped.
    pub(crate) fn status(&self) -> Option<ExitStatus> {
        self.status
    }

    /// Takes the child apart without dropping it (no reap, the master stays open), for layers
    /// that drive the same process another way (`ptyx::tokio`).
    #[cfg(feature = "tokio")]
    pub(crate) fn into_parts(self) -> Parts {
        let this = std::mem::ManuallyDrop::new(self);
        // SAFETY: `this` is never dropped or used again, so each field is moved out exactly once
        // and nothing else reads the moved-from memory.
        unsafe {
            Parts {
                pid: this.pid,
                master: std::ptr::read(&this.master),
                status: this.status,
                pidfd: std::ptr::read(&this.pidfd),
            }
        }
    }

    /// Puts a child taken apart by [`into_parts`](Child::into_parts) back together.
    #[cfg(feature = "tokio")]
    pub(crate) fn from_parts(parts: Parts) -> Child {
        let Parts { pid, master, status, pidfd } = parts;
        Child { pid, master, status, pidfd }
    }

    /// Hangs up the terminal as closing the master would, keeping the child to reap: the master
    /// is closed and replaced by /dev/null, so reads of [`master`](Child::master) give end of file.
    /// When this was the last descriptor of the pty master (no `try_clone` of it is open), the
    /// kernel hangs the terminal up: `SIGHUP` to the child's session, `EIO` on its terminal.
    pub(crate) fn hang_up(&mut self) -> io::Result<()> {
        use rustix::fs::{Mode, OFlags};
        let null = rustix::fs::open("/dev/null", OFlags::RDWR | OFlags::CLOEXEC, Mode::empty())?;
        // Dropping the old Master closes its descriptor.
        self.master = Master::from_owned_fd(null);
        Ok(())
    }
}

impl Child {
    /// Ends the program as closing its terminal window would, and leaves nothing of its process
    /// group: hangs the terminal up (`SIGHUP`), waits up to `grace` for the child to exit, then
    /// sends `SIGKILL` to its process group (what remains of it: background jobs of a shell, a
    /// program that ignores `SIGHUP`) and reaps the child. The group is signalled before the
    /// child is reaped, while its id cannot belong to anyone else. Returns the child's status.
    pub(crate) fn terminate(&mut self, grace: Duration) -> io::Result<ExitStatus> {
        if let Some(status) = self.status {
            return Ok(status);
        }
        self.hang_up()?;
        if let Some(pidfd) = &self.pidfd {
            exited_by(pidfd.as_fd(), Instant::now() + grace)?;
        }
        process::signal_group(self.pid, libc::SIGKILL)?;
        self.wait()
    }
}

/// Waits until the child of `pidfd` has exited (it stays a zombie, unreaped) or `deadline` has
/// passed: one poll(2) with the time left, again after a signal interrupted it. Whether it exited.
fn exited_by(pidfd: BorrowedFd<'_>, deadline: Instant) -> io::Result<bool> {
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        if crate::fd::poll_readable(pidfd, Some(left))? {
            return Ok(true);
        }
        if left.is_zero() {
            return Ok(false);
        }
    }
}

/// What a [`Child`] is made of, for layers that take it over.
#[cfg(feature = "tokio")]
#[derive(Debug)]
pub(crate) struct Parts {
    pub(crate) pid: Pid,
    pub(crate) master: Master,
    pub(crate) status: Option<ExitStatus>,
    pub(crate) pidfd: Option<OwnedFd>,
}

impl Drop for Child {
    fn drop(&mut self) {
        if self.status.is_none() {
            // Reap it if it is already gone, so a dropped Child leaves no zombie behind; a
            // running child is left running, as std does.
            let _ = process::waitpid(self.pid, false);
        }
    }
}
