//! Python's `pty.spawn`, as thin wrappers over the [`Relay`].

use std::ffi::OsStr;
use std::io;
use std::os::fd::BorrowedFd;
use std::process::ExitStatus;

use crate::command::Command;
use crate::relay::Relay;

/// Runs `argv` on a new pty, copying stdin to it and its output to stdout until it exits, like
/// Python's `pty.spawn(argv)`. Returns its exit status.
///
/// Everything Python's does, plus: a program that cannot be started is an error here (not in a
/// child), the window has stdin's size (24x80 if stdin is not a terminal) and follows its resizes,
/// the end of stdin reaches the program as end of file, no output is lost at exit, and
/// `SIGTERM`/`SIGHUP`/`SIGINT`/`SIGQUIT` sent to this process go to the program. The terminal
/// mode and the signal handlers are as before when it returns, however it returns.
///
///
/// # Errors
///
/// As [`Relay::run`]; `InvalidInput` for an empty `argv`.
///
/// ```
/// let status = ptyx::spawn(["sh", "-c", "exit 3"])?;
/// assert_eq!(status.code(), Some(3));
/// # Ok::<(), std::io::Error>(())
/// ```
pub fn spawn<I, S>(argv: I) -> io::Result<ExitStatus>
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    Relay::new(command(argv)?).run()
}

/// [`spawn`] with Python's two callbacks: `master_read` reads the program's output (to record it,
/// say) and `stdin_read` reads the input. Each reads from the descriptor into the buffer and returns
/// the count, `Ok(0)` meaning end of file, as Python's return `b''`. Use [`Relay`] for more control.
///
/// # Errors
///
/// As [`spawn`]; an error of a callback ends the session (see [`Relay::master_read`]) and is
/// returned.
///
/// ```no_run
/// use std::io::Write;
/// let mut log = std::fs::File::create("typescript")?;
/// ptyx::spawn_with(
///     ["sh"],
///     |fd, buf| {
///         let n = ptyx::read(fd, buf)?;
///         log.write_all(&buf[..n])?;
///         Ok(n)
///     },
///     ptyx::read,
/// )?;
/// # Ok::<(), std::io::Error>(())
/// ```
pub fn spawn_with<I, S, M, R>(argv: I, master_read: M, stdin_read: R) -> io::Result<ExitStatus>
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
    M: FnMut(BorrowedFd<'_>, &mut [u8]) -> io::Result<usize>,
    R: FnMut(BorrowedFd<'_>, &mut [u8]) -> io::Result<usize>,
{
    Relay::new(command(argv)?).master_read(master_read).stdin_read(stdin_read).run()
}

fn command<I, S>(argv: I) -> io::Result<Command>
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    let mut argv = argv.into_iter();
    let program = argv
        .next()
        .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "spawn needs a program: argv is empty"))?;
    let mut command = Command::new(program);
    command.args(argv);
    Ok(command)
}
