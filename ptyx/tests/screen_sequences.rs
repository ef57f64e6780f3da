//! The screen model against tmux on control sequences one at a time: each case is written raw
//! (`stty raw`, then `cat`) to a tmux pane and to a ptyx pty feeding a `Screen` of the same size,
//! and the two must show the same text and cursor.
#![cfg(feature = "screen")]

mod common;
mod screen_support;

use ptyx::Winsize;
use screen_support::{have, Twin};

/// Writes `bytes` to a file, shows it raw on both sides, and compares.
fn check(name: &str, bytes: &[u8], rows: u16, cols: u16) {
    let home = tempfile::tempdir().expect("tempdir");
    let mut data = bytes.to_vec();
    // A marker at the end tells when all of it is on both screens; it goes to the last row so
    // that it cannot overwrite the case's output.
    data.extend_from_slice(format!("\x1b7\x1b[{rows};1H@@\x1b8").as_bytes());
    std::fs::write(home.path().join("case"), &data).expect("write case");
    let mut twin =
        Twin::start_in(home, Winsize::new(rows, cols), &["sh", "-c", "stty raw -echo; cat case; exec sleep 1000"]);
    let _ = twin.settle("@@");
    eprintln!("{name}: same");
}

macro_rules! cases {
    ($($name:ident: $bytes:expr, $rows:expr, $cols:expr;)*) => {$(
        #[test]
        fn $name() {
            if !have("tmux") {
                return;
            }
            let bytes: Vec<u8> = $bytes.into();
            check(stringify!($name), &bytes, $rows, $cols);
        }
    )*};
}

cases! {
    wrap: "0123456789abcdefghij".repeat(3), 5, 25;
    colours_and_cup: "\x1b[31mred\x1b[0m \x1b[1;44mbold\x1b[m\x1b[3;5Hat35\x1b[H", 5, 20;
    cursor_moves: "abc\x1b[2Bdef\x1b[1Aghi\x1b[10Dj\x1b[5Ck\x1b[999999999Cz", 5, 20;
    // tmux ignores a sequence with a parameter above INT_MAX where xterm (and vte) clamp it to
    // 65535: `screen_model.rs` tests those.
    // (nor ICH past the end of the row: tmux 3.3a leaves the row alone, and exits at ESC[65536@)
    huge_parameters: "\x1b[999999999;999999999Hx\x1b[99999999Ay\x1b[2147483647Dz", 5, 20;
    huge_counts: "abc\r\ndef\r\nghi\x1b[1;2H\x1b[99999X\x1b[2;2H\x1b[99999P\x1b[3;1H\x1b[99999L\x1b[H\x1b[99999M", 5, 20;
    // (and no CHT/CBT with counts: tmux 3.3a mishandles them; `screen_model.rs` tests them)
    huge_repeat_and_scroll: "x\x1b[99999b\x1b[99999S\x1b[99999T\x1b[Hy", 5, 20;
    tab_at_pending_wrap: "0123456789\t\rX", 3, 10;
    back_tab_at_pending_wrap: "0123456789\x1b[Zz", 3, 10;
    dec_graphics_g0: "\x1b(0lqqk\r\nx  x\r\nmqqj\x1b(B ok", 5, 20;
    dec_graphics_g1_shift_out: "\x1b)0\x0elqqk\x0f ok \x0etquvwn\x0f", 3, 20;
    default_tabs: "a\tb\tc\r\n\t\tx", 4, 40;
    set_tab_stops: "\x1b[3g   \x1bH     \x1bH\r\ta\tb\tc", 3, 40;
    tab_over_text: "abcdefghij\r\tX", 3, 20;
    back_tab: "\x1b[30G\x1b[2Zx", 3, 40;
    combining_marks: "e\u{301}a\u{308}x", 3, 10;
    cjk: "漢字テスト ok", 3, 20;
    emoji: "a😀b👍c", 3, 10;
    wide_at_the_edge: "abcdefghi漢z", 4, 10;
    scroll_region: "1\r\n2\r\n3\r\n4\r\n5\x1b[2;4r\x1b[4;1H\nX\nY\x1b[2;1H\x1bMZ\x1b[r", 6, 10;
    insert_delete_lines: "a\r\nb\r\nc\r\nd\x1b[2;1H\x1b[L\x1b[4;1H\x1b[M", 5, 10;
    insert_delete_erase_chars: "abcdef\x1b[1;2H\x1b[2@\x1b[1;6H\x1b[P\x1b[1;1H\x1b[2X", 3, 10;
    erase_in_line_and_display: "aaaaa\r\nbbbbb\r\nccccc\x1b[2;3H\x1b[K\x1b[1;3H\x1b[1K\x1b[3;3H\x1b[1J", 4, 10;
    alternate_screen: "shell\x1b[?1049h\x1b[Hvim stuff\x1b[?1049lback", 4, 20;
    alternate_screen_47: "shell\x1b[?47h\x1b[Hother\x1b[?47l!", 4, 20;
    alternate_screen_1047: "shell\x1b[?1047h\x1b[Hother\x1b[?1047l!", 4, 20;
    save_restore_cursor: "ab\x1b7\x1b[3;3Hcd\x1b8ef", 4, 10;
    origin_mode: "\x1b[2;3r\x1b[?6h\x1b[1;1HO\x1b[5;1HP\x1b[?6l\x1b[r", 5, 10;
    autowrap_off: "\x1b[?7l0123456789abc\x1b[?7h", 3, 10;
    repeat_char: "x\x1b[5b", 3, 10;
    insert_mode: "abcd\x1b[1;2H\x1b[4hXY\x1b[4l", 3, 10;
    scroll_up_down: "1\r\n2\r\n3\x1b[S\x1b[3;1H\x1b[2T", 4, 10;
    cr_lf_bs: "abc\x08\x08X\rY\nZ", 4, 10;
    absolute_moves: "\x1b[3dA\x1b[5GB\x1b[2`C", 5, 10;
    background_colour_erase: "\x1b[44m\x1b[2J\x1b[Hx\x1b[0m", 3, 5;
    osc_title: "\x1b]0;my title\x07\x1b]2;t2\x1b\\text", 3, 10;
    screen_alignment: "\x1b#8", 3, 5;
    full_reset: "junk\x1bc", 3, 5;
    pending_wrap_then_cr: "0123456789\rX", 3, 10;
    pending_wrap_then_move: "0123456789\x1b[C!", 4, 10;
    index_and_next_line: "a\x1bEb\x1bDc", 4, 10;
    next_previous_line: "\x1b[3;5Ha\x1b[Eb\x1b[2Fc", 5, 10;
    erase_at_pending_wrap: "0123456789\x1b[K", 3, 10;
    delete_over_wide: "漢字abc\x1b[1;1H\x1b[P", 3, 10;
    insert_before_wide: "ab漢字\x1b[1;1H\x1b[2@", 3, 10;
    wrap_wide_scrolls: "\x1b[3;1H0123456789漢", 3, 10;
    newline_at_bottom_scrolls: "1\r\n2\r\n3\r\n4", 3, 10;
    reverse_index_at_top: "a\r\nb\x1b[H\x1bMc", 3, 10;
    truncated_sequence_at_end: "ab\x1b[3", 3, 10;
    ignored_unknown_sequences: "a\x1b[?9999hb\x1b[>4;2mc\x1bP+q544e\x1b\\d\x1b_apc\x1b\\e\x1b^pm\x1b\\f", 3, 20;
}
