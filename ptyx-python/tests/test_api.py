"""ptyx has pty's names, signatures and return values, its docstrings and stubs:
``import ptyx as pty`` runs code written for pty."""

import ast
import inspect
import os
import pathlib
import pty
import pydoc
import subprocess
import sys
import warnings

import pytest

import ptyx
from conftest import BOTH_MODULES, driver, run, wait_readable


def test_the_public_names_and_constants_are_ptys():
    assert ptyx.__all__ == pty.__all__ == ["openpty", "fork", "spawn"]
    for name in ["STDIN_FILENO", "STDOUT_FILENO", "STDERR_FILENO", "CHILD"]:
        assert getattr(ptyx, name) == getattr(pty, name), name
        assert type(getattr(ptyx, name)) is int


def test_the_signatures_are_ptys():
    assert str(inspect.signature(ptyx.openpty)) == "()"
    assert str(inspect.signature(ptyx.fork)) == "()"
    assert str(inspect.signature(ptyx.spawn)) == "(argv, master_read=None, stdin_read=None)"
    # pty's defaults are its private _read; passing them by keyword works in both.
    assert list(inspect.signature(pty.spawn).parameters) == list(inspect.signature(ptyx.spawn).parameters)


def test_help_shows_the_signatures_and_the_differences_from_pty():
    text = " ".join(pydoc.render_doc(ptyx.spawn, renderer=pydoc.plaintext).split())
    assert "spawn(argv, master_read=None, stdin_read=None)" in text
    for phrase in ["wait status", "BlockingIOError", "SIGWINCH", "FileNotFoundError", "GIL", "end of file"]:
        assert phrase in text, phrase
    assert "openpty()" in pydoc.render_doc(ptyx.openpty, renderer=pydoc.plaintext)
    assert "fork()" in pydoc.render_doc(ptyx.fork, renderer=pydoc.plaintext)
    assert "import ptyx as pty" in ptyx.__doc__


def test_the_package_ships_type_stubs_that_match_the_module():
    package = pathlib.Path(ptyx.__file__).parent
    assert (package / "py.typed").is_file()
    stubs = ast.parse((package / "__init__.pyi").read_text())
    functions = {node.name: node for node in stubs.body if isinstance(node, ast.FunctionDef)}
    assert set(functions) == {"openpty", "fork", "spawn"}
    for name, node in functions.items():
        stub_params = [a.arg for a in node.args.args]
        assert stub_params == list(inspect.signature(getattr(ptyx, name)).parameters), name
    constants = {node.target.id for node in stubs.body if isinstance(node, ast.AnnAssign)}
    assert constants == {"STDIN_FILENO", "STDOUT_FILENO", "STDERR_FILENO", "CHILD"}


def test_openpty_returns_two_non_inheritable_descriptors_of_one_terminal():
    master, slave = ptyx.openpty()
    try:
        assert isinstance(master, int) and isinstance(slave, int)
        assert not os.get_inheritable(master) and not os.get_inheritable(slave)
        assert os.isatty(slave) and os.ttyname(slave).startswith("/dev/pts/")
        os.write(slave, b"line\n")
        seen = b""
        while not seen.endswith(b"\n"):  # one read may return part of it
            wait_readable(master)
            seen += os.read(master, 100)
        assert seen == b"line\r\n"
    finally:
        os.close(master)
        os.close(slave)


@pytest.mark.skipif(not hasattr(pty, "master_open"), reason="this Python's pty has no master_open")
def test_master_open_and_slave_open_are_ptys_deprecated_pair():
    for name in ["master_open", "slave_open"]:
        assert str(inspect.signature(getattr(ptyx, name))) == str(inspect.signature(getattr(pty, name))), name
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        master, slave_name = ptyx.master_open()
        try:
            assert slave_name.startswith("/dev/pts/")
            assert not os.get_inheritable(master)
            slave = ptyx.slave_open(slave_name)
            try:
                assert os.ttyname(slave) == slave_name
                os.write(slave, b"ok\n")
                seen = b""
                while not seen.endswith(b"\n"):
                    wait_readable(master)
                    seen += os.read(master, 100)
                assert seen == b"ok\r\n"
            finally:
                os.close(slave)
        finally:
            os.close(master)
    deprecations = [w for w in caught if issubclass(w.category, DeprecationWarning)]
    if sys.version_info >= (3, 12):
        assert [str(w.message) for w in deprecations] == ["Use pty.openpty() instead."] * 2
        assert all(w.filename == __file__ for w in deprecations), [w.filename for w in deprecations]
    else:
        assert deprecations == []


