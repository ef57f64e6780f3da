//! The async expect session, on tokio: the sync [`Session`](super::Session)'s methods and results,
//! driven by the runtime's reactor, so hundreds of sessions share one thread. Both sessions keep
//! their state in the same core and search with the same engine; only the waiting differs (a
//! readiness future here, poll(2) there).

use std::fmt;
use std::future::{poll_fn, Future};
use std::io::{self, Write};
use std::path::Path;
use std::pin::pin;
use std::process::ExitStatus;
use std::task::Poll;
use std::time::Instant;

use rustix::termios::SpecialCodeIndex;

use super::session_core::{self as core, Core, Drained};
use super::{control_byte, Match, Needle, Search};
use crate::tokio::timer::Timer;
use crate::tokio::Child;
use crate::{Command, Winsize};

/// A program on a pty driven from async code: [`Session`](super::Session)'s methods, `async`
/// (features `tokio` and `expect`).
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> std::io::Result<()> {
/// let mut s = ptyx::expect::AsyncSession::spawn(ptyx::Command::new("python3").arg("-q"))?;
/// s.expect(">>> ").await?;
/// s.send_line("6*7").await?;
/// s.expect("42").await?;
/// s.send_line("exit()").await?;
/// assert!(s.wait().await?.success());
/// # Ok(())
/// # }
/// ```
///
/// # Cancel safety
///
/// | method | cancel safe |
/// |---|---|
/// | [`expect`](AsyncSession::expect), [`expect_any`](AsyncSession::expect_any) | yes: output read before the future was dropped stays for the next `expect` |
/// | [`wait`](AsyncSession::wait) | yes: output read so far is kept, the status too once known |
/// | [`send`](AsyncSession::send) and the other sends | no: part of the bytes may have been written |
///
/// Timeouts ([`set_timeout`](AsyncSession::set_timeout), 30 s by default) need no timer driver of
/// the runtime (a timerfd on its reactor times them). Dropping a session never blocks: its
/// terminal hangs up, and a task reaps the program, after `SIGKILL` to its process group if it is
/// still there half a second later.
pub struct AsyncSession {
    child: Child,
    core: Core,
}

impl fmt::Debug for AsyncSession {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AsyncSession").field("child", &self.child).field("core", &self.core).finish()
    }
}

/// What ended one wait for output.
enum Woke {
    Readable,
    Exited,
    Timer,
}

impl AsyncSession {
    /// Starts `command` on a new pty (see [`Command::spawn_async`]) and returns a session on it.
    ///
    /// # Errors
    ///
    /// As [`Command::spawn_async`]: outside a tokio runtime, an error (`Other`), and nothing is
    /// started.
    pub fn spawn(command: &mut Command) -> io::Result<AsyncSession> {
        AsyncSession::start(command, true)
    }

    /// As [`Session::spawn_without_screen`](super::Session::spawn_without_screen).
    ///
    /// # Errors
    ///
    /// As [`spawn`](AsyncSession::spawn).
    pub fn spawn_without_screen(command: &mut Command) -> io::Result<AsyncSession> {
        AsyncSession::start(command, false)
    }

    #[cfg_attr(not(feature = "screen"), allow(unused_variables))]
    fn start(command: &mut Command, screen: bool) -> io::Result<AsyncSession> {
        // A screen emulates xterm: the program is told so, unless the command says otherwise.
        #[cfg(feature = "screen")]
        let mut with_term = if screen { core::with_screen_term(command) } else { None };
        #[cfg(feature = "screen")]
        let command = with_term.as_mut().unwrap_or(command);
        let mut child = command.spawn_async()?;
        child.kill_on_drop(true);
        let core = Core::new(child.window_size()?, screen);
        Ok(AsyncSession { child, core })
    }

    /// As [`Session::screen`](super::Session::screen).
    #[cfg(feature = "screen")]
    #[cfg_attr(docsrs, doc(cfg(feature = "screen")))]
    pub fn screen(&self) -> &crate::screen::Screen {
        &self.core.screen.screen
    }

    /// As [`Session::wait_for_text`](super::Session::wait_for_text). Cancel safe.
    ///
    /// # Errors
    ///
    /// As [`Session::wait_for_text`](super::Session::wait_for_text).
    #[cfg(feature = "screen")]
    #[cfg_attr(docsrs, doc(cfg(feature = "screen")))]
    pub async fn wait_for_text(&mut self, text: &str) -> io::Result<()> {
        let wait = super::screen_wait::ScreenWait::until(format!("{text:?} on the screen"));
        self.wait_screen(wait, &mut |s| s.text().contains(text)).await
    }

