//! The reference of the screen tests: the same program in tmux, at the same size, with the same
//! environment and the same input bytes, read back with `capture-pane`.
//!
//! Waiting is driven by the pane's output: `pipe-pane` copies everything the program writes into
//! a FIFO that the test polls, so "tmux has settled" is "no output for a while", measured with
//! poll timeouts, never a sleep.

use std::fs::{File, OpenOptions};
use std::io::{self, Read, Write};
use std::os::unix::fs::OpenOptionsExt;
use std::path::PathBuf;
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use ptyx::Winsize;
use rustix::event::{PollFd, PollFlags};

use tempfile::TempDir;

/// A tmux server of its own (its own socket) running one program in one pane.
pub struct Tmux {
    socket: String,
    /// The server's socket file, removed on drop (tmux leaves it behind when killed).
    socket_path: Option<PathBuf>,
    dir: TempDir,
    fifo: File,
    /// Held open (read-write: opening it blocks on nothing) until the pane has read from it.
    gate: File,
}

/// Makes a FIFO at `path` and opens it read-write and non-blocking: a FIFO opened so never
/// reports a hang-up between writers, and opening it waits for no peer.
fn make_fifo(path: &std::path::Path) -> File {
    let c_path = std::ffi::CString::new(path.to_str().expect("utf-8 path")).expect("no NUL");
    // SAFETY: `c_path` is a valid NUL-terminated string that outlives the call.
    assert_eq!(unsafe { libc::mkfifo(c_path.as_ptr(), 0o600) }, 0, "mkfifo: {}", io::Error::last_os_error());
    OpenOptions::new().read(true).write(true).custom_flags(libc::O_NONBLOCK).open(path).expect("open fifo")
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

/// Skips an OSC string, after its `ESC ]`, up to and with its BEL or ST terminator.
fn skip_osc(chars: &mut std::iter::Peekable<std::str::Chars<'_>>) {
    while let Some(c) = chars.next() {
        if c == '\x07' || (c == '\x1b' && chars.next_if_eq(&'\\').is_some()) {
            break;
        }
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
                Some(']') => skip_osc(&mut chars),
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

/// One cell's style as tmux's `capture-pane -e` says it: colours as `Screen::styled_text` writes
/// them (`"1"`, `"208"`, `"#0ac81e"`), attributes in the order of [`ATTRS`].
#[derive(Clone, PartialEq, Eq, Default, Debug)]
pub struct Style {
    pub fg: Option<String>,
    pub bg: Option<String>,
    pub attrs: [bool; 7],
}

/// The attribute names in the order `Screen::styled_text` writes them, with their SGR codes.
pub const ATTRS: [(&str, u16); 7] =
    [("bold", 1), ("dim", 2), ("italic", 3), ("underline", 4), ("inverse", 7), ("hidden", 8), ("strike", 9)];

impl Style {
    fn apply(&mut self, params: &str) {
        let mut it = params.split(';').map(|p| p.split(':').map(|n| n.parse::<u16>().unwrap_or(0)).collect::<Vec<_>>());
        if params.is_empty() {
            *self = Style::default();
        }
        while let Some(p) = it.next() {
            let color = |it: &mut dyn Iterator<Item = Vec<u16>>, p: &[u16]| -> Option<String> {
                // 38;5;n / 38;2;r;g;b, or the colon forms 38:5:n / 38:2::r:g:b.
                let rest: Vec<u16> = if p.len() > 1 { p[1..].to_vec() } else { it.next().unwrap_or_default() };
                match rest.first() {
                    Some(5) => {
                        let n = if rest.len() > 1 { rest[1] } else { it.next().unwrap_or_default()[0] };
                        Some(n.to_string())
                    }
                    Some(2) => {
                        let rgb: Vec<u16> = if rest.len() > 3 {
                            rest[rest.len() - 3..].to_vec()
                        } else {
                            (0..3).map(|_| it.next().unwrap_or_default()[0]).collect()
                        };
                        Some(format!("#{:02x}{:02x}{:02x}", rgb[0], rgb[1], rgb[2]))
                    }
                    _ => None,
                }
            };
            match p[0] {
                0 => *self = Style::default(),
                1 => self.attrs[0] = true,
                2 => self.attrs[1] = true,
                3 => self.attrs[2] = true,
                4 => self.attrs[3] = p.get(1) != Some(&0),
                7 => self.attrs[4] = true,
                8 => self.attrs[5] = true,
                9 => self.attrs[6] = true,
                21 => self.attrs[3] = true,
                22 => (self.attrs[0], self.attrs[1]) = (false, false),
                23 => self.attrs[2] = false,
                24 => self.attrs[3] = false,
                27 => self.attrs[4] = false,
                28 => self.attrs[5] = false,
                29 => self.attrs[6] = false,
                n @ 30..=37 => self.fg = Some((n - 30).to_string()),
                38 => self.fg = color(&mut it, &p),
                39 => self.fg = None,
                n @ 40..=47 => self.bg = Some((n - 40).to_string()),
                48 => self.bg = color(&mut it, &p),
                49 => self.bg = None,
                n @ 90..=97 => self.fg = Some((n - 90 + 8).to_string()),
                n @ 100..=107 => self.bg = Some((n - 100 + 8).to_string()),
                _ => {}
            }
        }
    }

    pub fn is_default(&self) -> bool {
        *self == Style::default()
    }

    fn tag(&self) -> String {
        let mut words = Vec::new();
        if let Some(fg) = &self.fg {
            words.push(format!("fg={fg}"));
        }
        if let Some(bg) = &self.bg {
            words.push(format!("bg={bg}"));
        }
        words.extend(ATTRS.iter().zip(self.attrs).filter(|(_, on)| *on).map(|((name, _), _)| name.to_string()));
        format!("<{}>", words.join(" "))
    }
}

/// `capture-pane -p -e` output in the form of `Screen::styled_text`: runs of cells not in the
/// default style tagged, `<` doubled, trailing default blanks trimmed. tmux carries the style from
/// one row to the next, so does this.
pub fn styled_text(captured: &str) -> String {
    let mut rows: Vec<Vec<(char, Style)>> = vec![Vec::new()];
    let mut style = Style::default();
    let mut acs = false;
    let mut chars = captured.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\x1b' => match chars.next() {
                Some('[') => {
                    let mut params = String::new();
                    for c in chars.by_ref() {
                        if ('\x40'..='\x7e').contains(&c) {
                            if c == 'm' {
                                style.apply(&params);
                            }
                            break;
                        }
                        params.push(c);
                    }
                }
                Some(']') => skip_osc(&mut chars),
                _ => {}
            },
            '\x0e' => acs = true,
            '\x0f' => acs = false,
            '\n' => rows.push(Vec::new()),
            c => rows.last_mut().expect("a row").push((if acs { dec_graphics(c) } else { c }, style.clone())),
        }
    }
    if rows.last().is_some_and(Vec::is_empty) {
        rows.pop();
    }
    render(rows.into_iter().map(|row| row.into_iter().map(|(c, s)| (c.to_string(), s)).collect()).collect())
}

