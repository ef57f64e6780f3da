//! Between the parser and `alacritty_terminal`'s `Term`: every parsed operation passes through
//! here on its way to the terminal, which is where the screen works around the emulator's gaps,
//! answers the queries it leaves to its user, and marks the rows that may have changed.
//!
//! The fixes (each tested in `tests/screen_model.rs` or `tests/screen_sequences.rs`; the resize to
//! one column is in `emulator.rs`, the split UTF-8 characters in `whole_chars.rs`):
//! - a wide character on a one-column screen is dropped: `Term` would write its second half past
//!   the end of the row and panic (tmux drops a character wider than the screen too);
//! - at most [`MAX_MARKS`] combining marks stay on one cell: `Term` keeps them all, so an endless
//!   run of them grew memory without bound (xterm keeps 2 by default, tmux what fits in 21 bytes);
//! - hyperlinks (`OSC 8`) are not stored: each distinct one costs an allocation per cell and the
//!   screen does not show them;
//! - a tab at the last column, where the next character wraps, leaves the cursor there (xterm,
//!   tmux) where `Term` wraps to the next row; a back tab (`ESC[Z`) from there cancels the wrap;
//!   the `'\t'` that `Term` leaves in the blank cells a tab jumps from is a blank again;
//! - the alternate screen of modes 47 and 1047 (and 1048's cursor save), which `Term` ignores
//!   (it has 1049 only), as xterm and tmux switch to it;
//! - the title stack is [`MAX_TITLES`] deep (xterm's is 10), not `Term`'s 4096 titles;
//! - the cursor position report (`ESC[6n`) is relative to the scrolling region in origin mode, as
//!   in xterm and tmux (`Term` reports the absolute row);
//! - colour queries (`OSC 4;n;?`, `OSC 10;?`, `OSC 11;?`) get the program's own colour if it set
//!   one, else xterm's palette, and the pixel-size query (`ESC[14t`) the pty's pixel size (or 10x20
//!   pixels a cell when the pty has none): `Term` leaves both to its user.

use alacritty_terminal::grid::Dimensions;
use alacritty_terminal::index::Column;
use alacritty_terminal::term::{Term, TermMode};
use alacritty_terminal::vte::ansi::{
    Attr, CharsetIndex, ClearMode, CursorShape, CursorStyle, Handler, Hyperlink, KeyboardModes,
    KeyboardModesApplyBehavior, LineClearMode, Mode, ModifyOtherKeys, NamedColor, NamedPrivateMode, PrivateMode, Rgb,
    ScpCharPath, ScpUpdateMode, StandardCharset, TabulationClearMode,
};
use unicode_width::UnicodeWidthChar;

use super::change::Dirty;
use super::color::{palette, DEFAULT_BG, DEFAULT_FG};
use super::replies::Listener;

/// The most combining marks kept on one cell.
pub(crate) const MAX_MARKS: usize = 16;
/// The deepest the title stack (`ESC[22t`/`ESC[23t`) goes; further pushes are ignored.
pub(crate) const MAX_TITLES: usize = 10;
/// The pixel size of a cell reported when the pty has no pixel size.
pub(crate) const CELL_PIXELS: (usize, usize) = (10, 20);

/// What the handler keeps between feeds.
#[derive(Debug)]
pub(crate) struct State {
    pub(crate) dirty: Dirty,
    /// The top row of the scrolling region (0-based), as `Term` keeps it privately.
    pub(crate) region_top: usize,
    /// How many titles the program pushed and `Term` holds.
    pub(crate) titles: usize,
    /// The pty's size in pixels (0 when unknown), for `ESC[14t`.
    pub(crate) pixels: (u16, u16),
}

/// The parser's handler for one feed: the terminal plus the state above.
pub(crate) struct Fixed<'a> {
    pub(crate) term: &'a mut Term<Listener>,
    pub(crate) state: &'a mut State,
    pub(crate) listener: &'a Listener,
}

