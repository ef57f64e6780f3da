"""Throughput of spawn: a program writes N MiB (default 64) to its terminal and
spawn copies it to stdout (/dev/null), for ptyx.spawn and Python's pty.spawn with
their default callbacks and with the docs' recording callback, beside ptyx's Rust
core (ptyx::spawn, ptyx/examples/spawn.rs) and the C reader (bench/c/reader.c),
all in one run.

    python ptyx-python/bench/throughput.py [--mib 64] [--reps 9] [--smoke]

Run it with a Python that has ptyx installed. It builds what it measures beside
ptyx (cargo build --release -p ptyx --example spawn; gcc for bench/c/), and
checks every row's output once, byte for byte, before timing it.

Method (as BENCHMARKS.md): round robin, each repetition runs every row once,
starting one row later than the repetition before; a ratio is taken within each
repetition (row / Rust core of the same repetition) and the table gives the
median of those ratios, with their min-max. The Python rows time the spawn call
inside the interpreter (its start-up is not the copy loop's); the Rust and C rows
are whole processes, whose start-up is a millisecond. stdin is /dev/null.
"""

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PATTERN = b"abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ+/"

# spawn with the default callbacks; {module} is pty or ptyx.
PY_DEFAULT = """
import resource, sys, time, {module}
cpu = lambda: sum(resource.getrusage(w).ru_utime + resource.getrusage(w).ru_stime
                  for w in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN))
start, cpu0 = time.perf_counter(), cpu()
status = {module}.spawn(sys.argv[1:])
elapsed, used = time.perf_counter() - start, cpu() - cpu0
assert status == 0, status
sys.stderr.write('elapsed=%.9f cpu=%.9f\\n' % (elapsed, used))
"""
# spawn with the docs' recording callback: os.read of 1024 bytes, written to a file.
PY_RECORD = """
import os, resource, sys, time, {module}
cpu = lambda: sum(resource.getrusage(w).ru_utime + resource.getrusage(w).ru_stime
                  for w in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN))
with open(os.environ['RECORD'], 'wb') as script:
    def read(fd):
        data = os.read(fd, 1024)
        script.write(data)
        return data
    start, cpu0 = time.perf_counter(), cpu()
    status = {module}.spawn(sys.argv[1:], read)
    elapsed, used = time.perf_counter() - start, cpu() - cpu0
assert status == 0, status
sys.stderr.write('elapsed=%.9f cpu=%.9f\\n' % (elapsed, used))
"""


def build(work):
    target = os.environ.get("CARGO_TARGET_DIR", os.path.join(ROOT, "target"))
    subprocess.run(["cargo", "build", "--quiet", "--release", "-p", "ptyx", "--example", "spawn"], cwd=ROOT, check=True)
    programs = {"spawn": os.path.join(target, "release", "examples", "spawn")}
    for name in ["writer", "reader"]:
        out = os.path.join(work, name)
        src = os.path.join(ROOT, "bench", "c", name + ".c")
        subprocess.run(["gcc", "-O2", "-o", out, src], check=True)
        programs[name] = out
    return programs


def rows(programs, python, n, record):
    writer = [programs["writer"], str(n)]
    py = lambda code, module: [python, "-c", code.format(module=module)] + writer
    return [
        ("ptyx::spawn (Rust core), default callbacks", [programs["spawn"]] + writer, False),
        ("ptyx.spawn, default callbacks", py(PY_DEFAULT, "ptyx"), False),
        ("pty.spawn, default callbacks", py(PY_DEFAULT, "pty"), False),
        ("ptyx.spawn, docs' recording callback", py(PY_RECORD, "ptyx"), True),
        ("pty.spawn, docs' recording callback", py(PY_RECORD, "pty"), True),
        ("C openpty+fork, 64 KiB reads, discard", [programs["reader"]] + writer, False),
    ]


def run_once(argv, stdout, record):
    """Runs argv once; returns (wall seconds, CPU seconds of it and the writer). The Python rows
    report both for the spawn call alone; for the others they are the whole process's."""
    env = dict(os.environ, RECORD=record)
    with open(os.devnull, "rb") as null:
        start = time.perf_counter()
        proc = subprocess.Popen(argv, stdin=null, stdout=stdout, stderr=subprocess.PIPE, env=env)
        err = proc.stderr.read()
        proc.stderr.close()
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise SystemExit("%s failed (%d): %s" % (argv[:3], proc.returncode, err.decode(errors="replace")))
    for line in err.decode().splitlines():
        if line.startswith("elapsed="):
            fields = dict(f.split("=") for f in line.split())
            return float(fields["elapsed"]), float(fields["cpu"])
    return wall, usage.ru_utime + usage.ru_stime


def check(data, n, what):
    if len(data) != n or data != (PATTERN * (n // len(PATTERN) + 1))[:n]:
        raise SystemExit("%s: wrong output (%d bytes, %d expected)" % (what, len(data), n))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mib", type=float, default=64)
    parser.add_argument("--reps", type=int, default=9)
    parser.add_argument("--smoke", action="store_true", help="1 MiB, 1 repetition: the harness works")
    parser.add_argument("--python", default=sys.executable, help="a Python with ptyx installed")
    args = parser.parse_args()
    if args.smoke:
        args.mib, args.reps = 1, 1
    n = int(args.mib * 1024 * 1024)
    with tempfile.TemporaryDirectory() as work:
        programs = build(work)
        record = os.path.join(work, "record")
        table = rows(programs, args.python, n, record)
        # Every row's output once, checked (the C reader only counts: it prints bytes=N); these
        # runs are the warm-up too.
        for name, argv, records in table:
            out_path = os.path.join(work, "out")
            with open(out_path, "wb") as out:
                run_once(argv, out, record)
            with open(out_path, "rb") as f:
                data = f.read()
            if argv[0] == programs["reader"]:
                if data.strip() != b"bytes=%d" % n:
                    raise SystemExit("%s: %r" % (name, data[:100]))
                continue
            check(data, n, name)
            if records:
                with open(record, "rb") as f:
                    check(f.read(), n, name + " (recording)")
        times = {name: [] for name, _, _ in table}
        cpus = {name: [] for name, _, _ in table}
        ratios = {name: [] for name, _, _ in table}
        with open(os.devnull, "wb") as null:
            for rep in range(args.reps):
                got = {}
                order = table[rep % len(table) :] + table[: rep % len(table)]
                for name, argv, _ in order:
                    got[name] = run_once(argv, null, record)
                base = got[table[0][0]][0]
                for name, (wall, cpu) in got.items():
                    times[name].append(wall)
                    cpus[name].append(cpu)
                    ratios[name].append(wall / base)
    mib = n / (1024 * 1024)
    print("Throughput: a program writes %g MiB to its pty, spawn copies it to /dev/null" % mib)
    print("(%d round-robin repetitions; ratio = median of same-repetition ratios to the first row, min-max)" % args.reps)
    print()
    print("| spawn | median wall | MiB/s | ratio to the Rust core | CPU (spawner + writer) |")
    print("|---|---:|---:|---:|---:|")
    for name, _, _ in table:
        median = statistics.median(times[name])
        r = ratios[name]
        print(
            "| %s | %.1f ms | %.0f | %.2f [%.2f-%.2f] | %.0f ms |"
            % (name, median * 1000, mib / median, statistics.median(r), min(r), max(r), statistics.median(cpus[name]) * 1000)
        )


if __name__ == "__main__":
    main()
