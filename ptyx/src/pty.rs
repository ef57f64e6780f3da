//! Opening a pseudo-terminal pair: [pty(7)](https://man7.org/linux/man-pages/man7/pty.7.html),
//! [posix_openpt(3)](https://man7.org/linux/man-pages/man3/posix_openpt.3.html), and the two ends as types.

use std::fs::File;
use std::io::{self, IoSlice, IoSliceMut, Read, Write};
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, IntoRawFd, OwnedFd, RawFd};
use std::path::{Path, PathBuf};

use rustix::pty::OpenptFlags;
use rustix::termios::{OptionalActions, Termios};

use crate::winsize::{self, Winsize};

/// Opens a new pseudo-terminal pair, like Python's `pty.openpty()`.
///
/// Both descriptors are close-on-exec from the moment they exist (no window in which another thread's
/// `exec` could inherit them), and the slave is opened `O_NOCTTY`, so opening it never makes it the
/// caller's controlling terminal. The kernel creates the pair with a 0x0 window; set one with
/// [`Master::set_window_size`] if a program will run on it.
///
/// ```
/// use std::io::{Read, Write};
/// let (mut master, mut slave) = ptyx::openpty()?;
/// assert!(slave.path().starts_with("/dev/pts/"));
/// slave.write_all(b"line\n")?;
/// // A read may return part of what was written: read until the line's end.
/// let mut got = Vec::new();
/// let mut buf = [0; 16];
/// while !got.ends_with(b"\n") {
///     let n = master.read(&mut buf)?;
///     got.extend_from_slice(&buf[..n]);
/// }
/// assert_eq!(got, b"line\r\n"); // the line discipline turned \n into \r\n
/// # Ok::<(), std::io::Error>(())
/// ```
///
/// # Errors
///
/// The OS error: `EMFILE`/`ENFILE` when no descriptor is left, `ENOSPC` once the system's ptys are all in use.
pub fn openpty() -> io::Result<(Master, Slave)> {
    let (master, path) = open_master()?;
    let slave = open_peer(master.as_fd(), &path)?;
    Ok((master, Slave { fd: File::from(slave), path }))
}

/// Opens a master (close-on-exec, unlocked) and returns it with its slave's path, for callers
/// that let the child open the slave itself.
pub(crate) fn open_master() -> io::Result<(Master, PathBuf)> {
    let flags = OpenptFlags::RDWR | OpenptFlags::NOCTTY | OpenptFlags::CLOEXEC;
    let master = rustix::pty::openpt(flags)?;
    rustix::pty::grantpt(&master)?;
    rustix::pty::unlockpt(&master)?;
    let path = pts_path(&master)?;
    Ok((Master { fd: File::from(master) }, path))
}

fn pts_path(master: &OwnedFd) -> io::Result<PathBuf> {
    use std::os::unix::ffi::OsStringExt;
    let name = rustix::pty::ptsname(master, Vec::new())?;
    Ok(PathBuf::from(std::ffi::OsString::from_vec(name.into_bytes())))
}

#[cfg(any(target_os = "linux", target_os = "android"))]
fn open_peer(master: BorrowedFd<'_>, _path: &Path) -> io::Result<OwnedFd> {
    // TIOCGPTPEER opens the slave through the master itself: no path lookup, so no race with
    // another pty taking the same name and no dependence on where /dev/pts is mounted.
    let flags = OpenptFlags::RDWR | OpenptFlags::NOCTTY | OpenptFlags::CLOEXEC;
    Ok(rustix::pty::ioctl_tiocgptpeer(master, flags)?)
}

#[cfg(not(any(target_os = "linux", target_os = "android")))]
fn open_peer(_master: BorrowedFd<'_>, path: &Path) -> io::Result<OwnedFd> {
    use rustix::fs::{Mode, OFlags};
    Ok(rustix::fs::open(path, OFlags::RDWR | OFlags::NOCTTY | OFlags::CLOEXEC, Mode::empty())?)
}

