//! Tests of the asciicast writer and reader against files asciinema 2.4 and 3.2 wrote, and against
//! independent readers (asciinema 2.4 itself, and a small Python checker).

use super::*;
use proptest::prelude::*;
use std::process::{Command, Stdio};

fn fixture(name: &str) -> Vec<u8> {
    let path = format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

fn us(n: u64) -> Duration {
    Duration::from_micros(n)
}

fn read(bytes: &[u8]) -> Result<(Header, Vec<Event>), ReadError> {
    let r = CastReader::new(bytes)?;
    let header = r.header().clone();
    Ok((header, r.collect::<Result<_, _>>()?))
}

/// Writes `events` again with our writer, as a recorder would have given them.
fn rewrite(version: Version, header: &Header, events: &[Event]) -> Vec<u8> {
    let mut w = CastWriter::new(Vec::new(), version, header).expect("header");
    for e in events {
        match e.code {
            Code::Output => w.output(e.time, e.data.as_bytes()),
            Code::Input => w.input(e.time, e.data.as_bytes()),
            Code::Resize => {
                let (c, r) = parse_size(&e.data).expect("size");
                w.resize(e.time, Winsize::new(r, c))
            }
            Code::Marker => w.marker(e.time, &e.data),
            Code::Exit => w.exit(e.time, e.data.parse().expect("status")),
            Code::Other(_) => panic!("unexpected event {e:?}"),
        }
        .expect("write");
    }
    w.finish().expect("finish")
}

#[test]
fn asciinema_files_are_rewritten_byte_for_byte() {
    for (name, version) in [
        ("asciinema2-full.cast", Version::V2),
        ("asciinema2-notty.cast", Version::V2),
        ("asciinema2-tty.cast", Version::V2),
        ("asciinema2-utf8.cast", Version::V2),
        ("asciinema3-full.cast", Version::V3),
        ("asciinema3-notty.cast", Version::V3),
        ("asciinema3-utf8.cast", Version::V3),
        ("asciinema3-killed.cast", Version::V3),
        ("asciinema3-append.cast", Version::V3),
    ] {
        let original = fixture(name);
        let (header, events) = read(&original).unwrap_or_else(|e| panic!("{name}: {e}"));
        let again = rewrite(version, &header, &events);
        assert_eq!(String::from_utf8_lossy(&again), String::from_utf8_lossy(&original), "{name}");
    }
}

#[test]
fn appending_starts_with_a_resize_as_asciinema_3_writes() {
    // asciinema3-append.cast: `asciinema rec --append` of a second session onto a v3 file;
    // asciinema2-append-then-3.cast: asciinema 3 appending to a v2 file asciinema 2 wrote. Each with
    // where the first part ends, and the appended session's output and exit times.
    let cases = [
        ("asciinema3-append.cast", Version::V3, &b"[0.000, \"r\""[..], ms(2), "two", ms(1), ms(1)),
        ("asciinema2-append-then-3.cast", Version::V2, b"[0.007183, \"r\"", us(7183), "three", us(937), us(997)),
    ];
    for (name, version, join, after, text, out_at, exit_at) in cases {
        let original = fixture(name);
        let split = find(&original, join).expect("the join");
        let (before, appended) = original.split_at(split);
        let mut w = CastWriter::resume(before.to_vec(), version, after, Winsize::new(24, 80)).expect("resume");
        w.output(out_at, text.as_bytes()).expect("write");
        w.exit(exit_at, 0).expect("write");
        let again = w.finish().expect("finish");
        assert_eq!(String::from_utf8_lossy(&again[split..]), String::from_utf8_lossy(appended), "{name}");
    }
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

#[test]
fn utf8_split_and_invalid_bytes_like_asciinema() {
    // `printf 'a\377b\342\202'; sleep 0.1; printf '\254 end'`, timed as in the fixtures.
    let header = Header { cols: 80, rows: 24, timestamp: Some(1795965201), ..Header::default() };
    let h2 =
        Header { term_type: Some("xterm".into()), env: vec![("SHELL".into(), "/bin/bash".into())], ..header.clone() };
    let mut w = CastWriter::new(Vec::new(), Version::V2, &h2).expect("write");
    w.output(us(3375), b"a\xffb\xe2\x82").expect("write");
    w.output(us(104500), b"\xac end").expect("write");
    assert_eq!(w.finish().expect("finish"), fixture("asciinema2-utf8.cast"));

    let h3 = Header {
        command: Some(r#"printf "a\377b\342\202"; sleep 0.1; printf "\254 end""#.into()),
        env: vec![("SHELL".into(), "/bin/bash".into())],
        ..header
    };
    let mut w = CastWriter::new(Vec::new(), Version::V3, &h3).expect("write");
    w.output(us(1200), b"a\xffb\xe2\x82").expect("write");
    w.output(us(101_900), b"\xac end").expect("write");
    w.exit(us(102_100), 0).expect("write");
    assert_eq!(w.finish().expect("finish"), fixture("asciinema3-utf8.cast"));
}

#[test]
fn streams_decode_separately_and_flush_at_the_end() {
    let h = Header { cols: 1, rows: 1, ..Header::default() };
    let mut w = CastWriter::new(Vec::new(), Version::V3, &h).expect("write");
    w.output(ms(1), b"\xe2\x82").expect("nothing decodable yet: no event");
    w.input(ms(2), b"\xc3").expect("write");
    w.resize(ms(3), Winsize::new(30, 100)).expect("write");
    w.output(ms(4), b"\xac\xe2").expect("write");
    w.input(ms(5), b"\xa9").expect("write");
    w.marker(ms(6), "").expect("write");
    w.exit(ms(7), 130).expect("write");
    let text = String::from_utf8(w.finish().expect("finish")).expect("utf8");
    let lines: Vec<&str> = text.lines().skip(1).collect();
    assert_eq!(
        lines,
        [
            r#"[0.003, "r", "100x30"]"#,
            r#"[0.001, "o", "€"]"#,
            r#"[0.001, "i", "é"]"#,
            r#"[0.001, "m", ""]"#,
            "[0.001, \"o\", \"\u{FFFD}\"]",
            r#"[0.000, "x", "130"]"#,
        ]
    );
    assert_eq!(text.lines().next(), Some(r#"{"version":3,"term":{"cols":1,"rows":1}}"#));

    // v2 ends with an exit event too (as asciinema 3 writes v2), so the recording lasts until the end
    // of the session and not only until its last output.
    let mut w = CastWriter::new(Vec::new(), Version::V2, &h).expect("write");
    w.output(ms(1500), b"ok\xf0\x9f").expect("write");
    w.exit(ms(2000), 1).expect("write");
    let text = String::from_utf8(w.finish().expect("finish")).expect("utf8");
    assert_eq!(
        text,
        "{\"version\": 2, \"width\": 1, \"height\": 1}\n[1.5, \"o\", \"ok\"]\n[2.0, \"o\", \"\u{FFFD}\"]\n\
         [2.0, \"x\", \"1\"]\n"
    );
    // Without an exit event, `finish` still flushes, at the last time seen.
    let mut w = CastWriter::new(Vec::new(), Version::V2, &h).expect("write");
    w.output(ms(1500), b"ok\xf0\x9f").expect("write");
    let text = String::from_utf8(w.finish().expect("finish")).expect("utf8");
    assert_eq!(
        text,
        "{\"version\": 2, \"width\": 1, \"height\": 1}\n[1.5, \"o\", \"ok\"]\n[1.5, \"o\", \"\u{FFFD}\"]\n"
    );
}

#[test]
fn control_characters_are_escaped_as_json() {
    let h = Header { cols: 2, rows: 3, title: Some("t\"\\\u{7}".into()), ..Header::default() };
    let mut w = CastWriter::new(Vec::new(), Version::V2, &h).expect("write");
    w.output(us(1), b"\x00\x08\t\n\x0c\r\x1b[1m\x7f\"\\/\xe2\x80\xa8").expect("write");
    let text = String::from_utf8(w.finish().expect("finish")).expect("utf8");
    // What Python's json.dumps(ensure_ascii=False) gives for the same text.
    assert_eq!(
        text,
        "{\"version\": 2, \"width\": 2, \"height\": 3, \"title\": \"t\\\"\\\\\\u0007\"}\n\
         [0.000001, \"o\", \"\\u0000\\b\\t\\n\\f\\r\\u001b[1m\u{7f}\\\"\\\\/\u{2028}\"]\n"
    );
}

#[test]
fn many_tiny_intervals_do_not_drift() {
    let h = Header { cols: 80, rows: 24, ..Header::default() };
    for version in [Version::V2, Version::V3] {
        let mut w = CastWriter::new(Vec::new(), version, &h).expect("write");
        let step = Duration::from_nanos(333_333);
        let mut last = Duration::ZERO;
        for k in 1..=10_000u32 {
            last = step * k;
            w.output(last, b".").expect("write");
        }
        let bytes = w.finish().expect("finish");
        let (_, events) = read(&bytes).expect("read back");
        assert_eq!(events.len(), 10_000);
        let end = events.last().expect("events").time;
        match version {
            // The sum of 10 000 three-decimal intervals is the last time rounded to the millisecond.
            Version::V3 => assert_eq!(end, ms(v3::quantise(last) as u64)),
            Version::V2 => assert_eq!(end, us(v2::quantise(last) as u64)),
        }
        // Summing the written text in decimal (not the reader's float sum) gives the same.
        if version == Version::V3 {
            let text = String::from_utf8(bytes).expect("utf8");
            let total_ms: u64 = text
                .lines()
                .skip(1)
                .map(|l| l[1..l.find(',').expect("comma")].replace('.', "").parse::<u64>().expect("ms"))
                .sum();
            assert_eq!(total_ms, v3::quantise(last) as u64);
        }
    }
}

#[test]
fn reads_every_asciinema_file() {
    let (h, events) = read(&fixture("asciinema2-full.cast")).expect("read");
    assert_eq!((h.cols, h.rows, h.idle_time_limit, h.term_type.as_deref()), (120, 40, Some(2.5), Some("xterm")));
    assert_eq!(h.title.as_deref(), Some("Demo \u{2713}"));
    assert_eq!(events[3], Event { line: 5, time: us(381013), code: Code::Resize, data: "90x25".into() });

    let (h, events) = read(&fixture("asciinema3-full.cast")).expect("read");
    assert_eq!((h.cols, h.rows, h.timestamp), (120, 40, Some(1795965192)));
    assert_eq!(h.env, [("SHELL".to_owned(), "/bin/bash".to_owned())]);
    let times: Vec<Duration> = events.iter().map(|e| e.time).collect();
    assert_eq!(times, [ms(997), ms(997), ms(1496), ms(2000), ms(2000)]);
    assert_eq!(events[4].code, Code::Exit);

    let (h, events) = read(&fixture("asciinema3-as-v2.cast")).expect("read");
    assert_eq!((h.cols, h.command.is_some()), (80, true));
    assert_eq!(events[2].code, Code::Exit);
    let (_, events) = read(&fixture("asciinema2-append-then-3.cast")).expect("read");
    assert_eq!(events.len(), 5);
}

#[test]
fn v3_comments_blank_lines_and_unknown_codes() {
    let text = "{\"version\":3,\"term\":{\"cols\":8,\"rows\":2}}\n# a comment\n\n[0.5, \"o\", \"a\"]\n  \n[0.25, \"zz\", \"?\"]\n[1, \"o\", \"b\"]\n";
    let (_, events) = read(text.as_bytes()).expect("read");
    let got: Vec<(usize, Duration, Code)> = events.into_iter().map(|e| (e.line, e.time, e.code)).collect();
    assert_eq!(got, [(4, ms(500), Code::Output), (6, ms(750), Code::Other("zz".into())), (7, ms(1750), Code::Output)]);
}

#[test]
fn v2_stops_at_a_blank_line() {
    let text =
        "{\"version\": 2, \"width\": 8, \"height\": 2}\n[0.5, \"o\", \"a\"]\n\n[0.6, \"o\", \"never\"]\nnot json\n";
    let (_, events) = read(text.as_bytes()).expect("read");
    assert_eq!(events.len(), 1);
}

fn error_of(bytes: &[u8]) -> (usize, String) {
    match read(bytes) {
        Err(ReadError::Parse { line, message }) => (line, message),
        other => panic!("expected a parse error for {:?}, got {other:?}", String::from_utf8_lossy(bytes)),
    }
}

#[test]
fn corrupt_files_are_errors_naming_the_line() {
    let v2 = "{\"version\": 2, \"width\": 80, \"height\": 24}\n";
    let v3 = "{\"version\":3,\"term\":{\"cols\":80,\"rows\":24}}\n";
    let cases: Vec<(String, usize, &str)> = vec![
        (String::new(), 1, "empty file"),
        ("{\"version\": 2, \"width\": 80\n".into(), 1, "invalid asciicast header"),
        ("{\"version\": 1, \"width\": 80, \"height\": 24}\n".into(), 1, "version 1 is not supported"),
        ("{\"width\": 80}\n".into(), 1, "no \"version\""),
        ("{\"version\": 2, \"height\": 24}\n".into(), 1, "no \"width\""),
        ("{\"version\": 2, \"width\": -1, \"height\": 24}\n".into(), 1, "not a terminal size"),
        ("{\"version\":3,\"cols\":80}\n".into(), 1, "no \"term\""),
        ("{\"version\":3,\"term\":{\"cols\":80,\"rows\":24},\"title\":5}\n".into(), 1, "\"title\" is not a string"),
        (format!("{v2}[0.1, \"o\", \"a\"]\n[0.2, \"o\""), 3, "truncated event"),
        (format!("{v3}[0.1, \"o\", \"a\"]\n[0.2, \"o\", \"b\"\n"), 3, "invalid JSON"),
        (format!("{v3}{{\"o\": 1}}\n"), 2, "must be a JSON array"),
        (format!("{v3}[0.1, \"o\"]\n"), 2, "3 elements"),
        (format!("{v3}[\"0.1\", \"o\", \"a\"]\n"), 2, "time is not a number"),
        (format!("{v3}[0.1, 111, \"a\"]\n"), 2, "code is not a string"),
        (format!("{v3}[0.1, \"o\", 5]\n"), 2, "data is not a string"),
        (format!("{v3}[-0.1, \"o\", \"a\"]\n"), 2, "out of range"),
        (format!("{v2}[1e300, \"o\", \"a\"]\n"), 2, "out of range"),
        (format!("{v3}# ok\n\n[0.1, \"o\", \"a\"] x\n"), 4, "invalid JSON"),
    ];
    for (text, line, what) in cases {
        let (l, m) = error_of(text.as_bytes());
        assert_eq!(l, line, "{text:?}: {m}");
        assert!(m.contains(what), "{text:?}: {m}");
    }
}

/// A recording with everything a writer must get right, and the output text it holds.
fn sample(version: Version) -> (Vec<u8>, String) {
    let header = Header {
        cols: 100,
        rows: 30,
        term_type: Some("xterm-256color".into()),
        timestamp: Some(1_700_000_000),
        idle_time_limit: Some(1.5),
        command: Some("printf '\"q\"\\n'".into()),
        title: Some("t\u{e9}st \u{1F600}".into()),
        env: vec![("SHELL".into(), "/bin/zsh".into())],
    };
    let chunks: [&[u8]; 7] = [
        b"plain ",
        b"\x1b[31mred\x1b[0m\r\n",
        b"split \xe2\x82",
        b"\xac \xf0\x9f",
        b"\x98\x80\r\n",
        b"bad \xff\xfe\x00\x07\"\\ ",
        b"end\xe2",
    ];
    let mut w = CastWriter::new(Vec::new(), version, &header).expect("write");
    let mut all = Vec::new();
    for (i, chunk) in chunks.iter().enumerate() {
        w.output(Duration::from_nanos(1_234_567 * (i as u64 + 1) * 37), chunk).expect("write");
        all.extend_from_slice(chunk);
        if i == 2 {
            w.input(ms(140), b"ls\r").expect("write");
            w.resize(ms(141), Winsize::new(25, 90)).expect("write");
        }
    }
    w.exit(ms(400), 3).expect("write");
    (w.finish().expect("finish"), String::from_utf8_lossy(&all).into_owned())
}

const ASCIINEMA_HELP: &str = "asciinema 2.4 is needed as an independent asciicast reader: \
     install it with `python3 -m pip install asciinema==2.4.0`";

#[test]
fn asciinema_2_reads_what_we_write() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (bytes, text) = sample(Version::V2);
    let path = dir.path().join("sample.cast");
    std::fs::write(&path, &bytes).expect("write");
    let out = Command::new("python3")
        .args(["-m", "asciinema", "cat"])
        .arg(&path)
        .stdin(Stdio::null())
        .output()
        .unwrap_or_else(|e| panic!("python3: {e}; {ASCIINEMA_HELP}"));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("No module named asciinema"), "{ASCIINEMA_HELP}");
    assert!(out.status.success(), "asciinema cat: {stderr}");
    assert_eq!(String::from_utf8_lossy(&out.stdout), text);
}

/// An asciicast reader written from the specs alone, in Python, to check our files with something that
/// shares no code with them: it prints each event as `absolute-time-in-ms code data`, JSON-encoded.
const PY_CHECKER: &str = r#"
import json, sys
lines = open(sys.argv[1], encoding="utf-8").read().split("\n")
assert lines[-1] == "", "file must end with a newline"
header = json.loads(lines[0])
v = header["version"]
if v == 2:
    assert isinstance(header["width"], int) and isinstance(header["height"], int)
    size = [header["width"], header["height"], header["env"].get("TERM")]
else:
    assert v == 3
    size = [header["term"]["cols"], header["term"]["rows"], header["term"].get("type")]
out = {"size": size, "title": header.get("title"), "command": header.get("command"),
       "idle": header.get("idle_time_limit"), "timestamp": header.get("timestamp"), "events": []}
t = 0.0
prev = 0.0
for line in lines[1:-1]:
    time, code, data = json.loads(line)
    assert isinstance(code, str) and isinstance(data, str)
    t = time if v == 2 else t + time
    assert t >= prev
    prev = t
    out["events"].append([round(t * 1000), code, data])
print(json.dumps(out))
"#;

#[test]
fn independent_python_reader_reads_what_we_write() {
    let dir = tempfile::tempdir().expect("tempdir");
    let checker = dir.path().join("check.py");
    std::fs::write(&checker, PY_CHECKER).expect("write");
    for version in [Version::V2, Version::V3] {
        let (bytes, text) = sample(version);
        let path = dir.path().join("sample.cast");
        std::fs::write(&path, &bytes).expect("write");
        let out = Command::new("python3").arg(&checker).arg(&path).output().expect("python3 must be installed");
        assert!(out.status.success(), "{version:?}: {}", String::from_utf8_lossy(&out.stderr));
        let got: serde_json::Value = serde_json::from_slice(&out.stdout).expect("checker output");
        assert_eq!(got["size"], serde_json::json!([100, 30, "xterm-256color"]), "{version:?}");
        assert_eq!(got["title"], "t\u{e9}st \u{1F600}");
        assert_eq!(got["command"], "printf '\"q\"\\n'");
        assert_eq!(got["idle"], 1.5);
        assert_eq!(got["timestamp"], 1_700_000_000);
        let events = got["events"].as_array().expect("events");
        let output: String = events.iter().filter(|e| e[1] == "o").map(|e| e[2].as_str().expect("data")).collect();
        assert_eq!(output, text, "{version:?}");
        let others: Vec<&serde_json::Value> = events.iter().filter(|e| e[1] != "o").collect();
        // Both versions end with the exit event (v2 as asciinema 3 writes it).
        let expected = [
            serde_json::json!([140, "i", "ls\r"]),
            serde_json::json!([141, "r", "90x25"]),
            serde_json::json!([400, "x", "3"]),
        ];
        assert_eq!(others, expected.iter().collect::<Vec<_>>(), "{version:?}");
        // The last output event is the flushed U+FFFD of the cut-off "\xe2", at the exit time.
        let last_out = events.iter().rev().find(|e| e[1] == "o").expect("output");
        assert_eq!(last_out, &serde_json::json!([400, "o", "\u{FFFD}"]));
    }
}

proptest! {
    #[test]
    fn arbitrary_input_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..300)) {
        if let Ok(r) = CastReader::new(&bytes[..]) {
            for item in r {
                let _ = item;
            }
        }
    }

    #[test]
    fn arbitrary_event_lines_never_panic(
        version in prop_oneof![Just("{\"version\": 2, \"width\": 8, \"height\": 2}"), Just("{\"version\":3,\"term\":{\"cols\":8,\"rows\":2}}")],
        lines in proptest::collection::vec("[\\[\\]{}0-9.,:\" eoirmx#\\\\-]{0,24}", 0..8))
    {
        let text = format!("{version}\n{}\n", lines.join("\n"));
        if let Ok(r) = CastReader::new(text.as_bytes()) {
            for item in r {
                let _ = item;
            }
        }
    }

    #[test]
    fn write_then_read_round_trips(
        v3 in any::<bool>(),
        cols in 1u16.., rows in 1u16..,
        title in proptest::option::of(".{0,12}"),
        events in proptest::collection::vec((0u8..4, 0u64..5_000_000_000, proptest::collection::vec(any::<u8>(), 0..12)), 0..30))
    {
        let version = if v3 { Version::V3 } else { Version::V2 };
        let header = Header { cols, rows, title, env: vec![("SHELL".into(), "/bin/sh".into())], ..Header::default() };
        let mut w = CastWriter::new(Vec::new(), version, &header).expect("write");
        let (mut out, mut inp) = (Vec::new(), Vec::new());
        let mut resizes = Vec::new();
        let mut t = Duration::ZERO;
        for (what, step, bytes) in &events {
            t += Duration::from_nanos(*step);
            match what {
                0 => { w.output(t, bytes).expect("write"); out.extend_from_slice(bytes) }
                1 => { w.input(t, bytes).expect("write"); inp.extend_from_slice(bytes) }
                2 => { w.resize(t, Winsize::new(rows, cols)).expect("write"); resizes.push(format!("{cols}x{rows}")) }
                _ => w.marker(t, &String::from_utf8_lossy(bytes)).expect("write"),
            }
        }
        let bytes = w.finish().expect("finish");
        let (h, read_back) = read(&bytes).expect("read back");
        prop_assert_eq!(h, header);
        let text = |code: Code| read_back.iter().filter(|e| e.code == code).map(|e| e.data.as_str()).collect::<String>();
        prop_assert_eq!(text(Code::Output), String::from_utf8_lossy(&out));
        prop_assert_eq!(text(Code::Input), String::from_utf8_lossy(&inp));
        let got_resizes: Vec<&str> = read_back.iter().filter(|e| e.code == Code::Resize).map(|e| e.data.as_str()).collect();
        prop_assert_eq!(got_resizes, resizes.iter().map(String::as_str).collect::<Vec<_>>());
        // Times never go back, nor past the last time given (give or take the rounding).
        prop_assert!(read_back.windows(2).all(|p| p[0].time <= p[1].time));
        if let Some(last) = read_back.last() {
            let unit = if v3 { Duration::from_millis(1) } else { Duration::from_micros(1) };
            prop_assert!(last.time <= t + unit);
        }
    }
}
