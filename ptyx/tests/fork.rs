//! `ptyx::fork()` in a multithreaded test binary. Everything the child needs is built before the
//! fork; the child only calls async-signal-safe functions (getpid, getsid, tcgetpgrp, isatty,
//! ioctl, write, execv, _exit) and never returns into the test harness. A binary of its own, and
//! its tests take one lock, so no other test's descriptors are open in the forked child.

mod common;

use std::ffi::CString;
use std::io::Read;
use std::os::unix::process::ExitStatusExt;

use common::serial;
use ptyx::ForkResult;

/// Async-signal-safe write of a static message.
fn say(msg: &[u8]) {
    // SAFETY: write(2) from a valid buffer.
    unsafe { libc::write(1, msg.as_ptr().cast(), msg.len()) };
}

#[test]
fn fork_child_leads_a_session_on_the_pty_with_it_as_fds_0_1_2() {
    let _s = serial();
    // SAFETY: the child branch below only makes async-signal-safe calls and ends in _exit.
    match unsafe { ptyx::fork() }.unwrap() {
        ForkResult::Child => unsafe {
            let me = libc::getpid();
            if libc::getsid(0) != me {
                say(b"not a session leader\n");
            } else if libc::tcgetpgrp(0) != me {
                say(b"pty is not the controlling terminal with us in the foreground\n");
            } else if libc::isatty(0) != 1 || libc::isatty(1) != 1 || libc::isatty(2) != 1 {
                say(b"fds 0, 1, 2 are not all the terminal\n");
            } else {
                // No pty master may be open in the child (TIOCGPTN works only on masters), and
                // no other terminal descriptor than 0, 1, 2.
                let mut stray = false;
                for fd in 3..1024 {
                    let mut n: libc::c_uint = 0;
                    if libc::ioctl(fd, libc::TIOCGPTN, &mut n) == 0 || libc::isatty(fd) == 1 {
                        stray = true;
                    }
                }
                if stray {
                    say(b"a pty descriptor besides 0, 1, 2 is open\n");
                } else {
                    say(b"child ok\n");
                }
            }
            libc::_exit(7);
        },
        ForkResult::Parent { child, master } => {
            let mut out = String::new();
            (&master).read_to_string(&mut out).unwrap();
            assert_eq!(out, "child ok\r\n");
            assert_eq!(child.wait().unwrap().code(), Some(7));
        }
    }
}

#[test]
fn fork_then_exec_runs_a_program_on_the_pty() {
    let _s = serial();
    let sh = CString::new("/bin/sh").unwrap();
    let args =
        [c"sh".as_ptr(), c"-c".as_ptr(), c"stty size; tty; read x; echo \"got $x\"; exit 5".as_ptr(), std::ptr::null()];
    // SAFETY: the child only calls execv and _exit.
    match unsafe { ptyx::fork() }.unwrap() {
        ForkResult::Child => unsafe {
            libc::execv(sh.as_ptr(), args.as_ptr());
            libc::_exit(127);
        },
        ForkResult::Parent { child, master } => {
            let pts = rustix::pty::ptsname(&master, Vec::new()).unwrap();
            let pts = pts.to_str().unwrap();
            // Like Python's pty.fork, the pty starts as the kernel makes it: 0x0. Type only once
            // the program is done printing, so that the echo cannot land inside its output.
            let seen = common::read_until(&master, &format!("{pts}\r\n"));
            let mut writer = &master;
            std::io::Write::write_all(&mut writer, b"hi\r").unwrap();
            let mut rest = Vec::new();
            (&master).read_to_end(&mut rest).unwrap();
            let all = [seen, rest].concat();
            let want = format!("0 0\r\n{pts}\r\nhi\r\ngot hi\r\n");
            assert_eq!(String::from_utf8_lossy(&all), want);
            let status = child.wait().unwrap();
            assert_eq!(status.code(), Some(5), "{status:?}");
        }
    }
}

#[test]
fn fork_child_killed_by_a_signal_reports_it() {
    let _s = serial();
    // SAFETY: the child only calls raise and _exit.
    match unsafe { ptyx::fork() }.unwrap() {
        ForkResult::Child => unsafe {
            libc::raise(libc::SIGTERM);
            libc::_exit(0);
        },
        ForkResult::Parent { child, master } => {
            let mut out = Vec::new();
            (&master).read_to_end(&mut out).unwrap();
            assert_eq!(out, b"");
            assert_eq!(child.wait().unwrap().signal(), Some(libc::SIGTERM));
        }
    }
}
