//! The program's output that no match has consumed yet, kept between `expect` calls.
//!
//! It is where reads land (read straight into its spare room, no copy), what searches look at,
//! and what a match takes its bytes from. Consumed output is dropped, so memory follows the
//! unmatched output, not everything ever read.

use super::matched::Match;
use regex::bytes::Regex;
use std::io;
use std::ops::Range;
use std::process::ExitStatus;

/// Room a buffer starts with, and never shrinks below: one read of a pty.
const MIN_CAPACITY: usize = 64 * 1024;

/// Consumed output of up to this size is copied out to the match; more and the allocation itself
/// moves to the match (the rest of the output is copied to a new one if it is smaller).
const COPY_LIMIT: usize = 64 * 1024;

/// Output read from the program and not yet consumed by a match, and whether its end has been
/// seen.
///
/// The session reads into it ([`read_with`](Self::read_with), or [`spare`](Self::spare) and
/// [`commit`](Self::commit), or [`push`](Self::push)), marks the end with
/// [`set_eof`](Self::set_eof), and runs a [`Search`](super::Search) over it after each read.
/// A search that matches consumes the output up to the end of its match; output after it stays
/// for the next search, and so does everything on a timeout.
#[derive(Debug, Default)]
pub struct Buffer {
    /// `data[start..end]` is the unconsumed output; `data[end..]` is room for reads (zeroed, so
    /// it can be handed out as `&mut [u8]`); the allocation beyond `data.len()` is not touched.
    data: Vec<u8>,
    start: usize,
    end: usize,
    /// How many bytes have been consumed before `data[start]`, since the first read.
    consumed: u64,
    eof: bool,
    status: Option<ExitStatus>,
}

impl Buffer {
    /// An empty buffer (allocates on the first read).
    pub fn new() -> Buffer {
        Buffer::default()
    }

    /// The output not consumed by any match yet.
    pub fn as_bytes(&self) -> &[u8] {
        &self.data[self.start..self.end]
    }

    /// The number of unconsumed bytes.
    pub fn len(&self) -> usize {
        self.end - self.start
    }

    /// Whether all output read so far has been consumed.
    pub fn is_empty(&self) -> bool {
        self.start == self.end
    }

    /// How many bytes of output matches have consumed since the start: the position of
    /// `as_bytes()[0]` in the whole output.
    pub fn position(&self) -> u64 {
        self.consumed
    }

    /// Appends output.
    pub fn push(&mut self, bytes: &[u8]) {
        self.spare(bytes.len())[..bytes.len()].copy_from_slice(bytes);
        self.end += bytes.len();
    }

    /// Room for a read of at least `min` bytes at the end of the output (it may be larger). Fill
    /// a prefix of it and [`commit`](Self::commit) how much.
    pub fn spare(&mut self, min: usize) -> &mut [u8] {
        if self.data.len() - self.end < min {
            self.make_room(min);
        }
        &mut self.data[self.end..]
    }

    /// Adds the first `n` bytes of the [`spare`](Self::spare) room to the output.
    ///
    /// # Panics
    ///
    /// If `n` is larger than the room: a bug in the caller, which the read gave at most that many.
    pub fn commit(&mut self, n: usize) {
        assert!(n <= self.data.len() - self.end, "commit({n}) beyond the spare room");
        self.end += n;
    }

    /// Reads once with `read` into the spare room (at least `min` bytes of it) and returns the
    /// bytes it read, e.g. for a log: `buf.read_with(64 * 1024, |b| master.read(b))`. An empty
    /// slice is what `read` returned, `Ok(0)`; the buffer does not decide that it is the end.
    ///
    /// # Errors
    ///
    /// What `read` returned; the output is unchanged then.
    pub fn read_with(&mut self, min: usize, read: impl FnOnce(&mut [u8]) -> io::Result<usize>) -> io::Result<&[u8]> {
        let room = self.spare(min);
        let room_len = room.len();
        let n = read(room)?;
        // A reader that claims more than it was given is broken; don't trust bytes it never wrote.
        let n = n.min(room_len);
        self.end += n;
        Ok(&self.data[self.end - n..self.end])
    }

