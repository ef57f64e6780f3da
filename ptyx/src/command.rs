//! Starting a program on a new pty, shaped like `std::process::Command`: [`Command`] and [`Child`].
//!
//! On glibc the child is started with
//! [posix_spawn(3)](https://man7.org/linux/man-pages/man3/posix_spawn.3.html), which glibc runs as
//! `clone(CLONE_VM | CLONE_VFORK)`: no page tables are copied, so a spawn costs the same in a
//! 10 GiB process as in a small one, and nothing of ours runs in the child, so it is safe in a
//! multithreaded program by construction. `POSIX_SPAWN_SETSID` gives the child its own session;
//! opening the slave by name as its fd 0 (without `O_NOCTTY`) then makes the pty its controlling
//! terminal, as [credentials(7)](https://man7.org/linux/man-pages/man7/credentials.7.html)
//! describes for a session leader without one. glibc reports an `exec` failure as
//! `posix_spawn`'s return value, which becomes the `io::Error` of [`Command::spawn`].

use std::collections::BTreeMap;
use std::ffi::{CString, OsStr, OsString};
use std::io;
use std::os::fd::AsFd;
use std::os::unix::ffi::{OsStrExt, OsStringExt};
use std::path::{Path, PathBuf};
use std::process::ExitStatus;
use std::time::{Duration, Instant};

use crate::fork::Pid;
use crate::pty::{open_master, Master};
use crate::wait;
use crate::winsize::Winsize;

/// A builder for a program to run on a new pty, like `std::process::Command`.
///
/// Defaults are std's: the child inherits the current directory and environment, and nothing is
/// added behind your back (no `TERM`, no `SHELL`, no change of directory). The child gets a new
/// session with the pty as its controlling terminal and as fds 0, 1 and 2; every other descriptor
/// is closed, every signal disposition is back to default and the signal mask is empty. The window
/// is 24x80 unless [`window_size`](Command::window_size) says otherwise: never the kernel's 0x0.
///
/// ```
/// use std::io::Read;
/// let mut child = ptyx::Command::new("stty").arg("size").window_size(ptyx::Winsize::new(40, 132)).spawn()?;
/// let mut out = String::new();
/// child.master().read_to_string(&mut out)?;
/// assert_eq!(out, "40 132\r\n");
/// assert!(child.wait()?.success());
/// # Ok::<(), std::io::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct Command {
    program: OsString,
    args: Vec<OsString>,
    env_clear: bool,
    env: BTreeMap<OsString, Option<OsString>>,
    cwd: Option<PathBuf>,
    size: Option<Winsize>,
    echo: Option<bool>,
}

impl Command {
    /// A command that runs `program`, looked up on `PATH` (the child's, if you change it) when it
    /// contains no `/`.
    pub fn new(program: impl AsRef<OsStr>) -> Command {
        Command {
            program: program.as_ref().to_owned(),
            args: Vec::new(),
            env_clear: false,
            env: BTreeMap::new(),
            cwd: None,
            size: None,
            echo: None,
        }
    }

    /// Adds one argument.
    pub fn arg(&mut self, arg: impl AsRef<OsStr>) -> &mut Command {
        self.args.push(arg.as_ref().to_owned());
        self
    }

