//! `ptyx script`: record a terminal session, compatible with util-linux
//! [script(1)](https://man7.org/linux/man-pages/man1/script.1.html) 2.38 (options as its getopt reads
//! them, file formats, messages), with asciicast output as an option.
//!
//! Every file is opened before the program starts, so a bad path starts nothing; a start that fails
//! removes the files it created and writes nothing to those it appends to. Where it differs from
//! util-linux on purpose: files are created 0600; `-- PROGRAM` runs PROGRAM without a shell (and a
//! PROGRAM that cannot run is a failed start, exit 127/126) where `-c` goes through the shell as in
//! util-linux.

use std::ffi::OsString;
use std::fs::{File, OpenOptions};
use std::io::{self, BufRead, BufReader, IsTerminal};
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::OpenOptionsExt;
use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, Instant};

use clap::ValueEnum;

use super::logs::DataLogs;
use crate::format::timing;
use crate::format::typescript::{one_line, Terminal};
use crate::record::{
    accounted_bytes, End, LogFormat, LogSpec, RecordError, Recorder, SessionInfo, Streams, TimingSpec,
};

/// Command-line arguments of `ptyx script`.
#[derive(clap::Args, Debug)]
#[command(
    about = "Record a terminal session (util-linux script(1) compatible)",
    long_about = "Runs a shell (or PROGRAM, or -c CMD) on a new pseudo-terminal and records everything it \
                  prints to FILE (default: typescript), optionally with input and timing, in util-linux \
                  script formats or asciicast. Replay with `ptyx replay` or scriptreplay(1).",
    after_help = "Options are read as util-linux script reads them (getopt): -qtFILE, -t FILE (timing on \
                  stderr, FILE the log), -O -dash.log. Exit status: 0 (the program's with -e), 1 when \
                  recording fails; 127 (126) when PROGRAM after -- cannot be found (run): no session is \
                  recorded then. With -c the shell starts and reports a missing command itself, as in \
                  util-linux (127 in the log's footer, 0 without -e)."
)]
pub struct Args {
    /// Append to the log files (data and timing) instead of overwriting them.
    #[arg(short = 'a', long)]
    append: bool,
    /// Run `$SHELL -c CMD` (sh if SHELL is unset) instead of an interactive shell.
    #[arg(short = 'c', long, value_name = "CMD")]
    command: Option<String>,
    /// Run python3 as the shell (the Python docs' example).
    #[arg(short = 'p', long)]
    python: bool,
    /// Exit with the child's exit code (128 + signal number if it was killed).
    #[arg(short = 'e', long = "return")]
    return_code: bool,
    /// Flush the files after each write (SIGUSR1 flushes on demand).
    #[arg(short = 'f', long)]
    flush: bool,
    /// Use the default log `typescript` even when it is a link (a log you name is always written,
    /// through a link too).
    #[arg(long)]
    force: bool,
    /// Echo input in the session: auto and always leave the pty's echo on, never turns it off.
    #[arg(short = 'E', long, value_enum, value_name = "WHEN", default_value_t = Echo::Auto)]
    echo: Echo,
    /// End the session once the logs hold SIZE bytes (suffixes K, KiB, KB, M, MiB, MB, G...).
    #[arg(short = 'o', long = "output-limit", value_name = "SIZE", value_parser = parse_size)]
    output_limit: Option<u64>,
    /// Do not print the start and done messages.
    #[arg(short = 'q', long)]
    quiet: bool,
    /// Write timing information to FILE.
    #[arg(short = 'T', long = "log-timing", value_name = "FILE")]
    log_timing: Option<PathBuf>,
    /// Write timing information to FILE, or to stderr without FILE (use -tFILE or --timing=FILE).
    #[arg(short = 't', long = "timing", value_name = "FILE", num_args = 0..=1, require_equals = true, default_missing_value = "/dev/stderr")]
    timing: Option<PathBuf>,
    #[command(flatten)]
    logs: DataLogs,
    /// Timing file format (default: advanced when input is logged, else classic).
    #[arg(short = 'm', long = "logging-format", value_enum, value_name = "NAME", ignore_case = true)]
    logging_format: Option<TimingFormat>,
    /// Format of the log files: typescript (util-linux), asciicast (v3, asciinema 3) or
    /// asciicast-v2 (asciinema 2 and 3).
    #[arg(long, value_enum, default_value_t = FileFormat::Typescript)]
    format: FileFormat,
    /// Window width when stdin is not a terminal.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..))]
    cols: Option<u16>,
    /// Window height when stdin is not a terminal.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..))]
    rows: Option<u16>,
    /// The output log (default: typescript).
    #[arg(value_name = "FILE")]
    file: Option<PathBuf>,
    /// Run PROGRAM with ARGS directly, without a shell.
    #[arg(last = true, value_name = "PROGRAM ARGS")]
    program: Vec<OsString>,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
enum Echo {
    Auto,
    Always,
    Never,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
enum TimingFormat {
    Classic,
    Advanced,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
enum FileFormat {
    Typescript,
    Asciicast,
    #[value(name = "asciicast-v2")]
    AsciicastV2,
}

/// A reason to stop: the message for stderr and the exit code.
struct Failure {
    message: String,
    code: u8,
}

impl Failure {
    /// `ptyx: <what>: <why>`, exit 1.
    fn new(what: impl std::fmt::Display, why: impl std::fmt::Display) -> Failure {
        Failure { message: format!("{what}: {why}"), code: 1 }
    }

