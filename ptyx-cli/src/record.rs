//! The recorder behind `ptyx script`: turns the relay's events into the log files (typescript or
//! asciicast) and the timing file. It knows nothing of ptys; the relay knows nothing of formats.

use std::fs::File;
use std::io::{self, BufRead, BufReader, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::time::Duration;

use chrono::{DateTime, Local};
use ptyx::Event;

use crate::format::asciicast::{self, CastWriter};
use crate::format::timing::{self, Kind, TimingReader, TimingWriter};
use crate::format::typescript::{self, Ending};

/// Buffer of each log file: recording must not cost a system call per chunk of output.
const BUFFER: usize = 64 * 1024;

/// Which streams a log file holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Streams {
    /// Bytes typed (read from our stdin).
    pub input: bool,
    /// Bytes the program wrote.
    pub output: bool,
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
    /// Bytes already in it (appending).
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
    pub cols: u16,
    /// The pty's size.
    pub rows: u16,
    /// `$TERM`.
    pub term: Option<String>,
}

/// The timing file's writer.
type Timing = TimingWriter<BufWriter<Box<dyn Write>>>;

enum Sink {
    Raw(BufWriter<File>),
    Cast(CastWriter<BufWriter<File>>),
}

struct Log {
    path: PathBuf,
    streams: Streams,
    sink: Sink,
}

/// Writes every log of a session as events arrive.
pub struct Recorder {
    logs: Vec<Log>,
    timing: Option<(PathBuf, Timing)>,
    limit: Option<u64>,
    written: u64,
    flush_each: bool,
    /// Set when the output limit cut the session.
    pub limit_exceeded: bool,
    /// The file a write failed on, for the error message.
    pub failed: Option<PathBuf>,
}

/// The error an event returns when the output limit is reached: it ends the session.
fn limit_error() -> io::Error {
    io::Error::other("max output files size exceeded")
}

impl Recorder {
    /// Writes the headers of every log and of the timing file.
    pub fn start(
        format: LogFormat,
        specs: Vec<LogSpec>,
        timing: Option<TimingSpec>,
        info: &SessionInfo,
        limit: Option<u64>,
        flush_each: bool,
    ) -> Result<Recorder, (PathBuf, io::Error)> {
        let mut logs = Vec::new();
        let mut separators = Vec::new();
        for spec in specs {
            let path = spec.path.clone();
            let with = |e: io::Error| (path.clone(), e);
            let mut w = BufWriter::with_capacity(BUFFER, spec.file);
            let sink = match format {
                LogFormat::Typescript => {
                    let header = typescript::Header { command: info.command.clone(), terminal: info.terminal.clone() };
                    let mut line = Vec::new();
                    typescript::write_header(&mut line, &info.start, &header).map_err(with)?;
                    w.write_all(&line).map_err(with)?;
                    if spec.existing_len > 0 {
                        let old = spec.existing_len.saturating_sub(spec.existing_first_line);
                        separators.push((spec.streams, old, line.len() as u64));
                    }
                    Sink::Raw(w)
                }
                LogFormat::Cast2 | LogFormat::Cast3 => {
                    let version =
                        if format == LogFormat::Cast2 { asciicast::Version::V2 } else { asciicast::Version::V3 };
                    let header = asciicast::Header {
                        cols: info.cols,
                        rows: info.rows,
                        term_type: info.term.clone(),
                        timestamp: Some(info.start.timestamp()),
                        idle_time_limit: None,
                        command: info.command.clone(),
                        title: None,
                        env: vec![("SHELL".into(), info.shell.clone())],
                    };
                    if spec.existing_len > 0 {
                        let after = cast_end(&spec.path, version).map_err(with)?;
                        Sink::Cast(CastWriter::resume(w, version, after))
                    } else {
                        Sink::Cast(CastWriter::new(w, version, &header).map_err(with)?)
                    }
                }
            };
            logs.push(Log { path: spec.path, streams: spec.streams, sink });
        }
        let timing = match timing {
            None => None,
            Some(spec) => {
                let with = |e: io::Error| (spec.path.clone(), e);
                let mut w = TimingWriter::new(BufWriter::with_capacity(BUFFER, spec.writer), spec.format);
                if spec.format == timing::Format::Advanced {
                    write_info(&mut w, info, &spec.path, &logs).map_err(with)?;
                }
                // Appending: the data logs hold bytes the old timing does not account for (the
                // last footer, the new header). One zero-delay entry covers them, so a replay of
                // the appended pair plays both sessions in step.
                for (streams, existing, header) in separators {
                    let (acc_out, acc_in) = spec.accounted.unwrap_or((0, 0));
                    let accounted = if streams.output { acc_out } else { 0 } + if streams.input { acc_in } else { 0 };
                    let uncovered = existing.saturating_sub(accounted);
                    if streams.output {
                        w.output(Duration::ZERO, (uncovered + header) as usize).map_err(with)?;
                    } else {
                        w.input(Duration::ZERO, (uncovered + header) as usize).map_err(with)?;
                    }
                }
                Some((spec.path, w))
            }
        };
        Ok(Recorder { logs, timing, limit, written: 0, flush_each, limit_exceeded: false, failed: None })
    }

