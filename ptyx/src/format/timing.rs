//! util-linux timing files, classic and advanced: a writer and a reader.
//!
//! Formats of util-linux `script` 2.38 (see [script(1)](https://man7.org/linux/man-pages/man1/script.1.html)
//! `--logging-format` and [scriptreplay(1)](https://man7.org/linux/man-pages/man1/scriptreplay.1.html)):
//!
//! ```text
//! classic (output only):          advanced:
//! 0.010127 3                      H 0.000000 START_TIME 2026-11-29 14:46:51+00:00
//! 0.292221 3                      O 0.001294 5
//!                                 S 0.496151 SIGWINCH ROWS=25 COLS=90
//!                                 I 0.298152 6
//!                                 H 0.000000 DURATION 1.015979
//! ```
//!
//! Each delay is the time since the previous O, I or S line (H lines are information, written with delay
//! zero, and do not move the clock); the byte counts say how much of the data log each entry covers.
//! `scriptreplay` tells the two formats apart by the first byte (a digit means classic), and it reads the
//! fraction as an integer number of microseconds (`0.9` is 9 µs), which is why delays are always written
//! with six digits.

use super::ReadError;
use crate::Winsize;
use std::io::{self, BufRead, Read, Write};
use std::time::Duration;

/// Which of the two timing formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// `<delay> <bytes>` lines, output only (script's default when only output is logged).
    Classic,
    /// Typed lines (`O`, `I`, `S`, `H`): input, output, signals and information in one file.
    Advanced,
}

/// Writes `<sec>.<usec>` with six digits, the form both `script` and `scriptreplay` use.
fn micros_text(us: u128) -> String {
    format!("{}.{:06}", us / 1_000_000, us % 1_000_000)
}

/// `t` as a timing file writes delays and the `DURATION` information: `<sec>.<usec>`, six digits
/// (`1.015979`), truncated to the microsecond as util-linux does.
pub fn seconds_text(t: Duration) -> String {
    micros_text(t.as_micros())
}

/// Writes a timing file from session events.
///
/// Times are absolute (since the session started), so the writer can quantise each one to microseconds and
/// write the difference of quantised times: the delays then add up exactly to the last quantised time, with
/// no rounding error piling up over a long session.
#[derive(Debug)]
pub struct TimingWriter<W: Write> {
    w: W,
    format: Format,
    /// Quantised time of the last O, I or S line.
    prev_us: u128,
}

impl<W: Write> TimingWriter<W> {
    /// A writer of `format` onto `w` (which the caller buffers), with the clock at the session start.
    pub fn new(w: W, format: Format) -> Self {
        TimingWriter { w, format, prev_us: 0 }
    }

    /// The format being written.
    pub fn format(&self) -> Format {
        self.format
    }

    /// The delay since the previous clocked line, and moves the clock to `t`. A time earlier than the
    /// previous one (a clock that went backwards) counts as no delay rather than a negative one.
    fn tick(&mut self, t: Duration) -> String {
        let now = t.as_micros();
        let delay = now.saturating_sub(self.prev_us);
        self.prev_us = self.prev_us.max(now);
        micros_text(delay)
    }

    /// Records `n` bytes of output written to the data log at time `t`. Empty chunks are not recorded:
    /// `scriptreplay` has nothing to play for them.
    ///
    /// # Errors
    ///
    /// The underlying writer's error.
    pub fn output(&mut self, t: Duration, n: usize) -> io::Result<()> {
        if n == 0 {
            return Ok(());
        }
        let delay = self.tick(t);
        match self.format {
            Format::Classic => writeln!(self.w, "{delay} {n}"),
            Format::Advanced => writeln!(self.w, "O {delay} {n}"),
        }
    }

    /// Records `n` bytes of input at time `t`. A classic file has no place for input: ignored there (as
    /// `script` refuses to log input with classic timing).
    ///
    /// # Errors
    ///
    /// The underlying writer's error.
    pub fn input(&mut self, t: Duration, n: usize) -> io::Result<()> {
        if n == 0 || self.format == Format::Classic {
            return Ok(());
        }
        let delay = self.tick(t);
        writeln!(self.w, "I {delay} {n}")
    }

