"""Helpers for the ptyx tests: Python programs that use ``pty`` or ``ptyx`` run in
their own process (a spawn takes over that process's stdin, stdout and signals),
either between pipes or on a real pseudo-terminal that the test holds, as a
user's terminal would be.

Every wait is one select/poll with the time left until a deadline; nothing
sleeps. ``HANG`` is how long a test waits for something that Python's ``pty``
never does (it hangs): the ``pty`` cases of the fault tests pay it once each.
"""

import contextlib
import errno
import fcntl
import os
import select
import signal
import struct
import subprocess
import sys
import termios
import textwrap
import time

import pytest

PYTHON = sys.executable
# Seconds to wait for what Python's pty never does; ptyx does it in milliseconds.
HANG = 5.0
# Seconds to wait for what must happen (a generous bound: a loaded 2-core machine).
LONG = 60.0

# Both modules, for tests that show a fault of pty's: they fail (strictly) with pty.
PTY_FAULT = pytest.param("pty", marks=pytest.mark.xfail(strict=True, reason="a fault of Python's pty"))
FAULT_MODULES = pytest.mark.parametrize("module", [PTY_FAULT, "ptyx"])
BOTH_MODULES = pytest.mark.parametrize("module", ["pty", "ptyx"])


def driver(module, body):
    """argv that runs ``body`` (dedented) with ``module`` imported as ``pty``."""
    return [PYTHON, "-c", "import %s as pty\n" % module + textwrap.dedent(body)]


def run(argv, input=None, timeout=LONG, **kwargs):
    """Runs argv with stdout and stderr to pipes, stdin from input (bytes) or as
    kwargs say; returns (returncode, stdout, stderr). Raises
    subprocess.TimeoutExpired (after killing it) if it runs longer than timeout."""
    if input is None:
        kwargs.setdefault("stdin", subprocess.DEVNULL)
    proc = subprocess.run(argv, input=input, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=timeout, **kwargs)
    return proc.returncode, proc.stdout, proc.stderr


@contextlib.contextmanager
def started(argv, **kwargs):
    """subprocess.Popen(argv, **kwargs), killed and reaped when the block ends if still running."""
    proc = subprocess.Popen(argv, **kwargs)
    try:
        yield proc
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait()


def set_window(fd, rows, cols):
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))


def window(fd):
    rows, cols, _, _ = struct.unpack("HHHH", fcntl.ioctl(fd, termios.TIOCGWINSZ, b"\0" * 8))
    return rows, cols


def _controlling_terminal():
    # In the child, after setsid (start_new_session): stdin, the slave, becomes its terminal.
    fcntl.ioctl(0, termios.TIOCSCTTY, 0)


class Terminal:
    """A program on a new pseudo-terminal that the test holds the master of: its
    controlling terminal, with stdin, stdout and stderr on it, as in a terminal window."""

    def __init__(self, argv, rows=24, cols=80, **kwargs):
        self.master, slave = os.openpty()
        set_window(slave, rows, cols)
        self.proc = subprocess.Popen(
            argv,
            stdin=slave,
            stdout=slave,
            stderr=slave,
            start_new_session=True,
            preexec_fn=_controlling_terminal,
            **kwargs,
        )
        os.close(slave)
        self.output = b""
        self.ended = False

    def _read(self, deadline):
        """One read of what is there, waiting until deadline; False at the end of the session."""
        left = deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError("no output in time; so far: %r" % self.output[-2000:])
        ready, _, _ = select.select([self.master], [], [], left)
        if not ready:
            raise TimeoutError("no output in time; so far: %r" % self.output[-2000:])
        try:
            data = os.read(self.master, 65536)
        except OSError as e:
            if e.errno != errno.EIO:
                raise
            data = b""
        if not data:
            self.ended = True
            return False
        self.output += data
        return True

    def expect(self, needle, timeout=LONG):
        """Reads until needle (bytes) is in the output; returns the output so far."""
        deadline = time.monotonic() + timeout
        while needle not in self.output:
            if self.ended or not self._read(deadline):
                raise EOFError("session ended before %r; output: %r" % (needle, self.output[-2000:]))
        return self.output

    def read_to_end(self, timeout=LONG):
        deadline = time.monotonic() + timeout
        while not self.ended and self._read(deadline):
            pass
        return self.output

    def write(self, data):
        os.write(self.master, data)

    def resize(self, rows, cols):
        # The kernel sends SIGWINCH to the terminal's foreground process group.
        set_window(self.master, rows, cols)

    def wait(self, timeout=LONG):
        """Reads to the end of the session, then reaps the program; returns its exit code."""
        self.read_to_end(timeout)
        return self.proc.wait(timeout)

    def close(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        os.close(self.master)


@pytest.fixture
def terminal():
    """Terminal(argv, ...) factory; every terminal made is closed (and its program killed) after the test."""
    made = []

    def make(argv, **kwargs):
        t = Terminal(argv, **kwargs)
        made.append(t)
        return t

    yield make
    for t in made:
        t.close()


def wait_readable(fd, timeout=LONG):
    ready, _, _ = select.select([fd], [], [], timeout)
    if not ready:
        raise TimeoutError("descriptor %d not readable in %s s" % (fd, timeout))


def read_line(fd, timeout=LONG):
    """One line from a pipe, read byte by byte so that nothing after it is consumed."""
    deadline = time.monotonic() + timeout
    line = b""
    while not line.endswith(b"\n"):
        wait_readable(fd, max(0.0, deadline - time.monotonic()))
        byte = os.read(fd, 1)
        if not byte:
            raise EOFError("end of file after %r" % line)
        line += byte
    return line


def process_exists(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def signal_name(sig):
    return signal.Signals(sig).name
