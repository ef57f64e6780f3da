//! What an `expect` waits for: literal bytes, a regex, or the end of the output.

use super::detector::{Analysis, Settings};
use super::escape::write_escaped;
use memchr::memmem;
use regex::bytes::Regex;
use regex_automata::hybrid::dfa::Cache;
use std::fmt;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

/// The end of the program's output, as a needle: `expect(Eof)` waits for it and returns
/// everything still unmatched in [`Match::before`](super::Match::before).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Eof;

/// What an `expect` waits for.
///
/// Made with `From`: text and bytes (`&str`, `String`, `&[u8]`, `Vec<u8>`, `&[u8; N]`) are
/// matched literally, byte for byte; a [`Regex`](super::Regex) (or `&Regex`) by its leftmost-first
/// match; [`Eof`] by the end of the output. Cloning is cheap (the search structures are shared),
/// so a needle used in a loop can be made once.
///
/// ```
/// use ptyx::expect::{Eof, Needle, Regex};
/// let needles = [Needle::from(">>> "), Needle::from(Regex::new(r"Error: (.*)\r\n")?), Needle::from(Eof)];
/// assert_eq!(needles[0].to_string(), r#"">>> ""#);
/// assert_eq!(needles[1].to_string(), r"regex /Error: (.*)\r\n/");
/// assert_eq!(needles[2].to_string(), "end of output");
/// # Ok::<(), regex::Error>(())
/// ```
///
/// # When a regex matches
///
/// A needle matches as soon as the output read so far contains a match, read as if the output
/// ended there. A pattern whose match more output could make longer can therefore match less
/// when the output arrives in pieces: `\d+` on output `12` then `34` matches `12`, and
/// `>.*\$ ` stops at the first `$ ` read, not the last one of the line. Anchor the end to what
/// must follow (`\d+\r\n`, `(\d+)\r\n`) or make the repetition lazy (`>.*?\$ `): then the
/// result does not depend on how the output was split. Likewise `$` and `\b` at the end of a
/// pattern are decided at the end of what has been read. `^` and `\A` match at the start of the
/// unmatched output.
///
/// A regex is compiled once: the `Regex` itself, plus, once per needle, a lazy DFA from its
/// pattern text ([`Regex::as_str`](regex::bytes::Regex::as_str)) with `Regex::new`'s syntax,
/// which finds matches as output arrives without reading old output again. Options set on a
/// `RegexBuilder` are not in the pattern text: write them as inline flags (`(?i)`, `(?m)`,
/// `(?s)`, `(?x)`, `(?U)`, `(?-u)`, `(?R)`) so that both see them. A regex with options the text
/// lacks is still never reported as missing: before a timeout or the end of output is reported,
/// the `Regex` itself searches the unmatched output, and a match it finds is returned then.
#[derive(Clone)]
#[non_exhaustive]
pub enum Needle {
    /// These bytes, exactly.
    Literal(Literal),
    /// The leftmost-first match of a regex.
    Regex(RegexNeedle),
    /// The end of the output: matches once the program's side of the terminal is closed and all
    /// its output has been read.
    Eof,
}

/// Bytes to find, with their searcher (memchr's `memmem`), built once.
#[derive(Clone)]
pub struct Literal(Arc<memmem::Finder<'static>>);

impl Literal {
    /// The bytes looked for.
    pub fn as_bytes(&self) -> &[u8] {
        self.0.needle()
    }

    pub(crate) fn finder(&self) -> &memmem::Finder<'static> {
        &self.0
    }
}

/// A regex, with what the streaming search needs of it, built once and shared by clones.
#[derive(Clone)]
pub struct RegexNeedle(Arc<RegexInner>);

struct RegexInner {
    regex: Regex,
    settings: Settings,
    analysis: OnceLock<Analysis>,
    /// Set when the lazy DFA and the `Regex` disagreed (a `RegexBuilder` option the pattern text
    /// lacks): searches then use the `Regex` alone.
    regex_only: AtomicBool,
    /// A lazy DFA's states live in its cache: one kept between searches saves building them again
    /// for every `expect` of the same needle.
    spare_cache: Mutex<Option<Box<Cache>>>,
}

impl RegexNeedle {
    fn new(regex: Regex, settings: Settings) -> Self {
        RegexNeedle(Arc::new(RegexInner {
            regex,
            settings,
            analysis: OnceLock::new(),
            regex_only: AtomicBool::new(false),
            spare_cache: Mutex::new(None),
        }))
    }

    /// The regex.
    pub fn regex(&self) -> &Regex {
        &self.0.regex
    }

    pub(crate) fn analysis(&self) -> &Analysis {
        self.0.analysis.get_or_init(|| Analysis::new(self.0.regex.as_str(), self.0.settings))
    }

    pub(crate) fn regex_only(&self) -> bool {
        self.0.regex_only.load(Ordering::Relaxed)
    }

    pub(crate) fn set_regex_only(&self) {
        self.0.regex_only.store(true, Ordering::Relaxed);
    }

    pub(crate) fn take_cache(&self) -> Option<Box<Cache>> {
        self.0.spare_cache.lock().ok().and_then(|mut c| c.take())
    }

