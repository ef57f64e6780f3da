//! The search behind every `expect`: which of a list of needles matches the output first, found
//! as output arrives, with no I/O of its own. The sync `Session` and the tokio `AsyncSession`
//! both drive it: read into the [`Buffer`], [`check`](Search::check), repeat; on a timeout,
//! [`timed_out`](Search::timed_out).
//!
//! Each check costs time in the new output only: a literal is searched in the new bytes plus
//! the last `len - 1` before them (memchr's `memmem`); a regex advances its lazy DFA over the new
//! bytes (see `detector`), and only once it reports a match does the `Regex` itself extract it.

use super::buffer::Buffer;
use super::detector::{Scan, Scanned};
use super::error::ExpectError;
use super::matched::Match;
use super::needle::{describe, Literal, Needle, RegexNeedle};
use std::io;
use std::ops::Range;
use std::time::Duration;

/// A search for the first of a list of needles in a [`Buffer`]'s output, as it arrives.
///
/// The match that ends earliest in the output wins; a tie goes to the needle first in the list.
/// Each needle's match is its leftmost-first one in the output read so far (see
/// [`Needle`](Needle#when-a-regex-matches)). [`Needle::Eof`] matches at the end of the output,
/// once the buffer has seen it.
///
/// A search starts at the start of the unconsumed output and remembers how far it has looked,
/// so checking again after each read costs time in the new output only. It holds no I/O and no
/// borrow of the buffer: drop it when the `expect` ends (a timeout, a cancelled future) and
/// nothing is lost; the next search starts again at the start of the unconsumed output.
///
/// How a session drives it:
///
/// ```
/// use ptyx::expect::{Buffer, Eof, Needle, Search};
/// let mut output = Buffer::new();
/// let mut search = Search::new(&[Needle::from("$ "), Needle::from(Eof)]);
/// assert!(search.check(&mut output)?.is_none());
/// for chunk in [&b"hello\r\nuser@h"[..], b"ost:~$ "] {
///     output.push(chunk); // or output.read_with(64 * 1024, |room| master.read(room))
///     if let Some((i, m)) = search.check(&mut output)? {
///         assert_eq!((i, m.before(), m.as_bytes()), (0, &b"hello\r\nuser@host:~"[..], &b"$ "[..]));
///         break;
///     }
/// }
/// // At the end of output, `Eof` matches with the rest.
/// output.push(b"more");
/// output.set_eof();
/// let (i, m) = Search::new(&[Needle::from("$ "), Needle::from(Eof)]).check(&mut output)?.unwrap();
/// assert_eq!((i, m.before()), (1, &b"more"[..]));
/// # Ok::<(), std::io::Error>(())
/// ```
#[derive(Debug)]
pub struct Search {
    needles: Vec<Needle>,
    states: Vec<State>,
    /// The buffer position the states were computed from; another position (a match consumed
    /// output) starts them again.
    origin: Option<u64>,
}

/// How far one needle has looked, in bytes of the unconsumed output.
#[derive(Debug)]
enum State {
    /// No match starts before `next`.
    Literal {
        next: usize,
    },
    Regex(RegexState),
    Eof,
}

#[derive(Debug)]
enum RegexState {
    /// The lazy DFA, stepped as output arrives.
    Dfa(Scan),
    /// The lazy DFA saw that no match can come, whatever follows.
    Never,
    /// The `Regex` alone: matches have at most `max_len` bytes, so a new one starts at `from` or
    /// later.
    Window { from: usize, max_len: usize },
    /// The `Regex` alone, over the whole unconsumed output at every check: the slow path, for a
    /// pattern with unbounded repetition that the lazy DFA cannot run (a Unicode `\b` on
    /// non-ASCII output, or a pattern built with `RegexBuilder` options).
    Rescan,
}

/// A match found in the unconsumed output: the needle's groups (0 = whole) as ranges of it.
struct Found {
    groups: Vec<Option<Range<usize>>>,
}

impl Found {
    fn whole(&self) -> Range<usize> {
        self.groups.first().cloned().flatten().unwrap_or(0..0)
    }
}

