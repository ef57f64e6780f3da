//! Volume and concurrency: 10 MiB from a program that exits at once arrives byte for byte, 50
//! times in a row, through each way of reading a pty; and spawning from 8 threads at once works.

mod common;

use std::io::Read;
use std::process::Stdio;
use std::sync::Barrier;

use common::{assert_pattern, pattern_example, run_std, spawn_example};
use ptyx::{Command, Relay};

const TEN_MIB: usize = 10 * 1024 * 1024;
const ROUNDS: usize = 50;

fn pattern_command(len: usize) -> Command {
    let mut cmd = Command::new(pattern_example());
    cmd.arg(len.to_string());
    cmd
}

#[test]
fn ten_mib_arrives_byte_for_byte_through_the_relay_callback_50_times() {
    let mut got = Vec::with_capacity(TEN_MIB);
    for round in 0..ROUNDS {
        got.clear();
        let status = Relay::new(pattern_command(TEN_MIB))
            .input(None)
            .output(None)
            .master_read(|fd, buf| {
                let n = ptyx::read(fd, buf)?;
                got.extend_from_slice(&buf[..n]);
                Ok(n)
            })
            .run()
            .unwrap();
        assert!(status.success(), "round {round}: {status:?}");
        assert_pattern(&got, TEN_MIB, &format!("relay callback, round {round}"));
    }
}

#[test]
fn ten_mib_arrives_byte_for_byte_through_command_and_read_to_end_50_times() {
    let mut got = Vec::with_capacity(TEN_MIB);
    for round in 0..ROUNDS {
        got.clear();
        let mut child = pattern_command(TEN_MIB).spawn().unwrap();
        child.master().read_to_end(&mut got).unwrap();
        assert!(child.wait().unwrap().success(), "round {round}");
        assert_pattern(&got, TEN_MIB, &format!("Command + read_to_end, round {round}"));
    }
}

#[test]
fn ten_mib_arrives_byte_for_byte_through_spawn_to_stdout_50_times() {
    let pattern = pattern_example();
    let len = TEN_MIB.to_string();
    for round in 0..ROUNDS {
        let out = run_std(spawn_example(), &[pattern.to_str().unwrap(), &len], Stdio::null(), None);
        assert!(out.status.success(), "round {round}: {:?} {}", out.status, out.stderr_str());
        assert_pattern(&out.stdout, TEN_MIB, &format!("ptyx-spawn stdout, round {round}"));
    }
}

#[test]
fn relays_from_8_threads_at_once_all_get_their_output_and_status() {
    const THREADS: usize = 8;
    const ROUNDS: usize = 25;
    for round in 0..ROUNDS {
        let barrier = Barrier::new(THREADS);
        std::thread::scope(|s| {
            for i in 0..THREADS {
                let barrier = &barrier;
                s.spawn(move || {
                    let script = format!("echo thread-{i}-round-{round}; exit {}", i + 1);
                    let mut out = Vec::new();
                    barrier.wait();
                    let status = Relay::new(Command::new("sh").args(["-c", &script]).clone())
                        .input(None)
                        .output(None)
                        .master_read(|fd, buf| {
                            let n = ptyx::read(fd, buf)?;
                            out.extend_from_slice(&buf[..n]);
                            Ok(n)
                        })
                        .run()
                        .unwrap_or_else(|e| panic!("thread {i} round {round}: {e}"));
                    assert_eq!(status.code(), Some(i as i32 + 1), "thread {i} round {round}");
                    assert_eq!(String::from_utf8_lossy(&out), format!("thread-{i}-round-{round}\r\n"));
                });
            }
        });
    }
}

#[test]
fn commands_from_8_threads_at_once_all_get_their_output_and_status() {
    const THREADS: usize = 8;
    const SPAWNS: usize = 25;
    let barrier = Barrier::new(THREADS);
    std::thread::scope(|s| {
        for i in 0..THREADS {
            let barrier = &barrier;
            s.spawn(move || {
                barrier.wait();
                for j in 0..SPAWNS {
                    let script = format!("echo $((6 * {i} + {j})); exit {}", (i + j) % 7);
                    let child = Command::new("sh").args(["-c", &script]).spawn().unwrap();
                    let (out, status) = common::output_of(child);
                    assert_eq!(out, format!("{}\r\n", 6 * i + j), "thread {i} spawn {j}");
                    assert_eq!(status.code(), Some(((i + j) % 7) as i32), "thread {i} spawn {j}");
                }
            });
        }
    });
}
