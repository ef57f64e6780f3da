//! Many spawns in a row leave nothing behind: no descriptor, no zombie, no child. Counting this
//! process's descriptors and children needs a process of its own, so this is its own test binary,
//! and its tests take one lock.

mod common;

use common::{assert_nothing_left, open_fds, serial};
use ptyx::{Command, Relay};

#[test]
fn a_thousand_command_spawns_leak_no_fd_and_no_zombie() {
    let _s = serial();
    let before = open_fds();
    for i in 0..1000 {
        let mut child = Command::new("true").spawn().unwrap_or_else(|e| panic!("spawn {i}: {e}"));
        assert!(child.wait().unwrap().success());
    }
    assert_nothing_left(&before, "1000 x Command::spawn + wait");
}

#[test]
fn dropped_children_that_exited_leave_no_zombie() {
    let _s = serial();
    let before = open_fds();
    for _ in 0..200 {
        let child = Command::new("true").spawn().unwrap();
        let exited = common::pidfd(child.id());
        assert!(common::exits_within(&exited, common::TIMEOUT));
        drop(child);
    }
    assert_nothing_left(&before, "200 x Command::spawn + drop after exit");
}

#[test]
fn three_hundred_relays_via_output_leak_no_fd_and_no_zombie() {
    let _s = serial();
    let before = open_fds();
    for i in 0..300 {
        let out = Command::new("echo").arg(i.to_string()).output().unwrap();
        assert!(out.status.success());
        assert_eq!(out.output, format!("{i}\r\n").as_bytes());
    }
    assert_nothing_left(&before, "300 x Command::output (Relay::run)");
}

#[test]
fn failed_spawns_leak_no_fd() {
    let _s = serial();
    let before = open_fds();
    for _ in 0..200 {
        Command::new("ptyx-no-such-program").spawn().unwrap_err();
        Command::new("true").current_dir("/nonexistent/ptyx").spawn().unwrap_err();
        Relay::new(Command::new("ptyx-no-such-program")).input(None).output(None).run().unwrap_err();
    }
    assert_nothing_left(&before, "600 failed spawns");
}
