//! asciicast, asciinema's recording format, versions 2 and 3: a writer and a reader.
//!
//! Both are newline-delimited JSON: a header object, then one `[time, code, data]` array per event
//! ([v2 spec](https://docs.asciinema.org/manual/asciicast/v2/),
//! [v3 spec](https://docs.asciinema.org/manual/asciicast/v3/)). v2 ([`v2`]) stores absolute times and is
//! what asciinema 2 writes; v3 ([`v3`]) stores the interval since the previous event, has an exit event and
//! is what asciinema 3 writes. The codes: `o` output, `i` input, `r` resize (`"COLSxROWS"`), `m` marker,
//! `x` exit status; readers skip codes they do not know. asciinema 3 ends v2 files with an `x` event too
//! (asciinema 2 readers skip it but count its time, so the recording lasts as long as the session did),
//! and so does [`CastWriter`].
//!
//! Terminal data are bytes but asciicast holds text: each stream is decoded incrementally as UTF-8
//! ([`super::utf8`]), as asciinema does, so the text matches asciinema's for the same bytes.

pub mod v2;
pub mod v3;

use super::utf8::Utf8Decoder;
use super::ReadError;
use crate::Winsize;
use std::io::{self, BufRead, Read, Write};
use std::time::Duration;

/// Which asciicast version.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Version {
    /// asciinema 2's format: absolute times (the `x` exit event came with asciinema 3).
    V2,
    /// asciinema 3's format: intervals, `x` exit event, comments.
    V3,
}

/// The header: what is known about the recording before its events. The same data serve both versions;
/// each version lays them out its own way.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Header {
    /// Terminal width in columns.
    pub cols: u16,
    /// Terminal height in rows.
    pub rows: u16,
    /// `$TERM` (v3 `term.type`; v2 keeps it in `env` as `TERM`).
    pub term_type: Option<String>,
    /// Start of the recording, in seconds since the Unix epoch.
    pub timestamp: Option<i64>,
    /// Players shorten pauses longer than this many seconds.
    pub idle_time_limit: Option<f64>,
    /// The command recorded, if not the user's shell.
    pub command: Option<String>,
    /// A title for people.
    pub title: Option<String>,
    /// Captured environment variables (asciinema captures `SHELL`), in order.
    pub env: Vec<(String, String)>,
}

/// What an event is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Code {
    /// `o`: output to the terminal.
    Output,
    /// `i`: input from the keyboard.
    Input,
    /// `r`: window resized; data `"COLSxROWS"` (see [`parse_size`]).
    Resize,
    /// `m`: a marker (a bookmark for players).
    Marker,
    /// `x`: the session ended; data the exit status.
    Exit,
    /// Any other code, which readers are to skip.
    Other(String),
}

impl Code {
    fn from_str(s: &str) -> Code {
        match s {
            "o" => Code::Output,
            "i" => Code::Input,
            "r" => Code::Resize,
            "m" => Code::Marker,
            "x" => Code::Exit,
            other => Code::Other(other.to_owned()),
        }
    }
}

/// One event read from a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    /// 1-based line number, for messages.
    pub line: usize,
    /// Time since the start of the recording (v3 intervals are summed up).
    pub time: Duration,
    /// What happened.
    pub code: Code,
    /// The event's data.
    pub data: String,
}

/// Reads a resize event's `"COLSxROWS"`.
pub fn parse_size(data: &str) -> Option<(u16, u16)> {
    let (cols, rows) = data.split_once('x')?;
    Some((cols.parse().ok()?, rows.parse().ok()?))
}

/// Writes an asciicast recording from session events.
///
/// Times are absolute (since the session started) and are quantised before anything is subtracted, so the
/// intervals a v3 file holds add up exactly to the last event's rounded time however many events there are
/// (asciinema 3 carries the rounding error the same way).
#[derive(Debug)]
pub struct CastWriter<W: Write> {
    w: W,
    version: Version,
    out: Utf8Decoder,
    inp: Utf8Decoder,
    /// Quantised time of the last event written (v3: milliseconds; v2: microseconds).
    prev: u128,
    /// Latest time given to `output` or `input`, when `finish` flushes what their decoders hold.
    last: Duration,
    /// Added to every time: where this session starts in a file it is appended to.
    offset: Duration,
}