/// Look-around assertions (`\b`, `$`) see at most one character past a match: 4 bytes.
const LOOK_AHEAD: usize = 4;

impl Search {
    /// A search for `needles` (cheap clones of them are kept).
    pub fn new(needles: &[Needle]) -> Search {
        Search { needles: needles.to_vec(), states: Vec::new(), origin: None }
    }

    /// The needles searched for.
    pub fn needles(&self) -> &[Needle] {
        &self.needles
    }

    /// What the search waits for, for a person: `"text"`, `regex /re/`, `any of [...]`.
    pub fn describe(&self) -> String {
        describe(&self.needles)
    }

    /// Looks for the first match in `buf`'s output; call it after every read into the buffer,
    /// and after [`Buffer::set_eof`]. On a match, consumes the output up to the end of the match
    /// and returns the needle's index and the [`Match`]. `Ok(None)`: no match yet, read more.
    ///
    /// # Errors
    ///
    /// `UnexpectedEof` with an [`ExpectError`] when the buffer has seen the end of the output and
    /// no needle matches: the output stays in the buffer.
    pub fn check(&mut self, buf: &mut Buffer) -> io::Result<Option<(usize, Match)>> {
        if self.origin != Some(buf.position()) {
            self.start(buf.position());
        }
        let hay = buf.as_bytes();
        let mut best: Option<(usize, Found)> = None;
        for (i, (needle, state)) in self.needles.iter().zip(&mut self.states).enumerate() {
            let found = match (needle, state) {
                (Needle::Literal(lit), State::Literal { next }) => find_literal(lit, next, hay),
                (Needle::Regex(re), State::Regex(state)) => find_regex(re, state, hay),
                (Needle::Eof, State::Eof) if buf.is_eof() => Some(Found { groups: vec![Some(hay.len()..hay.len())] }),
                _ => None,
            };
            if let Some(found) = found {
                if best.as_ref().map_or(true, |(_, b)| found.whole().end < b.whole().end) {
                    best = Some((i, found));
                }
            }
        }
        if buf.is_eof() {
            // The end of the output: the answer must be the `Regex`'s own, even if its lazy DFA
            // missed a match (see `verify`).
            let eof_won = best.as_ref().is_some_and(|(i, _)| matches!(self.needles[*i], Needle::Eof));
            if best.is_none() || eof_won {
                if let Some(found) = self.verify(buf) {
                    best = Some(found);
                }
            }
            if best.is_none() {
                return Err(ExpectError::eof(self.describe(), buf.as_bytes().to_vec(), buf.exit_status()));
            }
        }
        Ok(best.map(|(i, found)| (i, self.take(buf, i, found))))
    }

    /// The wait for output timed out after `after` (if known): returns the `TimedOut` error with
    /// an [`ExpectError`], leaving the output in the buffer for the next `expect`. First each regex
    /// searches the unmatched output itself (see `verify`); a match it finds is returned instead.
    ///
    /// # Errors
    ///
    /// `TimedOut`, unless a regex was found to match after all.
    pub fn timed_out(&mut self, buf: &mut Buffer, after: Option<Duration>) -> io::Result<(usize, Match)> {
        if self.origin != Some(buf.position()) {
            self.start(buf.position());
        }
        match self.verify(buf) {
            Some((i, found)) => Ok((i, self.take(buf, i, found))),
            None => Err(ExpectError::timed_out(self.describe(), buf.as_bytes().to_vec(), after)),
        }
    }

    /// Searches the unmatched output with each `Regex` itself, for a match its lazy DFA (built from
    /// the pattern text) did not see: a `Regex` built with `RegexBuilder` options is then still
    /// matched, late. The earliest ending such match, if any; the needle searches with its `Regex`
    /// alone from then on. Costs one search of the output per regex, only where an `expect` is
    /// about to fail.
    fn verify(&mut self, buf: &Buffer) -> Option<(usize, Found)> {
        let hay = buf.as_bytes();
        let mut best: Option<(usize, Found)> = None;
        for (i, needle) in self.needles.iter().enumerate() {
            let Needle::Regex(re) = needle else { continue };
            let Some(found) = captures(re, hay, 0) else { continue };
            if best.as_ref().map_or(true, |(_, b)| found.whole().end < b.whole().end) {
                best = Some((i, found));
            }
        }
        let (i, found) = best?;
        if let Needle::Regex(re) = &self.needles[i] {
            // The earlier checks found nothing, so the lazy DFA missed this match.
            if matches!(self.states.get(i), Some(State::Regex(RegexState::Dfa(_) | RegexState::Never))) {
                re.set_regex_only();
            }
        }
        Some((i, found))
    }

