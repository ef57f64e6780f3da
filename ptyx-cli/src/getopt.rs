//! The command line read as GNU [getopt_long(3)](https://man7.org/linux/man-pages/man3/getopt.3.html)
//! reads it, for util-linux compatibility.
//!
//! util-linux `script` and `scriptreplay` parse their options with getopt_long, which accepts
//! spellings clap reads otherwise or not at all: clustered short options whose last one takes a
//! value (`-qtT2.tm`, `-qmadvanced`), an optional value only when glued (`-tFILE`, `--timing=F`;
//! `-t FILE` is `-t` and an operand), values that look like options (`-O -dash.log`,
//! `--log-in --log-in`), unambiguous prefixes of long options (`--log-t`), and operands mixed with
//! options. [`normalize`] rewrites the arguments of a subcommand into one spelling that clap reads
//! as getopt would have: each option as `--long` or `--long=value`, then the operands, then `--`
//! and everything after it. Which options take a value, and whether it is optional, comes from the
//! clap definitions themselves, so the two cannot drift apart.
//!
//! Anything getopt would reject (an unknown option, a missing value, an ambiguous prefix) is left
//! for clap to reject with its own message.

use std::ffi::{OsStr, OsString};
use std::os::unix::ffi::OsStrExt;

/// getopt's `has_arg`: whether an option takes a value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Takes {
    /// A flag (`no_argument`).
    Nothing,
    /// `required_argument`: glued (`-Ox`, `--log-out=x`) or the next argument, whatever it is.
    Value,
    /// `optional_argument`: only glued (`-tx`, `--timing=x`).
    OptionalValue,
}

/// One option of a clap command, by all the names getopt would know it by.
#[derive(Debug)]
struct Opt {
    shorts: Vec<char>,
    longs: Vec<String>,
    takes: Takes,
}

impl Opt {
    /// The one spelling handed to clap: the long name when there is one.
    fn spelling(&self, value: Option<&[u8]>) -> OsString {
        let mut out = match (self.longs.first(), self.shorts.first()) {
            (Some(long), _) => format!("--{long}").into_bytes(),
            (None, Some(short)) => format!("-{short}").into_bytes(),
            (None, None) => Vec::new(),
        };
        if let Some(value) = value {
            // `--long=value`: clap takes everything after `=` as the value, even `--x` or `-y`.
            if !self.longs.is_empty() {
                out.push(b'=');
            }
            out.extend_from_slice(value);
        }
        OsStr::from_bytes(&out).to_owned()
    }
}

/// The options of `cmd` (its help and version flags included), as getopt's option table.
fn options(cmd: &clap::Command) -> Vec<Opt> {
    let mut cmd = cmd.clone();
    cmd.build();
    cmd.get_arguments()
        .filter(|a| !a.is_positional())
        .map(|a| {
            let takes = match a.get_num_args() {
                _ if !a.get_action().takes_values() => Takes::Nothing,
                Some(range) if !range.takes_values() => Takes::Nothing,
                Some(range) if range.min_values() == 0 => Takes::OptionalValue,
                _ => Takes::Value,
            };
            let mut shorts: Vec<char> = a.get_short().into_iter().collect();
            shorts.extend(a.get_all_short_aliases().unwrap_or_default());
            let mut longs: Vec<String> = a.get_long().into_iter().map(str::to_owned).collect();
            longs.extend(a.get_all_aliases().unwrap_or_default().into_iter().map(str::to_owned));
            Opt { shorts, longs, takes }
        })
        .collect()
}

/// Rewrites `args` (a whole command line, program name first) so that clap parses the arguments of
/// the subcommand they name the way getopt_long would. A command line without a subcommand of
/// `cmd` in second place is returned as it is.
pub fn normalize(cmd: &clap::Command, args: impl IntoIterator<Item = OsString>) -> Vec<OsString> {
    let mut args = args.into_iter();
    let mut out: Vec<OsString> = args.by_ref().take(2).collect();
    let Some(sub) = out.get(1).and_then(|name| cmd.find_subcommand(name)) else {
        out.extend(args);
        return out;
    };
    out.extend(normalize_args(&options(sub), args));
    out
}

