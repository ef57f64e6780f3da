//! Knowing cheaply whether the screen changed: the generation counter behind
//! `Screen::generation` and the session's `wait_for_stable`.
//!
//! While the emulator parses, the handler marks the rows an operation may have touched (the
//! cursor's row for text and line edits, every row for scrolls and clears). After a feed, each
//! marked row is hashed and compared with its hash from before; the generation moves only when a
//! row really differs, or the cursor, the title, the size or the palette changed. A program that
//! repaints the same frame therefore leaves the generation alone, and the cost of a feed is
//! proportional to the rows it touched, not to the screen's size.

use alacritty_terminal::grid::{Dimensions, Grid};
use alacritty_terminal::index::{Column, Line};
use alacritty_terminal::term::cell::{Cell, Flags};
use alacritty_terminal::vte::ansi::Color;

/// Rows an operation may have changed since the last check.
#[derive(Debug)]
pub(crate) struct Dirty {
    rows: Vec<bool>,
    /// The row marked last (`usize::MAX`: none since the last check): text marks its row once
    /// per character, this makes that one compare.
    last: usize,
    all_rows: bool,
    /// Something outside the rows changed (the palette): the generation moves regardless.
    pub(crate) other: bool,
}

impl Dirty {
    pub(crate) fn new(rows: usize) -> Dirty {
        Dirty { rows: vec![false; rows], last: usize::MAX, all_rows: true, other: false }
    }

    #[inline]
    pub(crate) fn row(&mut self, row: usize) {
        if row != self.last {
            self.mark(row);
        }
    }

    fn mark(&mut self, row: usize) {
        if let Some(r) = self.rows.get_mut(row) {
            *r = true;
            self.last = row;
        }
    }

    #[inline]
    pub(crate) fn all(&mut self) {
        self.all_rows = true;
    }
}

/// The rows' hashes and the generation computed from them.
#[derive(Debug)]
pub(crate) struct Tracker {
    hashes: Vec<u64>,
    generation: u64,
}

impl Tracker {
    pub(crate) fn new(rows: usize) -> Tracker {
        Tracker { hashes: vec![0; rows], generation: 0 }
    }

    pub(crate) fn generation(&self) -> u64 {
        self.generation
    }

    /// Bumps the generation unconditionally (a resize, a title or cursor change).
    pub(crate) fn bump(&mut self) {
        self.generation = self.generation.wrapping_add(1);
    }

    /// Starts over for a grid of `rows` rows: the generation moves, every row will be rehashed.
    pub(crate) fn resize(&mut self, rows: usize, dirty: &mut Dirty) {
        *dirty = Dirty::new(rows);
        self.hashes = vec![0; rows];
        self.bump();
    }

    /// Rehashes the rows of `grid` marked in `dirty` and tells whether any of them differs from
    /// before (or something else was marked). Clears the marks.
    pub(crate) fn settle(&mut self, grid: &Grid<Cell>, dirty: &mut Dirty) -> bool {
        let mut changed = std::mem::take(&mut dirty.other);
        if dirty.all_rows || dirty.last != usize::MAX {
            let lines = grid.screen_lines().min(self.hashes.len());
            for row in 0..lines {
                if !(dirty.all_rows || dirty.rows[row]) {
                    continue;
                }
                dirty.rows[row] = false;
                let hash = row_hash(grid, row);
                if self.hashes[row] != hash {
                    self.hashes[row] = hash;
                    changed = true;
                }
            }
            dirty.all_rows = false;
            dirty.last = usize::MAX;
        }
        changed
    }
}

/// The flags that change how a cell looks (not `WRAPLINE`, which only says how it was written).
const VISIBLE: Flags = Flags::all().difference(Flags::WRAPLINE);

/// A hash of what row `row` shows: characters, marks, colours, attributes.
fn row_hash(grid: &Grid<Cell>, row: usize) -> u64 {
    let line = &grid[Line(row as i32)];
    let mut h = Hasher(0x243f_6a88_85a3_08d3);
    for col in 0..grid.columns() {
        let cell = &line[Column(col)];
        h.add(u64::from(cell.c as u32) | u64::from((cell.flags & VISIBLE).bits()) << 32);
        h.add(color_word(cell.fg) | color_word(cell.bg) << 32);
        if let Some(marks) = cell.zerowidth() {
            for &m in marks {
                h.add(u64::from(m as u32) | 1 << 40);
            }
        }
    }
    h.finish()
}

fn color_word(c: Color) -> u64 {
    match c {
        Color::Named(n) => n as u64,
        Color::Indexed(i) => 0x1_0000 | u64::from(i),
        Color::Spec(rgb) => 0x100_0000 | u64::from(rgb.r) << 16 | u64::from(rgb.g) << 8 | u64::from(rgb.b),
    }
}

/// A small multiply-rotate hash over 64-bit words; not for adversaries, only to notice change.
struct Hasher(u64);

impl Hasher {
    #[inline]
    fn add(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(26) ^ word).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    }

    fn finish(self) -> u64 {
        let mut x = self.0;
        x ^= x >> 33;
        x = x.wrapping_mul(0xff51_afd7_ed55_8ccd);
        x ^ (x >> 33)
    }
}