    /// Records a window size change (`S ... SIGWINCH ROWS=r COLS=c`). Ignored in a classic file.
    ///
    /// # Errors
    ///
    /// The underlying writer's error.
    pub fn resize(&mut self, t: Duration, size: Winsize) -> io::Result<()> {
        if self.format == Format::Classic {
            return Ok(());
        }
        let delay = self.tick(t);
        writeln!(self.w, "S {delay} SIGWINCH ROWS={} COLS={}", size.rows, size.cols)
    }

    /// Records a signal that ended the session, by its name with the `SIG` prefix (`SIGTERM`, `SIGINT`,
    /// `SIGQUIT`, as util-linux logs). Ignored in a classic file.
    ///
    /// # Errors
    ///
    /// The underlying writer's error.
    pub fn signal(&mut self, t: Duration, name: &str) -> io::Result<()> {
        if self.format == Format::Classic {
            return Ok(());
        }
        let delay = self.tick(t);
        writeln!(self.w, "S {delay} {name}")
    }

    /// Writes an information line `H 0.000000 NAME value`; it does not move the clock. util-linux writes, at
    /// the start: `START_TIME` (`%Y-%m-%d %H:%M:%S%:z`), `TERM`, `TTY`, `COLUMNS`, `LINES`
    /// (these four only with a terminal on stdin), `SHELL`, `COMMAND` (only with a command, newlines as spaces), `TIMING_LOG`, `OUTPUT_LOG` and/or `INPUT_LOG`; at the end
    /// [`Self::duration`] and `EXIT_CODE`. Ignored in a classic file. Newlines in `value` would end the line,
    /// so they are written as spaces.
    ///
    /// # Errors
    ///
    /// The underlying writer's error.
    pub fn info(&mut self, name: &str, value: &str) -> io::Result<()> {
        if self.format == Format::Classic {
            return Ok(());
        }
        if value.is_empty() {
            writeln!(self.w, "H 0.000000 {name}")
        } else {
            writeln!(self.w, "H 0.000000 {name} {}", value.replace('\n', " "))
        }
    }

    /// Writes the `DURATION` information line for a session that lasted `t` (in the same six-digit seconds
    /// as the delays).
    ///
    /// # Errors
    ///
    /// The underlying writer's error.
    pub fn duration(&mut self, t: Duration) -> io::Result<()> {
        self.info("DURATION", &seconds_text(t))
    }

    /// Flushes the underlying writer.
    ///
    /// # Errors
    ///
    /// The underlying writer's error.
    pub fn flush(&mut self) -> io::Result<()> {
        self.w.flush()
    }

    /// Gives back the underlying writer, unflushed.
    pub fn into_inner(self) -> W {
        self.w
    }
}

/// What one timing line says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Kind {
    /// So many bytes of output in the data log.
    Output(u64),
    /// So many bytes of input in the data log.
    Input(u64),
    /// A signal: `name` like `SIGWINCH`, `value` the rest of the line (`ROWS=25 COLS=90`, or empty).
    Signal {
        /// The signal's name, with `SIG`.
        name: String,
        /// What follows the name, without the separating space.
        value: String,
    },
    /// Information about the session, like `START_TIME`.
    Info {
        /// The item's name.
        name: String,
        /// What follows the name, without the separating space.
        value: String,
    },
}

/// One line of a timing file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// 1-based line number, for messages.
    pub line: usize,
    /// Time since the previous entry.
    pub delay: Duration,
    /// What happened.
    pub kind: Kind,
}

/// Longest line accepted: far beyond anything `script` writes, short enough that a corrupt file cannot
/// make the reader hold gigabytes.
const MAX_LINE: u64 = 1 << 20;

/// Reads a timing file entry by entry (it is an iterator of `Result<Entry, ReadError>`).
///
/// Blank lines are skipped (`scriptreplay` skips them too). A line that is not valid, including a last line
/// cut short without its newline, is an error naming the line; `scriptreplay` would silently stop at a
/// truncated last line.
#[derive(Debug)]
pub struct TimingReader<R: BufRead> {
    r: R,
    format: Format,
    line: usize,
    done: bool,
}

impl<R: BufRead> TimingReader<R> {
    /// Starts reading, telling the format from the first byte as `scriptreplay` does (a digit, or an empty
    /// file, means classic).
    ///
    /// # Errors
    ///
    /// The underlying reader's error (reading the first byte).
    pub fn new(mut r: R) -> io::Result<Self> {
        let format = match r.fill_buf()?.first() {
            Some(b) if !b.is_ascii_digit() => Format::Advanced,
            _ => Format::Classic,
        };
        Ok(TimingReader { r, format, line: 0, done: false })
    }

