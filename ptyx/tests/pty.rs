//! `openpty`, `Master`, `Slave` and the `tty` module on real ptys, without any child process.

mod common;

use std::io::{ErrorKind, Read, Write};
use std::os::fd::{AsFd, AsRawFd};

use common::{pattern, Mode};
use ptyx::Winsize;

/// Reads from the master until `want` bytes arrived (the pty hands them out in pieces).
fn read_exact_master(master: &ptyx::Master, want: usize) -> Vec<u8> {
    let mut out = vec![0; want];
    let mut got = 0;
    while got < want {
        assert!(common::wait_readable(master.as_fd(), common::TIMEOUT), "master: no data within the deadline");
        let n = (&mut &*master).read(&mut out[got..]).expect("read master");
        assert!(n > 0, "master: end of file after {got} of {want} bytes");
        got += n;
    }
    out
}

/// `cfmakeraw` on a descriptor with libc, so that tests of the `&Master` plumbing do not rely on
/// the library's own `tty` module.
fn libc_make_raw(fd: impl AsFd) {
    let fd = fd.as_fd().as_raw_fd();
    // SAFETY: zeroed termios is a valid out-buffer; fd is live for the calls.
    unsafe {
        let mut t: libc::termios = std::mem::zeroed();
        assert_eq!(libc::tcgetattr(fd, &mut t), 0);
        libc::cfmakeraw(&mut t);
        assert_eq!(libc::tcsetattr(fd, libc::TCSANOW, &t), 0);
    }
}

fn is_cloexec(fd: impl AsFd) -> bool {
    // SAFETY: F_GETFD on a live descriptor.
    let flags = unsafe { libc::fcntl(fd.as_fd().as_raw_fd(), libc::F_GETFD) };
    assert!(flags >= 0);
    flags & libc::FD_CLOEXEC != 0
}

#[test]
fn master_read_after_slave_closed_is_end_of_file() {
    let (mut master, slave) = ptyx::openpty().unwrap();
    drop(slave);
    let mut buf = [0u8; 64];
    // Linux reports EIO here; the library maps it to end of file.
    assert_eq!(master.read(&mut buf).unwrap(), 0);
    // And stays at end of file.
    assert_eq!(master.read(&mut buf).unwrap(), 0);
}

#[test]
fn output_written_before_slave_closed_is_read_before_end_of_file() {
    let (master, mut slave) = ptyx::openpty().unwrap();
    slave.write_all(b"last words\n").unwrap();
    drop(slave);
    let mut out = Vec::new();
    (&master).read_to_end(&mut out).unwrap();
    assert_eq!(out, b"last words\r\n");
}

#[test]
fn line_written_to_slave_reads_back_as_crlf_on_master() {
    let (master, mut slave) = ptyx::openpty().unwrap();
    slave.write_all(b"line\n").unwrap();
    assert_eq!(read_exact_master(&master, 6), b"line\r\n");
}

#[test]
fn input_written_to_master_is_read_by_slave_as_a_line() {
    let (master, mut slave) = ptyx::openpty().unwrap();
    // Canonical mode: ICRNL turns the typed \r into \n and the line becomes readable.
    (&master).write_all(b"typed\r").unwrap();
    let mut buf = [0u8; 64];
    let n = slave.read(&mut buf).unwrap();
    assert_eq!(&buf[..n], b"typed\n");
}

#[test]
fn openpty_descriptors_are_cloexec_and_slave_path_names_the_slave() {
    let (master, slave) = ptyx::openpty().unwrap();
    assert!(is_cloexec(&master), "master must be close-on-exec");
    assert!(is_cloexec(&slave), "slave must be close-on-exec");
    let path = slave.path();
    assert!(path.starts_with("/dev/pts/"), "{}", path.display());
    use std::os::unix::fs::MetadataExt;
    let by_path = std::fs::metadata(path).unwrap().rdev();
    let by_fd = rustix::fs::fstat(&slave).unwrap().st_rdev;
    assert_eq!(by_path, by_fd, "slave.path() must be the device the slave descriptor refers to");
}

