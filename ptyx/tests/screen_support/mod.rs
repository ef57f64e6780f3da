//! Shared pieces of the screen tests: the same program run under tmux (the reference) and on a
//! ptyx pty feeding a `Screen`, driven with the same bytes and compared as text and cursor.
#![allow(dead_code)]

pub mod tmux;

use std::time::{Duration, Instant};

use ptyx::Winsize;

/// The ptyx side: an expect session, which keeps the screen.
pub type Pty = ptyx::expect::Session;
pub use tmux::Tmux;

/// How long one comparison may take before it fails: far above what is needed, it only turns a
/// hang into a failure.
pub const DEADLINE: Duration = Duration::from_secs(30);
/// No output for this long counts as settled.
pub const QUIET: Duration = Duration::from_millis(150);

/// Settled screens that still differ after this long fail the comparison.
pub const MISMATCH: Duration = Duration::from_secs(2);

/// The environment both sides run with, exactly (nothing else is inherited): a UTF-8 locale, the
/// TERM the screen emulates, a HOME of the test's own and no history files.
pub fn environment(home: &std::path::Path) -> Vec<(String, String)> {
    let path = std::env::var("PATH").unwrap_or_else(|_| "/usr/local/bin:/usr/bin:/bin".into());
    [
        ("PATH", path.as_str()),
        ("HOME", home.to_str().expect("utf-8 home")),
        ("TERM", "xterm-256color"),
        ("LANG", "C.UTF-8"),
        ("LC_ALL", "C.UTF-8"),
        ("HISTFILE", "/dev/null"),
        ("LESSHISTFILE", "-"),
        ("SHELL", "/bin/bash"),
        ("PS1", "$ "),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect()
}

/// Whether a program the tests need is installed; `.ci/run` installs them all, so a missing one
/// fails the test there (`CI=true`) and only skips it on a developer's machine.
pub fn have(program: &str) -> bool {
    let found = std::process::Command::new("sh")
        .args(["-c", &format!("command -v {program}")])
        .output()
        .is_ok_and(|o| o.status.success());
    if !found {
        assert!(std::env::var_os("CI").is_none(), "{program} is not installed; .ci/run installs it");
        eprintln!("skipped: {program} is not installed");
    }
    found
}

/// One program running twice: under tmux and on a ptyx pty.
pub struct Twin {
    pub tmux: Tmux,
    pub pty: Pty,
    pub home: tempfile::TempDir,
    size: Winsize,
}

impl Twin {
    /// Starts `argv` at `size` on both sides, in the same fresh HOME.
    pub fn start(size: Winsize, argv: &[&str]) -> Twin {
        let home = tempfile::tempdir().expect("tempdir");
        Twin::start_in(home, size, argv)
    }

    /// Starts `argv` at `size` on both sides, with `home` as HOME and working directory.
    pub fn start_in(home: tempfile::TempDir, size: Winsize, argv: &[&str]) -> Twin {
        let env = environment(home.path());
        let cd = format!("cd {} && exec \"$@\"", tmux::sh_quote(home.path().to_str().expect("utf-8 home")));
        let mut tmux_argv = vec!["sh", "-c", &cd, "sh"];
        tmux_argv.extend_from_slice(argv);
        let tmux = Tmux::start(size, &tmux_argv, &env);
        let mut command = ptyx::Command::new(argv[0]);
        command.args(&argv[1..]).env_clear().envs(env).current_dir(home.path()).window_size(size);
        let pty = Pty::spawn(&mut command).expect("spawn on a ptyx pty");
        Twin { tmux, pty, home, size }
    }

    /// Types `bytes` on both sides.
    pub fn send(&mut self, bytes: &[u8]) {
        self.tmux.send(bytes);
        self.pty.send(bytes).expect("send to the ptyx side");
    }

    /// Resizes both sides.
    pub fn resize(&mut self, size: Winsize) {
        self.size = size;
        self.tmux.resize(size);
        self.pty.resize(size).expect("resize the ptyx side");
    }

    /// Waits until both sides show `text` somewhere, then until both have settled and show the
    /// same screen and cursor; panics with both screens if they do not within [`DEADLINE`].
    pub fn settle(&mut self, text: &str) -> String {
        self.settle_as(text, false)
    }

    /// [`settle`](Twin::settle), comparing the styled text (colours and attributes) too.
    pub fn settle_styled(&mut self, text: &str) -> String {
        self.settle_as(text, true)
    }

    fn settle_as(&mut self, text: &str, styled: bool) -> String {
        let deadline = Instant::now() + DEADLINE;
        self.pty.set_timeout(Some(DEADLINE));
        self.pty.wait_for_text(text).unwrap_or_else(|e| panic!("ptyx side: {e}"));
        // Both settled yet different for this long: a real difference, not a slow redraw.
        let mut differing_since: Option<Instant> = None;
        loop {
            let tmux_quiet = self.tmux.wait_quiet(QUIET, deadline);
            self.pty.wait_for_stable(QUIET).unwrap_or_else(|e| panic!("ptyx side: {e}"));
            let (ours, theirs) = if styled {
                (styled_cells(self.pty.screen()), self.tmux.styled_text())
            } else {
                (self.pty.screen().text(), self.tmux.text())
            };
            let (our_cursor, their_cursor) = (self.pty.screen().cursor(), self.tmux.cursor());
            if ours == theirs && our_cursor == their_cursor && theirs.contains(text) {
                assert_eq!(self.pty.screen().alternate_screen(), self.tmux.alternate_screen(), "alternate screen");
                return ours;
            }
            let since = *differing_since.get_or_insert_with(Instant::now);
            if !tmux_quiet || Instant::now() >= deadline || since.elapsed() >= MISMATCH {
                panic!(
                    "the screens differ (waited for {text:?})\n--- ptyx, cursor {our_cursor:?}:\n{}\n--- tmux, cursor {their_cursor:?}:\n{}\n---\n{}",
                    number(&ours),
                    number(&theirs),
                    diff(&ours, &theirs)
                );
            }
        }
    }

    /// Waits until both sides show `text`, without comparing them (the screens may still differ
    /// in what changes by the moment, such as a clock).
    pub fn wait_both(&mut self, text: &str) {
        self.pty.set_timeout(Some(DEADLINE));
        self.pty.wait_for_text(text).unwrap_or_else(|e| panic!("ptyx side: {e}"));
        let deadline = Instant::now() + DEADLINE;
        assert!(self.tmux.wait_for_text(text, deadline), "tmux side: no {text:?} in\n{}", self.tmux.text());
    }

    /// Sends `bytes` to both and waits until both have been quiet for [`QUIET`], without
    /// comparing: for keys whose effect is to be compared only later.
    pub fn send_and_wait(&mut self, bytes: &[u8]) {
        self.send(bytes);
        self.pty.set_timeout(Some(DEADLINE));
        self.pty.wait_for_stable(QUIET).unwrap_or_else(|e| panic!("ptyx side: {e}"));
        assert!(self.tmux.wait_quiet(QUIET, Instant::now() + DEADLINE), "tmux side did not settle");
    }

    /// Sends `bytes` (which end the program) to both, waits for the program to end on both sides
    /// and compares the last screens.
    pub fn quit(&mut self, bytes: &[u8]) {
        self.send(bytes);
        self.pty.set_timeout(Some(DEADLINE));
        self.pty.expect(ptyx::expect::Eof).unwrap_or_else(|e| panic!("ptyx side: {e}"));
        assert!(self.tmux.wait_exit(DEADLINE), "the program did not end under tmux:\n{}", self.tmux.text());
        let deadline = Instant::now() + DEADLINE;
        assert!(self.tmux.wait_quiet(QUIET, deadline), "tmux did not settle");
        let ours = self.pty.screen().text();
        let theirs = self.tmux.text();
        assert_eq!(ours, theirs, "the last screens differ\n{}", diff(&ours, &theirs));
    }

    /// Sends `bytes` to both, then [`settle`](Twin::settle)s on `text`.
    pub fn step(&mut self, bytes: &[u8], text: &str) -> String {
        self.send(bytes);
        self.settle(text)
    }
}

/// The screen's cells in the form tmux's are compared in (see [`tmux::render`]).
pub fn styled_cells(screen: &ptyx::screen::Screen) -> String {
    use ptyx::screen::Color;
    let color = |c: Color| match c {
        Color::Default => None,
        Color::Indexed(i) => Some(i.to_string()),
        Color::Rgb(r, g, b) => Some(format!("#{r:02x}{g:02x}{b:02x}")),
    };
    let size = screen.size();
    let rows = (0..size.rows)
        .map(|row| {
            (0..size.cols)
                .filter_map(|col| screen.cell(row, col))
                .filter(|cell| !cell.is_wide_continuation())
                .map(|cell| {
                    let attrs = [
                        cell.bold(),
                        cell.dim(),
                        cell.italic(),
                        cell.underline(),
                        cell.inverse(),
                        cell.hidden(),
                        cell.strikethrough(),
                    ];
                    (cell.text().to_string(), tmux::Style { fg: color(cell.fg()), bg: color(cell.bg()), attrs })
                })
                .collect()
        })
        .collect();
    tmux::render(rows)
}

/// `text` with row numbers, for failure messages.
fn number(text: &str) -> String {
    text.split('\n').enumerate().map(|(i, row)| format!("{i:3}|{row}")).collect::<Vec<_>>().join("\n")
}

/// The rows that differ.
fn diff(ours: &str, theirs: &str) -> String {
    let (a, b): (Vec<&str>, Vec<&str>) = (ours.split('\n').collect(), theirs.split('\n').collect());
    let mut out = String::new();
    for i in 0..a.len().max(b.len()) {
        let (x, y) = (a.get(i).copied().unwrap_or("<none>"), b.get(i).copied().unwrap_or("<none>"));
        if x != y {
            out.push_str(&format!("row {i}:\n  ptyx {x:?}\n  tmux {y:?}\n"));
        }
    }
    out
}
