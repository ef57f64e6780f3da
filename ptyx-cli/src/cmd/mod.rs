//! One module per subcommand.

pub mod logs;
pub mod replay;
pub mod script;

use std::io::Write;

/// Prints `ptyx: <what>: <why>` on stderr, the one error format of the command.
pub fn error(what: impl std::fmt::Display, why: impl std::fmt::Display) {
    error_line(format_args!("{what}: {why}"));
}

/// Prints `ptyx: <message>` on stderr.
pub fn error_line(message: impl std::fmt::Display) {
    // A closed stderr leaves only the exit code to tell; `eprintln!` would panic instead.
    let _ = writeln!(std::io::stderr(), "ptyx: {message}");
}

/// Prints a message line on stdout; a closed stdout (`| head`) does not stop the session.
pub fn say(line: impl std::fmt::Display) {
    let _ = writeln!(std::io::stdout(), "{line}");
}
