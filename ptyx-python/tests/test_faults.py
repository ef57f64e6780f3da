"""The faults of Python's pty module that ptyx fixes, one test each (issue 11, "Why").

Each test runs with Python's pty, where it must fail (a strict xfail: were the
fault fixed in pty, these cases would report it), and with ptyx, where it
must pass. Where pty's fault is a hang, the pty case waits HANG seconds.
"""

import inspect
import os
import pty
import subprocess

import pytest

from conftest import FAULT_MODULES, HANG, LONG, PTY_FAULT, driver, run, started, wait_readable


@FAULT_MODULES
def test_end_of_stdin_reaches_the_program(module):
    # printf 'hi\n' | python3 -c 'import pty; pty.spawn(["cat"])' never returns with pty.
    argv = driver(module, "print('status', pty.spawn(['cat']))")
    try:
        code, out, err = run(argv, input=b"hi\n", timeout=HANG)
    except subprocess.TimeoutExpired:
        pytest.fail("spawn(['cat']) hung after the end of stdin")
    assert code == 0, err
    # The pty echoes the line, cat prints it, and cat ends at the forwarded end of file.
    assert out.count(b"hi\r\n") == 2, out
    assert out.endswith(b"status 0\n"), out


# pty's copy loop buffers output (and drops what is buffered at the end) in later 3.11 releases
# (3.11.7 has it) and from 3.12 on; before (Debian's 3.11.2), it wrote with blocking writes,
# which lose nothing (but can deadlock with a program that does not read its input). The case
# with pty is an expected failure where pty has the buffer.
PTY_BUFFERS_OUTPUT = "high_waterlevel" in inspect.getsource(pty._copy)


@pytest.mark.parametrize(
    "module", [PTY_FAULT if PTY_BUFFERS_OUTPUT else pytest.param("pty", id="pty-unbuffered"), "ptyx"]
)
def test_no_output_is_lost_when_stdout_is_a_slow_pipe(module, tmp_path):
    # A pipe that the reader has not got to yet: full from the start. pty reads the program's
    # last output into its buffer, sees the end of the session and returns, dropping it; ptyx
    # writes it out once the reader reads.
    fifo = tmp_path / "done"
    os.mkfifo(fifo)
    script = 'head -c 3000 /dev/zero | tr "\\000" x; printf END; echo done > "$1"'
    argv = driver(module, "import sys; pty.spawn(['sh', '-c', sys.argv[1], 'sh', sys.argv[2]])") + [script, str(fifo)]
    read_end, write_end = os.pipe()
    os.set_blocking(write_end, False)
    filled = 0
    try:
        while True:
            filled += os.write(write_end, b"f" * 65536)
    except BlockingIOError:
        pass
    os.set_blocking(write_end, True)
    done = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)
    with started(argv, stdin=subprocess.DEVNULL, stdout=write_end) as proc:
        os.close(write_end)
        # The program has written everything to its terminal and is exiting.
        wait_readable(done)
        assert os.read(done, 100) == b"done\n"
        os.close(done)
        # pty is gone within milliseconds, having dropped the output; ptyx waits for the
        # reader, so this wait runs out.
        try:
            proc.wait(timeout=2)
        except subprocess.TimeoutExpired:
            pass
        with os.fdopen(read_end, "rb") as reader:
            data = reader.read()
        assert proc.wait(timeout=LONG) == 0
    assert data[:filled] == b"f" * filled
    assert data[filled:] == b"x" * 3000 + b"END", "lost %d of 3003 bytes" % (3003 - len(data[filled:]))


@FAULT_MODULES
def test_the_window_has_stdin_size_or_24x80_never_0x0(module, terminal):
    code, out, err = run(driver(module, "pty.spawn(['stty', 'size'])"))
    assert code == 0, err
    assert out == b"24 80\r\n", out
    t = terminal(driver(module, "pty.spawn(['stty', 'size'])"), rows=30, cols=100)
    assert t.wait() == 0
    assert t.output == b"30 100\r\n", t.output


@FAULT_MODULES
def test_the_window_follows_sigwinch(module, terminal):
    child = (
        "import os, signal, sys\n"
        "signal.signal(signal.SIGWINCH, lambda *_: print('size %d %d' % os.get_terminal_size()[::-1], flush=True))\n"
        "print('ready', flush=True)\n"
        "sys.stdin.readline()\n"
    )
    t = terminal(driver(module, "import sys; pty.spawn([sys.executable, '-c', sys.argv[1]])") + [child], rows=30, cols=100)
    t.expect(b"ready")
    t.resize(40, 120)
    try:
        t.expect(b"size 40 120", timeout=HANG)
    except TimeoutError:
        pytest.fail("the program never saw the new size")
    t.write(b"\r")
    assert t.wait() == 0


@FAULT_MODULES
def test_the_program_gets_only_fds_0_1_2(module):
    child = (
        "import os\n"
        "open_fds = []\n"
        "for fd in range(3, 256):\n"
        "    try:\n"
        "        os.fstat(fd)\n"
        "    except OSError:\n"
        "        continue\n"
        "    open_fds.append(fd)\n"
        "print('open', open_fds)\n"
    )
    body = """
        import os, sys
        leaked = os.open(os.devnull, os.O_RDONLY)
        os.set_inheritable(leaked, True)
        os.dup2(leaked, 50)  # inheritable too, as dup2 makes it
        pty.spawn([sys.executable, '-c', sys.argv[1]])
    """
    code, out, err = run(driver(module, body) + [child])
    assert code == 0, err
    assert out == b"open []\r\n", out


@FAULT_MODULES
def test_a_program_that_cannot_start_raises_in_the_caller_as_subprocess_does(module, tmp_path):
    not_executable = tmp_path / "data.txt"
    not_executable.write_text("not a program\n")
    body = """
        import os, subprocess, sys
        me = os.getpid()
        for program in sys.argv[1:]:
            try:
                subprocess.Popen([program])
            except OSError as e:
                expected = (type(e).__name__, e.errno, e.strerror, e.filename, str(e))
            try:
                status = pty.spawn([program, 'an argument'])
            except OSError as e:
                if os.getpid() != me:
                    os._exit(1)  # pty's child, which could not exec, goes on here
                got = (type(e).__name__, e.errno, e.strerror, e.filename, str(e))
                print('same as subprocess' if got == expected else 'differs: %r %r' % (got, expected))
            else:
                print('returned', status)
    """
    code, out, err = run(driver(module, body) + ["no-such-program-ptyx", str(not_executable)])
    assert code == 0, err
    assert out == b"same as subprocess\nsame as subprocess\n", out
