//! The screen as an SVG picture: what the terminal looked like, for documentation and for CI
//! artifacts of failed tests. Open the file in a browser.
//!
//! Each cell is [`CELL_WIDTH`] x [`CELL_HEIGHT`] pixels. Backgrounds, underlines and strike-through
//! lines are rectangles; text is drawn in runs of non-blank cells of one style, each run fitted to
//! its cells (`textLength`) so that columns line up whatever monospace font the viewer has; a wide
//! character is a run of its own, two cells wide. Blanks are never drawn as text: viewers may
//! collapse them. The cursor, when shown, is a block in the foreground colour with its cell's character
//! drawn over it in the background colour.

use std::fmt::Write;

use super::cell::Cell;
use super::color::Color;
use super::Screen;

const CELL_WIDTH: u32 = 10;
const CELL_HEIGHT: u32 = 20;
/// The text baseline's distance from the top of a cell.
const BASELINE: u32 = 15;
const FONT_SIZE: u32 = 16;
const FONT: &str = "'DejaVu Sans Mono', 'Menlo', 'Consolas', 'Liberation Mono', monospace";

type Rgb = (u8, u8, u8);

fn hex((r, g, b): Rgb) -> String {
    format!("#{r:02x}{g:02x}{b:02x}")
}

/// XML text: `&`, `<`, `>` escaped; characters XML 1.0 cannot hold replaced by U+FFFD.
fn escape(text: &str, out: &mut String) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\u{9}' | '\u{a}' | '\u{d}' => out.push(' '),
            '\u{0}'..='\u{1f}' | '\u{fffe}' | '\u{ffff}' => out.push('\u{fffd}'),
            c => out.push(c),
        }
    }
}

/// How one cell is painted.
#[derive(Clone, Copy, PartialEq)]
struct Paint {
    fg: Rgb,
    bg: Rgb,
    bold: bool,
    italic: bool,
    underline: bool,
    strike: bool,
    dim: bool,
    hidden: bool,
}

impl Screen {
    fn rgb(&self, color: Color, default: Rgb) -> Rgb {
        match color {
            Color::Default => default,
            Color::Indexed(i) => self.emulator.palette(i),
            Color::Rgb(r, g, b) => (r, g, b),
        }
    }

    fn paint(&self, cell: &Cell, defaults: (Rgb, Rgb)) -> Paint {
        let (mut fg, mut bg) = (self.rgb(cell.fg(), defaults.0), self.rgb(cell.bg(), defaults.1));
        if cell.inverse() {
            std::mem::swap(&mut fg, &mut bg);
        }
        Paint {
            fg,
            bg,
            bold: cell.bold(),
            italic: cell.italic(),
            underline: cell.underline(),
            strike: cell.strikethrough(),
            dim: cell.dim(),
            hidden: cell.hidden(),
        }
    }

