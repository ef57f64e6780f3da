//! Catching the parent's signals while a relay runs, and putting the previous handlers back after.
//! See [sigaction(2)](https://man7.org/linux/man-pages/man2/sigaction.2.html) and the self-pipe trick.
//!
//! signal-hook would be the usual choice, but it never uninstalls its handler, and a library that
//! leaves `SIGTERM` caught after `spawn` returns breaks its caller. So this module keeps, per
//! signal, the disposition it replaced and a count of relays using it, and restores the saved
//! disposition when the last relay is done. The handler only loads atomics and calls `write(2)`,
//! both async-signal-safe.

use std::io;
use std::os::fd::{AsFd, BorrowedFd, OwnedFd};
use std::sync::atomic::{AtomicI32, AtomicUsize, Ordering};
use std::sync::{Mutex, MutexGuard};

/// How many relays can run at once in one process.
const SLOTS: usize = 128;

/// Write ends of the pipes of the running relays; -1 is a free slot.
static PIPES: [AtomicI32; SLOTS] = [const { AtomicI32::new(-1) }; SLOTS];
/// Handlers currently running: a slot's pipe is closed only once none can still be writing to it.
static IN_HANDLER: AtomicUsize = AtomicUsize::new(0);

struct Installed {
    signal: i32,
    users: usize,
    previous: libc::sigaction,
}

// SAFETY: `libc::sigaction` holds a handler address and plain flags/masks; it is only read or
// written under the mutex and handed to sigaction(2), never dereferenced.
unsafe impl Send for Installed {}

static INSTALLED: Mutex<Vec<Installed>> = Mutex::new(Vec::new());

fn installed() -> MutexGuard<'static, Vec<Installed>> {
    // A panic elsewhere while holding the lock leaves the list consistent (every change to it is
    // a single push, remove or counter update), so a poisoned lock is safe to keep using.
    INSTALLED.lock().unwrap_or_else(|e| e.into_inner())
}

#[cfg(any(target_os = "linux", target_os = "android"))]
use libc::__errno_location as errno;
#[cfg(not(any(target_os = "linux", target_os = "android")))]
use libc::__error as errno;

extern "C" fn handler(sig: libc::c_int) {
    // SAFETY: errno is thread-local; saving and restoring it keeps the interrupted code's value.
    let saved_errno = unsafe { *errno() };
    IN_HANDLER.fetch_add(1, Ordering::SeqCst);
    let byte = sig as u8;
    for slot in &PIPES {
        let fd = slot.load(Ordering::SeqCst);
        if fd >= 0 {
            // SAFETY: `fd` is a pipe write end that stays open while IN_HANDLER > 0 (see
            // Subscription::drop); `byte` is a valid 1-byte buffer. A full pipe (EAGAIN) just
            // drops the byte: the reader already has one pending for it to wake up.
            unsafe { libc::write(fd, (&byte as *const u8).cast(), 1) };
        }
    }
    IN_HANDLER.fetch_sub(1, Ordering::SeqCst);
    // SAFETY: as above.
    unsafe { *errno() = saved_errno };
}

/// One relay's registration: a non-blocking pipe whose read end becomes readable when one of the
/// signals arrives. Dropping it unregisters and, for the last user, restores the old handlers.
pub(crate) struct Subscription {
    slot: usize,
    signals: Vec<i32>,
    read: OwnedFd,
    _write: OwnedFd,
}

impl Subscription {
    /// Starts catching `signals`. A signal whose disposition is "ignore" stays ignored (the way a
    /// shell leaves `nohup`'s `SIGHUP` alone), except `SIGWINCH`, which is ignored by default.
    pub(crate) fn new(signals: &[i32]) -> io::Result<Subscription> {
        use rustix::pipe::{pipe_with, PipeFlags};
        let (read, write) = pipe_with(PipeFlags::CLOEXEC | PipeFlags::NONBLOCK)?;
        let mut list = installed();
        let slot = PIPES
            .iter()
            .position(|s| {
                s.compare_exchange(-1, rustix::fd::AsRawFd::as_raw_fd(&write), Ordering::SeqCst, Ordering::SeqCst)
                    .is_ok()
            })
            .ok_or_else(|| io::Error::other("too many ptyx relays running at once"))?;
        let mut sub = Subscription { slot, signals: Vec::new(), read, _write: write };
        let result = install(&mut list, &mut sub, signals);
        // Unlock before `sub` can drop on error: its Drop takes the same lock.
        drop(list);
        result.map(|()| sub)
    }

    /// The descriptor to poll for readability.
    pub(crate) fn fd(&self) -> BorrowedFd<'_> {
        self.read.as_fd()
    }

    /// The signals that arrived since the last call, oldest first, each once per delivery
    /// (a burst of one signal may be merged, as the kernel merges pending signals anyway).
    pub(crate) fn take(&self) -> Vec<i32> {
        let mut out = Vec::new();
        let mut buf = [0u8; 64];
        while let Ok(n @ 1..) = rustix::io::read(&self.read, &mut buf) {
            out.extend(buf[..n].iter().map(|&b| i32::from(b)).filter(|s| self.signals.contains(s)));
        }
        out
    }
}

fn install(list: &mut Vec<Installed>, sub: &mut Subscription, signals: &[i32]) -> io::Result<()> {
    for &sig in signals {
        if let Some(entry) = list.iter_mut().find(|e| e.signal == sig) {
            entry.users += 1;
            sub.signals.push(sig);
            continue;
        }
        // SAFETY: a zeroed sigaction is a valid "default disposition, empty mask" value.
        let mut previous: libc::sigaction = unsafe { std::mem::zeroed() };
        // SAFETY: querying only (act = NULL); `previous` is a valid out-pointer.
        if unsafe { libc::sigaction(sig, std::ptr::null(), &mut previous) } != 0 {
            return Err(io::Error::last_os_error());
        }
        if previous.sa_sigaction == libc::SIG_IGN && sig != libc::SIGWINCH {
            continue;
        }
        // SAFETY: as above.
        let mut action: libc::sigaction = unsafe { std::mem::zeroed() };
        action.sa_sigaction = handler as *const () as libc::sighandler_t;
        action.sa_flags = libc::SA_RESTART;
        // SAFETY: `action.sa_mask` is a valid sigset_t to fill; the handler installed only does
        // async-signal-safe work.
        unsafe {
            libc::sigfillset(&mut action.sa_mask);
            if libc::sigaction(sig, &action, std::ptr::null_mut()) != 0 {
                return Err(io::Error::last_os_error());
            }
        }
        list.push(Installed { signal: sig, users: 1, previous });
        sub.signals.push(sig);
    }
    Ok(())
}

impl Drop for Subscription {
    fn drop(&mut self) {
        let mut list = installed();
        PIPES[self.slot].store(-1, Ordering::SeqCst);
        // A handler that loaded our descriptor before the store above may still be writing to
        // it; the pipe may only close (and its number be reused) once no handler is running.
        while IN_HANDLER.load(Ordering::SeqCst) != 0 {
            std::hint::spin_loop();
        }
        for sig in &self.signals {
            let Some(i) = list.iter().position(|e| e.signal == *sig) else { continue };
            list[i].users -= 1;
            if list[i].users == 0 {
                let entry = list.swap_remove(i);
                // SAFETY: restoring the exact disposition sigaction(2) reported before we
                // installed ours.
                unsafe { libc::sigaction(entry.signal, &entry.previous, std::ptr::null_mut()) };
            }
        }
    }
}
