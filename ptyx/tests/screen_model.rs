//! The screen model on its own: what `Screen` answers, shows and reports for given bytes, and the
//! fixes ptyx makes around the emulator (each a case the emulator alone gets wrong or dies of).
#![cfg(feature = "screen")]

use ptyx::screen::{Color, Screen, MAX_DIMENSION};
use ptyx::Winsize;

fn screen(rows: u16, cols: u16, bytes: &[u8]) -> Screen {
    let mut s = Screen::new(Winsize::new(rows, cols));
    s.feed(bytes);
    s
}

#[test]
fn screen_is_send() {
    fn send<T: Send>() {}
    send::<Screen>();
}

#[test]
fn text_has_every_row() {
    let s = screen(4, 10, b"a\r\n\r\nb   ");
    assert_eq!(s.text(), "a\n\nb\n");
    assert_eq!(s.text().matches('\n').count(), 3);
    assert_eq!(s.row(2), "b");
    assert_eq!(s.row(4), "");
    assert_eq!(s.size(), Winsize::new(4, 10));
    assert_eq!(s.to_string(), s.text());
}

#[test]
fn cells_colours_and_attributes() {
    let s = screen(
        2,
        40,
        b"\x1b[31ma\x1b[1;92mb\x1b[0;38;5;208;48;2;1;2;3mc\x1b[0;3;4;7md\x1b[0;2;8;9me\x1b[0;4:3mf\x1b[0mg",
    );
    let c = |col| s.cell(0, col).expect("cell");
    assert_eq!((c(0).text(), c(0).fg(), c(0).bg(), c(0).bold()), ("a", Color::Indexed(1), Color::Default, false));
    assert_eq!((c(1).fg(), c(1).bold()), (Color::Indexed(10), true));
    assert_eq!((c(2).fg(), c(2).bg()), (Color::Indexed(208), Color::Rgb(1, 2, 3)));
    assert!(c(3).italic() && c(3).underline() && c(3).inverse() && !c(3).bold());
    assert!(c(4).dim() && c(4).hidden() && c(4).strikethrough());
    assert!(c(5).underline(), "curly underline counts as underline");
    assert_eq!((c(6).text(), c(6).fg(), c(6).underline()), ("g", Color::Default, false));
    assert_eq!(c(7).text(), " ");
    assert!(s.cell(0, 40).is_none() && s.cell(2, 0).is_none());
}

#[test]
fn wide_characters_and_combining_marks() {
    let s = screen(2, 10, "漢e\u{301}😀".as_bytes());
    let c = |col| s.cell(0, col).expect("cell");
    assert!(c(0).is_wide() && c(0).text() == "漢");
    assert!(c(1).is_wide_continuation() && c(1).text().is_empty());
    assert_eq!(c(2).text(), "e\u{301}");
    assert_eq!(c(3).text(), "😀");
    assert_eq!(s.row(0), "漢e\u{301}😀");
    assert_eq!(s.cursor(), (0, 5));
}

#[test]
fn line_drawing_shows_box_characters() {
    let s = screen(3, 10, b"\x1b(0lqk\r\nx x\r\nmqj\x1b(B q");
    assert_eq!(s.text(), "┌─┐\n│ │\n└─┘ q");
}

