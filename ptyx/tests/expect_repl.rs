//! `Repl` on bash and python3: what `run` returns for commands that print nothing, many lines,
//! take seconds, span lines, or print text that looks like a prompt.
#![cfg(feature = "expect")]

use ptyx::expect::Repl;

fn check(repl: &mut Repl, cases: &[(&str, &str)]) {
    for (command, printed) in cases {
        assert_eq!(repl.run(command).unwrap(), *printed, "{command:?}");
    }
}

#[test]
fn bash_commands_print_exactly_what_they_print() {
    let mut bash = Repl::bash().unwrap();
    let many: String = (1..=2000).map(|i| format!("{i}\n")).collect();
    check(
        &mut bash,
        &[
            ("true", ""),
            ("echo hello", "hello\n"),
            ("seq 1 2000", &many),
            ("sleep 1.5; echo slept", "slept\n"),
            ("printf '$ \\n>>> \\n'", "$ \n>>> \n"),
            ("echo 'a !! b'", "a !! b\n"),
            ("for i in 1 2 3; do\n  echo \"n=$i\"\ndone", "n=1\nn=2\nn=3\n"),
            ("printf 'no newline'", "no newline"),
            ("", ""),
        ],
    );
    // The prompt itself, printed by a command, does not end the output early: it is unique to this
    // session and cannot be guessed by one that did not read the environment.
    let ps1 = bash.run("echo \"$PS1\" | tr a-z A-Z").unwrap();
    assert!(ps1.starts_with("[PTYX-PROMPT-"), "{ps1:?}");
    let err = bash.run("if true; then").unwrap_err();
    assert_eq!(err.kind(), std::io::ErrorKind::InvalidInput);
    assert_eq!(bash.run("echo still here").unwrap(), "still here\n");
}

#[test]
fn python_commands_print_exactly_what_they_print() {
    let mut python = Repl::python().unwrap();
    check(
        &mut python,
        &[
            ("x = 6", ""),
            ("x * 7", "42\n"),
            ("print('\\n'.join(str(i) for i in range(3)))", "0\n1\n2\n"),
            ("import time; time.sleep(1.5); print('slept')", "slept\n"),
            ("print('>>> ... $ ')", ">>> ... $ \n"),
            ("for i in range(2):\n    print(i)\n", "0\n1\n"),
        ],
    );
    let out = python.run("1/0").unwrap();
    assert!(out.contains("ZeroDivisionError"), "{out:?}");
}
