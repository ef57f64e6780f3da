//! `ptyx-spawn ARGV...`: run a program on a pty with Python's `pty.spawn` and exit with its status.
fn main() {
    let argv: Vec<String> = std::env::args().skip(1).collect();
    match ptyx::spawn(&argv) {
        Ok(status) => {
            use std::os::unix::process::ExitStatusExt;
            let code = status.code().unwrap_or_else(|| 128 + status.signal().unwrap_or(0));
            std::process::exit(code);
        }
        Err(e) => {
            // Not eprintln!: it panics when stderr is a terminal that has hung up.
            use std::io::Write;
            let _ = writeln!(std::io::stderr(), "ptyx-spawn: {}: {e}", argv.first().map(String::as_str).unwrap_or(""));
            std::process::exit(127);
        }
    }
}
