//! One module per subcommand.

pub mod replay;
pub mod script;

/// Prints `ptyx: <what>: <why>` on stderr, the one error format of the command.
pub fn error(what: impl std::fmt::Display, why: impl std::fmt::Display) {
    eprintln!("ptyx: {what}: {why}");
}
