//! The reference of the screen tests: the same program in tmux, at the same size, with the same
//! environment and the same input bytes, read back with `capture-pane`.
//!
//! Waiting is driven by the pane's output: `pipe-pane` copies everything the program writes into
//! a FIFO that the test polls, so "tmux has settled" is "no output for a while", measured with
//! poll timeouts, never a sleep.

use std::fs::{File, OpenOptions};
use std::io::{self, Read};
use std::os::unix::fs::OpenOptionsExt;
use std::path::PathBuf;
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use ptyx::Winsize;
use rustix::event::{PollFd, PollFlags};

use crate::common::TempDir;

/// A tmux server of its own (its own socket) running one program in one pane.
pub struct Tmux {
    socket: String,
    dir: TempDir,
    fifo: File,
}

/// Quotes `s` for sh.
pub fn sh_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', r"'\''"))
}

/// The DEC special graphics set (VT100 line drawing) for bytes 0x5f..=0x7e, as a VT100 shows them.
fn dec_graphics(c: char) -> char {
    const TABLE: [char; 32] = [
        ' ', '◆', '▒', '␉', '␌', '␍', '␊', '°', '±', '␤', '␋', '┘', '┐', '┌', '└', '┼', '⎺', '⎻', '─', '⎼', '⎽', '├',
        '┤', '┴', '┬', '│', '≤', '≥', 'π', '≠', '£', '·',
    ];
    match c as u32 {
        n @ 0x5f..=0x7e => TABLE[(n - 0x5f) as usize],
        _ => c,
    }
}

/// `capture-pane -p -e` output as a person sees it: SGR sequences dropped, cells between SO and SI
/// (tmux's marks for line-drawing cells) turned into the box characters they show, each row's
/// trailing spaces trimmed, rows joined by '\n' (no final newline).
pub fn visible_text(captured: &str) -> String {
    let mut out = String::new();
    let mut acs = false;
    let mut chars = captured.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\x1b' => match chars.next() {
                Some('[') => {
                    for c in chars.by_ref() {
                        if ('\x40'..='\x7e').contains(&c) {
                            break;
                        }
                    }
                }
                Some(']') => {
                    while let Some(c) = chars.next() {
                        if c == '\x07' || (c == '\x1b' && chars.next_if_eq(&'\\').is_some()) {
                            break;
                        }
                    }
                }
                _ => {}
            },
            '\x0e' => acs = true,
            '\x0f' => acs = false,
            c if acs => out.push(dec_graphics(c)),
            c => out.push(c),
        }
    }
    let out = out.strip_suffix('\n').unwrap_or(&out);
    out.split('\n').map(|row| row.trim_end_matches(' ')).collect::<Vec<_>>().join("\n")
}

impl Tmux {
    /// Starts `argv` with exactly the environment `env` in a detached tmux session of `size`.
    pub fn start(size: Winsize, argv: &[&str], env: &[(String, String)]) -> Tmux {
        static N: AtomicUsize = AtomicUsize::new(0);
        let socket = format!("ptyx-screen-{}-{}", std::process::id(), N.fetch_add(1, Ordering::SeqCst));
        let dir = TempDir::new("tmux");
        let conf = dir.join("tmux.conf");
        // No status line: the pane is the whole window. (`window-size manual` here makes tmux 3.3a
        // exit at start; `resize-window` sets it.)
        std::fs::write(&conf, "set -g status off\nset -g history-limit 0\n").expect("write tmux.conf");
        let fifo_path = dir.join("output");
        let c_path = std::ffi::CString::new(fifo_path.to_str().expect("utf-8 path")).expect("no NUL");
        // SAFETY: `c_path` is a valid NUL-terminated string that outlives the call.
        assert_eq!(unsafe { libc::mkfifo(c_path.as_ptr(), 0o600) }, 0, "mkfifo: {}", io::Error::last_os_error());
        // Read-write, so that the FIFO never reports a hang-up between writers.
        let fifo = OpenOptions::new()
            .read(true)
            .write(true)
            .custom_flags(libc::O_NONBLOCK)
            .open(&fifo_path)
            .expect("open fifo");
        let mut command = String::from("exec env -i");
        for (k, v) in env {
            command.push(' ');
            command.push_str(&sh_quote(&format!("{k}={v}")));
        }
        for a in argv {
            command.push(' ');
            command.push_str(&sh_quote(a));
        }
        let tmux = Tmux { socket, dir, fifo };
        // The pane's output goes to the FIFO from its first byte: the program starts blocked on
        // a `wait-for` channel that is signalled once `pipe-pane` is in place.
        let gated = format!("tmux -L {} wait-for go; {command}", tmux.socket);
        tmux.run(&[
            "-f",
            conf.to_str().expect("utf-8 path"),
            "new-session",
            "-d",
            "-s",
            "main",
            "-x",
            &size.cols.to_string(),
            "-y",
            &size.rows.to_string(),
            &gated,
        ]);
        tmux.run(&["pipe-pane", "-t", "main", "-O", &format!("exec cat > {}", sh_quote(fifo_path.to_str().unwrap()))]);
        tmux.run(&["wait-for", "-S", "go"]);
        tmux
    }

