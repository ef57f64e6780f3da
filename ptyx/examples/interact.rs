//! Drives a shell, then hands it to you: type at it yourself, press Ctrl-] to give it back, and
//! the program goes on driving it.
//!
//! `cargo run -p ptyx --features expect --example interact`

use std::time::Duration;

use ptyx::expect::Session;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut sh = Session::spawn(ptyx::Command::new("sh").env("PS1", "$ "))?;
    sh.set_timeout(Some(Duration::from_secs(10)));
    sh.expect("$ ")?;
    sh.send_line("echo driven by the program")?;
    sh.expect("driven by the program\r\n")?;
    println!("\n[your turn: type commands, Ctrl-] to give the shell back]");
    let ended = sh.interact()?;
    println!("\r\n[back: {ended:?}]");
    if matches!(ended, ptyx::Ended::Escape) {
        sh.send_line("echo driven again")?;
        sh.expect("driven again\r\n")?;
        sh.send_line("exit")?;
    }
    println!("shell: {}", sh.wait()?);
    Ok(())
}
