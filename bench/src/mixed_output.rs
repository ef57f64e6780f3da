//! The "mixed output" the screen benchmarks parse: what a terminal gets from a build log, `ls
//! --color`, a pager and a full-screen program, in one deterministic stream — text (ASCII, accents,
//! CJK), SGR colours (16, 256, RGB), cursor moves (CUP, CUU/CUF), erases (EL, ED) and line feeds
//! that scroll.

/// A small deterministic generator (xorshift64*), so every run parses the same bytes.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

const WORDS: &[&str] = &[
    "Compiling",
    "ptyx",
    "v0.1.0",
    "warning:",
    "unused",
    "variable",
    "error[E0308]:",
    "mismatched",
    "types",
    "-->",
    "src/lib.rs:42:7",
    "|",
    "=",
    "note:",
    "résumé",
    "naïve",
    "漢字",
    "テスト",
    "ok",
    "FAILED",
    "test",
    "result:",
    "passed;",
    "finished",
    "in",
    "0.42s",
    "drwxr-xr-x",
    "README.md",
    "Cargo.toml",
    "target/",
    "└──",
    "├──",
];

/// `len` bytes (rounded up to a whole piece) of mixed terminal output for a screen of at most
/// `rows` x `cols`; valid UTF-8, so that text-only parsers can take it too.
pub fn mixed_output(len: usize, rows: u16, cols: u16) -> Vec<u8> {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let mut out = Vec::with_capacity(len + 256);
    let push = |out: &mut Vec<u8>, s: &str| out.extend_from_slice(s.as_bytes());
    while out.len() < len {
        match rng.below(16) {
            // A log line with a coloured word or two: most of real output.
            0..=6 => {
                let words = 3 + rng.below(10);
                for _ in 0..words {
                    let word = WORDS[rng.below(WORDS.len() as u64) as usize];
                    match rng.below(8) {
                        0 => push(&mut out, &format!("\x1b[1;31m{word}\x1b[0m ")),
                        1 => push(&mut out, &format!("\x1b[32m{word}\x1b[39m ")),
                        2 => push(&mut out, &format!("\x1b[38;5;{}m{word}\x1b[m ", rng.below(256))),
                        _ => push(&mut out, &format!("{word} ")),
                    }
                }
                push(&mut out, "\r\n");
            }
            // A full-screen redraw of a few rows: move, colour, text, erase the rest.
            7..=10 => {
                for _ in 0..1 + rng.below(6) {
                    let (r, c) = (1 + rng.below(u64::from(rows)), 1 + rng.below(u64::from(cols) / 2));
                    push(&mut out, &format!("\x1b[{r};{c}H"));
                    let (fg, bg) = (rng.below(256), rng.below(256));
                    push(&mut out, &format!("\x1b[38;2;{fg};{bg};128;48;5;{bg}m"));
                    push(&mut out, WORDS[rng.below(WORDS.len() as u64) as usize]);
                    push(&mut out, "\x1b[0m\x1b[K");
                }
            }
            // Relative moves and small edits, as a line editor makes them.
            11..=13 => {
                push(&mut out, &format!("\x1b[{}A\x1b[{}C", rng.below(4), rng.below(20)));
                push(&mut out, "edit\x1b[3D\x1b[1P\x1b[2@");
                push(&mut out, "\x1b[7minverse\x1b[27m\x1b[4munder\x1b[24m");
            }
            // A status line and a screen clear now and then.
            14 => push(&mut out, &format!("\x1b7\x1b[{rows};1H\x1b[7m-- INSERT --\x1b[0m\x1b[K\x1b8")),
            _ => push(&mut out, if rng.below(16) == 0 { "\x1b[H\x1b[2J" } else { "\t\x08\x08x\r\n" }),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn is_utf8_and_deterministic() {
        let a = super::mixed_output(1 << 16, 24, 80);
        assert!(std::str::from_utf8(&a).is_ok());
        assert_eq!(a, super::mixed_output(1 << 16, 24, 80));
    }
}
