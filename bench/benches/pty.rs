//! In-process benchmarks (divan): ptyx beside portable-pty and a raw libc
//! openpty + fork + exec, in the same process and the same run.
//!
//! `cargo bench -p ptyx-bench` (about a minute). The cross-tool comparison
//! with C, util-linux script and Python is `bench/compare.sh`.

use portable_pty::{native_pty_system, CommandBuilder, PtySize};
use std::ffi::CString;
use std::io::{Read, Write};

fn main() {
    divan::main();
}

/// Bytes the throughput benchmarks push through the pty.
const BYTES: u64 = 4 << 20;

/// A child that writes `BYTES` NULs (no newline) to its terminal.
fn writer_argv() -> [String; 4] {
    ["head".into(), "-c".into(), BYTES.to_string(), "/dev/zero".into()]
}

/// A child that puts its terminal in raw mode, says 'R', then echoes bytes.
const ECHO: [&str; 3] = ["sh", "-c", "stty raw -echo && printf R && exec cat"];

/// openpty + fork + exec with libc: the floor the libraries are measured against.
mod libc_pty {
    use std::ffi::CString;
    use std::ptr;

    pub struct Child {
        pub pid: libc::pid_t,
        pub master: libc::c_int,
    }

    pub fn spawn(argv: &[CString]) -> Child {
        let mut ptrs: Vec<*const libc::c_char> = argv.iter().map(|a| a.as_ptr()).collect();
        ptrs.push(ptr::null());
        let (mut master, mut slave) = (0, 0);
        // SAFETY: openpty writes two descriptors; the child only makes
        // async-signal-safe calls between fork and exec.
        unsafe {
            let r = libc::openpty(&mut master, &mut slave, ptr::null_mut(), ptr::null(), ptr::null());
            assert_eq!(r, 0, "openpty");
            let pid = libc::fork();
            assert!(pid >= 0, "fork");
            if pid == 0 {
                libc::close(master);
                libc::setsid();
                libc::ioctl(slave, libc::TIOCSCTTY, 0);
                libc::dup2(slave, 0);
                libc::dup2(slave, 1);
                libc::dup2(slave, 2);
                if slave > 2 {
                    libc::close(slave);
                }
                libc::execvp(ptrs[0], ptrs.as_ptr());
                libc::_exit(127);
            }
            libc::close(slave);
            Child { pid, master }
        }
    }

    impl Child {
        pub fn wait(self) -> i32 {
            let mut status = 0;
            // SAFETY: our own child and descriptor.
            unsafe {
                libc::waitpid(self.pid, &mut status, 0);
                libc::close(self.master);
            }
            status
        }

        /// Read until EOF/EIO in 64 KiB reads; returns the byte count.
        pub fn drain(&self, mut sink: impl FnMut(&[u8])) -> u64 {
            let mut buf = vec![0u8; 64 * 1024];
            let mut total = 0;
            loop {
                // SAFETY: buf is valid for buf.len() bytes.
                let n = unsafe { libc::read(self.master, buf.as_mut_ptr().cast(), buf.len()) };
                if n > 0 {
                    sink(&buf[..n as usize]);
                    total += n as u64;
                } else if n < 0 && std::io::Error::last_os_error().kind() == std::io::ErrorKind::Interrupted {
                    continue;
                } else {
                    return total;
                }
            }
        }
    }
}

fn cstrings(argv: &[&str]) -> Vec<CString> {
    argv.iter().map(|a| CString::new(*a).unwrap()).collect()
}

/// Spawn `/bin/true` on a new pty and reap it.
mod spawn {
    use super::*;

    #[divan::bench(sample_count = 200)]
    fn libc_openpty_fork_exec() {
        let argv = cstrings(&["/bin/true"]);
        assert_eq!(libc_pty::spawn(&argv).wait(), 0);
    }

    #[divan::bench(sample_count = 200)]
    fn ptyx_command() {
        let status = ptyx::Command::new("/bin/true").spawn().unwrap().wait().unwrap();
        assert!(status.success());
    }

    #[divan::bench(sample_count = 200)]
    fn portable_pty() {
        let pair = native_pty_system().openpty(PtySize::default()).unwrap();
        let mut child = pair.slave.spawn_command(CommandBuilder::new("/bin/true")).unwrap();
        drop(pair.slave);
        assert!(child.wait().unwrap().success());
    }
}

/// A child writes 4 MiB to its terminal; the parent records it to a file.
mod throughput {
    use super::*;

    fn sink() -> std::fs::File {
        std::fs::OpenOptions::new().write(true).open("/dev/null").unwrap()
    }

