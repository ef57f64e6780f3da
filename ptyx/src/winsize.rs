//! Terminal window sizes: the `struct winsize` of [tty_ioctl(4)](https://man7.org/linux/man-pages/man4/tty_ioctl.4.html)
//! (`TIOCGWINSZ`/`TIOCSWINSZ`).

use std::io;
use std::os::fd::AsFd;

/// A terminal's size in character cells (and, rarely used, pixels).
///
/// A pty is created 0x0 by the kernel; ptyx never leaves it so (see [`crate::Command::window_size`]).
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

/// Reads the window size of the terminal `fd` refers to (`TIOCGWINSZ`).
///
/// Fails with the OS error (`ENOTTY` when `fd` is not a terminal).
pub fn get(fd: impl AsFd) -> io::Result<Winsize> {
    Ok(rustix::termios::tcgetwinsize(fd)?.into())
}

/// Sets the window size of the terminal `fd` refers to (`TIOCSWINSZ`); the kernel then sends
/// `SIGWINCH` to that terminal's foreground process group if the size changed.
pub fn set(fd: impl AsFd, size: Winsize) -> io::Result<()> {
    Ok(rustix::termios::tcsetwinsize(fd, size.into())?)
}