    /// Marks the end of the output: no more will come. [`Needle::Eof`](super::Needle::Eof)
    /// matches from now on, and searches that find nothing fail with `UnexpectedEof`.
    pub fn set_eof(&mut self) {
        self.eof = true;
    }

    /// Whether the end of the output has been seen.
    pub fn is_eof(&self) -> bool {
        self.eof
    }

    /// Records how the program ended, for the error of an `expect` that meets the end of output.
    pub fn set_exit_status(&mut self, status: ExitStatus) {
        self.status = Some(status);
    }

    /// How the program ended, if known.
    pub fn exit_status(&self) -> Option<ExitStatus> {
        self.status
    }

    /// Takes all unconsumed output (e.g. to hand it to the user's terminal before `interact`),
    /// as if a match had consumed it.
    pub fn take(&mut self) -> Vec<u8> {
        let len = self.len();
        self.split_off_match(len..len, vec![Some(len..len)], None).into_before()
    }

    /// Consumes the output up to `whole.end` and returns it as a match: `before` is the output up
    /// to `whole.start`. `groups` (group 0 = `whole` first) are ranges of [`as_bytes`](Self::as_bytes).
    pub(crate) fn split_off_match(
        &mut self,
        whole: Range<usize>,
        groups: Vec<Option<Range<usize>>>,
        regex: Option<Regex>,
    ) -> Match {
        debug_assert!(whole.start <= whole.end && whole.end <= self.len());
        let cut = self.start + whole.end;
        let taken = whole.end;
        let rest = self.end - cut;
        let (bytes, base) = if taken <= COPY_LIMIT || rest > taken {
            // Copy the smaller part: what the match takes.
            let bytes = self.data[self.start..cut].to_vec();
            self.start = cut;
            (bytes, 0)
        } else {
            // The match takes the allocation (no copy of a large `before`); the rest moves to a
            // new one.
            let mut data = vec![0; (rest + MIN_CAPACITY).max(MIN_CAPACITY)];
            data[..rest].copy_from_slice(&self.data[cut..self.end]);
            let mut bytes = std::mem::replace(&mut self.data, data);
            bytes.truncate(cut);
            let base = self.start;
            self.start = 0;
            self.end = rest;
            (bytes, base)
        };
        self.consumed += taken as u64;
        if self.start == self.end {
            // Nothing left: the room starts at the front again, for free.
            self.start = 0;
            self.end = 0;
        }
        let shift = |r: Range<usize>| r.start + base..r.end + base;
        let groups = groups.into_iter().map(|g| g.map(shift)).collect();
        Match::new(bytes, base, groups, regex)
    }

    /// Makes `min` bytes of room after the output: moves the output to the front when consumed
    /// output takes at least as much space as it (so each byte is moved at most once per byte
    /// consumed), else grows; and gives back memory when the allocation is far larger than
    /// needed. Room is zeroed as it is handed out, not when the allocation grows: a buffer
    /// growing to hundreds of MiB touches no page it does not fill.
    fn make_room(&mut self, min: usize) {
        let live = self.len();
        if self.start > 0 && self.start >= live {
            self.data.copy_within(self.start..self.end, 0);
            self.start = 0;
            self.end = live;
        }
        let target = (live + min).max(MIN_CAPACITY);
        if self.data.capacity() > 4 * target {
            // `end` is below `2 * live` (moved, or `start < live`): the output stays.
            debug_assert!(self.end <= 2 * target);
            self.data.truncate(self.end.max(2 * target).min(self.data.len()));
            self.data.shrink_to(2 * target);
        }
        if self.data.len() - self.end < min {
            // `resize` grows the allocation by doubling (amortised O(1) a byte) and zeroes only
            // the room asked for, plus one read's worth so small reads don't come back each time.
            self.data.resize(self.end + min.max(MIN_CAPACITY), 0);
        }
    }

