//! `ptyx script` reads its command line as util-linux `script` 2.38 does (getopt_long): every
//! spelling here is run through both, and they must write the same files in the same formats.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::{Command, Output, Stdio};

/// What a file (or stderr) holds, as far as telling the two tools apart goes.
fn kind(bytes: &[u8]) -> String {
    let text = String::from_utf8_lossy(bytes);
    if text.starts_with("Script started on ") {
        return "typescript".into();
    }
    if text.is_empty() {
        return "empty".into();
    }
    let classic = |l: &str| {
        let mut f = l.split(' ');
        matches!((f.next(), f.next(), f.next()), (Some(d), Some(n), None)
            if d.split_once('.').is_some_and(|(s, us)| !s.is_empty() && us.len() == 6)
                && n.bytes().all(|b| b.is_ascii_digit()))
    };
    if text.lines().all(classic) {
        return "classic timing".into();
    }
    let mut types: Vec<char> = text.lines().filter_map(|l| l.chars().next()).collect();
    types.sort_unstable();
    types.dedup();
    if types.iter().all(|t| "HOIS".contains(*t)) {
        return format!("advanced timing {}", types.iter().collect::<String>());
    }
    format!("other: {text:?}")
}

/// Runs `program args` in a fresh directory; returns the outcome and what each file holds.
fn outcome(program: &[&str], args: &[&str]) -> (Output, BTreeMap<String, String>) {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = Command::new(program[0])
        .args(&program[1..])
        .args(args)
        .current_dir(dir.path())
        .env("SHELL", "/bin/sh")
        .env_remove("TERM")
        .stdin(Stdio::null())
        .output()
        .unwrap_or_else(|e| panic!("{}: {e} (util-linux 2.38 script is the reference)", program[0]));
    let files = std::fs::read_dir(dir.path())
        .expect("read dir")
        .map(|e| {
            let e = e.expect("entry");
            let bytes = std::fs::read(e.path()).expect("read");
            (e.file_name().to_string_lossy().into_owned(), kind(&bytes))
        })
        .collect();
    (out, files)
}

fn summary(args: &[&str], program: &[&str]) -> String {
    let (out, files) = outcome(program, args);
    let stderr = if out.status.success() { kind(&out.stderr) } else { "(failed)".into() };
    format!("success={} files={files:?} stderr={stderr}", out.status.success())
}

#[track_caller]
fn same_as_util_linux(args: &[&str]) {
    let ours = summary(args, &[env!("CARGO_BIN_EXE_ptyx"), "script"]);
    let theirs = summary(args, &["script"]);
    assert_eq!(ours, theirs, "script {args:?}");
}

#[test]
fn spellings_getopt_accepts() {
    let cases: &[&[&str]] = &[
        // Clustered flags, and a clustered option that takes the rest of the word as its value.
        &["-qtT2.tm", "-c", "echo hi", "out2"],
        &["-qt", "-c", "echo hi", "out"],
        &["-qtFILE", "-c", "echo hi", "out"],
        &["-q", "-tFILE", "-c", "echo hi"],
        &["-qeT", "tm", "-c", "echo hi", "out"],
        &["-qmadvanced", "-T", "tm", "-c", "echo hi", "out"],
        &["-qm", "advanced", "-T", "tm", "-c", "echo hi", "out"],
        &["-qaf", "-c", "echo hi", "out"],
        &["-qc", "echo hi", "out"],
        // An optional value only when glued: `-t FILE` is timing on stderr and FILE the log.
        &["-q", "-t", "FILE", "-c", "echo hi"],
        &["-q", "--timing", "FILE", "-c", "echo hi"],
        &["-q", "--timing=F", "-c", "echo hi", "out"],
        &["-q", "-t=F", "-c", "echo hi", "out"],
        &["-q", "--log-timing=F", "-c", "echo hi", "out"],
        // Long options by unambiguous prefixes, operands anywhere.
        &["--qui", "--log-t", "tm", "--comm", "echo hi", "out"],
        &["out", "-q", "-c", "echo hi"],
        // Values that look like options are values.
        &["-q", "-O", "-dash.log", "-c", "echo hi"],
        &["-q", "--log-in", "--log-in", "--log-out", "OUT", "-c", "echo hi"],
        &["-q", "-I", "--", "-O", "OUT", "-c", "echo hi"],
        &["-q", "--log-in", "--", "--log-out", "OUT", "-c", "echo hi"],
        &["-q", "-T", "-tm", "-c", "echo hi", "out"],
        &["-q", "-c", "-true", "out"],
        &["-qBc", "-c", "echo hi"],
        // `--` ends the options. (What follows it differs on purpose: util-linux 2.38 takes FILE
        // there, ptyx PROGRAM as util-linux 2.40 does; nothing follows here.)
        &["-q", "-c", "echo hi", "--"],
        // Input only: the timing file has only input entries (there is no output log).
        &["-q", "-I", "in", "-T", "tm", "-c", "echo hi"],
        &["-q", "-O", "o", "-I", "i", "-T", "tm", "-c", "echo hi"],
        &["-q", "-B", "io", "-t", "-c", "echo hi"],
    ];
    for args in cases {
        same_as_util_linux(args);
    }
}

#[test]
fn spellings_getopt_refuses_start_nothing() {
    let cases: &[&[&str]] = &[
        &["-q", "-c"],
        &["-qz", "-c", "true", "out"],
        &["-q", "-t", "-T", "tm", "-c", "true", "out"],
        &["-q", "--log", "x", "-c", "true", "out"],
        &["-q", "--quiet=yes", "-c", "true", "out"],
        &["-q", "-m", "classic", "-B", "io", "-T", "tm", "-c", "true"],
    ];
    for args in cases {
        same_as_util_linux(args);
    }
    let out = Command::new(env!("CARGO_BIN_EXE_ptyx")).args(["script", "-q", "--log", "x"]).output().expect("run");
    assert!(String::from_utf8_lossy(&out.stderr).contains("--log"), "{out:?}");
}

#[test]
fn version_like_util_linux() {
    for flag in ["-V", "--version"] {
        let out = Command::new(env!("CARGO_BIN_EXE_ptyx")).args(["script", flag]).output().expect("run");
        assert!(out.status.success(), "{flag}: {out:?}");
        assert!(String::from_utf8_lossy(&out.stdout).contains(env!("CARGO_PKG_VERSION")), "{flag}: {out:?}");
    }
    assert!(Path::new(env!("CARGO_BIN_EXE_ptyx")).exists());
}
