//! Driving a read-eval-print loop (a shell, an interpreter) one command at a time, as pexpect's
//! `replwrap` does: [`Repl::run`] sends a command and returns what it printed.

use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hasher};
use std::io;

use super::{Needle, Session};
use crate::Command;

/// A program with a prompt, driven one command at a time.
///
/// [`Repl::bash`] and [`Repl::python`] start the program with a prompt the output cannot
/// contain by chance (a random token, set through the environment or the command line, so no
/// echo of it exists either), with the terminal's echo off and line editing off (no bracketed
/// paste, no redraws), so that [`run`](Repl::run) returns exactly what the command printed.
///
/// ```
/// # fn main() -> std::io::Result<()> {
/// let mut bash = ptyx::expect::Repl::bash()?;
/// assert_eq!(bash.run("echo hello; echo world")?, "hello\nworld\n");
/// assert_eq!(bash.run("true")?, "");
/// assert_eq!(bash.run("for i in 1 2; do\n  echo $i\ndone")?, "1\n2\n");
/// let mut python = ptyx::expect::Repl::python()?;
/// assert_eq!(python.run("6*7")?, "42\n");
/// # Ok(()) }
/// ```
#[derive(Debug)]
pub struct Repl {
    session: Session,
    prompt: String,
    continuation: Option<String>,
}

/// A prompt that no program prints by chance: a fixed word and a random token.
fn unique(kind: &str) -> String {
    let token = RandomState::new().build_hasher().finish();
    format!("[ptyx-{kind}-{token:016x}]")
}

impl Repl {
    /// Starts `bash --norc --noprofile --noediting +H -i`: no startup files, no readline (so no
    /// bracketed paste and no redraws), no history expansion (`!` is plain), `PS1` and `PS2`
    /// unique, `PROMPT_COMMAND` unset, echo off.
    ///
    /// # Errors
    ///
    /// bash could not be started, or did not show its prompt within the session's timeout.
    pub fn bash() -> io::Result<Repl> {
        let (prompt, continuation) = (unique("prompt"), unique("more"));
        let mut command = Command::new("bash");
        command
            .args(["--norc", "--noprofile", "--noediting", "+H", "-i"])
            .env("PS1", &prompt)
            .env("PS2", &continuation)
            .env_remove("PROMPT_COMMAND")
            .echo(false);
        Repl::new(Session::spawn(&mut command)?, &prompt, Some(&continuation))
    }

    /// Starts `python3 -q -i` with unique `sys.ps1` and `sys.ps2`, the basic REPL without
    /// readline (Python 3.13's new one is turned off with `PYTHON_BASIC_REPL`), echo off.
    ///
    /// # Errors
    ///
    /// python3 could not be started, or did not show its prompt within the session's timeout.
    pub fn python() -> io::Result<Repl> {
        let (prompt, continuation) = (unique("prompt"), unique("more"));
        // The prompts come from the command line, and readline is kept out before the REPL would
        // load it: it echoes and redraws whatever the terminal's mode says.
        let setup =
            format!("import sys; sys.modules['readline'] = None; sys.ps1 = {prompt:?}; sys.ps2 = {continuation:?}");
        let mut command = Command::new("python3");
        command.args(["-q", "-i", "-c", &setup]).env("PYTHON_BASIC_REPL", "1").echo(false);
        Repl::new(Session::spawn(&mut command)?, &prompt, Some(&continuation))
    }

    /// Drives `session`, whose program shows `prompt` when it waits for a command and
    /// `continuation` (if it has one) when a command goes on over lines; waits for the first
    /// prompt. The prompts should be text no output contains by chance.
    ///
    /// # Errors
    ///
    /// The prompt did not come within the session's timeout, or the output ended first.
    pub fn new(mut session: Session, prompt: &str, continuation: Option<&str>) -> io::Result<Repl> {
        session.expect(prompt)?;
        Ok(Repl { session, prompt: prompt.to_owned(), continuation: continuation.map(str::to_owned) })
    }

    /// Sends `command` (its lines one by one, each after the program asked for it, and an empty
    /// line after the last if the program asks for more then, which ends a Python block) and returns
    /// what it printed until the next prompt: without the echo of the command and without the
    /// prompt, `\r\n` turned into `\n`. Waits as long as the session's timeout, per line.
    ///
    /// # Errors
    ///
    /// `InvalidInput` when the program still asks for more after the last line (the command is
    /// incomplete; it is interrupted with the terminal's interrupt character and the prompt
    /// waited for); else as [`Session::expect`] and [`Session::send`].
    pub fn run(&mut self, command: &str) -> io::Result<String> {
        let mut needles = vec![Needle::from(self.prompt.as_str())];
        if let Some(more) = &self.continuation {
            needles.push(Needle::from(more.as_str()));
        }
        let mut lines: Vec<&str> = if command.is_empty() { vec![""] } else { command.lines().collect() };
        let mut output = Vec::new();
        let mut n = 0;
        while n < lines.len() {
            let line = lines[n];
            self.session.send_line(line)?;
            let (which, m) = self.session.expect_any(&needles)?;
            let mut printed = m.before();
            // A program that echoes (the terminal, or its own line editor) shows the line first.
            let echo = [line.as_bytes(), b"\r\n"].concat();
            if printed.starts_with(&echo) {
                printed = &printed[echo.len()..];
            }
            output.extend_from_slice(printed);
            n += 1;
            if which == 1 && n == lines.len() {
                if !line.is_empty() {
                    // An empty line ends a block (Python's `for`, as typed at its prompt).
                    lines.push("");
                    continue;
                }
                self.session.send_intr()?;
                self.session.expect(self.prompt.as_str())?;
                return Err(io::Error::new(
                    io::ErrorKind::InvalidInput,
                    "the command is incomplete: the program asked for more after its last line",
                ));
            }
        }
        Ok(String::from_utf8_lossy(&output).replace("\r\n", "\n"))
    }

    /// The session underneath, to `expect` or `send` directly.
    pub fn session(&mut self) -> &mut Session {
        &mut self.session
    }

    /// The session, giving up the REPL.
    pub fn into_session(self) -> Session {
        self.session
    }
}
