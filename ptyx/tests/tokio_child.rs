//! `ptyx::tokio`: children and masters on both runtime flavours, against real programs (cat, sh,
//! stty): reading, writing, both at once, the end of output, waiting, signals, sizes,
//! conversions, errors.

#![cfg(feature = "tokio")]

mod tokio_common;

use std::io::{self, Read, Write};
use std::os::unix::process::ExitStatusExt;
use std::time::Duration;

use ptyx::{Command, Winsize};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio_common::{on_both, read_to_end, read_until, within};

#[test]
fn cat_gets_what_is_written_and_dies_of_the_signal_sent() {
    on_both(|flavour| async move {
        let child = Command::new("cat").spawn_async().expect("spawn cat");
        let mut master = child.master();
        within("write", master.write_all(b"hi\n")).await.unwrap();
        let seen = read_until(master, "hi\r\nhi\r\n").await; // echo, then cat's copy
        assert_eq!(seen, b"hi\r\nhi\r\n", "{flavour}");
        child.signal(libc::SIGTERM).unwrap();
        let status = within("wait", child.wait()).await.unwrap();
        assert_eq!(status.signal(), Some(libc::SIGTERM), "{flavour}: {status:?}");
        // The same status again, and signals do nothing once the child is reaped.
        assert_eq!(within("wait again", child.wait()).await.unwrap(), status);
        assert_eq!(child.try_wait().unwrap(), Some(status));
        child.kill().unwrap();
    });
}

#[test]
fn the_end_of_output_is_ok_0_every_time_never_eio() {
    on_both(|flavour| async move {
        let child = Command::new("sh").args(["-c", "printf abc; exit 5"]).spawn_async().unwrap();
        let out = read_to_end(child.master()).await.unwrap();
        assert_eq!(out, b"abc", "{flavour}");
        let mut buf = [0u8; 16];
        for _ in 0..3 {
            let n = within("read after the end", child.master().read(&mut buf)).await;
            assert_eq!(n.unwrap(), 0, "{flavour}: a read after the end of output");
        }
        assert_eq!(within("wait", child.wait()).await.unwrap().code(), Some(5), "{flavour}");
    });
}

/// Lines of the `pattern` kind, `count` of them, each `len` bytes plus `\n`.
fn lines(count: usize, len: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(count * (len + 1));
    for i in 0..count {
        let line: Vec<u8> = (0..len).map(|j| b'a' + ((i * 7 + j) % 26) as u8).collect();
        out.extend_from_slice(&line);
        out.push(b'\n');
    }
    out
}

/// What cat on a pty without echo prints for `input`: each `\n` becomes `\r\n`.
fn as_printed(input: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(input.len() * 2);
    for &b in input {
        if b == b'\n' {
            out.push(b'\r');
        }
        out.push(b);
    }
    out
}

#[test]
fn one_reader_and_one_writer_share_the_master_through_references() {
    // 2 MiB is far more than the pty's queues hold: the writer must wait for the reader, and the
    // reader for the writer, over and over, on one task.
    on_both(|flavour| async move {
        let child = Command::new("cat").echo(false).spawn_async().unwrap();
        let input = lines(2048, 1023);
        let expected = as_printed(&input);
        let (mut reader, mut writer) = (child.master(), child.master());
        let write = async {
            writer.write_all(&input).await?;
            writer.write_all(&[4]).await // VEOF at the start of a line: cat sees end of file
        };
        let mut out = Vec::new();
        let (wrote, read) =
            within("copy through cat", async { tokio::join!(write, reader.read_to_end(&mut out)) }).await;
        wrote.unwrap();
        read.unwrap();
        assert!(out == expected, "{flavour}: {} bytes back, {} expected", out.len(), expected.len());
        assert!(within("wait", child.wait()).await.unwrap().success(), "{flavour}");
    });
}

#[test]
fn a_cloned_master_writes_from_another_task() {
    on_both(|flavour| async move {
        let child = Command::new("cat").echo(false).spawn_async().unwrap();
        let mut clone = child.master().try_clone().unwrap();
        let input = lines(512, 1000);
        let expected = as_printed(&input);
        let writer = tokio::spawn(async move {
            clone.write_all(&input).await?;
            clone.write_all(&[4]).await
        });
        let out = read_to_end(child.master()).await.unwrap();
        within("writer", writer).await.unwrap().unwrap();
        assert!(out == expected, "{flavour}: {} bytes back, {} expected", out.len(), expected.len());
        assert!(within("wait", child.wait()).await.unwrap().success(), "{flavour}");
    });
}

