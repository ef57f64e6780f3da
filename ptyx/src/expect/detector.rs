//! Streaming detection of a regex match: a lazy DFA (regex-automata's `hybrid::dfa`) stepped
//! over each new piece of output, carrying its state from one piece to the next, so that finding
//! a regex in output that arrives in pieces costs time linear in the output (pexpect searches its
//! whole buffer again after every read: #438).
//!
//! The DFA only says *that* the output read so far contains a match, and where the first match
//! ends; the user's own `Regex` then extracts the leftmost-first match and its groups, once.
//! The DFA is built from the pattern's text with the syntax `regex::bytes::Regex::new` uses
//! (Unicode on, haystacks that need not be UTF-8), so both agree on what matches.
//!
//! A lazy DFA can stop short: on a non-ASCII byte when the pattern has a Unicode word boundary
//! (`\b`), or when a tiny cache is cleared too often (only if configured to give up). Callers
//! then fall back to searching with the `Regex` itself.

use regex_automata::hybrid::dfa::{Cache, DFA};
use regex_automata::hybrid::LazyStateID;
use regex_automata::nfa::thompson;
use regex_automata::util::prefilter::Prefilter;
use regex_automata::util::{start, syntax};
use regex_automata::{Anchored, Input, MatchKind, Span};

/// The size limits of `regex::bytes::Regex::new`: a pattern it accepts builds here too.
const NFA_SIZE_LIMIT: usize = 10 << 20;
const CACHE_CAPACITY: usize = 2 << 20;

/// What is known of a pattern: the longest match it can have, and the lazy DFA when one could be
/// built. Built once per needle.
#[derive(Debug)]
pub(crate) struct Analysis {
    /// The most bytes a match can have, when bounded (no `*`, `+` or `{n,}`).
    pub(crate) max_len: Option<usize>,
    /// `None` when the pattern does not parse with `Regex::new`'s syntax (it was built with
    /// `RegexBuilder` options) or the lazy DFA cannot be built for it.
    pub(crate) detector: Option<Detector>,
}

/// Settings of the lazy DFA; tests shrink the cache to force it to clear or give up.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Settings {
    pub(crate) cache_capacity: usize,
    /// Give up after this many cache clears (regex-automata's `minimum_cache_clear_count`).
    /// `None`, the default, never gives up: a thrashing cache is slow but still linear.
    pub(crate) give_up_after_clears: Option<usize>,
}

impl Default for Settings {
    fn default() -> Self {
        Settings { cache_capacity: CACHE_CAPACITY, give_up_after_clears: None }
    }
}

impl Analysis {
    pub(crate) fn new(pattern: &str, settings: Settings) -> Analysis {
        // `regex::bytes::Regex::new` parses with the default syntax except that a match need
        // not be UTF-8 (`utf8(false)`): the same here.
        let syntax = syntax::Config::new().utf8(false);
        let Ok(hir) = syntax::parse_with(pattern, &syntax) else {
            return Analysis { max_len: None, detector: None };
        };
        let max_len = hir.properties().maximum_len();
        // Where the pattern starts with literals, memchr finds where a match may start and the
        // DFA skips the rest, as regex-automata's own search does.
        let prefilter = Prefilter::from_hir_prefix(MatchKind::LeftmostFirst, &hir)
            .filter(|p| p.is_fast() && p.max_needle_len() > 0);
        let nfa = |reverse| {
            thompson::Compiler::new()
                .configure(
                    thompson::Config::new()
                        .utf8(false)
                        .reverse(reverse)
                        .nfa_size_limit(Some(NFA_SIZE_LIMIT))
                        .which_captures(thompson::WhichCaptures::None),
                )
                .build_from_hir(&hir)
                .ok()
        };
        // A match of unbounded length could start anywhere before where the forward DFA saw it
        // end: a reverse DFA finds where it starts, as regex-automata's `hybrid::regex` does.
        let reverse = if max_len.is_some() {
            None
        } else {
            nfa(true).and_then(|nfa| {
                DFA::builder()
                    .configure(
                        DFA::config()
                            .match_kind(MatchKind::All)
                            .unicode_word_boundary(true)
                            .cache_capacity(settings.cache_capacity)
                            .skip_cache_capacity_check(true)
                            .minimum_cache_clear_count(settings.give_up_after_clears),
                    )
                    .build_from_nfa(nfa)
                    .ok()
            })
        };
        let detector = nfa(false).and_then(|nfa| {
            DFA::builder()
                .configure(
                    DFA::config()
                        .match_kind(MatchKind::LeftmostFirst)
                        .unicode_word_boundary(true)
                        .cache_capacity(settings.cache_capacity)
                        .skip_cache_capacity_check(true)
                        .minimum_cache_clear_count(settings.give_up_after_clears)
                        // Start states are told apart only where the prefilter is used there: it
                        // costs a branch out of the fast loop each time.
                        .specialize_start_states(prefilter.is_some()),
                )
                .build_from_nfa(nfa)
                .ok()
                .map(|dfa| Detector { dfa, prefilter, reverse })
        });
        Analysis { max_len, detector }
    }
}

