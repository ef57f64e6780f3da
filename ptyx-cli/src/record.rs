//! The recorder behind `ptyx script`: turns the relay's events into the log files (typescript or
//! asciicast) and the timing file. It knows nothing of ptys; the relay knows nothing of formats.
//!
//! Every file is a [`Sink`] that takes the streams it holds; the recorder hands each event to the
//! sinks that want it. What goes wrong travels one way, as a [`RecordError`]: out of the event
//! handler, through the relay (which ends the session on it), back to the caller of the relay.

use std::fmt;
use std::fs::File;
use std::io::{self, BufRead, BufReader, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::time::Duration;

use chrono::{DateTime, Local};
use ptyx::{Event, Winsize};

use crate::format::asciicast::{self, CastWriter};
use crate::format::timing::{self, Kind, TimingReader, TimingWriter};
use crate::format::typescript::{self, Ending};

/// Buffer of each log file: recording must not cost a system call per chunk of output.
const BUFFER: usize = 64 * 1024;

/// One way bytes go in a session.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stream {
    /// What the program wrote.
    Output,
    /// What was typed (read from our stdin).
    Input,
}

/// Which streams a file holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Streams {
    /// Bytes typed (read from our stdin).
    pub input: bool,
    /// Bytes the program wrote.
    pub output: bool,
}

impl Streams {
    fn has(self, stream: Stream) -> bool {
        match stream {
            Stream::Output => self.output,
            Stream::Input => self.input,
        }
    }

    fn or(self, other: Streams) -> Streams {
        Streams { input: self.input || other.input, output: self.output || other.output }
    }
}

/// How a log file is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    /// util-linux raw log: header line, the bytes, footer.
    Typescript,
    /// asciicast v3 (asciinema 3).
    Cast3,
    /// asciicast v2 (asciinema 2).
    Cast2,
}

/// A log file to write, opened before the session starts.
pub struct LogSpec {
    /// Its name, for messages and timing headers.
    pub path: PathBuf,
    /// The open file.
    pub file: File,
    /// What goes in it.
    pub streams: Streams,
    /// Bytes already in it: it is appended to.
    pub existing_len: u64,
    /// Length of its first line (the old header, which scriptreplay skips), when appending.
    pub existing_first_line: u64,
}

/// The timing file to write, opened before the session starts.
pub struct TimingSpec {
    /// Its name, for messages and the `TIMING_LOG` header.
    pub path: PathBuf,
    /// Where it goes (a file or stderr).
    pub writer: Box<dyn Write>,
    /// Classic or advanced.
    pub format: timing::Format,
    /// Per stream, the bytes the existing timing file accounts for (appending), if it was readable.
    pub accounted: Option<(u64, u64)>,
    /// It is appended to: nothing may reach it before the session has started.
    pub appending: bool,
}

/// What the headers describe.
pub struct SessionInfo {
    /// When the session started.
    pub start: DateTime<Local>,
    /// The command, when one was given.
    pub command: Option<String>,
    /// `$SHELL` as run (or `sh`).
    pub shell: String,
    /// The user's terminal on stdin, or `None`.
    pub terminal: Option<typescript::Terminal>,
    /// The pty's size.
    pub size: Winsize,
    /// `$TERM`.
    pub term: Option<String>,
}

/// How the session ended, for the footers.
#[derive(Debug, Clone, Copy)]
pub struct End {
    /// How long it lasted.
    pub t: Duration,
    /// The program's exit status (128 + signal when killed); 1 when the output limit cut it.
    pub code: i32,
    /// Whether the output limit cut it.
    pub limit_exceeded: bool,
}

/// Why recording stopped the session, or could not start it.
#[derive(Debug)]
pub enum RecordError {
    /// Writing (or preparing) `path` failed.
    Write {
        /// The file.
        path: PathBuf,
        /// What the OS said.
        error: io::Error,
    },
    /// The logs hold as many bytes as `-o` allows.
    LimitExceeded,
}

