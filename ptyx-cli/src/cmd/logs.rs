//! The data log options `-I`, `-O` and `-B`, the same for `ptyx script` (which writes the logs)
//! and `ptyx replay` (which reads them), as in util-linux
//! [script(1)](https://man7.org/linux/man-pages/man1/script.1.html) and
//! [scriptreplay(1)](https://man7.org/linux/man-pages/man1/scriptreplay.1.html).

use std::path::PathBuf;

/// Where the session's input and output are logged.
#[derive(clap::Args, Debug, Clone, Default)]
pub struct DataLogs {
    /// Input log: what was typed.
    #[arg(short = 'I', long = "log-in", value_name = "FILE")]
    pub log_in: Option<PathBuf>,
    /// Output log: what the program wrote (the log FILE names when no option does).
    #[arg(short = 'O', long = "log-out", value_name = "FILE")]
    pub log_out: Option<PathBuf>,
    /// Input and output in one log.
    #[arg(short = 'B', long = "log-io", value_name = "FILE")]
    pub log_io: Option<PathBuf>,
}

impl DataLogs {
    /// Whether any of the three is given.
    pub fn any(&self) -> bool {
        self.log_in.is_some() || self.log_out.is_some() || self.log_io.is_some()
    }
}
