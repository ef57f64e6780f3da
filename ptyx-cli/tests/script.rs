//! `ptyx script` against real processes, real ptys and the real util-linux `scriptreplay`.

use std::fs;
use std::io::{BufRead, BufReader, Read, Write};
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::{Child, Command, ExitStatus, Output, Stdio};
use std::sync::mpsc;
use std::time::Duration;

/// Longest any single session here may take before the test calls it a hang.
const HANG: Duration = Duration::from_secs(30);

fn ptyx() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_ptyx"));
    c.env("SHELL", "/bin/sh").env_remove("TERM");
    c
}

fn tmp() -> tempfile::TempDir {
    tempfile::tempdir().expect("temp dir")
}

/// Waits for the process, failing the test (and killing it) if it hangs.
fn finish(mut child: Child) -> Output {
    let pid = child.id();
    let mut stdout = child.stdout.take();
    let mut stderr = child.stderr.take();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let mut out = Vec::new();
        let mut err = Vec::new();
        if let Some(s) = stdout.as_mut() {
            let _ = s.read_to_end(&mut out);
        }
        if let Some(s) = stderr.as_mut() {
            let _ = s.read_to_end(&mut err);
        }
        let status = child.wait().expect("wait");
        let _ = tx.send(Output { status, stdout: out, stderr: err });
    });
    match rx.recv_timeout(HANG) {
        Ok(out) => out,
        Err(_) => {
            // SAFETY: plain kill(2) of the process we started.
            unsafe { libc::kill(pid as i32, libc::SIGKILL) };
            panic!("ptyx script hung for {HANG:?}");
        }
    }
}

fn run(cmd: &mut Command, stdin: Stdio) -> Output {
    finish(cmd.stdin(stdin).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().expect("start ptyx"))
}

/// Runs with `input` piped to stdin.
fn run_input(cmd: &mut Command, input: &[u8]) -> Output {
    let mut child = cmd.stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().expect("start");
    let mut stdin = child.stdin.take().expect("stdin");
    stdin.write_all(input).expect("write input");
    drop(stdin);
    finish(child)
}

/// The bytes between the typescript header line and the footer.
fn body(log: &[u8]) -> &[u8] {
    let start = log.iter().position(|&b| b == b'\n').expect("header line") + 1;
    let end = find(log, b"\nScript done on ").expect("footer");
    &log[start..end]
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).rposition(|w| w == needle)
}