impl RecordError {
    /// The recorder's error carried by `e`, the error the relay returned after the event handler
    /// failed; or `e` itself when the relay failed on its own.
    pub fn from_io(e: io::Error) -> Result<RecordError, io::Error> {
        if !e.get_ref().is_some_and(|inner| inner.is::<RecordError>()) {
            return Err(e);
        }
        match e.into_inner().map(|inner| inner.downcast::<RecordError>()) {
            Some(Ok(recorded)) => Ok(*recorded),
            Some(Err(other)) => Err(io::Error::other(other)),
            None => Err(io::Error::other("recorder error without its cause")),
        }
    }
}

impl fmt::Display for RecordError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RecordError::Write { path, error } => write!(f, "{}: {error}", path.display()),
            RecordError::LimitExceeded => f.write_str("max output files size exceeded"),
        }
    }
}

impl std::error::Error for RecordError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            RecordError::Write { error, .. } => Some(error),
            RecordError::LimitExceeded => None,
        }
    }
}

impl From<RecordError> for io::Error {
    /// Carries the recorder's error through the relay, which returns it as it is.
    fn from(e: RecordError) -> io::Error {
        let kind = match &e {
            RecordError::Write { error, .. } => error.kind(),
            RecordError::LimitExceeded => io::ErrorKind::Other,
        };
        io::Error::new(kind, e)
    }
}

/// One file of a recording, in its format.
trait Sink {
    /// Records bytes of `stream` (one the file holds) at `t`.
    fn data(&mut self, t: Duration, stream: Stream, bytes: &[u8]) -> io::Result<()>;
    /// Records a window size change.
    fn resize(&mut self, t: Duration, size: Winsize) -> io::Result<()>;
    /// Records a signal that ends the session, by util-linux's name for it.
    fn signal(&mut self, _t: Duration, _name: &str) -> io::Result<()> {
        Ok(())
    }
    /// Writes out what is buffered.
    fn flush(&mut self) -> io::Result<()>;
    /// Writes the end of the recording and flushes.
    fn finish(self: Box<Self>, end: &End, wall: &DateTime<Local>) -> io::Result<()>;
    /// Drops what is buffered without writing it: the session never started.
    fn discard(self: Box<Self>);
}

/// A util-linux data log: the raw bytes between a header and a footer.
struct Raw(BufWriter<File>);

impl Sink for Raw {
    fn data(&mut self, _t: Duration, _stream: Stream, bytes: &[u8]) -> io::Result<()> {
        self.0.write_all(bytes)
    }

    fn resize(&mut self, _t: Duration, _size: Winsize) -> io::Result<()> {
        Ok(())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.0.flush()
    }

    fn finish(mut self: Box<Self>, end: &End, wall: &DateTime<Local>) -> io::Result<()> {
        let ending = if end.limit_exceeded { Ending::MaxOutputSizeExceeded } else { Ending::ExitCode(end.code) };
        typescript::write_footer(&mut self.0, wall, ending)?;
        self.0.flush()
    }

    fn discard(self: Box<Self>) {
        drop(self.0.into_parts());
    }
}

/// An asciicast recording.
struct Cast(CastWriter<BufWriter<File>>);

impl Sink for Cast {
    fn data(&mut self, t: Duration, stream: Stream, bytes: &[u8]) -> io::Result<()> {
        match stream {
            Stream::Output => self.0.output(t, bytes),
            Stream::Input => self.0.input(t, bytes),
        }
    }

    fn resize(&mut self, t: Duration, size: Winsize) -> io::Result<()> {
        self.0.resize(t, size)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.0.flush()
    }

    fn finish(self: Box<Self>, end: &End, _wall: &DateTime<Local>) -> io::Result<()> {
        let mut cast = self.0;
        cast.exit(end.t, end.code)?;
        cast.finish()?.flush()
    }