    /// Adds arguments.
    pub fn args<I, S>(&mut self, args: I) -> &mut Command
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        self.args.extend(args.into_iter().map(|a| a.as_ref().to_owned()));
        self
    }

    /// Sets an environment variable for the child.
    pub fn env(&mut self, key: impl AsRef<OsStr>, val: impl AsRef<OsStr>) -> &mut Command {
        self.env.insert(key.as_ref().to_owned(), Some(val.as_ref().to_owned()));
        self
    }

    /// Sets several environment variables for the child.
    pub fn envs<I, K, V>(&mut self, vars: I) -> &mut Command
    where
        I: IntoIterator<Item = (K, V)>,
        K: AsRef<OsStr>,
        V: AsRef<OsStr>,
    {
        for (k, v) in vars {
            self.env(k, v);
        }
        self
    }

    /// Removes an environment variable from the child's environment.
    pub fn env_remove(&mut self, key: impl AsRef<OsStr>) -> &mut Command {
        self.env.insert(key.as_ref().to_owned(), None);
        self
    }

    /// Starts the child with an empty environment (plus what [`env`](Command::env) adds).
    pub fn env_clear(&mut self) -> &mut Command {
        self.env_clear = true;
        self.env.clear();
        self
    }

    /// Runs the child in `dir`. A directory that does not exist makes [`spawn`](Command::spawn)
    /// fail with `NotFound`.
    pub fn current_dir(&mut self, dir: impl AsRef<Path>) -> &mut Command {
        self.cwd = Some(dir.as_ref().to_owned());
        self
    }

    /// The pty's window size when the child starts (default: 24 rows, 80 columns).
    pub fn window_size(&mut self, size: Winsize) -> &mut Command {
        self.size = Some(size);
        self
    }

    /// Whether the pty echoes what is typed (`ECHO` in its mode; default: yes, as the kernel sets
    /// it). Turn it off when the input is not a person, so that it does not appear in the output.
    pub fn echo(&mut self, echo: bool) -> &mut Command {
        self.echo = Some(echo);
        self
    }

    /// The program, as given to [`new`](Command::new).
    pub fn get_program(&self) -> &OsStr {
        &self.program
    }

    /// The arguments after the program name.
    pub fn get_args(&self) -> impl Iterator<Item = &OsStr> {
        self.args.iter().map(|a| a.as_os_str())
    }

    /// The window size the child will start with.
    pub fn get_window_size(&self) -> Winsize {
        self.size.unwrap_or(Winsize::DEFAULT)
    }

    /// Runs the program to completion and collects what it wrote to its terminal, like
    /// `std::process::Command::output`. Its input is at end of file from the start (the terminal's
    /// `VEOF`, see [`Relay::forward_eof`](crate::Relay::forward_eof)), as std gives it a null stdin;
    /// stdout and stderr arrive mixed, as on any terminal, with the terminal's `\r\n` line ends.
    ///
    /// ```
    /// let out = ptyx::Command::new("sh").args(["-c", "test -t 1 && echo on a tty; exit 2"]).output()?;
    /// assert_eq!(out.output, b"on a tty\r\n");
    /// assert_eq!(out.status.code(), Some(2));
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn output(&mut self) -> io::Result<Output> {
        let nothing = std::fs::File::open("/dev/null")?;
        let mut output = Vec::new();
        let status = crate::Relay::new(self.clone())
            .input(Some(nothing.as_fd()))
            .output(None)
            .master_read(|fd, buf| {
                let n = crate::read(fd, buf)?;
                output.extend_from_slice(&buf[..n]);
                Ok(n)
            })
            .run()?;
        Ok(Output { status, output })
    }

    pub(crate) fn explicit_window_size(&self) -> Option<Winsize> {
        self.size
    }

    /// Starts the program on a new pty.
    ///
    /// Fails, with no process left behind, when an argument, variable or directory holds a NUL
    /// byte (`InvalidInput`), or when the program cannot be started: the `exec` error itself
    /// (`NotFound` for a missing program, interpreter or directory, `PermissionDenied` for one
    /// that is not executable).
    pub fn spawn(&mut self) -> io::Result<Child> {
        let prepared = self.prepare()?;
        let (master, slave_path) = open_master()?;
        master.set_window_size(self.get_window_size())?;
        if let Some(echo) = self.echo {
            let mut mode = master.termios()?;
            mode.local_modes.set(rustix::termios::LocalModes::ECHO, echo);
            master.set_termios(&mode)?;
        }
        let slave_path = cstring(slave_path.into_os_string(), "pty name")?;
        let pid = imp::spawn(&prepared, &slave_path)?;
        Ok(Child { pid, master, status: None })
    }

    /// Everything the child needs, as C strings, built before any process exists.
    fn prepare(&self) -> io::Result<Prepared> {
        let mut argv = Vec::with_capacity(self.args.len() + 1);
        argv.push(cstring(self.program.clone(), "program name")?);
        for a in &self.args {
            argv.push(cstring(a.clone(), "argument")?);
        }
        let env = self.environment()?;
        let program_has_slash = self.program.as_bytes().contains(&b'/');
        let (path, search) = if program_has_slash || self.program.is_empty() {
            (argv[0].clone(), false)
        } else if let Some(path_var) = self.changed_path() {
            let found = search_path(&self.program, path_var.as_deref())?;
            (cstring(found.into_os_string(), "program path")?, false)
        } else {
            (argv[0].clone(), true)
        };
        let cwd = match &self.cwd {
            Some(dir) => Some(cstring(dir.clone().into_os_string(), "directory")?),
            None => None,
        };
        Ok(Prepared { path, search, argv, env, cwd })
    }

    /// The child's `PATH` if this command changes it: `Some(None)` when it removes it.
    fn changed_path(&self) -> Option<Option<OsString>> {
        match self.env.get(OsStr::new("PATH")) {
            Some(v) => Some(v.clone()),
            None if self.env_clear => Some(None),
            None => None,
        }
    }

    fn environment(&self) -> io::Result<Vec<CString>> {
        let mut vars: BTreeMap<OsString, OsString> =
            if self.env_clear { BTreeMap::new() } else { std::env::vars_os().collect() };
        for (k, v) in &self.env {
            if k.is_empty() || k.as_bytes().contains(&b'=') {
                return Err(invalid(format!("invalid environment variable name {k:?}")));
            }
            match v {
                Some(v) => vars.insert(k.clone(), v.clone()),
                None => vars.remove(k),
            };
        }
        vars.into_iter()
            .map(|(mut k, v)| {
                k.push("=");
                k.push(v);
                cstring(k, "environment variable")
            })
            .collect()
    }
}