#[test]
fn try_clone_works_outside_the_runtime_context() {
    let [(_, rt), _] = tokio_common::runtimes();
    let child = rt.block_on(async { Command::new("cat").echo(false).spawn_async() }).unwrap();
    // This thread is outside the runtime now: the copy registers with the child's runtime.
    let copy = child.master().try_clone().unwrap();
    rt.block_on(async {
        let mut writer = &copy;
        writer.write_all(b"x\n").await.unwrap();
        read_until(child.master(), "x\r\n").await;
        child.kill().unwrap();
        within("wait", child.wait()).await.unwrap();
    });
}

#[test]
fn wait_is_cancel_safe() {
    on_both(|flavour| async move {
        let child = Command::new("sh").args(["-c", "echo ready; read x; exit 4"]).spawn_async().unwrap();
        read_until(child.master(), "ready").await;
        // The program waits for a line: a wait cut short by a timeout returns nothing...
        let cut = tokio::time::timeout(Duration::from_millis(50), child.wait()).await;
        assert!(cut.is_err(), "{flavour}: wait returned {cut:?} while the program waited for input");
        assert_eq!(child.try_wait().unwrap(), None, "{flavour}");
        // ...and loses nothing: the next wait gets the exit.
        child.master().write_all(b"\n").await.unwrap();
        assert_eq!(within("wait", child.wait()).await.unwrap().code(), Some(4), "{flavour}");
    });
}

#[test]
fn a_read_cut_short_loses_no_output() {
    on_both(|flavour| async move {
        let child = Command::new("sh").args(["-c", "read x; echo \"got $x\""]).echo(false).spawn_async().unwrap();
        let mut buf = [0u8; 64];
        let mut master = child.master();
        let cut = tokio::time::timeout(Duration::from_millis(50), master.read(&mut buf)).await;
        assert!(cut.is_err(), "{flavour}: read returned {cut:?} before any output");
        master.write_all(b"it\n").await.unwrap();
        let out = read_to_end(child.master()).await.unwrap();
        assert_eq!(out, b"got it\r\n", "{flavour}");
        within("wait", child.wait()).await.unwrap();
    });
}

#[test]
fn every_signal_number_reaches_the_program_real_time_ones_included() {
    on_both(|flavour| async move {
        let rt = libc::SIGRTMIN() + 3;
        let script =
            format!("trap 'echo got-usr1' USR1; trap 'echo got-{rt}' {rt}; echo ready; while :; do read x; done");
        let child = Command::new("sh").args(["-c", &script]).spawn_async().unwrap();
        read_until(child.master(), "ready\r\n").await;
        child.signal(libc::SIGUSR1).unwrap();
        read_until(child.master(), "got-usr1").await;
        child.signal(rt).unwrap();
        read_until(child.master(), &format!("got-{rt}")).await;
        child.signal(0).unwrap();
        let bad = child.signal(9999).unwrap_err();
        assert_eq!(bad.kind(), io::ErrorKind::InvalidInput, "{flavour}: {bad}");
        child.kill().unwrap();
        let status = within("wait", child.wait()).await.unwrap();
        assert_eq!(status.signal(), Some(libc::SIGKILL), "{flavour}");
    });
}

#[test]
fn resize_is_what_the_program_sees() {
    on_both(|flavour| async move {
        let child = Command::new("sh")
            .args(["-c", "read x; stty size"])
            .window_size(Winsize::new(30, 100))
            .spawn_async()
            .unwrap();
        assert_eq!(child.window_size().unwrap(), Winsize::new(30, 100), "{flavour}");
        child.resize(Winsize::new(41, 133)).unwrap();
        assert_eq!(child.master().window_size().unwrap(), Winsize::new(41, 133), "{flavour}");
        child.master().write_all(b"\n").await.unwrap();
        let out = read_to_end(child.master()).await.unwrap();
        assert!(out.ends_with(b"41 133\r\n"), "{flavour}: {:?}", String::from_utf8_lossy(&out));
        assert!(within("wait", child.wait()).await.unwrap().success());
    });
}

