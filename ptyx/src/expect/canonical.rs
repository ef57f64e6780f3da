//! Whether text sent to a program that reads in canonical mode would be cut.
//!
//! In canonical mode (`ICANON`, see
//! [termios(3)](https://man7.org/linux/man-pages/man3/termios.3.html)) the kernel collects a
//! line before the program can read it. Linux keeps 4096 bytes per terminal (`N_TTY_BUF_SIZE`),
//! of which the last is kept for the newline: a line of more than 4095 bytes is cut, silently,
//! whatever `fpathconf(_PC_MAX_CANON)` says (255). pexpect sends such lines and the program
//! gets the first 4095 bytes (pexpect#55, #704); `send` checks first and sends nothing.

use rustix::termios::{InputModes, LocalModes, SpecialCodeIndex, Termios};
use std::io;

/// The longest line, in bytes before its end, that Linux's canonical mode passes on whole.
pub const MAX_CANON_LINE: usize = 4095;

/// What ends a line, and what escapes the next byte, under one terminal's settings in canonical
/// mode. Plain data read from the terminal's [`Termios`]; [`check`](Self::check) is pure.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CanonicalMode {
    /// Bytes that end a line once CR/NL translation is done: `\n`, VEOF, VEOL, VEOL2.
    ends: [bool; 256],
    /// `ICRNL`: a CR arrives as NL.
    cr_to_nl: bool,
    /// `INLCR`: an NL arrives as CR.
    nl_to_cr: bool,
    /// VLNEXT (with `IEXTEN`): the byte after it is taken literally.
    literal_next: Option<u8>,
}

impl CanonicalMode {
    /// The rules of a terminal with these settings, or `None` when it is not in canonical mode
    /// (a program in raw or cbreak mode gets every byte as it comes, however long the line).
    pub fn from_termios(termios: &Termios) -> Option<CanonicalMode> {
        if !termios.local_modes.contains(LocalModes::ICANON) {
            return None;
        }
        let extended = termios.local_modes.contains(LocalModes::IEXTEN);
        let code = |index| Some(termios.special_codes[index]).filter(|&c| c != 0);
        let mut ends = [false; 256];
        ends[usize::from(b'\n')] = true;
        let eol2 = if extended { code(SpecialCodeIndex::VEOL2) } else { None };
        for c in [code(SpecialCodeIndex::VEOF), code(SpecialCodeIndex::VEOL), eol2].into_iter().flatten() {
            ends[usize::from(c)] = true;
        }
        Some(CanonicalMode {
            ends,
            cr_to_nl: termios.input_modes.contains(InputModes::ICRNL),
            nl_to_cr: termios.input_modes.contains(InputModes::INLCR),
            literal_next: if extended { code(SpecialCodeIndex::VLNEXT) } else { None },
        })
    }

    /// Linux's defaults (`stty sane`): lines end with NL, CR (`ICRNL`) or Ctrl-D (VEOF), and
    /// Ctrl-V (VLNEXT) quotes the next byte.
    pub fn linux_default() -> CanonicalMode {
        let mut ends = [false; 256];
        ends[usize::from(b'\n')] = true;
        ends[0x04] = true;
        CanonicalMode { ends, cr_to_nl: true, nl_to_cr: false, literal_next: Some(0x16) }
    }

    /// Checks that sending `bytes` to a program reading in this mode cuts no line, given
    /// `pending` bytes already on the current line (sent earlier without a line end; 0 if not
    /// known). Returns how many bytes are pending on the current line afterwards.
    ///
    /// Every byte other than a line end is counted, erase and kill characters too: the count is
    /// never below what the kernel keeps, so a line that passes is never cut.
    ///
    /// ```
    /// use ptyx::expect::{CanonicalMode, MAX_CANON_LINE};
    /// let mode = CanonicalMode::linux_default();
    /// assert_eq!(mode.check(b"ls -l\r", 0)?, 0);
    /// assert_eq!(mode.check(b"echo ", 0)?, 5);
    /// let long = "x".repeat(MAX_CANON_LINE + 1) + "\r";
    /// assert_eq!(mode.check(long.as_bytes(), 0).unwrap_err().kind(), std::io::ErrorKind::InvalidInput);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// `InvalidInput` when a line would have more than [`MAX_CANON_LINE`] bytes before its end.
    pub fn check(&self, bytes: &[u8], pending: usize) -> io::Result<usize> {
        let mut line = pending;
        let mut literal = false;
        for (i, &b) in bytes.iter().enumerate() {
            let ends = if literal {
                literal = false;
                false
            } else if Some(b) == self.literal_next {
                literal = true;
                false
            } else {
                let b = match b {
                    b'\r' if self.cr_to_nl => b'\n',
                    b'\n' if self.nl_to_cr => b'\r',
                    b => b,
                };
                self.ends[usize::from(b)]
            };
            if ends {
                line = 0;
            } else {
                line += 1;
                if line > MAX_CANON_LINE {
                    return Err(too_long(pending, bytes, i));
                }
            }
        }
        Ok(line)
    }
}