    /// The allocation's size: what the memory tests watch.
    #[cfg(test)]
    pub(crate) fn capacity(&self) -> usize {
        self.data.capacity()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn whole(buf: &Buffer, r: Range<usize>) -> (Range<usize>, Vec<Option<Range<usize>>>) {
        assert!(r.end <= buf.len());
        (r.clone(), vec![Some(r)])
    }

    #[test]
    fn push_read_and_split() {
        let mut buf = Buffer::new();
        buf.push(b"hello ");
        let got = buf.read_with(16, |room| {
            room[..5].copy_from_slice(b"world");
            Ok(5)
        });
        assert_eq!(got.unwrap(), b"world");
        assert_eq!(buf.as_bytes(), b"hello world");
        let (w, g) = whole(&buf, 2..5);
        let m = buf.split_off_match(w, g, None);
        assert_eq!((m.before(), m.as_bytes()), (&b"he"[..], &b"llo"[..]));
        assert_eq!(buf.as_bytes(), b" world");
        assert_eq!(buf.position(), 5);
        // A failed read changes nothing.
        let err = buf.read_with(1, |_| Err(io::Error::from(io::ErrorKind::Interrupted))).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::Interrupted);
        assert_eq!(buf.as_bytes(), b" world");
        assert_eq!(buf.take(), b" world");
        assert!(buf.is_empty());
        assert_eq!(buf.position(), 11);
    }

    #[test]
    fn a_large_before_moves_without_copy_and_the_rest_stays() {
        let mut buf = Buffer::new();
        let big = vec![b'x'; 1 << 20];
        buf.push(&big);
        buf.push(b"MARK tail");
        let (w, g) = whole(&buf, big.len()..big.len() + 4);
        let before_ptr = buf.as_bytes().as_ptr();
        let m = buf.split_off_match(w, g, None);
        assert_eq!(m.before().as_ptr(), before_ptr, "the allocation moved to the match");
        assert_eq!(m.before(), &big[..]);
        assert_eq!(m.as_bytes(), b"MARK");
        assert_eq!(buf.as_bytes(), b" tail");
        assert!(buf.capacity() < 1 << 20);
        assert_eq!(m.into_before(), big);
    }

    #[test]
    fn memory_follows_the_unconsumed_output() {
        // 64 MiB go through in 64 KiB reads, each consumed a few reads later: the buffer never
        // holds more than a few reads' worth.
        let mut buf = Buffer::new();
        let mut max_capacity = 0;
        for i in 0..1024u32 {
            let room = buf.spare(64 * 1024);
            room[..64 * 1024].fill(i as u8);
            buf.commit(64 * 1024);
            if buf.len() > 3 * 64 * 1024 {
                let n = buf.len() - 64 * 1024 + 17;
                let (w, g) = whole(&buf, n - 1..n);
                drop(buf.split_off_match(w, g, None));
            }
            max_capacity = max_capacity.max(buf.capacity());
        }
        assert!(max_capacity <= 1 << 20, "capacity grew to {max_capacity}");
        // After a large unmatched stretch is consumed, the memory is given back on the next read.
        buf.push(&vec![b'y'; 32 << 20]);
        let len = buf.len();
        let (w, g) = whole(&buf, len - 10..len - 9);
        drop(buf.split_off_match(w, g, None));
        buf.spare(64 * 1024);
        assert!(buf.capacity() <= 1 << 20, "capacity {} after the big match", buf.capacity());
    }

    #[test]
    fn compaction_keeps_the_bytes() {
        let mut buf = Buffer::new();
        let mut expected = Vec::new();
        let mut next = 0u8;
        for round in 0..500usize {
            let chunk: Vec<u8> = (0..(round * 37) % 9000 + 1)
                .map(|_| {
                    next = next.wrapping_add(1);
                    next
                })
                .collect();
            buf.push(&chunk);
            expected.extend_from_slice(&chunk);
            let n = (round * 7919) % (buf.len() + 1);
            let (w, g) = whole(&buf, n / 2..n);
            let m = buf.split_off_match(w, g, None);
            assert_eq!(m.consumed(), &expected[..n]);
            expected.drain(..n);
            assert_eq!(buf.as_bytes(), &expected[..]);
        }
    }
}
