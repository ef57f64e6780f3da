//! Starting a child with glibc's [posix_spawn(3)](https://man7.org/linux/man-pages/man3/posix_spawn.3.html),
//! which glibc runs as `clone(CLONE_VM | CLONE_VFORK)`: no page tables are copied, so a spawn
//! costs the same in a 10 GiB process as in a small one, and nothing of ours runs in the child, so
//! it is safe in a multithreaded program by construction.
//!
//! `POSIX_SPAWN_SETSID` (glibc 2.26) gives the child its own session; opening the slave by name as
//! its fd 0 (without `O_NOCTTY`) then makes the pty its controlling terminal, as
//! [credentials(7)](https://man7.org/linux/man-pages/man7/credentials.7.html) describes for a
//! session leader without one. glibc reports an `exec` failure as `posix_spawn`'s return value
//! (since 2.24).
//!
//! Two file actions are newer than the glibc ptyx supports (2.28, RHEL 8):
//! `posix_spawn_file_actions_addclosefrom_np` (2.34), which keeps leaked descriptors out of the
//! child, and `posix_spawn_file_actions_addchdir_np` (2.29), for [`Command::current_dir`](crate::Command::current_dir).
//! They are looked up at run time with dlsym(3), not linked, so a program built with ptyx starts
//! on any glibc from 2.28 on; where one that a spawn needs is missing, [`spawn`] returns `None`
//! and the caller starts the child with fork(2) instead ([`crate::spawn_fork`]), which keeps
//! every guarantee.

use std::ffi::CStr;
use std::io;
use std::mem::MaybeUninit;
use std::os::raw::{c_char, c_int};
use std::sync::OnceLock;

use crate::exec::{pointers, Prepared};
use crate::process::Pid;

type AddCloseFrom = unsafe extern "C" fn(*mut libc::posix_spawn_file_actions_t, c_int) -> c_int;
type AddChdir = unsafe extern "C" fn(*mut libc::posix_spawn_file_actions_t, *const c_char) -> c_int;

/// The file actions newer than glibc 2.28, if this glibc has them.
struct Newer {
    closefrom: Option<AddCloseFrom>,
    chdir: Option<AddChdir>,
}

fn newer() -> &'static Newer {
    static NEWER: OnceLock<Newer> = OnceLock::new();
    NEWER.get_or_init(|| {
        // SAFETY: dlsym(3) with RTLD_DEFAULT searches the global symbol table for a NUL-terminated
        // name; a non-null result is the address of the glibc function of that name, whose
        // prototype (posix_spawn_file_actions_addclosefrom_np(3)) is the type transmuted to.
        let closefrom = unsafe {
            let sym = libc::dlsym(libc::RTLD_DEFAULT, c"posix_spawn_file_actions_addclosefrom_np".as_ptr());
            (!sym.is_null()).then(|| std::mem::transmute::<*mut libc::c_void, AddCloseFrom>(sym))
        };
        // SAFETY: as above, for posix_spawn_file_actions_addchdir_np(3).
        let chdir = unsafe {
            let sym = libc::dlsym(libc::RTLD_DEFAULT, c"posix_spawn_file_actions_addchdir_np".as_ptr());
            (!sym.is_null()).then(|| std::mem::transmute::<*mut libc::c_void, AddChdir>(sym))
        };
        Newer { closefrom, chdir }
    })
}

fn check(r: c_int) -> io::Result<()> {
    if r == 0 {
        Ok(())
    } else {
        Err(io::Error::from_raw_os_error(r))
    }
}

/// `posix_spawn_file_actions_t`, destroyed on drop.
struct FileActions(libc::posix_spawn_file_actions_t);

impl Drop for FileActions {
    fn drop(&mut self) {
        // SAFETY: self.0 was initialised by posix_spawn_file_actions_init and is destroyed once.
        unsafe { libc::posix_spawn_file_actions_destroy(&mut self.0) };
    }
}

/// `posix_spawnattr_t`, destroyed on drop.
struct Attr(libc::posix_spawnattr_t);

impl Drop for Attr {
    fn drop(&mut self) {
        // SAFETY: self.0 was initialised by posix_spawnattr_init and is destroyed once.
        unsafe { libc::posix_spawnattr_destroy(&mut self.0) };
    }
}

