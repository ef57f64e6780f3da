//! Ptys and the programs on them, on [tokio](https://docs.rs/tokio): hundreds at once on one
//! thread (feature `tokio`, Linux).
//!
//! [`Command::spawn_async`](crate::Command::spawn_async) starts a program as
//! [`Command::spawn`](crate::Command::spawn) does and returns a [`Child`] whose [`Master`] is
//! `AsyncRead + AsyncWrite` (for `Master` and `&Master`), and whose [`wait`](Child::wait) is woken
//! by the child's [pidfd](https://man7.org/linux/man-pages/man2/pidfd_open.2.html) on the
//! runtime's reactor ([epoll(7)](https://man7.org/linux/man-pages/man7/epoll.7.html)): no
//! `SIGCHLD` handler, no thread per child, no polling. The end of the session reads as `Ok(0)`
//! (Linux reports `EIO` there), so `read_to_end` works.
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> std::io::Result<()> {
//! use tokio::io::AsyncReadExt;
//! let mut tasks = Vec::new();
//! for i in 0..20 {
//!     let mut child = ptyx::Command::new("sh").args(["-c", &format!("sleep 0.2; echo {i}")]).spawn_async()?;
//!     tasks.push(tokio::spawn(async move {
//!         let mut output = String::new();
//!         child.master().read_to_string(&mut output).await?;
//!         Ok::<_, std::io::Error>((output, child.wait().await?))
//!     }));
//! }
//! // All 20 run at once, driven by this one thread: about 0.2 s in all, not 4 s.
//! for (i, task) in tasks.into_iter().enumerate() {
//!     let (output, status) = task.await??;
//!     assert_eq!(output, format!("{i}\r\n"));
//!     assert!(status.success());
//! }
//! # Ok(())
//! # }
//! ```
//!
//! # Runtime
//!
//! Starting or converting needs a tokio runtime (any flavour) with I/O enabled, as tokio's own
//! I/O types do: outside one, [`Command::spawn_async`](crate::Command::spawn_async) and the
//! `try_from` conversions return an error (`Other`) and start nothing. The descriptors stay
//! registered with the runtime they were created in: use them there.
//!
//! # Cancel safety
//!
//! As in tokio's documentation: a method is cancel safe if dropping its future before it
//! completes (in `select!`, `tokio::time::timeout`) loses nothing.
//!
//! | method | cancel safe |
//! |---|---|
//! | [`Child::wait`] | yes: the status is kept for the next call |
//! | [`Master::readable`], [`Master::writable`] | yes |
//! | `AsyncReadExt::read`, `read_buf` on a [`Master`] | yes: a read that did not complete read nothing |
//! | `AsyncWriteExt::write`, `write_vectored` | yes: a write that did not complete wrote nothing |
//! | `read_exact`, `read_to_end`, `read_to_string` | no (tokio's rule): what they read is in their buffer, which the caller keeps only for `read_to_end` |
//! | `write_all` | no (tokio's rule): part of the data may have been written |
//!
//! `try_read`, `try_write`, `try_wait`, `kill`, `signal`, `resize` and `window_size` do not wait.
//!
//! # Dropping
//!
//! A dropped [`Child`] never blocks the thread: its terminal hangs up, and a task on its runtime
//! reaps the program when it exits (or, with [`kill_on_drop`](Child::kill_on_drop), ends it
//! first). See [`Child`].

mod registration;

mod error;
pub(crate) mod timer;

mod master;
mod reaper;

mod process;

mod child;

mod spawn;

pub use child::Child;
pub use error::TryFromError;
pub use master::Master;

use std::io;
use tokio::runtime::Handle;

/// The runtime this code runs in, or the error that there is none.
fn current_runtime() -> io::Result<Handle> {
    Handle::try_current().map_err(|e| {
        io::Error::other(format!(
            "ptyx::tokio needs a tokio runtime (call it in Runtime::block_on, a task or after Handle::enter): {e}"
        ))
    })
}
