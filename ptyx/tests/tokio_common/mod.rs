//! Helpers of the `tokio_*` tests: both runtime flavours, deadlines on every await (a bug fails a
//! test instead of hanging it), reading a master until a marker, CPU time of this process.
#![allow(dead_code)]

use std::future::Future;
use std::io;
use std::time::Duration;

use tokio::io::AsyncReadExt;
use tokio::runtime::{Builder, Runtime};

/// How long any single await may take before the test fails: far above what working code needs
/// on a loaded 2-core machine; it only turns a hang into a failure.
pub const TIMEOUT: Duration = Duration::from_secs(30);

/// A current-thread runtime and a multi-thread one (2 workers), both with I/O and timers.
pub fn runtimes() -> [(&'static str, Runtime); 2] {
    let current = Builder::new_current_thread().enable_all().build().expect("current-thread runtime");
    let multi = Builder::new_multi_thread().worker_threads(2).enable_all().build().expect("multi-thread runtime");
    [("current-thread", current), ("multi-thread", multi)]
}

/// Runs `test` as a spawned task (so its future must be `Send`) on each runtime flavour in turn.
pub fn on_both<F, Fut>(test: F)
where
    F: Fn(&'static str) -> Fut,
    Fut: Future<Output = ()> + Send + 'static,
{
    for (name, rt) in runtimes() {
        rt.block_on(async {
            if let Err(e) = tokio::spawn(test(name)).await {
                match e.try_into_panic() {
                    Ok(panic) => std::panic::resume_unwind(panic),
                    Err(e) => panic!("{name}: task failed: {e}"),
                }
            }
        });
    }
}

/// Awaits `fut`, failing the test after [`TIMEOUT`].
pub async fn within<T>(what: &str, fut: impl Future<Output = T>) -> T {
    match tokio::time::timeout(TIMEOUT, fut).await {
        Ok(v) => v,
        Err(_) => panic!("{what}: not done within {TIMEOUT:?}"),
    }
}

/// Reads `master` until `marker` has appeared; returns everything read. Fails at end of output.
pub async fn read_until(mut master: &ptyx::tokio::Master, marker: &str) -> Vec<u8> {
    let mut seen = Vec::new();
    let mut buf = [0u8; 4096];
    while find(&seen, marker.as_bytes()).is_none() {
        let n = within(&format!("output {marker:?}"), master.read(&mut buf))
            .await
            .unwrap_or_else(|e| panic!("read before {marker:?}: {e}"));
        assert!(n > 0, "end of output before {marker:?}: {:?}", String::from_utf8_lossy(&seen));
        seen.extend_from_slice(&buf[..n]);
    }
    seen
}

/// Reads `master` to the end of the session.
pub async fn read_to_end(mut master: &ptyx::tokio::Master) -> io::Result<Vec<u8>> {
    let mut out = Vec::new();
    within("read to end", master.read_to_end(&mut out)).await?;
    Ok(out)
}

pub fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// CPU time (user + system) this process has used so far, all its threads together.
pub fn cpu_time() -> Duration {
    // SAFETY: a zeroed rusage is a valid out-parameter for getrusage.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: `usage` is a valid, writable rusage.
    let r = unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut usage) };
    assert_eq!(r, 0, "getrusage: {}", io::Error::last_os_error());
    let tv = |t: libc::timeval| Duration::new(t.tv_sec as u64, t.tv_usec as u32 * 1000);
    tv(usage.ru_utime) + tv(usage.ru_stime)
}

/// Whether the process behind `pidfd` has exited (without waiting).
pub fn has_exited(pidfd: &std::os::fd::OwnedFd) -> bool {
    use std::os::fd::AsFd;
    let mut fds = [rustix::event::PollFd::from_borrowed_fd(pidfd.as_fd(), rustix::event::PollFlags::IN)];
    rustix::event::poll(&mut fds, Some(&rustix::event::Timespec { tv_sec: 0, tv_nsec: 0 })).expect("poll") > 0
}

/// Waits (on a blocking thread, so that this runtime's thread stays free for the tasks under
/// test) until the process behind `pidfd` exits; `false` after [`TIMEOUT`].
pub async fn exits(pidfd: std::os::fd::OwnedFd) -> bool {
    tokio::task::spawn_blocking(move || {
        use std::os::fd::AsFd;
        let mut fds = [rustix::event::PollFd::from_borrowed_fd(pidfd.as_fd(), rustix::event::PollFlags::IN)];
        let ts = rustix::event::Timespec { tv_sec: TIMEOUT.as_secs() as i64, tv_nsec: 0 };
        loop {
            match rustix::event::poll(&mut fds, Some(&ts)) {
                Ok(n) => return n > 0,
                Err(rustix::io::Errno::INTR) => {}
                Err(e) => panic!("poll pidfd: {e}"),
            }
        }
    })
    .await
    .expect("pidfd waiter")
}

/// Waits until `done()` holds, failing after [`TIMEOUT`]. For effects that come with no event to
/// wait for (a zombie being reaped by a background task): looks again after short pauses that
/// leave the runtime's thread to the tasks under test.
pub async fn eventually(what: &str, mut done: impl FnMut() -> bool) {
    let deadline = tokio::time::Instant::now() + TIMEOUT;
    while !done() {
        assert!(tokio::time::Instant::now() < deadline, "{what}: not within {TIMEOUT:?}");
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
}
