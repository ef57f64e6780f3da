//! `Session::interact` on a real terminal: the `interact` example runs on an outer pty the test
//! types at, as a person at a keyboard would.
#![cfg(feature = "expect")]

mod common;

use common::{example, Outer};

#[test]
fn interact_hands_the_session_over_until_the_escape_and_the_session_goes_on() {
    let mut user = Outer::start(example("interact"), &[], ptyx::Winsize::new(30, 100));
    let at = user.read_until("[your turn");
    user.write(b"stty size; echo typed-$((40 + 2))\r");
    // The pty took the user's terminal size, and the typed command ran in the session's shell.
    let at = user.read_until_from(at, "30 100\r\n");
    let at = user.read_until_from(at, "typed-42\r\n");
    user.write(b"\x1d");
    let at = user.read_until_from(at, "[back: Escape]");
    user.read_until_from(at, "shell: exit status: 0");
    user.read_to_end();
    assert!(user.wait().success(), "{:?}", user.out.text());
}

#[test]
fn interact_returns_when_the_program_ends() {
    let mut user = Outer::start(example("interact"), &[], ptyx::Winsize::new(24, 80));
    let at = user.read_until("[your turn");
    user.write(b"exit 5\r");
    user.read_until_from(at, "[back: Exited(");
    user.read_to_end();
    assert!(user.wait().success(), "{:?}", user.out.text());
    assert!(user.out.text().contains("shell: exit status: 5"), "{:?}", user.out.text());
}
