//! What the sync [`Session`](super::Session) and the async one share, with no I/O: the output not
//! matched yet, the timeout, the log, the line being typed, the escape byte, and the rules for
//! what may be sent. Each session only moves bytes between these and its pty.

use std::fmt;
use std::io::{self, Write};
use std::time::{Duration, Instant};

use rustix::termios::{SpecialCodeIndex, Termios};

use super::{Buffer, CanonicalMode};

/// pexpect's default timeout, and ours.
pub(crate) const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);

/// Ctrl-], the escape of `interact`, as in pexpect and telnet.
pub(crate) const DEFAULT_ESCAPE: u8 = 0x1d;

/// How long a session waits for its program to exit after hanging it up, before `SIGKILL`.
pub(crate) const DROP_GRACE: Duration = Duration::from_millis(100);

/// After the program exited while something else holds its terminal, how long without output
/// counts as the end of the output (ten times this after the exit at most): the relay's grace.
pub(crate) const EXIT_GRACE: Duration = Duration::from_millis(100);

/// Largest read into the buffer at once, and how many reads in a row before searching.
pub(crate) const READ_SIZE: usize = 64 * 1024;
pub(crate) const READS_PER_CHECK: usize = 16;

/// How a [`Core::drain`] stopped reading.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Drained {
    /// The master had nothing more for now.
    WouldBlock,
    /// It read the end of the output (the caller marks it).
    Eof,
    /// It made its [`READS_PER_CHECK`] reads: the caller searches, then reads again.
    Budget,
}

/// Where a session's log goes.
pub(crate) type Log = Box<dyn Write + Send>;

/// A recording of the session (`Session::record`): asciicast v3, times since it started.
#[cfg(feature = "asciicast")]
pub(crate) struct Recording {
    cast: crate::format::asciicast::CastWriter<io::BufWriter<std::fs::File>>,
    start: Instant,
    ended: bool,
}

#[cfg(feature = "asciicast")]
impl Recording {
    pub(crate) fn new(
        file: std::fs::File,
        header: &crate::format::asciicast::Header,
        now: Instant,
    ) -> io::Result<Recording> {
        use crate::format::asciicast::{CastWriter, Version};
        let cast = CastWriter::new(io::BufWriter::new(file), Version::V3, header)?;
        Ok(Recording { cast, start: now, ended: false })
    }
}

/// What `TERM` a session with a screen gives its program, unless the command sets one: the model
/// emulates xterm's control sequences, and the `xterm-256color` entry is in ncurses-base, so every
/// system has it.
#[cfg(feature = "screen")]
pub(crate) const SCREEN_TERM: &str = "xterm-256color";

/// The command a session with a screen starts: `command` with `TERM` set to what the screen
/// emulates, unless it sets `TERM` itself (then `None`: start `command` as it is).
#[cfg(feature = "screen")]
pub(crate) fn with_screen_term(command: &crate::Command) -> Option<crate::Command> {
    if command.get_envs().any(|(k, _)| k == "TERM") {
        return None;
    }
    let mut with_term = command.clone();
    with_term.env("TERM", SCREEN_TERM);
    Some(with_term)
}

/// The screen a session keeps (feature `screen`), fed with everything read.
#[cfg(feature = "screen")]
pub(crate) struct ScreenState {
    pub(crate) screen: crate::screen::Screen,
    /// Fed at all (a session can opt out).
    pub(crate) on: bool,
    /// Replies to the program's queries, not written to the master yet.
    pub(crate) replies: Vec<u8>,
    /// Bytes at the end of the buffer read and not fed yet: reads are fed together, once per
    /// drain (each feed rehashes the rows it touched, so fewer, larger feeds cost less).
    pub(crate) unfed: usize,
    /// When what the screen shows last changed.
    pub(crate) changed_at: Instant,
}

#[cfg(feature = "screen")]
impl ScreenState {
    /// Feeds `bytes`; keeps the replies to send back if `answer` (not while the user's own
    /// terminal answers, in `interact`).
    fn feed(&mut self, bytes: &[u8], now: Instant, answer: bool) {
        if !self.on {
            return;
        }
        let before = self.screen.generation();
        let replies = self.screen.feed(bytes);
        if answer {
            self.replies.extend_from_slice(replies);
        }
        if self.screen.generation() != before {
            self.changed_at = now;
        }
    }
}

/// The state a session keeps between calls.
pub(crate) struct Core {
    pub(crate) buf: Buffer,
    pub(crate) timeout: Option<Duration>,
    /// Where what is read (and sent) goes besides the buffer.
    sinks: Sinks,
    /// Bytes sent on the current line of a program in canonical mode (sent without a line end).
    line_pending: usize,
    pub(crate) escape: u8,
    /// When the child was seen to exit, for the grace of a terminal another process holds.
    pub(crate) exited_at: Option<Instant>,
    /// When output last arrived.
    pub(crate) last_output: Option<Instant>,
    #[cfg(feature = "screen")]
    pub(crate) screen: ScreenState,
}