fn too_long(pending: usize, bytes: &[u8], at: usize) -> io::Error {
    let so_far = if pending > 0 { format!(" (with {pending} bytes sent before)") } else { String::new() };
    io::Error::new(
        io::ErrorKind::InvalidInput,
        format!(
            "line too long for the terminal's canonical mode{so_far}: more than {MAX_CANON_LINE} bytes before \
             its end (the kernel would cut it), at byte {at} of {}; nothing was sent",
            bytes.len()
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_line_of_the_limit_passes_one_more_byte_fails() {
        let mode = CanonicalMode::linux_default();
        let fits = [vec![b'x'; MAX_CANON_LINE], b"\n".to_vec()].concat();
        assert_eq!(mode.check(&fits, 0).unwrap(), 0);
        let over = [vec![b'x'; MAX_CANON_LINE + 1], b"\n".to_vec()].concat();
        let err = mode.check(&over, 0).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::InvalidInput);
        assert!(err.to_string().contains("4095"), "{err}");
        // Without an end the line is pending, and still too long.
        assert_eq!(mode.check(&fits[..MAX_CANON_LINE], 0).unwrap(), MAX_CANON_LINE);
        assert!(mode.check(&over[..MAX_CANON_LINE + 1], 0).is_err());
    }

    #[test]
    fn pending_bytes_count_toward_the_line() {
        let mode = CanonicalMode::linux_default();
        assert_eq!(mode.check(b"abc", 4000).unwrap(), 4003);
        assert!(mode.check(&[b'y'; 96], 4000).is_err());
        // A line end resets the count, even with much pending.
        assert_eq!(mode.check(&[b"\r".as_slice(), &[b'z'; 4095]].concat(), 4095).unwrap(), 4095);
    }

    #[test]
    fn many_short_lines_pass() {
        let mode = CanonicalMode::linux_default();
        let text = "echo hello\r".repeat(10_000);
        assert_eq!(mode.check(text.as_bytes(), 0).unwrap(), 0);
    }

    #[test]
    fn eof_and_quoted_ends() {
        let mode = CanonicalMode::linux_default();
        // Ctrl-D hands the line over like a newline does.
        let eof = [vec![b'x'; 4000], vec![0x04], vec![b'x'; 4000]].concat();
        assert_eq!(mode.check(&eof, 0).unwrap(), 4000);
        // Ctrl-V makes the next newline a plain byte of the line.
        let quoted = [vec![b'x'; 3000], vec![0x16, b'\n'], vec![b'x'; 1500], vec![b'\n']].concat();
        assert!(mode.check(&quoted, 0).is_err());
    }

    /// The kernel's limit is the one `check` uses: a line of `MAX_CANON_LINE` bytes arrives
    /// whole, one byte more and the program gets a cut line.
    #[test]
    fn the_kernel_cuts_where_check_says() {
        use std::io::{Read, Write};
        for (len, whole) in [(MAX_CANON_LINE, true), (MAX_CANON_LINE + 1, false), (MAX_CANON_LINE + 100, false)] {
            let (mut master, mut slave) = crate::openpty().unwrap();
            let mut termios = slave.termios().unwrap();
            // No echo: nobody reads the master, and the echo must not fill it.
            termios.local_modes.remove(LocalModes::ECHO);
            slave.set_termios(&termios).unwrap();
            let line = [vec![b'x'; len], vec![b'\n']].concat();
            master.write_all(&line).unwrap();
            let mut got = vec![0; len + 2];
            let n = slave.read(&mut got).unwrap();
            assert_eq!(n == line.len() && got[..n] == line[..], whole, "line of {len}: read {n}");
            assert_eq!(CanonicalMode::from_termios(&termios).unwrap().check(&line, 0).is_ok(), whole);
        }
    }

    #[test]
    fn settings_from_termios() {
        // A pty's defaults are Linux's defaults.
        let (master, _slave) = crate::openpty().unwrap();
        let mut termios = rustix::termios::tcgetattr(&master).unwrap();
        assert_eq!(CanonicalMode::from_termios(&termios), Some(CanonicalMode::linux_default()));
        // Without ICRNL a CR is a plain byte.
        termios.input_modes.remove(InputModes::ICRNL);
        let mode = CanonicalMode::from_termios(&termios).unwrap();
        let line = [vec![b'x'; 3000], vec![b'\r'], vec![b'x'; 3000]].concat();
        assert!(mode.check(&line, 0).is_err());
        assert!(CanonicalMode::linux_default().check(&line, 0).is_ok());
        // INLCR: an NL arrives as CR, which (without ICRNL) ends nothing.
        termios.input_modes.insert(InputModes::INLCR);
        let mode = CanonicalMode::from_termios(&termios).unwrap();
        let line = [vec![b'x'; 3000], vec![b'\n'], vec![b'x'; 3000]].concat();
        assert!(mode.check(&line, 0).is_err());
        // Raw mode: no line discipline to cut anything.
        termios.make_raw();
        assert_eq!(CanonicalMode::from_termios(&termios), None);
    }
}
