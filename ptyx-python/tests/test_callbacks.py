"""master_read and stdin_read: pty's meanings (b'' and OSError are end of file),
BlockingIOError as "nothing now", other exceptions ending the session and raised
from spawn, returns of any size, and the GIL released while the relay waits."""

import ast
import os
import subprocess

import pytest

from conftest import BOTH_MODULES, LONG, driver, process_exists, run, started

# A master_read that records what it reads, as the docs' example does.
RECORDING = """
        import os, sys
        log = []
        def read(fd):
            data = os.read(fd, 1024)
            log.append(data)
            return data
"""


@BOTH_MODULES
def test_a_recording_master_read_sees_every_byte_the_program_wrote(module):
    body = RECORDING + """
        status = pty.spawn(['sh', '-c', 'head -c 300000 /dev/zero | tr "\\\\000" y; echo; echo end'], read)
        sys.stdout.flush()
        os.write(2, b'%d %d' % (status, len(b''.join(log))))
    """
    code, out, err = run(driver(module, body))
    assert code == 0, err
    assert out == b"y" * 300000 + b"\r\nend\r\n"
    assert err == b"0 %d" % len(out)


def test_blocking_io_error_from_master_read_means_nothing_now_not_end_of_file():
    # The relay calls master_read until the (non-blocking) master would block: os.read then
    # raises BlockingIOError, and the session goes on. The program's second line comes only
    # after that: the callback types the line it waits for.
    body = """
        import os, sys
        blocked = 0
        seen = b''
        def read(fd):
            global blocked, seen
            try:
                data = os.read(fd, 1024)
            except BlockingIOError:
                blocked += 1
                if blocked == 1:
                    os.write(fd, b'go\\n')
                raise
            seen += data
            return data
        status = pty.spawn(['sh', '-c', 'stty -echo; echo one; read x; echo two'], read)
        os.write(2, b'%d %d' % (status, blocked >= 1))
    """
    # stdin stays open (no end of input to end the program's read early).
    stdin, held = os.pipe()
    try:
        code, out, err = run(driver("ptyx", body), stdin=stdin)
    finally:
        os.close(stdin)
        os.close(held)
    assert code == 0, err
    assert out == b"one\r\ntwo\r\n"
    assert err == b"0 1"


@BOTH_MODULES
def test_an_oserror_from_master_read_is_end_of_file_and_hangs_the_program_up(module):
    body = """
        import errno, os, signal
        def read(fd):
            raise OSError(errno.EIO, 'pretend the terminal went away')
        status = pty.spawn(['sh', '-c', 'echo started; exec sleep 60'], read)
        print(os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGHUP)
    """
    code, out, err = run(driver(module, body))
    assert code == 0, err
    assert out.endswith(b"True\n"), out


def test_master_read_returning_empty_bytes_hangs_the_program_up_and_writes_what_it_read():
    body = """
        import os
        seen = b''
        def read(fd):
            global seen
            if b'first\\r\\n' in seen:
                return b''  # enough
            data = os.read(fd, 1024)
            seen += data
            return data
        status = pty.spawn(['sh', '-c', 'trap "exit 7" HUP; echo first; while :; do sleep 1; done'], read)
        print()
        print(os.waitstatus_to_exitcode(status))
    """
    code, out, err = run(driver("ptyx", body))
    assert code == 0, err
    assert out == b"first\r\n\n7\n", out


def test_another_exception_from_master_read_ends_the_session_and_is_raised(terminal):
    body = """
        import os, re, sys, termios
        before = termios.tcgetattr(0)
        seen = b''
        def read(fd):
            global seen, pid
            data = os.read(fd, 1024)
            seen += data
            line = re.search(rb'pid (\\d+)\\r\\n', seen)  # one read may hold part of it
            if line:
                pid = int(line.group(1))
                raise ValueError('no more, thanks')
            return data
        try:
            pty.spawn(['sh', '-c', 'echo pid $$; exec sleep 60'], read)
        except ValueError as e:
            gone = False
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                gone = True  # killed and reaped
            print('raised', e, 'gone', gone, 'terminal restored', termios.tcgetattr(0) == before)
    """
    t = terminal(driver("ptyx", body))
    assert t.wait() == 0
    assert t.output.endswith(b"raised no more, thanks gone True terminal restored True\r\n"), t.output


def test_a_program_that_ignores_sigterm_is_killed_after_the_grace():
    body = """
        import os
        def read(fd):
            data = os.read(fd, 1024)
            if b'ready' in data:
                raise KeyboardInterrupt
            return data
        try:
            pty.spawn(['sh', '-c', 'trap "" TERM; echo ready; while :; do sleep 1; done'], read)
        except KeyboardInterrupt:
            print('raised')
    """
    code, out, err = run(driver("ptyx", body))
    assert code == 0, err
    assert out == b"raised\n", out


def test_an_exception_from_stdin_read_ends_the_session_and_is_raised():
    body = """
        import os
        def stdin_read(fd):
            raise OSError(5, 'any OSError from stdin_read is raised, EIO included')
        try:
            pty.spawn(['sh', '-c', 'exec sleep 60'], stdin_read=stdin_read)
        except OSError as e:
            print(type(e).__name__, e.errno, e.strerror)
    """
    code, out, err = run(driver("ptyx", body), input=b"typed\n")
    assert code == 0, err
    assert out == b"OSError 5 any OSError from stdin_read is raised, EIO included\n", out


