//! Bytes waiting to be written, one queue per direction of the relay.

use std::os::fd::BorrowedFd;

use rustix::io::Errno;

/// Bytes waiting to be written, consumed from the front without moving the rest each time.
#[derive(Default)]
pub(super) struct Pending {
    data: Vec<u8>,
    pos: usize,
}

impl Pending {
    pub(super) fn len(&self) -> usize {
        self.data.len() - self.pos
    }

    pub(super) fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub(super) fn bytes(&self) -> &[u8] {
        &self.data[self.pos..]
    }

    pub(super) fn push(&mut self, bytes: &[u8]) {
        // Drop the written prefix once it is half the buffer: a reader that always lags (a slow
        // pipe) would otherwise grow it for the whole session. Moving the rest costs at most what
        // was written since the last move, so pushes stay O(1) amortized.
        if self.pos > 0 && self.pos >= self.data.len() / 2 {
            self.data.drain(..self.pos);
            self.pos = 0;
        }
        self.data.extend_from_slice(bytes);
    }

    pub(super) fn consume(&mut self, n: usize) {
        self.pos = (self.pos + n).min(self.data.len());
        if self.pos == self.data.len() {
            self.clear();
        }
    }

    pub(super) fn clear(&mut self) {
        self.data.clear();
        self.pos = 0;
    }

    /// One non-blocking write of at most `max` bytes from the front to `fd`, after poll said it
    /// has room. No room after all (`EAGAIN`) or a signal (`EINTR`) is not an error; any other
    /// error is the end of that descriptor (a closed pipe, a full disk, a terminal gone): what
    /// was queued for it is dropped and the error returned.
    pub(super) fn write_some(&mut self, fd: BorrowedFd<'_>, max: usize) -> Result<(), Errno> {
        let bytes = self.bytes();
        match rustix::io::write(fd, &bytes[..bytes.len().min(max)]) {
            Ok(n) => self.consume(n),
            Err(Errno::AGAIN | Errno::INTR) => {}
            Err(e) => {
                self.clear();
                return Err(e);
            }
        }
        Ok(())
    }

    /// Writes everything queued to `fd`, if there is one, waiting for room as long as it takes,
    /// and empties the queue: the end of a session, where an error has no one left to tell.
    pub(super) fn flush(&mut self, fd: Option<BorrowedFd<'_>>) {
        if let (Some(fd), false) = (fd, self.is_empty()) {
            let _ = crate::fd::write_all(fd, self.bytes());
        }
        self.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::Pending;

    #[test]
    fn pending_stays_bounded_when_the_reader_always_lags() {
        let mut p = Pending::default();
        let chunk = [7u8; 4096];
        for _ in 0..10_000 {
            p.push(&chunk);
            // The writer takes a little less than was added, so the queue never empties.
            let n = p.len().min(4000);
            assert!(p.bytes()[..n].iter().all(|&b| b == 7));
            p.consume(n);
        }
        assert!(p.len() < 1 << 20, "pending {} bytes", p.len());
        assert!(p.data.len() <= 2 * p.len() + 4096, "buffer {} for {} pending", p.data.len(), p.len());
    }

    #[test]
    fn pending_keeps_the_order_of_bytes() {
        let mut p = Pending::default();
        let mut want = Vec::new();
        let mut got = Vec::new();
        for i in 0..1000u32 {
            let bytes = i.to_le_bytes();
            p.push(&bytes);
            want.extend_from_slice(&bytes);
            let n = p.len().min((i % 7) as usize);
            got.extend_from_slice(&p.bytes()[..n]);
            p.consume(n);
        }
        got.extend_from_slice(p.bytes());
        assert_eq!(got, want);
    }
}