#[test]
fn new_pty_is_0x0_and_window_size_round_trips_between_ends() {
    let (master, slave) = ptyx::openpty().unwrap();
    assert_eq!(master.window_size().unwrap(), Winsize::new(0, 0));
    let size = Winsize { rows: 33, cols: 101, xpixel: 808, ypixel: 660 };
    master.set_window_size(size).unwrap();
    assert_eq!(slave.window_size().unwrap(), size);
    assert_eq!(master.window_size().unwrap(), size);
    slave.set_window_size(Winsize::new(24, 80)).unwrap();
    assert_eq!(master.window_size().unwrap(), Winsize::new(24, 80));
}

#[test]
fn shared_master_is_read_and_written_from_two_threads() {
    const LEN: usize = 256 * 1024;
    let (master, slave) = ptyx::openpty().unwrap();
    libc_make_raw(&slave);
    let data = pattern(LEN);
    let master = &master;
    let got = std::thread::scope(|s| {
        // The program on the slave: copies its input back to its output (cat on a raw terminal).
        s.spawn(|| {
            let (mut input, mut output) = (&slave, &slave);
            let mut buf = [0u8; 4096];
            let mut copied = 0;
            while copied < LEN {
                let n = input.read(&mut buf).unwrap();
                assert!(n > 0);
                output.write_all(&buf[..n]).unwrap();
                copied += n;
            }
        });
        // Writer thread on &Master while this thread reads &Master.
        s.spawn(|| {
            for chunk in data.chunks(1000) {
                let mut w = master;
                w.write_all(chunk).unwrap();
            }
        });
        read_exact_master(master, LEN)
    });
    common::assert_pattern(&got, LEN, "round trip through the pty");
}

#[test]
fn try_clone_gives_cloexec_descriptors_of_the_same_pty() {
    let (master, slave) = ptyx::openpty().unwrap();
    let master2 = master.try_clone().unwrap();
    let slave2 = slave.try_clone().unwrap();
    assert_ne!(master2.as_raw_fd(), master.as_raw_fd());
    assert!(is_cloexec(&master2));
    assert!(is_cloexec(&slave2));
    assert_eq!(slave2.path(), slave.path());
    // Written through one clone, read through the other end's clone.
    (&slave2).write_all(b"via clone\n").unwrap();
    assert_eq!(read_exact_master(&master, 11), b"via clone\r\n");
    (&master2).write_all(b"back\r").unwrap();
    let mut buf = [0u8; 16];
    let n = (&slave).read(&mut buf).unwrap();
    assert_eq!(&buf[..n], b"back\n");
    assert_eq!(read_exact_master(&master, 6), b"back\r\n", "the echo of the typed line");
    // The original still works after the clone is dropped, and vice versa.
    drop(master2);
    (&slave).write_all(b"x\n").unwrap();
    assert_eq!(read_exact_master(&master, 3), b"x\r\n");
}

#[test]
fn set_nonblocking_makes_an_empty_read_would_block() {
    let (master, slave) = ptyx::openpty().unwrap();
    let clone = master.try_clone().unwrap();
    master.set_nonblocking(true).unwrap();
    let mut buf = [0u8; 16];
    let err = (&master).read(&mut buf).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::WouldBlock);
    // One open file description: the clone is non-blocking too.
    assert_eq!((&clone).read(&mut buf).unwrap_err().kind(), ErrorKind::WouldBlock);
    // Same for the slave end.
    slave.set_nonblocking(true).unwrap();
    assert_eq!((&slave).read(&mut buf).unwrap_err().kind(), ErrorKind::WouldBlock);
    // Back to blocking: a read waits for and returns data.
    master.set_nonblocking(false).unwrap();
    (&slave).write_all(b"ok\n").unwrap();
    assert_eq!(read_exact_master(&master, 4), b"ok\r\n");
    // SAFETY: F_GETFL on a live descriptor.
    let flags = unsafe { libc::fcntl(master.as_raw_fd(), libc::F_GETFL) };
    assert_eq!(flags & libc::O_NONBLOCK, 0);
}