/// Compares byte strings, showing where they differ rather than all of them.
#[track_caller]
fn assert_bytes_eq(got: &[u8], want: &[u8]) {
    if got != want {
        let at = got.iter().zip(want).position(|(a, b)| a != b).unwrap_or(got.len().min(want.len()));
        let show = |b: &[u8]| text(&b[at.saturating_sub(20)..b.len().min(at + 40)]);
        panic!(
            "bytes differ at {at} (got {} bytes, want {}): got {:?} want {:?}",
            got.len(),
            want.len(),
            show(got),
            show(want)
        );
    }
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// The lines of an asciicast file, each parsed as JSON.
fn cast_lines(path: &Path) -> Vec<serde_json::Value> {
    fs::read_to_string(path).unwrap().lines().map(|l| serde_json::from_str(l).expect("JSON line")).collect()
}

fn footer_code(log: &[u8]) -> String {
    let t = text(log);
    let i = t.rfind("COMMAND_EXIT_CODE=\"").unwrap_or_else(|| panic!("no exit code in footer: {t:?}"));
    t[i + 19..].split('"').next().unwrap_or_default().to_owned()
}

#[test]
fn records_a_command_and_reports_util_linux_messages() {
    let dir = tmp();
    let log = dir.path().join("log");
    let out = run(ptyx().args(["script", "-c", "echo hello"]).arg(&log), Stdio::null());
    assert!(out.status.success(), "{out:?}");
    let stdout = text(&out.stdout);
    assert!(stdout.starts_with(&format!("Script started, output log file is '{}'.\n", log.display())), "{stdout}");
    assert!(stdout.ends_with("Script done.\n"), "{stdout}");
    let data = fs::read(&log).unwrap();
    let header = text(&data[..data.iter().position(|&b| b == b'\n').unwrap()]);
    assert!(header.starts_with("Script started on "), "{header}");
    assert!(header.ends_with(" [COMMAND=\"echo hello\" <not executed on terminal>]"), "{header}");
    assert_eq!(body(&data), b"hello\r\n");
    assert_eq!(footer_code(&data), "0");
}

#[test]
fn quiet_prints_nothing_but_the_session() {
    let dir = tmp();
    let out = run(ptyx().args(["script", "-q", "-c", "echo hi"]).arg(dir.path().join("f")), Stdio::null());
    assert_eq!(text(&out.stdout), "hi\r\n");
}

#[test]
fn exit_code_is_recorded_and_returned_with_e() {
    let dir = tmp();
    let log = dir.path().join("log");
    let out = run(ptyx().args(["script", "-q", "-e", "-c", "exit 3"]).arg(&log), Stdio::null());
    assert_eq!(out.status.code(), Some(3));
    assert_eq!(footer_code(&fs::read(&log).unwrap()), "3");
    let out = run(ptyx().args(["script", "-q", "-c", "exit 3"]).arg(&log), Stdio::null());
    assert_eq!(out.status.code(), Some(0), "without -e script returns 0, as util-linux");
    let out = run(ptyx().args(["script", "-q", "-e", "-c", "kill -TERM $$"]).arg(&log), Stdio::null());
    assert_eq!(out.status.code(), Some(128 + 15));
    assert_eq!(footer_code(&fs::read(&log).unwrap()), "143");
}

#[test]
fn program_after_double_dash_runs_without_a_shell() {
    let dir = tmp();
    let log = dir.path().join("log");
    let out = run(ptyx().args(["script", "-q"]).arg(&log).args(["--", "printf", "%s|", "a b", "c"]), Stdio::null());
    assert!(out.status.success(), "{out:?}");
    assert_eq!(body(&fs::read(&log).unwrap()), b"a b|c|");
}

#[test]
fn stdin_eof_ends_cat() {
    let dir = tmp();
    let out = run(ptyx().args(["script", "-q", "-c", "cat"]).arg(dir.path().join("f")), Stdio::null());
    assert!(out.status.success(), "{out:?}");
}

#[test]
fn piped_commands_reach_an_interactive_shell_which_then_ends() {
    let dir = tmp();
    let log = dir.path().join("out");
    let out = run_input(ptyx().args(["script", "-q"]).arg(&log), b"echo hi-$((6*7))\n");
    assert!(out.status.success(), "{out:?}");
    assert!(text(&fs::read(&log).unwrap()).contains("hi-42"));
}

#[test]
fn interactive_bash_with_stdin_from_dev_null_ends_by_itself() {
    // util-linux script hangs here: its one ^D reaches bash before readline starts and is lost.
    if !Path::new("/bin/bash").exists() {
        panic!("this test needs /bin/bash");
    }
    let dir = tmp();
    let out = run(ptyx().env("SHELL", "/bin/bash").args(["script", "-q"]).arg(dir.path().join("f")), Stdio::null());
    assert!(out.status.success(), "{out:?}");
}

#[test]
fn every_byte_the_child_wrote_is_recorded() {
    let dir = tmp();
    let log = dir.path().join("log");
    let out =
        run(ptyx().args(["script", "-q", "-c", "head -c 3000000 /dev/zero | tr '\\0' a"]).arg(&log), Stdio::null());
    assert!(out.status.success(), "{out:?}");
    let data = fs::read(&log).unwrap();
    let b = body(&data);
    assert_eq!(b.len(), 3_000_000);
    assert!(b.iter().all(|&c| c == b'a'));
    assert_eq!(out.stdout.len(), 3_000_000, "stdout got every byte too");
}

#[test]
fn race_every_bingo_is_recorded() {
    // util-linux tests/ts/script/race, ported: the child exits right after writing.
    let dir = tmp();
    let log = dir.path().join("log");
    for i in 0..200 {
        let out = run(ptyx().args(["script", "-q", "-c", "printf 'Bingo\\n'"]).arg(&log), Stdio::null());
        assert!(out.status.success(), "run {i}: {out:?}");
        assert_eq!(body(&fs::read(&log).unwrap()), b"Bingo\r\n", "run {i}");
    }
}

#[test]
fn closed_stdout_does_not_stop_the_recording_or_lose_the_status() {
    let dir = tmp();
    let log = dir.path().join("log");
    let mut child = ptyx()
        .args(["script", "-e", "-c", "head -c 200000 /dev/zero | tr '\\0' a; exit 4"])
        .arg(&log)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take()); // nobody reads ptyx's stdout: its writes fail with EPIPE
    let out = finish(child);
    assert_eq!(out.status.code(), Some(4), "{}", text(&out.stderr));
    assert_eq!(body(&fs::read(&log).unwrap()).len(), 200_000);
}

#[test]
fn background_process_holding_the_pty_does_not_hang_the_session() {
    let dir = tmp();
    let out =
        run(ptyx().args(["script", "-q", "-c", "sleep 60 & echo started"]).arg(dir.path().join("f")), Stdio::null());
    assert!(out.status.success(), "{out:?}");
}

#[test]
fn window_is_80x24_without_a_terminal_and_cols_rows_set_it() {
    let dir = tmp();
    let log = dir.path().join("log");
    run(ptyx().args(["script", "-q", "-c", "stty size"]).arg(&log), Stdio::null());
    assert_eq!(body(&fs::read(&log).unwrap()), b"24 80\r\n");
    run(ptyx().args(["script", "-q", "--cols", "132", "--rows", "50", "-c", "stty size"]).arg(&log), Stdio::null());
    assert_eq!(body(&fs::read(&log).unwrap()), b"50 132\r\n");
}

#[test]
fn echo_never_turns_the_pty_echo_off() {
    let dir = tmp();
    let log = dir.path().join("log");
    run_input(ptyx().args(["script", "-q", "-c", "read x; echo got:$x"]).arg(&log), b"abc\n");
    assert_eq!(body(&fs::read(&log).unwrap()), b"abc\r\ngot:abc\r\n");
    run_input(ptyx().args(["script", "-q", "-E", "never", "-c", "read x; echo got:$x"]).arg(&log), b"abc\n");
    assert_eq!(body(&fs::read(&log).unwrap()), b"got:abc\r\n");
}

