//! Starting programs: what is run, how failures to start are reported (in the parent, as the exec
//! error: Python reports them in a forked child), bad input, and exit statuses of `ptyx::spawn`.
//!
//! Every test here takes one lock and checks afterwards that this process has no child left and
//! no descriptor more than before, so the tests run one at a time: any child or descriptor seen
//! is one the test under way left behind. (Serial also means a script written here is never open
//! for writing while another thread starts a process, which would make exec fail with ETXTBSY.)

mod common;

use std::io::ErrorKind;
use std::os::unix::fs::PermissionsExt;
use std::os::unix::process::ExitStatusExt;
use std::path::Path;
use std::sync::{Mutex, MutexGuard};

use common::{children, open_fds, run_spawn};
use ptyx::Command;

/// Holds the lock for one test and, when the test body has passed, checks it left nothing behind.
struct Serial {
    _guard: MutexGuard<'static, ()>,
    fds: Vec<i32>,
}

fn serial() -> Serial {
    static LOCK: Mutex<()> = Mutex::new(());
    let guard = LOCK.lock().unwrap_or_else(|e| e.into_inner());
    common::stdin_dev_null();
    assert_no_children();
    Serial { _guard: guard, fds: open_fds() }
}

impl Serial {
    /// Asserts that no process and no descriptor was left behind since [`serial`]. Takes `&self`
    /// so the lock is held until the test's end: locals declared after the guard (a `TempDir`
    /// whose removal opens descriptors) are dropped before the next test takes its snapshot.
    fn check(&self) {
        assert_no_children();
        assert_eq!(open_fds(), self.fds, "descriptors left open");
    }
}

fn assert_no_children() {
    let mut status = 0;
    // SAFETY: waitpid with a valid status pointer.
    let r = unsafe { libc::waitpid(-1, &mut status, libc::WNOHANG) };
    let errno = std::io::Error::last_os_error().raw_os_error();
    assert!(r == -1 && errno == Some(libc::ECHILD), "a child process was left behind: waitpid -> {r}");
    assert_eq!(children(), vec![], "a child process was left behind");
}

fn write_file(path: &Path, text: &str, mode: u32) {
    std::fs::write(path, text).unwrap();
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
}

#[test]
fn nonexistent_program_is_not_found_in_the_parent() {
    let s = serial();
    let err = ptyx::spawn(["ptyx-no-such-program"]).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotFound, "{err}");
    let err = ptyx::spawn(["/nonexistent/ptyx-no-such-program"]).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotFound, "{err}");
    let err = Command::new("ptyx-no-such-program").spawn().unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotFound, "{err}");
    let err = ptyx::spawn_with(["ptyx-no-such-program"], ptyx::read, ptyx::read).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotFound, "{err}");
    // An empty program name names no file, as with std's Command.
    let err = ptyx::spawn([""]).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotFound, "{err}");
    s.check();
}

#[test]
fn program_that_is_not_executable_is_permission_denied() {
    let s = serial();
    let dir = tempfile::tempdir().expect("tempdir");
    let prog = dir.path().join("prog");
    write_file(&prog, "#!/bin/sh\necho should not run\n", 0o644);
    let err = ptyx::spawn([&prog]).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::PermissionDenied, "{err}");
    let err = Command::new(&prog).spawn().unwrap_err();
    assert_eq!(err.kind(), ErrorKind::PermissionDenied, "{err}");
    // Found by name on the child's PATH, but not executable.
    let err = Command::new("prog").env("PATH", dir.path()).spawn().unwrap_err();
    assert_eq!(err.kind(), ErrorKind::PermissionDenied, "{err}");
    // A directory is not executable either.
    let err = Command::new(dir.path()).spawn().unwrap_err();
    assert_eq!(err.kind(), ErrorKind::PermissionDenied, "{err}");
    s.check();
}

#[test]
fn script_with_a_nonexistent_interpreter_is_not_found() {
    let s = serial();
    let dir = tempfile::tempdir().expect("tempdir");
    let prog = dir.path().join("script");
    write_file(&prog, "#!/nonexistent/interpreter\necho should not run\n", 0o755);
    let err = ptyx::spawn([&prog]).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotFound, "{err}");
    let err = Command::new(&prog).spawn().unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotFound, "{err}");
    s.check();
}

