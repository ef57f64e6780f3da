//! The sync expect session: a program on a pty, its output searched as it arrives, answers sent.
//! Every wait is one poll(2) on the master (and the child's pidfd) with the time left: no sleeps,
//! no polling interval, no thread.

use std::fmt;
use std::io::{self, Write};
use std::os::fd::{AsFd, BorrowedFd};
use std::path::Path;
use std::process::ExitStatus;
use std::time::{Duration, Instant};

use rustix::event::{PollFd, PollFlags};
use rustix::termios::SpecialCodeIndex;

use super::session_core::{self as core, left, Core, Drained};
use super::{control_byte, Match, Needle, Search};
use crate::{Child, Command, Ended, Winsize};

/// A program on a pty, driven the way pexpect drives one: wait for what it prints, then answer.
///
/// ```
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// use std::time::Duration;
/// use ptyx::expect::{Eof, Needle, Regex, Session};
/// let mut s = Session::spawn(ptyx::Command::new("python3").arg("-q"))?;
/// s.set_timeout(Some(Duration::from_secs(10)));
/// s.expect(">>> ")?;
/// s.send_line("6*7")?;
/// // The terminal echoes "6*7\r\n" first, then python prints "42\r\n".
/// let m = s.expect(Regex::new(r"\r\n(\d+)\r\n")?)?;
/// assert_eq!(m.get(1), Some(&b"42"[..]));
/// let (i, _) = s.expect_any(&[Needle::from(">>> "), Needle::from(Regex::new("Error")?), Needle::Eof])?;
/// assert_eq!(i, 0);
/// s.send_line("exit()")?;
/// let m = s.expect(Eof)?; // m.before(): everything until the end of output
/// assert!(m.before().starts_with(b"exit()"));
/// assert!(s.wait()?.success());
/// # Ok(()) }
/// ```
///
/// The environment is the command's, as with [`Command`]: nothing is added behind your back.
/// Timeouts default to 30 s, as pexpect's; a timed out `expect` loses nothing (the output stays
/// for the next one). Dropping a session whose program still runs hangs its terminal up, waits
/// briefly, then kills what is left of its process group and reaps it.
pub struct Session {
    child: Child,
    core: Core,
    /// The command as a shell would read it, for a recording's header.
    #[cfg_attr(not(feature = "asciicast"), allow(dead_code))]
    command_line: String,
    /// The program's `TERM`, for a recording's header.
    #[cfg_attr(not(feature = "asciicast"), allow(dead_code))]
    term: Option<String>,
}

impl fmt::Debug for Session {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Session").field("child", &self.child).field("core", &self.core).finish()
    }
}

impl Session {
    /// Starts `command` on a new pty (see [`Command::spawn`]) and returns a session on it.
    ///
    /// # Errors
    ///
    /// As [`Command::spawn`].
    pub fn spawn(command: &mut Command) -> io::Result<Session> {
        Session::start(command, true)
    }

    /// [`spawn`](Session::spawn) for a byte-only session in a build where the `screen` feature is
    /// on: no screen is kept (nothing is fed, no query answered) and `TERM` is left as the command
    /// has it. Without the feature, the same as `spawn`.
    ///
    /// # Errors
    ///
    /// As [`Command::spawn`].
    pub fn spawn_without_screen(command: &mut Command) -> io::Result<Session> {
        Session::start(command, false)
    }

    #[cfg_attr(not(feature = "screen"), allow(unused_variables))]
    fn start(command: &mut Command, screen: bool) -> io::Result<Session> {
        // A screen emulates xterm: the program is told so, unless the command says otherwise.
        #[cfg(feature = "screen")]
        let mut with_term = if screen { core::with_screen_term(command) } else { None };
        #[cfg(feature = "screen")]
        let command = with_term.as_mut().unwrap_or(command);
        let child = command.spawn()?;
        child.master().set_nonblocking(true)?;
        let mut session =
            Session { core: Core::new(child.window_size()?, screen), child, command_line: String::new(), term: None };
        session.command_line = std::iter::once(command.get_program())
            .chain(command.get_args())
            .map(|a| a.to_string_lossy().into_owned())
            .collect::<Vec<_>>()
            .join(" ");
        let set =
            command.get_envs().find(|(k, _)| *k == "TERM").map(|(_, v)| v.map(|v| v.to_string_lossy().into_owned()));
        session.term = match set {
            Some(value) => value,
            None if command.get_env_clear() => None,
            None => std::env::var("TERM").ok(),
        };
        Ok(session)
    }

