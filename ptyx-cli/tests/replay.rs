//! `ptyx replay` against the real util-linux `scriptreplay` and asciinema on files those tools wrote.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../ptyx/tests/fixtures")
}

fn run(program: &str, dir: &Path, args: &[&str]) -> Output {
    Command::new(program)
        .current_dir(dir)
        .args(args)
        .env("TZ", "UTC")
        .stdin(Stdio::null())
        .output()
        .unwrap_or_else(|e| panic!("{program}: {e}"))
}

fn ptyx(dir: &Path, args: &[&str]) -> Output {
    let mut all = vec!["replay"];
    all.extend_from_slice(args);
    run(env!("CARGO_BIN_EXE_ptyx"), dir, &all)
}

fn scriptreplay(dir: &Path, args: &[&str]) -> Output {
    let out = Command::new("scriptreplay").current_dir(dir).args(args).stdin(Stdio::null()).output();
    out.unwrap_or_else(|e| {
        panic!("scriptreplay: {e}: util-linux 2.38's scriptreplay is the reference (Debian: apt-get install bsdutils)")
    })
}

fn show(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).escape_debug().to_string()
}

/// Every way of playing the util-linux fixtures that scriptreplay 2.38 knows.
const SAME_AS_SCRIPTREPLAY: &[&str] = &[
    "ul-basic.tm ul-basic.out 1000",
    "-d 1000 ul-classic.tm ul-classic.out",
    "-t ul-classic.tm -s ul-classic.out -d 1000",
    "-d 1000 -t ul-classic.tm -I ul-classic.out",
    "-d 1000 -t ul-classic.tm -I ul-classic.out -x in -c never",
    "-d 1000 -t ul-classic.tm -O ul-classic.out -x in",
    "-d 1000 -t ul-classic.tm -O ul-classic.out -x signal",
    "-d 1000 -t ul-classic.tm -O ul-classic.out -c always",
    "--summary ul-classic.tm",
    "-d 1000 ul-append.tm ul-append.out",
    "-d 1000 ul-many.tm ul-many.out",
    "-d 1000 -m 0.0001 ul-utf8.tm ul-utf8.out",
    "ul-limit.tm ul-limit.out 1000",
    "-d 1000 -T ul-advanced-outonly.tm -O ul-advanced-outonly.out",
    "-d 1000 -T ul-advanced-outonly.tm -O ul-advanced-outonly.out -x info",
    "-d 1000 -T ul-advanced-outonly.tm -O ul-advanced-outonly.out -x in",
    "--summary ul-advanced-outonly.tm",
    "-d 1000 -t ul-io.tm -B ul-io.io",
    "-d 1000 -t ul-io.tm -B ul-io.io -x in",
    "-d 1000 -t ul-io.tm -B ul-io.io -x in -x out",
    "-d 1000 -t ul-io.tm -B ul-io.io -x in -c never",
    "-d 1000 -t ul-io.tm -B ul-io.io -c always",
    "-d 1000 -t ul-io.tm -B ul-io.io -x info -x out -x in -x signal",
    "-d 1000 -t ul-sep.tm -I ul-sep.in",
    "-d 1000 -t ul-sep.tm -I ul-sep.in -O ul-sep.out",
    "-d 1000 -t ul-sep.tm -I ul-sep.in -O ul-sep.out -x in -x out",
    "-d 1000 -t ul-sep.tm -O ul-sep.out -x in",
    "-d 1000 -t ul-sep.tm -O ul-sep.out -B ul-io.io -x in -x out",
    "-d 1000 -I ul-sep.in ul-sep.tm",
    "-I ul-sep.in ul-sep.tm 1000",
    "-d 1000 -t ul-tty-input.tm -B ul-tty-input.io -x in -x out",
    "--summary -t ul-tty-input.tm",
    "-d 1000 -t ul-tty-resize.tm -B ul-tty-resize.io",
    "-d 1000 -t ul-tty-resize.tm -B ul-tty-resize.io -x out -x signal",
    "-d 1000 -x info -x signal -t ul-tty-resize.tm -B ul-tty-resize.io",
    "--summary ul-tty-resize.tm",
    "-d 1000 -x signal ul-sigterm.tm -B ul-sigterm.io",
    "-d 1000 ul-sigterm.tm -B ul-sigterm.io",
    "-d 1000 ul-binary.tm -B ul-binary.io",
    "-d 1000 ul-binary.tm -B ul-binary.io -x in",
    "-d 1000 ul-binary.tm -B ul-binary.io -x in -x out -x info",
    "--summary ul-binary.tm",
    // Spellings scriptreplay's getopt_long accepts: glued values, clusters, long prefixes.
    "-d1000 -tul-classic.tm -sul-classic.out",
    "-Tul-io.tm -Bul-io.io -xin -d1000",
    "--divi=1000 --log-t ul-io.tm --log-io ul-io.io",
    "ul-basic.tm -d1000 ul-basic.out",
];

