//! The screen example (`examples/screen_test.rs`) runs to the end: its asserts are the test.
#![cfg(feature = "screen")]

mod common;

#[test]
fn screen_example_passes() {
    if std::process::Command::new("python3")
        .arg("-c")
        .arg("import curses")
        .output()
        .map_or(true, |o| !o.status.success())
    {
        assert!(std::env::var_os("CI").is_none(), "python3 with curses is needed");
        return;
    }
    let out = common::run_std(common::example("screen_test"), &[], std::process::Stdio::null(), None);
    assert!(out.status.success(), "screen_test failed:\n{}\n{}", out.stdout_str(), out.stderr_str());
    assert!(out.stdout_str().contains("│   banana                   │"), "{}", out.stdout_str());
}
