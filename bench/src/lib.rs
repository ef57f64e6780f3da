//! Shared pieces of the ptyx benchmarks: the payload pattern every writer
//! emits, the check that a recording holds exactly that payload, and the
//! one-line result format the measured programs print.
//!
//! The measured programs themselves are the C files in `bench/c/`, the Python
//! files in `bench/py/`, and the binaries `bench-portable-pty` and
//! `bench-ptyx`; the driver is the binary `compare` (run it with
//! `bench/compare.sh`). The in-process benchmarks are in `bench/benches/`.

pub mod mixed_output;

use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom};
use std::path::Path;

/// The 64-byte pattern the writers repeat. No newline and no byte that tty
/// output processing rewrites, so what a recorder stores must equal it.
/// Must match `PATTERN` in `bench/c/writer.c`.
pub const PATTERN: &[u8; 64] = b"abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ+/";

/// Buffer size used for reads by the Rust recorders, like the C reader.
pub const CHUNK: usize = 64 * 1024;

/// What the writer prints after its N bytes in the expect benchmark, and the session waits for
/// (the terminal turns each `\n` into `\r\n`).
pub const EXPECT_MARKER: &str = "\nMARKER-12345\n";

/// Fill `buf` with the pattern, starting in phase at offset 0.
pub fn fill_pattern(buf: &mut [u8]) {
    for (i, b) in buf.iter_mut().enumerate() {
        *b = PATTERN[i % PATTERN.len()];
    }
}

/// Check that the file at `path` holds exactly `expected` bytes of the
/// pattern, allowing a `script(1)`-style header line ("Script started ...\n")
/// before it and a footer ("\nScript done ...") after it. Returns the payload
/// length on success and a description of the mismatch otherwise.
pub fn verify_recording(path: &Path, expected: u64) -> Result<u64, String> {
    let err = |e: io::Error| format!("{}: {e}", path.display());
    let mut f = File::open(path).map_err(err)?;
    let size = f.metadata().map_err(err)?.len();

    // Header: a first line that starts with "Script started".
    let mut head = vec![0u8; 4096.min(size as usize)];
    f.read_exact(&mut head).map_err(err)?;
    let start = if head.starts_with(b"Script started") {
        match head.iter().position(|&b| b == b'\n') {
            Some(nl) => nl as u64 + 1,
            None => return Err(format!("{}: unterminated header", path.display())),
        }
    } else {
        0
    };

    // Footer: from the last "Script done" (and the newline before it) on.
    let tail_len = 4096.min(size - start);
    let tail_off = size - tail_len;
    let mut tail = vec![0u8; tail_len as usize];
    f.seek(SeekFrom::Start(tail_off)).map_err(err)?;
    f.read_exact(&mut tail).map_err(err)?;
    let mut end = size;
    if let Some(pos) = rfind(&tail, b"Script done") {
        let mut pos = tail_off + pos as u64;
        if pos > start && tail[(pos - 1 - tail_off) as usize] == b'\n' {
            pos -= 1;
        }
        end = pos;
    }

    let payload = end - start;
    if payload != expected {
        return Err(format!(
            "{}: recorded {payload} payload bytes ({size} in the file), the child wrote {expected}",
            path.display()
        ));
    }

    // Content: every byte in phase with the pattern (catches loss and duplication).
    f.seek(SeekFrom::Start(start)).map_err(err)?;
    let mut r = f.take(payload);
    let mut buf = vec![0u8; 1 << 20];
    let mut off = 0u64;
    loop {
        let n = r.read(&mut buf).map_err(err)?;
        if n == 0 {
            break;
        }
        for (i, &b) in buf[..n].iter().enumerate() {
            let at = off + i as u64;
            if b != PATTERN[(at % PATTERN.len() as u64) as usize] {
                return Err(format!("{}: payload byte {at} is {b:#04x}, not the pattern", path.display()));
            }
        }
        off += n as u64;
    }
    Ok(payload)
}

fn rfind(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).rposition(|w| w == needle)
}

/// Print the result line of a loop measurement: `elapsed_ns=T iters=N`.
pub fn print_elapsed(elapsed: std::time::Duration, iters: u64) {
    println!("elapsed_ns={} iters={iters}", elapsed.as_nanos());
}

/// Parse `key=value` out of a result line such as `elapsed_ns=T iters=N`.
pub fn parse_field(out: &str, key: &str) -> Option<u64> {
    out.split_whitespace().find_map(|kv| {
        let (k, v) = kv.split_once('=')?;
        (k == key).then(|| v.parse().ok()).flatten()
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn write_tmp(name: &str, content: &[u8]) -> std::path::PathBuf {
        let p = std::env::temp_dir().join(format!("ptyx-bench-{}-{name}", std::process::id()));
        File::create(&p).unwrap().write_all(content).unwrap();
        p
    }

    fn payload(n: usize) -> Vec<u8> {
        let mut v = vec![0; n];
        fill_pattern(&mut v);
        v
    }

    #[test]
    fn plain_payload() {
        let p = write_tmp("plain", &payload(1000));
        assert_eq!(verify_recording(&p, 1000), Ok(1000));
        assert!(verify_recording(&p, 999).is_err());
        std::fs::remove_file(p).unwrap();
    }

    #[test]
    fn script_header_and_footer() {
        let mut v = b"Script started on 2026-01-01 [COMMAND=\"x\"]\n".to_vec();
        v.extend(payload(300));
        v.extend(b"\nScript done on 2026-01-01 [COMMAND_EXIT_CODE=\"0\"]\n");
        let p = write_tmp("script", &v);
        assert_eq!(verify_recording(&p, 300), Ok(300));
        std::fs::remove_file(p).unwrap();
    }

    #[test]
    fn corrupt_payload() {
        let mut v = payload(500);
        v[200] = b'!';
        let p = write_tmp("corrupt", &v);
        assert!(verify_recording(&p, 500).unwrap_err().contains("byte 200"));
        std::fs::remove_file(p).unwrap();
    }

    #[test]
    fn empty_file() {
        let p = write_tmp("empty", b"");
        assert_eq!(verify_recording(&p, 0), Ok(0));
        std::fs::remove_file(p).unwrap();
    }

    #[test]
    fn fields() {
        assert_eq!(parse_field("elapsed_ns=12 iters=3\n", "iters"), Some(3));
        assert_eq!(parse_field("bytes=7", "elapsed_ns"), None);
    }
}
