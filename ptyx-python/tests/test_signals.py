"""Signals while spawn runs: SIGINT, SIGTERM, SIGHUP and SIGQUIT to the Python
process go to the program, and Python's own handlers are back afterwards; other
signals run their Python handlers, whose exceptions end the session."""

import os
import signal
import subprocess

import pytest

from conftest import BOTH_MODULES, LONG, driver, process_exists, read_line, started

# The program: exits 5 on the signal, once it has said it is ready for it.
CHILD = (
    "import os, signal, sys\n"
    "signal.signal(getattr(signal, sys.argv[1]), lambda *_: os._exit(5))\n"
    "print('ready', flush=True)\n"
    "while True:\n"
    "    signal.pause()\n"
)

FORWARDED = """
    import os, signal, sys
    sig = getattr(signal, sys.argv[1])
    ran = []
    # Python's handlers, set here: a process started in the background by a shell without job
    # control inherits SIGINT and SIGQUIT ignored, and an ignored signal stays ignored.
    if sig == signal.SIGINT:
        signal.signal(sig, signal.default_int_handler)
    else:
        signal.signal(sig, lambda *_: ran.append('python handler'))
    before = signal.getsignal(sig)
    status = pty.spawn([sys.executable, '-c', sys.argv[2], sys.argv[1]])
    print('status', os.waitstatus_to_exitcode(status), 'handler back', signal.getsignal(sig) is before)
    try:
        os.kill(os.getpid(), sig)  # Python's handler again
        signal.pthread_sigmask(signal.SIG_BLOCK, [])  # a call, for the handler to run before
    except KeyboardInterrupt:
        ran.append('KeyboardInterrupt')
    print(ran)
"""


@pytest.mark.parametrize("sig", ["SIGINT", "SIGTERM", "SIGHUP", "SIGQUIT"])
def test_terminating_signals_go_to_the_program_and_pythons_handlers_come_back(sig):
    argv = driver("ptyx", FORWARDED) + [sig, CHILD]
    with started(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE) as proc:
        assert read_line(proc.stdout.fileno()) == b"ready\r\n"
        os.kill(proc.pid, getattr(signal, sig))
        out = proc.stdout.read()
        assert proc.wait(timeout=LONG) == 0
    expected = "KeyboardInterrupt" if sig == "SIGINT" else "python handler"
    assert out == b"status 5 handler back True\n['%s']\n" % expected.encode(), out


@BOTH_MODULES
def test_ctrl_c_typed_at_the_terminal_goes_to_the_program_as_a_key(module, terminal):
    body = """
        import os, sys
        status = pty.spawn([sys.executable, '-c', sys.argv[1], 'SIGINT'])
        print('status', os.waitstatus_to_exitcode(status))
    """
    t = terminal(driver(module, body) + [CHILD])
    t.expect(b"ready")
    t.write(b"\x03")  # raw mode: the byte reaches the program's terminal, which signals it
    assert t.wait() == 0
    assert t.output.endswith(b"status 5\r\n"), t.output


@BOTH_MODULES
def test_an_exception_from_a_python_signal_handler_ends_spawn(module, tmp_path):
    # The program sends SIGUSR1 to the spawning process again and again; its Python handler
    # raises, and spawn ends with that exception, the program reaped.
    fifo = tmp_path / "pid"
    os.mkfifo(fifo)
    body = """
        import os, signal, sys
        class Stop(Exception):
            pass
        raised = []
        def handler(*_):
            if not raised:  # once: more signals may come before the program is gone
                raised.append(True)
                raise Stop
        signal.signal(signal.SIGUSR1, handler)
        try:
            pty.spawn(['sh', '-c', 'echo $$ > "$1"; while :; do kill -USR1 $PPID; sleep 0.05; done', 'sh', sys.argv[1]])
        except Stop:
            print('raised from spawn')
    """
    with started(driver(module, body) + [str(fifo)], stdin=subprocess.DEVNULL, stdout=subprocess.PIPE) as proc:
        with open(fifo, "rb") as f:
            pid = int(f.read())
        out = proc.stdout.read()
        assert proc.wait(timeout=LONG) == 0
    assert out == b"raised from spawn\n", out
    if module == "ptyx":
        assert not process_exists(pid)  # ended and reaped; pty.spawn leaves it to the kernel's SIGHUP
