//! The adapter over the terminal emulator, `alacritty_terminal`: everything that knows its types
//! is here and in the files this one uses (`handler.rs`, `change.rs`, `replies.rs`), so replacing
//! the emulator means rewriting these and nothing above them.
//!
//! Bytes go through the UTF-8 joiner (`whole_chars.rs`) and the OSC bound (`osc_limit.rs`),
//! then `vte`'s parser, then the handler's fixes,
//! into `Term`. Synchronized updates (mode 2026) are switched off: `vte` would hold back up to
//! 2 MiB of output until the program ends the update or 150 ms pass, checked only when more
//! output comes, so a screen could stay stale while nothing arrives. Scrollback is off: the
//! screen is what a person sees.

use alacritty_terminal::grid::{Dimensions, Grid};
use alacritty_terminal::index::{Column, Line};
use alacritty_terminal::term::cell::{Cell as TermCell, Flags};
use alacritty_terminal::term::{Config, Term, TermMode};
use alacritty_terminal::vte::ansi::{Color as TermColor, NamedColor, Processor, Timeout};

use crate::Winsize;

use super::cell::{self, Cell};
use super::change::{Dirty, Tracker};
use super::color::{palette, Color, DEFAULT_BG, DEFAULT_FG};
use super::handler::{Fixed, State};
use super::osc_limit::OscLimit;
use super::replies::Listener;
use super::whole_chars::WholeChars;

/// The largest number of rows or columns a screen has; a larger size is clamped to it.
pub(crate) const MAX_DIMENSION: u16 = 2048;

/// A size as `Term` takes it.
struct GridSize {
    rows: usize,
    cols: usize,
}

impl Dimensions for GridSize {
    fn total_lines(&self) -> usize {
        self.rows
    }

    fn screen_lines(&self) -> usize {
        self.rows
    }

    fn columns(&self) -> usize {
        self.cols
    }
}

/// A synchronized-update timer that never runs: every byte is shown as it comes.
#[derive(Debug, Default)]
struct NoSync;

impl Timeout for NoSync {
    fn set_timeout(&mut self, _: std::time::Duration) {}

    fn clear_timeout(&mut self) {}

    fn pending_timeout(&self) -> bool {
        false
    }
}

/// What the screen last reported, to notice changes outside the rows.
#[derive(Debug, PartialEq, Eq, Clone, Copy)]
struct Outline {
    cursor: (u16, u16),
    cursor_visible: bool,
    alternate: bool,
}

pub(crate) struct Emulator {
    term: Term<Listener>,
    parser: Processor<NoSync>,
    limit: OscLimit,
    whole: WholeChars,
    listener: Listener,
    state: State,
    tracker: Tracker,
    size: Winsize,
    replies: Vec<u8>,
    title: String,
    outline: Outline,
}

fn clamp(size: Winsize) -> Winsize {
    Winsize { rows: size.rows.clamp(1, MAX_DIMENSION), cols: size.cols.clamp(1, MAX_DIMENSION), ..size }
}

impl Emulator {
    pub(crate) fn new(size: Winsize) -> Emulator {
        let size = clamp(size);
        let listener = Listener::default();
        let config = Config { scrolling_history: 0, kitty_keyboard: false, ..Config::default() };
        let grid = GridSize { rows: usize::from(size.rows), cols: usize::from(size.cols) };
        let term = Term::new(config, &grid, listener.clone());
        let rows = grid.rows;
        let mut emulator = Emulator {
            term,
            parser: Processor::new(),
            limit: OscLimit::new(),
            whole: WholeChars::default(),
            listener,
            state: State { dirty: Dirty::new(rows), region_top: 0, titles: 0, pixels: (size.xpixel, size.ypixel) },
            tracker: Tracker::new(rows),
            size,
            replies: Vec::new(),
            title: String::new(),
            outline: Outline { cursor: (0, 0), cursor_visible: true, alternate: false },
        };
        emulator.settle();
        emulator
    }