#[test]
fn same_bytes_as_scriptreplay_on_util_linux_files() {
    let dir = fixtures();
    for line in SAME_AS_SCRIPTREPLAY {
        let args: Vec<&str> = line.split(' ').collect();
        let ours = ptyx(&dir, &args);
        let theirs = scriptreplay(&dir, &args);
        assert!(theirs.status.success(), "scriptreplay {line}: {}", show(&theirs.stderr));
        assert!(ours.status.success(), "ptyx replay {line}: {}", show(&ours.stderr));
        assert_eq!(show(&ours.stdout), show(&theirs.stdout), "ptyx replay {line}");
        assert!(ours.stderr.is_empty(), "ptyx replay {line}: {}", show(&ours.stderr));
    }
}

#[test]
fn default_data_log_is_typescript() {
    let dir = tempfile::tempdir().expect("tempdir");
    for (from, to) in [("ul-classic.out", "typescript"), ("ul-classic.tm", "t.tm")] {
        std::fs::copy(fixtures().join(from), dir.path().join(to)).expect("copy");
    }
    for args in [&["t.tm", "-d", "1000"][..], &["t.tm"][..], &["-d", "1000", "-t", "t.tm"][..]] {
        let ours = ptyx(dir.path(), args);
        assert!(ours.status.success(), "{}", show(&ours.stderr));
        assert_eq!(ours.stdout, scriptreplay(dir.path(), args).stdout);
    }
}

#[test]
fn pace_divisor_and_maxdelay() {
    let dir = fixtures();
    // ul-classic: 0.504 s of delays in all.
    let start = Instant::now();
    let out = ptyx(&dir, &["ul-classic.tm", "ul-classic.out"]);
    let took = start.elapsed();
    assert!(out.status.success());
    assert!(took >= Duration::from_millis(500), "played in {took:?}");
    let start = Instant::now();
    ptyx(&dir, &["ul-classic.tm", "ul-classic.out", "4"]);
    let took = start.elapsed();
    assert!(took >= Duration::from_millis(125), "played in {took:?}");
    assert!(took < Duration::from_millis(450), "divisor 4 played in {took:?}");
    // ul-tty-resize: 1.006 s, in pauses of 0.496 (a resize nobody plays) + 0.506 and 0.002 s; at most
    // 0.05 s each.
    let start = Instant::now();
    let out = ptyx(&dir, &["-m", "0.05", "ul-tty-resize.tm", "-B", "ul-tty-resize.io"]);
    let took = start.elapsed();
    assert_eq!(out.stdout, b"start25 90\r\n90\r\n\n");
    assert!(took >= Duration::from_millis(50) && took < Duration::from_millis(600), "played in {took:?}");
    // asciicast: --speed and --idle-limit are other names of the same options; the header's
    // idle_time_limit (2.5 s) caps before dividing.
    let start = Instant::now();
    ptyx(&dir, &["asciinema3-full.cast", "--speed", "4"]);
    let took = start.elapsed();
    assert!(took >= Duration::from_millis(490) && took < Duration::from_millis(1500), "played in {took:?}");
    let start = Instant::now();
    ptyx(&dir, &["asciinema3-full.cast", "--idle-limit", "0.01"]);
    let took = start.elapsed();
    assert!(took >= Duration::from_millis(15) && took < Duration::from_millis(800), "played in {took:?}");
}

/// The output text of an asciicast file, read with serde_json.
fn cast_output(path: &Path, code: &str) -> String {
    let text = std::fs::read_to_string(path).expect("read");
    let mut out = String::new();
    for line in text.lines().skip(1) {
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let event: serde_json::Value = serde_json::from_str(line).expect("event");
        if event[1] == code {
            out += event[2].as_str().expect("data");
        }
    }
    out
}

