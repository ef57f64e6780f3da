//! Drives the Python REPL: wait for its prompt, type an expression, read the answer.
//!
//! `cargo run -p ptyx --features expect --example python_repl`

use std::time::Duration;

use ptyx::expect::{Regex, Session};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut python = Session::spawn(ptyx::Command::new("python3").arg("-q"))?;
    python.set_timeout(Some(Duration::from_secs(10)));
    // Compiled once, used for every answer: the number between the echo of the line and the prompt.
    let answer = Regex::new(r"\r\n(-?\d+)\r\n>>> ")?;
    python.expect(">>> ")?;
    for expression in ["6*7", "2**64", "sum(range(101))"] {
        python.send_line(expression)?;
        let m = python.expect(&answer)?;
        let value = String::from_utf8_lossy(m.get(1).unwrap_or_default());
        println!("{expression} = {value}");
    }
    python.send_line("exit()")?;
    let status = python.wait()?;
    println!("python: {status}");
    Ok(())
}