/// Where a session's output (and, if asked, its input) goes besides the buffer: the log and the
/// recording.
struct Sinks {
    log: Option<Log>,
    log_sent: bool,
    #[cfg(feature = "asciicast")]
    recording: Option<Recording>,
}

impl Sinks {
    /// The program wrote `bytes`.
    #[cfg_attr(not(feature = "asciicast"), allow(unused_variables))]
    fn output(&mut self, bytes: &[u8], now: Instant) -> io::Result<()> {
        if let Some(log) = &mut self.log {
            log.write_all(bytes)?;
            log.flush()?;
        }
        #[cfg(feature = "asciicast")]
        if let Some(r) = &mut self.recording {
            r.cast.output(now.saturating_duration_since(r.start), bytes)?;
        }
        Ok(())
    }

    /// `bytes` were sent to the program.
    #[cfg_attr(not(feature = "asciicast"), allow(unused_variables))]
    fn input(&mut self, bytes: &[u8], now: Instant) -> io::Result<()> {
        if let (true, Some(log)) = (self.log_sent, &mut self.log) {
            log.write_all(bytes)?;
            log.flush()?;
        }
        #[cfg(feature = "asciicast")]
        if let Some(r) = &mut self.recording {
            r.cast.input(now.saturating_duration_since(r.start), bytes)?;
        }
        Ok(())
    }
}

impl fmt::Debug for Core {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Core")
            .field("unmatched", &self.buf.len())
            .field("eof", &self.buf.is_eof())
            .field("timeout", &self.timeout)
            .field("logging", &self.sinks.log.is_some())
            .finish_non_exhaustive()
    }
}

impl Core {
    /// A core for a program on a pty of `size`, with a screen fed (if the feature is on) when
    /// `screen` says so.
    #[cfg_attr(not(feature = "screen"), allow(unused_variables))]
    pub(crate) fn new(size: crate::Winsize, screen: bool) -> Core {
        Core {
            #[cfg(feature = "screen")]
            screen: ScreenState {
                screen: crate::screen::Screen::new(size),
                on: screen,
                replies: Vec::new(),
                unfed: 0,
                changed_at: Instant::now(),
            },
            buf: Buffer::new(),
            timeout: Some(DEFAULT_TIMEOUT),
            sinks: Sinks {
                log: None,
                log_sent: false,
                #[cfg(feature = "asciicast")]
                recording: None,
            },
            line_pending: 0,
            escape: DEFAULT_ESCAPE,
            exited_at: None,
            last_output: None,
        }
    }

    /// Records output, input and resizes from now on into `recording`, replacing any other.
    #[cfg(feature = "asciicast")]
    pub(crate) fn record(&mut self, recording: Recording) -> io::Result<()> {
        self.finish_recording(None)?;
        self.sinks.recording = Some(recording);
        Ok(())
    }

    /// The window size changed: the recording says so.
    #[cfg_attr(not(feature = "asciicast"), allow(unused_variables))]
    pub(crate) fn resized(&mut self, size: crate::Winsize, now: Instant) -> io::Result<()> {
        self.pty_size(size);
        #[cfg(feature = "asciicast")]
        if let Some(r) = &mut self.sinks.recording {
            r.cast.resize(now.saturating_duration_since(r.start), size)?;
        }
        Ok(())
    }

    /// Writes out what the recording holds, so that a test that fails later leaves it complete.
    pub(crate) fn flush_recording(&mut self) -> io::Result<()> {
        #[cfg(feature = "asciicast")]
        if let Some(r) = &mut self.sinks.recording {
            r.cast.flush()?;
        }
        Ok(())
    }

    /// Ends the recording with the exit status, if known (128 + the signal for a killed program),
    /// and closes it.
    #[cfg_attr(not(feature = "asciicast"), allow(unused_variables))]
    pub(crate) fn finish_recording(&mut self, status: Option<std::process::ExitStatus>) -> io::Result<()> {
        #[cfg(feature = "asciicast")]
        if let Some(mut r) = self.sinks.recording.take() {
            use std::os::unix::process::ExitStatusExt;
            if let (false, Some(status)) = (r.ended, status) {
                let code = status.code().unwrap_or_else(|| 128 + status.signal().unwrap_or(0));
                r.cast.exit(r.start.elapsed(), code)?;
                r.ended = true;
            }
            r.cast.finish()?;
        }
        Ok(())
    }

    pub(crate) fn set_log(&mut self, log: Option<Log>) {
        self.sinks.log = log;
    }