    fn discard(self: Box<Self>) {
        drop(self.0.into_inner().into_parts());
    }
}

/// A util-linux timing file.
struct Timing(TimingWriter<BufWriter<Box<dyn Write>>>);

impl Sink for Timing {
    fn data(&mut self, t: Duration, stream: Stream, bytes: &[u8]) -> io::Result<()> {
        match stream {
            Stream::Output => self.0.output(t, bytes.len()),
            Stream::Input => self.0.input(t, bytes.len()),
        }
    }

    fn resize(&mut self, t: Duration, size: Winsize) -> io::Result<()> {
        self.0.resize(t, size)
    }

    fn signal(&mut self, t: Duration, name: &str) -> io::Result<()> {
        self.0.signal(t, name)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.0.flush()
    }

    fn finish(mut self: Box<Self>, end: &End, _wall: &DateTime<Local>) -> io::Result<()> {
        if self.0.format() == timing::Format::Advanced {
            self.0.duration(end.t)?;
            self.0.info("EXIT_CODE", &end.code.to_string())?;
        }
        self.0.flush()
    }

    fn discard(self: Box<Self>) {
        drop(self.0.into_inner().into_parts());
    }
}

/// A file of the recording with the streams it takes.
struct Recorded {
    path: PathBuf,
    streams: Streams,
    sink: Box<dyn Sink>,
}

/// Writes every file of a session as events arrive.
pub struct Recorder {
    files: Vec<Recorded>,
    /// Streams some data log holds (only those count towards the limit).
    logged: Streams,
    limit: Option<u64>,
    written: u64,
    flush_each: bool,
}

impl Recorder {
    /// Writes the headers of every file, and flushes those not appended to, so that a file that
    /// cannot take them fails before the session starts. Nothing reaches a file appended to
    /// before the session has started (see [`Recorder::abandon`]).
    pub fn start(
        format: LogFormat,
        specs: Vec<LogSpec>,
        timing: Option<TimingSpec>,
        info: &SessionInfo,
        limit: Option<u64>,
        flush_each: bool,
    ) -> Result<Recorder, RecordError> {
        let mut recorder = Recorder { files: Vec::new(), logged: Streams::default(), limit, written: 0, flush_each };
        match recorder.open(format, specs, timing, info) {
            Ok(()) => Ok(recorder),
            Err(e) => {
                recorder.abandon();
                Err(e)
            }
        }
    }

