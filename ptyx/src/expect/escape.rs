//! Bytes shown to a person: program output and needles in error messages and `Debug` output.
//!
//! Terminal output is mostly text with control characters and, now and then, bytes that are
//! not UTF-8. Text stays readable (`é` is shown as `é`), everything else is escaped the way
//! Rust writes it in a byte string (`\r`, `\n`, `\t`, `\x1b`, `\xff`), so what is printed can be
//! pasted back into a test.

use std::fmt::{self, Write};

/// How many bytes of output an error message shows at most: the tail, where a failing
/// `expect` usually has its explanation (the last prompt, the error the program printed).
pub const TAIL_LEN: usize = 1024;

/// `bytes` escaped for a person, without quotes: printable text as is, `"` and `\` escaped,
/// control characters and bytes that are not UTF-8 as escapes.
///
/// ```
/// use ptyx::expect::escape;
/// assert_eq!(escape(b"caf\xc3\xa9 \"ok\"\r\n\x1b[0m\xff"), r#"café \"ok\"\r\n\x1b[0m\xff"#);
/// ```
pub fn escape(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len());
    // Writing into a String cannot fail.
    let _ = write_escaped(&mut out, bytes);
    out
}

/// Writes `bytes` escaped as [`escape`] does.
pub(crate) fn write_escaped(out: &mut impl Write, bytes: &[u8]) -> fmt::Result {
    for chunk in bytes.utf8_chunks() {
        for c in chunk.valid().chars() {
            match c {
                '\r' => out.write_str("\\r")?,
                '\n' => out.write_str("\\n")?,
                '\t' => out.write_str("\\t")?,
                '\\' => out.write_str("\\\\")?,
                '"' => out.write_str("\\\"")?,
                c if (c as u32) < 0x80 && c.is_control() => write!(out, "\\x{:02x}", c as u32)?,
                c if c.is_control() => write!(out, "\\u{{{:x}}}", c as u32)?,
                c => out.write_char(c)?,
            }
        }
        for b in chunk.invalid() {
            write!(out, "\\x{b:02x}")?;
        }
    }
    Ok(())
}

/// The last `max` bytes of `bytes` at most, starting on a character boundary where the text is
/// UTF-8 (so the tail does not begin with half a character shown as escapes).
pub(crate) fn tail(bytes: &[u8], max: usize) -> &[u8] {
    if bytes.len() <= max {
        return bytes;
    }
    let mut start = bytes.len() - max;
    // A UTF-8 character is at most 4 bytes: skip at most 3 continuation bytes.
    let limit = (start + 3).min(bytes.len());
    while start < limit && bytes[start] & 0xC0 == 0x80 {
        start += 1;
    }
    &bytes[start..]
}

/// `Display` for output in a message: `(N bytes): "..."`, or the last [`TAIL_LEN`] bytes of it.
pub(crate) struct Output<'a>(pub(crate) &'a [u8]);

impl fmt::Display for Output<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let all = self.0;
        if all.is_empty() {
            return f.write_str("none");
        }
        let shown = tail(all, TAIL_LEN);
        let s = if all.len() == 1 { "" } else { "s" };
        if shown.len() == all.len() {
            write!(f, "{} byte{s}: \"", all.len())?;
        } else {
            write!(f, "{} bytes, the last {} shown: \"...", all.len(), shown.len())?;
        }
        write_escaped(f, shown)?;
        f.write_char('"')
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_controls_and_invalid_bytes_but_keeps_text() {
        assert_eq!(escape(b"a\x00b\x7f"), "a\\x00b\\x7f");
        assert_eq!(escape("\u{85}é€😀".as_bytes()), "\\u{85}é€😀");
        assert_eq!(escape(b"\xc3"), "\\xc3"); // half of an é
        assert_eq!(escape(b"\\\""), "\\\\\\\"");
    }

    #[test]
    fn tail_starts_on_a_character() {
        let text = "é".repeat(10); // 20 bytes
        assert_eq!(tail(text.as_bytes(), 5), "éé".as_bytes());
        assert_eq!(tail(text.as_bytes(), 6), "ééé".as_bytes());
        assert_eq!(tail(b"abc", 5), b"abc");
        // Not UTF-8: a run of continuation bytes is cut after 3 skipped.
        assert_eq!(tail(&[0x80; 10], 4), &[0x80][..]);
    }

    #[test]
    fn output_shows_the_tail() {
        assert_eq!(Output(b"").to_string(), "none");
        assert_eq!(Output(b"a\r\n").to_string(), "3 bytes: \"a\\r\\n\"");
        let long = [b"x".repeat(2000), b"END".to_vec()].concat();
        let shown = Output(&long).to_string();
        assert!(shown.starts_with("2003 bytes, the last 1024 shown: \"...xxx"), "{shown}");
        assert!(shown.ends_with("xEND\""), "{shown}");
    }
}
