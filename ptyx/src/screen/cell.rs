//! One character cell of the screen: what it shows and how.

use std::fmt;

use super::color::Color;

/// A copy of one character cell of a [`Screen`](super::Screen), from
/// [`Screen::cell`](super::Screen::cell).
///
/// A wide character (CJK, most emoji) covers two cells: the first has the text and
/// [`is_wide`](Cell::is_wide), the second has empty text and
/// [`is_wide_continuation`](Cell::is_wide_continuation). A cell nothing was written to is a
/// space in the default colours.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Cell {
    text: Text,
    fg: Color,
    bg: Color,
    attrs: u16,
}

/// The cell's text without an allocation for the usual single character.
#[derive(Clone, PartialEq, Eq, Hash)]
enum Text {
    Empty,
    Char { buf: [u8; 4], len: u8 },
    Cluster(Box<str>),
}

impl Text {
    fn as_str(&self) -> &str {
        match self {
            Text::Empty => "",
            // Always valid: `buf[..len]` is what `char::encode_utf8` wrote.
            Text::Char { buf, len } => std::str::from_utf8(&buf[..usize::from(*len)]).unwrap_or_default(),
            Text::Cluster(s) => s,
        }
    }
}

pub(crate) const BOLD: u16 = 1;
pub(crate) const DIM: u16 = 1 << 1;
pub(crate) const ITALIC: u16 = 1 << 2;
pub(crate) const UNDERLINE: u16 = 1 << 3;
pub(crate) const INVERSE: u16 = 1 << 4;
pub(crate) const HIDDEN: u16 = 1 << 5;
pub(crate) const STRIKETHROUGH: u16 = 1 << 6;
pub(crate) const WIDE: u16 = 1 << 7;
pub(crate) const WIDE_CONTINUATION: u16 = 1 << 8;

impl Cell {
    /// A cell showing `ch` followed by the combining marks `marks` (empty for a wide character's
    /// second half: pass `None`).
    pub(crate) fn new(ch: Option<char>, marks: &[char], fg: Color, bg: Color, attrs: u16) -> Cell {
        let text = match (ch, marks) {
            (None, _) => Text::Empty,
            (Some(c), []) => {
                let mut buf = [0; 4];
                let len = c.encode_utf8(&mut buf).len() as u8;
                Text::Char { buf, len }
            }
            (Some(c), marks) => Text::Cluster(std::iter::once(c).chain(marks.iter().copied()).collect()),
        };
        Cell { text, fg, bg, attrs }
    }

    /// The character and any combining marks on it (`"e\u{301}"`); a space for an empty cell;
    /// empty for the second half of a wide character.
    pub fn text(&self) -> &str {
        self.text.as_str()
    }

    /// The foreground (text) colour.
    pub fn fg(&self) -> Color {
        self.fg
    }

    /// The background colour.
    pub fn bg(&self) -> Color {
        self.bg
    }

    /// Bold (SGR 1).
    pub fn bold(&self) -> bool {
        self.attrs & BOLD != 0
    }

    /// Faint (SGR 2).
    pub fn dim(&self) -> bool {
        self.attrs & DIM != 0
    }

    /// Italic (SGR 3).
    pub fn italic(&self) -> bool {
        self.attrs & ITALIC != 0
    }

    /// Underlined, in any style (SGR 4, 4:2 to 4:5, 21).
    pub fn underline(&self) -> bool {
        self.attrs & UNDERLINE != 0
    }

    /// Inverse video (SGR 7): shown with foreground and background swapped.
    pub fn inverse(&self) -> bool {
        self.attrs & INVERSE != 0
    }

    /// Concealed (SGR 8): on screen the text is not drawn, but [`text`](Cell::text) still has it.
    pub fn hidden(&self) -> bool {
        self.attrs & HIDDEN != 0
    }

    /// Crossed out (SGR 9).
    pub fn strikethrough(&self) -> bool {
        self.attrs & STRIKETHROUGH != 0
    }

    /// The first half of a wide character; the next cell is its continuation.
    pub fn is_wide(&self) -> bool {
        self.attrs & WIDE != 0
    }

    /// The second half of a wide character: empty text, the colours of the first half.
    pub fn is_wide_continuation(&self) -> bool {
        self.attrs & WIDE_CONTINUATION != 0
    }

    pub(crate) fn attrs(&self) -> u16 {
        self.attrs
    }
}

impl fmt::Debug for Cell {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("Cell");
        d.field("text", &self.text()).field("fg", &self.fg).field("bg", &self.bg);
        for (bit, name) in [
            (BOLD, "bold"),
            (DIM, "dim"),
            (ITALIC, "italic"),
            (UNDERLINE, "underline"),
            (INVERSE, "inverse"),
            (HIDDEN, "hidden"),
            (STRIKETHROUGH, "strikethrough"),
            (WIDE, "wide"),
            (WIDE_CONTINUATION, "wide_continuation"),
        ] {
            if self.attrs & bit != 0 {
                d.field(name, &true);
            }
        }
        d.finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_forms() {
        assert_eq!(Cell::new(Some('a'), &[], Color::Default, Color::Default, 0).text(), "a");
        assert_eq!(Cell::new(Some('漢'), &[], Color::Default, Color::Default, WIDE).text(), "漢");
        assert_eq!(Cell::new(Some('e'), &['\u{301}'], Color::Default, Color::Default, 0).text(), "e\u{301}");
        assert_eq!(Cell::new(None, &[], Color::Default, Color::Default, WIDE_CONTINUATION).text(), "");
    }
}
