//! The ptyx side of the comparison (driven by `compare`).
//!
//! - `record FILE CMD [ARG...]`: `ptyx::spawn_with` with the recording
//!   callback of its docs (`ptyx::read`, then write the bytes to FILE);
//!   spawn_with also copies the output to stdout, as Python's pty.spawn does.
//! - `record-quiet FILE CMD [ARG...]`: the same through `ptyx::Relay` with
//!   no input and no copy to stdout (a diagnostic, not in the table).
//! - `spawn N`: `ptyx::Command::new("/bin/true").spawn()?.wait()`, N times;
//!   prints `elapsed_ns=T iters=N`.
//! - `rtt N CMD [ARG...]`: one-byte round trips to the echo program CMD
//!   through `Child::master()`; prints `elapsed_ns=T iters=N`.
//! - `expect KIND N WRITER`: an expect `Session` (without a screen) on `WRITER N MARKER` waits
//!   for the marker after N bytes, with a needle of KIND: `literal`
//!   (`MARKER-12345`), `regex` (`MARKER-(\d+)\r\n`) or `class` (a regex
//!   with no literal prefix, `[A-Z]{3,8}-(\d+)\r\n`); checks the N bytes
//!   before it.
//! - `mixed N`: writes N bytes of mixed terminal output (text, colours, cursor
//!   movement: `ptyx_bench::mixed_output`) to stdout.
//! - `session screen|bytes CMD [ARG...]`: an expect `Session` with its screen
//!   (or without: `spawn_without_screen`) reads CMD's output to the end.

use ptyx_bench::print_elapsed;
use std::io::{self, Read, Write};
use std::process::ExitCode;
use std::time::Instant;

fn record(file: &str, argv: &[String]) -> io::Result<ExitCode> {
    let mut log = std::fs::File::create(file)?;
    let status = ptyx::spawn_with(
        argv,
        |fd, buf| {
            let n = ptyx::read(fd, buf)?;
            log.write_all(&buf[..n])?;
            Ok(n)
        },
        ptyx::read,
    )?;
    Ok(ExitCode::from(status.code().unwrap_or(128).clamp(0, 255) as u8))
}

/// Diagnostic variant of `record`: the same recording through `ptyx::Relay`
/// with no input at all (so no end of input is forwarded) and no copy to
/// stdout; isolates what spawn_with's defaults cost.
fn record_quiet(file: &str, argv: &[String]) -> io::Result<ExitCode> {
    let mut log = std::fs::File::create(file)?;
    let mut cmd = ptyx::Command::new(&argv[0]);
    cmd.args(&argv[1..]);
    let status = ptyx::Relay::new(cmd)
        .input(None)
        .output(None)
        .master_read(|fd, buf| {
            let n = ptyx::read(fd, buf)?;
            log.write_all(&buf[..n])?;
            Ok(n)
        })
        .run()?;
    Ok(ExitCode::from(status.code().unwrap_or(128).clamp(0, 255) as u8))
}

fn spawn(n: u64) -> io::Result<ExitCode> {
    let start = Instant::now();
    for _ in 0..n {
        let status = ptyx::Command::new("/bin/true").spawn()?.wait()?;
        if !status.success() {
            return Err(io::Error::other(format!("/bin/true failed: {status}")));
        }
    }
    print_elapsed(start.elapsed(), n);
    Ok(ExitCode::SUCCESS)
}

fn rtt(n: u64, argv: &[String]) -> io::Result<ExitCode> {
    let mut child = ptyx::Command::new(&argv[0]).args(&argv[1..]).spawn()?;
    let mut master = child.master();
    let mut byte = [0u8; 1];
    master.read_exact(&mut byte)?;
    if byte[0] != b'R' {
        return Err(io::Error::other(format!("echo sent {:?}, not R", byte[0] as char)));
    }
    let start = Instant::now();
    for _ in 0..n {
        master.write_all(b"a")?;
        master.read_exact(&mut byte)?;
        if byte[0] != b'a' {
            return Err(io::Error::other(format!("echo sent {:?}, not a", byte[0] as char)));
        }
    }
    let elapsed = start.elapsed();
    master.write_all(b"q")?;
    child.wait()?;
    print_elapsed(elapsed, n);
    Ok(ExitCode::SUCCESS)
}