def test_openpty_takes_no_arguments_as_ptys():
    with pytest.raises(TypeError):
        ptyx.openpty(None)


@BOTH_MODULES
def test_spawn_returns_the_wait_status(module):
    body = """
        import os, signal
        print(pty.spawn(['sh', '-c', 'exit 3']) == 3 << 8)
        print(pty.spawn(['sh', '-c', 'kill -TERM $$']) == signal.SIGTERM)
        print(os.waitstatus_to_exitcode(pty.spawn('true')) == 0)
    """
    code, out, err = run(driver(module, body))
    assert code == 0, err
    assert out == b"True\nTrue\nTrue\n", out


@BOTH_MODULES
def test_argv_is_a_string_or_any_sequence_of_str_bytes_and_paths(module, tmp_path):
    body = """
        import pathlib, sys
        pty.spawn(['printf', '%s|', 'str', b'bytes', pathlib.Path('a/path')])
        pty.spawn(('printf', '%s|', 'tuple'))
        pty.spawn([pathlib.Path('/usr/bin/printf'), 'path program|'])
        pty.spawn('pwd')
    """
    code, out, err = run(driver(module, body), cwd=tmp_path)
    assert code == 0, err
    assert out == b"str|bytes|a/path|tuple|path program|" + str(tmp_path).encode() + b"\r\n", out


def test_bad_argv_raises_as_python_does():
    for argv, error in [
        ([], ValueError),
        ([1, 2], TypeError),
        (42, TypeError),
        (["echo", "nul\0byte"], ValueError),
    ]:
        with pytest.raises(error):
            ptyx.spawn(argv)


@BOTH_MODULES
def test_spawn_raises_the_pty_spawn_audit_event(module):
    body = """
        import sys
        seen = []
        sys.addaudithook(lambda event, args: seen.append(args) if event == 'pty.spawn' else None)
        pty.spawn('true')
        pty.spawn(['true', 'x'])
        print(seen)
    """
    code, out, err = run(driver(module, body))
    assert code == 0, err
    assert out == b"[(('true',),), (['true', 'x'],)]\n", out


def test_the_environment_and_directory_are_this_processs(tmp_path):
    body = """
        import os
        os.environ['PTYX_TEST'] = 'from os.environ'
        os.environ['PATH'] = os.getcwd() + ':' + os.environ['PATH']
        pty.spawn(['sh', '-c', 'echo "$PTYX_TEST $(pwd)"; mine'])
    """
    mine = tmp_path / "mine"
    mine.write_text("#!/bin/sh\necho found on PATH\n")
    mine.chmod(0o755)
    code, out, err = run(driver("ptyx", body), cwd=tmp_path)
    assert code == 0, err
    assert out == b"from os.environ %s\r\nfound on PATH\r\n" % str(tmp_path).encode(), out


FORK_CHILD = """
    import os, random, sys, threading
    events = []
    os.register_at_fork(
        before=lambda: events.append('before'),
        after_in_parent=lambda: events.append('after_in_parent'),
        after_in_child=lambda: events.append('after_in_child'),
    )
    started = threading.Event()
    release = threading.Event()
    def worker():
        started.set()
        release.wait()
    thread = threading.Thread(target=worker)
    thread.start()
    started.wait()
    pid, fd = pty.fork()
    if pid == pty.CHILD:
        tty_ok = os.isatty(0) and os.isatty(1) and os.isatty(2) and os.ttyname(0) == os.ttyname(1)
        with open('/dev/tty', 'rb'):  # the pty is the controlling terminal
            pass
        try:
            os.setsid()
            leader = False
        except OSError:
            leader = True  # already a session leader
        print('child', fd, events, tty_ok, leader, threading.active_count(),
              threading.current_thread() is threading.main_thread(), random.random(), sep='|', flush=True)
        os._exit(9)
    release.set()
    thread.join()
    output = b''
    while True:
        try:
            data = os.read(fd, 4096)
        except OSError:
            break
        if not data:
            break
        output += data
    _, status = os.waitpid(pid, 0)
    print(output.decode().strip())
    print('parent', pid > 0, os.get_inheritable(fd), events, os.waitstatus_to_exitcode(status), random.random(),
          sep='|')
"""