    #[divan::bench(sample_count = 20, sample_size = 1)]
    fn libc_read_64k(b: divan::Bencher) {
        let argv = writer_argv();
        let argv = cstrings(&argv.each_ref().map(String::as_str));
        b.counter(divan::counter::BytesCount::new(BYTES)).bench(|| {
            let mut out = sink();
            let child = libc_pty::spawn(&argv);
            let n = child.drain(|bytes| out.write_all(bytes).unwrap());
            assert_eq!(child.wait(), 0);
            assert_eq!(n, BYTES);
        });
    }

    #[divan::bench(sample_count = 20, sample_size = 1)]
    fn ptyx_relay_recording(b: divan::Bencher) {
        b.counter(divan::counter::BytesCount::new(BYTES)).bench(|| {
            let mut out = sink();
            let mut n = 0u64;
            let mut cmd = ptyx::Command::new("head");
            cmd.args(&writer_argv()[1..]);
            let status = ptyx::Relay::new(cmd)
                .input(None)
                .output(None)
                .master_read(|fd, buf| {
                    let r = ptyx::read(fd, buf)?;
                    out.write_all(&buf[..r])?;
                    n += r as u64;
                    Ok(r)
                })
                .run()
                .unwrap();
            assert!(status.success());
            assert_eq!(n, BYTES);
        });
    }

    #[divan::bench(sample_count = 20, sample_size = 1)]
    fn ptyx_master_read(b: divan::Bencher) {
        b.counter(divan::counter::BytesCount::new(BYTES)).bench(|| {
            let mut out = sink();
            let mut child = ptyx::Command::new("head").args(&writer_argv()[1..]).spawn().unwrap();
            let n = std::io::copy(&mut child.master(), &mut out).unwrap();
            assert!(child.wait().unwrap().success());
            assert_eq!(n, BYTES);
        });
    }

    #[divan::bench(sample_count = 20, sample_size = 1)]
    fn portable_pty(b: divan::Bencher) {
        b.counter(divan::counter::BytesCount::new(BYTES)).bench(|| {
            let mut out = sink();
            let pair = native_pty_system().openpty(PtySize::default()).unwrap();
            let mut cmd = CommandBuilder::new("head");
            cmd.args(&writer_argv()[1..]);
            let mut child = pair.slave.spawn_command(cmd).unwrap();
            drop(pair.slave);
            let mut reader = pair.master.try_clone_reader().unwrap();
            let mut buf = vec![0u8; 64 * 1024];
            let mut n = 0u64;
            loop {
                match reader.read(&mut buf) {
                    Ok(0) | Err(_) => break,
                    Ok(r) => {
                        out.write_all(&buf[..r]).unwrap();
                        n += r as u64;
                    }
                }
            }
            assert!(child.wait().unwrap().success());
            assert_eq!(n, BYTES);
        });
    }
}

/// One byte to the child and back, with the child already running.
mod round_trip {
    use super::*;

    fn expect(mut r: impl Read, want: u8) {
        let mut b = [0u8; 1];
        r.read_exact(&mut b).unwrap();
        assert_eq!(b[0], want);
    }

    #[divan::bench(sample_count = 100, sample_size = 100)]
    fn libc_read_write(b: divan::Bencher) {
        let child = libc_pty::spawn(&cstrings(&ECHO));
        // SAFETY: the master stays open until child.wait() below.
        let fd = unsafe { std::os::fd::BorrowedFd::borrow_raw(child.master) };
        let mut master = std::fs::File::from(fd.try_clone_to_owned().unwrap());
        expect(&master, b'R');
        b.bench_local(|| {
            master.write_all(b"a").unwrap();
            expect(&master, b'a');
        });
        // SAFETY: end the child's session; the master closes in wait().
        unsafe { libc::kill(child.pid, libc::SIGKILL) };
        drop(master);
        child.wait();
    }

    #[divan::bench(sample_count = 100, sample_size = 100)]
    fn ptyx_master(b: divan::Bencher) {
        let mut child = ptyx::Command::new(ECHO[0]).args(&ECHO[1..]).spawn().unwrap();
        let mut master = child.master();
        expect(master, b'R');
        b.bench_local(|| {
            master.write_all(b"a").unwrap();
            expect(master, b'a');
        });
        child.kill().unwrap();
        child.wait().unwrap();
    }

    #[divan::bench(sample_count = 100, sample_size = 100)]
    fn portable_pty(b: divan::Bencher) {
        let pair = native_pty_system().openpty(PtySize::default()).unwrap();
        let mut cmd = CommandBuilder::new(ECHO[0]);
        cmd.args(&ECHO[1..]);
        let mut child = pair.slave.spawn_command(cmd).unwrap();
        drop(pair.slave);
        let mut reader = pair.master.try_clone_reader().unwrap();
        let mut writer = pair.master.take_writer().unwrap();
        expect(&mut reader, b'R');
        b.bench_local(|| {
            writer.write_all(b"a").unwrap();
            expect(&mut reader, b'a');
        });
        child.kill().unwrap();
        child.wait().unwrap();
    }
}