#[test]
fn plays_asciicast_files() {
    let dir = fixtures();
    for name in [
        "asciinema2-full.cast",
        "asciinema2-tty.cast",
        "asciinema2-notty.cast",
        "asciinema2-utf8.cast",
        "asciinema2-append-then-3.cast",
        "asciinema3-full.cast",
        "asciinema3-utf8.cast",
        "asciinema3-append.cast",
        "asciinema3-killed.cast",
        "asciinema3-notty.cast",
        "asciinema3-as-v2.cast",
    ] {
        let out = ptyx(&dir, &[name, "1000"]);
        assert!(out.status.success(), "{name}: {}", show(&out.stderr));
        assert_eq!(show(&out.stdout), show(format!("{}\n", cast_output(&dir.join(name), "o")).as_bytes()), "{name}");
        let out = ptyx(&dir, &["-x", "in", "-d", "1000", name]);
        let input = cast_output(&dir.join(name), "i").replace('\r', "\n");
        assert_eq!(show(&out.stdout), show(format!("{input}\n").as_bytes()), "{name}");
    }
    let out = ptyx(&dir, &["-x", "signal", "-x", "out", "--speed", "1000", "asciinema3-full.cast"]);
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "hello\r\ngot:hello \u{fc}n\u{ef}\r\nSIGWINCH  ROWS=25 COLS=90\n25 90\r\n\n"
    );
    let out = ptyx(&dir, &["--summary", "asciinema3-full.cast"]);
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "START_TIME:  2026-11-29 15:13:12+00:00\n      TERM:  xterm\n   COLUMNS:  120\n     LINES:  40\n     \
         SHELL:  /bin/bash\n   COMMAND:  read x; echo \"got:$x \u{fc}n\u{ef}\"; sleep 1; stty size; exit 3\n     \
         TITLE:  Demo \u{2713}\n  DURATION:  2.000000\n EXIT_CODE:  3\n\n"
    );
}

#[test]
fn same_output_as_asciinema_cat() {
    let dir = fixtures();
    for name in
        ["asciinema2-full.cast", "asciinema2-utf8.cast", "asciinema2-append-then-3.cast", "asciinema3-as-v2.cast"]
    {
        let theirs = run("python3", &dir, &["-m", "asciinema", "cat", name]);
        assert!(
            theirs.status.success(),
            "asciinema 2.4 is needed as the reference player: `python3 -m pip install asciinema==2.4.0` ({})",
            show(&theirs.stderr)
        );
        let mut expected = theirs.stdout;
        expected.push(b'\n');
        assert_eq!(show(&ptyx(&dir, &["-d", "1000", name]).stdout), show(&expected), "{name}");
    }
}

/// Runs `ptyx replay` in `dir` and checks it failed with exactly `message` on stderr.
fn assert_fails(dir: &Path, args: &[&str], message: &str) {
    let out = ptyx(dir, args);
    assert_eq!(out.status.code(), Some(1), "{args:?}: {}", show(&out.stderr));
    assert_eq!(String::from_utf8_lossy(&out.stderr), format!("{message}\n"), "{args:?}");
}

#[test]
fn corrupt_timing_files() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    std::fs::write(d.join("data"), "Script started on ...\nhello world\n").expect("write");
    let cases: &[(&str, &str)] = &[
        ("0.1 3\nxx\n0.1 2\n", "2: expected '<seconds>.<microseconds> <bytes>', found 'xx'"),
        ("0.1 3\n0.1 2", "2: truncated line (no newline at the end)"),
        ("0.1 3 extra\n", "1: expected '<seconds>.<microseconds> <bytes>', found '0.1 3 extra'"),
        ("0.1234567 3\n", "1: invalid delay '0.1234567' (expected <seconds>.<microseconds>)"),
        ("0.1 3\n0.1 x\n", "2: invalid byte count 'x'"),
        ("O 0.1 3\nZ 0.1 3\n", "2: unknown entry type 'Z'"),
        ("H 0.000000 START_TIME x\nS 0.1\n", "2: missing signal name"),
        ("0.1 3\n0.1 200\n", "2: the data log data ends 191 bytes short of the 200 this entry needs"),
    ];
    for (i, (timing, message)) in cases.iter().enumerate() {
        let name = format!("t{i}.tm");
        std::fs::write(d.join(&name), timing).expect("write");
        assert_fails(d, &["-d", "1000", &name, "data"], &format!("ptyx: {name}:{message}"));
    }
    // What was valid before the error is played, as scriptreplay does.
    let out = ptyx(d, &["-d", "1000", "t0.tm", "data"]);
    assert_eq!(out.stdout, b"hel");
    // scriptreplay says nothing about a data log that is too short (and exits 0); it played the same bytes.
    let out = ptyx(d, &["-d", "1000", "t7.tm", "data"]);
    let theirs = scriptreplay(d, &["-d", "1000", "t7.tm", "data"]);
    assert_eq!([out.stdout, b"\n".to_vec()].concat(), theirs.stdout);
}

