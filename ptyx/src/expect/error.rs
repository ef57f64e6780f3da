//! Why an `expect` failed: it timed out, or the output ended, before any needle matched.
//!
//! The error is an `io::Error` of kind `TimedOut` or `UnexpectedEof`, so `?` works in functions
//! returning `io::Result`; its inner error is an [`ExpectError`] with the unmatched output, what
//! was expected and, at the end of output, the exit status when known. Its message shows the
//! tail of the output, so that a failing test explains itself.

use super::escape::Output;
use std::error::Error;
use std::fmt;
use std::io;
use std::process::ExitStatus;
use std::time::Duration;

/// Why an `expect` failed, and the output it had: the inner error of the `io::Error` an
/// `expect` returns (kind `TimedOut` or `UnexpectedEof`).
///
/// The output is a copy: on a timeout the session keeps it for the next `expect`.
///
/// ```
/// use ptyx::expect::ExpectError;
/// use std::time::Duration;
/// let err = ExpectError::timed_out("\">>> \"", b"Password: ".to_vec(), Some(Duration::from_secs(5)));
/// assert_eq!(err.kind(), std::io::ErrorKind::TimedOut);
/// assert_eq!(
///     err.to_string(),
///     r#"timed out after 5s waiting for ">>> "; unmatched output, 10 bytes: "Password: ""#
/// );
/// let inner = ExpectError::of(&err).unwrap();
/// assert_eq!(inner.output(), b"Password: ");
/// ```
#[derive(Debug, Clone)]
pub struct ExpectError {
    end: End,
    expected: String,
    output: Vec<u8>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum End {
    TimedOut(Option<Duration>),
    Eof(Option<ExitStatus>),
}

impl ExpectError {
    /// The `TimedOut` error of an `expect` that waited `after` (if known) for `expected` (as a
    /// person reads it, e.g. `Needle`'s `Display`) and saw only `output`.
    pub fn timed_out(expected: impl Into<String>, output: Vec<u8>, after: Option<Duration>) -> io::Error {
        let err = ExpectError { end: End::TimedOut(after), expected: expected.into(), output };
        io::Error::new(io::ErrorKind::TimedOut, err)
    }

    /// The `UnexpectedEof` error of an `expect` for `expected` that met the end of the output,
    /// with the `output` left unmatched and the program's exit status if known.
    pub fn eof(expected: impl Into<String>, output: Vec<u8>, status: Option<ExitStatus>) -> io::Error {
        let err = ExpectError { end: End::Eof(status), expected: expected.into(), output };
        io::Error::new(io::ErrorKind::UnexpectedEof, err)
    }

    /// The `ExpectError` inside `err`, if it is one.
    pub fn of(err: &io::Error) -> Option<&ExpectError> {
        err.get_ref()?.downcast_ref()
    }

    /// The output no needle matched (for a timeout, still there for the next `expect`).
    pub fn output(&self) -> &[u8] {
        &self.output
    }

    /// The output, owned.
    pub fn into_output(self) -> Vec<u8> {
        self.output
    }

    /// What was expected, as the message shows it.
    pub fn expected(&self) -> &str {
        &self.expected
    }

    /// Whether the `expect` timed out (else it met the end of output).
    pub fn is_timeout(&self) -> bool {
        matches!(self.end, End::TimedOut(_))
    }

    /// How long the `expect` waited, for a timeout, if known.
    pub fn timeout(&self) -> Option<Duration> {
        match self.end {
            End::TimedOut(after) => after,
            End::Eof(_) => None,
        }
    }

    /// How the program ended, at the end of output, if known.
    pub fn exit_status(&self) -> Option<ExitStatus> {
        match self.end {
            End::Eof(status) => status,
            End::TimedOut(_) => None,
        }
    }
}

impl fmt::Display for ExpectError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.end {
            End::TimedOut(Some(after)) => write!(f, "timed out after {after:?} waiting for {}", self.expected)?,
            End::TimedOut(None) => write!(f, "timed out waiting for {}", self.expected)?,
            End::Eof(Some(status)) => write!(f, "end of output ({status}) before {}", self.expected)?,
            End::Eof(None) => write!(f, "end of output before {}", self.expected)?,
        }
        write!(f, "; unmatched output, {}", Output(&self.output))
    }
}

impl Error for ExpectError {}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::process::ExitStatusExt;

    #[test]
    fn eof_message_with_status_and_tail() {
        let output = [b"x".repeat(5000), b"Traceback\r\n\x1b[31mError\x1b[0m".to_vec()].concat();
        let err = ExpectError::eof(r#"regex /\d+/"#, output.clone(), Some(ExitStatus::from_raw(1 << 8)));
        assert_eq!(err.kind(), io::ErrorKind::UnexpectedEof);
        let msg = err.to_string();
        assert!(
            msg.starts_with(r"end of output (exit status: 1) before regex /\d+/; unmatched output, 5025 bytes"),
            "{msg}"
        );
        assert!(msg.ends_with(r#"Traceback\r\n\x1b[31mError\x1b[0m""#), "{msg}");
        assert!(msg.len() < 1200, "shows the tail only: {} bytes", msg.len());
        let inner = ExpectError::of(&err).unwrap();
        assert!(!inner.is_timeout());
        assert_eq!(inner.exit_status().map(|s| s.code()), Some(Some(1)));
        assert_eq!(inner.output(), &output[..]);
        assert_eq!(inner.timeout(), None);
    }

    #[test]
    fn messages_without_details() {
        let err = ExpectError::timed_out("\"x\"", Vec::new(), None);
        assert_eq!(err.to_string(), "timed out waiting for \"x\"; unmatched output, none");
        let err = ExpectError::eof("\"x\"", b"a".to_vec(), None);
        assert_eq!(err.to_string(), "end of output before \"x\"; unmatched output, 1 byte: \"a\"");
        assert!(ExpectError::of(&io::Error::other("x")).is_none());
        assert!(ExpectError::of(&io::Error::from(io::ErrorKind::TimedOut)).is_none());
    }
}
