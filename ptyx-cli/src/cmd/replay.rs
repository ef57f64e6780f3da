//! `ptyx replay`: plays a recorded session back at its recorded pace.
//!
//! Compatible with util-linux `scriptreplay` 2.38
//! ([scriptreplay(1)](https://man7.org/linux/man-pages/man1/scriptreplay.1.html)): same options, same
//! defaults, same bytes on stdout (including the newline it prints at the end, and its `--summary` and
//! `-x signal`/`-x info` layouts). It also plays asciicast v2 and v3 recordings, told apart by their first
//! line (a JSON object). It needs no terminal: it writes to stdout whatever that is.
//!
//! Where it differs from `scriptreplay`, on purpose: a timing file that is corrupt, cut short, or that
//! wants more bytes than the data log holds is reported (`ptyx: FILE:LINE: ...`, exit 1) where
//! `scriptreplay` stops silently and exits 0; a file that is no recording at all (empty, or starting
//! with neither a timing entry nor a JSON header) is refused before any data log is looked for; pauses are scheduled against one clock so that many tiny
//! delays add up (`scriptreplay` drops each one under 100 µs); and the divisor divides the whole delay
//! (`scriptreplay` divides seconds and microseconds apart, so 1.5 s / 2 is 0.25 s there).

use super::logs::DataLogs;
use crate::format::asciicast::{self, CastReader, Code};
use crate::format::timing::{self, Format, Kind, TimingReader};
use crate::format::{io_message, typescript, ReadError};
use std::collections::BTreeSet;
use std::ffi::OsString;
use std::fs::File;
use std::io::{self, BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, Instant};

use ptyx::tty::ModeGuard;

/// Command-line arguments of `ptyx replay`.
#[derive(clap::Args, Debug)]
#[command(after_help = "\
Positional arguments fill in, in order, what options left unset: the timing file, then the data log \
(only when none of -O, -I, -B, -s is given; default \"typescript\"), then the divisor. An asciicast \
recording (v2 or v3) is given in place of the timing file and holds its own data; a number after it is \
the divisor.")]
pub struct Args {
    /// Timing file written by `script -T` (classic or advanced), or an asciicast recording.
    #[arg(short = 'T', long = "log-timing", visible_short_alias = 't', visible_alias = "timing", value_name = "FILE")]
    log_timing: Option<PathBuf>,

    #[command(flatten)]
    logs: DataLogs,

    /// Old name of --log-out.
    #[arg(short = 's', long = "typescript", value_name = "FILE", conflicts_with = "log_out")]
    typescript: Option<PathBuf>,

    /// Speed factor: delays are divided by NUM (2 plays twice as fast).
    #[arg(short = 'd', long = "divisor", visible_alias = "speed", value_name = "NUM", value_parser = parse_divisor)]
    divisor: Option<f64>,

    /// Wait at most SECS between updates (0: no limit). For an asciicast recording, replaces the
    /// recording's own idle_time_limit.
    #[arg(short = 'm', long = "maxdelay", visible_alias = "idle-limit", value_name = "SECS", value_parser = parse_seconds)]
    maxdelay: Option<Duration>,

    /// Play only this stream; repeat for several. Default: out (in when only an input log is given).
    #[arg(short = 'x', long = "stream", value_enum, value_name = "NAME")]
    stream: Vec<Stream>,

    /// Which carriage returns to turn into newlines: auto (those of the input stream), never or always.
    #[arg(short = 'c', long = "cr-mode", value_enum, value_name = "MODE", default_value = "auto")]
    cr_mode: CrMode,

    /// Show the information recorded about the session (advanced timing file or asciicast) and exit.
    #[arg(long)]
    summary: bool,

    /// Timing file (or asciicast recording), unless -T gives it.
    #[arg(value_name = "TIMING")]
    first: Option<OsString>,

    /// Data log, or the divisor (see below).
    #[arg(value_name = "TYPESCRIPT")]
    second: Option<OsString>,