#[test]
fn corrupt_asciicast_files() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    let v2 = "{\"version\": 2, \"width\": 80, \"height\": 24}\n";
    let v3 = "{\"version\":3,\"term\":{\"cols\":80,\"rows\":24}}\n";
    let cases: Vec<(String, &str)> = vec![
        ("{\"version\": 2, \"width\": 80\n".into(), "1: invalid asciicast header: EOF while parsing an object"),
        (
            "{\"version\": 1, \"width\": 80, \"height\": 24}\n".into(),
            "1: asciicast version 1 is not supported (only 2 and 3)",
        ),
        ("{\"version\": 2, \"height\": 24}\n".into(), "1: the header has no \"width\""),
        (format!("{v2}[0.1, \"o\", \"a\"]\n[0.2, \"o\""), "3: truncated event (the file ends in the middle of it)"),
        (format!("{v3}[0.1, \"o\", \"a\"]\n{{}}\n"), "3: an event must be a JSON array [time, code, data]"),
        (format!("{v3}[0.1, \"o\"]\n"), "2: an event must have 3 elements [time, code, data], this one has 2"),
        (format!("{v3}[-1, \"o\", \"a\"]\n"), "2: event time -1 out of range"),
        (format!("{v3}[0.1, \"o\", 1]\n"), "2: event data is not a string"),
        (format!("{v3}# fine\n[0.1, \"o\", \"a\"]]\n"), "3: invalid JSON: trailing characters at column 16"),
    ];
    for (i, (text, message)) in cases.iter().enumerate() {
        let name = format!("c{i}.cast");
        std::fs::write(d.join(&name), text).expect("write");
        assert_fails(d, &["-d", "1000", &name], &format!("ptyx: {name}:{message}"));
    }
    let out = ptyx(d, &["-d", "1000", "c3.cast"]);
    assert_eq!(out.stdout, b"a");
}

#[test]
fn missing_files_and_bad_arguments() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    std::fs::copy(fixtures().join("ul-classic.tm"), d.join("t.tm")).expect("copy");
    std::fs::copy(fixtures().join("asciinema3-full.cast"), d.join("r.cast")).expect("copy");
    assert_fails(d, &["nosuch.tm"], "ptyx: nosuch.tm: No such file or directory");
    assert_fails(d, &["t.tm"], "ptyx: typescript: No such file or directory");
    assert_fails(d, &["t.tm", "nosuch.out"], "ptyx: nosuch.out: No such file or directory");
    assert_fails(d, &["-t", "t.tm", "-I", "nosuch.in"], "ptyx: nosuch.in: No such file or directory");
    assert_fails(d, &[], "ptyx: replay: timing file not specified");
    assert_fails(d, &["-I", "x"], "ptyx: replay: timing file not specified");
    assert_fails(d, &["t.tm", "t.tm", "fast"], "ptyx: divisor: 'fast' is not a positive number");
    assert_fails(
        d,
        &["r.cast", "-O", "x"],
        "ptyx: r.cast: an asciicast recording holds its own data: -I, -O, -B and -s are not for it",
    );
    assert_fails(d, &["r.cast", "x"], "ptyx: divisor: 'x' is not a positive number");
    // Options clap rejects: exit 2 like every clap error, as scriptreplay exits 1 on them.
    for args in [
        &["-d", "0", "t.tm"][..],
        &["-x", "err", "t.tm"][..],
        &["-c", "x", "t.tm"][..],
        &["-O", "a", "-s", "b", "t.tm"][..],
    ] {
        let out = ptyx(d, args);
        assert!(!out.status.success(), "{args:?}");
        assert!(!out.stderr.is_empty());
    }
}