    fn open(
        &mut self,
        format: LogFormat,
        specs: Vec<LogSpec>,
        timing: Option<TimingSpec>,
        info: &SessionInfo,
    ) -> Result<(), RecordError> {
        let mut separators = Vec::new();
        let mut early = Vec::new();
        for spec in specs {
            let with = |error: io::Error| RecordError::Write { path: spec.path.clone(), error };
            let appending = spec.existing_len > 0;
            let mut w = BufWriter::with_capacity(BUFFER, spec.file);
            let sink: Box<dyn Sink> = match format {
                LogFormat::Typescript => {
                    let header = typescript::Header { command: info.command.clone(), terminal: info.terminal.clone() };
                    let mut line = Vec::new();
                    typescript::write_header(&mut line, &info.start, &header).map_err(with)?;
                    w.write_all(&line).map_err(with)?;
                    if appending {
                        let old = spec.existing_len.saturating_sub(spec.existing_first_line);
                        separators.push((spec.streams, old, line.len() as u64));
                    }
                    Box::new(Raw(w))
                }
                LogFormat::Cast2 | LogFormat::Cast3 => {
                    let version =
                        if format == LogFormat::Cast2 { asciicast::Version::V2 } else { asciicast::Version::V3 };
                    let cast = if appending {
                        let after = cast_end(&spec.path, version).map_err(with)?;
                        CastWriter::resume(w, version, after, info.size).map_err(with)?
                    } else {
                        CastWriter::new(w, version, &cast_header(info)).map_err(with)?
                    };
                    Box::new(Cast(cast))
                }
            };
            self.logged = self.logged.or(spec.streams);
            if !appending {
                early.push(self.files.len());
            }
            self.files.push(Recorded { path: spec.path, streams: spec.streams, sink });
        }
        if let Some(spec) = timing {
            let with = |error: io::Error| RecordError::Write { path: spec.path.clone(), error };
            let mut w = TimingWriter::new(BufWriter::with_capacity(BUFFER, spec.writer), spec.format);
            if spec.format == timing::Format::Advanced {
                write_info(&mut w, info, &spec.path, &self.files).map_err(with)?;
            }
            // Appending: the data logs hold bytes the old timing does not account for (the
            // last footer, the new header). One zero-delay entry covers them, so a replay of
            // the appended pair plays both sessions in step.
            for (streams, existing, header) in separators {
                let (acc_out, acc_in) = spec.accounted.unwrap_or((0, 0));
                let accounted = if streams.output { acc_out } else { 0 } + if streams.input { acc_in } else { 0 };
                let uncovered = existing.saturating_sub(accounted);
                let n = (uncovered + header) as usize;
                let r = if streams.output { w.output(Duration::ZERO, n) } else { w.input(Duration::ZERO, n) };
                r.map_err(with)?;
            }
            if !spec.appending {
                early.push(self.files.len());
            }
            // util-linux times the streams it logs, and only those.
            self.files.push(Recorded { path: spec.path, streams: self.logged, sink: Box::new(Timing(w)) });
        }
        for i in early {
            let file = &mut self.files[i];
            file.sink.flush().map_err(|error| RecordError::Write { path: file.path.clone(), error })?;
        }
        Ok(())
    }

    /// Records one event of the relay.
    pub fn event(&mut self, t: Duration, event: Event<'_>) -> Result<(), RecordError> {
        match event {
            Event::Output(bytes) => self.data(t, Stream::Output, bytes)?,
            Event::Input(bytes) => self.data(t, Stream::Input, bytes)?,
            Event::Resize(size) => self.each(|sink| sink.resize(t, size))?,
            Event::Signal(libc::SIGUSR1) => return self.flush(),
            Event::Signal(sig) => {
                if let Some(name) = signal_name(sig) {
                    self.each(|sink| sink.signal(t, name))?;
                }
            }
            _ => {}
        }
        if self.flush_each {
            self.flush()?;
        }
        Ok(())
    }

    fn data(&mut self, t: Duration, stream: Stream, bytes: &[u8]) -> Result<(), RecordError> {
        for file in self.files.iter_mut().filter(|f| f.streams.has(stream)) {
            file.sink.data(t, stream, bytes).map_err(|error| RecordError::Write { path: file.path.clone(), error })?;
        }
        if self.logged.has(stream) {
            self.written += bytes.len() as u64;
        }
        match self.limit {
            Some(limit) if self.written >= limit => Err(RecordError::LimitExceeded),
            _ => Ok(()),
        }
    }

    /// Runs `f` on every file, naming the file it fails on.
    fn each(&mut self, mut f: impl FnMut(&mut dyn Sink) -> io::Result<()>) -> Result<(), RecordError> {
        for file in &mut self.files {
            f(file.sink.as_mut()).map_err(|error| RecordError::Write { path: file.path.clone(), error })?;
        }
        Ok(())
    }

    /// Writes everything buffered so far to the files.
    pub fn flush(&mut self) -> Result<(), RecordError> {
        self.each(|sink| sink.flush())
    }

    /// Writes the footers and flushes every file; the first failure is returned, after every
    /// file had its chance.
    pub fn finish(self, end: End) -> Result<(), RecordError> {
        let wall = Local::now();
        let mut first_error = None;
        for file in self.files {
            if let Err(error) = file.sink.finish(&end, &wall) {
                first_error.get_or_insert(RecordError::Write { path: file.path, error });
            }
        }
        first_error.map_or(Ok(()), Err)
    }