impl<W: Write> CastWriter<W> {
    /// Writes the header of `version` to `w` (which the caller buffers) and returns the writer.
    ///
    /// # Errors
    ///
    /// The underlying writer's error.
    pub fn new(mut w: W, version: Version, header: &Header) -> io::Result<Self> {
        let line = match version {
            Version::V2 => v2::header_line(header),
            Version::V3 => v3::header_line(header),
        };
        w.write_all(line.as_bytes())?;
        w.write_all(b"\n")?;
        Ok(CastWriter::at(w, version, Duration::ZERO))
    }

    /// Continues a recording whose last event is at `after` (appending, as `asciinema rec --append`):
    /// no header, this session's times start at `after`, and its first event is a resize to `size`, the
    /// window this session starts with (asciinema 3 writes one at each join, whether the size changed or
    /// not: the header only tells the size of the first session).
    ///
    /// # Errors
    ///
    /// Writing the resize event to `w` failed.
    pub fn resume(w: W, version: Version, after: Duration, size: Winsize) -> io::Result<Self> {
        let mut writer = CastWriter::at(w, version, after);
        writer.resize(Duration::ZERO, size)?;
        Ok(writer)
    }

    /// A writer whose times start at `after`, writing nothing yet.
    fn at(w: W, version: Version, after: Duration) -> Self {
        let prev = match version {
            Version::V2 => v2::quantise(after),
            Version::V3 => v3::quantise(after),
        };
        CastWriter {
            w,
            version,
            out: Utf8Decoder::new(),
            inp: Utf8Decoder::new(),
            prev,
            last: Duration::ZERO,
            offset: after,
        }
    }

    /// Writes out what the underlying writer buffers (`script -f`, `SIGUSR1`); characters held back
    /// by the UTF-8 decoders stay held until they are complete.
    ///
    /// # Errors
    ///
    /// The underlying writer's error.
    pub fn flush(&mut self) -> io::Result<()> {
        self.w.flush()
    }

    fn event(&mut self, t: Duration, code: &str, data: &str) -> io::Result<()> {
        let t = t + self.offset;
        let line = match self.version {
            Version::V2 => {
                // Absolute times, monotonic even if the caller's clock is not.
                self.prev = self.prev.max(v2::quantise(t));
                v2::event_line(self.prev, code, data)
            }
            Version::V3 => {
                let now = v3::quantise(t);
                let interval = now.saturating_sub(self.prev);
                self.prev = self.prev.max(now);
                v3::event_line(interval, code, data)
            }
        };
        self.w.write_all(line.as_bytes())?;
        self.w.write_all(b"\n")
    }

    /// Records output bytes at time `t`. A character cut at the end of the chunk is held back until the next
    /// output chunk; if nothing is left to write once decoded, no event is written.
    ///
    /// # Errors
    ///
    /// The underlying writer's error.
    pub fn output(&mut self, t: Duration, bytes: &[u8]) -> io::Result<()> {
        self.stream(t, Stream::Output, bytes)
    }

    /// Records input bytes at time `t`, decoded like output but as a stream of its own.
    ///
    /// # Errors
    ///
    /// The underlying writer's error.
    pub fn input(&mut self, t: Duration, bytes: &[u8]) -> io::Result<()> {
        self.stream(t, Stream::Input, bytes)
    }

    fn stream(&mut self, t: Duration, stream: Stream, bytes: &[u8]) -> io::Result<()> {
        self.last = self.last.max(t);
        let text = self.decoder(stream).decode(bytes);
        if text.is_empty() {
            return Ok(());
        }
        self.event(t, stream.code(), &text)
    }

    fn decoder(&mut self, stream: Stream) -> &mut Utf8Decoder {
        match stream {
            Stream::Output => &mut self.out,
            Stream::Input => &mut self.inp,
        }
    }

