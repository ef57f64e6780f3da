//! `examples/script.rs`, the Python documentation's script(1) clone, behaves as the Python one:
//! the same messages, the same file layout (asctime header and footer around the raw session).

mod common;

use std::process::Stdio;

struct Ran {
    status: std::process::ExitStatus,
    stdout: Vec<u8>,
}

fn script(args: &[&str], input: &[u8], dir: &std::path::Path) -> Ran {
    use std::io::{Read, Write};
    let mut cmd = std::process::Command::new(common::example("script"));
    cmd.args(args).current_dir(dir).env("SHELL", "/bin/sh");
    let mut child = cmd.stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::null()).spawn().unwrap();
    child.stdin.take().unwrap().write_all(input).unwrap();
    let status = common::wait_std(&mut child, "script example");
    let mut stdout = Vec::new();
    child.stdout.take().unwrap().read_to_end(&mut stdout).unwrap();
    Ran { status, stdout }
}

/// `Sun Nov 29 14:44:12 2026`, as Python's time.asctime() prints it (day padded with a space).
fn is_asctime(s: &str) -> bool {
    let b = s.as_bytes();
    s.len() == 24
        && b[3] == b' '
        && b[7] == b' '
        && (b[8] == b' ' || b[8].is_ascii_digit())
        && b[9].is_ascii_digit()
        && &s[10..11] == " "
        && s[11..19].chars().enumerate().all(|(i, c)| if i % 3 == 2 { c == ':' } else { c.is_ascii_digit() })
        && s[20..].chars().all(|c| c.is_ascii_digit())
}

#[test]
fn records_a_session_like_the_python_example() {
    let dir = tempfile_dir();
    let out = script(&[], b"echo hello\n", dir.path());
    assert!(out.status.success(), "{:?}", out.status);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.starts_with("Script started, file is typescript\n"), "{stdout:?}");
    assert!(stdout.ends_with("Script done, file is typescript\n"), "{stdout:?}");
    let log = std::fs::read_to_string(dir.path().join("typescript")).unwrap();
    let first = log.lines().next().unwrap();
    assert!(first.starts_with("Script started on ") && is_asctime(&first[18..]), "{first:?}");
    let last = log.lines().last().unwrap();
    assert!(last.starts_with("Script done on ") && is_asctime(&last[15..]), "{last:?}");
    assert!(log.contains("hello\r\n"), "{log:?}");
    assert!(log.ends_with('\n'));
}

#[test]
fn append_and_python_options() {
    let dir = tempfile_dir();
    script(&["log"], b"echo one\n", dir.path());
    script(&["-a", "log"], b"echo two\n", dir.path());
    let log = std::fs::read_to_string(dir.path().join("log")).unwrap();
    assert_eq!(log.matches("Script started on ").count(), 2, "{log:?}");
    assert!(log.find("one\r\n").unwrap() < log.find("two\r\n").unwrap());
    let out = script(&["-p", "py"], b"print(6 * 7)\n", dir.path());
    assert!(out.status.success(), "{:?}", out.status);
    let log = std::fs::read_to_string(dir.path().join("py")).unwrap();
    assert!(log.contains("42\r\n"), "python3 ran as the shell: {log:?}");
}

fn tempfile_dir() -> tempfile::TempDir {
    tempfile::tempdir().expect("tempdir")
}