#[test]
fn termios_round_trips_and_is_shared_by_both_ends() {
    use rustix::termios::{LocalModes, SpecialCodeIndex};
    let (master, slave) = ptyx::openpty().unwrap();
    let before = Mode::of(&slave);
    let mut t = master.termios().unwrap();
    assert!(t.local_modes.contains(LocalModes::ECHO), "a new pty echoes");
    t.local_modes -= LocalModes::ECHO;
    t.special_codes[SpecialCodeIndex::VINTR] = 0x07;
    master.set_termios(&t).unwrap();
    let after = Mode::of(&slave);
    assert_eq!(after.lflag, before.lflag & !libc::ECHO);
    assert_eq!(after.cc[libc::VINTR], 0x07);
    let read_back = slave.termios().unwrap();
    assert!(!read_back.local_modes.contains(LocalModes::ECHO));
    assert_eq!(read_back.special_codes[SpecialCodeIndex::VINTR], 0x07);
    // Setting what was read changes nothing.
    slave.set_termios(&read_back).unwrap();
    assert_eq!(Mode::of(&master), after);
    // And the change is real: typed input is no longer echoed back to the master.
    (&master).write_all(b"secret\r").unwrap();
    let mut buf = [0u8; 16];
    let n = (&slave).read(&mut buf).unwrap();
    assert_eq!(&buf[..n], b"secret\n");
    master.set_nonblocking(true).unwrap();
    assert_eq!((&master).read(&mut buf).unwrap_err().kind(), ErrorKind::WouldBlock, "no echo expected");
}

#[test]
fn set_raw_then_restore_brings_back_the_exact_mode() {
    let (master, mut slave) = ptyx::openpty().unwrap();
    let before = Mode::of(&slave);
    assert!(!before.is_raw());
    let saved = ptyx::tty::set_raw(&slave).unwrap();
    let raw = Mode::of(&slave);
    assert!(raw.is_raw(), "{raw:?}");
    assert_eq!(raw.cc[libc::VMIN], 1);
    assert_eq!(raw.cc[libc::VTIME], 0);
    // Raw output: \n is no longer turned into \r\n.
    slave.write_all(b"a\n").unwrap();
    assert_eq!(read_exact_master(&master, 2), b"a\n");
    ptyx::tty::restore(&slave, &saved).unwrap();
    assert_eq!(Mode::of(&slave), before);
    slave.write_all(b"a\n").unwrap();
    assert_eq!(read_exact_master(&master, 3), b"a\r\n");
}

#[test]
fn set_cbreak_turns_off_echo_and_lines_but_keeps_signals_and_output_processing() {
    let (_master, slave) = ptyx::openpty().unwrap();
    let before = Mode::of(&slave);
    let saved = ptyx::tty::set_cbreak(&slave).unwrap();
    let cbreak = Mode::of(&slave);
    assert_eq!(cbreak.lflag & (libc::ICANON | libc::ECHO), 0);
    assert_ne!(cbreak.lflag & libc::ISIG, 0, "cbreak keeps ^C");
    assert_ne!(cbreak.oflag & libc::OPOST, 0, "cbreak keeps output processing");
    assert_eq!(cbreak.cc[libc::VMIN], 1);
    assert_eq!(cbreak.cc[libc::VTIME], 0);
    ptyx::tty::restore(&slave, &saved).unwrap();
    assert_eq!(Mode::of(&slave), before);
}

#[test]
fn mode_guard_restores_on_drop_on_restore_and_on_panic() {
    let (_master, slave) = ptyx::openpty().unwrap();
    let before = Mode::of(&slave);

    {
        let guard = ptyx::tty::ModeGuard::raw(slave.as_fd()).unwrap();
        assert!(Mode::of(&slave).is_raw());
        let saved = guard.saved().expect("a guard holds the previous mode");
        assert_eq!(u64::from(saved.local_modes.bits()), u64::from(before.lflag));
    }
    assert_eq!(Mode::of(&slave), before, "drop restores");

    let guard = ptyx::tty::ModeGuard::cbreak(slave.as_fd()).unwrap();
    assert_eq!(Mode::of(&slave).lflag & libc::ICANON, 0);
    guard.restore().unwrap();
    assert_eq!(Mode::of(&slave), before, "restore() restores");

    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        let _guard = ptyx::tty::ModeGuard::raw(slave.as_fd()).unwrap();
        assert!(Mode::of(&slave).is_raw());
        panic!("unwinding through the guard");
    }));
    assert!(result.is_err());
    assert_eq!(Mode::of(&slave), before, "unwinding restores");
}
