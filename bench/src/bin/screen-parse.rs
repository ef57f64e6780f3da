//! Parse speed of terminal emulators on 64 MiB of mixed output (text, colours, cursor movement),
//! in MB/s, fed in 64 KiB pieces as a session reads them: the three candidates for ptyx's screen
//! model (vt100, avt, alacritty_terminal) and `ptyx::screen::Screen` itself (alacritty_terminal
//! plus ptyx's fixes and change tracking). Each is run `--reps` times in turn; the median counts.
//!
//! `cargo run --release -p ptyx-bench --bin screen-parse [-- --mib N --reps N --rows R --cols C
//! --only NAME --chunk BYTES]` (`--chunk`: the piece size for every parser);
//! `--text` parses plain ASCII lines instead; `--smoke` parses 1 MiB once, to check the harness
//! (CI runs it).

use std::num::NonZeroU16;
use std::time::{Duration, Instant};

use alacritty_terminal::event::VoidListener;
use alacritty_terminal::grid::Dimensions;
use alacritty_terminal::term::{Config, Term};
use alacritty_terminal::vte::ansi::Processor;
use ptyx_bench::mixed_output::mixed_output;
use ptyx_bench::CHUNK;

struct Size(usize, usize);

impl Dimensions for Size {
    fn total_lines(&self) -> usize {
        self.0
    }
    fn screen_lines(&self) -> usize {
        self.0
    }
    fn columns(&self) -> usize {
        self.1
    }
}

fn arg(args: &[String], name: &str, default: usize) -> usize {
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .map(|v| v.parse().unwrap_or_else(|_| panic!("{name} takes a number")))
        .unwrap_or(default)
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let smoke = args.iter().any(|a| a == "--smoke");
    let mib = arg(&args, "--mib", if smoke { 1 } else { 64 });
    let reps = arg(&args, "--reps", if smoke { 1 } else { 5 });
    let rows = arg(&args, "--rows", 24) as u16;
    let cols = arg(&args, "--cols", 80) as u16;
    let chunk = arg(&args, "--chunk", CHUNK);
    // `--text`: plain lines of ASCII instead (what a build log without colours is).
    let plain_text = args.iter().any(|a| a == "--text");
    let data = if plain_text {
        let line = b"compiling ptyx v0.1.0 (/work/ptyx) warning: unused variable `x` in src/lib.rs:42\r\n";
        line.iter().copied().cycle().take(mib << 20).collect()
    } else {
        mixed_output(mib << 20, rows, cols)
    };
    let text = std::str::from_utf8(&data).expect("mixed output is UTF-8");
    // avt takes text: its pieces are cut at character boundaries beforehand, outside the timing.
    let mut pieces = Vec::new();
    let mut start = 0;
    while start < text.len() {
        let mut end = (start + chunk).min(text.len());
        while !text.is_char_boundary(end) {
            end += 1;
        }
        pieces.push(&text[start..end]);
        start = end;
    }

    let (r, c) = (usize::from(rows), usize::from(cols));
    type Run<'a> = (&'a str, Box<dyn Fn() -> String + 'a>);
    let runs: Vec<Run> = vec![
        (
            "vt100 0.18",
            Box::new(|| {
                let nz = |n: u16| NonZeroU16::new(n).expect("size > 0");
                let mut p = vt100::Parser::new(nz(rows), nz(cols), 0);
                data.chunks(chunk).for_each(|piece| p.process(piece));
                p.screen().contents()
            }),
        ),
        (
            "avt 0.19",
            Box::new(|| {
                let mut t = avt::Terminal::new(c, r).expect("size > 0");
                pieces.iter().for_each(|piece| t.feed(*piece));
                t.screen().text().join("\n")
            }),
        ),
        (
            "alacritty_terminal 0.26",
            Box::new(|| {
                let config = Config { scrolling_history: 0, ..Config::default() };
                let mut t = Term::new(config, &Size(r, c), VoidListener);
                let mut p: Processor = Processor::new();
                data.chunks(chunk).for_each(|piece| p.advance(&mut t, piece));
                t.grid().cursor.point.line.0.to_string()
            }),
        ),
        (
            "ptyx::screen::Screen",
            Box::new(|| {
                let mut s = ptyx::screen::Screen::new(ptyx::Winsize::new(rows, cols));
                data.chunks(chunk).for_each(|piece| {
                    s.feed(piece);
                });
                s.text()
            }),
        ),
    ];
    // `--only NAME-PREFIX` runs one parser, e.g. under `valgrind --tool=callgrind` for an
    // instruction count that does not depend on the machine's load.
    let only = args.iter().position(|a| a == "--only").and_then(|i| args.get(i + 1)).cloned();
    let runs: Vec<Run> =
        runs.into_iter().filter(|(name, _)| only.as_ref().is_none_or(|o| name.starts_with(o.as_str()))).collect();
    let mut times: Vec<Vec<Duration>> = vec![Vec::new(); runs.len()];
    for _ in 0..reps {
        for (i, (_, run)) in runs.iter().enumerate() {
            let t = Instant::now();
            let shown = run();
            times[i].push(t.elapsed());
            std::hint::black_box(shown);
        }
    }
    let kind = if plain_text { "plain text" } else { "mixed" };
    println!(
        "| parser ({rows}x{cols}, {mib} MiB {kind}, {} KiB pieces) | MB/s (median of {reps}) | min..max |",
        chunk >> 10
    );
    println!("|---|---:|---:|");
    let mb = data.len() as f64 / 1e6;
    for ((name, _), t) in runs.iter().zip(&mut times) {
        t.sort();
        let speed = |d: &Duration| mb / d.as_secs_f64();
        println!("| {name} | {:.0} | {:.0}..{:.0} |", speed(&t[t.len() / 2]), speed(&t[t.len() - 1]), speed(&t[0]));
    }
}