    /// A session on a program already started with [`Command::spawn`]. Its master is made
    /// non-blocking (the session waits with poll(2)).
    ///
    /// # Errors
    ///
    /// The OS error of fcntl(2), which does not fail on a pty.
    pub fn from_child(child: Child) -> io::Result<Session> {
        child.master().set_nonblocking(true)?;
        let core = Core::new(child.window_size()?, true);
        Ok(Session { child, core, command_line: String::new(), term: std::env::var("TERM").ok() })
    }

    /// The program: its pid, master, signals ([`Child::signal`]), status.
    pub fn child(&self) -> &Child {
        &self.child
    }

    /// The program, mutably: to [`wait_timeout`](Child::wait_timeout) or [`kill`](Child::kill)
    /// it. Reading its master directly bypasses the session's buffer.
    pub fn child_mut(&mut self) -> &mut Child {
        &mut self.child
    }

    /// How long an `expect` (and a `send` the program does not read) waits; `None` waits forever.
    /// Default 30 s, like pexpect.
    pub fn set_timeout(&mut self, timeout: Option<Duration>) {
        self.core.timeout = timeout;
    }

    /// The timeout of `expect` and `send`.
    pub fn timeout(&self) -> Option<Duration> {
        self.core.timeout
    }

    /// The output read and not consumed by a match yet (pexpect's `buffer`).
    pub fn unmatched(&self) -> &[u8] {
        self.core.buf.as_bytes()
    }

    /// Whether the end of the program's output has been seen.
    pub fn is_eof(&self) -> bool {
        self.core.buf.is_eof()
    }

    /// Sends everything read from the program to `log` as it is read (and, with
    /// [`log_sent`](Session::log_sent), what is sent to it); `None` stops logging.
    pub fn set_log(&mut self, log: Option<Box<dyn Write + Send>>) {
        self.core.set_log(log);
    }

    /// Logs to `writer`, as [`set_log`](Session::set_log) does.
    pub fn log_to(&mut self, writer: impl Write + Send + 'static) {
        self.core.set_log(Some(Box::new(writer)));
    }

    /// Logs to the file at `path`, created or truncated (mode 0600 on creation: it may hold
    /// passwords typed at a prompt).
    ///
    /// # Errors
    ///
    /// The file could not be opened.
    pub fn log_file(&mut self, path: impl AsRef<Path>) -> io::Result<()> {
        self.core.log_file(path.as_ref())
    }

    /// Whether the log also receives what is sent to the program (default: no; the terminal's
    /// echo usually shows it anyway).
    pub fn log_sent(&mut self, yes: bool) {
        self.core.set_log_sent(yes);
    }

    /// The byte that ends [`interact`](Session::interact) (default Ctrl-], 0x1d, as pexpect's).
    pub fn set_escape(&mut self, byte: u8) {
        self.core.escape = byte;
    }

    /// Waits until `needle` matches the output (see [`Needle`] for when), consumes the output up
    /// to the end of the match and returns the [`Match`].
    ///
    /// # Errors
    ///
    /// `TimedOut` after the [timeout](Session::set_timeout), `UnexpectedEof` at the end of the
    /// output (at once when it was seen already), each with an
    /// [`ExpectError`](super::ExpectError) holding the unmatched output, which stays for the next
    /// `expect`; the OS error of a failed read; the log's write error.
    pub fn expect(&mut self, needle: impl Into<Needle>) -> io::Result<Match> {
        self.expect_any(&[needle.into()]).map(|(_, m)| m)
    }

    /// Waits until one of `needles` matches: the match that ends earliest in the output wins,
    /// ties going to the first in the list. Returns its index and the [`Match`].
    ///
    /// # Errors
    ///
    /// As [`expect`](Session::expect).
    pub fn expect_any(&mut self, needles: &[Needle]) -> io::Result<(usize, Match)> {
        let result = self.search(needles);
        self.core.flush_recording()?;
        result
    }

