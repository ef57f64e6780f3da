//! `ptyx`: record terminal sessions (util-linux `script` compatible) and replay them
//! (`scriptreplay` and asciicast compatible).

mod cmd;
mod format;
mod getopt;
mod record;

use clap::{CommandFactory, Parser, Subcommand};
use std::process::ExitCode;

#[derive(Parser)]
#[command(
    name = "ptyx",
    version,
    propagate_version = true,
    about = "Record and replay terminal sessions on a pseudo-terminal"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Record a terminal session (util-linux script(1) compatible).
    Script(cmd::script::Args),
    /// Replay a recorded session (scriptreplay(1) and asciicast compatible).
    Replay(cmd::replay::Args),
}

fn main() -> ExitCode {
    // Read as util-linux reads its command lines (getopt_long), from clap's own definitions.
    let cli = Cli::parse_from(getopt::normalize(&Cli::command(), std::env::args_os()));
    match cli.command {
        Command::Script(args) => cmd::script::run(args),
        Command::Replay(args) => cmd::replay::run(args),
    }
}
