//! `pattern LEN [CODE]`: writes LEN bytes of a fixed test pattern to stdout as fast as it can, then
//! exits at once with CODE (default 0). The integration tests run it on a pty to check that every
//! byte arrives, in order, even though the program is gone before its output has been read.
//!
//! The pattern is printable (no `\n`, so a terminal passes it through unchanged) and repeats only
//! every 65521 bytes, a prime: a lost, repeated or reordered chunk of any usual size shows.
//! `tests/common/mod.rs` generates the same bytes to check them.

fn main() {
    let mut args = std::env::args().skip(1);
    let len: usize = args.next().and_then(|s| s.parse().ok()).expect("usage: pattern LEN [CODE]");
    let code: i32 = args.next().map(|s| s.parse().expect("CODE is a number")).unwrap_or(0);

    const PERIOD: u64 = 65521;
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let block: Vec<u8> =
        (0..PERIOD).map(|i| ALPHABET[(i.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 58) as usize]).collect();

    let stdout = rustix::stdio::stdout();
    let mut written = 0;
    while written < len {
        let at = written % block.len();
        let n = (len - written).min(block.len() - at);
        match rustix::io::write(stdout, &block[at..at + n]) {
            Ok(n) => written += n,
            Err(rustix::io::Errno::INTR) => {}
            Err(e) => {
                eprintln!("pattern: write: {e}");
                std::process::exit(1);
            }
        }
    }
    std::process::exit(code);
}
