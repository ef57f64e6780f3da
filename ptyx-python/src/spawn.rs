//! `spawn(argv, master_read=None, stdin_read=None)`: Python's `pty.spawn` as ptyx's
//! [`Relay`](ptyx::Relay), the one copy loop, with the GIL released while it waits.

use std::os::unix::process::ExitStatusExt;

use pyo3::prelude::*;

use crate::argv;
use crate::callbacks::{self, Which};
use crate::os_error::os_error;

/// spawn(argv, master_read=None, stdin_read=None) -> int
///
/// Run argv (a program name, or a sequence of the program and its arguments, each a str, bytes
/// or path-like object, looked up on PATH as os.execlp does) on a new pseudo-terminal, copy this
/// process's stdin to it and its output to stdout until the program ends, and return its wait
/// status, as os.waitpid() gives it (os.waitstatus_to_exitcode() turns it into an exit code).
/// Raises the auditing event pty.spawn with argument argv.
///
/// master_read(fd) and stdin_read(fd) read the program's output and the input, from the file
/// descriptor they are given, and return the bytes read (any bytes-like object); b'' is end of
/// file. None, the default, reads in Rust, as pty's default os.read(fd, 1024) would. As in pty,
/// an OSError raised by master_read is end of file; but a BlockingIOError from either means
/// nothing more to read now (the master is non-blocking while spawn runs, and master_read is
/// called until it would block). Any other exception from master_read, and any from
/// stdin_read (OSError included), ends the session at once: the program gets SIGTERM (SIGKILL
/// two seconds later if it is still there) and is reaped, the terminal is restored, and spawn
/// raises the exception. When master_read returns b'' while the program still runs, the
/// terminal is hung up (the program gets SIGHUP), what was read is written out, and spawn
/// returns once the program has exited.
///
/// A closed stdin reads as /dev/null (the program gets end of file) and a closed stdout
/// discards the output.
///
/// The copy loop runs in Rust and releases the GIL while it waits: other threads run meanwhile;
/// the callbacks are called with the GIL held.
///
/// Where it differs from pty.spawn:
/// - a program that cannot be started raises OSError here, as subprocess does
///   (FileNotFoundError: [Errno 2] No such file or directory: 'prog'), instead of a traceback
///   printed in the child;
/// - the end of stdin reaches the program as end of file (printf 'hi\n' | ... spawn(['cat'])
///   returns);
/// - none of the program's output is lost at its exit, however slow stdout is;
/// - the terminal has stdin's window size (24x80 when stdin is no terminal) and follows its
///   changes (SIGWINCH), where pty.spawn leaves it 0x0;
/// - the program gets only file descriptors 0, 1 and 2, not this process's inheritable ones;
/// - SIGINT, SIGTERM, SIGHUP and SIGQUIT sent to this process while spawn runs go to the
///   program (no KeyboardInterrupt here for a signal the program handled); the signal
///   handlers are back as they were when spawn returns. Other signals run their Python
///   handlers as with pty; an exception a handler raises ends the session as one from
///   master_read does.
#[pyfunction]
#[pyo3(signature = (argv, master_read=None, stdin_read=None))]
pub(crate) fn spawn(
    py: Python<'_>,
    argv: &Bound<'_, PyAny>,
    master_read: Option<Py<PyAny>>,
    stdin_read: Option<Py<PyAny>>,
) -> PyResult<i32> {
    let given = argv::normalize(argv)?;
    py.import("sys")?.call_method1("audit", ("pty.spawn", &given))?;
    let argv = argv::read(&given)?;
    let mut command = ptyx::Command::new(&argv.args[0]);
    command.args(&argv.args[1..]);
    let mut failed_to_start = false;
    let result = py.detach(|| {
        let mut relay =
            ptyx::Relay::new(command).on_spawn_error(|_| failed_to_start = true).on_interrupt(callbacks::check_signals);
        if let Some(callback) = &master_read {
            relay = relay.master_read_vec(callbacks::reader(callback, Which::Master));
        }
        if let Some(callback) = &stdin_read {
            relay = relay.stdin_read_vec(callbacks::reader(callback, Which::Stdin));
        }
        relay.run()
    });
    match result {
        Ok(status) => Ok(status.into_raw()),
        Err(e) => match callbacks::take_raised(e) {
            Ok(raised) => Err(raised),
            Err(e) => Err(os_error(py, e, failed_to_start.then_some(&argv.program))),
        },
    }
}
