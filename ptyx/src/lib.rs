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
//! # Cargo features
//!
//! The core (the items above) has no optional dependency. Each layer on top is a feature; on
//! docs.rs each item shows the feature it needs.
//!
//! | feature | what it adds | dependencies |
//! |---|---|---|
//! | `expect` | `expect`: drive programs as pexpect does (`expect::Session`, `expect::Repl`) | regex, regex-automata, memchr |
//! | `tokio` | `tokio`: `Command::spawn_async`, an async `Child` and `Master`; with `expect`, `expect::AsyncSession` (Linux) | tokio (`net`, `rt`) |
//! | `screen` | `screen`: a terminal screen model a session keeps (implies `expect` and `asciicast`) | alacritty_terminal, unicode-width |
//! | `asciicast` | `format::asciicast`: asciinema's v2/v3 files; with `expect`, `Session::record` | serde_json |
//! | `timing` | `format::timing`: util-linux `script` timing files | |
//!
//! Linux first; the code keeps to POSIX where that costs nothing. The floor is glibc 2.28.

#![warn(missing_docs)]
#![cfg_attr(docsrs, feature(doc_cfg))]

// The files stack in layers: each uses only files of the layers before it (tests/layers.rs checks).

// 1. Descriptors, processes, signals, terminal modes and sizes.
mod fd;
mod process;
mod signals;
pub mod tty;
pub mod winsize;

// 2. Opening a pty; forking onto one.
mod pty;

mod fork;

// 3. Starting a program on one: what it needs, the three ways to start it.
mod exec;

#[cfg(target_os = "linux")]
mod spawn_fork;
#[cfg(all(target_os = "linux", target_env = "gnu"))]
mod spawn_posix;
#[cfg(not(target_os = "linux"))]
mod spawn_std;

// 4. The running program and the builder that starts it.
mod child;

mod command;

// 5. The one copy loop, and what is built on it.
mod relay;

mod output;
mod spawn;

// 6. Optional layers (cargo features).
#[cfg(any(feature = "asciicast", feature = "timing"))]
#[cfg_attr(docsrs, doc(cfg(any(feature = "asciicast", feature = "timing"))))]
pub mod format;

#[cfg(feature = "screen")]
#[cfg_attr(docsrs, doc(cfg(feature = "screen")))]
pub mod screen;

#[cfg(feature = "expect")]
#[cfg_attr(docsrs, doc(cfg(feature = "expect")))]
pub mod expect;

#[cfg(all(feature = "tokio", any(target_os = "linux", target_os = "android")))]
#[cfg_attr(docsrs, doc(cfg(all(feature = "tokio", any(target_os = "linux", target_os = "android")))))]
pub mod tokio;

pub use child::Child;
pub use command::Command;
pub use fork::{fork, ForkResult};
pub use output::Output;
pub use process::Pid;
pub use pty::{openpty, read, Master, Slave};
pub use relay::{Ended, Event, EventFn, ReadFn, Relay, VecReadFn, DEFAULT_BUFFER_SIZE};
/// A terminal's mode (`struct termios`), as [`Master::termios`] and [`tty`] read and set it.
///
/// This is rustix's type, re-exported on purpose rather than wrapped: it is complete (every flag
/// and control character termios(3) has), and programs that already use rustix pass it through
/// unchanged. It makes rustix's major version part of ptyx's API: a rustix 2 would be a ptyx major
/// release.
pub use rustix::termios::Termios;
pub use spawn::{spawn, spawn_with};
pub use std::process::ExitStatus;
pub use winsize::Winsize;
