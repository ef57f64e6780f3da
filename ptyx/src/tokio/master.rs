//! [`Master`]: a pty master on tokio's reactor, `AsyncRead + AsyncWrite`, with the end of the
//! session (Linux's `EIO`, see [pty(7)](https://man7.org/linux/man-pages/man7/pty.7.html)) read
//! as end of file.

use std::io::{self, IoSlice, Write};
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, RawFd};
use std::pin::Pin;
use std::task::{ready, Context, Poll};

use tokio::io::unix::AsyncFd;
use tokio::io::{AsyncRead, AsyncWrite, Interest, ReadBuf};
use tokio::runtime::Handle;

use super::error::TryFromError;
use super::registration::register;
use crate::winsize::Winsize;

/// The most one read asks for: a pty master gives at most a few KiB at a time anyway.
const MAX_READ: usize = 64 * 1024;

/// The controlling side of a pty, on tokio: what [`Child::master`](super::Child::master) gives, or
/// any [`ptyx::Master`](crate::Master) converted with `try_from`.
///
/// `AsyncRead` and `AsyncWrite` are implemented for `Master` and for `&Master`, so one task (or
/// one branch of a `join!`) can read while another writes through shared references. Reading
/// returns `Ok(0)` at the end of the session, when every slave descriptor is closed (Linux
/// reports `EIO` there, after all the data), so `read_to_end` and every loop that stops at end of
/// file work as they do on a pipe.
///
/// Each handle waits for readiness in one slot per direction (tokio's `poll_read_ready` rule):
/// two tasks *reading* at once through the same handle, or two writing, would each be woken
/// only as the last one to wait. Give each extra reader or writer its own handle with
/// [`try_clone`](Master::try_clone). [`readable`](Master::readable) and
/// [`writable`](Master::writable) have no such limit.
///
/// The descriptor is non-blocking (`O_NONBLOCK`): the flag belongs to the open file description,
/// so a [`ptyx::Master`](crate::Master) duplicated before the conversion is non-blocking too.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> std::io::Result<()> {
/// use tokio::io::{AsyncReadExt, AsyncWriteExt};
/// let mut child = ptyx::Command::new("cat").echo(false).spawn_async()?;
/// let (mut reader, mut writer) = (child.master(), child.master());
/// let mut seen = Vec::new();
/// let mut buf = [0u8; 64];
/// let read = async {
///     while !seen.ends_with(b"hi\r\n") {
///         let n = reader.read(&mut buf).await?;
///         seen.extend_from_slice(&buf[..n]);
///     }
///     Ok::<_, std::io::Error>(())
/// };
/// let (read, write) = tokio::join!(read, writer.write_all(b"hi\n")); // read while writing
/// read?;
/// write?;
/// child.kill()?;
/// child.wait().await?;
/// # Ok(())
/// # }
/// ```
#[derive(Debug)]
#[cfg_attr(docsrs, doc(cfg(feature = "tokio")))]
pub struct Master {
    fd: AsyncFd<crate::Master>,
    /// The runtime whose reactor `fd` is registered with, for [`try_clone`](Master::try_clone).
    runtime: Handle,
}

impl Master {
    /// Registers `master` with `runtime`'s reactor, non-blocking; gives it back, as it was, on
    /// failure.
    pub(crate) fn register(runtime: Handle, master: crate::Master) -> Result<Master, (crate::Master, io::Error)> {
        let was_nonblocking = match crate::fd::set_nonblocking(master.as_fd(), true) {
            Ok(was) => was,
            Err(e) => return Err((master, e)),
        };
        let registered = {
            let _in_runtime = runtime.enter();
            register(master, Interest::READABLE | Interest::WRITABLE)
        };
        match registered {
            Ok(fd) => Ok(Master { fd, runtime }),
            Err((master, e)) => {
                if !was_nonblocking {
                    let _ = crate::fd::set_nonblocking(master.as_fd(), false);
                }
                Err((master, e))
            }
        }
    }

