//! What the command adds to the library's recording formats ([`ptyx::format`]): the util-linux
//! typescript header and footer, and error messages worded as the C tools word them.

pub mod typescript;

pub use ptyx::format::{asciicast, timing, ReadError};

use std::io;

/// An I/O error as `strerror` words it ("No such file or directory"), without Rust's " (os error 2)", so
/// messages read like those of the C tools they stand in for.
pub fn io_message(e: &io::Error) -> String {
    let text = e.to_string();
    match (e.raw_os_error(), text.rfind(" (os error ")) {
        (Some(_), Some(at)) => text[..at].to_owned(),
        _ => text,
    }
}
