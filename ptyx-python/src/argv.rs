//! The program and arguments `spawn` is given, read as `pty.spawn` reads them: a string is the
//! program alone, anything else an iterable of arguments; each argument is a `str`, `bytes` or
//! path-like object, encoded with `os.fsencode` as `os.execvp` encodes it.

use std::ffi::OsString;
use std::os::unix::ffi::OsStringExt;

use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyString, PyTuple};

/// An argument vector ready for [`ptyx::Command`].
pub(crate) struct Argv<'py> {
    /// `argv[0]` as given: the `filename` of the `OSError` raised when it cannot be started.
    pub(crate) program: Bound<'py, PyAny>,
    /// Every argument, program first, as bytes.
    pub(crate) args: Vec<OsString>,
}

/// `argv` as `pty.spawn` passes it on: a string made a 1-tuple, anything else as it is. This
/// is what the `pty.spawn` audit event is given.
pub(crate) fn normalize<'py>(argv: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
    if argv.is_instance_of::<PyString>() {
        Ok(PyTuple::new(argv.py(), [argv])?.into_any())
    } else {
        Ok(argv.clone())
    }
}

/// Reads a [normalized](normalize) `argv`.
///
/// Errors as Python's own would be: `TypeError` for something that is not iterable or an
/// argument that is no string, bytes or path; `ValueError` for an empty `argv` (as `os.execv`)
/// or an argument with a NUL byte.
pub(crate) fn read<'py>(given: &Bound<'py, PyAny>) -> PyResult<Argv<'py>> {
    let py = given.py();
    let fsencode = py.import("os")?.getattr("fsencode")?;
    let mut program = None;
    let mut args = Vec::new();
    for item in given.try_iter()? {
        let item = item?;
        let encoded = fsencode.call1((&item,))?;
        let bytes = encoded.cast::<PyBytes>()?.as_bytes();
        if bytes.contains(&0) {
            return Err(PyValueError::new_err("embedded null byte"));
        }
        args.push(OsString::from_vec(bytes.to_vec()));
        program.get_or_insert(item);
    }
    let program = program.ok_or_else(|| PyValueError::new_err("spawn() argv must not be empty"))?;
    Ok(Argv { program, args })
}