    /// A second handle on the same pty (a duplicated descriptor, registered with the same
    /// runtime), to move into another task. Callable from any thread.
    ///
    /// # Errors
    ///
    /// The OS error of dup(2) (`EMFILE`), or of registering the copy with the reactor.
    pub fn try_clone(&self) -> io::Result<Master> {
        let copy = self.fd.get_ref().try_clone()?;
        let _in_runtime = self.runtime.enter();
        let fd = register(copy, Interest::READABLE | Interest::WRITABLE).map_err(|(_, e)| e)?;
        Ok(Master { fd, runtime: self.runtime.clone() })
    }

    /// The pty's window size (`TIOCGWINSZ`).
    ///
    /// # Errors
    ///
    /// The OS error of the ioctl, which does not fail on a pty.
    pub fn window_size(&self) -> io::Result<Winsize> {
        self.fd.get_ref().window_size()
    }

    /// Sets the pty's window size (`TIOCSWINSZ`): the program on it gets `SIGWINCH` if the size
    /// changed.
    ///
    /// # Errors
    ///
    /// The OS error of the ioctl, which does not fail on a pty.
    pub fn set_window_size(&self, size: Winsize) -> io::Result<()> {
        self.fd.get_ref().set_window_size(size)
    }

    /// The terminal's mode, as [`ptyx::Master::termios`](crate::Master::termios).
    ///
    /// # Errors
    ///
    /// The OS error of tcgetattr(3), which does not fail on a pty.
    pub fn termios(&self) -> io::Result<crate::Termios> {
        self.fd.get_ref().termios()
    }

    /// Sets the terminal's mode at once, as [`ptyx::Master::set_termios`](crate::Master::set_termios).
    ///
    /// # Errors
    ///
    /// The OS error of tcsetattr(3): `InvalidInput` for a mode the terminal refuses.
    pub fn set_termios(&self, termios: &crate::Termios) -> io::Result<()> {
        self.fd.get_ref().set_termios(termios)
    }

    /// Waits until the master may be readable: output to read, or the end of the session. It
    /// can report readiness that a [`try_read`](Master::try_read) then finds gone (another reader
    /// took the bytes); loop on both. Any number of tasks may wait at once.
    ///
    /// Cancel safe: dropping the future loses nothing.
    ///
    /// # Errors
    ///
    /// The reactor's error, such as the runtime shutting down.
    pub async fn readable(&self) -> io::Result<()> {
        // The guard is dropped without clearing: the readiness stays until a read finds nothing.
        self.fd.readable().await.map(drop)
    }

    /// Waits until the master may be writable. As [`readable`](Master::readable).
    ///
    /// Cancel safe: dropping the future loses nothing.
    ///
    /// # Errors
    ///
    /// The reactor's error, such as the runtime shutting down.
    pub async fn writable(&self) -> io::Result<()> {
        self.fd.writable().await.map(drop)
    }

    /// Reads what is there without waiting, into `buf` (for instance the spare room of an expect
    /// buffer): the count read, `Ok(0)` at the end of the session, `WouldBlock` when nothing is
    /// there yet (or the reactor has not reported it yet), after which
    /// [`readable`](Master::readable) waits for more.
    ///
    /// # Errors
    ///
    /// `WouldBlock` as above; else the OS error of read(2).
    pub fn try_read(&self, buf: &mut [u8]) -> io::Result<usize> {
        self.fd.try_io(Interest::READABLE, |master| read(master, buf))
    }

    /// Writes what the pty takes now without waiting: the count written, `WouldBlock` when its
    /// input queue is full (then [`writable`](Master::writable) waits for room).
    ///
    /// # Errors
    ///
    /// `WouldBlock` as above; else the OS error of write(2).
    pub fn try_write(&self, buf: &[u8]) -> io::Result<usize> {
        self.fd.try_io(Interest::WRITABLE, |master| write(master, buf))
    }

