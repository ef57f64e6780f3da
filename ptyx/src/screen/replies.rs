//! What the emulator tells its owner while it parses: the answers to the program's queries (to be
//! written back to the pty) and the window title.
//!
//! `alacritty_terminal` reports these as events to a listener it owns; the listener and the
//! screen share them through a mutex, taken only when an event comes (a query, a title), never
//! per byte. A mutex rather than a `RefCell` keeps the screen `Send`.

use std::sync::{Arc, Mutex, MutexGuard};

use alacritty_terminal::event::{Event, EventListener};

/// The most reply bytes kept between two feeds. Programs ask a handful of questions at start-up;
/// this bounds the memory of one that asks without end while nobody collects the answers.
pub(crate) const MAX_REPLIES: usize = 1 << 20;

/// Events gathered during a feed.
#[derive(Debug, Default)]
pub(crate) struct Shared {
    /// Bytes to write back to the program, in the order its queries came.
    pub(crate) replies: Vec<u8>,
    /// The title as the program last set it; `None` when it reset it or never set one.
    pub(crate) title: Option<String>,
    /// Whether `title` changed since the screen last looked.
    pub(crate) title_changed: bool,
}

impl Shared {
    pub(crate) fn reply(&mut self, bytes: &[u8]) {
        if self.replies.len() + bytes.len() <= MAX_REPLIES {
            self.replies.extend_from_slice(bytes);
        }
    }

    pub(crate) fn set_title(&mut self, title: Option<String>) {
        if self.title != title {
            self.title = title;
            self.title_changed = true;
        }
    }
}

/// The listener handed to the emulator.
#[derive(Debug, Clone, Default)]
pub(crate) struct Listener(Arc<Mutex<Shared>>);

impl Listener {
    /// The shared state. A poisoned lock (a panic while it was held, which nothing here does)
    /// still holds consistent data: take it.
    pub(crate) fn lock(&self) -> MutexGuard<'_, Shared> {
        self.0.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

impl EventListener for Listener {
    fn send_event(&self, event: Event) {
        match event {
            Event::PtyWrite(text) => self.lock().reply(text.as_bytes()),
            Event::Title(title) => self.lock().set_title(Some(title)),
            Event::ResetTitle => self.lock().set_title(None),
            // Colour and pixel-size queries are answered before they become events (see
            // `handler.rs`); clipboard access, bells and the rest are a GUI's business.
            _ => {}
        }
    }
}
