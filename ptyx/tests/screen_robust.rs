//! Any input, any size: the screen never panics, keeps its invariants, and its memory stays
//! bounded by its size whatever a program writes (a property test, plus long adversarial streams
//! measured by resident memory). `fuzz/` has the coverage-guided form of the same check.
#![cfg(feature = "screen")]

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

use proptest::prelude::*;
use ptyx::screen::Screen;
use ptyx::Winsize;

/// Pieces that make up terminal output, valid or broken: text, controls, escape sequences whole
/// and cut, huge parameters, wide characters and marks, mode switches, queries.
const PIECES: &[&[u8]] = &[
    b"a",
    b"Z",
    b" ",
    b"~",
    b"\r",
    b"\n",
    b"\t",
    b"\x08",
    b"\x07",
    b"\x0e",
    b"\x0f",
    b"\x1b",
    b"\x1b[",
    b"\x1b]",
    b"\x1bP",
    b"\x1b(0",
    b"\x1b(B",
    b"\x1b)0",
    b"\x1b#8",
    b"\x1bc",
    b"\x1b7",
    b"\x1b8",
    b"\x1bM",
    b"\x1bD",
    b"\x1bE",
    b"\x1bH",
    b"[",
    b"?",
    b";",
    b":",
    b"0",
    b"1",
    b"9",
    b"999999999",
    b"4294967296",
    b"m",
    b"H",
    b"J",
    b"K",
    b"r",
    b"@",
    b"P",
    b"L",
    b"M",
    b"X",
    b"b",
    b"S",
    b"T",
    b"Z",
    b"I",
    b"g",
    b"G",
    b"d",
    b"h",
    b"l",
    b"n",
    b"c",
    b"t",
    b"q",
    b"1049",
    b"47",
    b"1047",
    b"2026",
    b"25",
    b"6",
    b"7",
    b"4",
    b"22",
    b"23",
    b"\x07",
    b"\x1b\\",
    b"\x9b",
    b"\xff",
    b"\xc3",
    b"\xa9",
    "漢".as_bytes(),
    "😀".as_bytes(),
    "\u{301}".as_bytes(),
    "\u{ad}".as_bytes(),
    "\u{200d}".as_bytes(),
    b"\x1b]0;title\x07",
    b"\x1b]8;;u\x1b\\",
    b"\x1b]4;1;?\x07",
    b"\x1b]11;?\x07",
    b"\x1b[6n",
    b"\x1b[c",
    b"\x1b[>c",
    b"\x1b[14t",
    b"\x1b[18t",
    b"\x1b[?1049$p",
    b"\x1b[38;5;",
    b"\x1b[48;2;1;2;",
    b"\x1b[99999b",
];

fn input() -> impl Strategy<Value = Vec<u8>> {
    prop::collection::vec(prop_oneof![4 => prop::sample::select(PIECES).prop_map(<[u8]>::to_vec), 1 => prop::collection::vec(any::<u8>(), 0..8)], 0..120)
        .prop_map(|pieces| pieces.concat())
}

fn size() -> impl Strategy<Value = Winsize> {
    prop_oneof![
        4 => (1u16..8, 1u16..12).prop_map(|(r, c)| Winsize::new(r, c)),
        1 => (0u16..60, 0u16..200).prop_map(|(r, c)| Winsize::new(r, c)),
    ]
}

/// What must hold after any input.
fn check(s: &Screen) {
    let size = s.size();
    assert!(size.rows >= 1 && size.cols >= 1);
    let text = s.text();
    assert_eq!(text.matches('\n').count(), usize::from(size.rows) - 1);
    let (row, col) = s.cursor();
    assert!(row < size.rows && col < size.cols, "cursor {:?} in {size:?}", s.cursor());
    for r in 0..size.rows {
        // The row is its cells' texts, trailing blanks trimmed.
        let mut cells = String::new();
        for c in 0..size.cols {
            let cell = s.cell(r, c).expect("a cell inside the screen");
            assert!(cell.text().chars().count() <= 17, "a character and at most 16 marks");
            assert_eq!(cell.text().is_empty(), cell.is_wide_continuation());
            cells.push_str(cell.text());
        }
        assert_eq!(s.row(r), cells.trim_end_matches(' '));
    }
    assert!(s.cell(size.rows, 0).is_none() && s.cell(0, size.cols).is_none());
    let _ = (s.styled_text(), s.to_svg(), s.title(), s.alternate_screen(), s.generation());
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 500, ..ProptestConfig::default() })]

    #[test]
    fn any_input_in_any_pieces_at_any_size(
        first in size(),
        chunks in prop::collection::vec((input(), prop::option::of(size())), 1..6),
    ) {
        let mut s = Screen::new(first);
        for (bytes, resize) in &chunks {
            // Split at every byte boundary class: the whole chunk, then its bytes one by one.
            let replies = s.feed(bytes).len();
            prop_assert!(replies <= 1 << 20);
            if let Some(size) = resize {
                s.resize(*size);
            }
            check(&s);
        }
        // The same input split into single bytes draws the same screen.
        let mut whole = Screen::new(first);
        let mut bytewise = Screen::new(first);
        for (bytes, resize) in &chunks {
            whole.feed(bytes);
            for b in bytes {
                bytewise.feed(std::slice::from_ref(b));
            }
            if let Some(size) = resize {
                whole.resize(*size);
                bytewise.resize(*size);
            }
        }
        prop_assert_eq!(whole.text(), bytewise.text());
        prop_assert_eq!(whole.cursor(), bytewise.cursor());
    }
}