@BOTH_MODULES
def test_stdin_read_supplies_the_input_and_empty_bytes_ends_it(module):
    body = """
        import os
        lines = [b'first\\n', b'second\\n']
        def stdin_read(fd):
            os.read(fd, 1024)
            return lines.pop(0) if lines else b''
        status = pty.spawn(['sh', '-c', 'stty -echo; read a; read b; echo "got $a $b"'], stdin_read=stdin_read)
        print(status)
    """
    # Input arrives in three writes, each one read; the third read gets the end of the pipe.
    proc = subprocess.Popen(driver(module, body), stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    out, _ = proc.communicate(b"x", timeout=LONG)
    assert out.endswith(b"got first second\r\n0\n"), out


def test_stdin_read_blocking_io_error_means_nothing_now():
    body = """
        import os
        calls = 0
        def stdin_read(fd):
            global calls
            calls += 1
            if calls == 1:
                raise BlockingIOError
            return os.read(fd, 1024)
        status = pty.spawn(['sh', '-c', 'stty -echo; read a; echo "got $a"'], stdin_read=stdin_read)
        print(status, calls >= 2)
    """
    code, out, err = run(driver("ptyx", body), input=b"line\n")
    assert code == 0, err
    assert out.endswith(b"got line\r\n0 True\n"), out


def test_a_callback_returning_more_than_the_buffer_loses_nothing():
    # Each call returns 300 times what it read: up to 300 KiB, more than the relay's 64 KiB.
    body = """
        import os, sys
        reads = []
        def read(fd):
            data = os.read(fd, 1024)
            reads.append(data)
            return data * 300
        status = pty.spawn(['sh', '-c', 'head -c 20000 /dev/zero | tr "\\\\000" z; echo end'], read)
        sys.stdout.flush()
        os.write(2, repr((status, reads)).encode())
    """
    code, out, err = run(driver("ptyx", body))
    assert code == 0, err
    status, reads = ast.literal_eval(err.decode())
    assert status == 0
    assert b"".join(reads) == b"z" * 20000 + b"end\r\n"
    assert out == b"".join(r * 300 for r in reads)


def test_any_bytes_like_value_is_taken_and_anything_else_raises_type_error():
    body = """
        import array, os
        kinds = [bytearray, memoryview, lambda b: array.array('B', b)]
        def read(fd):
            data = os.read(fd, 1024)
            return kinds.pop(0)(data) if kinds and data else data
        status = pty.spawn(['sh', '-c', 'echo one; read x; echo two; read x; echo three; read y'], read)
        print('status', status)
        try:
            pty.spawn(['echo', 'x'], lambda fd: os.read(fd, 1024).decode())
        except TypeError as e:
            print('TypeError')
    """
    code, out, err = run(driver("ptyx", body), input=b"\n\n\n")
    assert code == 0, err
    assert b"one\r\n" in out and b"two\r\n" in out and b"three\r\n" in out
    assert out.endswith(b"status 0\nTypeError\n"), out


def test_the_gil_is_released_while_the_relay_waits(tmp_path):
    # The program waits for a line that only another Python thread writes: with the GIL held
    # by spawn, that thread would never run.
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    body = """
        import sys, threading
        def writer():
            with open(sys.argv[1], 'w') as f:
                f.write('from the thread\\n')
        threading.Thread(target=writer).start()
        status = pty.spawn(['sh', '-c', 'read line < "$1"; echo "$line"', 'sh', sys.argv[1]])
        print(status)
    """
    code, out, err = run(driver("ptyx", body) + [str(fifo)])
    assert code == 0, err
    assert out == b"from the thread\r\n0\n", out


def test_callbacks_run_with_the_gil_held_and_their_tracebacks_are_kept():
    body = """
        import os, threading, traceback
        def read(fd):
            assert threading.current_thread() is threading.main_thread()
            os.read(fd, 1024)
            raise LookupError('from read')
        try:
            pty.spawn(['echo', 'x'], read)
        except LookupError:
            print(traceback.format_exc().count('in read'))
    """
    code, out, err = run(driver("ptyx", body))
    assert code == 0, err
    assert out == b"1\n", out


def test_spawn_from_a_thread_while_the_main_thread_runs_python(tmp_path):
    # The program waits for a line that the main thread writes while spawn runs in another one.
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    body = """
        import sys, threading
        result = []
        argv = ['sh', '-c', 'read line < "$1"; [ "$line" = main ] && exit 5', 'sh', sys.argv[1]]
        t = threading.Thread(target=lambda: result.append(pty.spawn(argv)))
        t.start()
        with open(sys.argv[1], 'w') as f:
            f.write('main\\n')
        t.join()
        print(result[0] >> 8)
    """
    code, out, err = run(driver("ptyx", body) + [str(fifo)])
    assert code == 0, err
    assert out == b"5\n", out


@pytest.mark.parametrize("callback", ["master_read", "stdin_read"])
def test_a_failing_callback_leaves_no_process_behind(callback, tmp_path):
    fifo = tmp_path / "pid"
    os.mkfifo(fifo)
    body = """
        import sys
        def read(fd):
            raise RuntimeError('failed')
        try:
            pty.spawn(['sh', '-c', 'echo $$ > "$1"; echo ready; exec sleep 60', 'sh', sys.argv[2]],
                      **{sys.argv[1]: read})
        except RuntimeError:
            print('raised')
    """
    with started(driver("ptyx", body) + [callback, str(fifo)], stdin=subprocess.PIPE, stdout=subprocess.PIPE) as proc:
        with open(fifo, "rb") as f:
            pid = int(f.read())
        if callback == "stdin_read":
            proc.stdin.write(b"typed\n")  # what makes stdin_read be called
        proc.stdin.close()  # (master_read fails at "ready": the spawning process may be gone)
        out = proc.stdout.read()
        assert proc.wait(timeout=LONG) == 0
    assert out.endswith(b"raised\n"), out
    assert not process_exists(pid)  # killed and reaped
