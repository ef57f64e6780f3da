//! Real programs on a `Screen`, compared with tmux: the same program at the same size, the same
//! environment (`TERM=xterm-256color`, a UTF-8 locale), the same input bytes; after every step the
//! screen text and cursor (and, where said, colours and attributes) must be the same on both sides.
//! tmux is the reference: what `tmux capture-pane` shows is what a person sees.
#![cfg(feature = "screen")]

mod common;
mod screen_support;

use ptyx::Winsize;
use screen_support::{have, Twin};

const UP: &[u8] = b"\x1b[A";
const LEFT: &[u8] = b"\x1b[D";
const RIGHT: &[u8] = b"\x1b[C";
const DELETE: &[u8] = b"\x1b[3~";
const ESC: &[u8] = b"\x1b";

fn bash(size: Winsize) -> Twin {
    let mut twin = Twin::start(size, &["bash", "--norc", "--noprofile"]);
    twin.settle("$");
    twin
}

#[test]
fn bash_readline_editing_and_history() {
    if !have("tmux") || !have("bash") {
        return;
    }
    let mut t = bash(Winsize::new(10, 40));
    t.step(b"echo hello world", "hello world");
    // Move left over "world", insert, delete forwards and backwards.
    t.step(&LEFT.repeat(5), "hello world");
    t.step(b"big ", "hello big world");
    t.step(DELETE, "hello big orld");
    t.step(b"\x7f\x7fW", "hello biWorld");
    t.step(b"\x01# ", "# echo");
    t.step(b"\x05!", "biWorld!");
    t.step(b"\r", "$ # echo hello biWorld!\n$");
    t.step(b"echo one two three\r", "one two three\n$");
    // History: the previous line, edited.
    t.step(UP, "$ echo one two three");
    t.step(&[LEFT.repeat(5), b"2 ".to_vec()].concat(), "one two 2 three");
    t.step(b"\r", "one two 2 three\n$");
    // A line longer than the terminal wraps; moving back over the wrap.
    let long = format!("echo {}", "x".repeat(50));
    t.step(long.as_bytes(), "xxxxx");
    t.step(&LEFT.repeat(20), "xxxxx");
    t.step(b"YY", "YY");
    t.step(&RIGHT.repeat(3), "YY");
    t.step(b"\r", "YY");
    // Reverse search.
    t.step(b"\x12two", "(reverse-i-search)");
    t.step(b"\x07", "$");
}

#[test]
fn colours_and_cursor_movement() {
    if !have("tmux") || !have("bash") {
        return;
    }
    let mut t = bash(Winsize::new(12, 60));
    let script = concat!(
        r"printf '\e[31mred \e[1;32mbold green\e[0m \e[4munder\e[24m \e[7minverse\e[27m \e[3mitalic\e[0m\n';",
        r"printf '\e[38;5;208m208 \e[48;5;21mon 21\e[0m \e[38;2;10;200;30mtrue\e[0m \e[9mstrike\e[0m \e[2mdim\e[0m\n';",
        r"printf '\e[s\e[5;20H\e[44m moved \e[0m\e[u';",
        r"printf 'back\e[2A\e[10Cup\e[1B\e[3Ddown\n\n\n';",
        r"printf '\e[97;41m bright on red \e[K\e[0m\n';",
        "echo done\r",
    );
    t.step(script.as_bytes(), "done\n$");
    t.settle_styled("done");
}

#[test]
fn wide_characters() {
    if !have("tmux") || !have("bash") {
        return;
    }
    let mut t = bash(Winsize::new(8, 30));
    t.step("printf '漢字テスト|😀|👍🏽|e\\u0301|ok\\n'\r".as_bytes(), "ok\n$");
    // Wide characters reaching the right edge wrap whole.
    t.step("printf 'abcdefghijklmnopqrstuvwxyz漢字漢字\\n'\r".as_bytes(), "字\n$");
    // Typing them into readline and moving over them.
    t.step("echo 日本語テキスト".as_bytes(), "日本語");
    t.step(&LEFT.repeat(3), "日本語");
    t.step(b"X", "X");
    t.step(b"\x7f\x7f", "$ echo");
    t.step(b"\r", "$");
}

/// vim without any configuration, no swap or viminfo file, and a lone ESC taken as ESC at once
/// (otherwise vim waits a second for the rest of a key code, and the next keys would join it).
fn vim(file: &str) -> Vec<&str> {
    vec!["vim", "-u", "NONE", "-N", "-i", "NONE", "-n", "--cmd", "set ttimeout ttimeoutlen=10", file]
}

fn numbered(n: usize) -> String {
    (1..=n).map(|i| format!("line {i:03} of the file\n")).collect()
}

#[test]
fn vim_editing() {
    if !have("tmux") || !have("vim") {
        return;
    }
    let mut t = Twin::start(Winsize::new(24, 80), &vim("notes.txt"));
    t.settle("notes.txt");
    t.step(b"ihello", "hello");
    t.step(ESC, "hello");
    assert_eq!(t.pty.screen().row(0), "hello");
    assert_eq!(t.pty.screen().cursor(), (0, 4));
    t.step(b"o\tindented\x1b", "indented");
    t.step(b"Osecond line\x1b", "second line");
    t.step(b"ggdd", "second line");
    t.step(b":set number\r", "  1 second line");
    t.step(b"Gyy5p", "  7");
    t.step(b":%s/line/LINE/\r", "LINE");
    t.step(b"u", "1 change; before");
    t.quit(b":q!\r");
}