#[test]
fn replies_to_queries() {
    let mut s = Screen::new(Winsize::new(24, 80));
    assert_eq!(s.feed(b"ab\x1b[6n"), b"\x1b[1;3R");
    assert_eq!(s.feed(b"\x1b[5n"), b"\x1b[0n");
    assert_eq!(s.feed(b"\x1b[c"), b"\x1b[?6c");
    assert!(s.feed(b"\x1b[>c").starts_with(b"\x1b[>0;"));
    assert_eq!(s.feed(b"\x1b[18t"), b"\x1b[8;24;80t");
    assert_eq!(s.feed(b"\x1b[14t"), b"\x1b[4;480;800t", "10x20 pixels a cell when the pty has no pixel size");
    assert_eq!(s.feed(b"\x1b[?1049$p"), b"\x1b[?1049;2$y");
    assert_eq!(s.feed(b"\x1b]11;?\x07"), b"\x1b]11;rgb:0000/0000/0000\x07");
    assert_eq!(s.feed(b"\x1b]10;?\x1b\\"), b"\x1b]10;rgb:e5e5/e5e5/e5e5\x1b\\");
    assert_eq!(s.feed(b"\x1b]4;1;?\x07"), b"\x1b]4;1;rgb:cdcd/0000/0000\x07");
    // The program's own colours are what it gets back.
    assert_eq!(s.feed(b"\x1b]4;1;rgb:12/34/56\x07\x1b]4;1;?\x07"), b"\x1b]4;1;rgb:1212/3434/5656\x07");
    // Several in one feed, in order; nothing for plain output; replies last until the next feed.
    assert_eq!(s.feed(b"\x1b[6n\x1b[c"), b"\x1b[1;3R\x1b[?6c");
    assert_eq!(s.feed(b"plain"), b"");
    // A query split across feeds is answered when it is complete.
    assert_eq!(s.feed(b"\x1b["), b"");
    assert_eq!(s.feed(b"6n"), b"\x1b[1;8R");
    let mut p = Screen::new(Winsize { rows: 10, cols: 20, xpixel: 200, ypixel: 300 });
    assert_eq!(p.feed(b"\x1b[14t"), b"\x1b[4;300;200t");
}

#[test]
fn cursor_report_in_origin_mode_is_relative_to_the_region() {
    let mut s = Screen::new(Winsize::new(24, 80));
    assert_eq!(s.feed(b"\x1b[5;20r\x1b[?6h\x1b[3;4H\x1b[6n"), b"\x1b[3;4R");
    assert_eq!(s.cursor(), (6, 3));
    assert_eq!(s.feed(b"\x1b[?6l\x1b[r\x1b[3;4H\x1b[6n"), b"\x1b[3;4R");
    assert_eq!(s.cursor(), (2, 3));
}

#[test]
fn title_alternate_screen_and_reset() {
    let mut s = Screen::new(Winsize::new(5, 20));
    assert_eq!(s.title(), "");
    s.feed(b"\x1b]0;first\x07");
    assert_eq!(s.title(), "first");
    s.feed(b"\x1b[22t\x1b]2;second\x1b\\");
    assert_eq!(s.title(), "second");
    s.feed(b"\x1b[23t");
    assert_eq!(s.title(), "first", "popped from the title stack");
    s.feed(b"shell\x1b[?1049h\x1b[Hfull");
    assert!(s.alternate_screen());
    assert_eq!(s.row(0), "full");
    s.feed(b"\x1b[?1049l");
    assert!(!s.alternate_screen());
    assert_eq!(s.row(0), "shell");
    s.feed(b"\x1bc");
    assert_eq!((s.title(), s.row(0).as_str()), ("", ""), "a full reset forgets the title");
}

#[test]
fn alternate_screen_modes_47_1047_and_cursor_save_1048() {
    for mode in ["47", "1047"] {
        let mut s = Screen::new(Winsize::new(3, 20));
        s.feed(format!("main\x1b[?{mode}h\x1b[Halt").as_bytes());
        assert!(s.alternate_screen(), "mode {mode}");
        assert_eq!(s.row(0), "alt");
        s.feed(format!("\x1b[?{mode}l").as_bytes());
        assert_eq!((s.alternate_screen(), s.row(0).as_str()), (false, "main"), "mode {mode}");
    }
    let s = screen(3, 20, b"ab\x1b[?1048h\x1b[3;5H\x1b[?1048lc");
    assert_eq!(s.row(0), "abc");
}