    /// The format of the file.
    pub fn format(&self) -> Format {
        self.format
    }

    /// The next entry, or `None` at the end of the file.
    ///
    /// # Errors
    ///
    /// A read error, or a `ReadError::Parse` naming the line that is not a valid entry.
    pub fn next_entry(&mut self) -> Result<Option<Entry>, ReadError> {
        let mut buf = Vec::new();
        loop {
            buf.clear();
            let n = Read::take(&mut self.r, MAX_LINE + 1).read_until(b'\n', &mut buf)?;
            if n == 0 {
                return Ok(None);
            }
            self.line += 1;
            if buf.last() != Some(&b'\n') {
                let what = if n as u64 > MAX_LINE { "line too long" } else { "truncated line (no newline at the end)" };
                return Err(ReadError::parse(self.line, what));
            }
            buf.pop();
            if buf.iter().all(u8::is_ascii_whitespace) {
                continue;
            }
            let text = String::from_utf8_lossy(&buf);
            return self.parse(&text).map(Some).map_err(|m| ReadError::parse(self.line, m));
        }
    }

    fn parse(&self, text: &str) -> Result<Entry, String> {
        let line = self.line;
        if self.format == Format::Classic {
            let (delay, n) = parse_chunk(text)?;
            return Ok(Entry { line, delay, kind: Kind::Output(n) });
        }
        let mut chars = text.chars();
        let (ty, rest) = match (chars.next(), chars.next()) {
            (Some(ty), Some(' ')) => (ty, chars.as_str()),
            (Some(ty), _) if "OISH".contains(ty) => return Err(format!("no space after the entry type '{ty}'")),
            (Some(ty), _) => return Err(format!("unknown entry type '{}'", ty.escape_default())),
            (None, _) => return Err("empty line".into()),
        };
        let (delay, kind) = match ty {
            'O' => parse_chunk(rest).map(|(d, n)| (d, Kind::Output(n)))?,
            'I' => parse_chunk(rest).map(|(d, n)| (d, Kind::Input(n)))?,
            'S' | 'H' => {
                let (delay, rest) = rest.split_once(' ').unwrap_or((rest, ""));
                let delay = parse_delay(delay)?;
                let (name, value) = rest.split_once(' ').unwrap_or((rest, ""));
                if name.is_empty() || name.contains(char::is_whitespace) {
                    return Err(format!("missing {} name", if ty == 'S' { "signal" } else { "information" }));
                }
                let (name, value) = (name.to_owned(), value.to_owned());
                (delay, if ty == 'S' { Kind::Signal { name, value } } else { Kind::Info { name, value } })
            }
            _ => return Err(format!("unknown entry type '{}'", ty.escape_default())),
        };
        Ok(Entry { line, delay, kind })
    }
}

/// `<delay> <bytes>`.
fn parse_chunk(text: &str) -> Result<(Duration, u64), String> {
    let mut fields = text.split_ascii_whitespace();
    let (Some(delay), Some(bytes), None) = (fields.next(), fields.next(), fields.next()) else {
        return Err(format!("expected '<seconds>.<microseconds> <bytes>', found '{}'", shown(text)));
    };
    let delay = parse_delay(delay)?;
    if bytes.is_empty() || !bytes.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!("invalid byte count '{}'", shown(bytes)));
    }
    let bytes = bytes.parse().map_err(|_| format!("byte count '{bytes}' out of range"))?;
    Ok((delay, bytes))
}

/// Part of a line for a message: escaped, and cut short so that a file that is no timing file (a
/// binary, one long line) does not fill the screen.
fn shown(text: &str) -> String {
    const MOST: usize = 60;
    let escaped = text.escape_debug().to_string();
    match escaped.char_indices().nth(MOST) {
        Some((at, _)) => format!("{}...", &escaped[..at]),
        None => escaped,
    }
}

/// `<sec>.<usec>`: the fraction is up to six digits read as an integer number of microseconds, as
/// `scriptreplay` reads it (`%ld.%06ld`).
fn parse_delay(text: &str) -> Result<Duration, String> {
    let bad = || format!("invalid delay '{}' (expected <seconds>.<microseconds>)", shown(text));
    let (sec, usec) = text.split_once('.').ok_or_else(bad)?;
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if !digits(sec) || !digits(usec) || usec.len() > 6 {
        return Err(bad());
    }
    let sec: u64 = sec.parse().map_err(|_| format!("delay '{text}' out of range"))?;
    let usec: u32 = usec.parse().map_err(|_| bad())?;
    Ok(Duration::new(sec, usec * 1000))
}

