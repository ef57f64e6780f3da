//! The Python package `ptyx`: Python's [`pty`](https://docs.python.org/3/library/pty.html)
//! module (`openpty`, `fork`, `spawn` and its constants, with the same signatures and return
//! values) implemented on the Rust library [`ptyx`], so that `import ptyx as pty` runs code
//! written for `pty` unchanged and without its faults.
//!
//! This crate is the native module `ptyx._ptyx`; `python/ptyx/__init__.py` re-exports it and
//! `python/ptyx/__init__.pyi` types it. Build and install it with `pip install .` from the
//! repository root (maturin, as `pyproject.toml` there says). It is tested from Python
//! (`tests/`, pytest), not with `cargo test`: an extension module's code runs inside a Python
//! interpreter.
//!
//! Files, in layers (each uses only those above it): `os_error.rs` (OS errors as Python's
//! `OSError` subclasses), `argv.rs` (the argument vector as `os.execvp` takes it),
//! `callbacks.rs` (Python's `master_read`/`stdin_read` as relay callbacks), then one file per
//! function: `openpty.rs`, `fork.rs`, `spawn.rs`.

mod os_error;

mod argv;
mod callbacks;

mod fork;
mod openpty;
mod spawn;

use pyo3::prelude::*;

/// The native half of the `ptyx` package: Python's `pty` module on ptyx's Rust core.
#[pymodule]
#[pyo3(name = "_ptyx")]
fn ptyx_module(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("STDIN_FILENO", libc::STDIN_FILENO)?;
    m.add("STDOUT_FILENO", libc::STDOUT_FILENO)?;
    m.add("STDERR_FILENO", libc::STDERR_FILENO)?;
    m.add("CHILD", 0)?;
    m.add_function(wrap_pyfunction!(openpty::openpty, m)?)?;
    m.add_function(wrap_pyfunction!(fork::fork, m)?)?;
    m.add_function(wrap_pyfunction!(spawn::spawn, m)?)?;
    Ok(())
}