/// Rows of (text, style) cells in the form of `Screen::styled_text`, except that trailing blanks
/// are trimmed whatever their background: tmux does not report the cells a line erase (ED, EL)
/// coloured, so neither side's can be compared.
pub fn render(rows: Vec<Vec<(String, Style)>>) -> String {
    let blank = |text: &str, s: &Style| text == " " && !(s.attrs[3] || s.attrs[4] || s.attrs[6]);
    let mut out = Vec::new();
    for row in rows {
        let end = row.iter().rposition(|(c, s)| !blank(c, s)).map_or(0, |i| i + 1);
        let mut line = String::new();
        let mut current: Option<&Style> = None;
        for (text, s) in &row[..end] {
            if current != Some(s) {
                if current.is_some_and(|s| !s.is_default()) {
                    line.push_str("</>");
                }
                if !s.is_default() {
                    line.push_str(&s.tag());
                }
                current = Some(s);
            }
            line.push_str(&text.replace('<', "<<"));
        }
        if current.is_some_and(|s| !s.is_default()) {
            line.push_str("</>");
        }
        out.push(line);
    }
    out.join("\n")
}

impl Tmux {
    /// Starts `argv` with exactly the environment `env` in a detached tmux session of `size`.
    pub fn start(size: Winsize, argv: &[&str], env: &[(String, String)]) -> Tmux {
        static N: AtomicUsize = AtomicUsize::new(0);
        let socket = format!("ptyx-screen-{}-{}", std::process::id(), N.fetch_add(1, Ordering::SeqCst));
        let dir = tempfile::tempdir().expect("tempdir");
        let conf = dir.path().join("tmux.conf");
        // No status line: the pane is the whole window. (`window-size manual` here makes tmux 3.3a
        // exit at start; `resize-window` sets it.)
        std::fs::write(&conf, "set -g status off\nset -g history-limit 0\n").expect("write tmux.conf");
        let fifo = make_fifo(&dir.path().join("output"));
        let gate_path = dir.path().join("gate");
        let gate = make_fifo(&gate_path);
        let mut command = String::from("env -i");
        for (k, v) in env {
            command.push(' ');
            command.push_str(&sh_quote(&format!("{k}={v}")));
        }
        for a in argv {
            command.push(' ');
            command.push_str(&sh_quote(a));
        }
        let mut tmux = Tmux { socket: socket.clone(), socket_path: None, dir, fifo, gate };
        // The pane's output goes to the FIFO from its first byte: the program starts once it reads
        // a line from the gate, which is written after `pipe-pane` is in place.
        // Its end is signalled on a channel (see `wait_exit`; tmux 3.3a's pane-died hook does not
        // always run), and the pane stays as the program left it: a dead pane would get tmux's
        // "Pane is dead" line, which scrolls it.
        let gated = format!(
            "read _ < {}; {command}; tmux -L {} wait-for -S died; exec sleep 3600",
            sh_quote(gate_path.to_str().expect("utf-8 path")),
            socket
        );
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
        tmux.socket_path = Some(PathBuf::from(tmux.format("#{socket_path}")));
        let output = sh_quote(tmux.dir.path().join("output").to_str().expect("utf-8 path"));
        tmux.run(&["pipe-pane", "-t", "main", "-O", &format!("exec cat > {output}")]);
        tmux.gate.write_all(b"go\n").expect("open the gate");
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

    /// What the pane shows, with styles (see [`styled_text`]).
    pub fn styled_text(&self) -> String {
        // -N keeps trailing blanks: coloured ones are part of the picture.
        styled_text(&self.run(&["capture-pane", "-p", "-e", "-N", "-t", "main"]))
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

    /// Waits until the program in the pane has ended; `false` if it has not within `timeout`.
    pub fn wait_exit(&self, timeout: Duration) -> bool {
        let mut waiter =
            Command::new("tmux").args(["-L", &self.socket, "wait-for", "died"]).spawn().expect("run tmux wait-for");
        let ended = crate::common::exits_within(&crate::common::pidfd(waiter.id()), timeout);
        if !ended {
            let _ = waiter.kill();
        }
        let _ = waiter.wait();
        ended
    }

    /// Waits until the pane shows `text`, rechecking whenever the program writes; `false` if
    /// `deadline` came first.
    pub fn wait_for_text(&mut self, text: &str, deadline: Instant) -> bool {
        loop {
            if self.text().contains(text) {
                return true;
            }
            // Any output, or a quiet spell of 50 ms (output tmux had read but not yet drawn when
            // the capture ran needs no new output to show up).
            if !self.wait_quiet(Duration::from_millis(50), deadline) && Instant::now() >= deadline {
                return false;
            }
        }
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
        if let Some(path) = &self.socket_path {
            let _ = std::fs::remove_file(path);
        }
    }
}