    fn poll_read_into(&self, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<io::Result<()>> {
        if buf.remaining() == 0 {
            return Poll::Ready(Ok(()));
        }
        loop {
            let mut ready = ready!(self.fd.poll_read_ready(cx))?;
            // Zeroed before the read (no unsafe); capped, so that a huge uninitialised buffer
            // costs no more than a read fills.
            let room = buf.initialize_unfilled_to(buf.remaining().min(MAX_READ));
            // `Err(_)` is a `WouldBlock`: the readiness was cleared, wait for the next one.
            if let Ok(read) = ready.try_io(|fd| read(fd.get_ref(), room)) {
                buf.advance(read?);
                return Poll::Ready(Ok(()));
            }
        }
    }

    fn poll_write_from(&self, cx: &mut Context<'_>, data: &[u8]) -> Poll<io::Result<usize>> {
        if data.is_empty() {
            return Poll::Ready(Ok(0));
        }
        loop {
            let mut ready = ready!(self.fd.poll_write_ready(cx))?;
            if let Ok(written) = ready.try_io(|fd| write(fd.get_ref(), data)) {
                return Poll::Ready(written);
            }
        }
    }

    fn poll_write_vectored_from(&self, cx: &mut Context<'_>, bufs: &[IoSlice<'_>]) -> Poll<io::Result<usize>> {
        loop {
            let mut ready = ready!(self.fd.poll_write_ready(cx))?;
            if let Ok(written) = ready.try_io(|fd| retry_interrupted(|| fd.get_ref().write_vectored(bufs))) {
                return Poll::Ready(written);
            }
        }
    }
}

/// One non-blocking read; `EIO` (the end of the session) is `Ok(0)`, as in [`crate::read`].
fn read(master: &crate::Master, buf: &mut [u8]) -> io::Result<usize> {
    retry_interrupted(|| crate::pty::read(master.as_fd(), buf))
}

fn write(master: &crate::Master, data: &[u8]) -> io::Result<usize> {
    let mut writer = master;
    retry_interrupted(|| writer.write(data))
}

/// A non-blocking call does not sleep, so a signal can only interrupt it at its very start:
/// trying again is right, and cannot loop for long.
fn retry_interrupted<T>(mut call: impl FnMut() -> io::Result<T>) -> io::Result<T> {
    loop {
        match call() {
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            other => return other,
        }
    }
}

impl TryFrom<crate::Master> for Master {
    type Error = TryFromError<crate::Master>;

    /// Puts a master (from [`openpty`](crate::openpty), say) on the current runtime's reactor.
    ///
    /// # Errors
    ///
    /// `Other` outside a tokio runtime; the OS error when the reactor refuses the descriptor.
    /// The master comes back in the error, as it was.
    fn try_from(master: crate::Master) -> Result<Master, Self::Error> {
        let runtime = match super::current_runtime() {
            Ok(runtime) => runtime,
            Err(error) => return Err(TryFromError { value: master, error }),
        };
        Master::register(runtime, master).map_err(|(value, error)| TryFromError { value, error })
    }
}

/// Implements the tokio I/O traits for a type that derefs to a `&Master`.
macro_rules! async_io {
    ($($t:ty),*) => {$(
        impl AsyncRead for $t {
            /// Reads what the program wrote; `Ok(())` with nothing filled at the end of the
            /// session. Cancel safe.
            fn poll_read(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<io::Result<()>> {
                self.get_mut().poll_read_into(cx, buf)
            }
        }

        impl AsyncWrite for $t {
            /// Types at the program. Cancel safe: a write that returned `Pending` wrote nothing.
            fn poll_write(self: Pin<&mut Self>, cx: &mut Context<'_>, data: &[u8]) -> Poll<io::Result<usize>> {
                self.get_mut().poll_write_from(cx, data)
            }

            fn poll_write_vectored(
                self: Pin<&mut Self>,
                cx: &mut Context<'_>,
                bufs: &[IoSlice<'_>],
            ) -> Poll<io::Result<usize>> {
                self.get_mut().poll_write_vectored_from(cx, bufs)
            }

            fn is_write_vectored(&self) -> bool {
                true
            }

            /// Nothing to flush: a write is in the pty when it returns.
            fn poll_flush(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
                Poll::Ready(Ok(()))
            }

            /// Does nothing: a pty has no half-close. To end the program's input, write its
            /// end-of-file character (`VEOF`, usually Ctrl-D, at the start of a line).
            fn poll_shutdown(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
                Poll::Ready(Ok(()))
            }
        }
    )*};
}

async_io!(Master, &Master);

impl AsFd for Master {
    fn as_fd(&self) -> BorrowedFd<'_> {
        self.fd.get_ref().as_fd()
    }
}

impl AsRawFd for Master {
    fn as_raw_fd(&self) -> RawFd {
        self.fd.as_raw_fd()
    }
}
