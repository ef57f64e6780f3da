//! The script(1) clone from Python's `pty` documentation, ported line for line:
//! `script [-a] [-p] [filename]` records a shell session to `filename` (default `typescript`).
use std::io::Write;

fn main() -> std::io::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let append = args.iter().any(|a| a == "-a");
    let use_python = args.iter().any(|a| a == "-p");
    let filename = args.iter().find(|a| !a.starts_with('-')).map_or("typescript", |a| a.as_str());

    let shell = if use_python { "python3".to_string() } else { std::env::var("SHELL").unwrap_or("sh".into()) };
    let mut script =
        std::fs::OpenOptions::new().create(true).write(true).append(append).truncate(!append).open(filename)?;

    let asctime = || chrono::Local::now().format("%a %b %e %H:%M:%S %Y");
    println!("Script started, file is {filename}");
    writeln!(script, "Script started on {}", asctime())?;

    let read = |fd: std::os::fd::BorrowedFd<'_>, buf: &mut [u8]| {
        let n = ptyx::read(fd, buf)?;
        script.write_all(&buf[..n])?;
        Ok(n)
    };
    ptyx::spawn_with([shell], read, ptyx::read)?;

    writeln!(script, "Script done on {}", asctime())?;
    println!("Script done, file is {filename}");
    Ok(())
}