/// Replays `timing` + data with the real util-linux scriptreplay, as fast as it goes. scriptreplay
/// ends its output with a newline of its own, which is dropped here.
fn scriptreplay(args: &[&Path], flags: &[&str]) -> Vec<u8> {
    let mut cmd = Command::new("scriptreplay");
    cmd.args(["-d", "10000"]).args(flags);
    for a in args {
        cmd.arg(a);
    }
    let out = cmd.stdin(Stdio::null()).output().expect("scriptreplay (util-linux) must be installed");
    assert!(out.status.success(), "scriptreplay failed: {}", text(&out.stderr));
    let mut played = out.stdout;
    assert_eq!(played.pop(), Some(b'\n'), "scriptreplay ends with a newline");
    played
}

#[test]
fn classic_timing_replays_in_scriptreplay_byte_for_byte() {
    let dir = tmp();
    let (log, tm) = (dir.path().join("log"), dir.path().join("log.tm"));
    let cmd = "printf one; sleep 0.05; printf ' two\\n'; head -c 20000 /dev/zero | tr '\\0' z";
    let out = run(ptyx().args(["script", "-q", "-c", cmd, "-T"]).arg(&tm).arg(&log), Stdio::null());
    assert!(out.status.success(), "{out:?}");
    let timing = fs::read_to_string(&tm).unwrap();
    let first = timing.lines().next().unwrap();
    assert!(first.split(' ').next().unwrap().split('.').nth(1).unwrap().len() == 6, "{first}");
    let data = fs::read(&log).unwrap();
    let replayed = scriptreplay(&[&tm, &log], &[]);
    assert_bytes_eq(&replayed, body(&data));
}

#[test]
fn timing_to_stderr_or_to_a_glued_file_name() {
    let dir = tmp();
    let (log, tm) = (dir.path().join("log"), dir.path().join("tm"));
    // `-t` alone writes timing to stderr, as util-linux does; `-tFILE` writes it to FILE.
    let out = run(ptyx().args(["script", "-q", "-c", "echo hi", "-t"]).arg(&log), Stdio::null());
    assert!(out.status.success(), "{out:?}");
    let stderr = text(&out.stderr);
    assert!(stderr.ends_with(" 4\n") && stderr.lines().count() == 1, "{stderr:?}");
    let mut glued = std::ffi::OsString::from("-t");
    glued.push(&tm);
    let out = run(ptyx().args(["script", "-q", "-c", "echo hi"]).arg(glued).arg(&log), Stdio::null());
    assert!(out.status.success(), "{out:?}");
    assert!(fs::read_to_string(&tm).unwrap().ends_with(" 4\n"));
}

#[test]
fn advanced_timing_with_input_replays_both_streams() {
    let dir = tmp();
    let (io, tm) = (dir.path().join("io"), dir.path().join("io.tm"));
    let out = run_input(
        ptyx().args(["script", "-q", "-c", "read x; echo got:$x", "-B"]).arg(&io).arg("-T").arg(&tm),
        b"abc\n",
    );
    assert!(out.status.success(), "{out:?}");
    let timing = fs::read_to_string(&tm).unwrap();
    for h in [
        "START_TIME",
        "SHELL /bin/sh",
        "COMMAND read x; echo got:$x",
        "TIMING_LOG",
        "OUTPUT_LOG",
        "INPUT_LOG",
        "DURATION",
        "EXIT_CODE 0",
    ] {
        assert!(timing.contains(&format!("H 0.000000 {h}")), "missing {h} in\n{timing}");
    }
    assert!(timing.lines().any(|l| l.starts_with("I ")), "{timing}");
    let out_stream = scriptreplay(&[], &["-T", tm.to_str().unwrap(), "-B", io.to_str().unwrap()]);
    assert_bytes_eq(&out_stream, b"abc\r\ngot:abc\r\n");
    let in_stream = scriptreplay(&[], &["-T", tm.to_str().unwrap(), "-B", io.to_str().unwrap(), "-x", "in"]);
    assert_bytes_eq(&in_stream, b"abc\n");
}

#[test]
fn append_keeps_data_and_timing_in_step() {
    let dir = tmp();
    let (log, tm) = (dir.path().join("log"), dir.path().join("log.tm"));
    for word in ["first", "second"] {
        let out = run(
            ptyx().args(["script", "-q", "-a", "-c", &format!("echo {word}"), "-T"]).arg(&tm).arg(&log),
            Stdio::null(),
        );
        assert!(out.status.success(), "{out:?}");
    }
    let data = fs::read(&log).unwrap();
    let replayed = scriptreplay(&[&tm, &log], &[]);
    // Everything after the first header line plays, the second session's text last and intact.
    let after_header = &data[data.iter().position(|&b| b == b'\n').unwrap() + 1..];
    let end = find(after_header, b"\nScript done on ").unwrap();
    assert_bytes_eq(&replayed, &after_header[..end]);
    let t = text(&replayed);
    assert!(t.starts_with("first\r\n") && t.ends_with("second\r\n"), "{t:?}");
}

