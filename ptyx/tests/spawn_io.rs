//! `ptyx::spawn` with pipes and files around it, run through the `spawn` example: the end of the
//! input, endless input, output to slow or closed pipes, output at exit, background processes
//! holding the pty, and a child that closes its terminal but keeps running.

mod common;

use std::io::Read;
use std::os::unix::process::ExitStatusExt;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::{assert_pattern, run_spawn, run_std, spawn_example, stat_fields, wait_std};

fn spawn_with_input(argv: &[&str], input: &[u8]) -> common::Output {
    run_std(spawn_example(), argv, Stdio::piped(), Some(input))
}

#[test]
fn stdin_eof_ends_cat() {
    let out = spawn_with_input(&["cat"], b"hi\n");
    assert!(out.status.success(), "{out:?}");
    // The pty's echo of the line, then cat's copy of it.
    assert_eq!(out.stdout_str(), "hi\r\nhi\r\n");
}

#[test]
fn stdin_eof_without_trailing_newline_ends_cat() {
    let out = spawn_with_input(&["cat"], b"hi");
    assert!(out.status.success(), "{out:?}");
    // The echo, then cat's copy: the first end-of-file character hands cat the partial line, the
    // next one (sent again because cat reads again with its input empty) is its end of file.
    assert_eq!(out.stdout_str(), "hihi");
}

#[test]
fn stdin_dev_null_ends_every_reader() {
    // The second cat reads after the first one saw end of file: it must see it too.
    let out = run_spawn(&["sh", "-c", "cat; cat; echo both-done"]);
    assert!(out.status.success(), "{out:?}");
    assert_eq!(out.stdout_str(), "both-done\r\n");
}

#[test]
fn input_reaches_successive_readers_then_end_of_file() {
    let out = spawn_with_input(&["sh", "-c", "read x; read y; echo \"[$y$x]\"; cat; echo end"], b"a\nb\n");
    assert!(out.status.success(), "{out:?}");
    assert!(out.stdout_str().ends_with("[ba]\r\nend\r\n"), "{out:?}");
}

/// Pipes a command line into an interactive shell on the pty: it runs, and the end of the input
/// ends the shell, even one (bash with readline) that puts the terminal in raw mode to read.
fn interactive_shell_runs_piped_commands_and_exits_at_end_of_input(shell: &[&str]) {
    // 42 is printed by the command and appears nowhere in the input.
    let out = spawn_with_input(shell, b"echo $((6*7))\n");
    assert!(out.status.success(), "{out:?}");
    assert!(out.stdout_str().contains("42\r\n"), "{:?}", out.stdout_str());
    let out = spawn_with_input(shell, b"exit 3\n");
    assert_eq!(out.status.code(), Some(3), "{out:?}");
}

#[test]
fn interactive_sh_runs_piped_commands_and_exits_at_end_of_input() {
    interactive_shell_runs_piped_commands_and_exits_at_end_of_input(&["sh"]);
}

#[test]
fn interactive_bash_runs_piped_commands_and_exits_at_end_of_input() {
    interactive_shell_runs_piped_commands_and_exits_at_end_of_input(&["bash", "--norc", "--noprofile"]);
}

#[test]
fn large_input_arrives_whole() {
    // 1 MiB in lines: more than the pty's input queue and the relay's buffers hold at once.
    let line = [b'z'; 99];
    let mut input = Vec::new();
    for _ in 0..10_000 {
        input.extend_from_slice(&line);
        input.push(b'\n');
    }
    // The count is printed in one write that the pty's echo of the input, which the kernel may
    // still be flushing, cannot split: find it by its markers rather than at the end.
    let out = spawn_with_input(&["sh", "-c", "n=$(wc -c); echo \"count=$n.\""], &input);
    assert!(out.status.success(), "{out:?}");
    let text = out.stdout_str();
    let start = text.find("count=").expect("count printed") + "count=".len();
    let count = &text[start..start + text[start..].find('.').expect("count ends with '.'")];
    assert_eq!(count.trim(), "1000000", "bytes the program read");
}

#[test]
fn child_not_reading_endless_input_cannot_deadlock() {
    // `yes | ptyx-spawn sh -c '...'`: the program never reads its input, which fills the pty and
    // the relay's buffers, while it writes 1 MB of output and exits.
    let mut yes = Command::new("yes").stdout(Stdio::piped()).spawn().unwrap();
    let stdin = Stdio::from(yes.stdout.take().unwrap());
    let script = "head -c 1000000 /dev/zero | tr '\\0' x; exit 0";
    let out = run_std(spawn_example(), &["sh", "-c", script], stdin, None);
    yes.kill().unwrap();
    yes.wait().unwrap();
    assert!(out.status.success(), "{:?} {}", out.status, out.stderr_str());
    // The output is the program's 1 MB of x plus the pty's echo of whatever input it took.
    let xs = out.stdout.iter().filter(|&&b| b == b'x').count();
    assert_eq!(xs, 1_000_000, "all of the program's output arrived");
    assert!(out.stdout.iter().all(|b| b"xy\r\n".contains(b)), "only output and echo");
}

