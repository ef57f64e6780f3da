//! `fork()`: [`ptyx::fork`] (a child whose controlling terminal is a new pty) wrapped the way
//! `os.fork` and `os.forkpty` wrap fork(2), so that the interpreter goes on in the child:
//! `PyOS_BeforeFork` before, `PyOS_AfterFork_Child` in the child, `PyOS_AfterFork_Parent` in
//! the parent (in the stable ABI since Python 3.7). They run the `os.register_at_fork`
//! handlers, hold the import lock across the fork, and re-create the GIL and the thread states in
//! the child, so that threads, locks and `random` are as after `os.fork`. See
//! [fork(2)](https://man7.org/linux/man-pages/man2/fork.2.html) and
//! [PyOS_BeforeFork](https://docs.python.org/3/c-api/sys.html#c.PyOS_BeforeFork).

use std::os::fd::IntoRawFd;

use pyo3::ffi;
use pyo3::prelude::*;

use crate::os_error::os_error;

/// fork() -> (pid, fd)
///
/// Fork a child whose controlling terminal is a new pseudo-terminal, as pty.fork() does. The
/// child gets pid 0 and fd -1 (invalid); it leads a new session, with the terminal as its
/// stdin, stdout and stderr. The parent gets the child's pid and the master's file descriptor
/// (non-inheritable), connected to the child's terminal.
///
/// The os.register_at_fork() handlers run as they do for os.fork(), so threads, locks and the
/// random module behave in the child as after os.fork(). The pty has the kernel's 0x0 window, as
/// with pty.fork(); set one on the master (termios.tcsetwinsize) if the child needs one.
///
/// Raises OSError when no pseudo-terminal can be opened or fork(2) fails (in the parent).
#[pyfunction]
pub(crate) fn fork(py: Python<'_>) -> PyResult<(i32, i32)> {
    // The event pty.fork() raises through os.forkpty().
    py.import("sys")?.call_method1("audit", ("os.forkpty",))?;
    // SAFETY: called with the GIL held (`py`), in the thread that is about to fork, and followed
    // on every path below by exactly one of the two AfterFork calls, as os.fork() does.
    unsafe { ffi::PyOS_BeforeFork() };
    // SAFETY: ptyx::fork's own work in the child is free of allocation (raw system calls only).
    // What runs after it returns in the child is what runs after os.fork() in Python, under the
    // same conditions: PyOS_AfterFork_Child first re-creates the interpreter's locks and drops
    // the other threads' states, and glibc's fork resets malloc's locks; a lock another thread
    // held in some other library stays held, the hazard Python accepts for os.fork() (and, from
    // 3.12 on, warns about). The GIL stays held across the fork, so no other Python thread is
    // running Python code at that moment.
    let forked = unsafe { ptyx::fork() };
    match forked {
        Ok(ptyx::ForkResult::Child) => {
            // SAFETY: in the child, right after fork, with the GIL state the forking thread had.
            unsafe { ffi::PyOS_AfterFork_Child() };
            Ok((0, -1))
        }
        Ok(ptyx::ForkResult::Parent { child, master }) => {
            // SAFETY: in the parent, after PyOS_BeforeFork above, with the GIL held.
            unsafe { ffi::PyOS_AfterFork_Parent() };
            Ok((child.as_raw(), master.into_raw_fd()))
        }
        Err(e) => {
            // SAFETY: as above: no child exists, this is the parent.
            unsafe { ffi::PyOS_AfterFork_Parent() };
            Err(os_error(py, e, None))
        }
    }
}
