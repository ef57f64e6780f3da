//! Starting a child with [fork(2)](https://man7.org/linux/man-pages/man2/fork.2.html) and
//! [execve(2)](https://man7.org/linux/man-pages/man2/execve.2.html), for a glibc too old for the
//! posix_spawn file actions ptyx needs ([`crate::spawn_posix`]), and for other C libraries.
//!
//! It keeps every guarantee of the posix_spawn path, the way Rust std's `process_unix.rs` does:
//! everything the child needs is built before the fork, the child makes only async-signal-safe
//! system calls (no allocation, no locks, no Rust runtime), and an `exec` failure comes back as
//! its errno over a close-on-exec pipe, which the parent turns into the `io::Error` of the spawn
//! after reaping the child. Only fds 0, 1 and 2 reach the program:
//! [close_range(2)](https://man7.org/linux/man-pages/man2/close_range.2.html) closes the rest
//! (a close(2) of each one below the descriptor limit on kernels older than 5.9).

use std::ffi::CString;
use std::io;
use std::mem::MaybeUninit;
use std::os::fd::{AsRawFd, OwnedFd};
use std::os::raw::c_char;

use crate::exec::{pointers, Prepared};
use crate::process::Pid;

/// What the child reads, all of it allocated before the fork.
struct ChildPlan<'a> {
    path: &'a CString,
    argv: &'a [*const c_char],
    envp: &'a [*const c_char],
    slave: &'a CString,
    cwd: Option<&'a CString>,
    /// Write end of the error pipe (close-on-exec, above 2).
    report: i32,
    /// Where to stop closing descriptors one by one if close_range(2) is missing.
    fd_limit: i32,
    /// The empty signal set the program starts with.
    empty: libc::sigset_t,
    /// The default disposition, set for every signal up to `sig_max`.
    default: libc::sigaction,
    sig_max: i32,
}

/// Starts the prepared command with fork + execve.
pub(crate) fn spawn(p: &Prepared) -> io::Result<Pid> {
    let path = p.resolved_path()?;
    let argv = pointers(&p.argv);
    let envp = pointers(&p.env);
    let (report_read, pipe_write) = rustix::pipe::pipe_with(rustix::pipe::PipeFlags::CLOEXEC)?;
    // Above 2, so that making the terminal fds 0, 1 and 2 in the child cannot close it; the first
    // write end closes at once, or the parent would wait for its own end of the pipe.
    let report_write: OwnedFd = rustix::io::fcntl_dupfd_cloexec(&pipe_write, 3)?;
    drop(pipe_write);
    let fd_limit = match rustix::process::getrlimit(rustix::process::Resource::Nofile).current {
        Some(n) => n.min(1 << 20) as i32,
        None => 1 << 20,
    };
    let mut empty = MaybeUninit::uninit();
    // SAFETY: sigemptyset initialises the set it is given.
    let empty = unsafe {
        libc::sigemptyset(empty.as_mut_ptr());
        empty.assume_init()
    };
    // SAFETY: a zeroed sigaction is SIG_DFL (0) with an empty mask and no flags.
    let mut default: libc::sigaction = unsafe { std::mem::zeroed() };
    default.sa_sigaction = libc::SIG_DFL;
    let plan = ChildPlan {
        path: &path,
        argv: &argv,
        envp: &envp,
        slave: &p.slave,
        cwd: p.cwd.as_ref(),
        report: report_write.as_raw_fd(),
        fd_limit,
        empty,
        default,
        sig_max: libc::SIGRTMAX(),
    };

    // Block every signal across the fork: a handler of this process must not run in the child
    // before the child has put every disposition back to default.
    let mut all = MaybeUninit::uninit();
    let mut old = MaybeUninit::uninit();
    // SAFETY: sigfillset initialises `all`; pthread_sigmask reads it and writes the previous mask
    // to `old`, both valid pointers.
    let old = unsafe {
        libc::sigfillset(all.as_mut_ptr());
        libc::pthread_sigmask(libc::SIG_SETMASK, all.as_ptr(), old.as_mut_ptr());
        old.assume_init()
    };
    // SAFETY: the child runs only `child`, which makes async-signal-safe system calls on memory
    // built above (and not freed until the parent returns) and never returns.
    let pid = unsafe { libc::fork() };
    let fork_error = io::Error::last_os_error();
    if pid == 0 {
        // SAFETY: this is the child; see `child`.
        unsafe { child(&plan) }
    }
    // SAFETY: restores the mask saved above.
    unsafe { libc::pthread_sigmask(libc::SIG_SETMASK, &old, std::ptr::null_mut()) };
    if pid < 0 {
        return Err(fork_error);
    }
    drop(report_write);
    let pid = Pid::from_raw(pid);
    // The pipe reaches end of file when exec closes it (success) or the child exits.
    let mut errno = [0u8; 4];
    let mut got = 0;
    while got < errno.len() {
        match rustix::io::read(&report_read, &mut errno[got..]) {
            Ok(0) => break,
            Ok(n) => got += n,
            Err(rustix::io::Errno::INTR) => {}
            Err(e) => {
                let _ = crate::process::signal_group(pid, libc::SIGKILL);
                let _ = pid.wait();
                return Err(e.into());
            }
        }
    }
    if got == 0 {
        return Ok(pid);
    }
    // The child failed before exec and exited: reap it, then report why.
    let _ = pid.wait();
    if got < errno.len() {
        return Err(io::Error::other("the child failed before exec without saying why"));
    }
    Err(io::Error::from_raw_os_error(i32::from_ne_bytes(errno)))
}