    fn run(&self, args: &[&str]) -> String {
        let out = Command::new("tmux").arg("-L").arg(&self.socket).arg("-u").args(args).output().expect("run tmux");
        assert!(out.status.success(), "tmux {args:?}: {}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Types `bytes` into the pane, exactly these bytes.
    pub fn send(&self, bytes: &[u8]) {
        if bytes.is_empty() {
            return;
        }
        let hex: Vec<String> = bytes.iter().map(|b| format!("{b:02x}")).collect();
        let mut args = vec!["send-keys", "-t", "main", "-H"];
        args.extend(hex.iter().map(String::as_str));
        self.run(&args);
    }

    /// What the pane shows (see [`visible_text`]).
    pub fn text(&self) -> String {
        visible_text(&self.run(&["capture-pane", "-p", "-e", "-t", "main"]))
    }

    fn format(&self, f: &str) -> String {
        self.run(&["display-message", "-p", "-t", "main", f]).trim_end().to_string()
    }

    /// The cursor as (row, column); tmux puts it one past the last column while a wrap is
    /// pending, where a terminal shows it on the last column.
    pub fn cursor(&self) -> (u16, u16) {
        let s = self.format("#{cursor_y} #{cursor_x} #{pane_width}");
        let v: Vec<u16> = s.split(' ').map(|n| n.parse().expect("number")).collect();
        (v[0], v[1].min(v[2].saturating_sub(1)))
    }

    pub fn alternate_screen(&self) -> bool {
        self.format("#{alternate_on}") == "1"
    }

    pub fn resize(&self, size: Winsize) {
        self.run(&["resize-window", "-t", "main", "-x", &size.cols.to_string(), "-y", &size.rows.to_string()]);
    }

    /// Drains the pane's output until there has been none for `quiet`; `false` if `deadline`
    /// came first.
    pub fn wait_quiet(&mut self, quiet: Duration, deadline: Instant) -> bool {
        let mut buf = [0u8; 65536];
        let mut last = Instant::now();
        loop {
            let now = Instant::now();
            if now >= last + quiet {
                return true;
            }
            if now >= deadline {
                return false;
            }
            let left = (last + quiet).min(deadline) - now;
            let ts = rustix::event::Timespec { tv_sec: left.as_secs() as i64, tv_nsec: left.subsec_nanos() as _ };
            let mut fds = [PollFd::new(&self.fifo, PollFlags::IN)];
            match rustix::event::poll(&mut fds, Some(&ts)) {
                Ok(0) | Err(rustix::io::Errno::INTR) => continue,
                Ok(_) => {}
                Err(e) => panic!("poll: {e}"),
            }
            loop {
                match self.fifo.read(&mut buf) {
                    Ok(0) => break,
                    Ok(_) => last = Instant::now(),
                    Err(e) if e.kind() == io::ErrorKind::WouldBlock => break,
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                    Err(e) => panic!("read fifo: {e}"),
                }
            }
        }
    }

    pub fn dir(&self) -> PathBuf {
        self.dir.path().to_path_buf()
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = Command::new("tmux").arg("-L").arg(&self.socket).arg("kill-server").output();
    }
}