    /// Divisor (see below).
    #[arg(value_name = "DIVISOR")]
    third: Option<OsString>,
}

/// A stream of a recording.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Stream {
    /// Output (timing `O`, asciicast `o`).
    Out,
    /// Input (timing `I`, asciicast `i`).
    In,
    /// Signals (timing `S`; asciicast `r` shows as SIGWINCH).
    Signal,
    /// Information about the session (timing `H`; the asciicast header and exit status).
    Info,
}

/// When carriage returns become newlines.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
enum CrMode {
    /// In the input stream only: keystrokes end lines with CR, which would overwrite the same line.
    Auto,
    /// Never.
    Never,
    /// In every stream.
    Always,
}

fn parse_divisor(s: &str) -> Result<f64, String> {
    match s.trim().parse::<f64>() {
        Ok(d) if d.is_finite() && d > 0.0 => Ok(d),
        _ => Err(format!("'{s}' is not a positive number")),
    }
}

fn parse_seconds(s: &str) -> Result<Duration, String> {
    s.trim()
        .parse::<f64>()
        .ok()
        .and_then(|x| Duration::try_from_secs_f64(x).ok())
        .ok_or_else(|| format!("'{s}' is not a number of seconds"))
}

/// The error has been reported on stderr already; only the exit status is left to give.
struct Reported;

/// Reports a failed write to stdout. A closed pipe (`ptyx replay ... | head`) is the reader's choice, not
/// something to complain about.
fn stdout_failed(e: io::Error) -> Reported {
    if e.kind() != io::ErrorKind::BrokenPipe {
        super::error("stdout", io_message(&e));
    }
    Reported
}

/// Reports a failure to read `path`.
fn read_failed(path: &Path, e: ReadError) -> Reported {
    match e {
        ReadError::Io(e) => super::error(path.display(), io_message(&e)),
        ReadError::Parse { line, message } => super::error(format_args!("{}:{line}", path.display()), message),
    }
    Reported
}

fn open(path: &Path) -> Result<BufReader<File>, Reported> {
    File::open(path).map(BufReader::new).map_err(|e| read_failed(path, e.into()))
}

/// Runs `ptyx replay`.
pub fn run(args: Args) -> ExitCode {
    match replay(args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(Reported) => ExitCode::FAILURE,
    }
}

fn replay(args: Args) -> Result<(), Reported> {
    let mut positional = [args.first.clone(), args.second.clone(), args.third.clone()].into_iter().flatten();
    let Some(timing) = args.log_timing.clone().or_else(|| positional.next().map(PathBuf::from)) else {
        super::error("replay", "timing file not specified");
        return Err(Reported);
    };
    let mut timing_reader = open(&timing)?;
    let start = timing_reader.fill_buf().map_err(|e| read_failed(&timing, e.into()))?;
    // Told apart by how they start, before any data log is looked for: a JSON object, a classic
    // entry (a digit), an advanced one (a type letter and a space).
    match start {
        [b'{', ..] => return replay_cast(&args, timing, timing_reader, positional),
        [] => return Err(not_a_recording(&timing, "it is empty")),
        [b'0'..=b'9', ..] | [b'O' | b'I' | b'S' | b'H', b' ', ..] => {}
        _ => return Err(not_a_recording(&timing, "it starts with neither a timing entry nor a JSON header")),
    }
    let reader = TimingReader::new(timing_reader).map_err(|e| read_failed(&timing, e.into()))?;

    let logs_given = &args.logs;
    let log_out = logs_given.log_out.clone().or_else(|| args.typescript.clone());
    let log_out = match log_out {
        None if !args.summary && logs_given.log_in.is_none() && logs_given.log_io.is_none() => {
            Some(positional.next().map(PathBuf::from).unwrap_or_else(|| PathBuf::from("typescript")))
        }
        other => other,
    };
    let divisor = match args.divisor {
        Some(d) => d,
        None => match positional.next() {
            Some(s) => positional_divisor(&s)?,
            None => 1.0,
        },
    };

    // The data logs in the order scriptreplay looks them up in: the first that carries a stream serves it.
    let mut logs = Vec::new();
    for (streams, path) in [("O", &log_out), ("I", &logs_given.log_in), ("IO", &logs_given.log_io)] {
        if let Some(path) = path {
            let mut reader = open(path)?;
            // The first line is the typescript header; scriptreplay throws it away unread.
            let header = skip_line(&mut reader).map_err(|e| read_failed(path, e.into()))?;
            logs.push(DataLog { streams, path: path.clone(), reader, header });
        }
    }

    let mut streams: BTreeSet<Stream> = args.stream.iter().copied().collect();
    if args.summary {
        streams = [Stream::Info].into();
    } else if streams.is_empty() {
        if log_out.is_some() || logs_given.log_io.is_some() {
            streams.insert(Stream::Out);
        } else {
            streams.insert(Stream::In);
        }
    }

    let mut player = Player::new(&args, divisor, None);
    let mut out = Terminal::new();
    let result = play_timing(&mut player, &mut out, &timing, reader, &mut logs, &streams, args.cr_mode);
    out.finish(result)
}