/// The child's side, between fork and exec.
///
/// # Safety
///
/// Only to be called in the child of a fork. It makes only async-signal-safe system calls, reads
/// only `plan` (built before the fork) and ends in execve or _exit: it never returns, allocates,
/// takes a lock or unwinds.
unsafe fn child(plan: &ChildPlan<'_>) -> ! {
    // SAFETY (for the whole body): each call is a plain system call wrapper listed as
    // async-signal-safe in signal-safety(7) (setsid, open, ioctl, dup2, close, chdir, sigaction,
    // sigprocmask, execve, write, _exit; syscall for close_range); every pointer is into `plan`.
    unsafe {
        if libc::setsid() < 0 {
            fail(plan.report);
        }
        // Opening the terminal without O_NOCTTY as a session leader without one makes it the
        // controlling terminal; TIOCSCTTY says so explicitly where that rule does not hold.
        let tty = libc::open(plan.slave.as_ptr(), libc::O_RDWR);
        if tty < 0 || libc::ioctl(tty, libc::TIOCSCTTY as _, 0) < 0 {
            fail(plan.report);
        }
        for fd in 0..3 {
            if tty != fd && libc::dup2(tty, fd) < 0 {
                fail(plan.report);
            }
        }
        if tty > 2 {
            libc::close(tty);
        }
        close_from_3_except(plan.report, plan.fd_limit);
        if let Some(dir) = plan.cwd {
            if libc::chdir(dir.as_ptr()) < 0 {
                fail(plan.report);
            }
        }
        // Ignored signals survive exec; a program started on a terminal expects defaults.
        for sig in 1..=plan.sig_max {
            if sig != libc::SIGKILL && sig != libc::SIGSTOP {
                set_default(sig, &plan.default);
            }
        }
        libc::sigprocmask(libc::SIG_SETMASK, &plan.empty, std::ptr::null_mut());
        libc::execve(plan.path.as_ptr(), plan.argv.as_ptr(), plan.envp.as_ptr());
        fail(plan.report)
    }
}

/// Sets `sig`'s disposition to `SIG_DFL`, glibc's own 32 and 33 included: glibc's sigaction(2)
/// refuses those two, yet a process started by a posix_spawn that did not reset them (Rust std's,
/// cargo's) has them ignored, and ignored they would survive exec. So this is the raw system call,
/// with the kernel's `struct sigaction` (handler, flags, restorer, mask: its layout on these
/// architectures).
///
/// # Safety
///
/// Async-signal-safe; for the child of a fork only.
#[cfg(any(target_arch = "x86_64", target_arch = "aarch64", target_arch = "riscv64", target_arch = "loongarch64"))]
unsafe fn set_default(sig: i32, _default: &libc::sigaction) {
    #[repr(C)]
    struct KernelSigaction {
        handler: usize,
        flags: libc::c_ulong,
        restorer: usize,
        mask: u64,
    }
    let default = KernelSigaction { handler: libc::SIG_DFL, flags: 0, restorer: 0, mask: 0 };
    // SAFETY: rt_sigaction(2) with a valid new action (SIG_DFL, no flags, empty mask), no old
    // action, and the kernel's sigset size (8 bytes, 64 signals).
    unsafe {
        libc::syscall(
            libc::SYS_rt_sigaction,
            sig,
            &default as *const KernelSigaction,
            std::ptr::null_mut::<u8>(),
            8usize,
        );
    }
}

/// Sets `sig`'s disposition to `SIG_DFL` through libc (glibc's 32 and 33 stay as they are here).
///
/// # Safety
///
/// Async-signal-safe; for the child of a fork only.
#[cfg(not(any(
    target_arch = "x86_64",
    target_arch = "aarch64",
    target_arch = "riscv64",
    target_arch = "loongarch64"
)))]
unsafe fn set_default(sig: i32, default: &libc::sigaction) {
    // SAFETY: sigaction(2) with a valid action and no old action.
    unsafe { libc::sigaction(sig, default, std::ptr::null_mut()) };
}

/// Closes every descriptor from 3 up except `keep`.
///
/// # Safety
///
/// Async-signal-safe; for the child of a fork only (it closes descriptors others may own).
unsafe fn close_from_3_except(keep: i32, fd_limit: i32) {
    // SAFETY: close_range(2) and close(2) take plain integers; see the caller.
    unsafe {
        let ranges = [(3, keep - 1), (keep + 1, i32::MAX)];
        let mut ok = true;
        for (first, last) in ranges {
            if first <= last && libc::syscall(libc::SYS_close_range, first as u32, last as u32, 0u32) != 0 {
                ok = false;
            }
        }
        if !ok {
            for fd in 3..fd_limit {
                if fd != keep {
                    libc::close(fd);
                }
            }
        }
    }
}

/// Reports errno to the parent and exits.
///
/// # Safety
///
/// Async-signal-safe; for the child of a fork only.
unsafe fn fail(report: i32) -> ! {
    // SAFETY: errno is thread-local and readable; write(2) and _exit(2) are async-signal-safe.
    unsafe {
        let errno = *libc::__errno_location();
        let bytes = errno.to_ne_bytes();
        libc::write(report, bytes.as_ptr().cast(), bytes.len());
        libc::_exit(127)
    }
}
