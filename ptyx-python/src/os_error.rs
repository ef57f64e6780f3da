//! OS errors as Python raises them: `OSError(errno, strerror[, filename])`, which Python turns
//! into the subclass for the errno (`FileNotFoundError` for `ENOENT`, `PermissionError` for
//! `EACCES`...), with `errno`, `strerror` and `filename` set as `os` functions and `subprocess`
//! set them. See [errno(3)](https://man7.org/linux/man-pages/man3/errno.3.html).

use std::io;

use pyo3::exceptions::PyOSError;
use pyo3::prelude::*;
use pyo3::types::PyTuple;

/// `e` as a Python exception: `OSError(errno, os.strerror(errno))` for an OS error, with
/// `filename` as its third argument when given, so that
/// `str(e)` reads `[Errno 2] No such file or directory: 'prog'`. An error without an errno (one of
/// ptyx's own) keeps its message, in the exception PyO3 gives its `ErrorKind`.
pub(crate) fn os_error(py: Python<'_>, e: io::Error, filename: Option<&Bound<'_, PyAny>>) -> PyErr {
    let Some(errno) = e.raw_os_error() else { return PyErr::from(e) };
    build(py, errno, filename).unwrap_or_else(|failed| failed)
}

fn build(py: Python<'_>, errno: i32, filename: Option<&Bound<'_, PyAny>>) -> PyResult<PyErr> {
    // os.strerror, not Rust's message (which adds " (os error 2)"): the text Python prints.
    let strerror = py.import("os")?.call_method1("strerror", (errno,))?;
    let args = match filename {
        Some(name) => PyTuple::new(py, [errno.into_pyobject(py)?.into_any(), strerror, name.clone()])?,
        None => PyTuple::new(py, [errno.into_pyobject(py)?.into_any(), strerror])?,
    };
    // Calling OSError itself picks the subclass, as raising it from Python does.
    let value = py.get_type::<PyOSError>().call1(args)?;
    Ok(PyErr::from_value(value))
}