/// Adds glibc's own signals (32 and 33, below `SIGRTMIN`) to `set`. `sigfillset` and `sigaddset`
/// leave them out, and glibc's `posix_spawn` sets every signal it is not told to default to
/// `SIG_IGN` in the child: without this the program would start with 32 and 33 ignored, which a
/// program not built on glibc (musl, Go) sees as two real-time signals lost.
fn add_glibc_internal_signals(set: &mut libc::sigset_t) {
    let bits = usize::BITS as usize;
    let words = std::mem::size_of::<libc::sigset_t>() / std::mem::size_of::<libc::c_ulong>();
    // SAFETY: glibc's sigset_t is an array of unsigned longs in which signal n is bit
    // (n-1) % ULONG_BITS of word (n-1) / ULONG_BITS (its __sigword/__sigmask); the pointer covers
    // exactly `words` of them inside `set`.
    let words = unsafe { std::slice::from_raw_parts_mut((set as *mut libc::sigset_t).cast::<libc::c_ulong>(), words) };
    for sig in 32..libc::SIGRTMIN() as usize {
        if let Some(word) = words.get_mut((sig - 1) / bits) {
            *word |= 1 << ((sig - 1) % bits);
        }
    }
}

/// Starts the prepared command; `Ok(None)` when this glibc lacks a file action it needs (the
/// caller then forks).
pub(crate) fn spawn(p: &Prepared) -> io::Result<Option<Pid>> {
    let newer = newer();
    let Some(closefrom) = newer.closefrom else { return Ok(None) };
    let chdir = match (&p.cwd, newer.chdir) {
        (Some(dir), Some(chdir)) => Some((dir.as_c_str(), chdir)),
        (Some(_), None) => return Ok(None),
        (None, _) => None,
    };
    spawn_with(p, closefrom, chdir).map(Some)
}

fn spawn_with(p: &Prepared, closefrom: AddCloseFrom, chdir: Option<(&CStr, AddChdir)>) -> io::Result<Pid> {
    // SAFETY (for every call in this function): each pointer passed is either to a live,
    // initialised libc object owned by a guard above, or to a NUL-terminated C string / a
    // NULL-terminated array of them that outlives the call; posix_spawn copies nothing it needs
    // after returning, since it returns only once the child has exec'd or failed. `closefrom` and
    // `chdir` are glibc's functions of those prototypes (see `newer`).
    unsafe {
        let mut actions = MaybeUninit::uninit();
        check(libc::posix_spawn_file_actions_init(actions.as_mut_ptr()))?;
        let mut actions = FileActions(actions.assume_init());
        if let Some((dir, chdir)) = chdir {
            check(chdir(&mut actions.0, dir.as_ptr()))?;
        }
        // Opening the slave without O_NOCTTY in a new session makes it the controlling tty.
        check(libc::posix_spawn_file_actions_addopen(&mut actions.0, 0, p.slave.as_ptr(), libc::O_RDWR, 0))?;
        check(libc::posix_spawn_file_actions_adddup2(&mut actions.0, 0, 1))?;
        check(libc::posix_spawn_file_actions_adddup2(&mut actions.0, 0, 2))?;
        // Close every inherited descriptor the parent did not mark close-on-exec.
        check(closefrom(&mut actions.0, 3))?;

        let mut attr = MaybeUninit::uninit();
        check(libc::posix_spawnattr_init(attr.as_mut_ptr()))?;
        let mut attr = Attr(attr.assume_init());
        let mut empty = MaybeUninit::uninit();
        libc::sigemptyset(empty.as_mut_ptr());
        let empty = empty.assume_init();
        let mut all = MaybeUninit::uninit();
        libc::sigfillset(all.as_mut_ptr());
        let mut all = all.assume_init();
        add_glibc_internal_signals(&mut all);
        check(libc::posix_spawnattr_setsigmask(&mut attr.0, &empty))?;
        // Ignored signals survive exec; a program started on a terminal expects defaults.
        check(libc::posix_spawnattr_setsigdefault(&mut attr.0, &all))?;
        let flags = libc::POSIX_SPAWN_SETSID as i32 | libc::POSIX_SPAWN_SETSIGMASK | libc::POSIX_SPAWN_SETSIGDEF;
        check(libc::posix_spawnattr_setflags(&mut attr.0, flags as libc::c_short))?;

        let argv = pointers(&p.argv);
        let envp = pointers(&p.env);
        let mut pid: libc::pid_t = 0;
        let spawn = if p.search { libc::posix_spawnp } else { libc::posix_spawn };
        check(spawn(
            &mut pid,
            p.path.as_ptr(),
            &actions.0,
            &attr.0,
            argv.as_ptr().cast::<*mut c_char>(),
            envp.as_ptr().cast::<*mut c_char>(),
        ))?;
        Ok(Pid::from_raw(pid))
    }
}
