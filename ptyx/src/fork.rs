//! Forking with a pty as the child's controlling terminal, like Python's `pty.fork()`:
//! [fork(2)](https://man7.org/linux/man-pages/man2/fork.2.html),
//! [setsid(2)](https://man7.org/linux/man-pages/man2/setsid.2.html), `TIOCSCTTY` in
//! [ioctl_tty(2)](https://man7.org/linux/man-pages/man2/ioctl_tty.2.html).

use std::io;
use std::os::fd::{AsFd, OwnedFd};

use crate::process::Pid;
use crate::pty::{openpty, Master};

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
///
/// # Errors
///
/// The pty could not be opened (as [`openpty`]), or fork(2) failed (`EAGAIN`: too many processes).
pub unsafe fn fork() -> io::Result<ForkResult> {
    let (master, slave) = openpty()?;
    // The slave must not sit on 0, 1 or 2 (possible when the caller closed its stdio): dup2 onto
    // itself would keep close-on-exec set and the exec'd program would lose its terminal.
    let slave_fd: OwnedFd = rustix::io::fcntl_dupfd_cloexec(&slave, 3)?;
    // The `Slave` owns its path on the heap: free it here, before fork. Dropped in the child it
    // would call the allocator, whose lock another thread may hold forever there.
    drop(slave);
    let slave = slave_fd;
    // SAFETY: the caller upholds the contract above. Between here and the return the child
    // touches no heap memory: it makes raw system calls through rustix (setsid, ioctl, dup2) and
    // drops `master` and `slave`, whose only resources are descriptors (a drop is close(2)); the
    // errors it may see are rustix `Errno`s, plain integers. All of that is async-signal-safe.
    let pid = unsafe { libc::fork() };
    if pid < 0 {
        return Err(io::Error::last_os_error());
    }
    if pid > 0 {
        return Ok(ForkResult::Parent { child: Pid::from_raw(pid), master });
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