    fn search(&mut self, needles: &[Needle]) -> io::Result<(usize, Match)> {
        let mut search = Search::new(needles);
        let deadline = self.core.deadline(Instant::now());
        loop {
            if let Some(hit) = search.check(&mut self.core.buf)? {
                return Ok(hit);
            }
            if core::expired(deadline, Instant::now()) {
                return search.timed_out(&mut self.core.buf, self.core.timeout);
            }
            self.read_some(deadline)?;
        }
    }

    /// Writes all of `bytes` to the program (no sleep before, no partial write). While the program
    /// does not read, its output is read meanwhile (so neither side can block the other), up to
    /// the timeout.
    ///
    /// # Errors
    ///
    /// `BrokenPipe` once the end of output was seen or the child was reaped (Linux accepts writes
    /// to a master whose program is gone); `InvalidInput`, with nothing sent, when the program
    /// reads in canonical mode and a line would be longer than the 4095 bytes the kernel keeps
    /// (see [`CanonicalMode`](super::CanonicalMode)); `TimedOut` when the program did not read it
    /// in time (part of it may have been written).
    pub fn send(&mut self, bytes: impl AsRef<[u8]>) -> io::Result<()> {
        let bytes = bytes.as_ref();
        let mode = self.child.master().termios().ok();
        let pending = self.core.check_send(bytes, mode.as_ref(), self.child.status().is_some())?;
        #[cfg(feature = "screen")]
        {
            // Answers the program is owed go first, in the order of the questions.
            let replies = std::mem::take(&mut self.core.screen.replies);
            self.write_all(&replies)?;
        }
        self.write_all(bytes)?;
        self.core.sent(bytes, pending)?;
        self.core.flush_recording()
    }

    /// Sends `line`, then Enter (`\r`, what the key sends).
    ///
    /// # Errors
    ///
    /// As [`send`](Session::send).
    pub fn send_line(&mut self, line: &str) -> io::Result<()> {
        self.send(core::line(line))
    }

    /// Sends Ctrl+`key`: `'c'` is 0x03, also `@ [ \ ] ^ _ ?` (see [`control_byte`]).
    ///
    /// # Errors
    ///
    /// `InvalidInput` for a key without a control character; else as [`send`](Session::send).
    pub fn send_control(&mut self, key: char) -> io::Result<()> {
        self.send([control_byte(key)?])
    }

    /// Sends the terminal's end-of-file character (`VEOF`, usually Ctrl-D): a program reading a
    /// line in canonical mode then reads what was typed, or end of file on an empty line.
    ///
    /// # Errors
    ///
    /// `InvalidInput` if the terminal has none; else as [`send`](Session::send).
    pub fn send_eof(&mut self) -> io::Result<()> {
        let c = core::special_char(&self.child.master().termios()?, SpecialCodeIndex::VEOF, "end-of-file")?;
        self.send([c])
    }

    /// Sends the terminal's interrupt character (`VINTR`, usually Ctrl-C): with `ISIG` set, the
    /// kernel turns it into `SIGINT` for the program's foreground process group.
    ///
    /// # Errors
    ///
    /// `InvalidInput` if the terminal has none; else as [`send`](Session::send).
    pub fn send_intr(&mut self) -> io::Result<()> {
        let c = core::special_char(&self.child.master().termios()?, SpecialCodeIndex::VINTR, "interrupt")?;
        self.send([c])
    }

    /// Resizes the pty; the program gets `SIGWINCH`.
    ///
    /// # Errors
    ///
    /// The OS error of the ioctl, which does not fail on a pty; the recording's write error.
    pub fn resize(&mut self, size: Winsize) -> io::Result<()> {
        self.child.resize(size)?;
        self.core.resized(size, Instant::now())
    }