impl<R: BufRead> Iterator for TimingReader<R> {
    type Item = Result<Entry, ReadError>;

    /// Stops after the first error: what follows a corrupt line cannot be trusted to line up with the data.
    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        let item = self.next_entry();
        super::stop_after(&mut self.done, item)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::path::Path;
    use std::process::Command;

    fn fixture(name: &str) -> Vec<u8> {
        let path = format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
        std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
    }

    fn us(n: u64) -> Duration {
        Duration::from_micros(n)
    }

    fn read_all(bytes: &[u8]) -> Result<Vec<Entry>, ReadError> {
        TimingReader::new(bytes).expect("in memory").collect()
    }

    /// Writes the start information util-linux writes, without a terminal.
    fn start_info<W: Write>(w: &mut TimingWriter<W>, start: &str, command: &str, name: &str, io: &[(&str, &str)]) {
        w.info("START_TIME", start).expect("write");
        w.info("SHELL", "/bin/bash").expect("write");
        w.info("COMMAND", command).expect("write");
        w.info("TIMING_LOG", &format!("{name}.tm")).expect("write");
        for (k, v) in io {
            w.info(k, v).expect("write");
        }
    }

    #[test]
    fn writes_util_linux_classic() {
        let mut w = TimingWriter::new(Vec::new(), Format::Classic);
        w.output(us(10127), 3).expect("write");
        w.input(us(20000), 9).expect("classic has no input");
        w.resize(us(20001), Winsize::new(1, 2)).expect("classic has no signals");
        w.info("SHELL", "/bin/sh").expect("classic has no info");
        w.output(us(10127 + 292221), 3).expect("write");
        w.output(us(10127 + 292221 + 201434), 7).expect("write");
        w.output(us(999_999_999), 0).expect("empty chunk");
        assert_eq!(w.into_inner(), fixture("ul-classic.tm"));
    }

    #[test]
    fn writes_util_linux_advanced() {
        let mut w = TimingWriter::new(Vec::new(), Format::Advanced);
        start_info(
            &mut w,
            "2026-11-29 14:46:25+00:00",
            "read x; echo got:$x",
            "io",
            &[("OUTPUT_LOG", "io.io"), ("INPUT_LOG", "io.io")],
        );
        w.input(us(26), 4).expect("write");
        w.output(us(26 + 260403), 14).expect("write");
        w.duration(us(270623)).expect("write");
        w.info("EXIT_CODE", "0").expect("write");
        assert_eq!(w.into_inner(), fixture("ul-io.tm"));

        let mut w = TimingWriter::new(Vec::new(), Format::Advanced);
        start_info(
            &mut w,
            "2026-11-29 14:46:22+00:00",
            "printf one; sleep 0.2; printf two",
            "adv-out",
            &[("OUTPUT_LOG", "adv-out.out")],
        );
        w.output(us(10128), 3).expect("write");
        w.output(us(10128 + 192793), 3).expect("write");
        w.duration(us(213326)).expect("write");
        w.info("EXIT_CODE", "0").expect("write");
        assert_eq!(w.into_inner(), fixture("ul-advanced-outonly.tm"));
    }

    #[test]
    fn writes_util_linux_terminal_and_resize() {
        let mut w = TimingWriter::new(Vec::new(), Format::Advanced);
        w.info("START_TIME", "2026-11-29 14:46:51+00:00").expect("write");
        for (k, v) in
            [("TERM", "xterm"), ("TTY", "/dev/pts/1"), ("COLUMNS", "120"), ("LINES", "40"), ("SHELL", "/bin/bash")]
        {
            w.info(k, v).expect("write");
        }
        w.info("COMMAND", "printf start; sleep 1; stty size; tput cols").expect("write");
        for (k, v) in [("TIMING_LOG", "tty.tm"), ("OUTPUT_LOG", "tty.io"), ("INPUT_LOG", "tty.io")] {
            w.info(k, v).expect("write");
        }
        let mut t = 1294;
        w.output(us(t), 5).expect("write");
        t += 496151;
        w.resize(us(t), Winsize::new(25, 90)).expect("write");
        t += 506438;
        w.output(us(t), 7).expect("write");
        t += 1827;
        w.output(us(t), 4).expect("write");
        w.duration(us(1015979)).expect("write");
        w.info("EXIT_CODE", "0").expect("write");
        assert_eq!(w.into_inner(), fixture("ul-tty-resize.tm"));
    }

