//! Incremental UTF-8 decoding of a byte stream, as asciicast writers need it.
//!
//! asciicast stores text, but a pseudo-terminal delivers bytes in arbitrary chunks: a character may be split
//! between two reads, and programs may print bytes that are not UTF-8 at all. asciinema (2: Python's
//! incremental `utf-8` decoder with `errors="replace"`; 3: the same policy in Rust) keeps an incomplete
//! character back until the next chunk and turns every maximal invalid subsequence into one U+FFFD
//! (Unicode 15, §3.9 "U+FFFD Substitution of Maximal Subparts", the policy of
//! [`String::from_utf8_lossy`] and of the [WHATWG UTF-8 decoder](https://encoding.spec.whatwg.org/#utf-8-decoder)
//! too). Decoding a stream chunk by chunk with [`Utf8Decoder`] therefore gives
//! exactly `String::from_utf8_lossy` of the whole stream, whatever the chunk boundaries.

/// The replacement for bytes that are not UTF-8.
const REPLACEMENT: char = '\u{FFFD}';

/// Decodes one byte stream (one per asciicast event code) into text, chunk by chunk.
#[derive(Debug, Default, Clone)]
pub struct Utf8Decoder {
    /// An incomplete but so far valid character from the end of the previous chunk (at most 3 bytes).
    held: Vec<u8>,
}

impl Utf8Decoder {
    /// A decoder at the start of a stream.
    pub fn new() -> Self {
        Self::default()
    }

    /// Decodes the next chunk. The text may be empty: a chunk that only starts a character gives nothing
    /// until the chunk that completes it.
    pub fn decode(&mut self, chunk: &[u8]) -> String {
        let mut out = String::with_capacity(self.held.len() + chunk.len());
        let mut rest = chunk;
        if !self.held.is_empty() {
            // Complete the held character byte by byte; the result is either a whole character, an invalid
            // sequence (replaced, and the byte that broke it is decoded afresh) or still incomplete.
            while let Some((&b, tail)) = rest.split_first() {
                self.held.push(b);
                match std::str::from_utf8(&self.held) {
                    Ok(s) => {
                        out.push_str(s);
                        self.held.clear();
                        rest = tail;
                        break;
                    }
                    Err(e) if e.error_len().is_none() => rest = tail,
                    Err(_) => {
                        // The held bytes are a maximal subpart; the new byte starts over.
                        self.held.pop();
                        out.push(REPLACEMENT);
                        self.held.clear();
                        break;
                    }
                }
            }
            if !self.held.is_empty() {
                return out;
            }
        }
        loop {
            match std::str::from_utf8(rest) {
                Ok(s) => {
                    out.push_str(s);
                    return out;
                }
                Err(e) => {
                    let (valid, after) = rest.split_at(e.valid_up_to());
                    // `valid_up_to` guarantees this prefix is UTF-8.
                    out.push_str(std::str::from_utf8(valid).unwrap_or_default());
                    match e.error_len() {
                        Some(n) => {
                            out.push(REPLACEMENT);
                            rest = &after[n..];
                        }
                        None => {
                            self.held.extend_from_slice(after);
                            return out;
                        }
                    }
                }
            }
        }
    }

    /// Ends the stream: a character still incomplete can never be completed, so it becomes one U+FFFD.
    pub fn finish(&mut self) -> String {
        if self.held.is_empty() {
            String::new()
        } else {
            self.held.clear();
            REPLACEMENT.to_string()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn decode_chunks(chunks: &[&[u8]]) -> Vec<String> {
        let mut d = Utf8Decoder::new();
        let mut out: Vec<String> = chunks.iter().map(|c| d.decode(c)).collect();
        out.push(d.finish());
        out
    }

    #[test]
    fn asciinema_utf8_example() {
        // `printf 'a\377b\342\202'; sleep 0.1; printf '\254 end'`: see tests/fixtures/asciinema*-utf8.cast.
        let out = decode_chunks(&[b"a\xffb\xe2\x82", b"\xac end"]);
        assert_eq!(out, ["a\u{FFFD}b", "\u{20AC} end", ""]);
    }

    #[test]
    fn split_four_byte_character() {
        let bytes = "x😀y".as_bytes();
        for cut in 0..=bytes.len() {
            let out = decode_chunks(&[&bytes[..cut], &bytes[cut..]]);
            assert_eq!(out.concat(), "x😀y", "cut at {cut}");
        }
        let out = decode_chunks(&[b"\xf0", b"\x9f", b"\x98", b"\x80"]);
        assert_eq!(out, ["", "", "", "😀", ""]);
    }

    #[test]
    fn broken_held_character() {
        // A held lead byte followed by something that cannot continue it: one U+FFFD, and the new byte is
        // decoded on its own.
        assert_eq!(decode_chunks(&[b"\xe2\x82", b"A"]), ["", "\u{FFFD}A", ""]);
        assert_eq!(decode_chunks(&[b"\xe2", b"\xe2\x82\xac"]), ["", "\u{FFFD}\u{20AC}", ""]);
    }

    #[test]
    fn incomplete_at_end_is_one_replacement() {
        assert_eq!(decode_chunks(&[b"ok\xf0\x9f\x98"]), ["ok", "\u{FFFD}"]);
    }

    #[test]
    fn invalid_bytes_like_lossy() {
        let cases: &[&[u8]] = &[b"\xed\xa0\x80", b"\xc0\xaf", b"\xf4\x90\x80\x80", b"\x80\x80", b"\xf0\x80"];
        for case in cases {
            assert_eq!(decode_chunks(&[case]).concat(), String::from_utf8_lossy(case));
        }
    }

    proptest! {
        #[test]
        fn any_split_equals_lossy(bytes in proptest::collection::vec(
            prop_oneof![any::<u8>(), 0x80u8..0xc0, 0xc2u8..0xf5], 0..64),
            cuts in proptest::collection::vec(0usize..64, 0..8))
        {
            let mut cuts: Vec<usize> = cuts.into_iter().map(|c| c.min(bytes.len())).collect();
            cuts.sort_unstable();
            let mut d = Utf8Decoder::new();
            let mut text = String::new();
            let mut start = 0;
            for cut in cuts.into_iter().chain([bytes.len()]) {
                text += &d.decode(&bytes[start..cut]);
                start = cut;
            }
            text += &d.finish();
            prop_assert_eq!(text, String::from_utf8_lossy(&bytes));
        }
    }
}
