//! Testing a full-screen program by what a person sees: start it on a pty with a screen, wait for
//! its first frame, press keys, check rows and a cell's colour, save a picture of the screen.
//!
//! The program here is a small curses menu (Python's `curses`): a box, a bold title, three items,
//! the selected one highlighted; `j`/`k` move, Enter picks. Run with
//! `cargo run -p ptyx --features screen --example screen_test` (it needs python3); it writes
//! `screen_test.svg` in the system's temp directory.
//!
//! With the `screen` feature every `Session` keeps the screen its program draws, answers the
//! program's terminal queries, and gives it `TERM=xterm-256color` (what the screen emulates).

use std::time::Duration;

use ptyx::expect::Session;
use ptyx::screen::Color;
use ptyx::{Command, Winsize};

const MENU: &str = r#"
import curses
def main(w):
    curses.curs_set(0)
    curses.start_color()
    curses.init_pair(1, curses.COLOR_BLACK, curses.COLOR_CYAN)
    curses.init_pair(2, curses.COLOR_RED, curses.COLOR_BLACK)
    items, sel = ["apple", "banana", "cherry"], 0
    while True:
        w.erase()
        w.box()
        w.addstr(0, 2, " Pick a fruit ", curses.color_pair(2) | curses.A_BOLD)
        for i, item in enumerate(items):
            w.addstr(2 + i, 4, item.ljust(10), curses.color_pair(1) if i == sel else 0)
        w.refresh()
        key = w.getkey()
        if key == "j": sel = min(sel + 1, 2)
        elif key == "k": sel = max(sel - 1, 0)
        elif key == "\n": return items[sel]
print("picked", curses.wrapper(main))
"#;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut menu = Session::spawn(Command::new("python3").args(["-c", MENU]).window_size(Winsize::new(10, 30)))?;
    menu.set_timeout(Some(Duration::from_secs(10)));

    menu.wait_for_text("Pick a fruit")?;
    menu.wait_for_stable(Duration::from_millis(100))?;
    let screen = menu.screen();
    assert!(screen.alternate_screen());
    assert_eq!(screen.row(0), "┌─ Pick a fruit ─────────────┐");
    assert_eq!(screen.row(2), "│   apple                    │");
    let title = screen.cell(0, 3).expect("a cell");
    assert_eq!((title.text(), title.fg(), title.bold()), ("P", Color::Indexed(1), true));
    assert_eq!(screen.cell(2, 4).expect("a cell").bg(), Color::Indexed(6), "apple is highlighted");

    menu.send("j")?;
    menu.wait_until(|s| s.cell(3, 4).is_some_and(|c| c.bg() == Color::Indexed(6)))?;
    let screen = menu.screen();
    assert_ne!(screen.cell(2, 4).expect("a cell").bg(), Color::Indexed(6), "apple is not any more");
    let svg = std::env::temp_dir().join("screen_test.svg");
    std::fs::write(&svg, screen.to_svg())?;
    println!("{}\n\nsaved {}", screen.text(), svg.display());

    menu.send("\r")?;
    menu.wait_for_text("picked banana")?;
    assert!(!menu.screen().alternate_screen(), "the shell's screen is back");
    Ok(())
}