fn expect(kind: &str, n: u64, writer: &str) -> io::Result<ExitCode> {
    use ptyx::expect::{Needle, Regex, Session};
    let regex = |re: &str| Regex::new(re).map(Needle::from).map_err(io::Error::other);
    let needle = match kind {
        "literal" => Needle::from("MARKER-12345"),
        "regex" => regex(r"MARKER-(\d+)\r\n")?,
        "class" => regex(r"[A-Z]{3,8}-(\d+)\r\n")?,
        _ => return Err(io::Error::new(io::ErrorKind::InvalidInput, format!("unknown needle kind {kind}"))),
    };
    // The expect engine as a build with only the `expect` feature has it: this crate turns on
    // `screen` too (for the screen phase), which would put a screen in every `Session::spawn`.
    let mut s =
        Session::spawn_without_screen(ptyx::Command::new(writer).arg(n.to_string()).arg(ptyx_bench::EXPECT_MARKER))?;
    s.set_timeout(None);
    let m = s.expect(needle)?;
    // The pattern, then the "\r\n" the marker starts with.
    let before = m.before();
    let want = n as usize + 2;
    if before.len() != want || !before.ends_with(b"\r\n") {
        return Err(io::Error::other(format!("{} bytes before the marker, expected {want}", before.len())));
    }
    if !s.wait()?.success() {
        return Err(io::Error::other("the writer failed"));
    }
    Ok(ExitCode::SUCCESS)
}

fn mixed(n: u64) -> io::Result<ExitCode> {
    // One block of 1 MiB, made once and written again and again.
    let block = ptyx_bench::mixed_output::mixed_output(1 << 20, 24, 80);
    let mut out = io::stdout().lock();
    let mut left = n as usize;
    while left > 0 {
        let take = left.min(block.len());
        for chunk in block[..take].chunks(64 * 1024) {
            out.write_all(chunk)?;
        }
        left -= take;
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

fn session(kind: &str, argv: &[String]) -> io::Result<ExitCode> {
    use ptyx::expect::Session;
    let mut cmd = ptyx::Command::new(&argv[0]);
    cmd.args(&argv[1..]);
    let mut s = match kind {
        "screen" => Session::spawn(&mut cmd)?,
        "bytes" => Session::spawn_without_screen(&mut cmd)?,
        _ => return Err(io::Error::new(io::ErrorKind::InvalidInput, format!("unknown session kind {kind}"))),
    };
    s.set_timeout(None);
    let status = s.wait()?;
    if !status.success() || s.unmatched().is_empty() {
        return Err(io::Error::other(format!("the program failed ({status}) or printed nothing")));
    }
    Ok(ExitCode::SUCCESS)
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let num =
        |s: &String| s.parse::<u64>().map_err(|e| io::Error::new(io::ErrorKind::InvalidInput, format!("{s}: {e}")));
    let result = match args.first().map(String::as_str) {
        Some("record") if args.len() >= 3 => record(&args[1], &args[2..]),
        Some("record-quiet") if args.len() >= 3 => record_quiet(&args[1], &args[2..]),
        Some("spawn") if args.len() == 2 => num(&args[1]).and_then(spawn),
        Some("rtt") if args.len() >= 3 => num(&args[1]).and_then(|n| rtt(n, &args[2..])),
        Some("expect") if args.len() == 4 => num(&args[2]).and_then(|n| expect(&args[1], n, &args[3])),
        Some("mixed") if args.len() == 2 => num(&args[1]).and_then(mixed),
        Some("session") if args.len() >= 3 => session(&args[1], &args[2..]),
        _ => {
            eprintln!("usage: bench-ptyx record FILE CMD... | spawn N | rtt N CMD... | expect KIND N WRITER | mixed N | session screen|bytes CMD...");
            return ExitCode::from(2);
        }
    };
    result.unwrap_or_else(|e| {
        eprintln!("bench-ptyx: {e}");
        ExitCode::FAILURE
    })
}
