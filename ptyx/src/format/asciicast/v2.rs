//! asciicast v2 as asciinema 2 writes and reads it ([spec](https://docs.asciinema.org/manual/asciicast/v2/)).
//!
//! ```text
//! {"version": 2, "width": 80, "height": 24, "timestamp": 1795965381, "env": {"SHELL": "/bin/bash", "TERM": "xterm"}}
//! [0.003745, "o", "one"]
//! [0.007183, "r", "80x24"]
//! ```
//!
//! asciinema 2 writes JSON with `", "` and `": "` separators, the header keys in the order `version`, `width`,
//! `height`, `timestamp`, `idle_time_limit`, `env`, `title` (we put `command`, which asciinema 2 leaves out,
//! before `env` as the spec lists it), and event times in absolute seconds rounded to microseconds, printed
//! as Python prints floats (`0.1045`, `1.0`). Its reader stops at the first blank line.

use super::{common_fields, dimension, json_object, json_string, parse_common, Header, SPACED};
use std::time::Duration;

/// A time as v2 stores it: whole microseconds since the start.
pub(super) fn quantise(t: Duration) -> u128 {
    (t.as_nanos() + 500) / 1000
}

/// Microseconds as Python's `repr(round(t, 6))`: the shortest decimal, at least one digit after the point.
/// (Python switches to an exponent below 0.0001 — `5e-05` — which we do not copy: a plain decimal is
/// valid JSON for every reader and easier on people.)
fn seconds_text(us: u128) -> String {
    let frac = format!("{:06}", us % 1_000_000);
    let frac = frac.trim_end_matches('0');
    format!("{}.{}", us / 1_000_000, if frac.is_empty() { "0" } else { frac })
}

/// The header line (without its newline). `TERM` goes into `env`, after the header's own variables, as
/// asciinema 2 captures it there.
pub(super) fn header_line(h: &Header) -> String {
    let mut fields = vec![("version", "2".to_owned()), ("width", h.cols.to_string()), ("height", h.rows.to_string())];
    fields.extend(common_fields(h));
    let mut env: Vec<(&str, String)> = h.env.iter().map(|(k, v)| (k.as_str(), json_string(v))).collect();
    if let Some(term) = &h.term_type {
        if !env.iter().any(|(k, _)| *k == "TERM") {
            env.push(("TERM", json_string(term)));
        }
    }
    if !env.is_empty() {
        fields.push(("env", json_object(&env, SPACED)));
    }
    if let Some(title) = &h.title {
        fields.push(("title", json_string(title)));
    }
    json_object(&fields, SPACED)
}

/// One event line (without its newline) at `us` microseconds since the start.
pub(super) fn event_line(us: u128, code: &str, data: &str) -> String {
    format!("[{}, {}, {}]", seconds_text(us), json_string(code), json_string(data))
}

/// The header's fields; `env.TERM` becomes the terminal type.
pub(super) fn parse_header(value: &serde_json::Value) -> Result<Header, String> {
    let mut h = Header {
        cols: dimension(value.get("width"), "width")?,
        rows: dimension(value.get("height"), "height")?,
        ..Header::default()
    };
    parse_common(value, &mut h)?;
    if let Some(at) = h.env.iter().position(|(k, _)| k == "TERM") {
        h.term_type = Some(h.env.remove(at).1);
    }
    Ok(h)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn python_float_text() {
        for (us, text) in
            [(0, "0.0"), (3745, "0.003745"), (104500, "0.1045"), (2_000_000, "2.0"), (8120, "0.00812"), (50, "0.00005")]
        {
            assert_eq!(seconds_text(us), text);
        }
    }

    #[test]
    fn quantise_rounds_to_nearest_microsecond() {
        assert_eq!(quantise(Duration::from_nanos(1499)), 1);
        assert_eq!(quantise(Duration::from_nanos(1500)), 2);
    }
}
