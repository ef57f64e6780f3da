//! The portable-pty side of the comparison (driven by `compare`).
//!
//! - `record FILE CMD [ARG...]`: run CMD on a pty, copy the master to FILE in
//!   64 KiB reads until EOF, reap; prints `bytes=N`.
//! - `spawn N`: spawn `/bin/true` on a fresh pty and wait for it, N times;
//!   prints `elapsed_ns=T iters=N`.
//! - `rtt N CMD [ARG...]`: one-byte round trips to the echo program CMD;
//!   prints `elapsed_ns=T iters=N`.

use portable_pty::{native_pty_system, CommandBuilder, PtySize};
use ptyx_bench::{print_elapsed, CHUNK};
use std::io::{Read, Write};
use std::process::ExitCode;
use std::time::Instant;

type Error = Box<dyn std::error::Error + Send + Sync>;

fn command(argv: &[String]) -> CommandBuilder {
    let mut cmd = CommandBuilder::new(&argv[0]);
    cmd.args(&argv[1..]);
    cmd.cwd(std::env::current_dir().expect("current dir"));
    cmd
}

fn record(file: &str, argv: &[String]) -> Result<ExitCode, Error> {
    let mut out = std::fs::File::create(file)?;
    let pair = native_pty_system().openpty(PtySize::default())?;
    let mut child = pair.slave.spawn_command(command(argv))?;
    drop(pair.slave);
    let mut reader = pair.master.try_clone_reader()?;
    let mut buf = vec![0u8; CHUNK];
    let mut total = 0u64;
    loop {
        match reader.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => {
                out.write_all(&buf[..n])?;
                total += n as u64;
            }
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            // EIO: the slave side is closed, the child has gone.
            Err(e) if e.raw_os_error() == Some(libc::EIO) => break,
            Err(e) => return Err(e.into()),
        }
    }
    let status = child.wait()?;
    println!("bytes={total}");
    Ok(ExitCode::from(status.exit_code().min(255) as u8))
}

fn spawn(n: u64) -> Result<ExitCode, Error> {
    let system = native_pty_system();
    let start = Instant::now();
    for _ in 0..n {
        let pair = system.openpty(PtySize::default())?;
        let mut child = pair.slave.spawn_command(CommandBuilder::new("/bin/true"))?;
        drop(pair.slave);
        let status = child.wait()?;
        if !status.success() {
            return Err(format!("/bin/true failed: {status}").into());
        }
    }
    print_elapsed(start.elapsed(), n);
    Ok(ExitCode::SUCCESS)
}

fn rtt(n: u64, argv: &[String]) -> Result<ExitCode, Error> {
    let pair = native_pty_system().openpty(PtySize::default())?;
    let mut child = pair.slave.spawn_command(command(argv))?;
    drop(pair.slave);
    let mut reader = pair.master.try_clone_reader()?;
    let mut writer = pair.master.take_writer()?;
    let mut byte = [0u8; 1];
    reader.read_exact(&mut byte)?;
    if byte[0] != b'R' {
        return Err(format!("echo sent {:?}, not R", byte[0] as char).into());
    }
    let start = Instant::now();
    for _ in 0..n {
        writer.write_all(b"a")?;
        reader.read_exact(&mut byte)?;
        if byte[0] != b'a' {
            return Err(format!("echo sent {:?}, not a", byte[0] as char).into());
        }
    }
    let elapsed = start.elapsed();
    writer.write_all(b"q")?;
    child.wait()?;
    print_elapsed(elapsed, n);
    Ok(ExitCode::SUCCESS)
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let num = |s: &String| s.parse::<u64>().map_err(|e| Error::from(format!("{s}: {e}")));
    let result = match args.first().map(String::as_str) {
        Some("record") if args.len() >= 3 => record(&args[1], &args[2..]),
        Some("spawn") if args.len() == 2 => num(&args[1]).and_then(spawn),
        Some("rtt") if args.len() >= 3 => num(&args[1]).and_then(|n| rtt(n, &args[2..])),
        _ => {
            eprintln!("usage: bench-portable-pty record FILE CMD... | spawn N | rtt N CMD...");
            return ExitCode::from(2);
        }
    };
    result.unwrap_or_else(|e| {
        eprintln!("bench-portable-pty: {e}");
        ExitCode::FAILURE
    })
}