#[test]
fn generation_moves_only_on_visible_change() {
    let mut s = Screen::new(Winsize::new(5, 20));
    let mut last = s.generation();
    let mut changed = |s: &mut Screen, bytes: &[u8]| {
        s.feed(bytes);
        let now = s.generation();
        let moved = now != last;
        last = now;
        moved
    };
    assert!(changed(&mut s, b"\x1b[Hhello"));
    assert!(!changed(&mut s, b"\x1b[Hhello"), "the same frame again");
    assert!(!changed(&mut s, b"\x1b[1;31m\x1b[0m"), "a style with nothing written");
    assert!(!changed(&mut s, b""), "nothing");
    assert!(changed(&mut s, b"\x1b[3;3H"), "the cursor moved");
    assert!(changed(&mut s, b"\x1b[?25l"), "the cursor was hidden");
    assert!(changed(&mut s, b"\x1b]2;t\x07"), "the title");
    assert!(!changed(&mut s, b"\x1b]2;t\x07"), "the same title");
    assert!(changed(&mut s, b"\x1b[H\x1b[31mhello"), "a colour");
    assert!(changed(&mut s, b"\x1b[5;1H\n"), "a scroll");
    assert!(changed(&mut s, b"\x1b]4;1;rgb:01/02/03\x07"), "the palette");
    assert!(changed(&mut s, b"\x1b[?1049h"), "the alternate screen");
    s.resize(Winsize::new(6, 20));
    assert!(changed(&mut s, b""), "a resize");
    s.resize(Winsize::new(6, 20));
    assert!(!changed(&mut s, b""), "a resize to the same size");
}

#[test]
fn wide_character_on_one_column_is_dropped() {
    // alacritty_terminal writes the second half past the end of a one-column row and panics.
    let mut s = Screen::new(Winsize::new(3, 1));
    s.feed("a漢b😀c".as_bytes());
    assert_eq!(s.text(), "a\nb\nc");
}

#[test]
fn resize_to_one_column_with_wide_characters() {
    // alacritty_terminal's reflow never ends on a wide character in one column: without the fix
    // this test exhausts memory.
    for alternate in [false, true] {
        let mut s = Screen::new(Winsize::new(4, 10));
        s.feed("ab漢字\r\n😀x".as_bytes());
        if alternate {
            s.feed("\x1b[?1049h\x1b[H漢alt".as_bytes());
        }
        s.resize(Winsize::new(4, 1));
        s.feed("漢y".as_bytes());
        s.resize(Winsize::new(4, 10));
        if alternate {
            s.feed(b"\x1b[?1049l");
            assert!(!s.alternate_screen());
        }
        s.feed(b"z");
        // Without scrollback, rows reflowed off the top are gone; the rest is there.
        assert_eq!(s.text().matches('\n').count(), 3);
        assert!(s.text().contains('z'), "{}", s.text());
    }
}

#[test]
fn combining_marks_are_bounded() {
    let mut s = Screen::new(Winsize::new(2, 10));
    s.feed(b"a");
    for _ in 0..1000 {
        s.feed("\u{301}".repeat(100).as_bytes());
    }
    let cell = s.cell(0, 0).expect("cell");
    assert_eq!(cell.text().chars().count(), 17, "the character and 16 marks");
}

#[test]
fn osc_strings_are_bounded() {
    let mut s = Screen::new(Winsize::new(2, 10));
    s.feed(b"\x1b]0;");
    for _ in 0..1000 {
        s.feed(&[b'x'; 10_000]);
    }
    s.feed(b"\x07after");
    assert_eq!(s.title().len(), 4094, "the first 4096 bytes of the string, less \"0;\"");
    assert_eq!(s.row(0), "after");
}

#[test]
fn hyperlinks_do_not_change_the_text() {
    let s = screen(2, 20, b"\x1b]8;;http://example.invalid/\x1b\\link\x1b]8;;\x1b\\ text");
    assert_eq!(s.row(0), "link text");
}

#[test]
fn title_stack_is_bounded() {
    let mut s = Screen::new(Winsize::new(2, 10));
    for i in 0..100_000 {
        s.feed(format!("\x1b]2;{i}\x07\x1b[22t").as_bytes());
    }
    assert_eq!(s.title(), "99999");
    s.feed(b"\x1b[23t");
    assert_eq!(s.title(), "9", "ten titles kept: the first ten pushes");
    for _ in 0..20 {
        s.feed(b"\x1b[23t");
    }
    assert_eq!(s.title(), "0");
}

#[test]
fn huge_parameters_clamp_as_in_xterm() {
    let s = screen(5, 20, b"\x1b[4294967296;99999999999Hx\x1b[4294967296Dy\x1b[99999@");
    assert_eq!(s.text(), "\n\n\n\ny");
    assert_eq!(s.cursor(), (4, 1));
    // Insert past the end of the row blanks the rest of it (tmux 3.3a leaves it).
    let s = screen(2, 20, b"z\x1b[1;20Hy\x1b[1;2H\x1b[100@");
    assert_eq!(s.row(0), "z");
}