#[test]
fn extreme_sizes() {
    for (rows, cols) in [(1, 1), (1, 1000), (1000, 1), (500, 1000), (1000, 500), (2, 2)] {
        let mut s = Screen::new(Winsize::new(rows, cols));
        s.feed(
            "\x1b[999999999;999999999Hx漢\u{301}\x1b[99999@\x1b[99999L\x1b[?1049h漢字\x1b[99999b\r\n\x1b[S".as_bytes(),
        );
        check(&s);
        s.resize(Winsize::new(cols, rows));
        s.feed("漢字😀 text\r\n".repeat(50).as_bytes());
        check(&s);
        s.resize(Winsize::new(1, 1));
        check(&s);
    }
}

/// The system allocator, counting the bytes live on each thread: what one screen holds, whatever
/// the tests on other threads allocate.
struct Counting;

thread_local! {
    static LIVE: Cell<isize> = const { Cell::new(0) };
}

// SAFETY: every call is passed to `System` unchanged; the counter is a plain thread-local cell
// (const-initialised: touching it allocates nothing and cannot re-enter the allocator).
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let _ = LIVE.try_with(|l| l.set(l.get() + layout.size() as isize));
        // SAFETY: the caller's guarantees for `alloc` are passed on.
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        let _ = LIVE.try_with(|l| l.set(l.get() - layout.size() as isize));
        // SAFETY: the caller's guarantees for `dealloc` are passed on.
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let _ = LIVE.try_with(|l| l.set(l.get() - layout.size() as isize + new_size as isize));
        // SAFETY: the caller's guarantees for `realloc` are passed on.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

fn live() -> isize {
    LIVE.with(Cell::get)
}

#[test]
fn memory_stays_bounded_under_endless_sequences() {
    // Each stream is 16 MiB of something a parser might keep: one endless OSC string, endless
    // combining marks on one cell, endless parameters, a DCS string, title pushes, hyperlinks on
    // every cell, queries nobody answers. After a warm-up, none may add 1 MiB to what the
    // screen holds.
    let streams: Vec<(&str, Vec<u8>, Vec<u8>)> = vec![
        ("osc", b"\x1b]0;".to_vec(), b"x".repeat(1 << 16)),
        ("marks", b"a".to_vec(), "\u{301}".repeat(1 << 15).into_bytes()),
        ("params", b"\x1b[".to_vec(), b"1;".repeat(1 << 15)),
        ("dcs", b"\x1bPq".to_vec(), b"#0;2;0;0;0~".repeat(1 << 12)),
        ("titles", Vec::new(), b"\x1b]2;a title of some length\x07\x1b[22t".repeat(1 << 11)),
        (
            "links",
            Vec::new(),
            (0..4096).flat_map(|i| format!("\x1b]8;;http://x.invalid/{i}\x1b\\x").into_bytes()).collect(),
        ),
        ("queries", Vec::new(), b"\x1b[6n\x1b[c\x1b]11;?\x07".repeat(1 << 12)),
    ];
    for (name, start, chunk) in streams {
        let mut s = Screen::new(Winsize::new(50, 200));
        s.feed(&start);
        // Warm up (the allocator's pools, the grid), then measure what 64 MiB more adds.
        for _ in 0..(4 << 20) / chunk.len() {
            s.feed(&chunk);
        }
        let before = live();
        let mut most = before;
        for _ in 0..(16 << 20) / chunk.len() {
            s.feed(&chunk);
            most = most.max(live());
        }
        let grew = most - before;
        assert!(grew < 1 << 20, "{name}: the screen's memory grew by {} KiB over 16 MiB of input", grew >> 10);
        check(&s);
    }
}
