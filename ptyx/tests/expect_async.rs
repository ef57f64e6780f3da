//! `AsyncSession` on tokio, on both runtime flavours: the same results as the sync `Session` for
//! the same programs, cancellation that loses nothing, many sessions on one thread, no spinning,
//! `Send` futures, no runtime, drop.
#![cfg(all(feature = "expect", feature = "tokio"))]

mod common;
mod tokio_common;

use std::io::ErrorKind;
use std::time::{Duration, Instant};

use common::serial;
use ptyx::expect::{AsyncSession, Eof, ExpectError, Needle, Regex, Session};
use ptyx::Command;
use tokio_common::{on_both, within};

/// The tests that measure this process's CPU or count its children run alone.
fn sh(script: &str) -> Command {
    let mut c = Command::new("sh");
    c.args(["-c", script]).echo(false);
    c
}

/// A scenario both sessions run: a program, and the needle lists to expect in turn.
fn scenarios() -> Vec<(Command, Vec<Vec<Needle>>)> {
    let re = |r: &str| Needle::from(Regex::new(r).unwrap());
    vec![
        (
            sh("printf 'abcdef\\n'; printf 'x=42\\n'; printf 'é done'"),
            vec![
                vec![Needle::from("abcde"), Needle::from("cd")],
                vec![re(r"x=(\d+)\r\n")],
                vec![Needle::from("é"), re("done")],
                vec![Needle::from("never"), Needle::Eof],
            ],
        ),
        (sh("echo one; echo two; exit 3"), vec![vec![Needle::from("two")], vec![Needle::from("three"), Needle::Eof]]),
        (Command::new("echo").arg("quick").clone(), vec![vec![Needle::Eof]]),
    ]
}

/// What a session found: (needle index, before, match) per expect.
type Found = Vec<(usize, Vec<u8>, Vec<u8>)>;

#[test]
fn async_and_sync_sessions_find_the_same_in_the_same_output() {
    let _s = serial();
    for (mut command, lists) in scenarios() {
        let mut sync = Session::spawn(&mut command).unwrap();
        let mut want: Found = Vec::new();
        for needles in &lists {
            let (i, m) = sync.expect_any(needles).unwrap();
            want.push((i, m.before().to_vec(), m.as_bytes().to_vec()));
        }
        let want_status = sync.wait().unwrap();
        let lists2 = lists.clone();
        let (want2, command2) = (want.clone(), command.clone());
        on_both(move |flavour| {
            let (lists, want, mut command) = (lists2.clone(), want2.clone(), command2.clone());
            async move {
                let mut s = AsyncSession::spawn(&mut command).unwrap();
                let mut got: Found = Vec::new();
                for needles in &lists {
                    let (i, m) = within("expect", s.expect_any(needles)).await.unwrap();
                    got.push((i, m.before().to_vec(), m.as_bytes().to_vec()));
                }
                assert_eq!(got, want, "{flavour}: {:?}", command.get_program());
                assert_eq!(within("wait", s.wait()).await.unwrap(), want_status, "{flavour}");
            }
        });
    }
}

#[test]
fn the_issue_example_on_python() {
    let _s = serial();
    on_both(|_| async {
        let mut s = AsyncSession::spawn(Command::new("python3").arg("-q")).unwrap();
        within("prompt", s.expect(">>> ")).await.unwrap();
        s.send_line("6*7").await.unwrap();
        within("answer", s.expect("42")).await.unwrap();
        s.send_line("exit()").await.unwrap();
        within("eof", s.expect(Eof)).await.unwrap();
        assert!(within("wait", s.wait()).await.unwrap().success());
    });
}

#[test]
fn a_dropped_expect_future_loses_nothing() {
    let _s = serial();
    on_both(|flavour| async move {
        let mut s = AsyncSession::spawn(&mut sh("printf 'first '; read x; printf 'second'")).unwrap();
        // Cancelled by tokio's timeout after "first " was read into the session.
        let cancelled = tokio::time::timeout(Duration::from_millis(300), s.expect("second")).await;
        assert!(cancelled.is_err(), "{flavour}: the expect should still be waiting");
        assert_eq!(s.unmatched(), b"first ", "{flavour}");
        s.send_line("").await.unwrap();
        let m = within("expect", s.expect("second")).await.unwrap();
        assert_eq!(m.before(), b"first ", "{flavour}");
    });
}

