//! Forking with a pty as the child's controlling terminal, like Python's `pty.fork()`:
//! [fork(2)](https://man7.org/linux/man-pages/man2/fork.2.html),
//! [setsid(2)](https://man7.org/linux/man-pages/man2/setsid.2.html), `TIOCSCTTY` in
//! [ioctl_tty(2)](https://man7.org/linux/man-pages/man2/ioctl_tty.2.html).

use std::fmt;
use std::io;
use std::os::fd::AsFd;
use std::process::ExitStatus;

use crate::pty::{openpty, Master};

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
    pub fn wait(self) -> io::Result<ExitStatus> {
        crate::wait::waitpid(self, true)?.ok_or_else(|| io::Error::other("waitpid returned without a status"))
    }
}

impl fmt::Display for Pid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// Which side of [`fork`] this is.
#[derive(Debug)]
pub enum ForkResult {
    /// The original process: the child's pid and the pty master (close-on-exec).
    Parent {
        /// The child's process id.
        child: Pid,
        /// The master side of the child's terminal.
        master: Master,
    },
    /// The new process: a session leader whose controlling terminal is the pty, with the slave
    /// as fds 0, 1 and 2 and the master not open.
    Child,
}

/// Forks a child whose controlling terminal is a new pty, like Python's `pty.fork()`.
///
/// In the child: a new session (`setsid`), the slave made its controlling terminal (`TIOCSCTTY`)
/// and duplicated onto fds 0, 1 and 2, the master closed. Should any of that fail, the child
/// exits with status 127 at once, since it has no way to report an error to the parent. The pty
/// starts 0x0, as the kernel makes it; set a size on the master if the child needs one.
///
/// Most programs want [`Command`](crate::Command) instead: it is safe, reports exec failures,
/// keeps other descriptors out of the child and sets a window size.
///
/// # Safety
///
/// After `fork` in a multithreaded program only the calling thread exists in the child, and
/// every lock another thread held (the allocator's, stdio's, the environment's...) stays locked
/// forever. The child may therefore only run
/// [async-signal-safe](https://man7.org/linux/man-pages/man7/signal-safety.7.html) code until it
/// calls `exec` or `_exit`: no allocation, no `println!`, no `std::env`, no panics. The caller
/// must guarantee that; this function cannot. In a single-threaded program the restriction does
/// not apply, which is the situation Python's `pty.fork` assumes.
///
/// ```no_run
/// # fn main() -> std::io::Result<()> {
/// use std::ffi::CString;
/// // Built before fork: the child must not allocate.
/// let prog = CString::new("/bin/echo").unwrap();
/// let args = [prog.as_ptr(), c"hello".as_ptr(), std::ptr::null()];
/// // SAFETY: the child only calls execv and _exit, both async-signal-safe.
/// match unsafe { ptyx::fork()? } {
///     ptyx::ForkResult::Child => unsafe {
///         libc::execv(prog.as_ptr(), args.as_ptr());
///         libc::_exit(127);
///     },
///     ptyx::ForkResult::Parent { child, master } => {
///         let out = std::io::read_to_string(master)?;
///         assert_eq!(out, "hello\r\n");
///         assert!(child.wait()?.success());
///     }
/// }
/// # Ok(()) }
/// ```
pub unsafe fn fork() -> io::Result<ForkResult> {
    let (master, slave) = openpty()?;
    // The slave must not sit on 0, 1 or 2 (possible when the caller closed its stdio): dup2 onto
    // itself would keep close-on-exec set and the exec'd program would lose its terminal.
    let slave = rustix::io::fcntl_dupfd_cloexec(&slave, 3)?;
    // SAFETY: the caller upholds the contract above; between here and return the child only
    // makes raw system calls through rustix (setsid, ioctl, dup2, close), all async-signal-safe.
    let pid = unsafe { libc::fork() };
    if pid < 0 {
        return Err(io::Error::last_os_error());
    }
    if pid > 0 {
        return Ok(ForkResult::Parent { child: Pid(pid), master });
    }
    drop(master);
    let setup = rustix::process::setsid()
        .and_then(|_| rustix::process::ioctl_tiocsctty(&slave))
        .and_then(|_| rustix::stdio::dup2_stdin(slave.as_fd()))
        .and_then(|_| rustix::stdio::dup2_stdout(slave.as_fd()))
        .and_then(|_| rustix::stdio::dup2_stderr(slave.as_fd()));
    if setup.is_err() {
        // SAFETY: _exit is async-signal-safe and skips the parent's atexit handlers and buffers.
        unsafe { libc::_exit(127) };
    }
    drop(slave);
    Ok(ForkResult::Child)
}