    /// Consumes the output up to the end of `found` (needle `i`'s match) into a `Match`.
    fn take(&mut self, buf: &mut Buffer, i: usize, found: Found) -> Match {
        let regex = match &self.needles[i] {
            Needle::Regex(re) => Some(re.regex().clone()),
            _ => None,
        };
        let m = buf.split_off_match(found.whole(), found.groups, regex);
        self.start(buf.position());
        m
    }

    /// Starts every needle at the start of the unconsumed output, at buffer position `origin`.
    fn start(&mut self, origin: u64) {
        let old = std::mem::take(&mut self.states);
        self.recycle(old);
        self.states = self
            .needles
            .iter()
            .map(|needle| match needle {
                Needle::Literal(_) => State::Literal { next: 0 },
                Needle::Regex(re) => State::Regex(regex_state(re)),
                Needle::Eof => State::Eof,
            })
            .collect();
        self.origin = Some(origin);
    }

    /// Gives the lazy DFAs' caches back to their needles, for the next search.
    fn recycle(&mut self, states: Vec<State>) {
        for (needle, state) in self.needles.iter().zip(states) {
            if let (Needle::Regex(re), State::Regex(RegexState::Dfa(scan))) = (needle, state) {
                re.put_cache(scan.into_cache());
            }
        }
    }
}

impl Drop for Search {
    fn drop(&mut self) {
        let states = std::mem::take(&mut self.states);
        self.recycle(states);
    }
}

fn find_literal(lit: &Literal, next: &mut usize, hay: &[u8]) -> Option<Found> {
    let len = lit.as_bytes().len();
    match lit.finder().find(&hay[*next..]) {
        Some(at) => {
            let start = *next + at;
            Some(Found { groups: vec![Some(start..start + len)] })
        }
        None => {
            // No match ends within the output: none starts before its last `len - 1` bytes.
            *next = (*next).max((hay.len() + 1).saturating_sub(len));
            None
        }
    }
}

/// How a search for `re` starts: with its lazy DFA when it has one, else with the `Regex`.
fn regex_state(re: &RegexNeedle) -> RegexState {
    let analysis = re.analysis();
    if !re.regex_only() {
        if let Some(det) = &analysis.detector {
            let cache = re.take_cache().unwrap_or_else(|| det.create_cache());
            match det.start(cache) {
                Ok(scan) => return RegexState::Dfa(scan),
                Err(cache) => re.put_cache(cache),
            }
        }
    }
    fallback(re)
}

fn fallback(re: &RegexNeedle) -> RegexState {
    match re.analysis().max_len {
        Some(max_len) if !re.regex_only() => RegexState::Window { from: 0, max_len },
        _ => RegexState::Rescan,
    }
}

