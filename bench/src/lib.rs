//! Benchmark drivers (see BENCHMARKS.md).
