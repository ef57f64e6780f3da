//! Terminal modes, mirroring Python's [`tty`](https://docs.python.org/3/library/tty.html) module:
//! raw and cbreak mode, with a guard that puts the previous mode back.
//! See [termios(3)](https://man7.org/linux/man-pages/man3/termios.3.html).

use std::io;
use std::os::fd::{AsFd, BorrowedFd};

use rustix::termios::{LocalModes, OptionalActions, SpecialCodeIndex, Termios};

/// Puts the terminal `fd` in raw mode (`cfmakeraw`: no echo, no line editing, no signals from
/// keys, no output processing) and returns the mode it had, like Python 3.12's `tty.setraw`.
///
/// The change waits for pending output to be sent (`TCSADRAIN`) but, unlike Python's default
/// `TCSAFLUSH`, keeps input the user typed ahead: it will reach whoever reads next.
///
/// # Errors
///
/// The OS error of tcgetattr(3)/tcsetattr(3): `ENOTTY` when `fd` is not a terminal.
pub fn set_raw(fd: impl AsFd) -> io::Result<Termios> {
    let old = rustix::termios::tcgetattr(&fd)?;
    let mut raw = old.clone();
    raw.make_raw();
    rustix::termios::tcsetattr(&fd, OptionalActions::Drain, &raw)?;
    Ok(old)
}

/// Puts the terminal `fd` in cbreak mode (no echo, no line editing, but keys still send signals)
/// and returns the mode it had, like Python 3.12's `tty.setcbreak`.
///
/// # Errors
///
/// The OS error of tcgetattr(3)/tcsetattr(3): `ENOTTY` when `fd` is not a terminal.
pub fn set_cbreak(fd: impl AsFd) -> io::Result<Termios> {
    let old = rustix::termios::tcgetattr(&fd)?;
    let mut cbreak = old.clone();
    cbreak.local_modes -= LocalModes::ECHO | LocalModes::ICANON;
    cbreak.special_codes[SpecialCodeIndex::VMIN] = 1;
    cbreak.special_codes[SpecialCodeIndex::VTIME] = 0;
    rustix::termios::tcsetattr(&fd, OptionalActions::Drain, &cbreak)?;
    Ok(old)
}

/// Restores a mode saved by [`set_raw`] or [`set_cbreak`] (`TCSADRAIN`).
///
/// # Errors
///
/// The OS error of tcsetattr(3): `ENOTTY` when `fd` is not a terminal, `EIO` once it has hung up.
pub fn restore(fd: impl AsFd, mode: &Termios) -> io::Result<()> {
    Ok(rustix::termios::tcsetattr(fd, OptionalActions::Drain, mode)?)
}

/// Holds a terminal in a changed mode and puts the previous mode back when dropped, including
/// while a panic unwinds.
///
/// ```no_run
/// use std::os::fd::AsFd;
/// let stdin = std::io::stdin();
/// let _raw = ptyx::tty::ModeGuard::raw(stdin.as_fd())?;
/// // ... the terminal is raw until `_raw` goes out of scope ...
/// # Ok::<(), std::io::Error>(())
/// ```
#[derive(Debug)]
pub struct ModeGuard<'fd> {
    fd: BorrowedFd<'fd>,
    saved: Option<Termios>,
}

impl<'fd> ModeGuard<'fd> {
    /// Sets raw mode (see [`set_raw`]) until the guard is dropped.
    ///
    /// # Errors
    ///
    /// As [`set_raw`].
    pub fn raw(fd: BorrowedFd<'fd>) -> io::Result<Self> {
        Ok(ModeGuard { fd, saved: Some(set_raw(fd)?) })
    }

    /// Sets cbreak mode (see [`set_cbreak`]) until the guard is dropped.
    ///
    /// # Errors
    ///
    /// As [`set_cbreak`].
    pub fn cbreak(fd: BorrowedFd<'fd>) -> io::Result<Self> {
        Ok(ModeGuard { fd, saved: Some(set_cbreak(fd)?) })
    }

    /// Changes the mode with `change` (given a copy of the current one) until the guard is
    /// dropped: for modes other than raw and cbreak, such as raw mode that keeps `ISIG`.
    ///
    /// ```no_run
    /// use std::os::fd::AsFd;
    /// let stdout = std::io::stdout();
    /// let _mode = ptyx::tty::ModeGuard::with(stdout.as_fd(), |mode| {
    ///     mode.make_raw();
    ///     mode.local_modes |= rustix::termios::LocalModes::ISIG; // Ctrl-C still interrupts
    /// })?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// The OS error of tcgetattr(3) or tcsetattr(3): `ENOTTY` when `fd` is not a terminal.
    pub fn with(fd: BorrowedFd<'fd>, change: impl FnOnce(&mut Termios)) -> io::Result<Self> {
        let old = rustix::termios::tcgetattr(fd)?;
        let mut new = old.clone();
        change(&mut new);
        rustix::termios::tcsetattr(fd, OptionalActions::Drain, &new)?;
        Ok(ModeGuard { fd, saved: Some(old) })
    }

    /// The mode that will be restored.
    pub fn saved(&self) -> Option<&Termios> {
        self.saved.as_ref()
    }

    /// Restores the saved mode now, reporting a failure that `Drop` would have to ignore.
    ///
    /// # Errors
    ///
    /// As [`restore`](fn@restore).
    pub fn restore(mut self) -> io::Result<()> {
        match self.saved.take() {
            Some(mode) => restore(self.fd, &mode),
            None => Ok(()),
        }
    }
}

impl Drop for ModeGuard<'_> {
    fn drop(&mut self) {
        if let Some(mode) = self.saved.take() {
            // Nothing useful can be done with an error here (the terminal may be gone); callers
            // that care use `restore`.
            let _ = restore(self.fd, &mode);
        }
    }
}
