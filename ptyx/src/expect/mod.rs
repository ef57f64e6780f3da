//! Drive interactive programs the way pexpect does: wait for text or a regex in a program's
//! output, then answer.
//!
//! This part of the module is the matching itself, with no I/O: [`Needle`]s (what to wait for),
//! the [`Buffer`] of output not consumed yet, the [`Search`] that finds the first needle in it
//! as output arrives, the [`Match`] it returns and the [`ExpectError`] of a failed `expect`.
//! The sync session (poll(2) on the pty master) and the async one (tokio) both drive this one
//! implementation, so they give the same results for the same output.
//!
//! What it does differently from pexpect:
//! - The match that *ends* earliest in the output wins (ties: the first needle in the list), so
//!   the answer does not depend on how the output was split into reads. pexpect takes the
//!   earliest start within whatever one read returned.
//! - Output is searched once: a check after a read costs time in the new bytes only (a literal
//!   looks at them plus `len - 1` bytes before; a regex steps a lazy DFA over them), where
//!   pexpect searches its whole buffer again (#438). Consumed output is dropped: memory follows
//!   the unconsumed output.
//! - Nothing is lost on a timeout: the output stays in the buffer for the next `expect`
//!   (pexpect#577), and the error carries a copy and shows its tail.
//!
//! ```
//! use ptyx::expect::{Buffer, Needle, Regex, Search};
//! let mut output = Buffer::new();
//! let needles = [Needle::from(Regex::new(r"\r\n(\d+)\r\n").unwrap()), Needle::from(">>> ")];
//! let mut search = Search::new(&needles);
//! // The terminal echoes "6*7", then python prints 42 and a prompt, in pieces.
//! let mut found = None;
//! for chunk in ["6*7\r", "\n4", "2\r\n>", ">> "] {
//!     output.push(chunk.as_bytes());
//!     if let Some(hit) = search.check(&mut output)? {
//!         found = Some(hit);
//!         break;
//!     }
//! }
//! let (i, m) = found.unwrap();
//! assert_eq!((i, m.get(1)), (0, Some(&b"42"[..])));
//! assert_eq!(output.as_bytes(), b">"); // the rest of what was read stays
//! # Ok::<(), std::io::Error>(())
//! ```
//!
//! Helpers for sending, pure as well: [`control_byte`] (what Ctrl+key sends, for
//! `send_control`), [`CanonicalMode`] (whether a line would be cut by the terminal's canonical
//! mode, see [termios(3)](https://man7.org/linux/man-pages/man3/termios.3.html)), and
//! [`escape`] (bytes for a person).

#[cfg(all(feature = "tokio", any(target_os = "linux", target_os = "android")))]
mod async_session;
mod buffer;
mod canonical;
mod control;
mod detector;
mod error;
mod escape;
mod matched;
mod needle;
mod repl;
#[cfg(feature = "screen")]
mod screen_wait;
mod search;
mod session;
mod session_core;

#[cfg(all(feature = "tokio", any(target_os = "linux", target_os = "android")))]
#[cfg_attr(docsrs, doc(cfg(feature = "tokio")))]
pub use async_session::AsyncSession;
pub use buffer::Buffer;
pub use canonical::{CanonicalMode, MAX_CANON_LINE};
pub use control::control_byte;
pub use error::ExpectError;
pub use escape::{escape, TAIL_LEN};
pub use matched::Match;
pub use needle::{Eof, Literal, Needle, RegexNeedle};
pub use regex::bytes::Regex;
pub use repl::Repl;
pub use search::Search;
pub use session::Session;