    /// Records the session from now on into an asciicast v3 file at `path` (created 0600, or
    /// truncated): the program's output with its times, resizes, and what is sent, then its exit
    /// status; call it right after [`spawn`](Session::spawn) for all of it. A failed test in CI
    /// leaves a file anyone can replay with `ptyx replay` or asciinema's player: it is flushed at
    /// the end of every call and completed when the session is dropped.
    ///
    /// ```
    /// # fn main() -> std::io::Result<()> {
    /// let dir = tempfile::tempdir()?;
    /// let path = dir.path().join("session.cast");
    /// let mut s = ptyx::expect::Session::spawn(ptyx::Command::new("echo").arg("recorded"))?;
    /// s.record(&path)?;
    /// s.expect(ptyx::expect::Eof)?;
    /// drop(s);
    /// let cast = std::fs::read_to_string(&path)?;
    /// assert!(cast.starts_with(r#"{"version":3,"term":{"cols":80,"rows":24"#));
    /// assert!(cast.contains(r#""o", "recorded\r\n"]"#) && cast.contains(r#""x", "0"]"#));
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    ///
    /// The file could not be created or its header written.
    #[cfg(feature = "asciicast")]
    #[cfg_attr(docsrs, doc(cfg(feature = "asciicast")))]
    pub fn record(&mut self, path: impl AsRef<Path>) -> io::Result<()> {
        let file = core::create_private(path.as_ref())?;
        let size = self.child.window_size()?;
        let header = crate::format::asciicast::Header {
            cols: size.cols,
            rows: size.rows,
            term_type: self.term.clone(),
            timestamp: std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .ok()
                .and_then(|d| i64::try_from(d.as_secs()).ok()),
            command: Some(self.command_line.clone()),
            ..Default::default()
        };
        let recording = super::session_core::Recording::new(file, &header, Instant::now())?;
        self.core.record(recording)?;
        self.core.flush_recording()
    }

    /// Reads the program's output to its end (keeping it for `expect`, unless it is matched) and
    /// returns its exit status. Waits as long as the program runs: no timeout.
    ///
    /// # Errors
    ///
    /// The OS error of a read or of waitpid(2); the log's write error.
    pub fn wait(&mut self) -> io::Result<ExitStatus> {
        while !self.core.buf.is_eof() {
            self.read_some(None)?;
        }
        let status = self.child.wait()?;
        self.core.finish_recording(Some(status))?;
        Ok(status)
    }

    /// The screen the program's output draws (feature `screen`): everything read so far, at the
    /// pty's size. Empty for a session started with
    /// [`spawn_without_screen`](Session::spawn_without_screen).
    #[cfg(feature = "screen")]
    #[cfg_attr(docsrs, doc(cfg(feature = "screen")))]
    pub fn screen(&self) -> &crate::screen::Screen {
        &self.core.screen.screen
    }

    /// Reads until `text` is on the screen (in [`Screen::text`](crate::screen::Screen::text)).
    ///
    /// ```
    /// # fn main() -> std::io::Result<()> {
    /// let mut s = ptyx::expect::Session::spawn(ptyx::Command::new("sh").args(["-c", "printf 'a\\rb'; sleep 5"]))?;
    /// s.wait_for_text("b")?;
    /// assert_eq!(s.screen().row(0), "b"); // the carriage return moved back over the "a"
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    ///
    /// `TimedOut` after the session's timeout, `UnexpectedEof` when the output ends first, each
    /// with the screen in its message; `Unsupported` for a session without a screen; a read's OS
    /// error.
    #[cfg(feature = "screen")]
    #[cfg_attr(docsrs, doc(cfg(feature = "screen")))]
    pub fn wait_for_text(&mut self, text: &str) -> io::Result<()> {
        self.wait_screen(super::screen_wait::ScreenWait::until(format!("{text:?} on the screen")), &mut |s| {
            s.text().contains(text)
        })
    }

    /// Reads until `regex` matches the screen's [`text`](crate::screen::Screen::text).
    ///
    /// # Errors
    ///
    /// As [`wait_for_text`](Session::wait_for_text).
    #[cfg(feature = "screen")]
    #[cfg_attr(docsrs, doc(cfg(feature = "screen")))]
    pub fn wait_for_match(&mut self, regex: &super::Regex) -> io::Result<()> {
        let what = format!("/{}/ to match the screen", regex.as_str());
        self.wait_screen(super::screen_wait::ScreenWait::until(what), &mut |s| regex.is_match(s.text().as_bytes()))
    }

    /// Reads until `holds` is true of the screen; it is asked again each time what the screen
    /// shows changes.
    ///
    /// # Errors
    ///
    /// As [`wait_for_text`](Session::wait_for_text).
    #[cfg(feature = "screen")]
    #[cfg_attr(docsrs, doc(cfg(feature = "screen")))]
    pub fn wait_until(&mut self, mut holds: impl FnMut(&crate::screen::Screen) -> bool) -> io::Result<()> {
        self.wait_screen(super::screen_wait::ScreenWait::until("a condition on the screen".into()), &mut holds)
    }

