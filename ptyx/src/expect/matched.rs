//! A successful `expect`: the output it consumed, split into what came before the match and the
//! match itself with its capture groups.

use super::escape::escape;
use regex::bytes::Regex;
use std::fmt;
use std::ops::Range;

/// The result of a successful `expect`: the match, the output between the previous match and
/// this one ([`before`](Self::before)), and the capture groups of a regex.
///
/// ```
/// use ptyx::expect::{Buffer, Needle, Search};
/// let mut output = Buffer::new();
/// output.push(b"6*7\r\n42\r\n>>> ");
/// let mut search = Search::new(&[Needle::regex(r"\r\n(?<n>\d+)\r\n").unwrap()]);
/// let (_, m) = search.check(&mut output)?.unwrap();
/// assert_eq!(m.before(), b"6*7");
/// assert_eq!(m.as_bytes(), b"\r\n42\r\n");
/// assert_eq!(m.get(1), Some(&b"42"[..]));
/// assert_eq!(m.name("n"), Some(&b"42"[..]));
/// assert_eq!(output.as_bytes(), b">>> "); // the rest stays for the next expect
/// # Ok::<(), std::io::Error>(())
/// ```
#[derive(Clone)]
pub struct Match {
    /// Holds `before`, then the match, from `base` on (the part before `base` is output
    /// consumed earlier that this allocation happened to hold: see `Buffer::split_off_match`).
    bytes: Vec<u8>,
    base: usize,
    /// Group `i` is `groups[i]`, as ranges of `bytes`; group 0 is the whole match.
    groups: Vec<Option<Range<usize>>>,
    /// For names of groups.
    regex: Option<Regex>,
}

impl Match {
    /// A match made of `bytes[base..]`, whose groups (group 0 first, the whole match) are ranges
    /// of `bytes`.
    pub(crate) fn new(bytes: Vec<u8>, base: usize, groups: Vec<Option<Range<usize>>>, regex: Option<Regex>) -> Self {
        debug_assert!(matches!(groups.first(), Some(Some(whole)) if base <= whole.start && whole.end == bytes.len()));
        Match { bytes, base, groups, regex }
    }

    fn whole(&self) -> Range<usize> {
        self.groups.first().cloned().flatten().unwrap_or(self.bytes.len()..self.bytes.len())
    }

    /// The output between the previous match (or the start) and this match. For
    /// [`Eof`](super::Eof), all the output that was left.
    pub fn before(&self) -> &[u8] {
        &self.bytes[self.base..self.whole().start]
    }

    /// The matched bytes (group 0). Empty for [`Eof`](super::Eof).
    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes[self.whole()]
    }

    /// Capture group `i` of a regex match: `None` if the regex has no such group or the group
    /// took no part in the match. `get(0)` is the whole match, [`as_bytes`](Self::as_bytes), for
    /// every needle.
    pub fn get(&self, i: usize) -> Option<&[u8]> {
        self.groups.get(i)?.clone().map(|r| &self.bytes[r])
    }

    /// The capture group named `name` (`(?<name>...)`), as [`get`](Self::get).
    pub fn name(&self, name: &str) -> Option<&[u8]> {
        let i = self.regex.as_ref()?.capture_names().position(|n| n == Some(name))?;
        self.get(i)
    }

    /// The number of groups, the whole match included (1 for a literal or `Eof`).
    pub fn len(&self) -> usize {
        self.groups.len()
    }

    /// Always false: there is at least group 0. (For clippy's `len` without `is_empty`.)
    pub fn is_empty(&self) -> bool {
        self.groups.is_empty()
    }

    /// [`before`](Self::before), owned.
    pub fn into_before(mut self) -> Vec<u8> {
        let whole = self.whole();
        self.bytes.truncate(whole.start);
        self.bytes.drain(..self.base);
        self.bytes
    }

    /// [`before`](Self::before) and the match as one piece of output: everything this `expect`
    /// consumed.
    pub fn consumed(&self) -> &[u8] {
        &self.bytes[self.base..]
    }
}

impl fmt::Debug for Match {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let groups: Vec<Option<String>> = (0..self.len()).map(|i| self.get(i).map(escape)).collect();
        f.debug_struct("Match").field("before", &escape(self.before())).field("groups", &groups).finish()
    }
}