#[test]
fn recording_files_are_private_and_appending_keeps_the_mode() {
    let dir = tmp();
    let (log, tm) = (dir.path().join("log"), dir.path().join("tm"));
    run(ptyx().args(["script", "-q", "-c", "true", "-T"]).arg(&tm).arg(&log), Stdio::null());
    assert_eq!(fs::metadata(&log).unwrap().permissions().mode() & 0o777, 0o600);
    assert_eq!(fs::metadata(&tm).unwrap().permissions().mode() & 0o777, 0o600);
    fs::set_permissions(&log, fs::Permissions::from_mode(0o644)).unwrap();
    run(ptyx().args(["script", "-q", "-a", "-c", "true"]).arg(&log), Stdio::null());
    assert_eq!(fs::metadata(&log).unwrap().permissions().mode() & 0o777, 0o644);
}

#[test]
fn the_default_log_is_refused_when_it_is_a_link_as_util_linux_does() {
    // util-linux 2.38 (tests/ts/script/options, subtest force): only `typescript`, a name nobody
    // chose, is refused as a link (symbolic or hard) without --force; a log the user names is
    // written through the link.
    for hard in [false, true] {
        let dir = tmp();
        let target = dir.path().join("target");
        fs::write(&target, "keep").unwrap();
        if hard {
            fs::hard_link(&target, dir.path().join("typescript")).unwrap();
        } else {
            std::os::unix::fs::symlink(&target, dir.path().join("typescript")).unwrap();
        }
        let marker = dir.path().join("ran");
        let cmd = format!("touch {}", marker.display());
        let out = run(ptyx().current_dir(dir.path()).args(["script", "-q", "-c", &cmd]), Stdio::null());
        assert_eq!(out.status.code(), Some(1));
        assert_eq!(
            text(&out.stderr),
            "ptyx: output file `typescript' is a link\nUse --force if you really want to use it.\nProgram not started.\n"
        );
        assert!(!marker.exists(), "the child must not start");
        assert_eq!(fs::read_to_string(&target).unwrap(), "keep");
        let out =
            run(ptyx().current_dir(dir.path()).args(["script", "-q", "-a", "--force", "-c", &cmd]), Stdio::null());
        assert!(out.status.success(), "{out:?}");
        assert!(marker.exists());
        let written = fs::read_to_string(&target).unwrap();
        assert!(written.starts_with("keepScript started on "), "appended through the link: {written:?}");
    }
}

#[test]
fn a_log_the_user_names_is_written_through_a_link() {
    let dir = tmp();
    let target = dir.path().join("target");
    std::os::unix::fs::symlink(&target, dir.path().join("symlink")).unwrap();
    let out = run(ptyx().current_dir(dir.path()).args(["script", "-q", "-c", "echo one", "symlink"]), Stdio::null());
    assert!(out.status.success(), "{out:?}");
    assert_eq!(body(&fs::read(&target).unwrap()), b"one\r\n");
    fs::hard_link(&target, dir.path().join("hardlink")).unwrap();
    let out = run(ptyx().current_dir(dir.path()).args(["script", "-q", "-c", "echo two", "hardlink"]), Stdio::null());
    assert!(out.status.success(), "{out:?}");
    assert_eq!(body(&fs::read(&target).unwrap()), b"two\r\n");
}

#[test]
fn uncreatable_log_fails_before_the_child_starts() {
    let dir = tmp();
    let marker = dir.path().join("ran");
    let cmd = format!("touch {}", marker.display());
    let out = run(ptyx().args(["script", "-q", "-c", &cmd, "/nonexistent-dir/log"]), Stdio::null());
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(text(&out.stderr), "ptyx: /nonexistent-dir/log: No such file or directory\n");
    assert!(!marker.exists());
}

#[test]
fn full_disk_mid_session_terminates_the_child_and_fails() {
    let dir = tmp();
    // The timing file fills /dev/full once its buffer is written, well into the session.
    let cmd = "i=0; while [ $i -lt 200000 ]; do echo line $i; i=$((i+1)); done";
    let out =
        run(ptyx().args(["script", "-q", "-c", cmd, "-T", "/dev/full"]).arg(dir.path().join("log")), Stdio::null());
    assert_ne!(out.status.code(), Some(0));
    assert_eq!(text(&out.stderr), "ptyx: /dev/full: No space left on device\n");
    let log = fs::read(dir.path().join("log")).unwrap();
    assert!(!text(&log).contains("line 199999"), "the child was terminated early");
}

#[test]
fn output_limit_ends_the_session() {
    let dir = tmp();
    let log = dir.path().join("log");
    let out = run(ptyx().args(["script", "-o", "1K", "-c", "yes"]).arg(&log), Stdio::null());
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stdout).contains("Script terminated, max output files size 1024 exceeded.\n"));
    let data = text(&fs::read(&log).unwrap());
    assert!(data.ends_with(" [<max output size exceeded>]\n"), "{data:?}");
}