/// What [`Command::output`] collects.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Output {
    /// How the program ended.
    pub status: ExitStatus,
    /// Everything it wrote to its terminal (stdout and stderr together).
    pub output: Vec<u8>,
}

/// A command ready to start: nothing left to allocate.
struct Prepared {
    /// What to exec: argv[0] for a PATH search, else a path.
    path: CString,
    /// Whether `path` is to be looked up on the parent's PATH (the child's is the same).
    search: bool,
    argv: Vec<CString>,
    env: Vec<CString>,
    cwd: Option<CString>,
}

fn cstring(s: OsString, what: &str) -> io::Result<CString> {
    CString::new(s.into_vec()).map_err(|_| invalid(format!("{what} contains a NUL byte")))
}

fn invalid(msg: String) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidInput, msg)
}

/// Looks `program` up on the `PATH` the child will have, as execvp(3) would in the child; glibc's
/// `posix_spawnp` would search the parent's instead.
fn search_path(program: &OsStr, path_var: Option<&OsStr>) -> io::Result<PathBuf> {
    let path_var = path_var.unwrap_or(OsStr::new("/bin:/usr/bin"));
    let mut denied = false;
    for dir in std::env::split_paths(path_var) {
        let dir = if dir.as_os_str().is_empty() { PathBuf::from(".") } else { dir };
        let candidate = dir.join(program);
        match rustix::fs::access(&candidate, rustix::fs::Access::EXEC_OK) {
            Ok(()) if candidate.is_file() => return Ok(candidate),
            Ok(()) => denied = true,
            Err(rustix::io::Errno::ACCESS) => denied = true,
            Err(_) => {}
        }
    }
    let kind = if denied { io::ErrorKind::PermissionDenied } else { io::ErrorKind::NotFound };
    Err(io::Error::new(kind, format!("{}: not found on PATH", Path::new(program).display())))
}

#[cfg(all(target_os = "linux", target_env = "gnu"))]
mod imp {
    use super::*;
    use std::mem::MaybeUninit;
    use std::ptr;