#[test]
fn vim_scrolling_uses_scroll_regions() {
    if !have("tmux") || !have("vim") {
        return;
    }
    let home = tempfile::tempdir().expect("tempdir");
    std::fs::write(home.path().join("long.txt"), numbered(200)).expect("write long.txt");
    let mut t = Twin::start_in(home, Winsize::new(20, 60), &vim("long.txt"));
    t.settle("line 001");
    // Split windows make vim scroll a part of the screen: a scrolling region.
    t.step(b":split\r", "line 001");
    t.step(&b"\x05".repeat(3), "line 004");
    t.step(b"\x04", "line 0");
    t.step(&b"\x19".repeat(2), "line 0");
    t.step(b"\x17j50G", "line 050");
    t.step(&b"j".repeat(12), "line 062");
    t.step(&b"k".repeat(15), "line 047");
    t.quit(b":q!\r:q!\r");
}

#[test]
fn alternate_screen_shell_back_after_vim() {
    if !have("tmux") || !have("vim") || !have("bash") {
        return;
    }
    let mut t = bash(Winsize::new(15, 50));
    t.step(b"echo before vim\r", "before vim\n$");
    t.step(b"vim -u NONE -N -i NONE -n --cmd 'set ttimeout ttimeoutlen=10' x.txt\r", "x.txt");
    assert!(t.pty.screen().alternate_screen());
    t.step(b"ifull screen text\x1b", "full screen text");
    t.step(b":q!\r", "before vim");
    assert!(!t.pty.screen().alternate_screen());
    assert!(!t.pty.screen().text().contains("full screen text"));
    t.step(b"echo after\r", "after\n$");
}

#[test]
fn less_paging_and_search() {
    if !have("tmux") || !have("less") {
        return;
    }
    let home = tempfile::tempdir().expect("tempdir");
    let mut text = numbered(120);
    text.push_str("漢字 and emoji 😀 in less\n");
    std::fs::write(home.path().join("file.txt"), text).expect("write file.txt");
    let mut t = Twin::start_in(home, Winsize::new(20, 50), &["less", "file.txt"]);
    t.settle("line 001");
    t.step(b" ", "line 020");
    t.step(b"j", "line 021");
    t.step(b"/line 07\r", "line 070");
    t.step(b"n", "line 071");
    t.step(b"G", "emoji");
    t.step(b"g", "line 001");
    t.quit(b"q");
}

#[test]
fn top_full_screen() {
    if !have("tmux") || !have("top") {
        return;
    }
    // One sleeping process, so that both tops show the same rows; the summary lines (clock,
    // load, CPU, memory: different at every instant) are toggled off before comparing.
    let mut sleeper = std::process::Command::new("sleep").arg("600").spawn().expect("start sleep");
    let pid = sleeper.id().to_string();
    let mut t = Twin::start(Winsize::new(12, 90), &["top", "-d", "3600", "-p", &pid]);
    t.wait_both("PID");
    // One key at a time, each after the last one's redraw: under tmux, keys typed ahead were seen
    // to be lost (top reads them in one go and acts on the first). `t` and `m` cycle through four views each; the fourth
    // is off.
    for key in [b"l", b"t", b"t", b"t", b"m", b"m", b"m"] {
        t.send_and_wait(key);
    }
    t.settle("sleep");
    t.quit(b"q");
    let _ = sleeper.kill();
    let _ = sleeper.wait();
}

#[test]
fn dialog_line_drawing() {
    if !have("tmux") || !have("dialog") {
        return;
    }
    let mut t = Twin::start(
        Winsize::new(16, 50),
        &["dialog", "--title", "Boxes", "--yesno", "Line-drawing characters, curses style?", "8", "40"],
    );
    let text = t.settle("Boxes");
    assert!(text.contains('┌') && text.contains('─') && text.contains('┘'), "box corners:\n{text}");
    t.step(b"\t", "Boxes");
    t.settle_styled("Boxes");
}

#[test]
fn whiptail_line_drawing() {
    if !have("tmux") || !have("whiptail") {
        return;
    }
    let mut t = Twin::start(
        Winsize::new(16, 50),
        &[
            "whiptail", "--title", "Menu", "--menu", "Pick one", "12", "40", "3", "a", "first", "b", "second", "c",
            "third",
        ],
    );
    let text = t.settle("Menu");
    assert!(text.contains('│') && text.contains('┐'), "box sides:\n{text}");
    t.step(b"\x1b[B", "second");
    t.step(b"\x1b[B", "third");
}

#[test]
fn resize_while_vim_runs() {
    if !have("tmux") || !have("vim") {
        return;
    }
    let home = tempfile::tempdir().expect("tempdir");
    std::fs::write(home.path().join("long.txt"), numbered(100)).expect("write long.txt");
    let mut t = Twin::start_in(home, Winsize::new(24, 80), &vim("long.txt"));
    t.settle("line 001");
    t.step(b":set number\r", "  1 line 001");
    t.resize(Winsize::new(30, 100));
    t.settle("line 029");
    assert_eq!(t.pty.screen().size(), Winsize::new(30, 100));
    t.resize(Winsize::new(10, 30));
    t.settle("line 009");
    t.step(b"G", "line 100");
    t.resize(Winsize::new(24, 80));
    t.settle("line 100");
    t.quit(b":q!\r");
}
