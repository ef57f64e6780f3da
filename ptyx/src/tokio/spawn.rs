//! [`Command::spawn_async`]: start a program on a pty and drive it from tokio.

use std::io;

use super::child::Child;
use crate::command::Command;

impl Command {
    /// Starts the program on a new pty, as [`spawn`](Command::spawn) does, and puts it on the
    /// current tokio runtime: see [`ptyx::tokio::Child`](Child).
    ///
    /// The start itself is synchronous, as tokio's `Command::spawn` is: it returns once the
    /// program has been executed (or failed to be), in well under a millisecond.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> std::io::Result<()> {
    /// use tokio::io::{AsyncReadExt, AsyncWriteExt};
    /// let mut child = ptyx::Command::new("cat").spawn_async()?; // needs a tokio runtime
    /// let mut master = child.master(); // &ptyx::tokio::Master
    /// master.write_all(b"hi\n").await?;
    /// let mut seen = Vec::new();
    /// let mut buf = [0u8; 64];
    /// while !seen.ends_with(b"hi\r\nhi\r\n") { // the terminal's echo, then cat's copy
    ///     let n = master.read(&mut buf).await?;
    ///     seen.extend_from_slice(&buf[..n]);
    /// }
    /// child.signal(libc::SIGTERM)?;
    /// let status: std::process::ExitStatus = child.wait().await?;
    /// assert_eq!(std::os::unix::process::ExitStatusExt::signal(&status), Some(libc::SIGTERM));
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    ///
    /// Outside a tokio runtime, `Other`, before anything is started. Otherwise as
    /// [`spawn`](Command::spawn); and `Unsupported` without pidfds (Linux before 5.3), or the OS
    /// error when the reactor refuses a descriptor, in which case the program is killed and
    /// reaped before the error returns: no process is left behind.
    ///
    /// # Panics
    ///
    /// In a runtime built without I/O (no `enable_io`), as tokio's own I/O types do; the program
    /// is killed and reaped first.
    #[cfg_attr(docsrs, doc(cfg(feature = "tokio")))]
    pub fn spawn_async(&mut self) -> io::Result<Child> {
        let runtime = super::current_runtime()?;
        let child = self.spawn()?;
        Child::from_sync(runtime, child).map_err(|failed| {
            let (mut child, error) = failed.into_parts();
            // SIGKILL ends it at once: the wait is for the kernel, not for the program.
            if child.kill().is_ok() {
                let _ = child.wait();
            }
            error
        })
    }
}