#[test]
fn bad_arguments_get_a_clear_error() {
    let out = run(ptyx().args(["script", "-c", "true", "--", "true"]), Stdio::null());
    assert_ne!(out.status.code(), Some(0));
    assert!(text(&out.stderr).starts_with("ptyx: "), "{}", text(&out.stderr));
    let out = run(ptyx().args(["script", "-o", "12Q"]), Stdio::null());
    assert_ne!(out.status.code(), Some(0));
    let out = run(ptyx().args(["script", "-q", "/dev/null", "--", "/nonexistent/program"]), Stdio::null());
    assert_eq!(out.status.code(), Some(127));
    assert_eq!(text(&out.stderr), "ptyx: /nonexistent/program: No such file or directory\n");
}

#[test]
fn a_missing_program_fails_the_start_while_c_records_the_shells_127() {
    // `-c`: the shell starts and reports the missing command itself; the session is recorded with
    // its status, and script exits 0 unless -e, exactly as util-linux script does.
    let dir = tmp();
    for (ours, tool) in [(true, "ptyx"), (false, "util-linux script")] {
        for e in [false, true] {
            let log = dir.path().join(format!("{tool}-{e}"));
            let mut cmd = if ours { ptyx() } else { Command::new("script") };
            if ours {
                cmd.arg("script");
            } else {
                cmd.env("SHELL", "/bin/sh");
            }
            cmd.arg("-q").args(e.then_some("-e")).args(["-c", "missing-program-xyz"]).arg(&log);
            let out = run(&mut cmd, Stdio::null());
            assert_eq!(out.status.code(), Some(if e { 127 } else { 0 }), "{tool} -e={e}: {out:?}");
            assert_eq!(footer_code(&fs::read(&log).unwrap()), "127", "{tool}");
        }
    }
    // `-- PROGRAM` runs it without a shell: when it cannot be run nothing starts, so there is no
    // session to record and no status of its own; 127 (as env, nohup, timeout) with or without -e.
    for e in [false, true] {
        let log = dir.path().join(format!("dashes-{e}"));
        let out = run(
            ptyx().args(["script", "-q"]).args(e.then_some("-e")).arg(&log).args(["--", "missing-program-xyz"]),
            Stdio::null(),
        );
        assert_eq!(out.status.code(), Some(127), "{out:?}");
        assert_eq!(text(&out.stderr), "ptyx: missing-program-xyz: No such file or directory\n");
        assert!(!log.exists(), "no session, no log");
    }
    let out = run(ptyx().args(["script", "-q", "/dev/null", "--", "/etc/passwd"]), Stdio::null());
    assert_eq!(out.status.code(), Some(126), "{out:?}");
}

/// Starts `ptyx script` with stdout piped, reads until `marker` shows, and returns the child.
#[allow(clippy::zombie_processes)] // the caller waits for it
fn start_until(cmd: &mut Command, marker: &str) -> (Child, BufReader<std::process::ChildStdout>) {
    let mut child = cmd.stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().expect("start");
    let mut out = BufReader::new(child.stdout.take().expect("stdout"));
    let mut seen = Vec::new();
    loop {
        let mut line = Vec::new();
        let n = out.read_until(b'\n', &mut line).expect("read");
        assert!(n > 0, "ptyx ended before printing {marker:?}: {}", text(&seen));
        seen.extend_from_slice(&line);
        if text(&seen).contains(marker) {
            return (child, out);
        }
    }
}

fn signal(child: &Child, sig: i32) {
    // SAFETY: plain kill(2) of the process we started.
    assert_eq!(unsafe { libc::kill(child.id() as i32, sig) }, 0);
}

fn wait_status(mut child: Child) -> ExitStatus {
    child.stdout.take();
    finish(child).status
}

#[test]
fn sigterm_to_ptyx_terminates_the_child_and_records_its_real_status() {
    for sig in [libc::SIGTERM, libc::SIGINT, libc::SIGHUP, libc::SIGQUIT] {
        let dir = tmp();
        let (log, tm) = (dir.path().join("log"), dir.path().join("tm"));
        let (child, _out) = start_until(
            ptyx()
                .args(["script", "-q", "-e", "-m", "advanced", "-c", "echo READY; exec sleep 60", "-T"])
                .arg(&tm)
                .arg(&log),
            "READY",
        );
        signal(&child, sig);
        let status = wait_status(child);
        assert_eq!(status.code(), Some(128 + sig), "signal {sig}");
        let code = footer_code(&fs::read(&log).unwrap());
        assert_eq!(code, (128 + sig).to_string());
        let timing = fs::read_to_string(&tm).unwrap();
        if sig != libc::SIGHUP {
            assert!(timing.contains(&format!("EXIT_CODE {}", 128 + sig)), "{timing}");
        }
    }
}

#[test]
fn a_child_that_ignores_sigterm_is_killed_after_the_grace() {
    let dir = tmp();
    let log = dir.path().join("log");
    let (child, _out) = start_until(
        ptyx().args(["script", "-q", "-e", "-c", "trap '' TERM; echo READY; while :; do sleep 1; done"]).arg(&log),
        "READY",
    );
    signal(&child, libc::SIGTERM);
    let status = wait_status(child);
    assert_eq!(status.code(), Some(128 + libc::SIGKILL));
    assert_eq!(footer_code(&fs::read(&log).unwrap()), "137");
}

