//! Terminal window sizes: the `struct winsize` of [tty_ioctl(4)](https://man7.org/linux/man-pages/man4/tty_ioctl.4.html)
//! (`TIOCGWINSZ`/`TIOCSWINSZ`), read and set on any terminal descriptor (creack/pty's `Getsize`,
//! `Setsize` and `InheritSize`).
//!
//! ```
//! let (master, slave) = ptyx::openpty()?;
//! ptyx::winsize::set(&master, ptyx::Winsize::new(30, 100))?;
//! assert_eq!(ptyx::winsize::get(&slave)?, ptyx::Winsize::new(30, 100)); // one size for both ends
//! # Ok::<(), std::io::Error>(())
//! ```

use std::io;
use std::os::fd::AsFd;

/// A terminal's size in character cells (and, rarely used, pixels).
///
/// A pty is created 0x0 by the kernel; ptyx never leaves it so (see [`crate::Command::window_size`]).
///
/// ```
/// use ptyx::Winsize;
/// let size = Winsize::new(50, 132); // rows, then columns, as stty(1) prints them
/// let out = ptyx::Command::new("stty").arg("size").window_size(size).output()?;
/// assert_eq!(out.output, b"50 132\r\n");
/// assert_eq!(Winsize::DEFAULT, Winsize::new(24, 80));
/// # Ok::<(), std::io::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Winsize {
    /// Rows of character cells (`ws_row`).
    pub rows: u16,
    /// Columns of character cells (`ws_col`).
    pub cols: u16,
    /// Width in pixels (`ws_xpixel`), 0 when unknown.
    pub xpixel: u16,
    /// Height in pixels (`ws_ypixel`), 0 when unknown.
    pub ypixel: u16,
}

impl Winsize {
    /// A size of `rows` x `cols` cells with no pixel size.
    pub const fn new(rows: u16, cols: u16) -> Self {
        Winsize { rows, cols, xpixel: 0, ypixel: 0 }
    }

    /// The size ptyx gives a pty when nothing better is known: 24 rows, 80 columns.
    pub const DEFAULT: Winsize = Winsize::new(24, 80);
}

impl From<rustix::termios::Winsize> for Winsize {
    fn from(w: rustix::termios::Winsize) -> Self {
        Winsize { rows: w.ws_row, cols: w.ws_col, xpixel: w.ws_xpixel, ypixel: w.ws_ypixel }
    }
}

impl From<Winsize> for rustix::termios::Winsize {
    fn from(w: Winsize) -> Self {
        rustix::termios::Winsize { ws_row: w.rows, ws_col: w.cols, ws_xpixel: w.xpixel, ws_ypixel: w.ypixel }
    }
}

/// Reads the window size of the terminal `fd` refers to (`TIOCGWINSZ`,
/// [tcgetwinsize(3)](https://man7.org/linux/man-pages/man2/TIOCGWINSZ.2const.html)).
///
/// # Errors
///
/// The OS error: `ENOTTY` (`ErrorKind::Other` with that errno) when `fd` is not a terminal.
pub fn get(fd: impl AsFd) -> io::Result<Winsize> {
    Ok(rustix::termios::tcgetwinsize(fd)?.into())
}

/// Sets the window size of the terminal `fd` refers to (`TIOCSWINSZ`); the kernel then sends
/// `SIGWINCH` to that terminal's foreground process group if the size changed.
///
/// # Errors
///
/// The OS error: `ENOTTY` when `fd` is not a terminal.
pub fn set(fd: impl AsFd, size: Winsize) -> io::Result<()> {
    Ok(rustix::termios::tcsetwinsize(fd, size.into())?)
}

/// Gives the terminal `to` (a pty) the size of the terminal `from` (the user's), and returns it,
/// like creack/pty's `InheritSize`. A size of 0x0 (a terminal that does not know its size, such
/// as a serial line) is not copied: `Ok(None)` then, and `to` keeps its size.
///
/// # Errors
///
/// The OS error of either ioctl: `ENOTTY` when one of them is not a terminal.
pub fn inherit(from: impl AsFd, to: impl AsFd) -> io::Result<Option<Winsize>> {
    let size = get(from)?;
    if size.rows == 0 || size.cols == 0 {
        return Ok(None);
    }
    set(to, size)?;
    Ok(Some(size))
}

/// The size of the terminal `fd` if it is a terminal that knows its size (not 0x0), else `None`:
/// the size to give a pty that stands in for it.
pub fn of_terminal(fd: impl AsFd) -> Option<Winsize> {
    if !rustix::termios::isatty(&fd) {
        return None;
    }
    get(fd).ok().filter(|s| s.rows > 0 && s.cols > 0)
}
