//! Recording formats: each one plain data, a writer and a reader, with its tests beside it.

pub mod asciicast;
pub mod timing;
pub mod typescript;
pub mod utf8;

use std::fmt;
use std::io;

/// Why a recording could not be read: the file could not be read, or a line of it is wrong.
#[derive(Debug)]
pub enum ReadError {
    /// Reading failed.
    Io(io::Error),
    /// Line `line` (1-based) is not what the format allows.
    Parse {
        /// 1-based line number, as editors count.
        line: usize,
        /// What is wrong, for a person.
        message: String,
    },
}

impl ReadError {
    /// A parse error on `line`.
    pub fn parse(line: usize, message: impl Into<String>) -> Self {
        ReadError::Parse { line, message: message.into() }
    }
}

impl fmt::Display for ReadError {
    /// `LINE: message`, or the I/O error as the C library words it, so a caller can put `FILE:` in front.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ReadError::Io(e) => f.write_str(&io_message(e)),
            ReadError::Parse { line, message } => write!(f, "{line}: {message}"),
        }
    }
}

impl std::error::Error for ReadError {}

impl From<io::Error> for ReadError {
    fn from(e: io::Error) -> Self {
        ReadError::Io(e)
    }
}

/// An I/O error as `strerror` words it ("No such file or directory"), without Rust's " (os error 2)", so
/// messages read like those of the C tools they stand in for.
pub fn io_message(e: &io::Error) -> String {
    let text = e.to_string();
    match (e.raw_os_error(), text.rfind(" (os error ")) {
        (Some(_), Some(at)) => text[..at].to_owned(),
        _ => text,
    }
}
