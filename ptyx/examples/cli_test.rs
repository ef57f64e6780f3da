//! Tests a command-line program's interactive flow the way a `#[test]` in your crate would:
//! start it, answer its questions, check what it prints and how it exits.
//!
//! `cargo test -p ptyx --features expect --example cli_test`

/// A stand-in for the program under test: asks for a name and a number.
#[cfg(test)]
const PROGRAM: &str = r#"printf 'Name? '; read name; printf 'Age? '; read age
case "$age" in *[!0-9]*|'') echo "error: not a number: $age"; exit 2;; esac
echo "Hello $name, next year you will be $((age + 1))""#;

fn main() {
    println!("run this example's tests: cargo test -p ptyx --features expect --example cli_test");
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use ptyx::expect::{Eof, Session};

    fn start() -> Session {
        let mut s = Session::spawn(ptyx::Command::new("sh").args(["-c", super::PROGRAM])).expect("start");
        s.set_timeout(Some(Duration::from_secs(10)));
        s
    }

    #[test]
    fn greets_with_next_years_age() -> std::io::Result<()> {
        let mut s = start();
        s.expect("Name? ")?;
        s.send_line("Ada")?;
        s.expect("Age? ")?;
        s.send_line("36")?;
        s.expect("Hello Ada, next year you will be 37\r\n")?;
        s.expect(Eof)?;
        assert!(s.wait()?.success());
        Ok(())
    }

    #[test]
    fn refuses_an_age_that_is_not_a_number() -> std::io::Result<()> {
        let mut s = start();
        s.expect("Name? ")?;
        s.send_line("Bob")?;
        s.expect("Age? ")?;
        s.send_line("old")?;
        s.expect("error: not a number: old")?;
        assert_eq!(s.wait()?.code(), Some(2));
        Ok(())
    }
}