/// Reads from `fd` into `buf`: the default `master_read`/`stdin_read` callback of
/// [`spawn_with`](crate::spawn_with) and the [`Relay`](crate::Relay) (Python's `pty._read`),
/// [read(2)](https://man7.org/linux/man-pages/man2/read.2.html).
///
/// Returns the count read; `Ok(0)` is end of file. On Linux, reading a pty master once every
/// slave descriptor is closed fails with `EIO`, after all the data the slave wrote has been read:
/// that is the end of the session, so it is `Ok(0)` too, and `read_to_end` and every loop that
/// stops at end of file work unchanged.
///
/// # Errors
///
/// The OS error of read(2), `EIO` excepted: `WouldBlock` on a non-blocking descriptor with
/// nothing to read, `Interrupted` when a signal arrived first.
pub fn read(fd: BorrowedFd<'_>, buf: &mut [u8]) -> io::Result<usize> {
    match rustix::io::read(fd, buf) {
        Ok(n) => Ok(n),
        Err(rustix::io::Errno::IO) => Ok(0),
        Err(e) => Err(e.into()),
    }
}

/// The controlling side of a pty: what a terminal emulator holds. Reading it gives what the program
/// on the slave wrote; writing it is typing at that program.
///
/// `Read` maps the end-of-session `EIO` to end of file, so `read_to_end` returns once every slave
/// descriptor is closed. `Read` and `Write` are implemented for `&Master` too: one thread can read
/// while another writes through a shared reference.
///
/// ```
/// use std::io::{Read, Write};
/// let mut child = ptyx::Command::new("cat").spawn()?;
/// let master: &ptyx::Master = child.master();
/// let mut writer = master;
/// writer.write_all(b"hi\n")?; // typed at cat: echoed by the terminal, then printed by cat
/// let mut seen = Vec::new();
/// let mut buf = [0u8; 64];
/// while !seen.ends_with(b"hi\r\nhi\r\n") {
///     let mut reader = master;
///     let n = reader.read(&mut buf)?;
///     seen.extend_from_slice(&buf[..n]);
/// }
/// child.kill()?;
/// child.wait()?;
/// # Ok::<(), std::io::Error>(())
/// ```
#[derive(Debug)]
pub struct Master {
    fd: File,
}

/// The terminal side of a pty: what a program running "on the terminal" has as its stdin, stdout and
/// stderr. Opened `O_NOCTTY` and close-on-exec by [`openpty`].
#[derive(Debug)]
pub struct Slave {
    fd: File,
    path: PathBuf,
}

impl Slave {
    /// The slave's device name, such as `/dev/pts/3` (Python's `os.ttyname(slave_fd)`).
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Duplicates the descriptor (close-on-exec); both refer to the same open terminal.
    ///
    /// # Errors
    ///
    /// The OS error of fcntl(2) (`EMFILE` when the process has no descriptor left).
    pub fn try_clone(&self) -> io::Result<Slave> {
        Ok(Slave { fd: self.fd.try_clone()?, path: self.path.clone() })
    }
}

impl Master {
    /// Duplicates the descriptor (close-on-exec); both refer to the same open pty master.
    ///
    /// # Errors
    ///
    /// The OS error of fcntl(2) (`EMFILE` when the process has no descriptor left).
    pub fn try_clone(&self) -> io::Result<Master> {
        Ok(Master { fd: self.fd.try_clone()? })
    }

    /// Wraps a descriptor that refers to a pty master.
    ///
    /// Nothing is checked: operations on something else fail with the OS error.
    pub fn from_owned_fd(fd: OwnedFd) -> Master {
        Master { fd: File::from(fd) }
    }
}

impl Read for &Master {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        read(self.fd.as_fd(), buf)
    }
}

impl Read for Master {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        (&*self).read(buf)
    }
}

