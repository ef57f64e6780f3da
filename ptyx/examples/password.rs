//! Answers a password prompt, as one automates `ssh`, `sudo` or an installer: wait for the
//! prompt, send the secret (the terminal does not echo it), check what the program says.
//!
//! `cargo run -p ptyx --features expect --example password`

use std::time::Duration;

use ptyx::expect::{Eof, Needle, Session};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    // A stand-in for a program that asks for a password on its terminal.
    let script = r#"printf 'Password: '; stty -echo; read pw; stty echo; echo
        if [ "$pw" = "hunter2" ]; then echo 'Welcome!'; else echo 'Access denied'; exit 1; fi"#;
    let mut login = Session::spawn(ptyx::Command::new("sh").args(["-c", script]))?;
    login.set_timeout(Some(Duration::from_secs(10)));
    login.expect("Password: ")?;
    login.send_line("hunter2")?;
    let (which, _) = login.expect_any(&[Needle::from("Welcome!"), Needle::from("Access denied")])?;
    let m = login.expect(Eof)?;
    assert!(!m.before().windows(7).any(|w| w == b"hunter2"), "the password was echoed");
    println!("{}", if which == 0 { "logged in" } else { "refused" });
    println!("{}", login.wait()?);
    Ok(())
}