#[test]
fn flush_option_and_sigusr1_write_the_log_while_the_session_runs() {
    for flush in [true, false] {
        let dir = tmp();
        let log = dir.path().join("log");
        let mut cmd = ptyx();
        cmd.args(["script", "-q", "-c", "echo READY; exec sleep 60"]).arg(&log);
        if flush {
            cmd.arg("-f");
        }
        let (child, _out) = start_until(&mut cmd, "READY");
        if !flush {
            signal(&child, libc::SIGUSR1);
        }
        // The write happens in the recorder after it read the output we just saw; wait for it
        // with a bound rather than a fixed pause.
        let deadline = std::time::Instant::now() + Duration::from_secs(10);
        while !text(&fs::read(&log).unwrap()).contains("READY") {
            assert!(std::time::Instant::now() < deadline, "log not flushed (flush={flush})");
            std::thread::sleep(Duration::from_millis(5));
        }
        signal(&child, libc::SIGKILL);
        let _ = wait_status(child);
    }
}

#[test]
fn asciicast_v3_and_v2_files_have_the_session() {
    let dir = tmp();
    for (format, version) in [("asciicast", 3), ("asciicast-v2", 2)] {
        let cast = dir.path().join(format!("{format}.cast"));
        let out = run_input(
            ptyx()
                .args([
                    "script",
                    "-q",
                    "--format",
                    format,
                    "-c",
                    "read x; printf 'caf\\303\\251 %s\\n' $x; exit 2",
                    "-B",
                ])
                .arg(&cast),
            b"ok\n",
        );
        assert!(out.status.success(), "{out:?}");
        let lines = cast_lines(&cast);
        assert_eq!(lines[0]["version"], version);
        let events = &lines[1..];
        let output: String = events.iter().filter(|e| e[1] == "o").map(|e| e[2].as_str().unwrap()).collect();
        assert_eq!(output, "ok\r\ncafé ok\r\n");
        let input: String = events.iter().filter(|e| e[1] == "i").map(|e| e[2].as_str().unwrap()).collect();
        assert_eq!(input, "ok\n");
        // Both versions end with the exit status (v2 as asciinema 3 writes it).
        let exits: Vec<_> = events.iter().filter(|e| e[1] == "x").collect();
        assert_eq!(exits.len(), 1);
        assert_eq!(exits[0][2], "2");
    }
}

#[test]
fn asciicast_append_continues_the_recording() {
    let dir = tmp();
    for (format, version) in [("asciicast", 3), ("asciicast-v2", 2)] {
        let cast = dir.path().join(format!("{format}.cast"));
        for word in ["one", "two"] {
            let out = run(
                ptyx().args(["script", "-q", "-a", "--format", format, "-c", &format!("echo {word}")]).arg(&cast),
                Stdio::null(),
            );
            assert!(out.status.success(), "{out:?}");
        }
        let lines = cast_lines(&cast);
        assert_eq!(lines[0]["version"], version);
        assert!(lines[1..].iter().all(|l| l.is_array()), "one header only");
        let output: String = lines[1..].iter().filter(|e| e[1] == "o").map(|e| e[2].as_str().unwrap()).collect();
        assert_eq!(output, "one\r\ntwo\r\n");
        if version == 2 {
            let times: Vec<f64> = lines[1..].iter().map(|e| e[0].as_f64().unwrap()).collect();
            assert!(times.windows(2).all(|w| w[0] <= w[1]), "v2 times keep growing: {times:?}");
        }
    }
    // Appending another version is refused, and the file is left as it was.
    let cast = dir.path().join("asciicast.cast");
    let before = fs::read(&cast).unwrap();
    let out =
        run(ptyx().args(["script", "-q", "-a", "--format", "asciicast-v2", "-c", "true"]).arg(&cast), Stdio::null());
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("cannot append: the file is asciicast v3, not v2"), "{}", text(&out.stderr));
    assert_eq!(fs::read(&cast).unwrap(), before);
}

#[test]
fn asciicast_v2_lasts_until_the_session_ends() {
    let dir = tmp();
    for format in ["asciicast-v2", "asciicast"] {
        let cast = dir.path().join(format!("{format}.cast"));
        let out = run(
            ptyx().args(["script", "-q", "--format", format, "-c", "printf hi; sleep 0.3"]).arg(&cast),
            Stdio::null(),
        );
        assert!(out.status.success(), "{out:?}");
        let lines = cast_lines(&cast);
        let last = lines.last().unwrap();
        assert_eq!(last[1], "x", "{format}: the last event is the end of the session: {lines:?}");
        let end: f64 = if format == "asciicast" {
            lines[1..].iter().map(|e| e[0].as_f64().unwrap()).sum()
        } else {
            last[0].as_f64().unwrap()
        };
        assert!(end >= 0.3, "{format}: the recording lasts {end} s, the session 0.3 s at least");
    }
}

