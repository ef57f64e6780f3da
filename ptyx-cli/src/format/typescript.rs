//! The util-linux typescript (data log): the header and footer lines around the raw pseudo-terminal bytes.
//!
//! Format of util-linux `script` 2.38 (see [script(1)](https://man7.org/linux/man-pages/man1/script.1.html)):
//!
//! ```text
//! Script started on 2026-11-29 14:46:51+00:00 [COMMAND="..." TERM="xterm" TTY="/dev/pts/1" COLUMNS="120" LINES="40"]
//! <raw bytes>
//! Script done on 2026-11-29 14:46:52+00:00 [COMMAND_EXIT_CODE="0"]
//! ```
//!
//! `scriptreplay` throws the first line away, so the header must stay one line; the footer starts with a
//! newline of its own so it never joins the last output line. Every raw log (input, output, or both in one
//! file) gets its own header and footer.

use chrono::{DateTime, TimeZone};
use std::fmt::Display;
use std::io::{self, Write};

/// Formats a date as util-linux does in headers, footers and the advanced timing `START_TIME`
/// (`%Y-%m-%d %H:%M:%S%:z`, its `ISO_TIMESTAMP` with a space for the `T`).
pub fn format_date<Tz: TimeZone>(date: &DateTime<Tz>) -> String
where
    Tz::Offset: Display,
{
    date.format("%Y-%m-%d %H:%M:%S%:z").to_string()
}

/// What the header says about the terminal the session ran on, when stdin was a terminal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Terminal {
    /// `$TERM`, left out when unset (as util-linux does).
    pub term: Option<String>,
    /// The terminal device of stdin, e.g. `/dev/pts/3`; left out when it has no name.
    pub tty: Option<String>,
    /// Width in columns.
    pub cols: u16,
    /// Height in rows.
    pub rows: u16,
}

/// What the header line says about the session.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Header {
    /// The `-c` command, if any; newlines are written as spaces so the header stays one line.
    pub command: Option<String>,
    /// The terminal on stdin, or `None` for `<not executed on terminal>`.
    pub terminal: Option<Terminal>,
}

/// How the session ended, as the footer says it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ending {
    /// The command's exit code, or 128 + the signal that killed it.
    ExitCode(i32),
    /// The session was cut short by the output size limit (`-o`).
    MaxOutputSizeExceeded,
}

/// Writes the header line (`Script started on ... [...]\n`).
pub fn write_header<W: Write + ?Sized, Tz: TimeZone>(w: &mut W, date: &DateTime<Tz>, header: &Header) -> io::Result<()>
where
    Tz::Offset: Display,
{
    let mut fields: Vec<String> = Vec::new();
    if let Some(command) = &header.command {
        fields.push(format!("COMMAND=\"{}\"", one_line(command)));
    }
    match &header.terminal {
        Some(t) => {
            if let Some(term) = &t.term {
                fields.push(format!("TERM=\"{term}\""));
            }
            if let Some(tty) = &t.tty {
                fields.push(format!("TTY=\"{tty}\""));
            }
            fields.push(format!("COLUMNS=\"{}\" LINES=\"{}\"", t.cols, t.rows));
        }
        None => fields.push("<not executed on terminal>".to_owned()),
    }
    writeln!(w, "Script started on {} [{}]", format_date(date), fields.join(" "))
}

/// Writes the footer (`\nScript done on ... [...]\n`).
pub fn write_footer<W: Write + ?Sized, Tz: TimeZone>(w: &mut W, date: &DateTime<Tz>, ending: Ending) -> io::Result<()>
where
    Tz::Offset: Display,
{
    let date = format_date(date);
    match ending {
        Ending::ExitCode(code) => write!(w, "\nScript done on {date} [COMMAND_EXIT_CODE=\"{code}\"]\n"),
        Ending::MaxOutputSizeExceeded => {
            write!(w, "\nScript done on {date} [<max output size exceeded>]\n")
        }
    }
}