    /// As [`Session::wait_for_match`](super::Session::wait_for_match). Cancel safe.
    ///
    /// # Errors
    ///
    /// As [`Session::wait_for_text`](super::Session::wait_for_text).
    #[cfg(feature = "screen")]
    #[cfg_attr(docsrs, doc(cfg(feature = "screen")))]
    pub async fn wait_for_match(&mut self, regex: &super::Regex) -> io::Result<()> {
        let wait = super::screen_wait::ScreenWait::until(format!("/{}/ to match the screen", regex.as_str()));
        self.wait_screen(wait, &mut |s| regex.is_match(s.text().as_bytes())).await
    }

    /// As [`Session::wait_until`](super::Session::wait_until). Cancel safe.
    ///
    /// # Errors
    ///
    /// As [`Session::wait_for_text`](super::Session::wait_for_text).
    #[cfg(feature = "screen")]
    #[cfg_attr(docsrs, doc(cfg(feature = "screen")))]
    pub async fn wait_until(&mut self, mut holds: impl FnMut(&crate::screen::Screen) -> bool + Send) -> io::Result<()> {
        let wait = super::screen_wait::ScreenWait::until("a condition on the screen".into());
        self.wait_screen(wait, &mut holds).await
    }

    /// As [`Session::wait_for_stable`](super::Session::wait_for_stable). Cancel safe.
    ///
    /// # Errors
    ///
    /// As [`Session::wait_for_stable`](super::Session::wait_for_stable).
    #[cfg(feature = "screen")]
    #[cfg_attr(docsrs, doc(cfg(feature = "screen")))]
    pub async fn wait_for_stable(&mut self, quiet: std::time::Duration) -> io::Result<()> {
        let wait = super::screen_wait::ScreenWait::stable(quiet, Instant::now());
        self.wait_screen(wait, &mut |_| true).await
    }