    /// An SVG picture of the screen: colours (the xterm palette, or what the program set with
    /// `OSC 4`/`10`/`11`), bold, italic, dim, underline, strikethrough, inverse, wide characters
    /// and the cursor.
    ///
    /// ```
    /// let mut screen = ptyx::screen::Screen::new(ptyx::Winsize::new(2, 10));
    /// screen.feed("\x1b[1;31mred\x1b[0m 漢字".as_bytes());
    /// let svg = screen.to_svg();
    /// assert!(svg.starts_with("<svg") && svg.contains("漢") && svg.contains("#cd0000"));
    /// // std::fs::write("screen.svg", svg)?;  then open it in a browser
    /// ```
    pub fn to_svg(&self) -> String {
        let size = self.size();
        let (width, height) = (u32::from(size.cols) * CELL_WIDTH, u32::from(size.rows) * CELL_HEIGHT);
        let defaults = self.emulator.default_colors();
        let mut out = String::new();
        let _ = writeln!(
            out,
            r#"<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}" font-family="{FONT}" font-size="{FONT_SIZE}px">"#
        );
        let _ = writeln!(out, r#"<rect width="100%" height="100%" fill="{}"/>"#, hex(defaults.1));
        let mut text = String::new();
        for row in 0..size.rows {
            let cells: Vec<Cell> = (0..size.cols).filter_map(|col| self.cell(row, col)).collect();
            let y = u32::from(row) * CELL_HEIGHT;
            // Backgrounds: runs of one colour that is not the screen's.
            let mut col = 0;
            while col < cells.len() {
                let bg = self.paint(&cells[col], defaults).bg;
                let start = col;
                while col < cells.len() && self.paint(&cells[col], defaults).bg == bg {
                    col += 1;
                }
                if bg != defaults.1 {
                    let _ = writeln!(
                        out,
                        r#"<rect x="{}" y="{y}" width="{}" height="{CELL_HEIGHT}" fill="{}"/>"#,
                        start as u32 * CELL_WIDTH,
                        (col - start) as u32 * CELL_WIDTH,
                        hex(bg)
                    );
                }
            }
            // Text: runs of non-blank cells of one paint, a wide character alone. Blanks are not
            // drawn (viewers may collapse them); underline and strike-through are lines of their
            // own, so that they cover blanks too.
            let mut col = 0;
            while col < cells.len() {
                let paint = self.paint(&cells[col], defaults);
                if paint.underline || paint.strike {
                    let start = col;
                    while col < cells.len() && self.paint(&cells[col], defaults) == paint {
                        col += 1;
                    }
                    let (x, width) = (start as u32 * CELL_WIDTH, (col - start) as u32 * CELL_WIDTH);
                    for (on, dy) in [(paint.underline, CELL_HEIGHT - 2), (paint.strike, CELL_HEIGHT / 2)] {
                        if on {
                            let _ = writeln!(
                                text,
                                r#"<rect x="{x}" y="{}" width="{width}" height="1" fill="{}"/>"#,
                                y + dy,
                                hex(paint.fg)
                            );
                        }
                    }
                    col = start;
                }
                let end = {
                    let mut end = col;
                    while end < cells.len() && self.paint(&cells[end], defaults) == paint {
                        end += 1;
                    }
                    end
                };
                while col < end {
                    let cell = &cells[col];
                    if cell.text().trim().is_empty() {
                        col += 1;
                        continue;
                    }
                    let start = col;
                    let mut run = String::new();
                    if cell.is_wide() {
                        run.push_str(cell.text());
                        col += 2;
                    } else {
                        while col < end && !cells[col].is_wide() && !cells[col].text().trim().is_empty() {
                            run.push_str(cells[col].text());
                            col += 1;
                        }
                    }
                    if !paint.hidden {
                        let width = (col.min(cells.len()) - start) as u32 * CELL_WIDTH;
                        text_run(&mut text, start as u32 * CELL_WIDTH, y + BASELINE, width, paint, &run);
                    }
                }
                col = end;
            }
        }
        out.push_str(&text);
        if self.cursor_visible() {
            let (row, col) = self.cursor();
            if let Some(cell) = self.cell(row, col) {
                let wide = if cell.is_wide() { 2 } else { 1 };
                let (x, y) = (u32::from(col) * CELL_WIDTH, u32::from(row) * CELL_HEIGHT);
                let _ = writeln!(
                    out,
                    r#"<rect x="{x}" y="{y}" width="{}" height="{CELL_HEIGHT}" fill="{}"/>"#,
                    wide * CELL_WIDTH,
                    hex(defaults.0)
                );
                if !cell.text().trim().is_empty() {
                    let mut paint = self.paint(&cell, defaults);
                    paint.fg = defaults.1;
                    paint.underline = false;
                    paint.strike = false;
                    text_run(&mut out, x, y + BASELINE, wide * CELL_WIDTH, paint, cell.text());
                }
            }
        }
        out.push_str("</svg>\n");
        out
    }
}

fn text_run(out: &mut String, x: u32, y: u32, width: u32, paint: Paint, run: &str) {
    let _ = write!(
        out,
        r#"<text x="{x}" y="{y}" textLength="{width}" lengthAdjust="spacingAndGlyphs" fill="{}""#,
        hex(paint.fg)
    );
    if paint.bold {
        out.push_str(r#" font-weight="bold""#);
    }
    if paint.italic {
        out.push_str(r#" font-style="italic""#);
    }
    if paint.dim {
        out.push_str(r#" fill-opacity="0.6""#);
    }
    out.push('>');
    escape(run, out);
    out.push_str("</text>\n");
}
