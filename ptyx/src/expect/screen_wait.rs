//! Waiting for the screen (feature `screen`): for text, a regex, a condition, or stillness. No I/O:
//! each session's loop asks [`ScreenWait::step`] after every read whether the wait is over and
//! until when it may sleep, so the sync and the async sessions wait alike.

use std::io;
use std::time::{Duration, Instant};

use crate::screen::Screen;

/// One wait for the screen.
pub(crate) struct ScreenWait {
    /// What it waits for, for a person.
    what: String,
    kind: Kind,
    /// The generation the condition was last evaluated at: it is only evaluated again when what
    /// the screen shows changed.
    seen: Option<u64>,
}

enum Kind {
    /// Until a condition holds.
    Until,
    /// Until the screen has not changed for this long, counted from `start` at the earliest.
    Stable { quiet: Duration, start: Instant },
}

/// What [`ScreenWait::step`] found.
pub(crate) enum Step {
    Done,
    /// Not yet; nothing can make it so before output comes, or before this moment.
    Pending(Option<Instant>),
}

impl ScreenWait {
    /// A wait until a condition described as `what` holds.
    pub(crate) fn until(what: String) -> ScreenWait {
        ScreenWait { what, kind: Kind::Until, seen: None }
    }

    /// A wait until the screen has been still for `quiet`, at the earliest `quiet` after `now`.
    pub(crate) fn stable(quiet: Duration, now: Instant) -> ScreenWait {
        ScreenWait {
            what: format!("the screen to be still for {quiet:?}"),
            kind: Kind::Stable { quiet, start: now },
            seen: None,
        }
    }

    /// Whether the wait is over, given the screen, when it last changed, and whether the output
    /// has ended (a screen that can no longer change is as still as it will be).
    pub(crate) fn step(
        &mut self,
        screen: &Screen,
        changed_at: Instant,
        ended: bool,
        now: Instant,
        holds: &mut dyn FnMut(&Screen) -> bool,
    ) -> Step {
        match self.kind {
            Kind::Until => {
                let generation = screen.generation();
                if self.seen != Some(generation) {
                    self.seen = Some(generation);
                    if holds(screen) {
                        return Step::Done;
                    }
                }
                Step::Pending(None)
            }
            Kind::Stable { quiet, start } => {
                let still_since = changed_at.max(start);
                if ended || now >= still_since + quiet {
                    Step::Done
                } else {
                    Step::Pending(Some(still_since + quiet))
                }
            }
        }
    }

    /// The error of a wait that timed out after `after`: its message shows the screen.
    pub(crate) fn timed_out(&self, screen: &Screen, after: Option<Duration>) -> io::Error {
        let after = after.map_or(String::new(), |t| format!(" after {t:?}"));
        io::Error::new(
            io::ErrorKind::TimedOut,
            format!("timed out{after} waiting for {}; {}", self.what, shown(screen)),
        )
    }

    /// The error of a wait the end of the output made hopeless.
    pub(crate) fn ended(&self, screen: &Screen) -> io::Error {
        io::Error::new(
            io::ErrorKind::UnexpectedEof,
            format!("the output ended before {}; {}", self.what, shown(screen)),
        )
    }
}

/// The screen as a failing test should show it: its size, then its rows, numbered.
fn shown(screen: &Screen) -> String {
    let size = screen.size();
    let rows: Vec<String> = screen.text().split('\n').enumerate().map(|(i, row)| format!("{i:3}|{row}")).collect();
    format!("the screen ({}x{}, cursor at {:?}):\n{}", size.rows, size.cols, screen.cursor(), rows.join("\n"))
}

/// The error of a screen wait on a session that keeps no screen.
pub(crate) fn no_screen() -> io::Error {
    io::Error::new(io::ErrorKind::Unsupported, "this session keeps no screen (started with spawn_without_screen)")
}