    #[test]
    fn writes_signal_lines() {
        let mut w = TimingWriter::new(Vec::new(), Format::Advanced);
        w.output(us(10127), 7).expect("write");
        w.signal(us(10127 + 489966), "SIGTERM").expect("write");
        w.info("EMPTY", "").expect("write");
        w.info("MULTI", "a\nb").expect("write");
        assert_eq!(w.into_inner(), b"O 0.010127 7\nS 0.489966 SIGTERM\nH 0.000000 EMPTY\nH 0.000000 MULTI a b\n");
    }

    #[test]
    fn many_tiny_intervals_do_not_drift() {
        // 10 000 chunks 333.3333 µs apart: each delay is rounded, but they add up to the final time exactly.
        let mut w = TimingWriter::new(Vec::new(), Format::Classic);
        let step = Duration::from_nanos(333_333);
        let mut last = Duration::ZERO;
        for k in 1..=10_000u32 {
            last = step * k;
            w.output(last, 1).expect("write");
        }
        let entries = read_all(&w.into_inner()).expect("read back");
        let sum: Duration = entries.iter().map(|e| e.delay).sum();
        assert_eq!(sum.as_micros(), last.as_micros());
        // And a clock that goes backwards gives zero delays, never negative ones.
        let mut w = TimingWriter::new(Vec::new(), Format::Advanced);
        w.output(us(500), 1).expect("write");
        w.input(us(400), 1).expect("write");
        w.output(us(600), 1).expect("write");
        assert_eq!(w.into_inner(), b"O 0.000500 1\nI 0.000000 1\nO 0.000100 1\n");
    }

    #[test]
    fn reads_util_linux_files() {
        let entries = read_all(&fixture("ul-tty-resize.tm")).expect("read");
        assert_eq!(entries.len(), 16);
        assert_eq!(
            entries[0].kind,
            Kind::Info { name: "START_TIME".into(), value: "2026-11-29 14:46:51+00:00".into() }
        );
        assert_eq!(
            entries[11],
            Entry {
                line: 12,
                delay: us(496151),
                kind: Kind::Signal { name: "SIGWINCH".into(), value: "ROWS=25 COLS=90".into() }
            }
        );
        assert_eq!(entries[12], Entry { line: 13, delay: us(506438), kind: Kind::Output(7) });

        let classic = fixture("ul-classic.tm");
        let r = TimingReader::new(&classic[..]).expect("read");
        assert_eq!(r.format(), Format::Classic);
        let entries: Vec<Entry> = r.collect::<Result<_, _>>().expect("read");
        let kinds: Vec<Kind> = entries.iter().map(|e| e.kind.clone()).collect();
        assert_eq!(kinds, [Kind::Output(3), Kind::Output(3), Kind::Output(7)]);

        let entries = read_all(&fixture("ul-sigterm.tm")).expect("read");
        assert_eq!(entries[7].kind, Kind::Signal { name: "SIGTERM".into(), value: String::new() });
        // Six digits or fewer, read as microseconds; blank lines skipped.
        let entries = read_all(b"0.9 1\n\n1.000001 2\n").expect("read");
        assert_eq!((entries[0].delay, entries[1].delay, entries[1].line), (us(9), us(1_000_001), 3));
        assert!(read_all(b"").expect("empty").is_empty());
    }

    fn error_of(bytes: &[u8]) -> (usize, String) {
        match read_all(bytes) {
            Err(ReadError::Parse { line, message }) => (line, message),
            other => panic!("expected a parse error for {:?}, got {other:?}", String::from_utf8_lossy(bytes)),
        }
    }

