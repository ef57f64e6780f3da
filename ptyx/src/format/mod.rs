//! Recording formats: each one plain data, a writer and a reader, with its tests beside it.
//!
//! Shared by the `ptyx` command (which records and replays them) and by the library's own
//! recorders. Each format is a cargo feature: `asciicast` (asciinema's v2 and v3, adds
//! `serde_json`) and `timing` (util-linux `script` timing files, no dependencies).

#[cfg(feature = "asciicast")]
#[cfg_attr(docsrs, doc(cfg(feature = "asciicast")))]
pub mod asciicast;
#[cfg(feature = "timing")]
#[cfg_attr(docsrs, doc(cfg(feature = "timing")))]
pub mod timing;
#[cfg(feature = "asciicast")]
#[cfg_attr(docsrs, doc(cfg(feature = "asciicast")))]
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
    /// `LINE: message`, or the I/O error, so a caller can put `FILE:` in front.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ReadError::Io(e) => e.fmt(f),
            ReadError::Parse { line, message } => write!(f, "{line}: {message}"),
        }
    }
}

impl std::error::Error for ReadError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            ReadError::Io(e) => Some(e),
            ReadError::Parse { .. } => None,
        }
    }
}

/// A reader's iterator item: it stops at the end and after the first error (what follows a
/// corrupt line cannot be trusted), so `done` is set once `item` is either.
fn stop_after<T>(done: &mut bool, item: Result<Option<T>, ReadError>) -> Option<Result<T, ReadError>> {
    *done = !matches!(item, Ok(Some(_)));
    item.transpose()
}

impl From<io::Error> for ReadError {
    fn from(e: io::Error) -> Self {
        ReadError::Io(e)
    }
}

impl From<ReadError> for io::Error {
    /// An I/O error stays itself; a parse error becomes `InvalidData` with its message.
    fn from(e: ReadError) -> Self {
        match e {
            ReadError::Io(e) => e,
            e @ ReadError::Parse { .. } => io::Error::new(io::ErrorKind::InvalidData, e.to_string()),
        }
    }
}