#[test]
fn spawn_returns_when_the_child_exits_while_stdin_stays_open() {
    let mut spawn = Command::new(spawn_example())
        .args(["sh", "-c", "echo bye"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let _stdin_kept_open = spawn.stdin.take();
    let status = wait_std(&mut spawn, "spawn with stdin open");
    assert!(status.success());
    let mut out = String::new();
    spawn.stdout.take().unwrap().read_to_string(&mut out).unwrap();
    assert_eq!(out, "bye\r\n");
}

/// Kills a background process a test started (it outlives the spawn by design).
fn kill(pid: i32) {
    // SAFETY: kill(2).
    unsafe { libc::kill(pid, libc::SIGKILL) };
}

#[test]
fn background_grandchild_holding_the_pty_does_not_make_spawn_hang() {
    // The grandchild ignores SIGHUP (set before it is started), so it survives its session
    // leader's exit and keeps the pty open for 30 s.
    let start = Instant::now();
    let out = run_spawn(&["sh", "-c", "trap '' HUP; sleep 30 & echo \"bg=$!.\"; echo done"]);
    let elapsed = start.elapsed();
    let text = out.stdout_str();
    if let Some(pid) = text.split("bg=").nth(1).and_then(|s| s.split('.').next()).and_then(|s| s.parse().ok()) {
        kill(pid);
    }
    assert!(out.status.success(), "{out:?}");
    assert!(text.ends_with("done\r\n"), "{text:?}");
    // Not a speed requirement: it must not wait for the grandchild's 30 s.
    assert!(elapsed < Duration::from_secs(10), "spawn waited for the background process: {elapsed:?}");
}

#[test]
fn background_grandchild_writing_forever_does_not_make_spawn_hang() {
    let script = "trap '' HUP; (while :; do echo tick; sleep 0.01; done) & echo \"bg=$!.\"; echo done";
    let start = Instant::now();
    let out = run_spawn(&["sh", "-c", script]);
    let elapsed = start.elapsed();
    let text = out.stdout_str();
    if let Some(pid) = text.split("bg=").nth(1).and_then(|s| s.split('.').next()).and_then(|s| s.parse().ok()) {
        kill(pid);
    }
    assert!(out.status.success(), "{out:?}");
    assert!(text.contains("done\r\n"), "{text:?}");
    assert!(elapsed < Duration::from_secs(10), "spawn waited for the background process: {elapsed:?}");
}

/// The program writes 2 MB (more than the pipe, the pty and the relay's buffer hold) and exits at
/// once; the test then drains stdout slowly, on purpose, and must get every byte.
fn no_output_lost_through_a_slow_pipe(nonblocking: bool) {
    const LEN: usize = 2_000_000;
    let pattern = common::pattern_example();
    let len = LEN.to_string();
    let (read, write) = rustix::pipe::pipe_with(rustix::pipe::PipeFlags::CLOEXEC).unwrap();
    if nonblocking {
        // As a parent that shares its pipe with non-blocking code (node, say) leaves it.
        rustix::fs::fcntl_setfl(&write, rustix::fs::OFlags::NONBLOCK).unwrap();
    }
    let mut spawn = Command::new(spawn_example())
        .args([pattern.to_str().unwrap(), &len, "7"])
        .stdin(Stdio::null())
        .stdout(write)
        .spawn()
        .unwrap();
    let mut stdout = std::fs::File::from(read);
    let mut got = Vec::with_capacity(LEN);
    let mut buf = [0u8; 16 * 1024];
    loop {
        // The deliberately slow consumer (not synchronisation): a pause between small reads.
        std::thread::sleep(Duration::from_millis(1));
        let n = stdout.read(&mut buf).unwrap();
        if n == 0 {
            break;
        }
        got.extend_from_slice(&buf[..n]);
    }
    let status = wait_std(&mut spawn, "spawn pattern");
    assert_eq!(status.code(), Some(7));
    assert_pattern(&got, LEN, "output through a slow pipe");
}

#[test]
fn no_output_lost_at_exit_with_a_slow_stdout_pipe() {
    no_output_lost_through_a_slow_pipe(false);
}

#[test]
fn no_output_lost_at_exit_with_a_slow_non_blocking_stdout_pipe() {
    no_output_lost_through_a_slow_pipe(true);
}

#[test]
fn no_output_lost_at_exit_with_stdout_a_regular_file() {
    const LEN: usize = 5_000_000;
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("out");
    let file = std::fs::File::create(&path).unwrap();
    let pattern = common::pattern_example();
    let mut spawn = Command::new(spawn_example())
        .args([pattern.to_str().unwrap(), &LEN.to_string(), "9"])
        .stdin(Stdio::null())
        .stdout(file)
        .spawn()
        .unwrap();
    assert_eq!(wait_std(&mut spawn, "spawn pattern > file").code(), Some(9));
    assert_pattern(&std::fs::read(&path).unwrap(), LEN, "output to a file");
}

/// Runs a program writing 3 MB and exiting 5 with the spawn example's stdout a pipe whose reader
/// goes away after `read_first` bytes: copying stops, but spawn still ends and returns 5.
fn output_to_closed_pipe(read_first: usize) {
    let script = "head -c 3000000 /dev/zero | tr '\\0' x; exit 5";
    let mut spawn = Command::new(spawn_example())
        .args(["sh", "-c", script])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = spawn.stdout.take().unwrap();
    let mut first = vec![0u8; read_first];
    stdout.read_exact(&mut first).unwrap();
    assert!(first.iter().all(|&b| b == b'x'));
    drop(stdout);
    let status = wait_std(&mut spawn, "spawn with a closed stdout");
    let mut err = String::new();
    spawn.stderr.take().unwrap().read_to_string(&mut err).unwrap();
    assert_eq!(status.signal(), None, "spawn died of a signal (SIGPIPE?): {status:?} {err}");
    assert_eq!(status.code(), Some(5), "the child's status is still returned: {err}");
}

#[test]
fn stdout_closed_from_the_start_does_not_hang_and_status_is_returned() {
    output_to_closed_pipe(0);
}

#[test]
fn stdout_closed_midway_does_not_hang_and_status_is_returned() {
    output_to_closed_pipe(100_000);
}

/// A child that records a SIGHUP in `hup` and, once it has closed its terminal and run a while,
/// writes `end`.
fn hup_recording_script(dir: &tempfile::TempDir) -> (String, std::path::PathBuf, std::path::PathBuf) {
    let (hup, end) = (dir.path().join("hup"), dir.path().join("end"));
    let script = format!(
        "trap 'echo HUP >> {hup}' HUP; exec </dev/null >/dev/null 2>&1; sleep 0.2; echo end > {end}",
        hup = hup.display(),
        end = end.display()
    );
    (script, hup, end)
}

#[test]
fn child_is_reaped_before_the_master_closes_so_it_gets_no_sighup() {
    // The child closes its terminal (all three descriptors) but keeps running a while. Were the
    // master closed when its end of file is seen, the child would get SIGHUP and record it.
    let dir = tempfile::tempdir().expect("tempdir");
    let (script, hup, end) = hup_recording_script(&dir);
    let out = run_spawn(&["sh", "-c", &script]);
    assert!(out.status.success(), "{out:?}");
    assert!(end.exists(), "spawn returned before the child finished");
    assert!(!hup.exists(), "the child got a SIGHUP it did not earn");
}

#[test]
fn control_closing_the_master_at_its_end_of_file_does_hang_up_that_child() {
    // Shows the test above can fail: closing the master as soon as it reads end of file, before
    // the child is reaped, makes the same child record a SIGHUP.
    let dir = tempfile::tempdir().expect("tempdir");
    let (script, hup, end) = hup_recording_script(&dir);
    let child = ptyx::Command::new("sh").args(["-c", &script]).spawn().unwrap();
    let pid = child.id();
    let mut rest = Vec::new();
    (&mut child.master()).read_to_end(&mut rest).unwrap();
    let exited = common::pidfd(pid);
    drop(child);
    assert!(common::exits_within(&exited, common::TIMEOUT));
    // SAFETY: reaping our own child, which the dropped Child left running.
    unsafe { libc::waitpid(pid as i32, std::ptr::null_mut(), 0) };
    assert!(end.exists());
    assert!(hup.exists(), "the child should have recorded the SIGHUP of the closed master");
}

#[test]
fn child_of_spawn_is_a_session_leader_on_the_pty_with_ttys_on_0_1_2() {
    let out = run_spawn(&["sh", "-c", "cat /proc/$$/stat; test -t 0 -a -t 1 -a -t 2 && echo all-ttys"]);
    assert!(out.status.success(), "{out:?}");
    let text = out.stdout_str();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 2, "{text:?}");
    let pid: i64 = lines[0].split_whitespace().next().unwrap().parse().unwrap();
    let f = stat_fields(lines[0]).unwrap();
    let field = |i: usize| f[i].parse::<i64>().unwrap();
    assert_eq!(field(3), pid, "session == pid");
    assert_eq!(field(2), pid, "process group == pid");
    assert_ne!(field(4), 0, "has a controlling terminal");
    assert_eq!(field(5), pid, "is the terminal's foreground group");
    assert_eq!(lines[1].trim_end(), "all-ttys");
}
