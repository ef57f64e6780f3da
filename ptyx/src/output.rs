//! [`Command::output`]: run a program on a pty to completion and collect what it printed, built on
//! the [`Relay`](crate::Relay) like everything that copies a pty's bytes.

use std::io;
use std::os::fd::AsFd;
use std::process::ExitStatus;

use crate::command::Command;
use crate::relay::Relay;

/// What [`Command::output`] collects.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Output {
    /// How the program ended.
    pub status: ExitStatus,
    /// Everything it wrote to its terminal (stdout and stderr together).
    pub output: Vec<u8>,
}

impl Command {
    /// Runs the program to completion and collects what it wrote to its terminal, like
    /// `std::process::Command::output`. Its input is at end of file from the start (the terminal's
    /// `VEOF`, see [`Relay::forward_eof`]), as std gives it a null stdin; stdout and stderr arrive
    /// mixed, as on any terminal, with the terminal's `\r\n` line ends.
    ///
    /// Like std's, it leaves this process's signal handlers alone: a `SIGINT` or `SIGTERM` to this
    /// process while it runs does what it would have done anyway (the program, in a session of
    /// its own, gets a `SIGHUP` if this process dies and its terminal closes).
    ///
    /// ```
    /// let out = ptyx::Command::new("sh").args(["-c", "test -t 1 && echo on a tty; exit 2"]).output()?;
    /// assert_eq!(out.output, b"on a tty\r\n");
    /// assert_eq!(out.status.code(), Some(2));
    /// # Ok::<(), std::io::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// As [`Command::spawn`]; and `/dev/null` could not be opened for the input.
    pub fn output(&mut self) -> io::Result<Output> {
        let nothing = std::fs::File::open("/dev/null")?;
        let mut output = Vec::new();
        let status = Relay::new(self.clone())
            .input(Some(nothing.as_fd()))
            .output(None)
            .forward_signals(false)
            .on_event(|_, event| {
                if let crate::Event::Output(bytes) = event {
                    output.extend_from_slice(bytes);
                }
                Ok(())
            })
            .run()?;
        Ok(Output { status, output })
    }
}