/// getopt_long's loop over the arguments of one command, with the options `opts`.
fn normalize_args(opts: &[Opt], args: impl IntoIterator<Item = OsString>) -> Vec<OsString> {
    let mut args = args.into_iter();
    let mut options = Vec::new();
    let mut operands = Vec::new();
    let mut after_dashes = None;
    while let Some(arg) = args.next() {
        let bytes = arg.as_bytes();
        if bytes == b"--" {
            after_dashes = Some(args.by_ref().collect::<Vec<_>>());
            break;
        } else if let Some(long) = bytes.strip_prefix(b"--") {
            options.extend(long_option(opts, &arg, long, &mut args));
        } else if bytes.len() > 1 && bytes[0] == b'-' {
            short_options(opts, &bytes[1..], &mut args, &mut options);
        } else {
            // An operand (`-` alone is one too): getopt moves it after the options.
            operands.push(arg);
        }
    }
    options.extend(operands);
    if let Some(rest) = after_dashes {
        options.push("--".into());
        options.extend(rest);
    }
    options
}

/// `--name`, `--name=value` or a unique prefix of a name; the value of a required one may be the
/// next argument.
fn long_option(opts: &[Opt], arg: &OsStr, long: &[u8], rest: &mut impl Iterator<Item = OsString>) -> Vec<OsString> {
    let (name, glued) = match long.iter().position(|&b| b == b'=') {
        Some(at) => (&long[..at], Some(&long[at + 1..])),
        None => (long, None),
    };
    let Some(opt) = find_long(opts, name) else {
        return vec![arg.to_owned()];
    };
    match (opt.takes, glued) {
        // `--quiet=x`: getopt refuses it, and so will clap.
        (Takes::Nothing, Some(_)) => vec![arg.to_owned()],
        (Takes::Nothing, None) | (Takes::OptionalValue, None) => vec![opt.spelling(None)],
        (_, Some(value)) => vec![opt.spelling(Some(value))],
        (Takes::Value, None) => match rest.next() {
            Some(value) => vec![opt.spelling(Some(value.as_bytes()))],
            // Nothing left: clap says that a value is required.
            None => vec![opt.spelling(None)],
        },
    }
}

/// The option `name` is a name of, or the one option it is a prefix of a name of (getopt_long
/// accepts any unambiguous abbreviation).
fn find_long<'o>(opts: &'o [Opt], name: &[u8]) -> Option<&'o Opt> {
    if name.is_empty() {
        return None;
    }
    if let Some(exact) = opts.iter().find(|o| o.longs.iter().any(|l| l.as_bytes() == name)) {
        return Some(exact);
    }
    let mut candidates = opts.iter().filter(|o| o.longs.iter().any(|l| l.as_bytes().starts_with(name)));
    match (candidates.next(), candidates.next()) {
        (Some(only), None) => Some(only),
        _ => None,
    }
}