    /// Records a window size change (`"COLSxROWS"`).
    ///
    /// # Errors
    ///
    /// The underlying writer's error.
    pub fn resize(&mut self, t: Duration, size: Winsize) -> io::Result<()> {
        self.event(t, "r", &format!("{}x{}", size.cols, size.rows))
    }

    /// Records a marker with a label (which may be empty). The recorder has no use for markers; the
    /// round-trip tests of files that hold them do.
    #[cfg(test)]
    pub fn marker(&mut self, t: Duration, label: &str) -> io::Result<()> {
        self.event(t, "m", label)
    }

    /// Ends the streams at `t`: a character still incomplete in either stream is written as U+FFFD.
    fn flush_streams(&mut self, t: Duration) -> io::Result<()> {
        for stream in [Stream::Output, Stream::Input] {
            let text = self.decoder(stream).finish();
            if !text.is_empty() {
                self.event(t, stream.code(), &text)?;
            }
        }
        Ok(())
    }

    /// Records the end of the session at `t` with its exit status (the command's exit code, or 128 + the
    /// signal that killed it), after flushing incomplete characters. In both versions, as asciinema 3
    /// writes them: the `x` event is also what makes a v2 recording last until the session ended rather
    /// than until its last output.
    ///
    /// # Errors
    ///
    /// The underlying writer's error.
    pub fn exit(&mut self, t: Duration, status: i32) -> io::Result<()> {
        self.flush_streams(t)?;
        self.event(t, "x", &status.to_string())
    }

    /// Gives the writer back as it is: what the UTF-8 decoders hold is not written, nor is the writer
    /// flushed (for a recording abandoned before it started).
    pub fn into_inner(self) -> W {
        self.w
    }

    /// Flushes incomplete characters (at the last event's time) and the underlying writer, and gives the
    /// writer back.
    ///
    /// # Errors
    ///
    /// The underlying writer's error.
    pub fn finish(mut self) -> io::Result<W> {
        self.flush_streams(self.last)?;
        self.w.flush()?;
        Ok(self.w)
    }
}

/// The two byte streams of a session, each decoded on its own.
#[derive(Debug, Clone, Copy)]
enum Stream {
    Output,
    Input,
}

impl Stream {
    fn code(self) -> &'static str {
        match self {
            Stream::Output => "o",
            Stream::Input => "i",
        }
    }
}

/// Longest line accepted: asciinema writes events of at most a few kilobytes, so this only guards against
/// a corrupt file making the reader hold gigabytes.
const MAX_LINE: u64 = 64 << 20;

/// Reads an asciicast v2 or v3 recording (the version from its header); an iterator of
/// `Result<Event, ReadError>` that stops after the first error.
#[derive(Debug)]
pub struct CastReader<R: BufRead> {
    r: R,
    version: Version,
    header: Header,
    line: usize,
    /// v3: sum of intervals so far, in nanoseconds.
    clock: u128,
    done: bool,
}

impl<R: BufRead> CastReader<R> {
    /// Reads and checks the header line.
    ///
    /// # Errors
    ///
    /// A read error, or a `ReadError::Parse` for line 1 when it is not an asciicast v2 or v3 header.
    pub fn new(mut r: R) -> Result<Self, ReadError> {
        let mut line = Vec::new();
        let n = Read::take(&mut r, MAX_LINE + 1).read_until(b'\n', &mut line)?;
        if n == 0 {
            return Err(ReadError::parse(1, "empty file: no asciicast header"));
        }
        let value: serde_json::Value = serde_json::from_slice(&line)
            .map_err(|e| ReadError::parse(1, format!("invalid asciicast header: {}", json_problem(&e))))?;
        let version = match value.get("version") {
            Some(v) if v.as_u64() == Some(2) => Version::V2,
            Some(v) if v.as_u64() == Some(3) => Version::V3,
            Some(v) => {
                return Err(ReadError::parse(1, format!("asciicast version {v} is not supported (only 2 and 3)")))
            }
            None => return Err(ReadError::parse(1, "not an asciicast header: no \"version\"")),
        };
        let header = match version {
            Version::V2 => v2::parse_header(&value),
            Version::V3 => v3::parse_header(&value),
        }
        .map_err(|m| ReadError::parse(1, m))?;
        Ok(CastReader { r, version, header, line: 1, clock: 0, done: false })
    }