    #[test]
    fn corrupt_lines_are_errors_naming_the_line() {
        let cases: &[(&[u8], usize, &str)] = &[
            (b"0.1 3\nxx\n", 2, "expected"),
            (b"0.1 3\n0.1 2", 2, "truncated"),
            (b"0.1 3 extra\n", 1, "expected"),
            (b"0.1234567 3\n", 1, "invalid delay"),
            (b"1 3\n", 1, "invalid delay"),
            (b"0.1 -3\n", 1, "invalid byte count"),
            (b"0.1 99999999999999999999999\n", 1, "out of range"),
            (b"99999999999999999999999.0 1\n", 1, "out of range"),
            (b"O 0.1 3\nZ 0.1 3\n", 2, "unknown entry type 'Z'"),
            (b"O0.1 3\n", 1, "no space"),
            (b"O -1.5 3\n", 1, "invalid delay"),
            (b"H 0.000000\n", 1, "missing information name"),
            (b"S 0.1  x\n", 1, "missing signal name"),
            (b"S x SIGTERM\n", 1, "invalid delay"),
            (b"I 0.1\n", 1, "expected"),
        ];
        let long = format!("0{}\n", "7".repeat(100_000));
        let (_, m) = error_of(long.as_bytes());
        assert!(m.len() < 200 && m.ends_with("...'"), "a long line is cut short in messages: {m}");
        for (bytes, line, what) in cases {
            let (l, m) = error_of(bytes);
            assert_eq!(l, *line, "{m}");
            assert!(m.contains(what), "{:?}: {m}", String::from_utf8_lossy(bytes));
        }
    }

    #[test]
    fn reading_stops_at_the_first_error() {
        let mut r = TimingReader::new(&b"O 0.1 1\nbad\nO 0.1 1\n"[..]).expect("read");
        assert!(matches!(r.next(), Some(Ok(_))));
        assert!(matches!(r.next(), Some(Err(_))));
        assert!(r.next().is_none());
    }

    /// Runs util-linux `scriptreplay` (the reference reader) and returns what it played.
    fn scriptreplay(dir: &Path, args: &[&str]) -> Vec<u8> {
        let out = Command::new("scriptreplay")
            .current_dir(dir)
            .args(["-d", "1000"])
            .args(args)
            .output()
            .expect("scriptreplay (util-linux 2.38, Debian package bsdutils) must be installed");
        assert!(out.status.success(), "scriptreplay {args:?}: {}", String::from_utf8_lossy(&out.stderr));
        out.stdout
    }

    /// A session of `chunks` (input when the flag is set), spread over a second of session time.
    fn session(seed: u8) -> Vec<(bool, Vec<u8>)> {
        (0..40u8)
            .map(|i| {
                let len = 1 + (i as usize * 7 + seed as usize) % 23;
                let bytes = (0..len).map(|j| (i ^ seed).wrapping_mul(31).wrapping_add(j as u8)).collect();
                (i % 5 == 3, bytes)
            })
            .collect()
    }