    /// Reads until the screen has not changed for `quiet` since its last change: at the earliest
    /// `quiet` after the call, at once when the output has ended (nothing can change it then).
    /// Driven by the output: one poll with the time left until the screen would have been still
    /// long enough.
    ///
    /// # Errors
    ///
    /// `TimedOut` (with the screen) when it keeps changing past the session's timeout; else as
    /// [`wait_for_text`](Session::wait_for_text).
    #[cfg(feature = "screen")]
    #[cfg_attr(docsrs, doc(cfg(feature = "screen")))]
    pub fn wait_for_stable(&mut self, quiet: Duration) -> io::Result<()> {
        self.wait_screen(super::screen_wait::ScreenWait::stable(quiet, Instant::now()), &mut |_| true)
    }

    #[cfg(feature = "screen")]
    fn wait_screen(
        &mut self,
        mut wait: super::screen_wait::ScreenWait,
        holds: &mut dyn FnMut(&crate::screen::Screen) -> bool,
    ) -> io::Result<()> {
        use super::screen_wait::Step;
        if !self.core.screen.on {
            return Err(super::screen_wait::no_screen());
        }
        let deadline = self.core.deadline(Instant::now());
        let result = loop {
            let now = Instant::now();
            let state = &self.core.screen;
            let wake = match wait.step(&state.screen, state.changed_at, self.core.buf.is_eof(), now, holds) {
                Step::Done => break Ok(()),
                Step::Pending(wake) => wake,
            };
            if self.core.buf.is_eof() {
                break Err(wait.ended(&state.screen));
            }
            if core::expired(deadline, now) {
                break Err(wait.timed_out(&state.screen, self.core.timeout));
            }
            self.read_some(core::earliest(deadline, wake))?;
        };
        self.core.flush_recording()?;
        result
    }

    /// Hands the session to the user's terminal: stdin in raw mode, the pty at its size and
    /// following it (`SIGWINCH`), output read and not matched yet shown first, then both ways
    /// copied, by the one [relay](crate::Relay), until the escape byte is typed (see
    /// [`set_escape`](Session::set_escape)), stdin ends, or the program ends. The session goes
    /// on afterwards: `expect` and `send` work again, and the log got everything.
    ///
    /// # Errors
    ///
    /// As [`Relay::run_until_escape`](crate::Relay::run_until_escape); the log's write error.
    pub fn interact(&mut self) -> io::Result<Ended> {
        let stdin = rustix::stdio::stdin();
        let stdout = rustix::stdio::stdout();
        self.interact_with(stdin, stdout)
    }

    /// [`interact`](Session::interact) with another terminal (or pipe) than stdin and stdout.
    ///
    /// # Errors
    ///
    /// As [`interact`](Session::interact).
    pub fn interact_with(&mut self, input: BorrowedFd<'_>, output: BorrowedFd<'_>) -> io::Result<Ended> {
        // What was read and not matched yet is the user's to see first, as in pexpect.
        let unmatched = self.core.buf.take();
        crate::fd::write_all(output, &unmatched)?;
        let core = &mut self.core;
        let escape = core.escape;
        let ended = crate::Relay::attach(&mut self.child)
            .input(Some(input))
            .output(Some(output))
            .forward_eof(false)
            .on_event(|_, event| match event {
                crate::Event::Output(bytes) => core.received(bytes, Instant::now()),
                crate::Event::Input(bytes) => core.sent(bytes, 0),
                _ => Ok(()),
            })
            .run_until_escape(escape)?;
        if let Ended::Exited(status) = ended {
            self.core.output_ended(Some(status))?;
        }
        self.core.flush_recording()?;
        Ok(ended)
    }