#[test]
fn a_file_that_is_no_recording_is_named_with_what_was_expected() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    // A typescript in the directory must not be played instead (the old fallback).
    std::fs::copy(fixtures().join("ul-classic.out"), d.join("typescript")).expect("copy");
    let random: Vec<u8> = (0..4096u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8).collect();
    std::fs::write(d.join("random.bin"), [b"\x7fELF".as_slice(), &random].concat()).expect("write");
    std::fs::write(d.join("empty.cast"), "").expect("write");
    let expected = "expected a timing file (script -T: lines like '0.010127 3' or 'O 0.001294 5') or an asciicast \
                    recording (a JSON header line)";
    assert_fails(
        d,
        &["random.bin"],
        &format!(
            "ptyx: random.bin: not a recording: it starts with neither a timing entry nor a JSON header; {expected}"
        ),
    );
    assert_fails(d, &["empty.cast"], &format!("ptyx: empty.cast: not a recording: it is empty; {expected}"));
    assert_fails(
        d,
        &["-d", "2", "-T", "empty.cast"],
        &format!("ptyx: empty.cast: not a recording: it is empty; {expected}"),
    );
    assert!(ptyx(d, &["empty.cast"]).stdout.is_empty());
}

#[test]
fn messages_name_what_the_user_got_wrong() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    for name in ["demo.cast", "other.cast"] {
        std::fs::copy(fixtures().join("asciinema3-full.cast"), d.join(name)).expect("copy");
    }
    // -T already names the recording: the positional file is a second recording, not a divisor.
    assert_fails(
        d,
        &["demo.cast", "-T", "other.cast"],
        "ptyx: demo.cast: one recording at a time: -T names other.cast, an asciicast recording with its own data",
    );
    assert_fails(
        d,
        &["other.cast", "demo.cast"],
        "ptyx: demo.cast: one recording at a time: other.cast is an asciicast recording with its own data",
    );
    // A data log without the header line scriptreplay skips: its only line went as the header.
    std::fs::write(d.join("t.tm"), "0.100000 11\n").expect("write");
    std::fs::write(d.join("raw.log"), "hello world\n").expect("write");
    assert_fails(
        d,
        &["t.tm", "raw.log"],
        "ptyx: t.tm:1: the data log raw.log ends 11 bytes short of the 11 this entry needs; its first line (12 bytes), \
         skipped as the typescript header, is no header ('Script started on ...'): is it a data log written by script?",
    );
}

/// Runs `ptyx replay FILE` on a pty of its own; reads until `marker` shows.
fn replay_on_a_pty(cast: &Path, marker: &str) -> ptyx::Child {
    let child = ptyx::Command::new(env!("CARGO_BIN_EXE_ptyx"))
        .arg("replay")
        .arg(cast)
        .spawn()
        .expect("start ptyx replay on a pty");
    let mut seen = Vec::new();
    let mut buf = [0u8; 256];
    while !String::from_utf8_lossy(&seen).contains(marker) {
        let n = child.master().read(&mut buf).expect("read");
        assert!(n > 0, "replay ended before {marker:?}: {}", show(&seen));
        seen.extend_from_slice(&buf[..n]);
    }
    child
}

#[test]
fn on_a_terminal_the_replay_runs_raw_with_ctrl_c_and_restores_the_mode() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (_m, fresh) = ptyx::openpty().expect("pty");
    let default_mode = format!("{:?}", fresh.termios().expect("termios"));
    // Paused for long before "done": the terminal is raw, but Ctrl-C still interrupts.
    let cast = dir.path().join("pause.cast");
    std::fs::write(
        &cast,
        "{\"version\":3,\"term\":{\"cols\":80,\"rows\":24}}\n[0.0, \"o\", \"READY\"]\n[60, \"o\", \"done\"]\n",
    )
    .expect("write");
    let mut child = replay_on_a_pty(&cast, "READY");
    let during = child.master().termios().expect("termios");
    assert!(!during.local_modes.contains(rustix::termios::LocalModes::ICANON), "raw during the replay");
    assert!(during.local_modes.contains(rustix::termios::LocalModes::ISIG), "ISIG kept");
    child.master().write_all(b"\x03").expect("write ^C");
    let status = child.wait().expect("wait");
    assert_eq!(std::os::unix::process::ExitStatusExt::signal(&status), Some(libc::SIGINT), "{status:?}");
    // A replay that ends puts the mode back.
    let cast = dir.path().join("short.cast");
    std::fs::write(&cast, "{\"version\":3,\"term\":{\"cols\":80,\"rows\":24}}\n[0.0, \"o\", \"READY\"]\n")
        .expect("write");
    let mut child = replay_on_a_pty(&cast, "READY");
    assert!(child.wait().expect("wait").success());
    assert_eq!(format!("{:?}", child.master().termios().expect("termios")), default_mode);
}