impl Fixed<'_> {
    #[inline]
    fn cursor_row(&self) -> usize {
        self.term.grid().cursor.point.line.0.max(0) as usize
    }

    #[inline]
    fn mark_cursor_row(&mut self) {
        let row = self.cursor_row();
        self.state.dirty.row(row);
    }

    /// After an operation that moves down a row or, at the region's edge, scrolls: if the cursor
    /// row did not change, the region may have scrolled.
    #[inline]
    fn mark_line_move(&mut self, before: usize) {
        if self.cursor_row() == before {
            self.state.dirty.all();
        }
    }

    /// Sets (`on`) or resets a private mode, with the alternate screens of 47 and 1047 and the
    /// cursor save of 1048, which `Term` does not have.
    fn private_mode(&mut self, mode: PrivateMode, on: bool) {
        match mode {
            PrivateMode::Unknown(47 | 1047) => {
                if self.term.mode().contains(TermMode::ALT_SCREEN) != on {
                    self.term.swap_alt();
                }
            }
            PrivateMode::Unknown(1048) if on => self.term.save_cursor_position(),
            PrivateMode::Unknown(1048) => self.term.restore_cursor_position(),
            mode if on => self.term.set_private_mode(mode),
            mode => self.term.unset_private_mode(mode),
        }
        if changes_rows(mode) {
            self.state.dirty.all();
        }
    }

    /// A printable character beyond ASCII: its width may ask for one of the fixes.
    fn input_other(&mut self, c: char) {
        match c.width() {
            // Controls take no cell: C1 ones come here when `vte` prints one whose bytes two
            // feeds split (it executes them otherwise).
            None => {}
            Some(0) => {
                // Where `Term::input` puts a mark: on the cell before the cursor, unless the
                // cursor waits to wrap at the last column; on the first half of a wide character.
                let grid = self.term.grid();
                let cursor = &grid.cursor;
                let mut col = cursor.point.column;
                if !cursor.input_needs_wrap {
                    col.0 = col.0.saturating_sub(1);
                }
                let row = &grid[cursor.point.line];
                if row[col].flags.contains(alacritty_terminal::term::cell::Flags::WIDE_CHAR_SPACER) {
                    col.0 = col.0.saturating_sub(1);
                }
                if row[col].zerowidth().map_or(0, <[char]>::len) < MAX_MARKS {
                    self.term.input(c);
                    self.mark_cursor_row();
                }
            }
            Some(2) if self.term.columns() < 2 => {}
            Some(width) => self.input_marked(c, width == 2),
        }
    }

    #[inline]
    fn input_marked(&mut self, c: char, wide: bool) {
        let cursor = &self.term.grid().cursor;
        let before = cursor.point.line.0.max(0) as usize;
        let wraps = cursor.input_needs_wrap || (wide && cursor.point.column.0 + 1 >= self.term.columns());
        self.term.input(c);
        // Without a wrap, a character changes its own row only.
        self.state.dirty.row(before);
        if wraps {
            let after = self.cursor_row();
            if after == before {
                self.state.dirty.all();
            } else {
                self.state.dirty.row(after);
            }
        }
    }

    fn reply(&self, bytes: &[u8]) {
        self.listener.lock().reply(bytes);
    }

    /// The colour a query asks for: the program's own setting, else the palette.
    fn color(&self, index: usize) -> (u8, u8, u8) {
        if let Some(Rgb { r, g, b }) = self.term.colors()[index] {
            return (r, g, b);
        }
        match index {
            0..=255 => palette(index as u8),
            i if i == NamedColor::Background as usize => DEFAULT_BG,
            _ => DEFAULT_FG,
        }
    }
}

/// Whether setting or resetting a private mode changes what the rows show: the screen switches
/// (1049, and 47/1047, which `Term` leaves out and the handler adds) and DECCOLM's clear. The
/// cursor's visibility (25) is compared on its own.
fn changes_rows(mode: PrivateMode) -> bool {
    matches!(
        mode,
        PrivateMode::Named(NamedPrivateMode::SwapScreenAndSetRestoreCursor | NamedPrivateMode::ColumnMode)
            | PrivateMode::Unknown(47 | 1047)
    )
}

