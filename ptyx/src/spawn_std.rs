//! Starting a child where neither glibc's posix_spawn nor Linux's system calls are there: std's
//! `Command` with a `pre_exec` hook. std builds everything before fork, runs only our
//! async-signal-safe hook in the child, and reports exec errors over a close-on-exec pipe.
//! Descriptors the parent leaked without close-on-exec are not closed on this path.

use std::ffi::OsStr;
use std::io;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::process::CommandExt;

use crate::exec::Prepared;
use crate::process::Pid;

/// Starts the prepared command through `std::process::Command`.
pub(crate) fn spawn(p: &Prepared) -> io::Result<Pid> {
    use rustix::fs::{Mode, OFlags};
    let tty = rustix::fs::open(p.slave.as_c_str(), OFlags::RDWR | OFlags::NOCTTY | OFlags::CLOEXEC, Mode::empty())?;
    let tty = std::fs::File::from(tty);
    let mut cmd = std::process::Command::new(OsStr::from_bytes(p.path.as_bytes()));
    cmd.arg0(OsStr::from_bytes(p.argv[0].as_bytes()));
    cmd.args(p.argv[1..].iter().map(|a| OsStr::from_bytes(a.as_bytes())));
    cmd.env_clear();
    for kv in &p.env {
        let kv = kv.as_bytes();
        let eq = kv.iter().position(|&b| b == b'=').unwrap_or(kv.len());
        cmd.env(OsStr::from_bytes(&kv[..eq]), OsStr::from_bytes(kv.get(eq + 1..).unwrap_or_default()));
    }
    if let Some(dir) = &p.cwd {
        cmd.current_dir(OsStr::from_bytes(dir.as_bytes()));
    }
    cmd.stdin(tty.try_clone()?).stdout(tty.try_clone()?).stderr(tty);
    // SAFETY: the hook only makes the setsid and ioctl system calls, which are async-signal-safe.
    unsafe {
        cmd.pre_exec(|| {
            rustix::process::setsid()?;
            rustix::process::ioctl_tiocsctty(rustix::stdio::stdin())?;
            Ok(())
        });
    }
    let child = cmd.spawn()?;
    Ok(Pid::from_raw(child.id() as i32))
}