#[test]
fn asciicast_append_at_another_size_starts_with_a_resize() {
    let dir = tmp();
    for (format, version) in [("asciicast", 3), ("asciicast-v2", 2)] {
        let cast = dir.path().join(format!("{format}.cast"));
        for (cols, rows, word) in [("80", "24", "one"), ("100", "30", "two")] {
            let out = run(
                ptyx()
                    .args(["script", "-q", "-a", "--format", format, "--cols", cols, "--rows", rows, "-c"])
                    .arg(format!("echo {word}"))
                    .arg(&cast),
                Stdio::null(),
            );
            assert!(out.status.success(), "{out:?}");
        }
        let lines = cast_lines(&cast);
        assert_eq!(lines[0]["version"], version);
        let codes: Vec<&str> = lines[1..].iter().map(|e| e[1].as_str().unwrap()).collect();
        let join = codes.iter().position(|c| *c == "x").unwrap() + 1;
        assert_eq!(lines[1 + join][1], "r", "{format}: {codes:?}");
        assert_eq!(lines[1 + join][2], "100x30", "{format}");
        assert_eq!(codes.iter().filter(|c| **c == "r").count(), 1, "{format}: {codes:?}");
    }
}

#[test]
fn a_failed_start_leaves_no_file_behind_and_appended_files_untouched() {
    let dir = tmp();
    let out4 = dir.path().join("out4");
    // The timing file cannot be created: the output log opened before it goes again.
    let out =
        run(ptyx().args(["script", "-q", "-T", "/nonexistent-dir/t"]).arg(&out4).args(["--", "true"]), Stdio::null());
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(text(&out.stderr), "ptyx: /nonexistent-dir/t: No such file or directory\n");
    assert!(!out4.exists(), "an empty out4 was left behind");
    // The program cannot be started: no session, no files.
    let tm = dir.path().join("tm");
    let out = run(
        ptyx().args(["script", "-q", "-T"]).arg(&tm).arg(&out4).args(["--", "/nonexistent/program"]),
        Stdio::null(),
    );
    assert_eq!(out.status.code(), Some(127));
    assert!(!out4.exists() && !tm.exists(), "files of a session that never started");
    // A file appended to is left exactly as it was, whichever way the start fails.
    fs::write(&out4, "old log\n").unwrap();
    fs::write(&tm, "0.100000 3\n").unwrap();
    for failing in
        [&["-T", "/nonexistent-dir/t", "--", "true"][..], &["-T", tm.to_str().unwrap(), "--", "/nonexistent/program"]]
    {
        let out = run(ptyx().args(["script", "-q", "-a"]).arg(&out4).args(failing), Stdio::null());
        assert_ne!(out.status.code(), Some(0), "{failing:?}");
        assert_eq!(fs::read_to_string(&out4).unwrap(), "old log\n", "{failing:?}");
        assert_eq!(fs::read_to_string(&tm).unwrap(), "0.100000 3\n", "{failing:?}");
    }
    for cast in ["asciicast", "asciicast-v2"] {
        let path = dir.path().join(format!("{cast}.cast"));
        let out = run(ptyx().args(["script", "-q", "--format", cast, "-c", "true"]).arg(&path), Stdio::null());
        assert!(out.status.success(), "{out:?}");
        let before = fs::read(&path).unwrap();
        let out = run(
            ptyx().args(["script", "-q", "-a", "--format", cast]).arg(&path).args(["--", "/nonexistent/program"]),
            Stdio::null(),
        );
        assert_eq!(out.status.code(), Some(127));
        assert_eq!(fs::read(&path).unwrap(), before, "{cast}");
    }
}

#[test]
fn logging_only_input_times_only_input() {
    let dir = tmp();
    let (inp, tm) = (dir.path().join("in"), dir.path().join("tm"));
    let out = run_input(
        ptyx().args(["script", "-q", "-c", "read x; echo got:$x", "-I"]).arg(&inp).arg("-T").arg(&tm),
        b"abc\n",
    );
    assert!(out.status.success(), "{out:?}");
    let timing = fs::read_to_string(&tm).unwrap();
    let types: Vec<&str> = timing.lines().map(|l| &l[..1]).filter(|t| *t != "H").collect();
    assert!(!types.is_empty() && types.iter().all(|t| *t == "I"), "util-linux writes only I entries: {timing}");
    assert!(timing.contains("H 0.000000 INPUT_LOG") && !timing.contains("OUTPUT_LOG"), "{timing}");
    assert_eq!(body(&fs::read(&inp).unwrap()), b"abc\n");
    let replayed = scriptreplay(&[], &["-T", tm.to_str().unwrap(), "-I", inp.to_str().unwrap(), "-x", "in"]);
    assert_bytes_eq(&replayed, b"abc\n");
}

/// Runs `ptyx script` on a pty of our own, so it has a terminal on stdin.
struct OnTerminal {
    child: ptyx::Child,
}

impl OnTerminal {
    fn start(args: &[&str], size: ptyx::Winsize) -> OnTerminal {
        let child = ptyx::Command::new(env!("CARGO_BIN_EXE_ptyx"))
            .args(args)
            .env("SHELL", "/bin/sh")
            .env("TERM", "xterm")
            .window_size(size)
            .spawn()
            .expect("start ptyx on a pty");
        OnTerminal { child }
    }

