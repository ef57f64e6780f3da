//! The byte a Ctrl+key chord sends, for `send_control`: what a terminal sends when the user
//! holds Ctrl and presses the key (see the "Control characters" of
//! [ascii(7)](https://man7.org/linux/man-pages/man7/ascii.7.html)).

use std::io;

/// The byte Ctrl+`key` sends: `'c'` (or `'C'`) is 0x03 (ETX, what interrupts a program),
/// `'d'` is 0x04, ..., `'@'` is NUL, `'['` ESC (0x1b), `'\\'` 0x1c, `']'` 0x1d, `'^'` 0x1e,
/// `'_'` 0x1f and `'?'` DEL (0x7f).
///
/// ```
/// use ptyx::expect::control_byte;
/// assert_eq!(control_byte('c')?, 0x03);
/// assert_eq!(control_byte('C')?, 0x03);
/// assert_eq!(control_byte('[')?, 0x1b);
/// assert_eq!(control_byte('1').unwrap_err().kind(), std::io::ErrorKind::InvalidInput);
/// # Ok::<(), std::io::Error>(())
/// ```
///
/// # Errors
///
/// `InvalidInput` for any other character: no Ctrl chord of it sends a control character.
pub fn control_byte(key: char) -> io::Result<u8> {
    match key {
        'a'..='z' | 'A'..='Z' | '@' | '[' | '\\' | ']' | '^' | '_' => Ok(key.to_ascii_uppercase() as u8 & 0x1f),
        '?' => Ok(0x7f),
        _ => Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("no control character for {key:?}: expected a letter or one of @ [ \\ ] ^ _ ?"),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_key_maps_to_its_byte() {
        for (i, upper) in ('A'..='Z').enumerate() {
            let byte = i as u8 + 1;
            assert_eq!(control_byte(upper).unwrap(), byte);
            assert_eq!(control_byte(upper.to_ascii_lowercase()).unwrap(), byte);
        }
        let others = [('@', 0x00), ('[', 0x1b), ('\\', 0x1c), (']', 0x1d), ('^', 0x1e), ('_', 0x1f), ('?', 0x7f)];
        for (key, byte) in others {
            assert_eq!(control_byte(key).unwrap(), byte, "{key:?}");
        }
    }

    #[test]
    fn anything_else_is_invalid_input() {
        for key in ['0', ' ', '{', '`', '~', 'é', '\u{3}', '\n'] {
            let err = control_byte(key).unwrap_err();
            assert_eq!(err.kind(), io::ErrorKind::InvalidInput, "{key:?}");
            assert!(err.to_string().contains(&format!("{key:?}")), "{err}");
        }
    }
}
