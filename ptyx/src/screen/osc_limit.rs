//! In front of the emulator: a bound on the length of an OSC string (`ESC ] ... BEL`), the one
//! thing in the escape-sequence grammar whose bytes the parser keeps until the end.
//!
//! The parser (`vte` with its `std` feature, as `alacritty_terminal` builds it) buffers an OSC
//! string without limit, so a program that prints `ESC ]0;` and then endless bytes would grow the
//! screen's memory forever. Real OSC strings (titles, hyperlinks, colour settings) are short;
//! this filter passes the first [`MAX_OSC`] bytes of each and drops the rest of it, keeping the
//! terminator, so the parser sees a complete, truncated sequence.
//!
//! It follows just enough of the [DEC ANSI parser](https://vt100.net/emu/dec_ansi_parser) that
//! `vte` implements to know where an OSC string starts and ends: in `vte`, ESC leads to the escape
//! state from every state, `]` right after it (C0 controls in between are executed, not
//! collected) starts an OSC string, and BEL, CAN, SUB or ESC ends it. Nothing else can start one:
//! `vte` does not take the 8-bit C1 form (0x9D).

/// The most bytes of one OSC string passed on to the emulator.
pub(crate) const MAX_OSC: usize = 4096;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// Anywhere but the two states below: text, CSI, DCS and the rest.
    Other,
    /// Just after an ESC.
    Escape,
    /// Inside an OSC string, with this many bytes of it seen.
    Osc(usize),
}

/// The filter's state between calls: a sequence may be split across reads.
#[derive(Debug)]
pub(crate) struct OscLimit {
    state: State,
}

impl OscLimit {
    pub(crate) fn new() -> OscLimit {
        OscLimit { state: State::Other }
    }

    /// Passes `bytes` to `pass` in one or more runs, leaving out the bytes of an OSC string past
    /// the first [`MAX_OSC`].
    #[inline]
    pub(crate) fn filter(&mut self, bytes: &[u8], mut pass: impl FnMut(&[u8])) {
        // Fast path: text and CSI sequences only need a look for the next ESC.
        let mut run_start = 0;
        let mut i = 0;
        while i < bytes.len() {
            match self.state {
                State::Other => match memchr::memchr(0x1b, &bytes[i..]) {
                    Some(at) => {
                        i += at + 1;
                        self.state = State::Escape;
                    }
                    None => break,
                },
                State::Escape => {
                    self.state = match bytes[i] {
                        b']' => State::Osc(0),
                        // C0 controls are executed inside an escape sequence, ESC restarts it,
                        // DEL and bytes >= 0x80 are ignored there: still just after an ESC.
                        0x00..=0x17 | 0x19 | 0x1b..=0x1f | 0x7f..=0xff => State::Escape,
                        _ => State::Other,
                    };
                    i += 1;
                }
                State::Osc(len) => {
                    let b = bytes[i];
                    match b {
                        0x07 | 0x18 | 0x1a => self.state = State::Other,
                        0x1b => self.state = State::Escape,
                        _ if len < MAX_OSC => self.state = State::Osc(len + 1),
                        _ => {
                            // Too long: drop this byte and the rest of the string's bytes in
                            // this buffer, up to its terminator.
                            if run_start < i {
                                pass(&bytes[run_start..i]);
                            }
                            let end = bytes[i..]
                                .iter()
                                .position(|&b| matches!(b, 0x07 | 0x18 | 0x1a | 0x1b))
                                .map_or(bytes.len(), |p| i + p);
                            run_start = end;
                            i = end;
                            continue;
                        }
                    }
                    i += 1;
                }
            }
        }
        if run_start < bytes.len() {
            pass(&bytes[run_start..]);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(limit: &mut OscLimit, bytes: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        limit.filter(bytes, |run| out.extend_from_slice(run));
        out
    }

    #[test]
    fn passes_everything_but_long_osc_strings() {
        let mut l = OscLimit::new();
        let plain = b"text \x1b[31mred\x1b[0m \x1b]0;title\x07 \x1b]2;t\x1b\\ \x1bP1$qm\x1b\\ end";
        assert_eq!(run(&mut l, plain), plain);
        let long = [b"\x1b]0;".as_slice(), &vec![b'x'; MAX_OSC * 3], b"\x07after"].concat();
        let out = run(&mut l, &long);
        // "0;" counts against the limit like any other byte of the string.
        let expected = [b"\x1b]0;".as_slice(), &vec![b'x'; MAX_OSC - 2], b"\x07after"].concat();
        assert_eq!(out, expected);
    }

    #[test]
    fn state_carries_across_calls() {
        let mut l = OscLimit::new();
        let mut out = run(&mut l, b"a\x1b");
        out.extend(run(&mut l, b"]"));
        for _ in 0..10 {
            out.extend(run(&mut l, &vec![b'y'; MAX_OSC]));
        }
        out.extend(run(&mut l, b"\x1b\\b"));
        assert_eq!(out, [b"a\x1b]".as_slice(), &vec![b'y'; MAX_OSC], b"\x1b\\b"].concat());
    }

    #[test]
    fn esc_bracket_after_intermediate_is_not_osc() {
        // ESC ( ] designates a character set: `]` is a final byte there, not an OSC start.
        let mut l = OscLimit::new();
        let input = [b"\x1b(]".as_slice(), &vec![b'z'; MAX_OSC * 2]].concat();
        assert_eq!(run(&mut l, &input), input);
    }

    #[test]
    fn c0_inside_escape_keeps_the_escape() {
        let mut l = OscLimit::new();
        let input = [b"\x1b\r]".as_slice(), &vec![b'z'; MAX_OSC + 10], b"\x07"].concat();
        assert_eq!(run(&mut l, &input).len(), 3 + MAX_OSC + 1);
    }
}