    /// Waits (one poll, until `deadline` or the end of the exit grace) for output or the child's
    /// exit, and reads what has come.
    fn read_some(&mut self, deadline: Option<Instant>) -> io::Result<()> {
        if self.core.buf.is_eof() {
            return Ok(());
        }
        let until = core::earliest(deadline, self.core.grace_end());
        let (master_ready, child_ready) = {
            let watch_child = self.core.exited_at.is_none();
            let mut fds = vec![PollFd::from_borrowed_fd(self.child.master().as_fd(), PollFlags::IN)];
            if let (true, Some(pidfd)) = (watch_child, self.child.pidfd()) {
                fds.push(PollFd::from_borrowed_fd(pidfd, PollFlags::IN));
            }
            match crate::fd::poll(&mut fds, left(until, Instant::now())) {
                Ok(_) => {}
                Err(e) if e.kind() == io::ErrorKind::Interrupted => return Ok(()),
                Err(e) => return Err(e),
            }
            let any = PollFlags::IN | PollFlags::HUP | PollFlags::ERR;
            (fds[0].revents().intersects(any), fds.get(1).is_some_and(|fd| fd.revents().intersects(any)))
        };
        let look = child_ready || (self.child.pidfd().is_none() && self.core.exited_at.is_none());
        if look && self.child.try_wait()?.is_some() {
            self.core.exited_at = Some(Instant::now());
        }
        if master_ready {
            self.drain()?;
        }
        if !self.core.buf.is_eof() && self.core.grace_over(Instant::now()) {
            self.end_of_output()?;
        }
        Ok(())
    }

    /// Reads what the master has, a few reads at most before the caller searches again, and
    /// answers the program's terminal queries the screen saw.
    fn drain(&mut self) -> io::Result<()> {
        let result = self.read_master();
        let master = self.child.master().as_fd();
        self.core.write_replies(|replies| rustix::io::write(master, replies).map_err(io::Error::from));
        result
    }

    fn read_master(&mut self) -> io::Result<()> {
        // The screen takes a resize made through `child_mut()` before the output drawn for it.
        if self.core.follows_pty_size() {
            if let Ok(size) = self.child.window_size() {
                self.core.pty_size(size);
            }
        }
        let master = self.child.master();
        match self.core.drain(|room| crate::read(master.as_fd(), room))? {
            (Drained::Eof, _) => self.end_of_output(),
            _ => Ok(()),
        }
    }

    /// The output has ended: mark it, and reap the child if it has exited (it usually exits the
    /// moment its last descriptor of the terminal closes), for the status in errors.
    fn end_of_output(&mut self) -> io::Result<()> {
        let status = self.child.wait_timeout(Duration::from_millis(100));
        self.core.output_ended(*status.as_ref().unwrap_or(&None))?;
        status.map(drop)
    }

    /// Writes all of `bytes`, reading output while the program does not read, up to the timeout.
    fn write_all(&mut self, mut bytes: &[u8]) -> io::Result<()> {
        let deadline = self.core.deadline(Instant::now());
        while !bytes.is_empty() {
            let master = self.child.master().as_fd();
            match rustix::io::write(master, bytes) {
                Ok(n) => bytes = &bytes[n..],
                Err(rustix::io::Errno::INTR) => {}
                Err(rustix::io::Errno::AGAIN) => {
                    let now = Instant::now();
                    if core::expired(deadline, now) {
                        return Err(io::Error::new(
                            io::ErrorKind::TimedOut,
                            format!("timed out sending: the program did not read {} bytes of its input", bytes.len()),
                        ));
                    }
                    let mut fds = [PollFd::from_borrowed_fd(master, PollFlags::IN | PollFlags::OUT)];
                    match crate::fd::poll(&mut fds, left(deadline, now)) {
                        Ok(_) => {}
                        Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                        Err(e) => return Err(e),
                    }
                    if fds[0].revents().intersects(PollFlags::IN | PollFlags::HUP) {
                        // Read what the program wrote meanwhile: it may be waiting for us to.
                        self.drain()?;
                        if self.core.buf.is_eof() {
                            return Err(io::Error::new(
                                io::ErrorKind::BrokenPipe,
                                "the program's output ended before it read what was sent",
                            ));
                        }
                    }
                }
                Err(rustix::io::Errno::IO) => {
                    return Err(io::Error::new(io::ErrorKind::BrokenPipe, "the program's terminal is closed"));
                }
                Err(e) => return Err(e.into()),
            }
        }
        Ok(())
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        // Never blocks long, never panics: hang up, a short grace, SIGKILL to what is left.
        let status = self.child.terminate(core::DROP_GRACE).ok();
        let _ = self.core.finish_recording(status);
    }
}
