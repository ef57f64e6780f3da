//! Many children at once on tokio: a thousand spawned and awaited concurrently leave no
//! descriptor and no zombie; two hundred that sleep 0.3 s finish together on one thread, using
//! little CPU; and a failed start (no runtime, a runtime without I/O) leaves no process. Counting
//! this process's descriptors and children needs the process to itself, so these tests take one
//! lock.

#![cfg(feature = "tokio")]

mod common;
mod tokio_common;

use std::io;
use std::time::Instant;

use common::{assert_nothing_left, open_fds, serial};
use ptyx::Command;
use tokio_common::{cpu_time, read_to_end, runtimes, within};

/// Runs `sh -c script` `count` times at once, each in a task that reads the output to its end
/// and waits; returns the outputs in order, and fails on any error or unsuccessful exit.
async fn run_at_once(count: usize, script: impl Fn(usize) -> String) -> Vec<Vec<u8>> {
    let mut tasks = Vec::with_capacity(count);
    for i in 0..count {
        let script = script(i);
        tasks.push(tokio::spawn(async move {
            let child = Command::new("sh").args(["-c", &script]).spawn_async()?;
            let out = read_to_end(child.master()).await?;
            let status = within("wait", child.wait()).await?;
            assert!(status.success(), "{script:?}: {status:?}");
            Ok::<_, io::Error>(out)
        }));
    }
    let mut outputs = Vec::with_capacity(count);
    for (i, task) in tasks.into_iter().enumerate() {
        let out = within("task", task).await.expect("task").unwrap_or_else(|e| panic!("child {i}: {e}"));
        outputs.push(out);
    }
    outputs
}

#[test]
fn a_thousand_children_awaited_concurrently_leave_no_fd_and_no_zombie() {
    let _s = serial();
    for (flavour, rt) in runtimes() {
        // The runtime's own descriptors (epoll, eventfd) exist before the count.
        rt.block_on(async {});
        let before = open_fds();
        rt.block_on(async {
            for batch in 0..10 {
                let outputs = run_at_once(100, |i| format!("echo {}", batch * 100 + i)).await;
                for (i, out) in outputs.iter().enumerate() {
                    assert_eq!(out, format!("{}\r\n", batch * 100 + i).as_bytes(), "{flavour}");
                }
            }
        });
        assert_nothing_left(&before, &format!("{flavour}: 1000 x spawn_async + read + wait"));
    }
}

#[test]
fn two_hundred_sleepers_finish_together_on_one_thread_using_little_cpu() {
    let _s = serial();
    for (flavour, rt) in runtimes() {
        let started = Instant::now();
        let cpu_before = cpu_time();
        let outputs = rt.block_on(run_at_once(200, |_| "sleep 0.3; echo done".to_string()));
        let elapsed = started.elapsed();
        let cpu = cpu_time() - cpu_before;
        assert!(outputs.iter().all(|out| out == b"done\r\n"), "{flavour}: {outputs:?}");
        // One after another they would take 60 s; the goal is under 2 s. The bound only proves
        // that they ran at once; the figures are for the report.
        eprintln!("{flavour}: 200 x `sleep 0.3; echo done` in {elapsed:?}, {cpu:?} of CPU (spawning included)");
        assert!(elapsed.as_secs() < 20, "{flavour}: 200 sleepers took {elapsed:?}");
    }
}

#[test]
fn without_a_runtime_spawn_async_is_an_error_and_starts_nothing() {
    let _s = serial();
    let before = open_fds();
    for _ in 0..50 {
        let err = Command::new("sleep").arg("60").spawn_async().unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::Other, "{err}");
        assert!(err.to_string().contains("tokio runtime"), "{err}");
    }
    assert_nothing_left(&before, "spawn_async without a runtime");
}

#[test]
fn a_runtime_without_io_panics_as_tokio_does_and_leaves_no_process() {
    let _s = serial();
    let rt = tokio::runtime::Builder::new_current_thread().build().expect("runtime without I/O");
    let before = open_fds();
    // The panic message is tokio's; keep it out of the test's output.
    let hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        rt.block_on(async { Command::new("sh").args(["-c", "trap '' HUP; exec sleep 60"]).spawn_async() })
    }));
    std::panic::set_hook(hook);
    let panic = result.expect_err("spawn_async in a runtime without I/O");
    let message = panic.downcast_ref::<String>().map(String::as_str).or(panic.downcast_ref::<&str>().copied());
    assert!(message.is_some_and(|m| m.contains("IO is disabled")), "{message:?}");
    assert_nothing_left(&before, "spawn_async in a runtime without I/O");
}