    /// Logs to the file at `path`, created 0600 (it may hold passwords typed at a prompt) or
    /// truncated.
    pub(crate) fn log_file(&mut self, path: &std::path::Path) -> io::Result<()> {
        self.set_log(Some(Box::new(create_private(path)?)));
        Ok(())
    }

    pub(crate) fn set_log_sent(&mut self, yes: bool) {
        self.sinks.log_sent = yes;
    }

    /// The moment a wait that starts `now` gives up, or `None` for no timeout.
    pub(crate) fn deadline(&self, now: Instant) -> Option<Instant> {
        self.timeout.map(|t| now.checked_add(t).unwrap_or(now + Duration::from_secs(u32::MAX.into())))
    }

    /// Reads once with `read` into the buffer (at most [`READ_SIZE`]) and logs what it read;
    /// returns the count, 0 being what `read` returned for end of file.
    ///
    /// # Errors
    ///
    /// `read`'s error (the buffer is unchanged), or the log's write error.
    pub(crate) fn read_with(
        &mut self,
        now: Instant,
        read: impl FnOnce(&mut [u8]) -> io::Result<usize>,
    ) -> io::Result<usize> {
        let bytes = self.buf.read_with(READ_SIZE, |room| {
            let room_len = room.len().min(READ_SIZE);
            read(&mut room[..room_len])
        })?;
        let n = bytes.len();
        if n > 0 {
            self.last_output = Some(now);
            #[cfg(feature = "screen")]
            {
                self.screen.unfed += n;
            }
            self.sinks.output(bytes, now)?;
        }
        Ok(n)
    }

    /// Reads what `read` (a non-blocking read of the master) has, [`READS_PER_CHECK`] reads at
    /// most, into the buffer, then feeds it to the screen (also when a read failed); returns how it
    /// stopped and whether it read any output. Two ways to overlap parsing with reading were
    /// measured and gain nothing on the reference machine (2 cores), so they are not here: feeding
    /// slices with reads between them, and parsing each round on a thread while the next is read
    /// (the program, the kernel's tty worker and the reader already keep both cores busy; see
    /// BENCHMARKS.md, "Expect and screen sessions").
    ///
    /// # Errors
    ///
    /// A read's error other than `WouldBlock` and `Interrupted`; the log's write error.
    pub(crate) fn drain(
        &mut self,
        mut read: impl FnMut(&mut [u8]) -> io::Result<usize>,
    ) -> io::Result<(Drained, bool)> {
        let mut got = false;
        let how = 'reads: {
            for _ in 0..READS_PER_CHECK {
                match self.read_with(Instant::now(), &mut read) {
                    Ok(0) => break 'reads Ok(Drained::Eof),
                    Ok(_) => got = true,
                    Err(e) if e.kind() == io::ErrorKind::WouldBlock => break 'reads Ok(Drained::WouldBlock),
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                    Err(e) => break 'reads Err(e),
                }
            }
            Ok(Drained::Budget)
        };
        self.feed_screen(Instant::now());
        how.map(|how| (how, got))
    }

    /// Output arrived that bypassed the buffer (shown to the user by `interact`): log it.
    ///
    /// # Errors
    ///
    /// The log's write error.
    pub(crate) fn received(&mut self, bytes: &[u8], now: Instant) -> io::Result<()> {
        self.last_output = Some(now);
        #[cfg(feature = "screen")]
        self.screen.feed(bytes, now, false);
        self.sinks.output(bytes, now)
    }

    /// Feeds the screen all that was read and not fed yet (at the end of the buffer), answering
    /// the queries in it: before the session searches, everything read is on the screen.
    pub(crate) fn feed_screen(&mut self, now: Instant) {
        #[cfg(feature = "screen")]
        {
            let bytes = self.buf.as_bytes();
            let unfed = std::mem::take(&mut self.screen.unfed).min(bytes.len());
            if unfed > 0 {
                self.screen.feed(&bytes[bytes.len() - unfed..], now, true);
            }
        }
        #[cfg(not(feature = "screen"))]
        let _ = now;
    }

    /// The output has ended; `status` is the program's, if it is known already: errors show it,
    /// and it ends the recording.
    pub(crate) fn output_ended(&mut self, status: Option<std::process::ExitStatus>) -> io::Result<()> {
        self.buf.set_eof();
        if let Some(status) = status {
            self.buf.set_exit_status(status);
            self.finish_recording(Some(status))?;
        }
        Ok(())
    }

    /// Writes what of the screen's replies `write` (a non-blocking write to the master) takes now;
    /// the rest goes out later, never blocking (the program may be busy writing output the
    /// session has yet to read). Any other error means the terminal is gone (EIO): nobody asks
    /// anything any more.
    #[cfg_attr(not(feature = "screen"), allow(unused_mut, unused_variables))]
    pub(crate) fn write_replies(&mut self, mut write: impl FnMut(&[u8]) -> io::Result<usize>) {
        #[cfg(feature = "screen")]
        {
            let replies = &mut self.screen.replies;
            while !replies.is_empty() {
                match write(replies) {
                    Ok(n) => drop(replies.drain(..n)),
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                    Err(e) if e.kind() == io::ErrorKind::WouldBlock => break,
                    Err(_) => replies.clear(),
                }
            }
        }
    }

    /// Whether the session needs the pty's size before it feeds output: only a screen does.
    pub(crate) fn follows_pty_size(&self) -> bool {
        #[cfg(feature = "screen")]
        return self.screen.on;
        #[cfg(not(feature = "screen"))]
        false
    }

    /// The pty's size before output is fed: the screen follows a resize made through the child.
    #[cfg_attr(not(feature = "screen"), allow(unused_variables))]
    pub(crate) fn pty_size(&mut self, size: crate::Winsize) {
        #[cfg(feature = "screen")]
        if self.screen.on && self.screen.screen.size() != size {
            self.screen.screen.resize(size);
        }
    }

    /// Before sending `bytes`: refuses when the output has ended (`BrokenPipe`: Linux takes writes
    /// to a master nobody reads, so the session must say so) and when, the program reading in
    /// canonical mode (`mode`), a line would be cut (`InvalidInput`); nothing is sent then.
    /// Returns the bytes pending on the current line after the send, for [`sent`](Self::sent).
    pub(crate) fn check_send(&self, bytes: &[u8], mode: Option<&Termios>, reaped: bool) -> io::Result<usize> {
        if self.buf.is_eof() || reaped {
            return Err(io::Error::new(
                io::ErrorKind::BrokenPipe,
                "the program's output has ended (or it was reaped): nothing reads what is sent",
            ));
        }
        match mode.and_then(CanonicalMode::from_termios) {
            Some(canonical) => canonical.check(bytes, self.line_pending),
            None => Ok(0),
        }
    }

    /// `bytes` were sent: logs them if asked to.
    pub(crate) fn sent(&mut self, bytes: &[u8], line_pending: usize) -> io::Result<()> {
        self.line_pending = line_pending;
        self.sinks.input(bytes, Instant::now())
    }

    /// Whether the end of output is to be assumed: the child exited a grace ago and its terminal,
    /// held open by another process, has been quiet since.
    pub(crate) fn grace_over(&self, now: Instant) -> bool {
        self.grace_end().is_some_and(|end| now >= end)
    }

    /// When [`grace_over`](Self::grace_over) turns true, if the child has exited.
    pub(crate) fn grace_end(&self) -> Option<Instant> {
        let exited = self.exited_at?;
        let quiet = self.last_output.map_or(exited, |t| t.max(exited)) + EXIT_GRACE;
        Some(quiet.min(exited + EXIT_GRACE * 10))
    }
}