    #[cfg(feature = "screen")]
    async fn wait_screen(
        &mut self,
        mut wait: super::screen_wait::ScreenWait,
        holds: &mut (dyn FnMut(&crate::screen::Screen) -> bool + Send),
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
            self.read_some(core::earliest(deadline, wake)).await?;
        };
        self.core.flush_recording()?;
        result
    }

    /// The program: its pid, master, signals.
    pub fn child(&self) -> &Child {
        &self.child
    }

    /// The program, mutably. Reading its master directly bypasses the session's buffer.
    pub fn child_mut(&mut self) -> &mut Child {
        &mut self.child
    }

    /// As [`Session::set_timeout`](super::Session::set_timeout).
    pub fn set_timeout(&mut self, timeout: Option<std::time::Duration>) {
        self.core.timeout = timeout;
    }

    /// The timeout of `expect` and `send`.
    pub fn timeout(&self) -> Option<std::time::Duration> {
        self.core.timeout
    }

    /// The output read and not consumed by a match yet.
    pub fn unmatched(&self) -> &[u8] {
        self.core.buf.as_bytes()
    }

    /// Whether the end of the program's output has been seen.
    pub fn is_eof(&self) -> bool {
        self.core.buf.is_eof()
    }

    /// As [`Session::set_log`](super::Session::set_log).
    pub fn set_log(&mut self, log: Option<Box<dyn Write + Send>>) {
        self.core.set_log(log);
    }

    /// As [`Session::log_to`](super::Session::log_to).
    pub fn log_to(&mut self, writer: impl Write + Send + 'static) {
        self.core.set_log(Some(Box::new(writer)));
    }

    /// As [`Session::log_file`](super::Session::log_file).
    ///
    /// # Errors
    ///
    /// The file could not be opened.
    pub fn log_file(&mut self, path: impl AsRef<Path>) -> io::Result<()> {
        self.core.log_file(path.as_ref())
    }

    /// As [`Session::log_sent`](super::Session::log_sent).
    pub fn log_sent(&mut self, yes: bool) {
        self.core.set_log_sent(yes);
    }

    /// As [`Session::expect`](super::Session::expect). Cancel safe.
    ///
    /// # Errors
    ///
    /// As [`Session::expect`](super::Session::expect).
    pub async fn expect(&mut self, needle: impl Into<Needle>) -> io::Result<Match> {
        self.expect_any(&[needle.into()]).await.map(|(_, m)| m)
    }

    /// As [`Session::expect_any`](super::Session::expect_any). Cancel safe.
    ///
    /// # Errors
    ///
    /// As [`Session::expect`](super::Session::expect).
    pub async fn expect_any(&mut self, needles: &[Needle]) -> io::Result<(usize, Match)> {
        let result = self.search(needles).await;
        self.core.flush_recording()?;
        result
    }

    async fn search(&mut self, needles: &[Needle]) -> io::Result<(usize, Match)> {
        let mut search = Search::new(needles);
        let deadline = self.core.deadline(Instant::now());
        loop {
            if let Some(hit) = search.check(&mut self.core.buf)? {
                return Ok(hit);
            }
            if core::expired(deadline, Instant::now()) {
                return search.timed_out(&mut self.core.buf, self.core.timeout);
            }
            self.read_some(deadline).await?;
        }
    }

    /// As [`Session::send`](super::Session::send). Not cancel safe.
    ///
    /// # Errors
    ///
    /// As [`Session::send`](super::Session::send).
    pub async fn send(&mut self, bytes: impl AsRef<[u8]>) -> io::Result<()> {
        let bytes = bytes.as_ref();
        let mode = self.child.master().termios().ok();
        let reaped = self.child.try_wait()?.is_some();
        let pending = self.core.check_send(bytes, mode.as_ref(), reaped)?;
        #[cfg(feature = "screen")]
        {
            let replies = std::mem::take(&mut self.core.screen.replies);
            self.write_all(&replies).await?;
        }
        self.write_all(bytes).await?;
        self.core.sent(bytes, pending)?;
        self.core.flush_recording()
    }

    /// As [`Session::send_line`](super::Session::send_line).
    ///
    /// # Errors
    ///
    /// As [`Session::send`](super::Session::send).
    pub async fn send_line(&mut self, line: &str) -> io::Result<()> {
        self.send(core::line(line)).await
    }

    /// As [`Session::send_control`](super::Session::send_control).
    ///
    /// # Errors
    ///
    /// As [`Session::send_control`](super::Session::send_control).
    pub async fn send_control(&mut self, key: char) -> io::Result<()> {
        self.send([control_byte(key)?]).await
    }

    /// As [`Session::send_eof`](super::Session::send_eof).
    ///
    /// # Errors
    ///
    /// As [`Session::send_eof`](super::Session::send_eof).
    pub async fn send_eof(&mut self) -> io::Result<()> {
        let c = core::special_char(&self.child.master().termios()?, SpecialCodeIndex::VEOF, "end-of-file")?;
        self.send([c]).await
    }

    /// As [`Session::send_intr`](super::Session::send_intr).
    ///
    /// # Errors
    ///
    /// As [`Session::send_intr`](super::Session::send_intr).
    pub async fn send_intr(&mut self) -> io::Result<()> {
        let c = core::special_char(&self.child.master().termios()?, SpecialCodeIndex::VINTR, "interrupt")?;
        self.send([c]).await
    }

    /// As [`Session::resize`](super::Session::resize).
    ///
    /// # Errors
    ///
    /// As [`Session::resize`](super::Session::resize).
    pub fn resize(&mut self, size: Winsize) -> io::Result<()> {
        self.child.resize(size)?;
        self.core.resized(size, Instant::now())
    }

    /// As [`Session::wait`](super::Session::wait). Cancel safe.
    ///
    /// # Errors
    ///
    /// As [`Session::wait`](super::Session::wait).
    pub async fn wait(&mut self) -> io::Result<ExitStatus> {
        while !self.core.buf.is_eof() {
            self.read_some(None).await?;
        }
        let status = self.child.wait().await?;
        self.core.finish_recording(Some(status))?;
        Ok(status)
    }

    /// Reads what has come; if nothing has, waits (one readiness wait: output, the child's exit,
    /// or the deadline or the end of the exit grace, whichever is first) and reads again.
    async fn read_some(&mut self, deadline: Option<Instant>) -> io::Result<()> {
        if self.core.buf.is_eof() || self.drain()? {
            return Ok(());
        }
        let until = core::earliest(deadline, self.core.grace_end());
        let timer = match until {
            Some(t) => Some(Timer::start(t.saturating_duration_since(Instant::now()))?.register()?),
            None => None,
        };
        let woke = {
            let mut readable = pin!(self.child.master().readable());
            let watch_exit = self.core.exited_at.is_none();
            let mut exited = pin!(self.child.wait());
            poll_fn(|cx| {
                if let Poll::Ready(r) = readable.as_mut().poll(cx) {
                    return Poll::Ready(r.map(|()| Woke::Readable));
                }
                if watch_exit {
                    if let Poll::Ready(r) = exited.as_mut().poll(cx) {
                        return Poll::Ready(r.map(|_| Woke::Exited));
                    }
                }
                if let Some(timer) = &timer {
                    if let Poll::Ready(r) = timer.poll_expired(cx) {
                        return Poll::Ready(r.map(|()| Woke::Timer));
                    }
                }
                Poll::Pending
            })
            .await?
        };
        match woke {
            Woke::Readable => {
                self.drain()?;
            }
            Woke::Exited => self.core.exited_at = Some(Instant::now()),
            Woke::Timer => {}
        }
        if !self.core.buf.is_eof() && self.core.grace_over(Instant::now()) {
            self.end_of_output();
        }
        Ok(())
    }

    /// Reads what the master has without waiting, a few reads at most; whether it read anything
    /// (or the end). Answers the program's terminal queries the screen saw.
    fn drain(&mut self) -> io::Result<bool> {
        let result = self.read_master();
        let master = self.child.master();
        self.core.write_replies(|replies| master.try_write(replies));
        result
    }

    fn read_master(&mut self) -> io::Result<bool> {
        if self.core.follows_pty_size() {
            if let Ok(size) = self.child.window_size() {
                self.core.pty_size(size);
            }
        }
        let master = self.child.master();
        let (how, got) = self.core.drain(|room| master.try_read(room))?;
        if how == Drained::Eof {
            self.end_of_output();
            return Ok(true);
        }
        Ok(got)
    }

    /// The output has ended: the status goes with it if the program has exited already (the
    /// async side does not wait for it here; `wait` does).
    fn end_of_output(&mut self) {
        let status = self.child.try_wait().ok().flatten();
        let _ = self.core.output_ended(status);
    }

    /// Writes all of `bytes`, reading output while the program does not read, up to the timeout.
    async fn write_all(&mut self, mut bytes: &[u8]) -> io::Result<()> {
        let deadline = self.core.deadline(Instant::now());
        while !bytes.is_empty() {
            match self.child.master().try_write(bytes) {
                Ok(n) => bytes = &bytes[n..],
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                    if core::expired(deadline, Instant::now()) {
                        return Err(io::Error::new(
                            io::ErrorKind::TimedOut,
                            format!("timed out sending: the program did not read {} bytes of its input", bytes.len()),
                        ));
                    }
                    wait_writable(self.child.master(), deadline).await?;
                    // Read what the program wrote meanwhile: it may be waiting for us to.
                    self.drain()?;
                    if self.core.buf.is_eof() {
                        return Err(io::Error::new(
                            io::ErrorKind::BrokenPipe,
                            "the program's output ended before it read what was sent",
                        ));
                    }
                }
                Err(e) if e.raw_os_error() == Some(libc::EIO) => {
                    return Err(io::Error::new(io::ErrorKind::BrokenPipe, "the program's terminal is closed"));
                }
                Err(e) => return Err(e),
            }
        }
        Ok(())
    }
}

/// Waits until `master` has room, or output to read, or the deadline. (It borrows the master
/// only, so that a session's futures need no more than `Send` of it: its log is `Send`, not
/// `Sync`.)
async fn wait_writable(master: &crate::tokio::Master, deadline: Option<Instant>) -> io::Result<()> {
    let timer = match deadline {
        Some(t) => Some(Timer::start(t.saturating_duration_since(Instant::now()))?.register()?),
        None => None,
    };
    let mut writable = pin!(master.writable());
    let mut readable = pin!(master.readable());
    poll_fn(|cx| {
        if let Poll::Ready(r) = writable.as_mut().poll(cx) {
            return Poll::Ready(r);
        }
        if let Poll::Ready(r) = readable.as_mut().poll(cx) {
            return Poll::Ready(r);
        }
        match &timer {
            Some(timer) => timer.poll_expired(cx),
            None => Poll::Pending,
        }
    })
    .await
}

impl Drop for AsyncSession {
    fn drop(&mut self) {
        // The child is kill-on-drop: its drop hangs up and hands the rest to a task.
        let status = self.child.try_wait().ok().flatten();
        let _ = self.core.finish_recording(status);
    }
}