fn find_regex(re: &RegexNeedle, state: &mut RegexState, hay: &[u8]) -> Option<Found> {
    if let RegexState::Dfa(scan) = state {
        let Some(det) = &re.analysis().detector else {
            *state = fallback(re);
            return find_regex(re, state, hay);
        };
        match scan.advance(det, hay) {
            Scanned::Pending => return None,
            Scanned::Never => {
                *state = RegexState::Never;
                return None;
            }
            Scanned::Found { end } => {
                // Every match ends at `end` or later. A bounded one starts at most `max_len` before;
                // an unbounded one where the reverse DFA, run back from the end of the
                // leftmost-first match, says. The `Regex` searches from there (the context before
                // stays visible to its assertions), and from the start if that finds nothing.
                let (from, exact) = match re.analysis().max_len {
                    Some(max) => (end.saturating_sub(max), false),
                    None => match scan.leftmost_end(det, hay, end).and_then(|e| det.match_start(hay, e)) {
                        Some(start) => (start, true),
                        None => (0, false),
                    },
                };
                let found = captures(re, hay, from).filter(|f| !exact || f.whole().start == from);
                if let Some(found) = found.or_else(|| captures(re, hay, 0)) {
                    return Some(found);
                }
                // The DFA saw a match the `Regex` does not: they disagree (a `RegexBuilder`
                // option); trust the `Regex`.
                re.set_regex_only();
                *state = RegexState::Rescan;
            }
            Scanned::Stopped => *state = fallback(re),
        }
    }
    match state {
        RegexState::Window { from, max_len } => {
            let found = captures(re, hay, *from);
            if found.is_none() {
                // A match that is not there now must end in output still to come, or in the last
                // bytes whose look-ahead the new output can change: it starts after this.
                *from = (*from).max(hay.len().saturating_sub(*max_len + LOOK_AHEAD));
            }
            found
        }
        RegexState::Rescan => captures(re, hay, 0),
        RegexState::Never | RegexState::Dfa(_) => None,
    }
}

/// The leftmost-first match of `re` in `hay` that starts at `from` or later, with its groups.
fn captures(re: &RegexNeedle, hay: &[u8], from: usize) -> Option<Found> {
    let regex = re.regex();
    let mut locs = regex.capture_locations();
    regex.captures_read_at(&mut locs, hay, from)?;
    let groups = (0..locs.len()).map(|i| locs.get(i).map(|(s, e)| s..e)).collect();
    Some(Found { groups })
}

#[cfg(test)]
mod tests {
    use super::super::detector::Settings;
    use super::super::Regex;
    use super::*;
    use regex::bytes::RegexBuilder;

    fn re(pattern: &str) -> Needle {
        Needle::regex(pattern).unwrap()
    }

    /// Pushes `chunks` one by one, checking after each; the first match.
    fn feed(search: &mut Search, buf: &mut Buffer, chunks: &[&[u8]]) -> Option<(usize, Match)> {
        for chunk in chunks {
            buf.push(chunk);
            if let Some(hit) = search.check(buf).unwrap() {
                return Some(hit);
            }
        }
        None
    }

    #[test]
    fn the_earliest_end_wins_and_ties_go_to_the_first() {
        // "abc" starts first but "bc" ends... at the same place: the first in the list wins.
        for needles in [[Needle::from("abc"), Needle::from("bc")], [Needle::from("bc"), Needle::from("abc")]] {
            let mut buf = Buffer::new();
            let (i, m) = feed(&mut Search::new(&needles), &mut buf, &[b"xabcx"]).unwrap();
            assert_eq!(i, 0);
            assert_eq!(m.before().len() + m.as_bytes().len(), 4);
        }
        // "long" starts earlier but ends later than "on": "on" wins, in one read or many.
        let needles = [re("l.ng"), Needle::from("on")];
        for chunks in [&[&b"xlong"[..]][..], &[b"xl", b"o", b"ng"]] {
            let mut buf = Buffer::new();
            let (i, m) = feed(&mut Search::new(&needles), &mut buf, chunks).unwrap();
            assert_eq!((i, m.before(), m.as_bytes()), (1, &b"xl"[..], &b"on"[..]));
            assert_eq!(buf.as_bytes(), b"g");
        }
    }

    #[test]
    fn before_is_the_output_since_the_previous_match() {
        let mut buf = Buffer::new();
        buf.push(b"login: x\r\nPassword: ");
        let (_, m) = Search::new(&[Needle::from("login: ")]).check(&mut buf).unwrap().unwrap();
        assert_eq!(
            (m.before(), m.as_bytes(), m.get(0), m.get(1)),
            (&b""[..], &b"login: "[..], Some(&b"login: "[..]), None)
        );
        let (_, m) = Search::new(&[re(r"(\w+): ")]).check(&mut buf).unwrap().unwrap();
        assert_eq!((m.before(), m.get(1)), (&b"x\r\n"[..], Some(&b"Password"[..])));
        assert!(buf.is_empty());
        assert_eq!(buf.position(), 20);
    }