/// What `send_line` sends: the line, then Enter (`\r`, what the key sends).
pub(crate) fn line(text: &str) -> Vec<u8> {
    let mut bytes = Vec::with_capacity(text.len() + 1);
    bytes.extend_from_slice(text.as_bytes());
    bytes.push(b'\r');
    bytes
}

/// The terminal's own character for `index` (VEOF for `send_eof`, VINTR for `send_intr`).
///
/// # Errors
///
/// `InvalidInput` when the terminal has it disabled.
pub(crate) fn special_char(termios: &Termios, index: SpecialCodeIndex, what: &str) -> io::Result<u8> {
    let c = termios.special_codes[index];
    // _POSIX_VDISABLE is 0 on Linux.
    if c == 0 {
        return Err(io::Error::new(io::ErrorKind::InvalidInput, format!("the terminal has no {what} character")));
    }
    Ok(c)
}

/// Creates (mode 0600: a session's log or recording may hold passwords typed at a prompt) or
/// truncates the file at `path`, for writing.
pub(crate) fn create_private(path: &std::path::Path) -> io::Result<std::fs::File> {
    use std::os::unix::fs::OpenOptionsExt;
    std::fs::File::options().write(true).create(true).truncate(true).mode(0o600).open(path)
}

/// The earlier of two optional moments (`None`: never).
pub(crate) fn earliest(a: Option<Instant>, b: Option<Instant>) -> Option<Instant> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

/// Whether `deadline` (`None`: none) has passed at `now`.
pub(crate) fn expired(deadline: Option<Instant>, now: Instant) -> bool {
    deadline.is_some_and(|d| now >= d)
}

/// The time left until `deadline` (`None`: no deadline).
pub(crate) fn left(deadline: Option<Instant>, now: Instant) -> Option<Duration> {
    deadline.map(|d| d.saturating_duration_since(now))
}