/// The lazy DFA of one pattern, unanchored, leftmost-first.
#[derive(Debug)]
pub(crate) struct Detector {
    dfa: DFA,
    prefilter: Option<Prefilter>,
    /// For patterns of unbounded length: finds the start of a match from its end.
    reverse: Option<DFA>,
}

impl Detector {
    /// A cache for scans (boxed: it is a few hundred bytes, moved between searches).
    pub(crate) fn create_cache(&self) -> Box<Cache> {
        Box::new(self.dfa.create_cache())
    }

    /// Where the leftmost match that ends at `end` starts (the longest one, as leftmost-first's
    /// leftmost start is the smallest of all): one reverse scan of the match, not of the whole
    /// haystack. `None` without a reverse DFA, or if it stops.
    pub(crate) fn match_start(&self, hay: &[u8], end: usize) -> Option<usize> {
        let reverse = self.reverse.as_ref()?;
        let mut cache = reverse.create_cache();
        let input = Input::new(hay).span(0..end).anchored(Anchored::Yes).earliest(false);
        Some(reverse.try_search_rev(&mut cache, &input).ok()??.offset())
    }

    /// A scan of a haystack from its start; `None` if the DFA cannot even start.
    pub(crate) fn start(&self, mut cache: Box<Cache>) -> Result<Scan, Box<Cache>> {
        let config = start::Config::new().anchored(Anchored::No).look_behind(None);
        match self.dfa.start_state(&mut cache, &config) {
            Ok(sid) => Ok(Scan { sid, at: 0, cache, restarts: 0 }),
            Err(_) => Err(cache),
        }
    }
}

/// Where a scan stands: bytes `..at` of the haystack have been stepped through and `sid` is the
/// state after them. The haystack only grows at its end between calls.
#[derive(Debug)]
pub(crate) struct Scan {
    sid: LazyStateID,
    at: usize,
    cache: Box<Cache>,
    /// How often the state was lost and the haystack scanned again from its start.
    restarts: u32,
}

/// What a scan learned.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Scanned {
    /// No match yet in the haystack, read as if it ended where it ends now.
    Pending,
    /// The haystack contains a match; the earliest end of any match is `end`.
    Found { end: usize },
    /// No match can ever come, whatever follows (e.g. `\Afoo` after "bar").
    Never,
    /// The DFA stopped (a quit byte, or it gave up); search with the `Regex` instead.
    Stopped,
}

/// Restarts allowed before the scan is declared stopped: each costs a scan of the haystack.
const MAX_RESTARTS: u32 = 2;

impl Scan {
    pub(crate) fn into_cache(self) -> Box<Cache> {
        self.cache
    }

    /// After `advance` found a match ending at `first_end`: where the leftmost-first match ends,
    /// in `hay` read as ending where it ends (steps on until the DFA is dead, as a forward search
    /// does; the scan cannot be advanced afterwards). `None` if the DFA stops.
    pub(crate) fn leftmost_end(&mut self, det: &Detector, hay: &[u8], first_end: usize) -> Option<usize> {
        let (dfa, cache) = (&det.dfa, &mut self.cache);
        let mut end = first_end;
        let mut sid = self.sid;
        for (at, &byte) in hay.iter().enumerate().skip(self.at) {
            sid = dfa.next_state(cache, sid, byte).ok()?;
            if sid.is_match() {
                end = at;
            } else if sid.is_dead() {
                return Some(end);
            } else if sid.is_quit() {
                return None;
            }
        }
        if dfa.next_eoi_state(cache, sid).ok()?.is_match() {
            end = hay.len();
        }
        Some(end)
    }

    /// Steps through `hay[self.at..]`, then asks whether a match ends at the end of `hay`.
    pub(crate) fn advance(&mut self, det: &Detector, hay: &[u8]) -> Scanned {
        match self.advance_inner(det, hay) {
            Ok(scanned) => scanned,
            Err(Stop) => Scanned::Stopped,
        }
    }

