//! The end of output is exact on tokio: `read_to_end` on the master returns every byte a program
//! wrote before it exited, then `Ok(0)` (never Linux's `EIO`), 50 times in a row on each runtime
//! flavour.

#![cfg(feature = "tokio")]

mod tokio_common;

use ptyx::Command;
use tokio::io::AsyncReadExt;
use tokio_common::{on_both, within};

const LEN: usize = 10 * 1024 * 1024;

#[test]
fn read_to_end_gets_10_mib_then_ok_0_50_times_in_a_row() {
    on_both(|flavour| async move {
        let script = format!("printf '%s' \"$(head -c {LEN} /dev/zero | tr '\\0' x)\"");
        for run in 0..50 {
            let child = Command::new("sh").args(["-c", &script]).spawn_async().unwrap();
            let mut out = Vec::with_capacity(LEN);
            let mut master = child.master();
            let n = within("read_to_end", master.read_to_end(&mut out)).await.unwrap();
            assert_eq!(n, LEN, "{flavour}, run {run}: bytes read");
            if let Some(i) = out.iter().position(|&b| b != b'x') {
                panic!("{flavour}, run {run}: byte {i} is {:?}", out[i]);
            }
            // And the end stays the end.
            let mut buf = [0u8; 8];
            assert_eq!(within("read after the end", master.read(&mut buf)).await.unwrap(), 0, "{flavour}");
            assert!(within("wait", child.wait()).await.unwrap().success(), "{flavour}, run {run}");
        }
    });
}