#[test]
fn a_sync_child_moves_onto_the_runtime() {
    on_both(|flavour| async move {
        let sync = Command::new("sh").args(["-c", "echo before; read x; echo after; exit 6"]).spawn().unwrap();
        let mut first = [0u8; 8];
        sync.master().read_exact(&mut first).unwrap(); // blocking, before the move
        assert_eq!(&first, b"before\r\n");
        let child = ptyx::tokio::Child::try_from(sync).unwrap();
        child.master().write_all(b"\n").await.unwrap();
        let out = read_to_end(child.master()).await.unwrap();
        assert!(out.ends_with(b"after\r\n"), "{flavour}: {:?}", String::from_utf8_lossy(&out));
        assert_eq!(within("wait", child.wait()).await.unwrap().code(), Some(6), "{flavour}");
    });
}

#[test]
fn an_exited_and_reaped_sync_child_keeps_its_status() {
    on_both(|flavour| async move {
        let mut sync = Command::new("sh").args(["-c", "exit 9"]).spawn().unwrap();
        let status = sync.wait().unwrap();
        let child = ptyx::tokio::Child::try_from(sync).unwrap();
        assert_eq!(child.try_wait().unwrap(), Some(status), "{flavour}");
        assert_eq!(within("wait", child.wait()).await.unwrap().code(), Some(9), "{flavour}");
    });
}

#[test]
fn a_master_from_openpty_is_async() {
    on_both(|flavour| async move {
        let (master, mut slave) = ptyx::openpty().unwrap();
        let master = ptyx::tokio::Master::try_from(master).unwrap();
        slave.write_all(b"from the slave\n").unwrap();
        drop(slave);
        // The slave wrote and closed: the data, then the end (EIO to a plain read) as Ok(0).
        let out = read_to_end(&master).await.unwrap();
        assert_eq!(out, b"from the slave\r\n", "{flavour}");
    });
}

#[test]
fn without_a_runtime_the_conversions_give_the_values_back() {
    let sync = Command::new("sh").args(["-c", "exit 3"]).spawn().unwrap();
    let err = ptyx::tokio::Child::try_from(sync).unwrap_err();
    assert_eq!(err.error().kind(), io::ErrorKind::Other);
    assert!(err.to_string().contains("tokio runtime"), "{err}");
    let mut sync = err.into_inner();
    assert_eq!(sync.wait().unwrap().code(), Some(3));

    let (master, _slave) = ptyx::openpty().unwrap();
    let err = ptyx::tokio::Master::try_from(master).unwrap_err();
    assert_eq!(err.error().kind(), io::ErrorKind::Other);
    let master = err.into_inner();
    master.set_window_size(Winsize::new(5, 6)).unwrap();
    // Still blocking, as it was: nothing was changed.
    let flags = rustix::fs::fcntl_getfl(&master).unwrap();
    assert!(!flags.contains(rustix::fs::OFlags::NONBLOCK));
}

#[test]
fn a_missing_program_is_not_found() {
    on_both(|flavour| async move {
        let err = Command::new("/nonexistent/program").spawn_async().unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::NotFound, "{flavour}: {err}");
    });
}

/// Compile-time: futures that hold a `Master` or a `Child` across an await are `Send`, so they
/// go to `tokio::spawn`; the types are `Send + Sync`.
#[test]
fn futures_holding_a_master_are_send() {
    fn send<T: Send>(_: &T) {}
    fn send_sync<T: Send + Sync>() {}
    send_sync::<ptyx::tokio::Master>();
    send_sync::<ptyx::tokio::Child>();
    send_sync::<ptyx::tokio::TryFromError<ptyx::Child>>();
    on_both(|_| async move {
        let child = Command::new("echo").arg("sent").spawn_async().unwrap();
        let master = child.master().try_clone().unwrap();
        let holds_master = async move {
            let mut master = master;
            let mut out = Vec::new();
            master.read_to_end(&mut out).await.map(|_| out)
        };
        send(&holds_master);
        let out = within("spawned reader", tokio::spawn(holds_master)).await.unwrap().unwrap();
        assert_eq!(out, b"sent\r\n");
        let holds_child = async move { child.wait().await };
        send(&holds_child);
        assert!(within("spawned wait", tokio::spawn(holds_child)).await.unwrap().unwrap().success());
    });
}