    fn advance_inner(&mut self, det: &Detector, hay: &[u8]) -> Result<Scanned, Stop> {
        let dfa = &det.dfa;
        let cache = &mut self.cache;
        let mut sid = self.sid;
        let mut at = self.at;
        debug_assert!(at <= hay.len());
        while at < hay.len() {
            if sid.is_tagged() {
                sid = dfa.next_state(cache, sid, hay[at]).map_err(|_| Stop)?;
                at += 1;
            } else {
                // Most steps go from one known, plain state to another: take them without the
                // checks `next_state` makes, as regex-automata's own search loop does.
                let mut prev = sid;
                while at < hay.len() {
                    prev = sid;
                    sid = dfa.next_state_untagged(cache, sid, hay[at]);
                    at += 1;
                    if sid.is_tagged() {
                        break;
                    }
                }
                if sid.is_unknown() {
                    sid = dfa.next_state(cache, prev, hay[at - 1]).map_err(|_| Stop)?;
                }
            }
            if sid.is_start() {
                if let Some(pre) = &det.prefilter {
                    // No match in progress: the next can only start where the prefilter finds
                    // its literal, or in the last bytes, where a literal may be cut off.
                    let to = match pre.find(hay, Span::from(at..hay.len())) {
                        Some(span) => span.start,
                        None => (hay.len() + 1).saturating_sub(pre.max_needle_len()),
                    };
                    if to > at {
                        at = to;
                        // The start state depends on the byte before (`^`, `\b`).
                        let input = Input::new(hay).span(at..hay.len());
                        sid = dfa.start_state_forward(cache, &input).map_err(|_| Stop)?;
                        continue;
                    }
                }
            } else if sid.is_tagged() {
                // A match state is entered one byte after the match ends (the DFA looks one byte
                // ahead for assertions such as `\b` and `$`).
                if sid.is_match() {
                    self.sid = sid;
                    self.at = at;
                    return Ok(Scanned::Found { end: at - 1 });
                }
                if sid.is_dead() {
                    self.sid = sid;
                    self.at = at;
                    return Ok(Scanned::Never);
                }
                if sid.is_quit() {
                    return Err(Stop);
                }
            }
        }
        self.sid = sid;
        self.at = at;
        // Does a match end right at the end? The EOI transition says, reading the output as if it
        // ended here. Computing it may clear the cache, which invalidates `sid` (regex-automata
        // keeps only the state it steps from valid, under a new id we cannot learn): then scan
        // again from the start, which a clear makes rare.
        let clears = cache.clear_count();
        let eoi = dfa.next_eoi_state(cache, sid).map_err(|_| Stop)?;
        let found = eoi.is_match();
        if cache.clear_count() != clears {
            self.restarts += 1;
            if self.restarts > MAX_RESTARTS {
                return Err(Stop);
            }
            let config = start::Config::new().anchored(Anchored::No).look_behind(None);
            self.sid = dfa.start_state(cache, &config).map_err(|_| Stop)?;
            self.at = 0;
            if !found {
                return self.advance_inner(det, hay);
            }
        }
        Ok(if found { Scanned::Found { end: hay.len() } } else { Scanned::Pending })
    }
}

/// The lazy DFA stopped: a quit byte, or it gave up on a thrashing cache.
struct Stop;

#[cfg(test)]
mod tests {
    use super::*;

    fn detector(pattern: &str) -> Detector {
        Analysis::new(pattern, Settings::default()).detector.unwrap()
    }

    /// Feeds `hay` in pieces of `step` bytes; the end of the first match found.
    fn first_end(det: &Detector, hay: &[u8], step: usize) -> Scanned {
        let mut scan = det.start(det.create_cache()).unwrap();
        let mut len = 0;
        loop {
            len = (len + step).min(hay.len());
            let got = scan.advance(det, &hay[..len]);
            if got != Scanned::Pending || len == hay.len() {
                return got;
            }
        }
    }

    #[test]
    fn finds_the_earliest_end_in_any_chunking() {
        let det = detector(r"\r\n(\d+)\r\n");
        let hay = b"6*7\r\n42\r\n>>> ";
        for step in 1..=hay.len() {
            assert_eq!(first_end(&det, hay, step), Scanned::Found { end: 9 }, "step {step}");
        }
    }

    #[test]
    fn a_match_at_the_end_is_found_without_more_output() {
        let det = detector(r">>> ");
        assert_eq!(first_end(&det, b"Python\r\n>>> ", 3), Scanned::Found { end: 12 });
        assert_eq!(first_end(&det, b"Python\r\n>> ", 3), Scanned::Pending);
    }

    #[test]
    fn assertions_read_the_output_as_ending_where_it_ends() {
        let det = detector(r"foo\b");
        // "foo" at the end: a word boundary there for now.
        assert_eq!(first_end(&det, b"a foo", 5), Scanned::Found { end: 5 });
        assert_eq!(first_end(&det, b"a foox", 6), Scanned::Pending);
        let det = detector(r"(?m)^ok$");
        assert_eq!(first_end(&det, b"x\nok\ny", 100), Scanned::Found { end: 4 });
    }