    #[test]
    fn real_scriptreplay_reads_what_we_write() {
        let dir = tempfile::tempdir().expect("tempdir");
        // The data logs' header and footer lines as util-linux writes them (scriptreplay skips the header).
        let header = b"Script started on 2026-01-02 03:04:05+01:00 [<not executed on terminal>]\n";
        let footer = b"\nScript done on 2026-01-02 03:04:05+01:00 [COMMAND_EXIT_CODE=\"0\"]\n";
        let events = session(7);
        let t = |i: usize| Duration::from_nanos(25_000_000 * i as u64 + 123_457);

        // Classic: output only, one data log.
        let mut data = Vec::new();
        data.extend_from_slice(header);
        let mut w = TimingWriter::new(Vec::new(), Format::Classic);
        let mut played = Vec::new();
        for (i, (_, bytes)) in events.iter().enumerate() {
            data.extend_from_slice(bytes);
            played.extend_from_slice(bytes);
            w.output(t(i), bytes.len()).expect("write");
        }
        data.extend_from_slice(footer);
        std::fs::write(dir.path().join("c.out"), &data).expect("write");
        std::fs::write(dir.path().join("c.tm"), w.into_inner()).expect("write");
        played.push(b'\n'); // scriptreplay ends with a newline of its own
        assert_eq!(scriptreplay(dir.path(), &["-t", "c.tm", "-s", "c.out"]), played);

        // Advanced: input and output in one log (-B), and in two logs (-I, -O), with a resize and info.
        let (mut io, mut inp, mut out) = (Vec::new(), Vec::new(), Vec::new());
        for d in [&mut io, &mut inp, &mut out] {
            d.extend_from_slice(header);
        }
        let mut w = TimingWriter::new(Vec::new(), Format::Advanced);
        w.info("START_TIME", "2026-01-02 03:04:05+01:00").expect("write");
        let (mut played_out, mut played_in) = (Vec::new(), Vec::new());
        for (i, (is_input, bytes)) in events.iter().enumerate() {
            io.extend_from_slice(bytes);
            if *is_input {
                inp.extend_from_slice(bytes);
                played_in.extend(bytes.iter().map(|&b| if b == b'\r' { b'\n' } else { b }));
                w.input(t(i), bytes.len()).expect("write");
            } else {
                out.extend_from_slice(bytes);
                played_out.extend_from_slice(bytes);
                w.output(t(i), bytes.len()).expect("write");
            }
            if i == 20 {
                w.resize(t(i) + us(5), Winsize::new(30, 100)).expect("write");
            }
        }
        w.duration(t(events.len())).expect("write");
        w.info("EXIT_CODE", "0").expect("write");
        for d in [&mut io, &mut inp, &mut out] {
            d.extend_from_slice(footer);
        }
        for (name, bytes) in [("a.io", &io), ("a.in", &inp), ("a.out", &out)] {
            std::fs::write(dir.path().join(name), bytes).expect("write");
        }
        std::fs::write(dir.path().join("a.tm"), w.into_inner()).expect("write");
        played_out.push(b'\n');
        played_in.push(b'\n');
        assert_eq!(scriptreplay(dir.path(), &["-T", "a.tm", "-B", "a.io"]), played_out);
        assert_eq!(scriptreplay(dir.path(), &["-T", "a.tm", "-O", "a.out"]), played_out);
        assert_eq!(scriptreplay(dir.path(), &["-T", "a.tm", "-B", "a.io", "-x", "in"]), played_in);
        assert_eq!(scriptreplay(dir.path(), &["-T", "a.tm", "-I", "a.in", "-x", "in"]), played_in);
        assert_eq!(
            scriptreplay(dir.path(), &["-T", "a.tm", "-B", "a.io", "-x", "signal"]),
            b"SIGWINCH  ROWS=30 COLS=100\n\n"
        );
        let summary = scriptreplay(dir.path(), &["-T", "a.tm", "--summary"]);
        assert_eq!(
            String::from_utf8_lossy(&summary),
            "START_TIME:  2026-01-02 03:04:05+01:00\n  DURATION:  1.000123\n EXIT_CODE:  0\n\n"
        );
    }

    proptest! {
        #[test]
        fn arbitrary_input_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..200)) {
            for item in TimingReader::new(&bytes[..]).expect("in memory") {
                let _ = item;
            }
        }

        #[test]
        fn arbitrary_lines_never_panic(lines in proptest::collection::vec("[OISH0-9 .a-zA-Z=\t-]{0,30}", 0..10)) {
            let text = lines.join("\n") + "\n";
            for item in TimingReader::new(text.as_bytes()).expect("in memory") {
                let _ = item;
            }
        }

        #[test]
        fn write_then_read_round_trips(events in proptest::collection::vec((0u8..4, 0u64..3_000_000, 1usize..100_000), 0..50)) {
            let mut w = TimingWriter::new(Vec::new(), Format::Advanced);
            let mut t = Duration::ZERO;
            let mut expected = Vec::new();
            let mut prev = 0u128;
            for (what, step_ns, n) in &events {
                t += Duration::from_nanos(*step_ns);
                let delay = us((t.as_micros() - prev) as u64);
                let kind = match what {
                    0 => { w.output(t, *n).expect("write"); Kind::Output(*n as u64) }
                    1 => { w.input(t, *n).expect("write"); Kind::Input(*n as u64) }
                    2 => { w.resize(t, Winsize::new(*n as u16, 80)).expect("write"); Kind::Signal { name: "SIGWINCH".into(), value: format!("ROWS={} COLS=80", *n as u16) } }
                    _ => { w.info("X", &n.to_string()).expect("write"); Kind::Info { name: "X".into(), value: n.to_string() } }
                };
                let delay = if *what == 3 { Duration::ZERO } else { prev = t.as_micros(); delay };
                expected.push((delay, kind));
            }
            let got: Vec<(Duration, Kind)> = read_all(&w.into_inner()).expect("read back").into_iter().map(|e| (e.delay, e.kind)).collect();
            prop_assert_eq!(got, expected);
        }
    }
}
