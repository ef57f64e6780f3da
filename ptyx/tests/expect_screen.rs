//! A session's screen (feature `screen`): queries answered, `TERM`, the opt-out, resizes through
//! the session and through the child, the waits and their errors, and the async session alike.
#![cfg(feature = "screen")]

use std::io::ErrorKind;
use std::time::{Duration, Instant};

use ptyx::expect::{Eof, Session};
use ptyx::{Command, Winsize};

fn sh(script: &str) -> Command {
    let mut c = Command::new("sh");
    c.args(["-c", script]);
    c
}

fn session(command: &mut Command) -> Session {
    let mut s = Session::spawn(command).unwrap();
    s.set_timeout(Some(Duration::from_secs(30)));
    s
}

#[test]
fn the_programs_queries_are_answered_so_it_neither_hangs_nor_waits() {
    // Cursor position (DSR 6) after moving to row 3, column 5; then device attributes (DA1).
    let script = r##"stty raw -echo; printf '\033[3;5H\033[6n'; r=$(dd bs=1 count=6 2>/dev/null | od -An -c | tr -d ' \n');
        printf '\033[c'; d=$(dd bs=1 count=5 2>/dev/null | od -An -c | tr -d ' \n'); stty sane; echo; echo "dsr=$r da=$d""##;
    let mut s = session(&mut sh(script));
    let start = Instant::now();
    s.expect("dsr=033[3;5R da=033[?6c").unwrap();
    assert!(start.elapsed() < Duration::from_secs(5), "{:?}", start.elapsed());
}

#[test]
fn term_is_what_the_screen_emulates_unless_the_command_sets_it() {
    let mut s = session(&mut sh("echo \"term=$TERM.\""));
    s.expect("term=xterm-256color.").unwrap();
    let mut s = session(sh("echo \"term=$TERM.\"").env("TERM", "vt100"));
    s.expect("term=vt100.").unwrap();
    // Without a screen the environment is the command's own.
    let mut s = Session::spawn_without_screen(sh("echo \"term=${TERM-unset}.\"").env_remove("TERM")).unwrap();
    s.expect("term=unset.").unwrap();
    assert_eq!(s.wait_for_text("x").unwrap_err().kind(), ErrorKind::Unsupported);
    assert_eq!(s.screen().text().trim(), "", "a session without a screen feeds none");
}

#[test]
fn the_screen_follows_resizes_through_the_session_and_through_the_child() {
    let mut s = session(
        sh("trap 'stty size' WINCH; echo ready; while :; do sleep 0.05; done").window_size(Winsize::new(24, 80)),
    );
    s.wait_for_text("ready").unwrap();
    s.resize(Winsize::new(30, 100)).unwrap();
    assert_eq!(s.screen().size(), Winsize::new(30, 100), "Session::resize resizes the screen at once");
    s.wait_for_text("30 100").unwrap();
    // Through the child: the session sees the pty's size before it feeds the next output.
    s.child_mut().resize(Winsize::new(12, 40)).unwrap();
    s.wait_for_text("12 40").unwrap();
    assert_eq!(s.screen().size(), Winsize::new(12, 40));
}

#[test]
fn wait_for_stable_waits_at_least_its_quiet_time_and_the_waits_say_what_was_on_screen() {
    let mut s = session(&mut sh("printf 'one\\n'; sleep 0.3; printf 'two\\n'; sleep 30"));
    s.wait_for_text("one").unwrap();
    let start = Instant::now();
    s.wait_for_stable(Duration::from_millis(500)).unwrap();
    let took = start.elapsed();
    // "two" came 0.3 s in and reset the quiet time.
    assert!(took >= Duration::from_millis(700), "{took:?}");
    assert_eq!(s.screen().row(1), "two");
    s.set_timeout(Some(Duration::from_millis(300)));
    let err = s.wait_for_text("three").unwrap_err();
    assert_eq!(err.kind(), ErrorKind::TimedOut);
    let text = err.to_string();
    assert!(text.contains("\"three\"") && text.contains("  0|one") && text.contains("  1|two"), "{text}");
}

#[test]
fn a_wait_the_end_of_output_makes_hopeless_fails_at_once_with_the_screen() {
    let mut s = session(&mut sh("echo bye"));
    let err = s.wait_for_text("hello").unwrap_err();
    assert_eq!(err.kind(), ErrorKind::UnexpectedEof);
    assert!(err.to_string().contains("  0|bye"), "{err}");
    s.expect(Eof).unwrap();
}

#[test]
fn the_output_a_session_reads_for_expect_draws_the_screen_too() {
    let mut s = session(&mut sh("printf 'abc\\rX\\n\\033[1;31mred\\033[0m\\n'; sleep 30"));
    s.expect("red").unwrap();
    assert_eq!(s.screen().row(0), "Xbc");
    let red = s.screen().cell(1, 0).unwrap();
    assert_eq!((red.text(), red.fg(), red.bold()), ("r", ptyx::screen::Color::Indexed(1), true));
    assert!(s.screen().to_svg().starts_with("<svg"));
}

#[cfg(feature = "tokio")]
#[test]
fn the_async_session_keeps_the_same_screen() {
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    rt.block_on(async {
        let script = "printf 'abc\\rX\\n'; printf '\\033[6n'; sleep 30";
        let mut s = ptyx::expect::AsyncSession::spawn(&mut sh(script)).unwrap();
        s.wait_for_text("Xbc").await.unwrap();
        s.wait_for_stable(Duration::from_millis(100)).await.unwrap();
        let mut sync = session(&mut sh(script));
        sync.wait_for_text("Xbc").unwrap();
        sync.wait_for_stable(Duration::from_millis(100)).unwrap();
        assert_eq!(s.screen().text(), sync.screen().text());
        assert_eq!(s.screen().cursor(), sync.screen().cursor());
    });
}
