//! Descriptor helpers shared by the layers above: waiting on descriptors with
//! [poll(2)](https://man7.org/linux/man-pages/man2/poll.2.html), complete writes to descriptors
//! that may be non-blocking, `O_NONBLOCK` ([fcntl(2)](https://man7.org/linux/man-pages/man2/fcntl.2.html)),
//! and how an output descriptor takes writes.

use std::io;
use std::os::fd::BorrowedFd;
use std::time::Duration;

use rustix::event::{PollFd, PollFlags, Timespec};

/// poll(2) with an optional timeout (`None` waits forever); `EINTR` comes back as `Interrupted`.
pub(crate) fn poll(fds: &mut [PollFd<'_>], timeout: Option<Duration>) -> io::Result<usize> {
    // A timeout too long for a timespec is as good as forever.
    let ts = timeout.and_then(|d| Timespec::try_from(d).ok());
    Ok(rustix::event::poll(fds, ts.as_ref())?)
}

/// Waits until `fd` is readable (or hung up) or `timeout` passes; `Ok(true)` if it is. A signal
/// handled meanwhile returns `Ok(false)` early: callers loop on their own deadline.
pub(crate) fn poll_readable(fd: BorrowedFd<'_>, timeout: Option<Duration>) -> io::Result<bool> {
    let mut fds = [PollFd::from_borrowed_fd(fd, PollFlags::IN)];
    match poll(&mut fds, timeout) {
        Ok(n) => Ok(n > 0),
        Err(e) if e.kind() == io::ErrorKind::Interrupted => Ok(false),
        Err(e) => Err(e),
    }
}

/// Writes all of `bytes` to a descriptor that may be non-blocking, waiting in poll(2) while it is
/// full; retries on `EINTR`.
pub(crate) fn write_all(fd: BorrowedFd<'_>, mut bytes: &[u8]) -> io::Result<()> {
    while !bytes.is_empty() {
        match rustix::io::write(fd, bytes) {
            Ok(0) => return Err(io::ErrorKind::WriteZero.into()),
            Ok(n) => bytes = &bytes[n..],
            Err(rustix::io::Errno::INTR) => {}
            Err(rustix::io::Errno::AGAIN) => {
                let mut fds = [PollFd::from_borrowed_fd(fd, PollFlags::OUT)];
                match poll(&mut fds, None) {
                    Ok(_) => {}
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                    Err(e) => return Err(e),
                }
            }
            Err(e) => return Err(e.into()),
        }
    }
    Ok(())
}

/// Puts `fd` in (or out of) non-blocking mode and returns whether it was non-blocking before.
/// This changes the open file description, which every duplicate of `fd` shares.
pub(crate) fn set_nonblocking(fd: BorrowedFd<'_>, nonblocking: bool) -> io::Result<bool> {
    use rustix::fs::OFlags;
    let flags = rustix::fs::fcntl_getfl(fd)?;
    let was = flags.contains(OFlags::NONBLOCK);
    if was != nonblocking {
        let new = if nonblocking { flags | OFlags::NONBLOCK } else { flags - OFlags::NONBLOCK };
        rustix::fs::fcntl_setfl(fd, new)?;
    }
    Ok(was)
}

/// How an output descriptor takes writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct OutputKind {
    /// Whole writes can go straight to it: it never blocks for long (a file, /dev/null).
    pub(crate) direct: bool,
    /// The largest write that cannot block once poll(2) said it is writable.
    pub(crate) chunk: usize,
}

impl OutputKind {
    /// What `fd` is: regular files and devices such as /dev/null take whole writes at once; pipes
    /// and sockets get at most `PIPE_BUF` per poll, the most that cannot block once poll reported
    /// them writable; terminals get polled writes too.
    pub(crate) fn of(fd: BorrowedFd<'_>) -> OutputKind {
        use rustix::fs::FileType;
        const POLLED: OutputKind = OutputKind { direct: false, chunk: libc::PIPE_BUF };
        let Ok(stat) = rustix::fs::fstat(fd) else { return POLLED };
        match FileType::from_raw_mode(stat.st_mode) {
            FileType::RegularFile => OutputKind { direct: true, chunk: usize::MAX },
            FileType::CharacterDevice if !rustix::termios::isatty(fd) => OutputKind { direct: true, chunk: usize::MAX },
            FileType::Fifo | FileType::Socket => POLLED,
            _ => OutputKind { direct: false, chunk: 64 * 1024 },
        }
    }
}

/// The standard descriptors (0, 1, 2) that were closed, held open on /dev/null while a relay runs.
///
/// The relay reads fd 0 and writes fd 1 whatever they are: were one closed, the next descriptor
/// opened (the relay's signal pipe, the pty master) would take its number, and the relay would
/// read its own signal pipe as input or type the program's output back into it. So a closed
/// stdin reads as /dev/null (the program gets end of file), a closed stdout discards the output,
/// and the descriptors are closed again when the relay returns. (A Rust program never meets this:
/// Rust's runtime opens /dev/null on closed fds 0-2 before `main`; Python's and C's do not.)
pub(crate) struct HeldStdio(Vec<i32>);

impl HeldStdio {
    /// Opens /dev/null on each of fds 0, 1 and 2 that is closed, until `Drop`.
    ///
    /// # Errors
    ///
    /// The OS error of open(2) (`EMFILE`).
    pub(crate) fn new() -> std::io::Result<HeldStdio> {
        let mut held = HeldStdio(Vec::new());
        for fd in 0..=2 {
            // SAFETY: F_GETFD on any number only reads its flags (EBADF if it is closed).
            if unsafe { libc::fcntl(fd, libc::F_GETFD) } != -1 {
                continue;
            }
            // SAFETY: a NUL-terminated path; open(2) returns the lowest free number, this `fd`,
            // as every lower one is open.
            let opened = unsafe { libc::open(c"/dev/null".as_ptr(), libc::O_RDWR | libc::O_CLOEXEC) };
            if opened < 0 {
                return Err(std::io::Error::last_os_error());
            }
            held.0.push(opened);
            if opened != fd {
                // Another thread took the number first: there is nothing to hold.
                break;
            }
        }
        Ok(held)
    }
}

impl Drop for HeldStdio {
    fn drop(&mut self) {
        for &fd in &self.0 {
            // SAFETY: descriptors this guard opened and nothing else owns.
            unsafe { libc::close(fd) };
        }
    }
}