#[test]
fn timeouts_need_no_timer_driver_and_keep_the_output() {
    let _s = serial();
    // A runtime with I/O only: tokio's timers would panic here; the session's timeout does not.
    let rt = tokio::runtime::Builder::new_current_thread().enable_io().build().unwrap();
    rt.block_on(async {
        let mut s = AsyncSession::spawn(&mut sh("printf 'Password: '; sleep 30")).unwrap();
        s.set_timeout(Some(Duration::from_millis(300)));
        let start = Instant::now();
        let err = s.expect("Username:").await.unwrap_err();
        let took = start.elapsed();
        assert_eq!(err.kind(), ErrorKind::TimedOut);
        assert!(took >= Duration::from_millis(300) && took < Duration::from_secs(1), "{took:?}");
        assert_eq!(ExpectError::of(&err).unwrap().output(), b"Password: ");
        assert_eq!(s.unmatched(), b"Password: ");
    });
}

#[test]
fn two_hundred_sessions_on_one_thread_run_at_once() {
    let _s = serial();
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let cpu = tokio_common::cpu_time();
    let start = Instant::now();
    rt.block_on(async {
        let mut tasks = Vec::new();
        for _ in 0..200 {
            let mut s = AsyncSession::spawn(&mut sh("sleep 0.3; echo done")).unwrap();
            tasks.push(tokio::spawn(async move {
                s.expect("done").await?;
                s.wait().await
            }));
        }
        for task in tasks {
            assert!(within("session", task).await.unwrap().unwrap().success());
        }
    });
    let (took, used) = (start.elapsed(), tokio_common::cpu_time() - cpu);
    eprintln!("200 sessions: {took:?}, {used:?} of CPU");
    // One after another they would take 60 s.
    assert!(took < Duration::from_secs(20), "{took:?}");
}

#[test]
fn waiting_costs_nothing() {
    let _s = serial();
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    rt.block_on(async {
        let mut s = AsyncSession::spawn(&mut Command::new("cat")).unwrap();
        s.set_timeout(Some(Duration::from_secs(2)));
        let before = tokio_common::cpu_time();
        let err = s.expect("never").await.unwrap_err();
        let used = tokio_common::cpu_time() - before;
        assert_eq!(err.kind(), ErrorKind::TimedOut);
        assert!(used < Duration::from_millis(5), "a 2 s expect used {used:?} of CPU");
    });
}

#[test]
fn session_futures_are_send() {
    fn assert_send<T: Send>(_: &T) {}
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    rt.block_on(async {
        let mut s = AsyncSession::spawn(&mut Command::new("true")).unwrap();
        let fut = async move {
            let _ = s.expect(Eof).await;
            s.send("x").await
        };
        assert_send(&fut);
        let _ = fut.await;
    });
}

#[test]
fn without_a_runtime_spawn_is_an_error_and_starts_nothing() {
    let _s = serial();
    let before = common::children();
    let err = AsyncSession::spawn(Command::new("sleep").arg("30")).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Other, "{err}");
    assert_eq!(common::children(), before);
}

#[test]
fn dropping_a_session_never_blocks_and_ends_the_program() {
    let _s = serial();
    on_both(|flavour| async move {
        let mut s = AsyncSession::spawn(&mut sh("trap '' HUP; echo ready; sleep 300")).unwrap();
        within("ready", s.expect("ready")).await.unwrap();
        let exited = common::pidfd(s.child().id());
        let start = Instant::now();
        drop(s);
        assert!(start.elapsed() < Duration::from_millis(50), "{flavour}: drop took {:?}", start.elapsed());
        assert!(tokio_common::exits(exited).await, "{flavour}: the program outlived its session");
    });
}

#[test]
fn send_after_the_end_is_a_broken_pipe_and_expect_fails_at_once() {
    let _s = serial();
    on_both(|flavour| async move {
        let mut s = AsyncSession::spawn(&mut sh("echo bye")).unwrap();
        let err = within("expect", s.expect("hello")).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::UnexpectedEof, "{flavour}");
        assert_eq!(within("expect", s.expect("again")).await.unwrap_err().kind(), ErrorKind::UnexpectedEof);
        assert_eq!(s.send_line("x").await.unwrap_err().kind(), ErrorKind::BrokenPipe, "{flavour}");
    });
}
