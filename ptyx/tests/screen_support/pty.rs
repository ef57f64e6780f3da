//! The ptyx side of the screen tests: a program on a ptyx pty whose output feeds a
//! `ptyx::screen::Screen`, with the screen's replies written back to the program.
//!
//! This is a stand-in for `ptyx::expect::Session` (issue 8) until it lands: the methods have the
//! names and signatures the issue fixes for `Session`, so that the tests switch over by changing
//! the `Pty` alias in `screen_support/mod.rs` to `ptyx::expect::Session` and deleting this file.
//! Every wait is one poll(2) on the master with the time left; none sleeps.

use std::io::{self, Read, Write};
use std::os::fd::AsFd;
use std::time::{Duration, Instant};

use ptyx::screen::Screen;
use ptyx::{Child, Command, Winsize};
use rustix::event::{PollFd, PollFlags};

/// A program on a pty, with the screen its output draws.
pub struct ScreenPty {
    child: Child,
    screen: Screen,
    timeout: Option<Duration>,
    eof: bool,
    buf: Vec<u8>,
}

/// Polls `fd` for input, at most `timeout` (`None`: without end); `true` if readable or hung up.
fn poll_in(fd: impl AsFd, timeout: Option<Duration>) -> io::Result<bool> {
    let ts = timeout.map(|t| rustix::event::Timespec { tv_sec: t.as_secs() as i64, tv_nsec: t.subsec_nanos() as _ });
    let mut fds = [PollFd::new(&fd, PollFlags::IN)];
    loop {
        match rustix::event::poll(&mut fds, ts.as_ref()) {
            Ok(n) => return Ok(n > 0),
            Err(rustix::io::Errno::INTR) => continue,
            Err(e) => return Err(e.into()),
        }
    }
}

impl ScreenPty {
    /// Starts `command` on a new pty with a screen of the pty's size.
    pub fn spawn(command: &mut Command) -> io::Result<ScreenPty> {
        let child = command.spawn()?;
        let size = child.window_size()?;
        Ok(ScreenPty {
            child,
            screen: Screen::new(size),
            timeout: Some(Duration::from_secs(30)),
            eof: false,
            buf: vec![0; 64 * 1024],
        })
    }

    pub fn set_timeout(&mut self, timeout: Option<Duration>) {
        self.timeout = timeout;
    }

    pub fn screen(&self) -> &Screen {
        &self.screen
    }

    pub fn child_mut(&mut self) -> &mut Child {
        &mut self.child
    }

    /// Writes every byte to the program.
    pub fn send(&mut self, bytes: impl AsRef<[u8]>) -> io::Result<()> {
        self.child.master().write_all(bytes.as_ref())
    }

    /// Resizes the pty and the screen.
    pub fn resize(&mut self, size: Winsize) -> io::Result<()> {
        self.child.resize(size)?;
        self.screen.resize(size);
        Ok(())
    }

    /// Waits for output at most `timeout` and feeds what one read returns to the screen, answering
    /// the program's queries. `Ok(false)` when nothing came in time or the output has ended.
    fn pump(&mut self, timeout: Option<Duration>) -> io::Result<bool> {
        if self.eof || !poll_in(self.child.master(), timeout)? {
            return Ok(false);
        }
        let n = match self.child.master().read(&mut self.buf) {
            Ok(n) => n,
            // Linux reports the end of a pty's output (no slave left open) as EIO.
            Err(e) if e.raw_os_error() == Some(libc::EIO) => 0,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => return Ok(true),
            Err(e) => return Err(e),
        };
        if n == 0 {
            self.eof = true;
            return Ok(false);
        }
        let replies = self.screen.feed(&self.buf[..n]).to_vec();
        if !replies.is_empty() {
            self.child.master().write_all(&replies)?;
        }
        Ok(true)
    }

    fn timed_out(&self, what: &str) -> io::Error {
        io::Error::new(
            io::ErrorKind::TimedOut,
            format!("timed out waiting for {what}; the screen:\n{}", self.screen.text()),
        )
    }

    /// Reads until `done(screen)` holds, bounded by the timeout.
    pub fn wait_until(&mut self, mut done: impl FnMut(&Screen) -> bool) -> io::Result<()> {
        let deadline = self.timeout.map(|t| Instant::now() + t);
        loop {
            if done(&self.screen) {
                return Ok(());
            }
            if self.eof {
                return Err(io::Error::new(
                    io::ErrorKind::UnexpectedEof,
                    format!("the output ended; the screen:\n{}", self.screen.text()),
                ));
            }
            let left = deadline.map(|d| d.saturating_duration_since(Instant::now()));
            if left == Some(Duration::ZERO) {
                return Err(self.timed_out("the screen"));
            }
            self.pump(left)?;
        }
    }

    /// Reads until the end of the output (the program has exited and closed the terminal).
    /// `Session` says this as `expect(Eof)`.
    pub fn wait_eof(&mut self) -> io::Result<()> {
        let deadline = self.timeout.map(|t| Instant::now() + t);
        while !self.eof {
            let left = deadline.map(|d| d.saturating_duration_since(Instant::now()));
            if left == Some(Duration::ZERO) {
                return Err(self.timed_out("the end of the output"));
            }
            self.pump(left)?;
        }
        Ok(())
    }

    /// Reads until `text` is on the screen.
    pub fn wait_for_text(&mut self, text: &str) -> io::Result<()> {
        self.wait_until(|s| s.text().contains(text)).map_err(|e| match e.kind() {
            io::ErrorKind::TimedOut => self.timed_out(&format!("{text:?}")),
            _ => e,
        })
    }

    /// Reads until the screen has not changed for `quiet`, bounded by the timeout.
    pub fn wait_for_stable(&mut self, quiet: Duration) -> io::Result<()> {
        let deadline = self.timeout.map(|t| Instant::now() + t);
        let mut generation = self.screen.generation();
        let mut last_change = Instant::now();
        loop {
            let now = Instant::now();
            let stable_at = last_change + quiet;
            if now >= stable_at {
                return Ok(());
            }
            if deadline.is_some_and(|d| now >= d) {
                return Err(self.timed_out(&format!("the screen to be still for {quiet:?}")));
            }
            let until = deadline.map_or(stable_at, |d| d.min(stable_at));
            if !self.pump(Some(until - now))? && self.eof {
                return Ok(());
            }
            if self.screen.generation() != generation {
                generation = self.screen.generation();
                last_change = Instant::now();
            }
        }
    }
}

impl Drop for ScreenPty {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