    #[test]
    fn eof_matches_the_rest_and_other_needles_fail_at_once() {
        let mut buf = Buffer::new();
        buf.push(b"bye\r\n");
        let mut search = Search::new(&[Needle::from("$ "), Needle::Eof]);
        assert!(search.check(&mut buf).unwrap().is_none());
        buf.set_eof();
        let (i, m) = search.check(&mut buf).unwrap().unwrap();
        assert_eq!((i, m.before(), m.as_bytes()), (1, &b"bye\r\n"[..], &b""[..]));
        // After the end: Eof again (empty), anything else fails at once.
        let (_, m) = Search::new(&[Needle::Eof]).check(&mut buf).unwrap().unwrap();
        assert!(m.before().is_empty());
        let err = Search::new(&[Needle::from("x")]).check(&mut buf).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::UnexpectedEof);
    }

    #[test]
    fn a_needle_that_ends_before_the_end_beats_eof() {
        let mut buf = Buffer::new();
        buf.push(b"a prompt> and more");
        buf.set_eof();
        let (i, m) = Search::new(&[Needle::Eof, Needle::from("> ")]).check(&mut buf).unwrap().unwrap();
        assert_eq!((i, m.before()), (1, &b"a prompt"[..]));
        // At the very end, a tie: the first in the list.
        let (i, _) = Search::new(&[Needle::Eof, Needle::from("more")]).check(&mut buf).unwrap().unwrap();
        assert_eq!(i, 0);
    }

    #[test]
    fn eof_error_keeps_the_output_and_tells_the_status() {
        use std::os::unix::process::ExitStatusExt;
        let mut buf = Buffer::new();
        buf.push(b"Traceback: oops\r\n");
        buf.set_eof();
        buf.set_exit_status(std::process::ExitStatus::from_raw(3 << 8));
        let err = Search::new(&[Needle::from(">>> "), re(r"\d+")]).check(&mut buf).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::UnexpectedEof);
        let inner = ExpectError::of(&err).unwrap();
        assert_eq!(inner.output(), b"Traceback: oops\r\n");
        assert_eq!(inner.exit_status().and_then(|s| s.code()), Some(3));
        assert_eq!(
            err.to_string(),
            r#"end of output (exit status: 3) before any of [">>> ", regex /\d+/]; unmatched output, 17 bytes: "Traceback: oops\r\n""#
        );
        assert_eq!(buf.as_bytes(), b"Traceback: oops\r\n");
    }

    #[test]
    fn a_timeout_loses_nothing() {
        let mut buf = Buffer::new();
        let mut search = Search::new(&[Needle::from("done")]);
        assert!(feed(&mut search, &mut buf, &[b"working ", b"do"]).is_none());
        let err = search.timed_out(&mut buf, Some(Duration::from_millis(300))).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::TimedOut);
        assert_eq!(ExpectError::of(&err).unwrap().output(), b"working do");
        assert!(err.to_string().starts_with(r#"timed out after 300ms waiting for "done""#), "{err}");
        // The next expect, with other needles, starts at the start of the unconsumed output.
        let mut search = Search::new(&[Needle::from("ne"), Needle::from("work")]);
        let (i, m) = feed(&mut search, &mut buf, &[b"ne"]).unwrap();
        assert_eq!((i, m.before()), (1, &b""[..]));
        let (i, m) = search.check(&mut buf).unwrap().unwrap();
        assert_eq!((i, m.before()), (0, &b"ing do"[..]));
    }

    #[test]
    fn utf8_split_across_reads() {
        let e = "é".as_bytes();
        for needle in [Needle::from("é"), re("é"), re(r"caf\w\b"), re(r"(?i)CAFÉ")] {
            let mut buf = Buffer::new();
            let mut search = Search::new(std::slice::from_ref(&needle));
            let (_, m) = feed(&mut search, &mut buf, &[b"caf", &e[..1], &e[1..], b" au lait"]).unwrap();
            assert_eq!(m.as_bytes().last(), Some(&e[1]), "{needle}");
        }
    }

    #[test]
    fn a_greedy_end_matches_what_has_arrived() {
        let mut buf = Buffer::new();
        let (_, m) = feed(&mut Search::new(&[re(r"\d+")]), &mut buf, &[b"n=12", b"34\r\n"]).unwrap();
        assert_eq!(m.as_bytes(), b"12");
        // Anchored to what follows, it waits for the whole number.
        let mut buf = Buffer::new();
        let (_, m) = feed(&mut Search::new(&[re(r"(\d+)\r\n")]), &mut buf, &[b"n=12", b"34\r\n"]).unwrap();
        assert_eq!(m.get(1), Some(&b"1234"[..]));
    }

    /// Output with many near misses, then the needle: "key=<20 lowercase letters>;".
    fn thrashing_output() -> (Vec<u8>, &'static [u8]) {
        let mut out = Vec::new();
        let mut x = 0x2545_f491_u32;
        for _ in 0..20_000 {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            out.push(b"abcdefghijklmnopqrstuvwxyz=; "[(x % 29) as usize]);
        }
        (out, b"key=abcdefghijklmnopqrst;")
    }

    /// The same matches in any chunking, with a lazy DFA of these settings as with the `Regex`.
    fn check_with_settings(settings: Settings) {
        let (mut out, tail) = thrashing_output();
        out.extend_from_slice(tail);
        let regex = Regex::new(r"[a-z]{3}=([a-z]{20});").unwrap();
        let expected = regex.captures(&out).unwrap().get(0).unwrap().range();
        for step in [1, 3, 1000, out.len()] {
            let mut buf = Buffer::new();
            let mut search = Search::new(&[Needle::regex_with(regex.clone(), settings)]);
            let chunks: Vec<&[u8]> = out.chunks(step).collect();
            let (_, m) = feed(&mut search, &mut buf, &chunks).expect("found");
            assert_eq!(m.before().len()..m.before().len() + m.as_bytes().len(), expected, "step {step}");
            assert_eq!(m.get(1), Some(&b"abcdefghijklmnopqrst"[..]));
        }
    }

    #[test]
    fn a_lazy_dfa_that_gives_up_falls_back_to_the_regex() {
        check_with_settings(Settings { cache_capacity: 0, give_up_after_clears: Some(0) });
    }

    #[test]
    fn a_thrashing_lazy_dfa_stays_correct() {
        check_with_settings(Settings { cache_capacity: 0, give_up_after_clears: None });
        check_with_settings(Settings::default());
    }

    #[test]
    fn the_fallback_is_taken_where_the_dfa_stops() {
        let settings = Settings { cache_capacity: 0, give_up_after_clears: Some(0) };
        let needle = Needle::regex_with(Regex::new(r"[a-z]{3}=([a-z]{20});").unwrap(), settings);
        let (out, _) = thrashing_output();
        let mut buf = Buffer::new();
        let mut search = Search::new(&[needle]);
        for chunk in out.chunks(512) {
            buf.push(chunk);
            assert!(search.check(&mut buf).unwrap().is_none());
        }
        assert!(matches!(&search.states[0], State::Regex(RegexState::Window { .. })), "{:?}", search.states[0]);
    }

    #[test]
    fn unicode_word_boundaries_on_non_ascii_output() {
        // The lazy DFA quits on the first non-ASCII byte; the bounded regex is searched in a
        // window, the unbounded one again in whole.
        for (pattern, state) in [(r"\bnaïve\b", "Window"), (r"\bna\w+ve\b", "Rescan")] {
            let mut buf = Buffer::new();
            let mut search = Search::new(&[re(pattern)]);
            assert!(feed(&mut search, &mut buf, &[b"\xe2\x94\x80 na", b"\xc3\xaf", b"vet", b"e "]).is_none());
            assert!(format!("{:?}", search.states[0]).starts_with(&format!("Regex({state}")), "{:?}", search.states[0]);
            let (_, m) = feed(&mut search, &mut buf, &[b"na\xc3", b"\xafve", b"!"]).unwrap();
            assert_eq!(m.as_bytes(), "naïve".as_bytes(), "{pattern}");
            assert_eq!(m.before(), "─ naïvete ".as_bytes());
        }
    }

    #[test]
    fn builder_options_the_pattern_text_lacks_are_still_honoured() {
        // Case-insensitive by the builder: the lazy DFA (from the text) misses "OK", and the
        // `Regex` finds it before a timeout is reported.
        let needle = Needle::from(RegexBuilder::new("ok").case_insensitive(true).build().unwrap());
        let mut buf = Buffer::new();
        let mut search = Search::new(std::slice::from_ref(&needle));
        assert!(feed(&mut search, &mut buf, &[b"all ", b"OK\r\n"]).is_none());
        let (_, m) = search.timed_out(&mut buf, None).unwrap();
        assert_eq!(m.as_bytes(), b"OK");
        // From then on the needle searches with its `Regex`: found at once.
        let mut search = Search::new(std::slice::from_ref(&needle));
        assert_eq!(feed(&mut search, &mut buf, &[b"Ok"]).unwrap().1.as_bytes(), b"Ok");
        // And at the end of output, as well.
        let needle = Needle::from(RegexBuilder::new("ok").case_insensitive(true).build().unwrap());
        let mut buf = Buffer::new();
        buf.push(b"OK");
        buf.set_eof();
        let (_, m) = Search::new(&[needle, Needle::Eof]).check(&mut buf).unwrap().unwrap();
        assert_eq!(m.as_bytes(), b"OK");
        // Whitespace ignored by the builder: the DFA sees "a b" where the `Regex` does not; the
        // `Regex` wins.
        let needle = Needle::from(RegexBuilder::new("a b").ignore_whitespace(true).build().unwrap());
        let mut buf = Buffer::new();
        let mut search = Search::new(&[needle]);
        assert!(feed(&mut search, &mut buf, &[b"a b"]).is_none());
        assert_eq!(feed(&mut search, &mut buf, &[b" ab"]).unwrap().1.as_bytes(), b"ab");
    }

    #[test]
    fn a_regex_that_can_never_match_costs_nothing_more() {
        let mut buf = Buffer::new();
        let mut search = Search::new(&[re(r"\Alogin")]);
        assert!(feed(&mut search, &mut buf, &[b"welcome\r\n", b"login: "]).is_none());
        assert!(matches!(&search.states[0], State::Regex(RegexState::Never)));
        buf.set_eof();
        assert_eq!(search.check(&mut buf).unwrap_err().kind(), io::ErrorKind::UnexpectedEof);
    }

    #[test]
    fn the_cache_is_reused_by_the_next_search() {
        let needle = re(r"\d+\r\n");
        let Needle::Regex(inner) = &needle else { unreachable!() };
        let mut buf = Buffer::new();
        buf.push(b"1\r\n2\r\n");
        for _ in 0..2 {
            let mut search = Search::new(std::slice::from_ref(&needle));
            assert!(search.check(&mut buf).unwrap().is_some());
            assert!(inner.take_cache().is_none(), "the search holds it");
            drop(search);
        }
        assert!(inner.take_cache().is_some(), "given back");
    }

    /// Sessions and their futures (tokio::spawn) hold these: they must be `Send`.
    #[test]
    fn the_engine_can_move_between_threads() {
        fn send_sync<T: Send + Sync>() {}
        send_sync::<Needle>();
        send_sync::<Search>();
        send_sync::<Buffer>();
        send_sync::<Match>();
        send_sync::<ExpectError>();
    }

    #[test]
    fn empty_needles() {
        let mut buf = Buffer::new();
        buf.push(b"abc");
        let (_, m) = Search::new(&[Needle::from("")]).check(&mut buf).unwrap().unwrap();
        assert_eq!((m.before(), m.as_bytes()), (&b""[..], &b""[..]));
        let (_, m) = Search::new(&[re("x*")]).check(&mut buf).unwrap().unwrap();
        assert_eq!(m.as_bytes(), b"");
        assert!(Search::new(&[]).check(&mut buf).unwrap().is_none());
        buf.set_eof();
        let err = Search::new(&[]).check(&mut buf).unwrap_err();
        assert!(err.to_string().contains("nothing (no needles)"), "{err}");
    }
}
