//! The child sees only fds 0, 1 and 2, even when the parent holds descriptors without
//! close-on-exec. This binary leaks 50 such descriptors (plus one at a high number) into its own
//! process on purpose, so it is a test binary of its own: no other test shares its process.

mod common;

use std::os::fd::AsRawFd;
use std::process::Stdio;
use std::sync::OnceLock;

use common::{run_pty, run_std, spawn_example};

/// The descriptors this process leaks without close-on-exec, created once.
fn leaked_fds() -> Vec<i32> {
    static FDS: OnceLock<Vec<i32>> = OnceLock::new();
    let fds = FDS.get_or_init(|| {
        let null = std::fs::File::open("/dev/null").unwrap();
        let mut fds = Vec::new();
        for _ in 0..50 {
            // SAFETY: dup(2) returns a new descriptor without FD_CLOEXEC, which we keep forever.
            let fd = unsafe { libc::dup(null.as_raw_fd()) };
            assert!(fd >= 0);
            fds.push(fd);
        }
        // One far above the others, for a child that would close only a small range.
        // SAFETY: dup2 onto a number this process does not use.
        let high = unsafe { libc::dup2(null.as_raw_fd(), 1000) };
        assert_eq!(high, 1000);
        fds.push(high);
        for &fd in &fds {
            // SAFETY: F_GETFD on our own descriptor.
            assert_eq!(unsafe { libc::fcntl(fd, libc::F_GETFD) } & libc::FD_CLOEXEC, 0);
        }
        fds
    });
    fds.clone()
}

fn fd_list(ls_output: &str) -> Vec<i32> {
    let mut fds: Vec<i32> = ls_output.split_whitespace().map(|s| s.parse().expect("fd number")).collect();
    fds.sort();
    fds
}

#[test]
fn control_an_ordinary_child_inherits_the_leaked_descriptors() {
    // Shows the tests below can fail: std's Command passes them on.
    let leaked = leaked_fds();
    let out = run_std("ls", &["/proc/self/fd"], Stdio::null(), None);
    let fds = fd_list(&out.stdout_str());
    for fd in leaked {
        assert!(fds.contains(&fd), "std's child should have inherited fd {fd}: {fds:?}");
    }
}

#[test]
fn command_child_sees_only_fds_0_1_2() {
    leaked_fds();
    let (out, status) = run_pty("ls", &["/proc/self/fd"]);
    assert!(status.success());
    // 3 is ls's own handle on the directory it lists.
    assert_eq!(fd_list(&out), [0, 1, 2, 3], "{out:?}");
}

#[test]
fn spawn_child_sees_only_fds_0_1_2() {
    // The spawn example inherits the leaked descriptors from this process; its child must not.
    leaked_fds();
    let out = run_std(spawn_example(), &["ls", "/proc/self/fd"], Stdio::null(), None);
    assert!(out.status.success(), "{out:?}");
    assert_eq!(fd_list(&out.stdout_str()), [0, 1, 2, 3], "{out:?}");
}