    pub(crate) fn put_cache(&self, cache: Box<Cache>) {
        if let Ok(mut spare) = self.0.spare_cache.lock() {
            *spare = Some(cache);
        }
    }
}

impl Needle {
    /// A regex needle from a pattern: `Needle::regex(p)` is `Needle::from(Regex::new(p)?)`.
    ///
    /// # Errors
    ///
    /// The pattern is not a valid regex (or too big): [`regex::Error`].
    pub fn regex(pattern: &str) -> Result<Needle, regex::Error> {
        Ok(Needle::from(Regex::new(pattern)?))
    }

    /// A regex needle whose lazy DFA has these settings (tests force it to clear its cache or
    /// give up with a tiny one).
    #[cfg(test)]
    pub(crate) fn regex_with(regex: Regex, settings: Settings) -> Needle {
        Needle::Regex(RegexNeedle::new(regex, settings))
    }
}

impl From<&[u8]> for Needle {
    fn from(bytes: &[u8]) -> Self {
        Needle::Literal(Literal(Arc::new(memmem::Finder::new(bytes).into_owned())))
    }
}

impl From<Vec<u8>> for Needle {
    fn from(bytes: Vec<u8>) -> Self {
        Needle::from(bytes.as_slice())
    }
}

impl<const N: usize> From<&[u8; N]> for Needle {
    fn from(bytes: &[u8; N]) -> Self {
        Needle::from(bytes.as_slice())
    }
}

impl From<&str> for Needle {
    fn from(text: &str) -> Self {
        Needle::from(text.as_bytes())
    }
}

impl From<String> for Needle {
    fn from(text: String) -> Self {
        Needle::from(text.as_bytes())
    }
}

impl From<&String> for Needle {
    fn from(text: &String) -> Self {
        Needle::from(text.as_bytes())
    }
}

impl From<Regex> for Needle {
    fn from(regex: Regex) -> Self {
        Needle::Regex(RegexNeedle::new(regex, Settings::default()))
    }
}

impl From<&Regex> for Needle {
    fn from(regex: &Regex) -> Self {
        Needle::from(regex.clone())
    }
}

impl From<Eof> for Needle {
    fn from(_: Eof) -> Self {
        Needle::Eof
    }
}

impl From<&Needle> for Needle {
    fn from(needle: &Needle) -> Self {
        needle.clone()
    }
}

impl fmt::Display for Needle {
    /// What the needle waits for, for a person: `"text"` (escaped), `regex /pattern/`, or
    /// `end of output`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Needle::Literal(lit) => {
                f.write_str("\"")?;
                write_escaped(f, lit.as_bytes())?;
                f.write_str("\"")
            }
            Needle::Regex(re) => write!(f, "regex /{}/", re.regex().as_str()),
            Needle::Eof => f.write_str("end of output"),
        }
    }
}

impl fmt::Debug for Needle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Needle({self})")
    }
}

impl fmt::Debug for Literal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&Needle::Literal(self.clone()), f)
    }
}

impl fmt::Debug for RegexNeedle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "regex /{}/", self.regex().as_str())
    }
}

/// What a list of needles waits for, for a person: one needle as itself, several as
/// `any of [..]`.
pub(crate) fn describe(needles: &[Needle]) -> String {
    match needles {
        [] => "nothing (no needles)".to_owned(),
        [one] => one.to_string(),
        many => {
            let all: Vec<String> = many.iter().map(Needle::to_string).collect();
            format!("any of [{}]", all.join(", "))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conversions() {
        let regex = Regex::new(r"\d+").unwrap();
        for needle in [
            Needle::from("é"),
            Needle::from("é".to_string()),
            Needle::from(&"é".to_string()),
            Needle::from("é".as_bytes()),
            Needle::from("é".as_bytes().to_vec()),
            Needle::from(b"\xc3\xa9"),
        ] {
            let Needle::Literal(lit) = &needle else { panic!("{needle:?}") };
            assert_eq!(lit.as_bytes(), "é".as_bytes());
            assert_eq!(needle.to_string(), "\"é\"");
        }
        assert!(matches!(Needle::from(&regex), Needle::Regex(r) if r.regex().as_str() == r"\d+"));
        assert!(matches!(Needle::from(regex), Needle::Regex(_)));
        assert!(matches!(Needle::from(Eof), Needle::Eof));
        assert!(matches!(Needle::from(&Needle::Eof), Needle::Eof));
    }

    #[test]
    fn invalid_regex_is_an_error_at_construction() {
        assert!(Needle::regex("(unclosed").is_err());
        assert!(Needle::regex("ok").is_ok());
    }

    #[test]
    fn descriptions() {
        let needles = [Needle::from("a\"\r\n"), Needle::regex(r"\d+").unwrap(), Needle::Eof];
        assert_eq!(describe(&needles[..1]), r#""a\"\r\n""#);
        assert_eq!(describe(&needles), r#"any of ["a\"\r\n", regex /\d+/, end of output]"#);
        assert_eq!(format!("{:?}", needles[1]), r"Needle(regex /\d+/)");
        assert_eq!(describe(&[]), "nothing (no needles)");
    }
}
