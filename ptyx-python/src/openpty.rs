//! `openpty()`: a new pseudo-terminal pair as two descriptors, as `pty.openpty` and
//! `os.openpty` return them. See [pty(7)](https://man7.org/linux/man-pages/man7/pty.7.html).

use std::os::fd::IntoRawFd;

use pyo3::prelude::*;

use crate::os_error::os_error;

/// openpty() -> (master_fd, slave_fd)
///
/// Open a new pseudo-terminal pair and return its two file descriptors, the master and the
/// slave, as pty.openpty() does. Both are non-inheritable (close-on-exec from the moment they
/// exist, as os.openpty() makes them), and opening the slave never makes it this process's
/// controlling terminal. The window size is the kernel's 0x0, as with os.openpty(); set one with
/// termios.tcsetwinsize() if a program will run on it.
///
/// Raises OSError when no pseudo-terminal can be opened.
#[pyfunction]
pub(crate) fn openpty(py: Python<'_>) -> PyResult<(i32, i32)> {
    let (master, slave) = ptyx::openpty().map_err(|e| os_error(py, e, None))?;
    Ok((master.into_raw_fd(), slave.into_raw_fd()))
}
