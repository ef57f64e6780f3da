//! Python's [`pty`](https://docs.python.org/3/library/pty.html) module for Rust, and a
//! `std::process::Command` for programs that need a terminal.
//!
//! | Python                              | ptyx                                         |
//! |-------------------------------------|----------------------------------------------|
//! | `pty.openpty()`                     | [`openpty()`] → `(Master, Slave)`            |
//! | `pty.fork()`                        | `unsafe` [`fork()`] → [`ForkResult`]          |
//! | `pty.spawn(argv)`                   | [`spawn(argv)`](spawn())                      |
//! | `pty.spawn(argv, master_read, stdin_read)` | [`spawn_with(argv, master_read, stdin_read)`](spawn_with) |
//! | `pty._read(fd)`                     | [`read(fd, buf)`](read())                     |
//! | `os.ttyname(slave_fd)`              | [`Slave::path`]                               |
//! | `tty.setraw(fd)` / `tty.setcbreak(fd)` | [`tty::set_raw`] / [`tty::set_cbreak`], [`tty::ModeGuard`] |
//! | `os.waitpid(pid, 0)`                | [`Pid::wait`], [`Child::wait`]                |
//! | `subprocess.Popen` on a pty         | [`Command`] → [`Child`]                       |
//! | `subprocess.run(capture_output=True)` on a pty | [`Command::output`] → [`Output`]  |
//!
//! Callbacks take the descriptor and a buffer and return the count read, where Python's return
//! bytes: `Ok(0)` is Python's `b''`, end of file.
//!
//! Beyond Python: exec failures are returned as errors in the parent, the child gets only fds
//! 0/1/2, windows are never 0x0 and follow the user's terminal, the end of stdin reaches the
//! program, no output is lost at exit, and signals to the parent reach the program. All of it
//! is one copy loop, the [`Relay`], which a recorder drives through [`Event`]s.
//!
//! ```
//! use std::io::Read;
//! let mut child = ptyx::Command::new("echo").arg("hello").spawn()?;
//! let mut output = String::new();
//! child.master().read_to_string(&mut output)?; // a terminal turns \n into \r\n
//! assert_eq!(output, "hello\r\n");
//! assert!(child.wait()?.success());
//! # Ok::<(), std::io::Error>(())
//! ```
//!
//! Linux first; the code keeps to POSIX where that costs nothing.

#![warn(missing_docs)]
#![cfg_attr(docsrs, feature(doc_cfg))]

mod command;
mod fork;
#[cfg(any(feature = "asciicast", feature = "timing"))]
#[cfg_attr(docsrs, doc(cfg(any(feature = "asciicast", feature = "timing"))))]
pub mod format;
mod pty;
mod relay;
#[cfg(feature = "screen")]
#[cfg_attr(docsrs, doc(cfg(feature = "screen")))]
pub mod screen;
mod signals;
mod spawn;
pub mod tty;
mod wait;
pub mod winsize;

pub use command::{Child, Command, Output};
pub use fork::{fork, ForkResult, Pid};
pub use pty::{openpty, Master, Slave};
pub use relay::{Event, EventFn, ReadFn, Relay, DEFAULT_BUFFER_SIZE};
pub use rustix::termios::Termios;
pub use spawn::{read, spawn, spawn_with};
pub use std::process::ExitStatus;
pub use winsize::Winsize;