    /// The file's version.
    pub fn version(&self) -> Version {
        self.version
    }

    /// The file's header.
    pub fn header(&self) -> &Header {
        &self.header
    }

    /// The next event, or `None` at the end (for v2 also at the first blank line, as asciinema 2 reads).
    ///
    /// # Errors
    ///
    /// A read error, or a `ReadError::Parse` naming the line that is not a valid event.
    pub fn next_event(&mut self) -> Result<Option<Event>, ReadError> {
        let mut buf = Vec::new();
        loop {
            buf.clear();
            let n = Read::take(&mut self.r, MAX_LINE + 1).read_until(b'\n', &mut buf)?;
            if n == 0 {
                return Ok(None);
            }
            self.line += 1;
            let complete = buf.last() == Some(&b'\n');
            if !complete && n as u64 > MAX_LINE {
                return Err(ReadError::parse(self.line, "line too long"));
            }
            let text = buf.trim_ascii();
            if text.is_empty() {
                match self.version {
                    Version::V2 => return Ok(None),
                    Version::V3 => continue,
                }
            }
            if self.version == Version::V3 && text.starts_with(b"#") {
                continue;
            }
            let value: serde_json::Value = match serde_json::from_slice(text) {
                Ok(v) => v,
                Err(e) if !complete && e.is_eof() => {
                    return Err(ReadError::parse(self.line, "truncated event (the file ends in the middle of it)"))
                }
                Err(e) => return Err(ReadError::parse(self.line, format!("invalid JSON: {}", json_problem(&e)))),
            };
            let (time, code, data) = parse_event(&value).map_err(|m| ReadError::parse(self.line, m))?;
            let nanos = seconds_to_nanos(time).map_err(|m| ReadError::parse(self.line, m))?;
            let time = match self.version {
                // v2 times should not go back; a player treats one that does as no pause.
                Version::V2 => nanos,
                Version::V3 => {
                    self.clock += nanos;
                    self.clock
                }
            };
            let time = nanos_to_duration(time).ok_or_else(|| ReadError::parse(self.line, "time out of range"))?;
            return Ok(Some(Event { line: self.line, time, code: Code::from_str(code), data: data.to_owned() }));
        }
    }
}

impl<R: BufRead> Iterator for CastReader<R> {
    type Item = Result<Event, ReadError>;

    /// Stops after the first error.
    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        let item = self.next_event();
        super::stop_after(&mut self.done, item)
    }
}

/// What serde_json found wrong, without its "at line 1 column 5" (we name the file's line ourselves).
fn json_problem(e: &serde_json::Error) -> String {
    let text = e.to_string();
    let problem = text.rfind(" at line ").map_or(text.as_str(), |at| &text[..at]);
    if e.is_eof() || e.line() != 1 {
        problem.to_owned()
    } else {
        format!("{problem} at column {}", e.column())
    }
}

/// `[time, "code", "data"]`.
fn parse_event(value: &serde_json::Value) -> Result<(f64, &str, &str), String> {
    let serde_json::Value::Array(items) = value else {
        return Err("an event must be a JSON array [time, code, data]".into());
    };
    let [time, code, data] = items.as_slice() else {
        return Err(format!("an event must have 3 elements [time, code, data], this one has {}", items.len()));
    };
    let time = time.as_f64().ok_or("event time is not a number")?;
    let code = code.as_str().ok_or("event code is not a string")?;
    let data = data.as_str().ok_or("event data is not a string")?;
    Ok((time, code, data))
}

/// Seconds as a JSON number to nanoseconds: not negative, finite, and under a century, which no recording
/// reaches and which keeps sums far from overflowing.
fn seconds_to_nanos(secs: f64) -> Result<u128, String> {
    const CENTURY: f64 = 100.0 * 365.25 * 86400.0;
    if !(0.0..CENTURY).contains(&secs) {
        return Err(format!("event time {secs} out of range"));
    }
    Ok((secs * 1e9).round() as u128)
}

