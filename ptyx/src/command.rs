//! Starting a program on a new pty, shaped like `std::process::Command`: [`Command`], which
//! returns a [`Child`].
//!
//! On glibc the child is started with posix_spawn(3) (`spawn_posix.rs`); where this glibc is
//! too old for the file actions that needs (before 2.34), and on other Linux C libraries, with
//! fork(2) + execve(2) (`spawn_fork.rs`), which keeps the same guarantees; elsewhere with std's
//! `Command` (`spawn_std.rs`). Setting `PTYX_SPAWN=fork` in the environment (read once, at the
//! first spawn) forces the fork path, so that tests can run both.

use std::collections::BTreeMap;
use std::ffi::{CString, OsStr, OsString};
use std::io;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};

use crate::child::Child;
use crate::exec::{cstring, invalid, search_path, Prepared};
use crate::process::Pid;
use crate::pty::open_master;
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

    /// The environment changes this command makes, like `std::process::Command::get_envs`: each
    /// variable set (`Some(value)`) or removed (`None`), in the order of their names. With
    /// [`env_clear`](Command::env_clear), only the variables set after it.
    pub fn get_envs(&self) -> impl Iterator<Item = (&OsStr, Option<&OsStr>)> {
        self.env.iter().map(|(k, v)| (k.as_os_str(), v.as_deref()))
    }

    /// Whether [`env_clear`](Command::env_clear) was called: the child starts with only the
    /// variables [`get_envs`](Command::get_envs) lists.
    pub fn get_env_clear(&self) -> bool {
        self.env_clear
    }

    /// The window size the child will start with.
    pub fn get_window_size(&self) -> Winsize {
        self.size.unwrap_or(Winsize::DEFAULT)
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
    ///
    /// # Errors
    ///
    /// As above; and the OS error when no pty can be opened (`EMFILE`, or `ENOSPC` once the
    /// system's ptys are all in use).
    pub fn spawn(&mut self) -> io::Result<Child> {
        let (master, slave_path) = open_master()?;
        let prepared = self.prepare(cstring(slave_path.into_os_string(), "pty name")?)?;
        master.set_window_size(self.get_window_size())?;
        if let Some(echo) = self.echo {
            let mut mode = master.termios()?;
            mode.local_modes.set(rustix::termios::LocalModes::ECHO, echo);
            master.set_termios(&mode)?;
        }
        let pid = start(&prepared)?;
        Ok(Child::new(pid, master))
    }

    /// Everything the child needs, as C strings, built before any process exists.
    fn prepare(&self, slave: CString) -> io::Result<Prepared> {
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
            (search_path(&self.program, path_var.as_deref())?, false)
        } else {
            (argv[0].clone(), true)
        };
        let cwd = match &self.cwd {
            Some(dir) => Some(cstring(dir.clone().into_os_string(), "directory")?),
            None => None,
        };
        Ok(Prepared { path, search, argv, env, cwd, slave })
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

/// Starts the child on the best path this platform has.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn start(p: &Prepared) -> io::Result<Pid> {
    if !force_fork() {
        if let Some(pid) = crate::spawn_posix::spawn(p)? {
            return Ok(pid);
        }
    }
    crate::spawn_fork::spawn(p)
}

#[cfg(all(target_os = "linux", not(target_env = "gnu")))]
fn start(p: &Prepared) -> io::Result<Pid> {
    crate::spawn_fork::spawn(p)
}

#[cfg(not(target_os = "linux"))]
fn start(p: &Prepared) -> io::Result<Pid> {
    crate::spawn_std::spawn(p)
}

/// Whether `PTYX_SPAWN=fork` asks for the fork path even where posix_spawn would do (read once).
#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn force_fork() -> bool {
    static FORCE: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    *FORCE.get_or_init(|| std::env::var_os("PTYX_SPAWN").is_some_and(|v| v == "fork"))
}
