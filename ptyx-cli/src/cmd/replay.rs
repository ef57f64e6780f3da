//! `ptyx replay` (placeholder).

use std::process::ExitCode;

/// Command-line arguments of `ptyx replay`.
#[derive(clap::Args)]
pub struct Args {}

/// Runs `ptyx replay`.
pub fn run(_args: Args) -> ExitCode {
    super::error("replay", "not implemented yet");
    ExitCode::FAILURE
}