fn nanos_to_duration(nanos: u128) -> Option<Duration> {
    let secs = u64::try_from(nanos / 1_000_000_000).ok()?;
    Some(Duration::new(secs, (nanos % 1_000_000_000) as u32))
}

/// A JSON string with the escaping asciinema uses (`json.dumps(ensure_ascii=False)` in asciinema 2,
/// serde_json in 3): control characters escaped, everything else as UTF-8.
fn json_string(s: &str) -> String {
    serde_json::Value::from(s).to_string()
}

/// How a version lays out a JSON object: asciinema 2 writes Python's `", "` and `": "`, asciinema 3
/// writes compact JSON.
#[derive(Debug, Clone, Copy)]
struct Layout {
    between: &'static str,
    after_key: &'static str,
}

/// asciinema 2's layout.
const SPACED: Layout = Layout { between: ", ", after_key: ": " };
/// asciinema 3's layout.
const COMPACT: Layout = Layout { between: ",", after_key: ":" };

/// A JSON object of `fields` (keys, and values already in JSON), in their order.
fn json_object<K: AsRef<str>>(fields: &[(K, String)], layout: Layout) -> String {
    let items: Vec<String> =
        fields.iter().map(|(k, v)| format!("{}{}{v}", json_string(k.as_ref()), layout.after_key)).collect();
    format!("{{{}}}", items.join(layout.between))
}

/// The header fields both versions write after the terminal's size, in the same order: those of
/// `timestamp`, `idle_time_limit` and `command` that are known.
fn common_fields(h: &Header) -> Vec<(&'static str, String)> {
    let mut fields = Vec::new();
    if let Some(ts) = h.timestamp {
        fields.push(("timestamp", ts.to_string()));
    }
    if let Some(limit) = h.idle_time_limit {
        fields.push(("idle_time_limit", json_number(limit)));
    }
    if let Some(command) = &h.command {
        fields.push(("command", json_string(command)));
    }
    fields
}

/// A JSON number for a float (`idle_time_limit`).
fn json_number(x: f64) -> String {
    serde_json::Number::from_f64(x).map(|n| n.to_string()).unwrap_or_else(|| "null".to_owned())
}

/// Header fields shared by both versions' readers.
fn parse_common(value: &serde_json::Value, header: &mut Header) -> Result<(), String> {
    let obj = value.as_object().ok_or("the header must be a JSON object")?;
    let string = |key: &str| -> Result<Option<String>, String> {
        match obj.get(key) {
            None | Some(serde_json::Value::Null) => Ok(None),
            Some(serde_json::Value::String(s)) => Ok(Some(s.clone())),
            Some(_) => Err(format!("header \"{key}\" is not a string")),
        }
    };
    header.command = string("command")?;
    header.title = string("title")?;
    header.timestamp = match obj.get("timestamp") {
        None | Some(serde_json::Value::Null) => None,
        Some(t) => {
            Some(t.as_i64().or_else(|| t.as_f64().map(|f| f as i64)).ok_or("header \"timestamp\" is not a number")?)
        }
    };
    header.idle_time_limit = match obj.get("idle_time_limit") {
        None | Some(serde_json::Value::Null) => None,
        Some(t) => Some(t.as_f64().filter(|x| *x >= 0.0).ok_or("header \"idle_time_limit\" is not a positive number")?),
    };
    header.env = match obj.get("env") {
        None | Some(serde_json::Value::Null) => Vec::new(),
        Some(serde_json::Value::Object(env)) => {
            env.iter().filter_map(|(k, v)| v.as_str().map(|v| (k.clone(), v.to_owned()))).collect()
        }
        Some(_) => return Err("header \"env\" is not an object".into()),
    };
    Ok(())
}

/// A terminal dimension from the header.
fn dimension(value: Option<&serde_json::Value>, what: &str) -> Result<u16, String> {
    let v = value.ok_or_else(|| format!("the header has no \"{what}\""))?;
    v.as_u64()
        .and_then(|n| u16::try_from(n).ok())
        .ok_or_else(|| format!("header \"{what}\" is not a terminal size: {v}"))
}

#[cfg(test)]
mod tests;