@BOTH_MODULES
def test_fork_runs_the_at_fork_handlers_and_gives_a_session_on_the_pty(module):
    code, out, err = run(driver(module, FORK_CHILD))
    assert code == 0, err
    child, parent = out.decode().splitlines()
    child = child.split("|")
    parent = parent.split("|")
    assert child[:7] == ["child", "-1", "['before', 'after_in_child']", "True", "True", "1", "True"], child
    assert parent[:2] + parent[3:5] == ["parent", "True", "['before', 'after_in_parent']", "9"], parent
    # The master is non-inheritable, as os.openpty makes descriptors (os.forkpty's is not).
    assert parent[2] == ("False" if module == "ptyx" else "True")
    # random is reseeded in the child, as after os.fork.
    assert child[7] != parent[5]


def test_a_failed_fork_releases_the_import_lock_and_runs_after_in_parent():
    body = """
        import os, resource
        events = []
        os.register_at_fork(before=lambda: events.append('before'),
                            after_in_parent=lambda: events.append('after_in_parent'))
        soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
        # No descriptor left for the pty.
        highest = max(int(fd) for fd in os.listdir('/proc/self/fd'))
        resource.setrlimit(resource.RLIMIT_NOFILE, (highest + 1, hard))
        fillers = []
        try:
            while True:
                fillers.append(os.open(os.devnull, os.O_RDONLY))
        except OSError:
            pass
        try:
            pty.fork()
        except OSError as e:
            error = (type(e).__name__, e.errno)
        for fd in fillers:
            os.close(fd)
        import json  # deadlocks if the import lock were still held
        print(error, events)
    """
    code, out, err = run(driver("ptyx", body), timeout=60)
    assert code == 0, err
    assert out == b"('OSError', 24) ['before', 'after_in_parent']\n", out


def test_the_package_is_one_abi3_wheel():
    # The stable ABI: one build for every CPython from 3.9 on.
    native = pathlib.Path(ptyx._ptyx.__file__).name
    assert native.endswith(".abi3.so"), native


def test_import_ptyx_in_a_fresh_interpreter():
    out = subprocess.run([os.sys.executable, "-c", "import ptyx; print(ptyx.spawn.__module__)"], capture_output=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout == b"ptyx._ptyx\n"


@pytest.mark.parametrize("closed", ["0", "1", "0 1", "0 1 2"])
def test_closed_standard_descriptors_read_as_dev_null(closed, tmp_path):
    # Closed, fd 0 or 1 would be taken by the relay's own descriptors; held on /dev/null while
    # spawn runs, a closed stdin is at end of file and a closed stdout discards the output.
    body = """
        import os, sys
        status = pty.spawn(['sh', '-c', 'echo prompt; cat > "$1"', 'sh', sys.argv[1]])
        closed = [fd for fd in (0, 1, 2) if not is_open(fd)]
        with open(sys.argv[2], 'w') as f:
            f.write('status %d closed after %s' % (status, closed))
    """
    body = "\n        import os\n        def is_open(fd):\n            try:\n                os.fstat(fd)\n            except OSError:\n                return False\n            return True" + body
    redirections = " ".join("%s>&-" % fd if fd != "0" else "<&-" for fd in closed.split())
    argv = driver("ptyx", body) + [str(tmp_path / "cat"), str(tmp_path / "result")]
    script = 'exec "$@" %s' % redirections
    code, out, err = run(["sh", "-c", script, "sh"] + argv, stdin=subprocess.PIPE)
    assert code == 0, err
    assert (tmp_path / "cat").read_text() == ""
    assert (tmp_path / "result").read_text() == "status 0 closed after %s" % [int(fd) for fd in closed.split()]