#[test]
fn tabs_at_the_last_column_and_back_tabs() {
    let s = screen(3, 10, b"0123456789\t\rX");
    assert_eq!(s.text(), "X123456789\n\n");
    let s = screen(3, 10, b"0123456789\x1b[Zz");
    assert_eq!(s.row(0), "01234567z9");
    let s = screen(3, 40, b"\x1b[99999Iy\x1b[99999Zz");
    assert_eq!(s.row(0), "z                                      y");
    assert_eq!(s.cell(0, 1).expect("cell").text(), " ", "a tab leaves blanks, not '\\t'");
}

#[test]
fn synchronized_updates_show_at_once() {
    // vte would hold output back between ESC[?2026h and ESC[?2026l (or for 150 ms).
    let s = screen(2, 20, b"\x1b[?2026hinside");
    assert_eq!(s.row(0), "inside");
}

#[test]
fn invalid_utf8_shows_replacement_characters() {
    let s = screen(2, 10, b"a\xffb\xc3(c");
    assert_eq!(s.row(0), "a\u{fffd}b\u{fffd}(c");
}

#[test]
fn sizes_are_clamped() {
    assert_eq!(Screen::new(Winsize::new(0, 0)).size(), Winsize::new(1, 1));
    let mut s = Screen::new(Winsize::new(5000, 3));
    assert_eq!(s.size(), Winsize::new(MAX_DIMENSION, 3));
    s.resize(Winsize::new(2, 0));
    assert_eq!(s.size(), Winsize::new(2, 1));
    s.feed(b"ab");
    assert_eq!(s.text(), "a\nb");
}

#[test]
fn styled_text_tags_styled_runs() {
    let s = screen(3, 30, b"\x1b[1;31merr\x1b[0m ok \x1b[4m<u>\x1b[0m\r\n\x1b[7m \x1b[0m\r\n\x1b[38;2;1;2;3;48;5;9mX");
    assert_eq!(s.styled_text(), "<fg=1 bold>err</> ok <underline><<u></>\n<inverse> </>\n<fg=#010203 bg=9>X</>");
}

#[test]
fn svg_shows_colours_wide_characters_and_the_cursor() {
    let s = screen(2, 12, "\x1b[44m\x1b[1;31m<b>&\x1b[0m 漢 \x1b[7mi\x1b[0m".as_bytes());
    let svg = s.to_svg();
    assert!(svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"120\" height=\"40\""), "{svg}");
    assert!(svg.trim_end().ends_with("</svg>"));
    assert!(svg.contains(r##"fill="#0000ee""##), "blue background: {svg}");
    assert!(svg.contains(r##"fill="#cd0000" font-weight="bold">&lt;b&gt;&amp;</text>"##), "{svg}");
    assert!(svg.contains(r##"textLength="20" lengthAdjust="spacingAndGlyphs" fill="#e5e5e5">漢</text>"##), "{svg}");
    // Inverse: light background, dark text.
    assert!(svg.contains(r##"<rect x="80" y="0" width="10" height="20" fill="#e5e5e5"/>"##), "{svg}");
    assert!(svg
        .contains(r##"<text x="80" y="15" textLength="10" lengthAdjust="spacingAndGlyphs" fill="#000000">i</text>"##));
    // The cursor, after the text.
    assert!(svg.contains(r##"<rect x="90" y="0" width="10" height="20" fill="#e5e5e5"/>"##), "{svg}");
    // Underlines are lines (under blanks too); blanks are never text.
    let underlined = screen(2, 12, b"\x1b[4ma b\x1b[0m").to_svg();
    assert!(underlined.contains(r##"<rect x="0" y="18" width="30" height="1" fill="#e5e5e5"/>"##), "{underlined}");
    assert!(!underlined.contains("> <") && !underlined.contains(">a b<"), "{underlined}");
    let hidden = screen(2, 12, b"\x1b[?25l").to_svg();
    assert!(!hidden.contains("<rect x="), "no cursor when hidden: {hidden}");
}