    #[test]
    fn anchored_patterns_can_never_match_later() {
        let det = detector(r"\Afoo");
        assert_eq!(first_end(&det, b"bar foo", 1), Scanned::Never);
        assert_eq!(first_end(&det, b"foo", 1), Scanned::Found { end: 3 });
    }

    #[test]
    fn unicode_word_boundary_stops_on_non_ascii() {
        let det = detector(r"\bword\b");
        assert_eq!(first_end(&det, b"a word!", 2), Scanned::Found { end: 6 });
        assert_eq!(first_end(&det, "é word".as_bytes(), 2), Scanned::Stopped);
        // ASCII boundaries have no quit bytes.
        let det = detector(r"(?-u:\b)word(?-u:\b)");
        assert_eq!(first_end(&det, "é word".as_bytes(), 2), Scanned::Found { end: 7 });
    }

    #[test]
    fn bytes_that_are_not_utf8_match() {
        let det = detector(r"(?-u:\xff)\x00");
        assert_eq!(first_end(&det, b"ab\xff\x00", 1), Scanned::Found { end: 4 });
        // A Unicode class needs a whole character: "é" split in two pieces still matches.
        let det = detector(r"caf\w!");
        assert_eq!(first_end(&det, "café!".as_bytes(), 4), Scanned::Found { end: 6 });
    }

    #[test]
    fn patterns_regex_rejects_do_not_build() {
        let a = Analysis::new(r"a{", Settings::default());
        assert!(a.detector.is_none());
        let a = Analysis::new(r"\d{2,4}x", Settings::default());
        assert_eq!(a.max_len, Some(4 * 4 + 1), "\\d is Unicode: up to 4 bytes a digit");
        assert_eq!(Analysis::new(r"a+", Settings::default()).max_len, None);
    }

    #[test]
    fn the_prefilter_skips_but_finds_literals_cut_across_reads() {
        let det = detector(r"MARKER-(\d+)\r\n");
        assert!(det.prefilter.is_some());
        let mut hay = b"xMARKERy MARKER-z ".repeat(100);
        hay.extend_from_slice(b"MARKER-123\r\n");
        let expected = Scanned::Found { end: hay.len() };
        for step in 1..20 {
            assert_eq!(first_end(&det, &hay, step), expected, "step {step}");
        }
        // The look-behind of the skipped-to position counts.
        let det = detector(r"(?m)^ok\b");
        assert!(det.prefilter.is_some());
        for step in 1..8 {
            assert_eq!(first_end(&det, b"took\nnot ok\nok!", step), Scanned::Found { end: 14 }, "step {step}");
        }
    }

    #[test]
    fn the_leftmost_first_match_from_the_first_end() {
        // "c" ends first, but "abcd" starts first: leftmost-first is "abcd".
        let det = detector(r"(abcd|c)+?");
        let hay = b"xabcdy";
        let mut scan = det.start(det.create_cache()).unwrap();
        assert_eq!(scan.advance(&det, hay), Scanned::Found { end: 4 });
        assert_eq!(scan.leftmost_end(&det, hay, 4), Some(5));
        assert_eq!(det.match_start(hay, 5), Some(1));
        // Unbounded: the start of the longest match ending there.
        let det = detector(r"[A-Z]{3,}-\d+\r\n");
        let hay = b"ABC-1 xyz QWERTY-42\r\n>";
        let mut scan = det.start(det.create_cache()).unwrap();
        assert_eq!(scan.advance(&det, hay), Scanned::Found { end: 21 });
        assert_eq!(scan.leftmost_end(&det, hay, 21), Some(21));
        assert_eq!(det.match_start(hay, 21), Some(10));
    }

    #[test]
    fn a_tiny_cache_clears_but_stays_correct() {
        let settings = Settings { cache_capacity: 0, give_up_after_clears: None };
        let det = Analysis::new(r"[a-z]{20}Z\d", settings).detector.unwrap();
        let mut hay = Vec::new();
        for i in 0..2000u32 {
            hay.extend_from_slice(format!("{:x}-", i.wrapping_mul(2654435761)).as_bytes());
        }
        let tail = b"abcdefghijklmnopqrstZ7";
        hay.extend_from_slice(tail);
        let expected = hay.len();
        for step in [1, 7, 4096] {
            assert_eq!(first_end(&det, &hay, step), Scanned::Found { end: expected }, "step {step}");
        }
    }

    #[test]
    fn a_cache_that_gives_up_says_stopped() {
        let settings = Settings { cache_capacity: 0, give_up_after_clears: Some(0) };
        let det = Analysis::new(r"[a-z]{20}Z\d", settings).detector.unwrap();
        let hay = "abcdefghij".repeat(1000);
        assert_eq!(first_end(&det, hay.as_bytes(), 64), Scanned::Stopped);
    }
}