impl Handler for Fixed<'_> {
    #[inline]
    fn input(&mut self, c: char) {
        if c.is_ascii() {
            self.input_marked(c, false);
        } else {
            self.input_other(c);
        }
    }

    fn set_title(&mut self, title: Option<String>) {
        self.term.set_title(title)
    }

    fn set_cursor_style(&mut self, style: Option<CursorStyle>) {
        self.term.set_cursor_style(style)
    }

    fn set_cursor_shape(&mut self, shape: CursorShape) {
        self.term.set_cursor_shape(shape)
    }

    #[inline]
    fn goto(&mut self, line: i32, col: usize) {
        self.term.goto(line, col)
    }

    fn goto_line(&mut self, line: i32) {
        self.term.goto_line(line)
    }

    fn goto_col(&mut self, col: usize) {
        self.term.goto_col(col)
    }

    fn insert_blank(&mut self, count: usize) {
        self.term.insert_blank(count);
        self.mark_cursor_row();
    }

    fn move_up(&mut self, rows: usize) {
        self.term.move_up(rows)
    }

    fn move_down(&mut self, rows: usize) {
        self.term.move_down(rows)
    }

    fn identify_terminal(&mut self, intermediate: Option<char>) {
        self.term.identify_terminal(intermediate)
    }

    fn device_status(&mut self, arg: usize) {
        if arg == 6 && self.term.mode().contains(TermMode::ORIGIN) {
            let point = self.term.grid().cursor.point;
            let row = (point.line.0.max(0) as usize).saturating_sub(self.state.region_top);
            self.reply(format!("\x1b[{};{}R", row + 1, point.column.0 + 1).as_bytes());
        } else {
            self.term.device_status(arg)
        }
    }

    fn move_forward(&mut self, cols: usize) {
        self.term.move_forward(cols)
    }

    fn move_backward(&mut self, cols: usize) {
        self.term.move_backward(cols)
    }

    fn move_down_and_cr(&mut self, rows: usize) {
        self.term.move_down_and_cr(rows)
    }

    fn move_up_and_cr(&mut self, rows: usize) {
        self.term.move_up_and_cr(rows)
    }

    fn put_tab(&mut self, count: u16) {
        // At the wrap position a tab does nothing, as in xterm and tmux (`Term` wraps).
        if self.term.grid().cursor.input_needs_wrap {
            return;
        }
        let from = self.term.grid().cursor.point;
        self.term.put_tab(count);
        // It only moves the cursor: `Term` leaves '\t' in the blank cells it jumps from (for its
        // selections' copy), which are blanks again here, so that no reader of a cell need know.
        let to = self.term.grid().cursor.point.column;
        let row = &mut self.term.grid_mut()[from.line];
        for col in from.column.0..=to.0 {
            let cell = &mut row[Column(col)];
            if cell.c == '\t' {
                cell.c = ' ';
            }
        }
    }

    fn backspace(&mut self) {
        self.term.backspace()
    }

    fn carriage_return(&mut self) {
        self.term.carriage_return()
    }

    #[inline]
    fn linefeed(&mut self) {
        let before = self.cursor_row();
        self.term.linefeed();
        self.mark_line_move(before);
    }

    fn bell(&mut self) {
        self.term.bell()
    }

    fn substitute(&mut self) {
        self.term.substitute()
    }

    fn newline(&mut self) {
        let before = self.cursor_row();
        self.term.newline();
        self.mark_line_move(before);
    }

    fn set_horizontal_tabstop(&mut self) {
        self.term.set_horizontal_tabstop()
    }

    fn scroll_up(&mut self, rows: usize) {
        self.term.scroll_up(rows);
        self.state.dirty.all();
    }

    fn scroll_down(&mut self, rows: usize) {
        self.term.scroll_down(rows);
        self.state.dirty.all();
    }

    fn insert_blank_lines(&mut self, count: usize) {
        self.term.insert_blank_lines(count);
        self.state.dirty.all();
    }

    fn delete_lines(&mut self, count: usize) {
        self.term.delete_lines(count);
        self.state.dirty.all();
    }

    fn erase_chars(&mut self, count: usize) {
        self.term.erase_chars(count);
        self.mark_cursor_row();
    }

    fn delete_chars(&mut self, count: usize) {
        self.term.delete_chars(count);
        self.mark_cursor_row();
    }

    fn move_backward_tabs(&mut self, count: u16) {
        // A move cancels a pending wrap, as every other move does in `Term` (this one does not).
        self.term.grid_mut().cursor.input_needs_wrap = false;
        self.term.move_backward_tabs(count)
    }

    fn move_forward_tabs(&mut self, count: u16) {
        self.term.move_forward_tabs(count)
    }

    fn save_cursor_position(&mut self) {
        self.term.save_cursor_position()
    }

    fn restore_cursor_position(&mut self) {
        self.term.restore_cursor_position()
    }

    fn clear_line(&mut self, mode: LineClearMode) {
        self.term.clear_line(mode);
        self.mark_cursor_row();
    }

    fn clear_screen(&mut self, mode: ClearMode) {
        self.term.clear_screen(mode);
        self.state.dirty.all();
    }

    fn clear_tabs(&mut self, mode: TabulationClearMode) {
        self.term.clear_tabs(mode)
    }

    fn set_tabs(&mut self, interval: u16) {
        self.term.set_tabs(interval)
    }

    fn reset_state(&mut self) {
        self.term.reset_state();
        // `Term` forgets its title here without telling its listener.
        self.listener.lock().set_title(None);
        self.state.titles = 0;
        self.state.region_top = 0;
        self.state.dirty.all();
        self.state.dirty.other = true;
    }

    fn reverse_index(&mut self) {
        let before = self.cursor_row();
        self.term.reverse_index();
        self.mark_line_move(before);
    }

    #[inline]
    fn terminal_attribute(&mut self, attr: Attr) {
        self.term.terminal_attribute(attr)
    }

    fn set_mode(&mut self, mode: Mode) {
        self.term.set_mode(mode)
    }

    fn unset_mode(&mut self, mode: Mode) {
        self.term.unset_mode(mode)
    }

    fn report_mode(&mut self, mode: Mode) {
        self.term.report_mode(mode)
    }

    fn set_private_mode(&mut self, mode: PrivateMode) {
        self.private_mode(mode, true);
    }

    fn unset_private_mode(&mut self, mode: PrivateMode) {
        self.private_mode(mode, false);
    }

    fn report_private_mode(&mut self, mode: PrivateMode) {
        self.term.report_private_mode(mode)
    }

    fn set_scrolling_region(&mut self, top: usize, bottom: Option<usize>) {
        // Mirrors `Term::set_scrolling_region`, which keeps the region to itself.
        let lines = self.term.screen_lines();
        if top < bottom.unwrap_or(lines) {
            self.state.region_top = top.saturating_sub(1).min(lines);
        }
        self.term.set_scrolling_region(top, bottom)
    }

    fn set_keypad_application_mode(&mut self) {
        self.term.set_keypad_application_mode()
    }

    fn unset_keypad_application_mode(&mut self) {
        self.term.unset_keypad_application_mode()
    }

    fn set_active_charset(&mut self, index: CharsetIndex) {
        self.term.set_active_charset(index)
    }

    fn configure_charset(&mut self, index: CharsetIndex, charset: StandardCharset) {
        self.term.configure_charset(index, charset)
    }

    fn set_color(&mut self, index: usize, color: Rgb) {
        self.term.set_color(index, color);
        self.state.dirty.other = true;
    }

    fn dynamic_color_sequence(&mut self, prefix: String, index: usize, terminator: &str) {
        let (r, g, b) = self.color(index);
        self.reply(format!("\x1b]{prefix};rgb:{r:02x}{r:02x}/{g:02x}{g:02x}/{b:02x}{b:02x}{terminator}").as_bytes());
    }

    fn reset_color(&mut self, index: usize) {
        self.term.reset_color(index);
        self.state.dirty.other = true;
    }

    fn clipboard_store(&mut self, clipboard: u8, data: &[u8]) {
        self.term.clipboard_store(clipboard, data)
    }

    fn clipboard_load(&mut self, clipboard: u8, terminator: &str) {
        self.term.clipboard_load(clipboard, terminator)
    }

    fn decaln(&mut self) {
        self.term.decaln();
        self.state.dirty.all();
    }

    fn push_title(&mut self) {
        if self.state.titles < MAX_TITLES {
            self.state.titles += 1;
            self.term.push_title();
        }
    }

    fn pop_title(&mut self) {
        if self.state.titles > 0 {
            self.state.titles -= 1;
            self.term.pop_title();
        }
    }

    fn text_area_size_pixels(&mut self) {
        let (w, h) = match self.state.pixels {
            (w, h) if w > 0 && h > 0 => (usize::from(w), usize::from(h)),
            _ => (self.term.columns() * CELL_PIXELS.0, self.term.screen_lines() * CELL_PIXELS.1),
        };
        self.reply(format!("\x1b[4;{h};{w}t").as_bytes());
    }

    fn text_area_size_chars(&mut self) {
        self.term.text_area_size_chars()
    }

    fn set_hyperlink(&mut self, _: Option<Hyperlink>) {}

    fn set_mouse_cursor_icon(&mut self, icon: alacritty_terminal::vte::ansi::cursor_icon::CursorIcon) {
        self.term.set_mouse_cursor_icon(icon)
    }

    fn report_keyboard_mode(&mut self) {
        self.term.report_keyboard_mode()
    }

    fn push_keyboard_mode(&mut self, mode: KeyboardModes) {
        self.term.push_keyboard_mode(mode)
    }

    fn pop_keyboard_modes(&mut self, to_pop: u16) {
        self.term.pop_keyboard_modes(to_pop)
    }

    fn set_keyboard_mode(&mut self, mode: KeyboardModes, behavior: KeyboardModesApplyBehavior) {
        self.term.set_keyboard_mode(mode, behavior)
    }

    fn set_modify_other_keys(&mut self, mode: ModifyOtherKeys) {
        self.term.set_modify_other_keys(mode)
    }

    fn report_modify_other_keys(&mut self) {
        self.term.report_modify_other_keys()
    }

    fn set_scp(&mut self, char_path: ScpCharPath, update_mode: ScpUpdateMode) {
        self.term.set_scp(char_path, update_mode)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn printable_ascii_is_one_column() {
        // The fast path for ASCII skips the width lookup.
        for c in (' '..='~').chain(std::iter::once('\u{7f}')) {
            assert!(matches!(c.width(), Some(1) | None), "{c:?} has width {:?}", c.width());
        }
    }
}
