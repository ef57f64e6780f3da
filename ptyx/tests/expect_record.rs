//! `Session::record`: the session as an asciicast v3 file, read back with the library's reader.
#![cfg(all(feature = "expect", feature = "asciicast"))]

use std::io::BufReader;

use ptyx::expect::{Eof, Session};
use ptyx::format::asciicast::{CastReader, Code, Version};

#[test]
fn a_recorded_session_has_its_output_input_resizes_and_exit() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.cast");
    let mut s = Session::spawn(
        ptyx::Command::new("sh")
            .args([
                "-c",
                "read x; echo \"got $x\"; trap 'stty size; exit 4' WINCH; echo wait; while :; do sleep 0.05; done",
            ])
            .env("TERM", "xterm-test")
            .window_size(ptyx::Winsize::new(20, 70)),
    )
    .unwrap();
    s.record(&path).unwrap();
    s.send_line("hi").unwrap();
    s.expect("wait").unwrap();
    s.resize(ptyx::Winsize::new(25, 90)).unwrap();
    s.expect(Eof).unwrap();
    assert_eq!(s.wait().unwrap().code(), Some(4));

    let mut reader = CastReader::new(BufReader::new(std::fs::File::open(&path).unwrap())).unwrap();
    assert_eq!(reader.version(), Version::V3);
    let header = reader.header().clone();
    assert_eq!((header.cols, header.rows, header.term_type.as_deref()), (70, 20, Some("xterm-test")));
    assert!(header.command.as_deref().is_some_and(|c| c.starts_with("sh -c read x")), "{header:?}");
    let events: Vec<_> = reader.by_ref().map(|e| e.unwrap()).collect();
    let text = |code: Code| events.iter().filter(|e| e.code == code).map(|e| e.data.as_str()).collect::<String>();
    assert_eq!(text(Code::Input), "hi\r");
    let output = text(Code::Output);
    assert!(output.contains("got hi\r\n") && output.contains("25 90\r\n"), "{output:?}");
    assert_eq!(text(Code::Resize), "90x25");
    assert_eq!(text(Code::Exit), "4");
    // Times never go back.
    assert!(events.windows(2).all(|w| w[0].time <= w[1].time));
}
