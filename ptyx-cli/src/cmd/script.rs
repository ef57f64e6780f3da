//! `ptyx script` (placeholder).

use std::process::ExitCode;

/// Command-line arguments of `ptyx script`.
#[derive(clap::Args)]
pub struct Args {}

/// Runs `ptyx script`.
pub fn run(_args: Args) -> ExitCode {
    super::error("script", "not implemented yet");
    ExitCode::FAILURE
}
