#!/bin/sh
# Build the ptyx command and the benchmark programs in release mode, then run
# the side-by-side comparison. All arguments go to the driver:
#   bench/compare.sh           full run (~3 min), results into bench/results/
#   bench/compare.sh --smoke   harness check (< 1 min), into target/bench-smoke/
#   bench/compare.sh --help    options
set -eu
cd "$(dirname "$0")/.."
cargo build --release -p ptyx-bench --bins
# The ptyx command is measured when it builds; otherwise its rows are skipped.
cargo build --release -p ptyx-cli --bin ptyx ||
	echo "compare.sh: ptyx-cli did not build; the ptyx script rows will be skipped" >&2
exec "${CARGO_TARGET_DIR:-target}/release/compare" "$@"