    fn check(r: libc::c_int) -> io::Result<()> {
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

    /// Adds glibc's own signals (32 and 33, below `SIGRTMIN`) to `set`. `sigfillset` and
    /// `sigaddset` leave them out, and glibc's `posix_spawn` sets every signal it is not told to
    /// default to `SIG_IGN` in the child: without this the program would start with 32 and 33
    /// ignored, which a program not built on glibc (musl, Go) sees as two real-time signals lost.
    fn add_glibc_internal_signals(set: &mut libc::sigset_t) {
        let bits = usize::BITS as usize;
        let words = std::mem::size_of::<libc::sigset_t>() / std::mem::size_of::<libc::c_ulong>();
        // SAFETY: glibc's sigset_t is an array of unsigned longs in which signal n is bit
        // (n-1) % ULONG_BITS of word (n-1) / ULONG_BITS (its __sigword/__sigmask); the pointer
        // covers exactly `words` of them inside `set`.
        let words =
            unsafe { std::slice::from_raw_parts_mut((set as *mut libc::sigset_t).cast::<libc::c_ulong>(), words) };
        for sig in 32..libc::SIGRTMIN() as usize {
            if let Some(word) = words.get_mut((sig - 1) / bits) {
                *word |= 1 << ((sig - 1) % bits);
            }
        }
    }

    pub(super) fn spawn(p: &Prepared, slave: &CString) -> io::Result<Pid> {
        // SAFETY (for every call in this function): each pointer passed is either to a live,
        // initialised libc object owned by a guard above, or to a NUL-terminated C string / a
        // NULL-terminated array of them that outlives the call; posix_spawn copies nothing it
        // needs after returning, since it returns only once the child has exec'd or failed.
        unsafe {
            let mut actions = MaybeUninit::uninit();
            check(libc::posix_spawn_file_actions_init(actions.as_mut_ptr()))?;
            let mut actions = FileActions(actions.assume_init());
            if let Some(dir) = &p.cwd {
                check(libc::posix_spawn_file_actions_addchdir_np(&mut actions.0, dir.as_ptr()))?;
            }
            // Opening the slave without O_NOCTTY in a new session makes it the controlling tty.
            check(libc::posix_spawn_file_actions_addopen(&mut actions.0, 0, slave.as_ptr(), libc::O_RDWR, 0))?;
            check(libc::posix_spawn_file_actions_adddup2(&mut actions.0, 0, 1))?;
            check(libc::posix_spawn_file_actions_adddup2(&mut actions.0, 0, 2))?;
            // Close every inherited descriptor the parent did not mark close-on-exec.
            check(libc::posix_spawn_file_actions_addclosefrom_np(&mut actions.0, 3))?;

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

            let argv: Vec<*mut libc::c_char> =
                p.argv.iter().map(|a| a.as_ptr() as *mut _).chain(std::iter::once(ptr::null_mut())).collect();
            let envp: Vec<*mut libc::c_char> =
                p.env.iter().map(|a| a.as_ptr() as *mut _).chain(std::iter::once(ptr::null_mut())).collect();
            let mut pid: libc::pid_t = 0;
            let spawn = if p.search { libc::posix_spawnp } else { libc::posix_spawn };
            check(spawn(&mut pid, p.path.as_ptr(), &actions.0, &attr.0, argv.as_ptr(), envp.as_ptr()))?;
            Ok(Pid::from_raw(pid))
        }
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
mod imp {
    //! Portable path: std's `Command` with a `pre_exec` hook. std builds everything before fork,
    //! runs only our async-signal-safe hook in the child, and reports exec errors over a
    //! close-on-exec pipe. Descriptors the parent leaked without close-on-exec are not closed here.
    use super::*;
    use std::ffi::OsStr;
    use std::os::unix::process::CommandExt;

    pub(super) fn spawn(p: &Prepared, slave: &CString) -> io::Result<Pid> {
        use rustix::fs::{Mode, OFlags};
        let tty = rustix::fs::open(slave.as_c_str(), OFlags::RDWR | OFlags::NOCTTY | OFlags::CLOEXEC, Mode::empty())?;
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
}

/// A program running on a pty, started by [`Command::spawn`].
///
/// Dropping a `Child` closes the master (the program gets `SIGHUP` from the kernel, as when a
/// terminal window closes) and reaps the child if it has already exited; it never blocks and
/// never panics.
#[derive(Debug)]
pub struct Child {
    pid: Pid,
    master: Master,
    status: Option<ExitStatus>,
}

impl Child {
    /// The child's process id, like `std::process::Child::id`.
    pub fn id(&self) -> u32 {
        self.pid.as_raw() as u32
    }

    /// The child's process id as a [`Pid`]; it also names the child's session and process group.
    pub fn pid(&self) -> Pid {
        self.pid
    }

    /// The pty master: read the child's output from it, write its input to it.
    /// `&Master` is `Read + Write`, so a reader thread and a writer thread can share it.
    pub fn master(&self) -> &Master {
        &self.master
    }

    /// Waits for the child to exit and returns its status. Later calls return the same status.
    pub fn wait(&mut self) -> io::Result<ExitStatus> {
        if let Some(status) = self.status {
            return Ok(status);
        }
        let status =
            wait::waitpid(self.pid, true)?.ok_or_else(|| io::Error::other("waitpid returned without a status"))?;
        self.status = Some(status);
        Ok(status)
    }

    /// The exit status if the child has exited, else `None`, without blocking.
    pub fn try_wait(&mut self) -> io::Result<Option<ExitStatus>> {
        if self.status.is_none() {
            self.status = wait::waitpid(self.pid, false)?;
        }
        Ok(self.status)
    }

    /// Waits at most `timeout` for the child to exit.
    pub fn wait_timeout(&mut self, timeout: Duration) -> io::Result<Option<ExitStatus>> {
        if let Some(status) = self.try_wait()? {
            return Ok(Some(status));
        }
        let deadline = Instant::now() + timeout;
        if let Some(pidfd) = wait::pidfd(self.pid) {
            loop {
                let left = deadline.saturating_duration_since(Instant::now());
                if crate::relay::poll_readable(pidfd.as_fd(), Some(left))? {
                    return self.try_wait();
                }
                if Instant::now() >= deadline {
                    return self.try_wait();
                }
            }
        }
        // No pidfds: poll the status with a short, growing pause.
        let mut pause = Duration::from_millis(1);
        loop {
            if let Some(status) = self.try_wait()? {
                return Ok(Some(status));
            }
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Ok(None);
            }
            std::thread::sleep(pause.min(left));
            pause = (pause * 2).min(Duration::from_millis(50));
        }
    }

    /// Sends `SIGKILL` to the child's process group. Does nothing once the child has been reaped
    /// (its pid may belong to someone else by then).
    pub fn kill(&mut self) -> io::Result<()> {
        self.signal(libc::SIGKILL)
    }

    /// Sends signal `sig` (e.g. `libc::SIGTERM`) to the child's process group: the child and
    /// whatever it started in its session's foreground. An invalid number is `InvalidInput`.
    /// Does nothing once the child has been reaped.
    pub fn signal(&self, sig: i32) -> io::Result<()> {
        if self.status.is_some() {
            return Ok(());
        }
        wait::signal_group(self.pid, sig)
    }

    /// Resizes the pty; the child gets `SIGWINCH`.
    pub fn resize(&self, size: Winsize) -> io::Result<()> {
        self.master.set_window_size(size)
    }

    /// The pty's current window size.
    pub fn window_size(&self) -> io::Result<Winsize> {
        self.master.window_size()
    }

    pub(crate) fn master_fd(&self) -> std::os::fd::BorrowedFd<'_> {
        self.master.as_fd()
    }
}

impl Drop for Child {
    fn drop(&mut self) {
        if self.status.is_none() {
            // Reap it if it is already gone, so a dropped Child leaves no zombie behind; a
            // running child is left running, as std does.
            let _ = wait::waitpid(self.pid, false);
        }
    }
}
