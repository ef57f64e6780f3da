//! What a child needs to start, built before any process exists: the program's path, `argv`,
//! `envp`, directory and terminal as C strings. The code that starts the child (posix_spawn(3) or
//! fork(2) + execve(2)) only hands these pointers to the kernel: nothing is allocated after the
//! child exists.

use std::ffi::{CString, OsStr, OsString};
use std::io;
use std::os::raw::c_char;
use std::os::unix::ffi::{OsStrExt, OsStringExt};
use std::path::PathBuf;

/// A command ready to start.
pub(crate) struct Prepared {
    /// What to exec: a path, or a name to look up on `PATH` when `search` is set.
    pub(crate) path: CString,
    /// Whether `path` is to be looked up on this process's `PATH` (the child's is the same).
    pub(crate) search: bool,
    pub(crate) argv: Vec<CString>,
    pub(crate) env: Vec<CString>,
    pub(crate) cwd: Option<CString>,
    /// The pty slave's path, opened by the child as its fd 0 (and controlling terminal).
    pub(crate) slave: CString,
}

impl Prepared {
    /// The path to execve(2): `path`, looked up on this process's `PATH` first if `search` says
    /// so, as execvp(3) would in the child.
    pub(crate) fn resolved_path(&self) -> io::Result<CString> {
        if !self.search {
            return Ok(self.path.clone());
        }
        let name = OsStr::from_bytes(self.path.as_bytes());
        search_path(name, std::env::var_os("PATH").as_deref())
    }
}

/// A NULL-terminated array of pointers into `strings`, as `argv` and `envp` are passed; valid as
/// long as `strings` is.
pub(crate) fn pointers(strings: &[CString]) -> Vec<*const c_char> {
    strings.iter().map(|s| s.as_ptr()).chain(std::iter::once(std::ptr::null())).collect()
}

/// A C string from an OS string, or `InvalidInput` naming `what` held a NUL byte.
pub(crate) fn cstring(s: OsString, what: &str) -> io::Result<CString> {
    CString::new(s.into_vec()).map_err(|_| invalid(format!("{what} contains a NUL byte")))
}

pub(crate) fn invalid(msg: String) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidInput, msg)
}

/// Looks `program` up on `path_var` (default `/bin:/usr/bin`, as execvp(3)), returning the first
/// executable file, as the C string execve(2) takes. Fails as execvp(3) would: `EACCES` (`PermissionDenied`) if only
/// non-executable ones were found, else `ENOENT` (`NotFound`), so the error reads the same
/// whichever way the child is started.
pub(crate) fn search_path(program: &OsStr, path_var: Option<&OsStr>) -> io::Result<CString> {
    let path_var = path_var.unwrap_or(OsStr::new("/bin:/usr/bin"));
    let mut denied = false;
    for dir in std::env::split_paths(path_var) {
        let dir = if dir.as_os_str().is_empty() { PathBuf::from(".") } else { dir };
        let candidate = dir.join(program);
        match rustix::fs::access(&candidate, rustix::fs::Access::EXEC_OK) {
            Ok(()) if candidate.is_file() => return cstring(candidate.into_os_string(), "program path"),
            Ok(()) => denied = true,
            Err(rustix::io::Errno::ACCESS) => denied = true,
            Err(_) => {}
        }
    }
    Err(io::Error::from_raw_os_error(if denied { libc::EACCES } else { libc::ENOENT }))
}