#[test]
fn nonexistent_current_dir_is_not_found() {
    let s = serial();
    let err = Command::new("true").current_dir("/nonexistent/ptyx-dir").spawn().unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotFound, "{err}");
    s.check();
}

#[test]
fn nul_byte_in_input_is_invalid_input_and_starts_nothing() {
    let s = serial();
    let err = ptyx::spawn(["echo", "a\0b"]).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidInput, "{err}");
    let err = ptyx::spawn(["ec\0ho", "a"]).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidInput, "{err}");
    let cases: Vec<(&str, Command)> = vec![
        ("argument", {
            let mut c = Command::new("echo");
            c.arg("a\0b");
            c
        }),
        ("program", Command::new("/bin/ec\0ho")),
        ("env value", {
            let mut c = Command::new("true");
            c.env("PTYX_V", "a\0b");
            c
        }),
        ("env name", {
            let mut c = Command::new("true");
            c.env("PTYX\0V", "a");
            c
        }),
        ("current dir", {
            let mut c = Command::new("true");
            c.current_dir("/tmp\0/x");
            c
        }),
        ("PATH searched", {
            let mut c = Command::new("true");
            c.env("PATH", "/bin\0:/usr/bin");
            c
        }),
    ];
    for (what, mut cmd) in cases {
        let err = cmd.spawn().unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidInput, "NUL in the {what}: {err}");
    }
    s.check();
}

#[test]
fn invalid_environment_names_are_invalid_input() {
    let s = serial();
    for name in ["", "A=B"] {
        let err = Command::new("true").env(name, "v").spawn().unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidInput, "name {name:?}: {err}");
    }
    s.check();
}

#[test]
fn empty_argv_is_invalid_input() {
    let s = serial();
    let err = ptyx::spawn(Vec::<String>::new()).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidInput, "{err}");
    let err = ptyx::spawn_with(Vec::<&str>::new(), ptyx::read, ptyx::read).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidInput, "{err}");
    s.check();
}

#[test]
fn spawn_reports_exit_code_3() {
    let s = serial();
    let status = ptyx::spawn(["sh", "-c", "exit 3"]).unwrap();
    assert_eq!(status.code(), Some(3));
    assert_eq!(status.signal(), None);
    s.check();
}

#[test]
fn spawn_reports_death_by_sigterm() {
    let s = serial();
    let status = ptyx::spawn(["sh", "-c", "kill -TERM $$"]).unwrap();
    assert_eq!(status.signal(), Some(libc::SIGTERM), "{status:?}");
    assert_eq!(status.code(), None);
    s.check();
}

#[test]
fn program_is_looked_up_on_the_childs_path() {
    let s = serial();
    let dir = tempfile::tempdir().expect("tempdir");
    write_file(&dir.path().join("ptyx-test-prog"), "#!/bin/sh\necho \"from $0\"\n", 0o755);
    let child = Command::new("ptyx-test-prog").env("PATH", dir.path()).spawn().unwrap();
    let (out, status) = common::output_of(child);
    assert!(status.success());
    assert_eq!(out, format!("from {}\r\n", dir.path().join("ptyx-test-prog").display()));
    // And not on the parent's: without the PATH change it is not found.
    let err = Command::new("ptyx-test-prog").spawn().unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotFound);
    s.check();
}

#[test]
fn spawn_example_reports_a_failed_start_and_exits_127() {
    let s = serial();
    let out = run_spawn(&["ptyx-no-such-program", "arg"]);
    assert_eq!(out.status.code(), Some(127), "{out:?}");
    assert_eq!(out.stdout, b"", "nothing ran, nothing was printed");
    let err = out.stderr_str();
    assert!(err.starts_with("ptyx-spawn: ptyx-no-such-program: "), "{err}");
    assert!(err.contains("No such file or directory"), "{err}");
    s.check();
}