impl Read for &Slave {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        (&self.fd).read(buf)
    }

    fn read_vectored(&mut self, bufs: &mut [IoSliceMut<'_>]) -> io::Result<usize> {
        (&self.fd).read_vectored(bufs)
    }
}

impl Read for Slave {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        (&*self).read(buf)
    }
}

/// What both ends share: a terminal descriptor with a size, a mode and plain writes.
macro_rules! terminal_end {
    ($end:ident) => {
        impl $end {
            /// Puts the descriptor in (or out of) non-blocking mode (`O_NONBLOCK`).
            ///
            /// This changes the open file description, so every clone sees it too.
            ///
            /// # Errors
            ///
            /// The OS error of fcntl(2), which does not fail on a valid descriptor.
            pub fn set_nonblocking(&self, nonblocking: bool) -> io::Result<()> {
                crate::fd::set_nonblocking(self.fd.as_fd(), nonblocking).map(drop)
            }

            /// The pty's window size (`TIOCGWINSZ`, see [`winsize::get`]).
            ///
            /// # Errors
            ///
            /// The OS error of the ioctl, which does not fail on a pty.
            pub fn window_size(&self) -> io::Result<Winsize> {
                winsize::get(&self.fd)
            }

            /// Sets the pty's window size (`TIOCSWINSZ`, see [`winsize::set`]): the program on it
            /// gets `SIGWINCH` if the size changed. [`Child::resize`](crate::Child::resize) is this
            /// call on the child's master.
            ///
            /// # Errors
            ///
            /// The OS error of the ioctl, which does not fail on a pty.
            pub fn set_window_size(&self, size: Winsize) -> io::Result<()> {
                winsize::set(&self.fd, size)
            }

            /// The terminal's mode, [tcgetattr(3)](https://man7.org/linux/man-pages/man3/tcgetattr.3.html).
            /// Master and slave share one mode on Linux: this is the mode the program on the slave sees.
            ///
            /// # Errors
            ///
            /// The OS error of tcgetattr(3), which does not fail on a pty.
            pub fn termios(&self) -> io::Result<Termios> {
                Ok(rustix::termios::tcgetattr(&self.fd)?)
            }

            /// Sets the terminal's mode at once (`TCSANOW`),
            /// [tcsetattr(3)](https://man7.org/linux/man-pages/man3/tcsetattr.3.html).
            ///
            /// # Errors
            ///
            /// The OS error of tcsetattr(3): `InvalidInput` (EINVAL) for a mode the terminal refuses.
            pub fn set_termios(&self, termios: &Termios) -> io::Result<()> {
                Ok(rustix::termios::tcsetattr(&self.fd, OptionalActions::Now, termios)?)
            }
        }

        impl Write for &$end {
            fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
                (&self.fd).write(buf)
            }

            fn write_vectored(&mut self, bufs: &[IoSlice<'_>]) -> io::Result<usize> {
                (&self.fd).write_vectored(bufs)
            }

            fn flush(&mut self) -> io::Result<()> {
                Ok(())
            }
        }

        impl Write for $end {
            fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
                (&*self).write(buf)
            }

            fn write_vectored(&mut self, bufs: &[IoSlice<'_>]) -> io::Result<usize> {
                (&*self).write_vectored(bufs)
            }

            fn flush(&mut self) -> io::Result<()> {
                Ok(())
            }
        }

        impl AsFd for $end {
            fn as_fd(&self) -> BorrowedFd<'_> {
                self.fd.as_fd()
            }
        }

        impl AsRawFd for $end {
            fn as_raw_fd(&self) -> RawFd {
                self.fd.as_raw_fd()
            }
        }

        impl IntoRawFd for $end {
            fn into_raw_fd(self) -> RawFd {
                self.fd.into_raw_fd()
            }
        }

        impl From<$end> for OwnedFd {
            fn from(end: $end) -> OwnedFd {
                end.fd.into()
            }
        }
    };
}

terminal_end!(Master);
terminal_end!(Slave);