    pub(crate) fn feed(&mut self, bytes: &[u8]) -> &[u8] {
        let Emulator { term, parser, limit, whole, listener, state, .. } = self;
        let mut fixed = Fixed { term, state, listener };
        whole.feed(bytes, |run| limit.filter(run, |run| parser.advance(&mut fixed, run)));
        self.settle();
        &self.replies
    }

    /// Collects what the feed left: replies, title, and whether anything visible changed.
    fn settle(&mut self) {
        let mut changed = false;
        {
            let mut shared = self.listener.lock();
            self.replies.clear();
            std::mem::swap(&mut self.replies, &mut shared.replies);
            if shared.title_changed {
                shared.title_changed = false;
                self.title = shared.title.clone().unwrap_or_default();
                changed = true;
            }
        }
        let outline = self.outline_now();
        if outline != self.outline {
            self.outline = outline;
            changed = true;
        }
        if self.tracker.settle(self.term.grid(), &mut self.state.dirty) || changed {
            self.tracker.bump();
        }
    }

    fn outline_now(&self) -> Outline {
        let point = self.term.grid().cursor.point;
        Outline {
            cursor: (point.line.0.max(0) as u16, point.column.0 as u16),
            cursor_visible: self.term.mode().contains(TermMode::SHOW_CURSOR),
            alternate: self.term.mode().contains(TermMode::ALT_SCREEN),
        }
    }

    pub(crate) fn resize(&mut self, size: Winsize) {
        let size = clamp(size);
        self.state.pixels = (size.xpixel, size.ypixel);
        let old = self.size;
        self.size = size;
        if (old.rows, old.cols) == (size.rows, size.cols) {
            return;
        }
        if size.cols < 2 && old.cols >= 2 {
            self.erase_wide_chars();
        }
        self.term.resize(GridSize { rows: usize::from(size.rows), cols: usize::from(size.cols) });
        self.state.region_top = 0;
        self.tracker.resize(usize::from(size.rows), &mut self.state.dirty);
        self.settle();
    }

    /// Blanks every wide character of both screens, before a resize to one column: reflowing a
    /// wide character into one column never ends in `Term` (memory grows until the process dies).
    /// A one-column terminal cannot show one either.
    fn erase_wide_chars(&mut self) {
        fn erase(grid: &mut Grid<TermCell>) {
            let (rows, cols) = (grid.screen_lines(), grid.columns());
            for row in 0..rows {
                let line = &mut grid[Line(row as i32)];
                for col in 0..cols {
                    let cell = &mut line[Column(col)];
                    if cell.flags.contains(Flags::WIDE_CHAR) {
                        cell.c = ' ';
                        cell.extra = None;
                    }
                    cell.flags.remove(Flags::WIDE_CHAR | Flags::WIDE_CHAR_SPACER | Flags::LEADING_WIDE_CHAR_SPACER);
                }
            }
        }
        if self.term.mode().contains(TermMode::ALT_SCREEN) {
            // The primary screen is out of reach while the alternate one shows: switch to it and
            // back. Switching back clears the alternate screen, so it is put back from a copy;
            // the primary screen's saved cursor is set to its cursor, as entering did already.
            let alternate = self.term.grid().clone();
            self.term.swap_alt();
            erase(self.term.grid_mut());
            self.term.swap_alt();
            *self.term.grid_mut() = alternate;
        }
        erase(self.term.grid_mut());
    }

    pub(crate) fn size(&self) -> Winsize {
        self.size
    }

    pub(crate) fn generation(&self) -> u64 {
        self.tracker.generation()
    }

    pub(crate) fn cursor(&self) -> (u16, u16) {
        self.outline.cursor
    }

    pub(crate) fn cursor_visible(&self) -> bool {
        self.outline.cursor_visible
    }

    pub(crate) fn alternate_screen(&self) -> bool {
        self.outline.alternate
    }