/// A file given as the recording that is none: what it is, and what was expected.
fn not_a_recording(path: &Path, why: &str) -> Reported {
    super::error(
        path.display(),
        format_args!(
            "not a recording: {why}; expected a timing file (script -T: lines like '0.010127 3' or \
             'O 0.001294 5') or an asciicast recording (a JSON header line)"
        ),
    );
    Reported
}

/// What the first line of a data log was, which scriptreplay skips as the typescript header.
#[derive(Debug, Clone, Copy)]
struct Skipped {
    /// Its length with the newline.
    len: u64,
    /// Whether it starts as util-linux headers do (`Script started on `).
    is_header: bool,
}

/// Skips to just after the next newline (or to the end), without holding the line.
fn skip_line(r: &mut impl BufRead) -> io::Result<Skipped> {
    const HEADER: &[u8] = b"Script started on ";
    let mut start = Vec::new();
    let mut len = 0u64;
    loop {
        let buf = match r.fill_buf() {
            Ok(buf) => buf,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if buf.is_empty() {
            return Ok(Skipped { len, is_header: start.starts_with(HEADER) });
        }
        let (n, done) = match buf.iter().position(|&b| b == b'\n') {
            Some(at) => (at + 1, true),
            None => (buf.len(), false),
        };
        let want = HEADER.len().saturating_sub(start.len()).min(n);
        start.extend_from_slice(&buf[..want]);
        r.consume(n);
        len += n as u64;
        if done {
            return Ok(Skipped { len, is_header: start.starts_with(HEADER) });
        }
    }
}

/// The divisor given as the last positional argument.
fn positional_divisor(s: &OsString) -> Result<f64, Reported> {
    let text = s.to_string_lossy();
    parse_divisor(&text).map_err(|why| {
        super::error("divisor", why);
        Reported
    })
}

/// A data log with the streams it holds (`"O"`, `"I"` or `"IO"`).
struct DataLog {
    streams: &'static str,
    path: PathBuf,
    reader: BufReader<File>,
    /// Its first line, skipped.
    header: Skipped,
}

/// Paces the replay: every pause is measured against the start, so time spent writing or tiny delays
/// never add up to drift.
struct Player {
    start: Instant,
    /// Where the replay should be by now, in replay time.
    target: Duration,
    divisor: f64,
    maxdelay: Option<Duration>,
    /// An asciicast's own idle_time_limit, applied before the divisor as asciinema applies it.
    idle_limit: Option<Duration>,
    /// Whether to pause at all (not for --summary).
    pace: bool,
}

impl Player {
    fn new(args: &Args, divisor: f64, idle_limit: Option<Duration>) -> Self {
        Player {
            start: Instant::now(),
            target: Duration::ZERO,
            divisor,
            // As in scriptreplay, a zero maximum means no maximum.
            maxdelay: args.maxdelay.filter(|m| !m.is_zero()),
            idle_limit: if args.maxdelay.is_some() { None } else { idle_limit },
            pace: !args.summary,
        }
    }

    /// Waits out a recorded pause of `delay`, flushing what is written so far first.
    fn pause(&mut self, out: &mut Terminal, delay: Duration) -> Result<(), Reported> {
        if !self.pace || delay.is_zero() {
            return Ok(());
        }
        let mut d = self.idle_limit.map_or(delay, |l| delay.min(l));
        d = Duration::try_from_secs_f64(d.as_secs_f64() / self.divisor).unwrap_or(Duration::MAX);
        if let Some(m) = self.maxdelay {
            d = d.min(m);
        }
        self.target = self.target.saturating_add(d);
        let now = self.start.elapsed();
        if self.target > now {
            out.flush()?;
            std::thread::sleep(self.target - now);
        }
        Ok(())
    }
}

/// Plays a timing file and its data logs.
fn play_timing(
    player: &mut Player,
    out: &mut Terminal,
    timing: &Path,
    reader: TimingReader<BufReader<File>>,
    logs: &mut [DataLog],
    streams: &BTreeSet<Stream>,
    cr_mode: CrMode,
) -> Result<(), Reported> {
    // A classic file's lines have no type: they are output, or whatever one stream was asked for.
    let classic_stream = match streams.iter().collect::<Vec<_>>().as_slice() {
        [only] => **only,
        _ => Stream::Out,
    };
    let format = reader.format();
    let mut pending = Duration::ZERO;
    for entry in reader {
        let entry = entry.map_err(|e| read_failed(timing, e))?;
        pending = pending.saturating_add(entry.delay);
        let (stream, bytes) = match (&entry.kind, format) {
            (Kind::Output(n) | Kind::Input(n), Format::Classic) => (classic_stream, *n),
            (Kind::Output(n), Format::Advanced) => (Stream::Out, *n),
            (Kind::Input(n), Format::Advanced) => (Stream::In, *n),
            (Kind::Signal { name, value }, _) => {
                if streams.contains(&Stream::Signal) {
                    player.pause(out, std::mem::take(&mut pending))?;
                    out.write(signal_line(name, value).as_bytes())?;
                }
                continue;
            }
            (Kind::Info { name, value }, _) => {
                if streams.contains(&Stream::Info) {
                    player.pause(out, std::mem::take(&mut pending))?;
                    out.write(info_line(name, value).as_bytes())?;
                }
                continue;
            }
        };
        let letter = match stream {
            Stream::Out => 'O',
            Stream::In => 'I',
            // Classic lines read as signals or information have no data log (as in scriptreplay).
            Stream::Signal | Stream::Info => continue,
        };
        let Some(log) = logs.iter_mut().find(|l| l.streams.contains(letter)) else {
            continue;
        };
        let copied = if streams.contains(&stream) {
            player.pause(out, std::mem::take(&mut pending))?;
            let cr2nl = cr_mode == CrMode::Always || (cr_mode == CrMode::Auto && stream == Stream::In);
            copy_data(log, bytes, out, cr2nl)?
        } else {
            // Not played, but the log must stay in step with the timing file.
            io::copy(&mut (&mut log.reader).take(bytes), &mut io::sink())
                .map_err(|e| read_failed(&log.path, e.into()))?
        };
        if copied < bytes {
            let mut message = format!(
                "the data log {} ends {} bytes short of the {bytes} this entry needs",
                log.path.display(),
                bytes - copied
            );
            if !log.header.is_header {
                message += &format!(
                    "; its first line ({} bytes), skipped as the typescript header, is no header \
                     ('Script started on ...'): is it a data log written by script?",
                    log.header.len
                );
            }
            return Err(read_failed(timing, ReadError::parse(entry.line, message)));
        }
    }
    Ok(())
}

/// Copies `n` bytes of `log` to stdout; returns how many there were.
fn copy_data(log: &mut DataLog, n: u64, out: &mut Terminal, cr2nl: bool) -> Result<u64, Reported> {
    let mut left = n;
    let mut buf = [0u8; 8192];
    while left > 0 {
        let want = buf.len().min(usize::try_from(left).unwrap_or(usize::MAX));
        let got = match log.reader.read(&mut buf[..want]) {
            Ok(0) => break,
            Ok(got) => got,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(read_failed(&log.path, e.into())),
        };
        let chunk = &mut buf[..got];
        if cr2nl {
            chunk.iter_mut().filter(|b| **b == b'\r').for_each(|b| *b = b'\n');
        }
        out.write(chunk)?;
        left -= got as u64;
    }
    Ok(n - left)
}

/// A signal as scriptreplay shows it: it keeps the space before the value, hence two.
fn signal_line(name: &str, value: &str) -> String {
    format!("{name} {}{value}\n", if value.is_empty() { "" } else { " " })
}

/// An information item as scriptreplay shows it (`%10s: %s`, the value with its leading space).
fn info_line(name: &str, value: &str) -> String {
    format!("{name:>10}: {}{value}\n", if value.is_empty() { "" } else { " " })
}

/// Plays an asciicast recording.
fn replay_cast(
    args: &Args,
    path: PathBuf,
    file: BufReader<File>,
    mut positional: impl Iterator<Item = OsString>,
) -> Result<(), Reported> {
    if args.logs.any() || args.typescript.is_some() {
        super::error(path.display(), "an asciicast recording holds its own data: -I, -O, -B and -s are not for it");
        return Err(Reported);
    }
    let given_with_t = args.log_timing.is_some();
    let extra = |s: &OsString| {
        let why = if given_with_t {
            format!("one recording at a time: -T names {}, an asciicast recording with its own data", path.display())
        } else {
            format!("one recording at a time: {} is an asciicast recording with its own data", path.display())
        };
        super::error(s.to_string_lossy(), why);
        Reported
    };
    let divisor = match (args.divisor, positional.next()) {
        (Some(d), None) => d,
        // A file where the divisor would be: a second recording, not a mistyped number.
        (_, Some(s)) if parse_divisor(&s.to_string_lossy()).is_err() && Path::new(&s).exists() => {
            return Err(extra(&s))
        }
        (None, Some(s)) => positional_divisor(&s)?,
        (None, None) => 1.0,
        (Some(_), Some(s)) => {
            super::error(s.to_string_lossy(), "unexpected argument after the asciicast recording");
            return Err(Reported);
        }
    };
    if let Some(extra) = positional.next() {
        super::error(extra.to_string_lossy(), "unexpected argument after the asciicast recording");
        return Err(Reported);
    }
    let reader = CastReader::new(file).map_err(|e| read_failed(&path, e))?;
    let header = reader.header().clone();
    let idle = header.idle_time_limit.and_then(|l| Duration::try_from_secs_f64(l).ok()).filter(|l| !l.is_zero());
    let mut streams: BTreeSet<Stream> = args.stream.iter().copied().collect();
    if args.summary {
        streams = [Stream::Info].into();
    } else if streams.is_empty() {
        streams.insert(Stream::Out);
    }
    let mut player = Player::new(args, divisor, idle);
    let mut out = Terminal::new();
    let result = play_cast(&mut player, &mut out, &path, reader, &header, &streams, args.cr_mode);
    out.finish(result)
}

fn play_cast(
    player: &mut Player,
    out: &mut Terminal,
    path: &Path,
    reader: CastReader<BufReader<File>>,
    header: &asciicast::Header,
    streams: &BTreeSet<Stream>,
    cr_mode: CrMode,
) -> Result<(), Reported> {
    let info = streams.contains(&Stream::Info);
    if info {
        out.write(cast_info(header).as_bytes())?;
    }
    let (mut played, mut end) = (Duration::ZERO, Duration::ZERO);
    let mut exit = None;
    for event in reader {
        let event = event.map_err(|e| read_failed(path, e))?;
        end = end.max(event.time);
        let text = match event.code {
            Code::Output if streams.contains(&Stream::Out) => {
                let cr2nl = cr_mode == CrMode::Always;
                if cr2nl {
                    event.data.replace('\r', "\n")
                } else {
                    event.data
                }
            }
            Code::Input if streams.contains(&Stream::In) => {
                if cr_mode == CrMode::Never {
                    event.data
                } else {
                    event.data.replace('\r', "\n")
                }
            }
            Code::Resize if streams.contains(&Stream::Signal) => match asciicast::parse_size(&event.data) {
                Some((cols, rows)) => signal_line("SIGWINCH", &format!("ROWS={rows} COLS={cols}")),
                None => signal_line("SIGWINCH", &event.data),
            },
            Code::Exit => {
                exit = Some(event.data);
                continue;
            }
            _ => continue,
        };
        player.pause(out, event.time.saturating_sub(played))?;
        played = played.max(event.time);
        out.write(text.as_bytes())?;
    }
    if info {
        out.write(info_line("DURATION", &timing::seconds_text(end)).as_bytes())?;
        if let Some(status) = exit {
            out.write(info_line("EXIT_CODE", &status).as_bytes())?;
        }
    }
    Ok(())
}

/// What an asciicast header says, in the layout of an advanced timing file's information.
fn cast_info(h: &asciicast::Header) -> String {
    let mut s = String::new();
    if let Some(start) = h.timestamp.and_then(|t| chrono::DateTime::from_timestamp(t, 0)) {
        s += &info_line("START_TIME", &typescript::format_date(&start.with_timezone(&chrono::Local)));
    }
    if let Some(term) = &h.term_type {
        s += &info_line("TERM", term);
    }
    s += &info_line("COLUMNS", &h.cols.to_string());
    s += &info_line("LINES", &h.rows.to_string());
    if let Some((_, shell)) = h.env.iter().find(|(k, _)| k == "SHELL") {
        s += &info_line("SHELL", shell);
    }
    if let Some(command) = &h.command {
        s += &info_line("COMMAND", &typescript::one_line(command));
    }
    if let Some(title) = &h.title {
        s += &info_line("TITLE", &typescript::one_line(title));
    }
    s
}

/// Standard output, in raw mode while the replay runs when it is a terminal (as scriptreplay does, so the
/// recorded bytes reach the screen unchanged, but keeping Ctrl-C).
struct Terminal {
    out: io::StdoutLock<'static>,
    /// Puts the terminal's mode back once `out` is flushed (fields drop after `Drop::drop`).
    _mode: Option<ModeGuard<'static>>,
}

impl Terminal {
    fn new() -> Self {
        let out = io::stdout().lock();
        // Not a terminal, or one that refuses the change: that only costs exactness on screen; the
        // replay goes on.
        let mode = ModeGuard::with(rustix::stdio::stdout(), |mode| {
            mode.make_raw();
            mode.local_modes |= rustix::termios::LocalModes::ISIG;
        })
        .ok();
        Terminal { out, _mode: mode }
    }

    fn write(&mut self, bytes: &[u8]) -> Result<(), Reported> {
        self.out.write_all(bytes).map_err(stdout_failed)
    }

    fn flush(&mut self) -> Result<(), Reported> {
        self.out.flush().map_err(stdout_failed)
    }

    /// Ends the replay: after a complete one, the final newline scriptreplay prints; in any case, the
    /// terminal modes back.
    fn finish(mut self, result: Result<(), Reported>) -> Result<(), Reported> {
        let result = result.and_then(|()| {
            self.write(b"\n")?;
            self.flush()
        });
        if result.is_err() {
            let _ = self.out.flush();
        }
        result
    }
}

impl Drop for Terminal {
    fn drop(&mut self) {
        let _ = self.out.flush();
    }
}