    /// The session never started: what is buffered is dropped unwritten, so a file appended to
    /// is left as it was. (Removing the files this run created is the caller's, who created them.)
    pub fn abandon(self) {
        for file in self.files {
            file.sink.discard();
        }
    }
}

/// The asciicast header of a new recording.
fn cast_header(info: &SessionInfo) -> asciicast::Header {
    asciicast::Header {
        cols: info.size.cols,
        rows: info.size.rows,
        term_type: info.term.clone(),
        timestamp: Some(info.start.timestamp()),
        idle_time_limit: None,
        command: info.command.clone(),
        title: None,
        env: vec![("SHELL".into(), info.shell.clone())],
    }
}

/// util-linux's `H` lines at the start of an advanced timing file.
fn write_info<W: Write>(w: &mut TimingWriter<W>, info: &SessionInfo, path: &Path, logs: &[Recorded]) -> io::Result<()> {
    w.info("START_TIME", &typescript::format_date(&info.start))?;
    if let Some(t) = &info.terminal {
        if let Some(term) = &t.term {
            w.info("TERM", term)?;
        }
        if let Some(tty) = &t.tty {
            w.info("TTY", tty)?;
        }
        w.info("COLUMNS", &t.cols.to_string())?;
        w.info("LINES", &t.rows.to_string())?;
    }
    w.info("SHELL", &info.shell)?;
    if let Some(command) = &info.command {
        w.info("COMMAND", command)?;
    }
    w.info("TIMING_LOG", &path.display().to_string())?;
    for log in logs.iter().filter(|l| l.streams.output) {
        w.info("OUTPUT_LOG", &log.path.display().to_string())?;
    }
    for log in logs.iter().filter(|l| l.streams.input) {
        w.info("INPUT_LOG", &log.path.display().to_string())?;
    }
    Ok(())
}

/// The names util-linux writes in `S` lines.
fn signal_name(sig: i32) -> Option<&'static str> {
    match sig {
        libc::SIGTERM => Some("SIGTERM"),
        libc::SIGINT => Some("SIGINT"),
        libc::SIGQUIT => Some("SIGQUIT"),
        libc::SIGHUP => Some("SIGHUP"),
        _ => None,
    }
}

/// Where an existing cast file ends, to append to it: the time of its last event. Fails if it is
/// not a cast of `version` or cannot be read to the end.
fn cast_end(path: &Path, version: asciicast::Version) -> io::Result<Duration> {
    let invalid = |why: String| io::Error::new(io::ErrorKind::InvalidData, why);
    let mut reader =
        asciicast::CastReader::new(BufReader::new(File::open(path)?)).map_err(|e| invalid(e.to_string()))?;
    if reader.version() != version {
        let name = |v| if v == asciicast::Version::V2 { "v2" } else { "v3" };
        return Err(invalid(format!(
            "cannot append: the file is asciicast {}, not {}",
            name(reader.version()),
            name(version)
        )));
    }
    let mut end = Duration::ZERO;
    while let Some(event) = reader.next_event().map_err(|e| invalid(e.to_string()))? {
        end = end.max(event.time);
    }
    Ok(end)
}

/// How many output and input bytes an existing timing file accounts for, or `None` when it
/// cannot be read (then the new entries account for everything already in the data logs).
pub fn accounted_bytes(path: &Path) -> Option<(u64, u64)> {
    let file = File::open(path).ok()?;
    let mut reader = BufReader::new(file);
    if reader.fill_buf().ok()?.is_empty() {
        return Some((0, 0));
    }
    let reader = TimingReader::new(reader).ok()?;
    let (mut out, mut inp) = (0, 0);
    for entry in reader {
        match entry.ok()?.kind {
            Kind::Output(n) => out += n,
            Kind::Input(n) => inp += n,
            _ => {}
        }
    }
    Some((out, inp))
}