    fn io(path: &Path, e: &io::Error) -> Failure {
        Failure::new(path.display(), crate::format::io_message(e))
    }

    fn record(e: &RecordError) -> Failure {
        match e {
            RecordError::Write { path, error } => Failure::io(path, error),
            RecordError::LimitExceeded => Failure::new("script", e),
        }
    }
}

/// Runs `ptyx script`.
pub fn run(args: Args) -> ExitCode {
    match script(args) {
        Ok(code) => code,
        Err(f) => {
            super::error_line(&f.message);
            ExitCode::from(f.code)
        }
    }
}

/// Parses `-o` sizes the way util-linux does: K = KiB = 1024, KB = 1000, and so on up to E.
fn parse_size(s: &str) -> Result<u64, String> {
    let digits = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
    let (number, suffix) = s.split_at(digits);
    let number: u64 = number.parse().map_err(|_| format!("invalid size '{s}'"))?;
    let upper = suffix.to_ascii_uppercase();
    let (letter, rest) = upper.split_at(upper.len().min(1));
    let power = match letter {
        "" => 0,
        "K" => 1,
        "M" => 2,
        "G" => 3,
        "T" => 4,
        "P" => 5,
        "E" => 6,
        _ => return Err(format!("invalid size suffix in '{s}'")),
    };
    let base: u64 = match rest {
        "" | "IB" => 1024,
        "B" => 1000,
        _ => return Err(format!("invalid size suffix in '{s}'")),
    };
    base.checked_pow(power).and_then(|m| number.checked_mul(m)).ok_or_else(|| format!("size '{s}' is too large"))
}

/// What to run, and how the headers name it.
struct Program {
    argv: Vec<OsString>,
    command: Option<String>,
    shell: String,
}

fn program(args: &Args) -> Result<Program, Failure> {
    let shell = std::env::var("SHELL").ok().filter(|s| !s.is_empty()).unwrap_or_else(|| "sh".into());
    let given = [args.command.is_some(), !args.program.is_empty(), args.python].iter().filter(|&&b| b).count();
    if given > 1 {
        return Err(Failure::new("script", "use only one of --command, --python and -- PROGRAM"));
    }
    Ok(if let Some(cmd) = &args.command {
        Program { argv: vec![shell.clone().into(), "-c".into(), cmd.into()], command: Some(cmd.clone()), shell }
    } else if !args.program.is_empty() {
        let words: Vec<String> = args.program.iter().map(|a| shell_quote(&a.to_string_lossy())).collect();
        Program { argv: args.program.clone(), command: Some(words.join(" ")), shell }
    } else if args.python {
        Program { argv: vec!["python3".into()], command: None, shell }
    } else {
        Program { argv: vec![shell.clone().into(), "-i".into()], command: None, shell }
    })
}

/// Quotes a word for the header's COMMAND field only where a shell would need it.
fn shell_quote(word: &str) -> String {
    let plain = !word.is_empty() && word.chars().all(|c| c.is_ascii_alphanumeric() || "-_./=:,+@%".contains(c));
    if plain {
        word.to_owned()
    } else {
        format!("'{}'", word.replace('\'', r"'\''"))
    }
}

/// The name util-linux logs to when none is given.
const DEFAULT_LOG: &str = "typescript";

/// The log files to write, each with the streams it holds (a file named for both is one file),
/// and whether the output log is the default one, which no one named.
fn log_paths(args: &Args) -> Result<(Vec<(PathBuf, Streams)>, bool), Failure> {
    let logs = &args.logs;
    if args.file.is_some() && logs.log_out.is_some() {
        return Err(Failure::new("script", "give the output log either as FILE or with --log-out, not both"));
    }
    let mut paths: Vec<(PathBuf, Streams)> = Vec::new();
    let mut add = |path: &PathBuf, input: bool, output: bool| match paths.iter_mut().find(|(p, _)| p == path) {
        Some((_, streams)) => {
            streams.input |= input;
            streams.output |= output;
        }
        None => paths.push((path.clone(), Streams { input, output })),
    };
    if let Some(p) = &logs.log_io {
        add(p, true, true);
    }
    if let Some(p) = logs.log_out.as_ref().or(args.file.as_ref()) {
        add(p, false, true);
    }
    if let Some(p) = &logs.log_in {
        add(p, true, false);
    }
    if !paths.is_empty() {
        return Ok((paths, false));
    }
    Ok((vec![(PathBuf::from(DEFAULT_LOG), Streams { input: false, output: true })], true))
}

/// util-linux refuses to write the default log through a link, a name the user did not choose
/// and that someone else may have planted; a log the user names is theirs to point anywhere.
fn refuse_default_link(path: &Path) -> Result<(), Failure> {
    use std::os::unix::fs::MetadataExt;
    match std::fs::symlink_metadata(path) {
        Ok(meta) if meta.file_type().is_symlink() || meta.nlink() > 1 => Err(default_is_a_link(path)),
        _ => Ok(()),
    }
}

/// util-linux's message, word for word.
fn default_is_a_link(path: &Path) -> Failure {
    Failure {
        message: format!(
            "output file `{}' is a link\nUse --force if you really want to use it.\nProgram not started.",
            path.display()
        ),
        code: 1,
    }
}

/// The files this run created, removed again unless the session started: a failed start leaves
/// nothing behind.
#[derive(Default)]
struct Created(Vec<PathBuf>);

impl Created {
    /// The session started: the files stay.
    fn keep(mut self) {
        self.0.clear();
    }
}

impl Drop for Created {
    fn drop(&mut self) {
        for path in &self.0 {
            // Nothing more to do if it is gone already.
            let _ = std::fs::remove_file(path);
        }
    }
}

/// Opens a recording file: created 0600 (it may hold passwords typed at a prompt), or opened to be
/// emptied or appended to with its mode kept. `nofollow` refuses a link that appeared since it was
/// checked. A file this call created is noted in `created`.
fn open_log(path: &Path, append: bool, nofollow: bool, created: &mut Created) -> Result<File, Failure> {
    let open = |create_new: bool| {
        let mut options = OpenOptions::new();
        options.write(true).mode(0o600);
        if create_new {
            options.create_new(true);
        } else {
            options.create(true);
            if append {
                options.append(true);
            } else {
                options.truncate(true);
            }
        }
        if nofollow {
            options.custom_flags(libc::O_NOFOLLOW);
        }
        options.open(path)
    };
    let failed = |e: io::Error| match e.raw_os_error() {
        Some(libc::ELOOP) if nofollow => default_is_a_link(path),
        _ => Failure::io(path, &e),
    };
    match open(true) {
        Ok(file) => {
            created.0.push(path.to_owned());
            Ok(file)
        }
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => open(false).map_err(failed),
        Err(e) => Err(failed(e)),
    }
}

/// Length of the first line of `path` (the header scriptreplay skips), 0 if unreadable.
fn first_line_len(path: &Path) -> u64 {
    let Ok(file) = File::open(path) else { return 0 };
    let mut line = Vec::new();
    BufReader::new(file).read_until(b'\n', &mut line).map_or(0, |n| n as u64)
}

/// The name of the terminal on `fd` (ttyname(3)), when it has one.
fn tty_name(fd: impl std::os::fd::AsFd) -> Option<String> {
    rustix::termios::ttyname(fd, Vec::new()).ok().map(|name| name.to_string_lossy().into_owned())
}

fn script(args: Args) -> Result<ExitCode, Failure> {
    let prog = program(&args)?;
    let (paths, default_log) = log_paths(&args)?;
    let input_logged = paths.iter().any(|(_, s)| s.input);
    let format = match args.format {
        FileFormat::Typescript => LogFormat::Typescript,
        FileFormat::Asciicast => LogFormat::Cast3,
        FileFormat::AsciicastV2 => LogFormat::Cast2,
    };
    // util-linux drops one `=` from -t's value, so that `-t=FILE` names FILE as `--timing=FILE` does.
    let timing = args.timing.as_deref().map(|p| match p.as_os_str().as_bytes().strip_prefix(b"=") {
        Some(rest) => PathBuf::from(std::ffi::OsStr::from_bytes(rest)),
        None => p.to_owned(),
    });
    let timing_path = match (&args.log_timing, &timing) {
        (Some(_), Some(_)) => return Err(Failure::new("script", "give --log-timing or --timing, not both")),
        // util-linux's default: written to our stderr itself, never opened (and truncated) by name.
        (Some(p), None) | (None, Some(p)) if p == Path::new("/dev/stderr") => Some(None),
        (Some(p), None) | (None, Some(p)) => Some(Some(p.clone())),
        (None, None) => None,
    };
    if timing_path.is_some() && format != LogFormat::Typescript {
        return Err(Failure::new(
            "--log-timing",
            "asciicast files carry their own timing; use it with --format typescript",
        ));
    }
    let timing_format = match args.logging_format {
        Some(TimingFormat::Classic) if input_logged && timing_path.is_some() => {
            return Err(Failure::new("--logging-format", "classic timing cannot describe logged input; use advanced"))
        }
        Some(TimingFormat::Classic) => timing::Format::Classic,
        Some(TimingFormat::Advanced) => timing::Format::Advanced,
        None if input_logged => timing::Format::Advanced,
        None => timing::Format::Classic,
    };

    // Every file is opened before the child exists: a bad path starts nothing, and leaves nothing
    // behind (the files opened so far that this run created are removed when `created` drops).
    let guard_default = default_log && !args.force;
    if guard_default {
        refuse_default_link(Path::new(DEFAULT_LOG))?;
    }
    let mut created = Created::default();
    let mut specs = Vec::new();
    for (path, streams) in paths {
        let appending = args.append && std::fs::metadata(&path).is_ok_and(|m| m.len() > 0);
        let existing_first_line = if appending { first_line_len(&path) } else { 0 };
        let file = open_log(&path, args.append, guard_default, &mut created)?;
        let existing_len = if args.append { file.metadata().map_or(0, |m| m.len()) } else { 0 };
        specs.push(LogSpec { path, file, streams, existing_len, existing_first_line });
    }
    let timing = match timing_path {
        None => None,
        Some(None) => Some(TimingSpec {
            path: PathBuf::from("/dev/stderr"),
            writer: Box::new(io::stderr()),
            format: timing_format,
            accounted: None,
            appending: false,
        }),
        Some(Some(path)) => {
            let accounted = if args.append { accounted_bytes(&path) } else { None };
            let file = open_log(&path, args.append, false, &mut created)?;
            let appending = args.append && file.metadata().is_ok_and(|m| m.len() > 0);
            Some(TimingSpec { path, writer: Box::new(file), format: timing_format, accounted, appending })
        }
    };

    let stdin = io::stdin();
    let tty_size = ptyx::winsize::of_terminal(&stdin);
    let size = tty_size.unwrap_or(ptyx::Winsize::new(args.rows.unwrap_or(24), args.cols.unwrap_or(80)));
    let term = std::env::var("TERM").ok();
    let terminal = stdin.is_terminal().then(|| Terminal {
        term: term.clone(),
        tty: tty_name(&stdin),
        cols: size.cols,
        rows: size.rows,
    });
    let info = SessionInfo {
        start: chrono::Local::now(),
        command: prog.command.as_deref().map(one_line),
        shell: prog.shell.clone(),
        terminal,
        size,
        term,
    };
    if !args.quiet {
        super::say(started_message(&specs, timing.as_ref()));
    }
    let mut recorder = Recorder::start(format, specs, timing, &info, args.output_limit, args.flush)
        .map_err(|e| Failure::record(&e))?;

    let mut command = ptyx::Command::new(&prog.argv[0]);
    command.args(&prog.argv[1..]);
    // The size the headers record; on a terminal, the relay follows its resizes from there.
    command.window_size(size);
    match args.echo {
        Echo::Never => {
            command.echo(false);
        }
        Echo::Always => {
            command.echo(true);
        }
        Echo::Auto => {}
    }
    // The relay says when the program could not be started: a failed start, not a session.
    let mut spawn_failed = false;
    let start = Instant::now();
    let result = ptyx::Relay::new(command)
        .kill_after(Some(Duration::from_secs(2)))
        .report_signal(libc::SIGUSR1)
        .on_spawn_error(|_| spawn_failed = true)
        .on_event(|t, event| recorder.event(t, event).map_err(io::Error::from))
        .run();
    let t = start.elapsed();

    let (end, failure) = match result.map_err(RecordError::from_io) {
        Ok(status) => (
            End { t, code: status.code().unwrap_or_else(|| 128 + status.signal().unwrap_or(0)), limit_exceeded: false },
            None,
        ),
        Err(Ok(RecordError::LimitExceeded)) => {
            if !args.quiet {
                super::say(format_args!(
                    "Script terminated, max output files size {} exceeded.",
                    args.output_limit.unwrap_or(0)
                ));
            }
            (End { t, code: 1, limit_exceeded: true }, None)
        }
        Err(Ok(e)) => (End { t, code: 1, limit_exceeded: false }, Some(Failure::record(&e))),
        Err(Err(e)) if spawn_failed => {
            // Nothing ran: no session to keep. `created` removes the new files when it drops.
            recorder.abandon();
            if !args.quiet {
                super::say("Script done.");
            }
            let code = match e.kind() {
                io::ErrorKind::NotFound => 127,
                io::ErrorKind::PermissionDenied => 126,
                _ => 1,
            };
            return Err(Failure {
                code,
                ..Failure::new(prog.argv[0].to_string_lossy(), crate::format::io_message(&e))
            });
        }
        Err(Err(e)) => {
            (End { t, code: 1, limit_exceeded: false }, Some(Failure::new("script", crate::format::io_message(&e))))
        }
    };
    created.keep();
    let finished = recorder.finish(end);
    if !args.quiet {
        super::say("Script done.");
    }
    if let Some(failure) = failure {
        return Err(failure);
    }
    finished.map_err(|e| Failure::record(&e))?;
    Ok(if end.limit_exceeded {
        ExitCode::FAILURE
    } else if args.return_code {
        ExitCode::from(end.code.clamp(0, 255) as u8)
    } else {
        ExitCode::SUCCESS
    })
}

/// `Script started, output log file is 'X', input log file is 'Y', timing file is 'Z'.`
fn started_message(specs: &[LogSpec], timing: Option<&TimingSpec>) -> String {
    let mut msg = String::from("Script started");
    for spec in specs.iter().filter(|s| s.streams.output) {
        msg += &format!(", output log file is '{}'", spec.path.display());
    }
    for spec in specs.iter().filter(|s| s.streams.input) {
        msg += &format!(", input log file is '{}'", spec.path.display());
    }
    if let Some(t) = timing {
        msg += &format!(", timing file is '{}'", t.path.display());
    }
    msg + "."
}

#[cfg(test)]
mod tests {
    use super::parse_size;

    #[test]
    fn sizes_parse_like_util_linux() {
        assert_eq!(parse_size("10"), Ok(10));
        assert_eq!(parse_size("1K"), Ok(1024));
        assert_eq!(parse_size("1KiB"), Ok(1024));
        assert_eq!(parse_size("1KB"), Ok(1000));
        assert_eq!(parse_size("2M"), Ok(2 << 20));
        assert_eq!(parse_size("3MB"), Ok(3_000_000));
        assert!(parse_size("").is_err());
        assert!(parse_size("1X").is_err());
        assert!(parse_size("-1").is_err());
        assert!(parse_size("99999999999E").is_err());
    }
}