    /// Reads the terminal until `marker` appears; returns all that was read.
    fn expect(&mut self, marker: &str, seen: &mut Vec<u8>) {
        let mut buf = [0u8; 4096];
        while !text(seen).contains(marker) {
            let n = self.child.master().read(&mut buf).expect("read pty");
            assert!(n > 0, "session ended before {marker:?}: {}", text(seen));
            seen.extend_from_slice(&buf[..n]);
        }
    }
}

#[test]
fn on_a_terminal_the_header_has_it_and_sigwinch_resizes_the_session() {
    let dir = tmp();
    let (log, tm) = (dir.path().join("log"), dir.path().join("tm"));
    let args = [
        "script",
        "-q",
        "-m",
        "advanced",
        "-T",
        tm.to_str().unwrap(),
        "-c",
        "stty size; echo READY; read x; stty size",
        log.to_str().unwrap(),
    ];
    let mut term = OnTerminal::start(&args, ptyx::Winsize::new(30, 100));
    let mut seen = Vec::new();
    term.expect("READY", &mut seen);
    term.child.resize(ptyx::Winsize::new(40, 120)).unwrap();
    // The resize reaches the inner pty through ptyx's SIGWINCH handler; the newline we type next
    // goes through the same loop after it only if the signal was handled first, so wait for the
    // inner size to change by asking again until it does.
    term.child.master().write_all(b"\n").unwrap();
    term.expect("\n", &mut seen);
    let status = term.child.wait().unwrap();
    assert!(status.success());
    let data = text(&fs::read(&log).unwrap());
    assert!(data.lines().next().unwrap().contains("TERM=\"xterm\" TTY=\"/dev/pts/"), "{data}");
    assert!(data.lines().next().unwrap().ends_with("COLUMNS=\"100\" LINES=\"30\"]"), "{data}");
    assert!(data.contains("30 100\r\n"), "{data}");
    let timing = fs::read_to_string(&tm).unwrap();
    assert!(timing.contains("H 0.000000 COLUMNS 100") && timing.contains("H 0.000000 LINES 30"), "{timing}");
    assert!(timing.lines().any(|l| l.starts_with("S ") && l.ends_with("SIGWINCH ROWS=40 COLS=120")), "{timing}");
    assert!(data.contains("40 120\r\n"), "{data}");
}

#[test]
fn on_a_terminal_asciicast_records_the_size_and_resizes() {
    let dir = tmp();
    let cast = dir.path().join("s.cast");
    let args = ["script", "-q", "--format", "asciicast", "-c", "echo READY; read x; stty size", cast.to_str().unwrap()];
    let mut term = OnTerminal::start(&args, ptyx::Winsize::new(30, 100));
    let mut seen = Vec::new();
    term.expect("READY", &mut seen);
    term.child.resize(ptyx::Winsize::new(40, 120)).unwrap();
    term.child.master().write_all(b"\n").unwrap();
    assert!(term.child.wait().unwrap().success());
    let lines = cast_lines(&cast);
    assert_eq!(lines[0]["term"]["cols"], 100);
    assert_eq!(lines[0]["term"]["rows"], 30);
    assert_eq!(lines[0]["term"]["type"], "xterm");
    let resizes: Vec<&str> = lines[1..].iter().filter(|e| e[1] == "r").map(|e| e[2].as_str().unwrap()).collect();
    assert_eq!(resizes, ["120x40"]);
    let output: String = lines[1..].iter().filter(|e| e[1] == "o").map(|e| e[2].as_str().unwrap()).collect();
    assert!(output.ends_with("40 120\r\n"), "{output:?}");
}

#[test]
fn terminal_mode_is_restored_after_the_session_however_it_ends() {
    // A fresh pty has the kernel's default mode, the one the outer pty starts with.
    let (_m, fresh) = ptyx::openpty().unwrap();
    let default_mode = format!("{:?}", fresh.termios().unwrap());
    for ending in ["exit", "sigterm", "child killed"] {
        let mut term = OnTerminal::start(
            &["script", "-q", "-c", "echo READY $$; read x", "/dev/null"],
            ptyx::Winsize::new(24, 80),
        );
        let mut seen = Vec::new();
        term.expect("READY", &mut seen);
        term.expect("\n", &mut seen);
        let during = format!("{:?}", term.child.master().termios().unwrap());
        assert_ne!(during, default_mode, "the outer terminal is raw during the session");
        match ending {
            "exit" => term.child.master().write_all(b"\n").unwrap(),
            "sigterm" => term.child.signal(libc::SIGTERM).unwrap(),
            _ => {
                let t = text(&seen);
                let pid: i32 = t[t.find("READY ").unwrap() + 6..].split_whitespace().next().unwrap().parse().unwrap();
                // SAFETY: plain kill(2) of the recorded shell.
                unsafe { libc::kill(pid, libc::SIGKILL) };
            }
        }
        let status = term.child.wait().unwrap();
        assert!(status.code().is_some(), "{ending}: ptyx itself must exit, not die: {status:?}");
        let after = format!("{:?}", term.child.master().termios().unwrap());
        assert_eq!(after, default_mode, "{ending}: terminal mode restored");
    }
}
