//! The error of the conversions into the tokio types: why it failed, and the value, untouched.

use std::error::Error;
use std::fmt;
use std::io;

/// A conversion into a tokio type that failed (no runtime, or the reactor refused the
/// descriptor), with the value it was given back: nothing was dropped, a child keeps running.
///
/// `?` turns it into its [`io::Error`], dropping the value (a [`ptyx::Child`](crate::Child)
/// dropped that way closes its master; the program gets `SIGHUP`); [`into_inner`](Self::into_inner)
/// takes the value back.
///
/// ```
/// // No tokio runtime on this thread: the conversion fails and hands the child back.
/// let child = ptyx::Command::new("true").spawn()?;
/// let err = ptyx::tokio::Child::try_from(child).unwrap_err();
/// assert_eq!(err.error().kind(), std::io::ErrorKind::Other);
/// let mut child = err.into_inner();
/// assert!(child.wait()?.success());
/// # Ok::<(), std::io::Error>(())
/// ```
#[cfg_attr(docsrs, doc(cfg(feature = "tokio")))]
pub struct TryFromError<T> {
    pub(crate) value: T,
    pub(crate) error: io::Error,
}

impl<T> TryFromError<T> {
    /// Why the conversion failed.
    pub fn error(&self) -> &io::Error {
        &self.error
    }

    /// The value the conversion was given, as it was.
    pub fn into_inner(self) -> T {
        self.value
    }

    /// Both: the value and the reason.
    pub fn into_parts(self) -> (T, io::Error) {
        (self.value, self.error)
    }
}

impl<T> fmt::Debug for TryFromError<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TryFromError").field("error", &self.error).finish_non_exhaustive()
    }
}

impl<T> fmt::Display for TryFromError<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.error.fmt(f)
    }
}

impl<T> Error for TryFromError<T> {
    fn source(&self) -> Option<&(dyn Error + 'static)> {
        Some(&self.error)
    }
}

impl<T> From<TryFromError<T>> for io::Error {
    fn from(e: TryFromError<T>) -> io::Error {
        e.error
    }
}
