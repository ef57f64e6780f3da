//! Waiting costs nothing on tokio: a task awaiting output that never comes, and the exit of a
//! program that does not exit, for 2 s uses < 5 ms of CPU, on both runtime flavours. The CPU
//! time is this whole process's (every thread of the runtime), so this binary's tests take one
//! lock and nothing else runs meanwhile.

#![cfg(feature = "tokio")]

mod tokio_common;

use std::sync::Mutex;
use std::time::{Duration, Instant};

use ptyx::Command;
use tokio::io::AsyncReadExt;
use tokio_common::{cpu_time, runtimes, within};

const WAIT: Duration = Duration::from_secs(2);
const CPU_BUDGET: Duration = Duration::from_millis(5);

static SERIAL: Mutex<()> = Mutex::new(());

#[test]
fn awaiting_output_and_an_exit_that_never_come_uses_no_cpu() {
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    for (flavour, rt) in runtimes() {
        rt.block_on(async {
            // cat waits for input that never comes: no output, no exit.
            let child = Command::new("cat").spawn_async().unwrap();
            let mut clone = child.master().try_clone().unwrap();
            let reader = tokio::spawn(async move {
                let mut buf = [0u8; 64];
                tokio::time::timeout(WAIT, clone.read(&mut buf)).await
            });
            let started = Instant::now();
            let before = cpu_time();
            let mut buf = [0u8; 64];
            let mut master = child.master();
            let (read, waited) = tokio::join!(
                tokio::time::timeout(WAIT, master.read(&mut buf)),
                tokio::time::timeout(WAIT, child.wait()),
            );
            let spawned_read = within("reader task", reader).await.unwrap();
            let cpu = cpu_time() - before;
            let elapsed = started.elapsed();
            assert!(read.is_err(), "{flavour}: read returned {read:?}");
            assert!(spawned_read.is_err(), "{flavour}: the reader task's read returned {spawned_read:?}");
            assert!(waited.is_err(), "{flavour}: wait returned {waited:?}");
            assert!(elapsed >= WAIT, "{flavour}: the timeouts fired after {elapsed:?}");
            eprintln!("{flavour}: {cpu:?} of CPU while waiting {elapsed:?}");
            assert!(cpu < CPU_BUDGET, "{flavour}: {cpu:?} of CPU while waiting {WAIT:?} for nothing");
            child.kill().unwrap();
            within("wait", child.wait()).await.unwrap();
        });
    }
}

#[test]
fn a_dropped_kill_on_drop_child_in_its_grace_uses_no_cpu() {
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    for (flavour, rt) in runtimes() {
        rt.block_on(async {
            // Ignores the hang-up: the background end waits out the grace, then kills.
            let mut child =
                Command::new("sh").args(["-c", "trap '' HUP; echo ready; exec sleep 60"]).spawn_async().unwrap();
            tokio_common::read_until(child.master(), "ready").await;
            let exited = tokio_common_pidfd(child.id());
            child.kill_on_drop(true);
            let before = cpu_time();
            drop(child);
            assert!(tokio_common::exits(exited).await, "{flavour}: not ended");
            let cpu = cpu_time() - before;
            eprintln!("{flavour}: {cpu:?} of CPU through the grace and the kill");
            // The blocking thread that watched the pidfd for this test costs a few hundred µs.
            assert!(cpu < CPU_BUDGET, "{flavour}: {cpu:?} of CPU through the grace");
        });
    }
}

fn tokio_common_pidfd(pid: u32) -> std::os::fd::OwnedFd {
    let pid = rustix::process::Pid::from_raw(pid as i32).expect("pid > 0");
    rustix::process::pidfd_open(pid, rustix::process::PidfdFlags::empty()).expect("pidfd_open")
}