/// A cluster of short options (`-qeT`, `-qtFILE`): each a flag until one takes a value, which is
/// the rest of the cluster, or for a required value the next argument when the cluster ends there.
fn short_options(opts: &[Opt], cluster: &[u8], rest: &mut impl Iterator<Item = OsString>, out: &mut Vec<OsString>) {
    let mut i = 0;
    while i < cluster.len() {
        let c = cluster[i];
        i += 1;
        let Some(opt) = opts.iter().find(|o| c.is_ascii() && o.shorts.contains(&char::from(c))) else {
            // Not an option: clap names it in its error. A byte of a multi-byte character is
            // not a short option either, so the rest of the cluster goes with it.
            let unknown = if c.is_ascii() { &cluster[i - 1..i] } else { &cluster[i - 1..] };
            out.push(OsStr::from_bytes(&[b"-", unknown].concat()).to_owned());
            if !c.is_ascii() {
                return;
            }
            continue;
        };
        let glued = &cluster[i..];
        match opt.takes {
            Takes::Nothing => {
                out.push(opt.spelling(None));
                continue;
            }
            Takes::OptionalValue if glued.is_empty() => out.push(opt.spelling(None)),
            Takes::Value if glued.is_empty() => match rest.next() {
                Some(value) => out.push(opt.spelling(Some(value.as_bytes()))),
                None => out.push(opt.spelling(None)),
            },
            Takes::OptionalValue | Takes::Value => out.push(opt.spelling(Some(glued))),
        }
        return;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::{Arg, ArgAction, Command};

    /// util-linux script's option table, written as clap arguments.
    fn script() -> Command {
        let value = |id: &'static str, short: char, long: &'static str| Arg::new(id).short(short).long(long);
        let flag = |id: &'static str, short: char, long: &'static str| {
            Arg::new(id).short(short).long(long).action(ArgAction::SetTrue)
        };
        Command::new("script").args([
            flag("append", 'a', "append"),
            value("command", 'c', "command"),
            value("echo", 'E', "echo"),
            flag("return", 'e', "return"),
            flag("flush", 'f', "flush"),
            Arg::new("force").long("force").action(ArgAction::SetTrue),
            value("log-in", 'I', "log-in"),
            value("log-out", 'O', "log-out"),
            value("log-io", 'B', "log-io"),
            value("log-timing", 'T', "log-timing"),
            value("logging-format", 'm', "logging-format"),
            value("output-limit", 'o', "output-limit"),
            flag("quiet", 'q', "quiet"),
            Arg::new("timing").short('t').long("timing").num_args(0..=1).require_equals(true),
            Arg::new("file"),
            Arg::new("program").last(true).num_args(0..),
        ])
    }

    fn norm(line: &str) -> String {
        let cmd = Command::new("ptyx").subcommand(script());
        let args = ["ptyx", "script"].into_iter().chain(line.split(' ').filter(|w| !w.is_empty())).map(OsString::from);
        let out: Vec<String> = normalize(&cmd, args).into_iter().map(|a| a.to_string_lossy().into_owned()).collect();
        out[2..].join(" ")
    }

    #[track_caller]
    fn check(cases: &[(&str, &str)]) {
        for (line, want) in cases {
            assert_eq!(norm(line), *want, "{line}");
        }
    }

    #[test]
    fn clusters_and_glued_values() {
        let cases = [
            ("-qtT2.tm -c true out2", "--quiet --timing=T2.tm --command=true out2"),
            ("-qt -c true out", "--quiet --timing --command=true out"),
            ("-t out -c true", "--timing --command=true out"),
            ("-tFILE", "--timing=FILE"),
            ("-t=FILE", "--timing==FILE"),
            ("-qeT tm out", "--quiet --return --log-timing=tm out"),
            ("-qmadvanced", "--quiet --logging-format=advanced"),
            ("-qm advanced", "--quiet --logging-format=advanced"),
            ("--timing=F x", "--timing=F x"),
            ("--timing F", "--timing F"),
            ("-Bc -- echo hi", "--log-io=c -- echo hi"),
            ("-aqfe", "--append --quiet --flush --return"),
        ];
        check(&cases);
    }

    #[test]
    fn values_that_look_like_options_are_values() {
        let cases = [
            ("-q -O -dash.log -c true", "--quiet --log-out=-dash.log --command=true"),
            ("--log-in --log-in --log-out OUT -- echo x", "--log-in=--log-in --log-out=OUT -- echo x"),
            ("-I -- -O OUT -- echo x", "--log-in=-- --log-out=OUT -- echo x"),
            ("-O OUT --log-in -- -- echo x", "--log-out=OUT --log-in=-- -- echo x"),
            ("-T -tm", "--log-timing=-tm"),
            ("-c -true out", "--command=-true out"),
            ("-c", "--command"),
        ];
        check(&cases);
    }

    #[test]
    fn operands_move_after_options_and_dashes_end_them() {
        assert_eq!(norm("out -q -c true"), "--quiet --command=true out");
        assert_eq!(norm("- -q"), "--quiet -");
        assert_eq!(norm("-q out -- -q -c"), "--quiet out -- -q -c");
        assert_eq!(norm("-- out"), "-- out");
    }

    #[test]
    fn long_prefixes_and_what_getopt_rejects() {
        assert_eq!(norm("--log-t tm --qui --app"), "--log-timing=tm --quiet --append");
        assert_eq!(norm("--comm=x"), "--command=x");
        // Ambiguous (log-in, log-out, log-io, log-timing, logging-format), unknown, or a value for a
        // flag: left for clap to refuse.
        assert_eq!(norm("--log x"), "--log x");
        assert_eq!(norm("--nosuch"), "--nosuch");
        assert_eq!(norm("--quiet=1"), "--quiet=1");
        assert_eq!(norm("-qzq"), "--quiet -z --quiet");
        assert_eq!(norm("-q\u{e9}x"), "--quiet -\u{e9}x");
    }

    #[test]
    fn other_command_lines_are_left_alone() {
        let cmd = Command::new("ptyx").subcommand(script());
        let args: Vec<OsString> = ["ptyx", "--help", "-qt"].into_iter().map(OsString::from).collect();
        assert_eq!(normalize(&cmd, args.clone()), args);
        let args: Vec<OsString> = vec!["ptyx".into()];
        assert_eq!(normalize(&cmd, args.clone()), args);
    }
}