    /// Records one event of the relay.
    pub fn event(&mut self, t: Duration, event: Event<'_>) -> io::Result<()> {
        let result = self.record(t, event);
        if result.is_ok() && self.flush_each {
            self.flush()?;
        }
        result
    }

    fn record(&mut self, t: Duration, event: Event<'_>) -> io::Result<()> {
        match event {
            Event::Output(bytes) | Event::Input(bytes) => {
                let output = matches!(event, Event::Output(_));
                for log in &mut self.logs {
                    if (output && !log.streams.output) || (!output && !log.streams.input) {
                        continue;
                    }
                    let r = match &mut log.sink {
                        Sink::Raw(w) => w.write_all(bytes),
                        Sink::Cast(c) if output => c.output(t, bytes),
                        Sink::Cast(c) => c.input(t, bytes),
                    };
                    r.map_err(|e| fail(&mut self.failed, &log.path, e))?;
                }
                if let Some((path, w)) = &mut self.timing {
                    let r = if output { w.output(t, bytes.len()) } else { w.input(t, bytes.len()) };
                    r.map_err(|e| fail(&mut self.failed, path, e))?;
                }
                self.written += bytes.len() as u64;
                if self.limit.is_some_and(|limit| self.written >= limit) {
                    self.limit_exceeded = true;
                    return Err(limit_error());
                }
            }
            Event::Resize(size) => {
                for log in &mut self.logs {
                    if let Sink::Cast(c) = &mut log.sink {
                        c.resize(t, size.cols, size.rows).map_err(|e| fail(&mut self.failed, &log.path, e))?;
                    }
                }
                if let Some((path, w)) = &mut self.timing {
                    w.resize(t, size.rows, size.cols).map_err(|e| fail(&mut self.failed, path, e))?;
                }
            }
            Event::Signal(libc::SIGUSR1) => self.flush()?,
            Event::Signal(sig) => {
                if let (Some((path, w)), Some(name)) = (&mut self.timing, signal_name(sig)) {
                    w.signal(t, name).map_err(|e| fail(&mut self.failed, path, e))?;
                }
            }
            _ => {}
        }
        Ok(())
    }

    /// Writes everything buffered so far to the files.
    pub fn flush(&mut self) -> io::Result<()> {
        for log in &mut self.logs {
            let r = match &mut log.sink {
                Sink::Raw(w) => w.flush(),
                Sink::Cast(c) => c.flush(),
            };
            r.map_err(|e| fail(&mut self.failed, &log.path, e))?;
        }
        if let Some((path, w)) = &mut self.timing {
            w.flush().map_err(|e| fail(&mut self.failed, path, e))?;
        }
        Ok(())
    }

    /// Writes the footers (exit code `code`, or the limit notice) and flushes every file.
    pub fn finish(mut self, t: Duration, code: i32) -> Result<(), (PathBuf, io::Error)> {
        let end = Local::now();
        let ending = if self.limit_exceeded { Ending::MaxOutputSizeExceeded } else { Ending::ExitCode(code) };
        let mut first_error = None;
        for log in self.logs.drain(..) {
            let path = log.path;
            let r = match log.sink {
                Sink::Raw(mut w) => typescript::write_footer(&mut w, &end, ending).and_then(|()| w.flush()),
                Sink::Cast(mut c) => c.exit(t, code).and_then(|()| c.finish()).and_then(|mut w| w.flush()),
            };
            if let Err(e) = r {
                first_error.get_or_insert((path, e));
            }
        }
        if let Some((path, mut w)) = self.timing.take() {
            let r = if w.format() == timing::Format::Advanced {
                w.duration(t).and_then(|()| w.info("EXIT_CODE", &code.to_string()))
            } else {
                Ok(())
            };
            if let Err(e) = r.and_then(|()| w.flush()) {
                first_error.get_or_insert((path, e));
            }
        }
        first_error.map_or(Ok(()), Err)
    }
}

fn fail(failed: &mut Option<PathBuf>, path: &Path, e: io::Error) -> io::Error {
    failed.get_or_insert_with(|| path.to_owned());
    e
}

/// util-linux's `H` lines at the start of an advanced timing file.
fn write_info<W: Write>(w: &mut TimingWriter<W>, info: &SessionInfo, path: &Path, logs: &[Log]) -> io::Result<()> {
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
