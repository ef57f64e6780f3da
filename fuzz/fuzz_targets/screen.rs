//! Any bytes, split anywhere, at any size, with resizes in between: the screen never panics, and
//! what it reports stays consistent (`cargo fuzz run screen -s none`; see `notes/screen.md`).
#![no_main]

use libfuzzer_sys::fuzz_target;
use ptyx::screen::Screen;
use ptyx::Winsize;

fuzz_target!(|data: &[u8]| {
    let [rows, cols, rest @ ..] = data else { return };
    let mut screen = Screen::new(Winsize::new(u16::from(*rows % 40), u16::from(*cols)));
    // 0xFE never occurs in UTF-8: here it starts a resize to the next two bytes' size.
    for (i, chunk) in rest.split(|&b| b == 0xfe).enumerate() {
        let chunk = match (i, chunk) {
            (0, _) => chunk,
            (_, [r, c, tail @ ..]) => {
                screen.resize(Winsize::new(u16::from(*r % 60), u16::from(*c)));
                tail
            }
            _ => chunk,
        };
        // Half in one piece, the rest byte by byte: sequences split at every point.
        let (head, tail) = chunk.split_at(chunk.len() / 2);
        let _ = screen.feed(head).len();
        for b in tail {
            let _ = screen.feed(std::slice::from_ref(b)).len();
        }
        let size = screen.size();
        let (row, col) = screen.cursor();
        assert!(row < size.rows && col < size.cols);
        assert_eq!(screen.text().matches('\n').count(), usize::from(size.rows) - 1);
    }
    let _ = (screen.styled_text(), screen.to_svg());
});
