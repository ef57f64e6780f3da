//! The expect engine against an independent model: for any way the output is split into reads,
//! a sequence of `expect`s returns what the model says (the first prefix of the output in which
//! some needle matches; among the needles matching there, the one whose match ends earliest,
//! the first in the list on a tie; the end of output last).

#![cfg(feature = "expect")]

use proptest::prelude::*;
use ptyx::expect::{Buffer, ExpectError, Needle, Regex, Search};
use std::io;

/// Needles whose first match does not change as more output arrives (no repetition that more
/// output could extend), so the result must not depend on the chunking. Some have a Unicode
/// `\b`, which stops the lazy DFA on non-ASCII output and takes the fallback paths: `\bé.\$`
/// (bounded: a window) and `\bé[ab]*?\$` (unbounded: the whole output again).
const POOL: &[(&str, bool)] = &[
    ("ab", false),
    ("b\r\n", false),
    ("é", false),
    ("$ ", false),
    ("aé", false),
    (r"a[b\r]+\n", true),
    (r"é.\$", true),
    (r">[^>]*?\$ ", true),
    (r"(\r\n|>)(\$)", true),
    (r"\bé.\$", true),
    (r"\bé[ab]*?\$", true),
    (r"(?m)^x", true),
];

/// Pieces the output is made of: text, line ends, a two-byte character, prompt characters.
const TOKENS: &[&str] = &["a", "b", "\r", "\n", "é", "$", " ", ">", "x", "─"];

#[derive(Clone, Debug, PartialEq)]
enum Outcome {
    /// Needle `i` matched: `before`, then the groups.
    Matched(usize, Vec<u8>, Vec<Option<Vec<u8>>>),
    /// The end of output with no match; the output left.
    Eof(Vec<u8>),
}

fn needle(spec: Option<usize>) -> Needle {
    match spec {
        None => Needle::Eof,
        Some(i) if POOL[i].1 => Needle::from(Regex::new(POOL[i].0).unwrap()),
        Some(i) => Needle::from(POOL[i].0),
    }
}

/// Groups as ranges of a haystack; group 0 is the whole match.
type Groups = Vec<Option<(usize, usize)>>;

/// The model: searches each prefix of the output with the `Regex` (or a naive literal search).
fn model(specs: &[Option<usize>], out: &[u8]) -> Vec<Outcome> {
    let regexes: Vec<Option<Regex>> =
        specs.iter().map(|s| s.filter(|&p| POOL[p].1).map(|p| Regex::new(POOL[p].0).unwrap())).collect();
    // The needle matching in the shortest prefix of `hay`, earliest end first, then list order.
    let first = |hay: &[u8]| -> Option<(usize, Groups)> {
        (0..=hay.len()).find_map(|end| {
            let prefix = &hay[..end];
            let mut best: Option<(usize, Groups)> = None;
            for (i, spec) in specs.iter().enumerate() {
                let Some(p) = *spec else { continue };
                let groups: Option<Groups> = match &regexes[i] {
                    Some(regex) => {
                        regex.captures(prefix).map(|c| c.iter().map(|g| g.map(|g| (g.start(), g.end()))).collect())
                    }
                    None => {
                        let lit = POOL[p].0.as_bytes();
                        prefix.windows(lit.len()).position(|w| w == lit).map(|s| vec![Some((s, s + lit.len()))])
                    }
                };
                let Some(groups) = groups else { continue };
                let whole_end = groups[0].unwrap().1;
                if best.as_ref().map_or(true, |(_, b)| whole_end < b[0].unwrap().1) {
                    best = Some((i, groups));
                }
            }
            best
        })
    };
    let mut outcomes = Vec::new();
    let mut start = 0;
    while let Some((i, groups)) = first(&out[start..]) {
        let hay = &out[start..];
        let (s, e) = groups[0].unwrap();
        let groups = groups.iter().map(|g| g.map(|(a, b)| hay[a..b].to_vec())).collect();
        outcomes.push(Outcome::Matched(i, hay[..s].to_vec(), groups));
        start += e;
    }
    let rest = out[start..].to_vec();
    match specs.iter().position(Option::is_none) {
        Some(i) => outcomes.push(Outcome::Matched(i, rest, vec![Some(Vec::new())])),
        None => outcomes.push(Outcome::Eof(rest)),
    }
    outcomes
}

/// The engine, fed `out` cut at `cuts`: `expect`s until the end of output.
fn engine(specs: &[Option<usize>], out: &[u8], cuts: &[usize]) -> Vec<Outcome> {
    let needles: Vec<Needle> = specs.iter().map(|&s| needle(s)).collect();
    let mut bounds: Vec<usize> = cuts.iter().map(|&c| c % (out.len() + 1)).collect();
    bounds.push(out.len());
    bounds.sort_unstable();
    let mut chunks = bounds.iter().scan(0, |at, &b| {
        let chunk = &out[*at..b];
        *at = b;
        Some(chunk)
    });
    let mut buf = Buffer::new();
    let mut outcomes = Vec::new();
    loop {
        let mut search = Search::new(&needles);
        let result = loop {
            match search.check(&mut buf) {
                Ok(Some(hit)) => break Ok(hit),
                Ok(None) => match chunks.next() {
                    Some(chunk) => buf.push(chunk),
                    None => buf.set_eof(),
                },
                Err(e) => break Err(e),
            }
        };
        match result {
            Ok((i, m)) => {
                let groups = (0..m.len()).map(|g| m.get(g).map(<[u8]>::to_vec)).collect();
                let eof = needles[i].to_string() == "end of output";
                outcomes.push(Outcome::Matched(i, m.before().to_vec(), groups));
                if eof {
                    return outcomes;
                }
            }
            Err(e) => {
                assert_eq!(e.kind(), io::ErrorKind::UnexpectedEof);
                outcomes.push(Outcome::Eof(ExpectError::of(&e).unwrap().output().to_vec()));
                return outcomes;
            }
        }
    }
}

fn output() -> impl Strategy<Value = Vec<u8>> {
    prop::collection::vec(prop::sample::select(TOKENS), 0..160).prop_map(|t| t.concat().into_bytes())
}

fn specs() -> impl Strategy<Value = Vec<Option<usize>>> {
    prop::collection::vec(prop::option::weighted(0.9, 0..POOL.len()), 1..5)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn any_chunking_gives_the_models_matches(
        specs in specs(),
        out in output(),
        cuts in prop::collection::vec(any::<usize>(), 0..40),
    ) {
        let expected = model(&specs, &out);
        prop_assert_eq!(engine(&specs, &out, &cuts), expected.clone(), "cut at {:?}", cuts);
        // Byte by byte, and all at once.
        let every: Vec<usize> = (0..out.len()).collect();
        prop_assert_eq!(engine(&specs, &out, &every), expected.clone());
        prop_assert_eq!(engine(&specs, &out, &[]), expected);
    }
}

#[test]
fn the_model_sees_the_cases_that_matter() {
    // The pool and tokens make ties, fallbacks and the end of output happen; a few by hand.
    let out = "x> a$ é─$é─$ ab\r\n".as_bytes();
    let specs = [Some(7), Some(9), Some(0), None];
    let expected = model(&specs, out);
    assert!(expected.len() >= 3, "{expected:?}");
    for step in 1..out.len() {
        let cuts: Vec<usize> = (step..out.len()).step_by(step).collect();
        assert_eq!(engine(&specs, out, &cuts), expected, "step {step}");
    }
}
