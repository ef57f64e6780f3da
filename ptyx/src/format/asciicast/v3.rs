//! asciicast v3 as asciinema 3 writes and reads it ([spec](https://docs.asciinema.org/manual/asciicast/v3/)).
//!
//! ```text
//! {"version":3,"term":{"cols":80,"rows":24,"type":"xterm"},"timestamp":1795965164,"command":"printf hi","env":{"SHELL":"/bin/bash"}}
//! [0.001, "o", "hi"]
//! [0.000, "x", "0"]
//! ```
//!
//! asciinema 3 writes a compact header (keys `version`, `term` {`cols`, `rows`, `type`}, `timestamp`,
//! `idle_time_limit`, `command`, `title`, `env`, each left out when unknown) and events with `", "`
//! separators whose time is the interval since the previous event, in seconds with three decimals. Readers
//! skip blank lines and `#` comment lines.

use super::{common_fields, dimension, json_object, json_string, parse_common, Header, COMPACT};
use std::time::Duration;

/// A time as v3 counts it: whole milliseconds since the start (rounded to nearest).
pub(super) fn quantise(t: Duration) -> u128 {
    (t.as_nanos() + 500_000) / 1_000_000
}

/// The header line (without its newline).
pub(super) fn header_line(h: &Header) -> String {
    let mut term = vec![("cols", h.cols.to_string()), ("rows", h.rows.to_string())];
    if let Some(t) = &h.term_type {
        term.push(("type", json_string(t)));
    }
    let mut fields = vec![("version", "3".to_owned()), ("term", json_object(&term, COMPACT))];
    fields.extend(common_fields(h));
    if let Some(title) = &h.title {
        fields.push(("title", json_string(title)));
    }
    if !h.env.is_empty() {
        let env: Vec<(&str, String)> = h.env.iter().map(|(k, v)| (k.as_str(), json_string(v))).collect();
        fields.push(("env", json_object(&env, COMPACT)));
    }
    json_object(&fields, COMPACT)
}

/// One event line (without its newline) `interval_ms` after the previous event.
pub(super) fn event_line(interval_ms: u128, code: &str, data: &str) -> String {
    format!("[{}.{:03}, {}, {}]", interval_ms / 1000, interval_ms % 1000, json_string(code), json_string(data))
}

/// The header's fields.
pub(super) fn parse_header(value: &serde_json::Value) -> Result<Header, String> {
    let term = value.get("term").ok_or("the header has no \"term\"")?;
    let term_type = match term.get("type") {
        None | Some(serde_json::Value::Null) => None,
        Some(serde_json::Value::String(s)) => Some(s.clone()),
        Some(_) => return Err("header \"term.type\" is not a string".into()),
    };
    let mut h = Header {
        cols: dimension(term.get("cols"), "term.cols")?,
        rows: dimension(term.get("rows"), "term.rows")?,
        term_type,
        ..Header::default()
    };
    parse_common(value, &mut h)?;
    Ok(h)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn three_decimals() {
        assert_eq!(event_line(0, "x", "0"), r#"[0.000, "x", "0"]"#);
        assert_eq!(event_line(12345, "o", "a\u{1b}[0m\r\n\"\\"), r#"[12.345, "o", "a\u001b[0m\r\n\"\\"]"#);
    }

    #[test]
    fn quantise_rounds_to_nearest_millisecond() {
        assert_eq!(quantise(Duration::from_micros(1499)), 1);
        assert_eq!(quantise(Duration::from_micros(1500)), 2);
    }
}