    pub(crate) fn title(&self) -> &str {
        &self.title
    }

    fn term_cell(&self, row: u16, col: u16) -> Option<&TermCell> {
        let grid = self.term.grid();
        if usize::from(row) >= grid.screen_lines() || usize::from(col) >= grid.columns() {
            return None;
        }
        Some(&grid[Line(i32::from(row))][Column(usize::from(col))])
    }

    /// Appends what row `row` shows to `out`, trailing spaces trimmed. Nothing for a row off the
    /// screen.
    pub(crate) fn row_text(&self, row: u16, out: &mut String) {
        let grid = self.term.grid();
        if usize::from(row) >= grid.screen_lines() {
            return;
        }
        let start = out.len();
        let line = &grid[Line(i32::from(row))];
        for col in 0..grid.columns() {
            let cell = &line[Column(col)];
            if cell.flags.contains(Flags::WIDE_CHAR_SPACER) {
                continue;
            }
            out.push(cell.c);
            if let Some(marks) = cell.zerowidth() {
                out.extend(marks);
            }
        }
        let kept = out[start..].trim_end_matches(' ').len();
        out.truncate(start + kept);
    }

    pub(crate) fn cell(&self, row: u16, col: u16) -> Option<Cell> {
        let c = self.term_cell(row, col)?;
        let flags = c.flags;
        let mut attrs = 0;
        for (flag, attr) in [
            (Flags::BOLD, cell::BOLD),
            (Flags::DIM, cell::DIM),
            (Flags::ITALIC, cell::ITALIC),
            (Flags::INVERSE, cell::INVERSE),
            (Flags::HIDDEN, cell::HIDDEN),
            (Flags::STRIKEOUT, cell::STRIKETHROUGH),
            (Flags::WIDE_CHAR, cell::WIDE),
            (Flags::WIDE_CHAR_SPACER, cell::WIDE_CONTINUATION),
        ] {
            if flags.contains(flag) {
                attrs |= attr;
            }
        }
        if flags.intersects(Flags::ALL_UNDERLINES) {
            attrs |= cell::UNDERLINE;
        }
        let ch = if flags.contains(Flags::WIDE_CHAR_SPACER) { None } else { Some(c.c) };
        Some(Cell::new(ch, c.zerowidth().unwrap_or(&[]), color(c.fg), color(c.bg), attrs))
    }

    /// The RGB value of palette entry `index` on this screen: the program's own setting
    /// (`OSC 4`), else xterm's.
    pub(crate) fn palette(&self, index: u8) -> (u8, u8, u8) {
        match self.term.colors()[usize::from(index)] {
            Some(rgb) => (rgb.r, rgb.g, rgb.b),
            None => palette(index),
        }
    }

    /// The default foreground and background colours (`OSC 10`/`OSC 11` can set them).
    pub(crate) fn default_colors(&self) -> ((u8, u8, u8), (u8, u8, u8)) {
        let colors = self.term.colors();
        let get = |named: NamedColor, default| colors[named].map_or(default, |rgb| (rgb.r, rgb.g, rgb.b));
        (get(NamedColor::Foreground, DEFAULT_FG), get(NamedColor::Background, DEFAULT_BG))
    }
}

/// ptyx's colour for one of `Term`'s: the named ANSI colours are palette entries 0-15, the
/// named defaults are `Default`.
fn color(c: TermColor) -> Color {
    match c {
        TermColor::Spec(rgb) => Color::Rgb(rgb.r, rgb.g, rgb.b),
        TermColor::Indexed(i) => Color::Indexed(i),
        TermColor::Named(named) => {
            let n = named as usize;
            let dim_black = NamedColor::DimBlack as usize;
            match n {
                0..=15 => Color::Indexed(n as u8),
                _ if (dim_black..dim_black + 8).contains(&n) => Color::Indexed((n - dim_black) as u8),
                _ => Color::Default,
            }
        }
    }
}
