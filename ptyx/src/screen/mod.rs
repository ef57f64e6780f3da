//! A terminal screen model: feed it what a program writes to its terminal and read back what a
//! person would see — rows of text, each cell's colours and attributes, the cursor, the alternate
//! screen, the window title — plus the answers a terminal gives to the program's queries.
//!
//! It emulates an xterm-compatible terminal ([`console_codes(4)`], [xterm's control sequences]):
//! programs should run with `TERM=xterm-256color`. The emulation is [`alacritty_terminal`]'s,
//! behind ptyx's own types so that it can be replaced; the gaps ptyx works around are listed in
//! the source (`screen/handler.rs`). `tmux capture-pane -p` is the reference the tests compare
//! against with vim, less, top, bash, dialog and more.
//!
//! ```
//! use ptyx::screen::{Color, Screen};
//!
//! let mut screen = Screen::new(ptyx::Winsize::new(4, 20));
//! let replies = screen.feed(b"\x1b[31mred\x1b[0m plain\r\n\x1b(0lqqk\x1b(B\x1b[6n");
//! assert_eq!(replies, b"\x1b[2;5R"); // the cursor position report, to write back to the pty
//! assert_eq!(screen.text(), "red plain\n\u{250c}\u{2500}\u{2500}\u{2510}\n\n");
//! assert_eq!(screen.cursor(), (1, 4));
//! let cell = screen.cell(0, 0).unwrap();
//! assert_eq!((cell.text(), cell.fg()), ("r", Color::Indexed(1)));
//! ```
//!
//! [`console_codes(4)`]: https://man7.org/linux/man-pages/man4/console_codes.4.html
//! [xterm's control sequences]: https://invisible-island.net/xterm/ctlseqs/ctlseqs.html
//! [`alacritty_terminal`]: https://docs.rs/alacritty_terminal

mod cell;
mod change;
mod color;
mod emulator;
mod handler;
mod osc_limit;
mod replies;
mod styled;
mod svg;
mod whole_chars;

use std::fmt;

pub use cell::Cell;
pub use color::Color;

use crate::Winsize;
use emulator::Emulator;

/// The largest number of rows or columns a [`Screen`] has: a larger size is clamped to it (and
/// 0 to 1), so that a pty size a program sets cannot make the screen allocate gigabytes.
pub const MAX_DIMENSION: u16 = emulator::MAX_DIMENSION;

/// What a terminal of a given size shows after the bytes fed to it: text, colours, cursor.
///
/// Feed it everything read from a pty master with [`feed`](Screen::feed), and write what `feed`
/// returns back to the master: those are the terminal's answers to the program's queries. Memory
/// is bounded by the size: no scrollback is kept, and escape sequences, combining marks and
/// replies are bounded (any input is accepted and none panics).
pub struct Screen {
    emulator: Emulator,
}

impl Screen {
    /// A blank screen of `size` (rows and columns clamped to 1..=[`MAX_DIMENSION`]). The pixel
    /// size, if any, is what the screen reports when a program asks for it (`ESC[14t`).
    pub fn new(size: Winsize) -> Screen {
        Screen { emulator: Emulator::new(size) }
    }

    /// Processes output of the program, and returns the terminal's replies to the queries in it:
    /// bytes to write to the pty master, so that the program reads them as input. Empty when the
    /// output asked nothing (nearly always).
    ///
    /// Answered: the cursor position (`ESC[6n`) and status (`ESC[5n`) reports, primary and
    /// secondary device attributes (`ESC[c`, `ESC[>c`), mode reports (`DECRQM`), the text area
    /// size in cells and pixels (`ESC[18t`, `ESC[14t`) and colour queries (`OSC 4`/`10`/`11`).
    /// A sequence may be split anywhere across calls.
    ///
    /// The replies stay readable until the next call; a program that asks more than 1 MiB worth
    /// of questions in one call gets the first 1 MiB of answers.
    pub fn feed(&mut self, bytes: &[u8]) -> &[u8] {
        self.emulator.feed(bytes)
    }

    /// Gives the screen a new size, as a terminal window does when resized: lines reflow on the
    /// primary screen, the alternate screen is cut or padded. Call it when the pty's size changes
    /// (the program gets `SIGWINCH` and redraws).
    pub fn resize(&mut self, size: Winsize) {
        self.emulator.resize(size)
    }

    /// A counter that changes whenever what the screen shows changes: a cell's text, colours or
    /// attributes, the cursor's position or visibility, the alternate screen, the title, the
    /// size. Output that leaves the screen as it was (a repaint of the same frame) leaves it
    /// alone. Compare two readings to know whether anything changed in between.
    pub fn generation(&self) -> u64 {
        self.emulator.generation()
    }

    /// The screen's size, as given to [`new`](Screen::new) or [`resize`](Screen::resize) (after
    /// clamping).
    pub fn size(&self) -> Winsize {
        self.emulator.size()
    }

    /// Every row of the screen, each with its trailing spaces trimmed, joined by `'\n'`: exactly
    /// `rows` rows (so `rows - 1` newlines), what `tmux capture-pane -p` prints less its final
    /// newline. Line-drawing characters (`ESC(0`) are the Unicode box characters shown on screen;
    /// a wide character appears once.
    pub fn text(&self) -> String {
        let rows = self.size().rows;
        let mut out = String::with_capacity(usize::from(rows) * (usize::from(self.size().cols) + 1));
        for row in 0..rows {
            if row > 0 {
                out.push('\n');
            }
            self.emulator.row_text(row, &mut out);
        }
        out
    }

    /// Row `i` (0 is the top), its trailing spaces trimmed; empty for a row off the screen.
    pub fn row(&self, i: u16) -> String {
        let mut out = String::new();
        self.emulator.row_text(i, &mut out);
        out
    }

    /// The cursor's position as `(row, column)`, 0-based. After text reaches the last column the
    /// cursor stays on it (the next character wraps).
    pub fn cursor(&self) -> (u16, u16) {
        self.emulator.cursor()
    }

    /// Whether the cursor is shown (`ESC[?25l` hides it).
    pub fn cursor_visible(&self) -> bool {
        self.emulator.cursor_visible()
    }

    /// The cell at `(row, col)`, 0-based; `None` off the screen.
    pub fn cell(&self, row: u16, col: u16) -> Option<Cell> {
        self.emulator.cell(row, col)
    }

    /// Whether the alternate screen shows (full-screen programs switch to it, `ESC[?1049h`, and
    /// back on exit, which brings back the shell's screen).
    pub fn alternate_screen(&self) -> bool {
        self.emulator.alternate_screen()
    }

    /// The window title the program set (`OSC 0` or `OSC 2`); empty when it set none.
    pub fn title(&self) -> &str {
        self.emulator.title()
    }
}

impl fmt::Debug for Screen {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Screen")
            .field("size", &self.size())
            .field("cursor", &self.cursor())
            .field("alternate_screen", &self.alternate_screen())
            .field("title", &self.title())
            .field("text", &self.text())
            .finish()
    }
}

/// The screen as text, like [`Screen::text`].
impl fmt::Display for Screen {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text())
    }
}