/// The command as util-linux writes it in headers and the `COMMAND` info line: newlines as spaces (quotes
/// are not escaped, as util-linux does not either).
pub fn one_line(command: &str) -> String {
    command.replace('\n', " ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::FixedOffset;

    fn fixture(name: &str) -> Vec<u8> {
        let path = format!("{}/../ptyx/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
        std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
    }

    fn date(s: &str) -> DateTime<FixedOffset> {
        DateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S%:z").expect("test date")
    }

    /// Rebuilds a util-linux data log from its raw middle part and our header and footer.
    fn rebuild(name: &str, header: &Header, start: &str, end: &str, ending: Ending) {
        let original = fixture(name);
        let mut head = Vec::new();
        write_header(&mut head, &date(start), header).expect("header");
        let mut foot = Vec::new();
        write_footer(&mut foot, &date(end), ending).expect("footer");
        assert!(original.starts_with(&head), "{name} header:\n{}", String::from_utf8_lossy(&head));
        assert!(original.ends_with(&foot), "{name} footer:\n{}", String::from_utf8_lossy(&foot));
        assert!(original.len() >= head.len() + foot.len());
    }

    #[test]
    fn util_linux_headers_and_footers() {
        let cmd = |c: &str| Some(c.to_owned());
        let notty = |c: &str| Header { command: cmd(c), terminal: None };
        let t = "2026-11-29 14:46:22+00:00";
        rebuild(
            "ul-basic.out",
            &notty("printf hello"),
            "2026-11-29 15:14:39+00:00",
            "2026-11-29 15:14:39+00:00",
            Ending::ExitCode(0),
        );
        rebuild(
            "ul-classic.out",
            &notty("printf one; sleep 0.3; printf two; sleep 0.2; printf \"three\\n\""),
            t,
            t,
            Ending::ExitCode(0),
        );
        rebuild("ul-advanced-outonly.out", &notty("printf one; sleep 0.2; printf two"), t, t, Ending::ExitCode(0));
        let t = "2026-11-29 14:46:25+00:00";
        for name in ["ul-io.io", "ul-sep.in", "ul-sep.out"] {
            rebuild(name, &notty("read x; echo got:$x"), t, t, Ending::ExitCode(0));
        }
        let tty = Header {
            command: cmd("printf start; sleep 1; stty size; tput cols"),
            terminal: Some(Terminal {
                term: Some("xterm".into()),
                tty: Some("/dev/pts/1".into()),
                cols: 120,
                rows: 40,
            }),
        };
        rebuild(
            "ul-tty-resize.io",
            &tty,
            "2026-11-29 14:46:51+00:00",
            "2026-11-29 14:46:52+00:00",
            Ending::ExitCode(0),
        );
        let tty = Header {
            command: cmd("read x; echo got:$x"),
            terminal: Some(Terminal {
                term: Some("xterm".into()),
                tty: Some("/dev/pts/0".into()),
                cols: 100,
                rows: 30,
            }),
        };
        let t = "2026-11-29 14:46:54+00:00";
        rebuild("ul-tty-input.io", &tty, t, t, Ending::ExitCode(0));
        let limit = notty("for i in 1 2 3 4 5 6 7 8; do echo 0123456789abcdefghij; sleep 0.01; done");
        let t = "2026-11-29 16:12:22+00:00";
        rebuild("ul-limit.out", &limit, t, t, Ending::MaxOutputSizeExceeded);
    }

    #[test]
    fn header_variants() {
        let d = date("2001-02-03 04:05:06-07:30");
        let mut out = Vec::new();
        write_header(&mut out, &d, &Header::default()).expect("write");
        assert_eq!(out, b"Script started on 2001-02-03 04:05:06-07:30 [<not executed on terminal>]\n");

        // util-linux leaves out TERM and TTY when it cannot tell them; newlines in commands become spaces.
        let h = Header {
            command: Some("echo a\necho \"b\"".into()),
            terminal: Some(Terminal { term: None, tty: None, cols: 80, rows: 24 }),
        };
        let mut out = Vec::new();
        write_header(&mut out, &d, &h).expect("write");
        assert_eq!(
            String::from_utf8(out).expect("utf8"),
            "Script started on 2001-02-03 04:05:06-07:30 [COMMAND=\"echo a echo \"b\"\" COLUMNS=\"80\" LINES=\"24\"]\n"
        );
        let h = Header {
            command: None,
            terminal: Some(Terminal { term: Some("vt100".into()), tty: None, cols: 1, rows: 2 }),
        };
        let mut out = Vec::new();
        write_header(&mut out, &d, &h).expect("write");
        assert_eq!(out, b"Script started on 2001-02-03 04:05:06-07:30 [TERM=\"vt100\" COLUMNS=\"1\" LINES=\"2\"]\n");

        let mut out = Vec::new();
        write_footer(&mut out, &d, Ending::ExitCode(143)).expect("write");
        assert_eq!(out, b"\nScript done on 2001-02-03 04:05:06-07:30 [COMMAND_EXIT_CODE=\"143\"]\n");
    }

    #[test]
    fn write_errors_are_returned() {
        let mut full = [0u8; 10];
        let mut w: &mut [u8] = &mut full;
        let d = date("2001-02-03 04:05:06+00:00");
        assert!(write_header(&mut w, &d, &Header::default()).is_err());
    }
}
