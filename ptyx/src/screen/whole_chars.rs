//! In front of the parser: UTF-8 characters split between two feeds are held back until they are
//! whole, so that the parser never sees a character cut at the end of its input.
//!
//! `vte` keeps such a cut character itself, but finishing a valid one goes wrong when an invalid
//! byte follows within the next three: it then drops the valid characters in between (feeding
//! `C3` then `A9 61 FF` loses the `a`), and it prints a C1 control it would have executed. (An
//! invalid cut sequence it finishes as it would in one piece, so that is passed on as it is.) The
//! screen must show the same whatever the size of the reads, so the cut is undone here: the tail
//! of an incomplete character is kept (at most 3 bytes) and passed on with the next feed's first
//! bytes.

/// The bytes of a character cut at the end of the last feed.
#[derive(Debug, Default)]
pub(crate) struct WholeChars {
    held: [u8; 3],
    len: usize,
}

/// How long the UTF-8 sequence that `lead` starts is, if `lead` starts a multi-byte one.
fn sequence_len(lead: u8) -> Option<usize> {
    match lead {
        0xc2..=0xdf => Some(2),
        0xe0..=0xef => Some(3),
        0xf0..=0xf4 => Some(4),
        _ => None,
    }
}

/// Where the incomplete character at the end of `bytes` starts, if one does.
fn cut_at(bytes: &[u8]) -> Option<usize> {
    let start = bytes.len().saturating_sub(3);
    let lead = (start..bytes.len()).rev().find(|&i| bytes[i] & 0xc0 != 0x80)?;
    let needed = sequence_len(bytes[lead])?;
    (bytes.len() - lead < needed).then_some(lead)
}

impl WholeChars {
    /// Passes `bytes` to `pass` (in one, two or three runs), without a character cut at the end:
    /// that is kept for the next call.
    pub(crate) fn feed(&mut self, mut bytes: &[u8], mut pass: impl FnMut(&[u8])) {
        if self.len > 0 {
            // Complete the held character with the continuation bytes that follow (an invalid
            // sequence ends at the first byte that does not continue it).
            let needed = sequence_len(self.held[0]).unwrap_or(1);
            let mut run = [0; 4];
            run[..self.len].copy_from_slice(&self.held[..self.len]);
            let mut len = std::mem::take(&mut self.len);
            while len < needed {
                match bytes.first() {
                    Some(&b) if b & 0xc0 == 0x80 => {
                        run[len] = b;
                        len += 1;
                        bytes = &bytes[1..];
                    }
                    // Cut short by a byte that does not continue it: invalid, and `vte` handles
                    // an invalid held sequence as it would in one piece (a replacement
                    // character, then the byte that ended it).
                    Some(_) => break,
                    None => {
                        self.held[..len].copy_from_slice(&run[..len]);
                        self.len = len;
                        return;
                    }
                }
            }
            pass(&run[..len]);
        }
        let end = match cut_at(bytes) {
            Some(at) => {
                self.len = bytes.len() - at;
                self.held[..self.len].copy_from_slice(&bytes[at..]);
                at
            }
            None => bytes.len(),
        };
        if end > 0 {
            pass(&bytes[..end]);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn runs(w: &mut WholeChars, bytes: &[u8]) -> Vec<Vec<u8>> {
        let mut out = Vec::new();
        w.feed(bytes, |run| out.push(run.to_vec()));
        out
    }

    #[test]
    fn holds_a_cut_character_until_it_is_whole() {
        let mut w = WholeChars::default();
        assert_eq!(runs(&mut w, b"ab\xe6"), [b"ab".to_vec()]);
        assert_eq!(runs(&mut w, b"\xbc"), Vec::<Vec<u8>>::new());
        assert_eq!(runs(&mut w, b"\xa2cd"), [b"\xe6\xbc\xa2".to_vec(), b"cd".to_vec()]);
        // An invalid continuation ends the held sequence; the rest goes on as it is.
        assert_eq!(runs(&mut w, b"\xc3"), Vec::<Vec<u8>>::new());
        assert_eq!(runs(&mut w, b"A\xff"), [b"\xc3".to_vec(), b"A\xff".to_vec()]);
        // Complete characters and stray bytes at the end are not held.
        assert_eq!(runs(&mut w, "é".as_bytes()), ["é".as_bytes().to_vec()]);
        assert_eq!(runs(&mut w, b"x\x80"), [b"x\x80".to_vec()]);
        assert_eq!(runs(&mut w, b"\x1b[\xf0\x9f"), [b"\x1b[".to_vec()]);
        assert_eq!(runs(&mut w, b"\x98\x80"), [b"\xf0\x9f\x98\x80".to_vec()]);
    }
}
