//! The screen as styled text: [`Screen::text`] with inline tags where the style is not the
//! default, for snapshot tests that care about colours and attributes and for failure messages.

use std::fmt::Write;

use super::cell::{self, Cell};
use super::color::Color;
use super::Screen;

/// The attributes a tag names, in the order it names them.
const ATTRS: [(u16, &str); 7] = [
    (cell::BOLD, "bold"),
    (cell::DIM, "dim"),
    (cell::ITALIC, "italic"),
    (cell::UNDERLINE, "underline"),
    (cell::INVERSE, "inverse"),
    (cell::HIDDEN, "hidden"),
    (cell::STRIKETHROUGH, "strike"),
];

const STYLE_MASK: u16 =
    cell::BOLD | cell::DIM | cell::ITALIC | cell::UNDERLINE | cell::INVERSE | cell::HIDDEN | cell::STRIKETHROUGH;

#[derive(Clone, Copy, PartialEq, Eq)]
struct Style {
    fg: Color,
    bg: Color,
    attrs: u16,
}

impl Style {
    fn of(cell: &Cell) -> Style {
        Style { fg: cell.fg(), bg: cell.bg(), attrs: cell.attrs() & STYLE_MASK }
    }

    fn is_default(self) -> bool {
        self == Style { fg: Color::Default, bg: Color::Default, attrs: 0 }
    }

    fn open_tag(self, out: &mut String) {
        let mut words: Vec<String> = Vec::new();
        for (name, color) in [("fg", self.fg), ("bg", self.bg)] {
            match color {
                Color::Default => {}
                Color::Indexed(i) => words.push(format!("{name}={i}")),
                Color::Rgb(r, g, b) => words.push(format!("{name}=#{r:02x}{g:02x}{b:02x}")),
            }
        }
        words.extend(ATTRS.iter().filter(|(bit, _)| self.attrs & bit != 0).map(|(_, name)| name.to_string()));
        let _ = write!(out, "<{}>", words.join(" "));
    }
}

impl Screen {
    /// The screen as text with the style of each run of cells that is not in the default colours
    /// and attributes: `<fg=1 bold>error</>: file not found`, one line a row as in
    /// [`text`](Screen::text) (trailing spaces in the default style trimmed).
    ///
    /// A tag lists `fg=` and `bg=` (a palette index, or `#rrggbb`), then any of `bold`, `dim`,
    /// `italic`, `underline`, `inverse`, `hidden`, `strike`; `</>` ends the run. A `<` of the text
    /// itself is written `<<`, so a tag is never ambiguous.
    ///
    /// ```
    /// let mut screen = ptyx::screen::Screen::new(ptyx::Winsize::new(2, 30));
    /// screen.feed(b"\x1b[1;31merror\x1b[0m: a <b>\r\n\x1b[44m  \x1b[0m");
    /// assert_eq!(screen.styled_text(), "<fg=1 bold>error</>: a <<b>\n<bg=4>  </>");
    /// ```
    pub fn styled_text(&self) -> String {
        let size = self.size();
        let mut out = String::new();
        for row in 0..size.rows {
            if row > 0 {
                out.push('\n');
            }
            // The row up to its last cell that is not a default-style blank.
            let cells: Vec<Cell> = (0..size.cols).filter_map(|col| self.cell(row, col)).collect();
            let end = cells
                .iter()
                .rposition(|c| !(c.is_wide_continuation() || c.text() == " " && Style::of(c).is_default()))
                .map_or(0, |i| i + 1);
            let mut current: Option<Style> = None;
            for cell in &cells[..end] {
                if cell.is_wide_continuation() {
                    continue;
                }
                let style = Style::of(cell);
                if current != Some(style) {
                    if current.is_some_and(|s| !s.is_default()) {
                        out.push_str("</>");
                    }
                    if !style.is_default() {
                        style.open_tag(&mut out);
                    }
                    current = Some(style);
                }
                for ch in cell.text().chars() {
                    if ch == '<' {
                        out.push('<');
                    }
                    out.push(ch);
                }
            }
            if current.is_some_and(|s| !s.is_default()) {
                out.push_str("</>");
            }
        }
        out
    }
}
