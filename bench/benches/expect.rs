//! The expect engine in memory (`ptyx::expect`, no pty): 256 MiB of output in reads of a pty's
//! sizes, then a marker, found by a literal and by regexes. Shows how far the engine is above
//! what a pty delivers (about 250 MiB/s on the reference machine), which is what keeps
//! `expect` on a real program close to plain master reads.
//!
//! `cargo bench -p ptyx-bench --bench expect` (a minute or two); `PTYX_BENCH_EXPECT_MIB=16` for a
//! quick run. `copy` is the floor: the same reads into the same buffer, with no search.

use ptyx::expect::{Buffer, Needle, Regex, Search};
use std::sync::OnceLock;

fn main() {
    divan::main();
}

/// What `bench/c/writer` writes: the throughput benchmarks' output.
const PATTERN: &[u8; 64] = b"abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ+/";
const MARKER: &[u8] = b"\r\nMARKER-12345\r\n";

fn mib() -> usize {
    std::env::var("PTYX_BENCH_EXPECT_MIB").ok().and_then(|v| v.parse().ok()).unwrap_or(256)
}

/// The output: `mib()` MiB of the pattern, then the marker.
fn output() -> &'static [u8] {
    static OUTPUT: OnceLock<Vec<u8>> = OnceLock::new();
    OUTPUT.get_or_init(|| {
        let mut out: Vec<u8> = PATTERN.iter().copied().cycle().take(mib() << 20).collect();
        out.extend_from_slice(MARKER);
        out
    })
}

fn bytes() -> divan::counter::BytesCount {
    divan::counter::BytesCount::new(output().len())
}

/// Reads the output in `chunk`-byte pieces into a fresh buffer, checking `needle` after each, as
/// a session does; the length of `before` of the match.
fn expect(needle: Option<&Needle>, chunk: usize) -> usize {
    let mut buf = Buffer::new();
    let mut search = needle.map(|n| Search::new(std::slice::from_ref(n)));
    for piece in output().chunks(chunk) {
        let read = buf.read_with(piece.len(), |room| {
            room[..piece.len()].copy_from_slice(piece);
            Ok(piece.len())
        });
        assert_eq!(read.map(<[u8]>::len).ok(), Some(piece.len()));
        if let Some(search) = &mut search {
            if let Some((_, m)) = search.check(&mut buf).expect("no end of output") {
                assert_eq!(m.get(1).unwrap_or(b"12345"), b"12345");
                return m.before().len();
            }
        }
    }
    assert!(search.is_none(), "the marker was not found");
    buf.len()
}

/// Read sizes: what a pty master read returns under load (4 KiB), and a full 64 KiB read.
const CHUNKS: [usize; 2] = [4096, 65536];

#[divan::bench(args = CHUNKS, sample_count = 5, sample_size = 1)]
fn copy(b: divan::Bencher, chunk: usize) {
    b.counter(bytes()).bench(|| expect(None, chunk));
}

#[divan::bench(args = CHUNKS, sample_count = 5, sample_size = 1)]
fn literal(b: divan::Bencher, chunk: usize) {
    let needle = Needle::from("MARKER-12345");
    b.counter(bytes()).bench(|| expect(Some(&needle), chunk));
}

/// A regex with a literal in it: the lazy DFA steps every byte all the same.
#[divan::bench(args = CHUNKS, sample_count = 5, sample_size = 1)]
fn regex_literal(b: divan::Bencher, chunk: usize) {
    let needle = Needle::from(Regex::new(r"MARKER-(\d+)\r\n").unwrap());
    b.counter(bytes()).bench(|| expect(Some(&needle), chunk));
}

/// A regex of classes that the output keeps half-matching (`XYZ+/` is 3 capitals, then no `-`).
#[divan::bench(args = CHUNKS, sample_count = 5, sample_size = 1)]
fn regex_classes(b: divan::Bencher, chunk: usize) {
    let needle = Needle::from(Regex::new(r"[A-Z]{3,8}-(\d+)\r\n").unwrap());
    b.counter(bytes()).bench(|| expect(Some(&needle), chunk));
}

/// The same regex searched by the `regex` crate over the whole output once: what a search that
/// knew where the output ends would cost (pexpect searches like this after every read).
#[divan::bench(sample_count = 5, sample_size = 1)]
fn regex_crate_once(b: divan::Bencher) {
    let regex = Regex::new(r"[A-Z]{3,8}-(\d+)\r\n").unwrap();
    b.counter(bytes()).bench(|| regex.captures(output()).map(|c| c.get(0).unwrap().start()));
}
