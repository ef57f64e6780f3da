//! Cell colours as programs set them with SGR (`ESC[31m`, `ESC[38;5;208m`, `ESC[38;2;r;g;bm`), and
//! the palette that turns them into the RGB values a picture of the screen needs.
//!
//! The palette is xterm's: the 16 ANSI colours of xterm's defaults, the 6x6x6 colour cube and the
//! 24-step grey ramp, with light grey on black as the default colours. It is what the screen
//! answers when a program asks for a colour (`OSC 4`/`10`/`11` queries) and what
//! [`Screen::to_svg`](super::Screen::to_svg) paints with.

/// A cell's foreground or background colour.
///
/// `ESC[31m` is `Indexed(1)`, `ESC[91m` is `Indexed(9)`, `ESC[38;5;n m` is `Indexed(n)`,
/// `ESC[38;2;r;g;b m` is `Rgb(r, g, b)`, and `ESC[39m`/`ESC[49m` (or no colour at all) is
/// `Default`. Bold does not change the colour: it is [`Cell::bold`](super::Cell::bold).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Color {
    /// The terminal's default foreground or background colour.
    #[default]
    Default,
    /// One of the 256 palette colours: 0-7 the ANSI colours, 8-15 their bright forms, 16-231
    /// the colour cube, 232-255 the grey ramp.
    Indexed(u8),
    /// A direct ("true") colour.
    Rgb(u8, u8, u8),
}

/// The default foreground colour, xterm's colour 7.
pub(crate) const DEFAULT_FG: (u8, u8, u8) = (0xe5, 0xe5, 0xe5);
/// The default background colour.
pub(crate) const DEFAULT_BG: (u8, u8, u8) = (0x00, 0x00, 0x00);

/// xterm's 16 ANSI colours.
const ANSI: [(u8, u8, u8); 16] = [
    (0x00, 0x00, 0x00),
    (0xcd, 0x00, 0x00),
    (0x00, 0xcd, 0x00),
    (0xcd, 0xcd, 0x00),
    (0x00, 0x00, 0xee),
    (0xcd, 0x00, 0xcd),
    (0x00, 0xcd, 0xcd),
    (0xe5, 0xe5, 0xe5),
    (0x7f, 0x7f, 0x7f),
    (0xff, 0x00, 0x00),
    (0x00, 0xff, 0x00),
    (0xff, 0xff, 0x00),
    (0x5c, 0x5c, 0xff),
    (0xff, 0x00, 0xff),
    (0x00, 0xff, 0xff),
    (0xff, 0xff, 0xff),
];

/// The RGB value of palette entry `index` (xterm's 256-colour palette).
pub(crate) fn palette(index: u8) -> (u8, u8, u8) {
    match index {
        0..=15 => ANSI[usize::from(index)],
        16..=231 => {
            let i = index - 16;
            let level = |v: u8| if v == 0 { 0 } else { 55 + 40 * v };
            (level(i / 36), level(i / 6 % 6), level(i % 6))
        }
        232..=255 => {
            let v = 8 + 10 * (index - 232);
            (v, v, v)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn palette_matches_xterm() {
        assert_eq!(palette(1), (0xcd, 0, 0));
        assert_eq!(palette(16), (0, 0, 0));
        assert_eq!(palette(21), (0, 0, 0xff));
        assert_eq!(palette(196), (0xff, 0, 0));
        assert_eq!(palette(231), (0xff, 0xff, 0xff));
        assert_eq!(palette(232), (8, 8, 8));
        assert_eq!(palette(255), (0xee, 0xee, 0xee));
    }
}
