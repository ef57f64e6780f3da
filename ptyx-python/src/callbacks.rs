//! Python's `master_read` and `stdin_read` callbacks as the relay's callbacks, with `pty`'s
//! meanings: the callable takes the descriptor and returns the bytes it read, and a false value
//! (`b''`) is end of file. What the relay makes of an exception:
//!
//! - `BlockingIOError` (a non-blocking descriptor with nothing to read): nothing more now, the
//!   relay polls again; not end of file.
//! - any other `OSError` from `master_read`: end of file, as `pty` has it (the docs' example
//!   reads with `os.read`, which raises `EIO` at the end of every session on Linux);
//! - anything else, and any exception from `stdin_read`: the session ends as when the relay's
//!   event handler fails (the program gets `SIGTERM`, `SIGKILL` if it is still there after the
//!   grace, and is reaped; the terminal is restored), and `spawn` raises the exception.
//!
//! The callbacks run with the GIL held; the relay releases it in between. One more hook runs
//! Python code: [`check_signals`], the relay's interrupt hook, which runs Python's signal
//! handlers when a signal interrupts the relay's wait, as they run when one interrupts
//! `pty.spawn`'s `select`; an exception from a handler ends the session as one from
//! `master_read` does.

use std::fmt;
use std::io;
use std::os::fd::{AsRawFd, BorrowedFd};

use pyo3::exceptions::{PyBlockingIOError, PyOSError};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyMemoryView};

/// Which of the two callbacks this is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Which {
    /// `master_read`, which reads the program's output.
    Master,
    /// `stdin_read`, which reads the input.
    Stdin,
}

/// A Python exception on its way through the relay, to be raised again from `spawn`.
#[derive(Debug)]
pub(crate) struct Raised(PyErr);

impl fmt::Display for Raised {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "a Python callback raised {}", self.0)
    }
}

impl std::error::Error for Raised {}

/// The Python exception `e` carries, if it carries one; else `e` itself back.
pub(crate) fn take_raised(e: io::Error) -> Result<PyErr, io::Error> {
    e.downcast::<Raised>().map(|raised| raised.0)
}

/// The relay callback (the `Vec` form: a Python callback returns `bytes` of any size) that calls
/// `callback(fd)` with the GIL held and appends what it returned.
pub(crate) fn reader(
    callback: &Py<PyAny>,
    which: Which,
) -> impl FnMut(BorrowedFd<'_>, &mut Vec<u8>) -> io::Result<usize> + '_ {
    move |fd, out| Python::attach(|py| call(py, callback, which, fd.as_raw_fd(), out))
}

fn call(py: Python<'_>, callback: &Py<PyAny>, which: Which, fd: i32, out: &mut Vec<u8>) -> io::Result<usize> {
    let returned = match callback.call1(py, (fd,)) {
        Ok(returned) => returned.into_bound(py),
        Err(e) if e.is_instance_of::<PyBlockingIOError>(py) => return Err(io::ErrorKind::WouldBlock.into()),
        Err(e) if which == Which::Master && e.is_instance_of::<PyOSError>(py) => return Ok(0),
        Err(e) => return Err(io::Error::other(Raised(e))),
    };
    append(&returned, out).map_err(|e| io::Error::other(Raised(e)))
}

/// Appends the bytes of `value` to `out` and returns their count: `pty`'s `if not data` (end of
/// file) and `buf += data` (any bytes-like object; a `TypeError` for anything else).
fn append(value: &Bound<'_, PyAny>, out: &mut Vec<u8>) -> PyResult<usize> {
    if let Ok(bytes) = value.cast::<PyBytes>() {
        let bytes = bytes.as_bytes();
        out.extend_from_slice(bytes);
        return Ok(bytes.len());
    }
    if !value.is_truthy()? {
        return Ok(0);
    }
    // bytearray, memoryview, array.array, mmap...: the raw bytes, as `bytes += x` takes them.
    let raw = PyMemoryView::from(value)?.call_method0("tobytes")?;
    let bytes = raw.cast::<PyBytes>()?.as_bytes();
    out.extend_from_slice(bytes);
    Ok(bytes.len())
}

/// The relay's interrupt hook: runs the Python signal handlers of the signals that arrived
/// (`PyErr_CheckSignals`; only the main thread runs them, as in Python) and carries an exception
/// one raised.
pub(crate) fn check_signals() -> io::Result<()> {
    Python::attach(|py| py.check_signals()).map_err(|e| io::Error::other(Raised(e)))
}
