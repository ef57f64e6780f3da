//! Dropping a tokio `Child` never blocks, and leaves nothing behind: a kill-on-drop child is
//! ended (its process group too, after the grace, when it ignores the hang-up) and reaped in the
//! background; any other child keeps running and is reaped when it exits; a runtime shut down
//! meanwhile finishes the job at once. Counting this process's children needs the process to
//! itself, so these tests take one lock.

#![cfg(feature = "tokio")]

mod common;
mod tokio_common;

use std::time::Instant;

use common::{children, open_fds, pidfd, serial, zombie_children};
use ptyx::Command;
use tokio_common::{eventually, exits, has_exited, read_until, runtimes, within};

/// A shell that ignores the hang-up, with a `sleep` in the background of its own process group
/// that ignores it too: only a SIGKILL to the group ends both. Returns the child and the pid of
/// the `sleep`.
async fn stubborn() -> (ptyx::tokio::Child, u32) {
    let child = Command::new("sh")
        .args(["-c", "trap '' HUP; sleep 60 & echo \"bg=$!.\"; wait"])
        .spawn_async()
        .expect("spawn the stubborn shell");
    let out = read_until(child.master(), ".").await;
    let text = String::from_utf8_lossy(&out);
    let bg = text.trim().trim_start_matches("bg=").trim_end_matches('.').parse().expect("background pid");
    (child, bg)
}

async fn no_children_left(what: &str) {
    eventually(&format!("{what}: every child reaped"), || children().is_empty()).await;
}

#[test]
fn kill_on_drop_ends_the_program_and_its_group_without_blocking() {
    let _s = serial();
    for (flavour, rt) in runtimes() {
        rt.block_on(async {
            let (mut child, bg) = stubborn().await;
            let (program, background) = (pidfd(child.id()), pidfd(bg));
            child.kill_on_drop(true);
            let started = Instant::now();
            drop(child);
            let dropped_in = started.elapsed();
            // Had the drop waited for the program, or killed it there, it would be gone now: it
            // ignores the hang-up, and the grace (500 ms) has not passed. (On the multi-thread
            // runtime the background task runs meanwhile, but waits out the grace.)
            assert!(!has_exited(&program), "{flavour}: the drop ended the program itself ({dropped_in:?})");
            assert!(!has_exited(&background), "{flavour}: the drop killed the group itself ({dropped_in:?})");
            eprintln!("{flavour}: drop returned in {dropped_in:?}");
            assert!(exits(program).await, "{flavour}: the program outlived its kill-on-drop Child");
            assert!(exits(background).await, "{flavour}: its process group outlived the Child");
            no_children_left(flavour).await;
        });
    }
}

#[test]
fn kill_on_drop_of_a_program_that_obeys_the_hang_up_ends_it_before_the_grace() {
    let _s = serial();
    for (flavour, rt) in runtimes() {
        rt.block_on(async {
            let mut child = Command::new("sh").args(["-c", "echo ready; exec cat"]).spawn_async().unwrap();
            read_until(child.master(), "ready").await;
            let program = pidfd(child.id());
            child.kill_on_drop(true);
            drop(child); // cat dies of the SIGHUP
            assert!(exits(program).await, "{flavour}");
            no_children_left(flavour).await;
        });
    }
}

#[test]
fn kill_on_drop_of_a_program_that_has_exited_reaps_it_at_once() {
    let _s = serial();
    for (flavour, rt) in runtimes() {
        rt.block_on(async {
            let mut child = Command::new("true").spawn_async().unwrap();
            assert!(exits(pidfd(child.id())).await);
            child.kill_on_drop(true);
            drop(child);
            assert_eq!(children(), vec![], "{flavour}: an exited child is reaped in the drop itself");
        });
    }
}

#[test]
fn without_kill_on_drop_the_program_keeps_running_and_is_reaped_when_it_exits() {
    let _s = serial();
    for (flavour, rt) in runtimes() {
        rt.block_on(async {
            let child =
                Command::new("sh").args(["-c", "trap '' HUP; echo ready; exec sleep 60"]).spawn_async().unwrap();
            read_until(child.master(), "ready").await;
            let (pid, program) = (child.id() as i32, pidfd(child.id()));
            drop(child);
            // A few turns of the runtime: the reaper must not end it.
            for _ in 0..10 {
                tokio::task::yield_now().await;
            }
            assert!(!has_exited(&program), "{flavour}: a child without kill-on-drop was ended");
            // SAFETY: kill(2) has no memory preconditions; `pid` is our unreaped child.
            assert_eq!(unsafe { libc::kill(pid, libc::SIGTERM) }, 0);
            assert!(exits(program).await, "{flavour}");
            no_children_left(flavour).await;
            assert_eq!(zombie_children(), Vec::<i32>::new(), "{flavour}");
        });
    }
}

#[test]
fn a_runtime_shut_down_during_the_grace_kills_and_reaps_at_once() {
    let _s = serial();
    for (flavour, rt) in runtimes() {
        let bg = rt.block_on(async {
            let (mut child, bg) = stubborn().await;
            child.kill_on_drop(true);
            drop(child);
            bg
        });
        let background = pidfd(bg);
        // The background task is still in its grace: dropping the runtime drops it, and that
        // sends the SIGKILL and reaps, there and then.
        drop(rt);
        assert_eq!(children(), vec![], "{flavour}: left after the runtime shut down");
        assert!(common::exits_within(&background, common::TIMEOUT), "{flavour}: the group outlived the runtime");
    }
}

#[test]
fn a_thousand_children_dropped_half_of_them_mid_run_leave_nothing() {
    let _s = serial();
    for (flavour, rt) in runtimes() {
        rt.block_on(async {});
        let before = open_fds();
        rt.block_on(async {
            for batch in 0..10 {
                let mut tasks = Vec::new();
                for i in 0..100 {
                    tasks.push(tokio::spawn(async move {
                        let script = match i % 4 {
                            // Awaited to the end.
                            0 | 1 => "echo done",
                            // Dropped mid-run: dies of the hang-up.
                            2 => "echo ready; exec cat",
                            // Dropped mid-run: ignores the hang-up, killed after the grace.
                            _ => "trap '' HUP; echo ready; exec sleep 60",
                        };
                        let mut child = Command::new("sh").args(["-c", script]).spawn_async().unwrap();
                        child.kill_on_drop(true);
                        if i % 4 < 2 {
                            assert_eq!(tokio_common::read_to_end(child.master()).await.unwrap(), b"done\r\n");
                            assert!(within("wait", child.wait()).await.unwrap().success());
                        } else {
                            read_until(child.master(), "ready").await;
                        }
                    }));
                }
                for task in tasks {
                    within("task", task).await.unwrap_or_else(|e| panic!("{flavour}, batch {batch}: {e}"));
                }
            }
            no_children_left(flavour).await;
        });
        // The reapers' pidfds and timers are closed once their tasks end.
        assert_eq!(open_fds(), before, "{flavour}: descriptors leaked");
    }
}

#[test]
fn a_child_that_outlives_its_runtime_is_ended_when_dropped() {
    let _s = serial();
    for (flavour, rt) in runtimes() {
        let (mut child, bg) = rt.block_on(stubborn());
        child.kill_on_drop(true);
        let background = pidfd(bg);
        drop(rt);
        // No runtime to run the end in the background: the drop does it at once (a SIGKILL,
        // then the reap), and does not panic.
        drop(child);
        assert_eq!(children(), vec![], "{flavour}: left after the drop");
        assert!(common::exits_within(&background, common::TIMEOUT), "{flavour}: the group outlived the Child");
    }
}

#[test]
fn a_master_whose_runtime_is_gone_reports_an_error_not_a_hang() {
    let _s = serial();
    for (flavour, rt) in runtimes() {
        let mut child = rt.block_on(async { Command::new("cat").spawn_async() }).unwrap();
        child.kill_on_drop(true);
        drop(rt);
        let other = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        let read = other.block_on(async {
            use tokio::io::AsyncReadExt;
            let mut buf = [0u8; 16];
            within("read on a dead runtime", child.master().read(&mut buf)).await
        });
        assert!(read.is_err(), "{flavour}: {read:?}");
        let waited = other.block_on(async { within("wait on a dead runtime", child.wait()).await });
        assert!(waited.is_err(), "{flavour}: {waited:?}");
        drop(child);
        assert_eq!(children(), vec![], "{flavour}: left after the drop");
    }
}

#[test]
fn a_task_holding_a_child_dropped_at_shutdown_ends_it() {
    let _s = serial();
    for (flavour, rt) in runtimes() {
        let (started_tx, started_rx) = std::sync::mpsc::channel();
        rt.spawn(async move {
            let (mut child, bg) = stubborn().await;
            child.kill_on_drop(true);
            started_tx.send(bg).unwrap();
            // Waits for ever (the shell does not exit by itself): the task is dropped, with the
            // child in it, when the runtime goes.
            let _ = child.wait().await;
        });
        // On the current-thread runtime the task runs only inside block_on.
        let bg = rt.block_on(async { tokio::task::spawn_blocking(move || started_rx.recv().unwrap()).await.unwrap() });
        let background = pidfd(bg);
        drop(rt);
        assert_eq!(children(), vec![], "{flavour}: left after the runtime shut down");
        assert!(common::exits_within(&background, common::TIMEOUT), "{flavour}: the group outlived the runtime");
    }
}
