"""The script(1) example of the pty documentation runs unchanged with
``import ptyx as pty``, driven on a real terminal: its messages, its typescript
file, -a (append) and -p (Python as the shell).

The example is taken from the documentation that the machine has installed
(Debian's python3.11-doc, which .ci/run installs; PTYX_PY_DOCS names another
pty.rst.txt), not copied here. Each case also runs with Python's own pty, as the
reference: the sessions end with ``exit``, where pty does not hang.
"""

import glob
import os
import re
import textwrap

import pytest

from conftest import BOTH_MODULES, PYTHON

ASCTIME = r"\w{3} \w{3} [ \d]\d \d\d:\d\d:\d\d \d{4}"


def docs_example():
    """The example program of Doc/library/pty.rst, as the documentation shows it."""
    paths = [os.environ["PTYX_PY_DOCS"]] if "PTYX_PY_DOCS" in os.environ else []
    paths += sorted(glob.glob("/usr/share/doc/python3*/html/_sources/library/pty.rst.txt"))
    if not paths:
        pytest.fail("the pty documentation is not installed (apt-get install python3.11-doc, or set PTYX_PY_DOCS)")
    with open(paths[0]) as f:
        rst = f.read()
    example = rst[rst.index("\nExample\n-------\n") :]
    # The literal block after the paragraph that ends with "::".
    block = example[example.index("::\n") + 3 :]
    lines = []
    for line in block.splitlines():
        if line and not line.startswith(" "):
            break
        lines.append(line)
    return textwrap.dedent("\n".join(lines)).strip() + "\n"


@pytest.fixture
def script(tmp_path):
    """The example, with its one ``import pty`` line made ``import ptyx as pty`` for ptyx."""

    def make(module):
        code = docs_example()
        assert code.count("\nimport pty\n") == 1, code
        if module == "ptyx":
            code = code.replace("\nimport pty\n", "\nimport ptyx as pty\n")
        path = tmp_path / ("script_%s.py" % module)
        path.write_text(code)
        return str(path)

    return make


def session(terminal, argv, cwd, lines, prompt=b"ptyx$ "):
    """Runs argv on a terminal, types each line at the prompt, returns the terminal output."""
    # PYTHON_BASIC_REPL: Python 3.13's new REPL redraws the line as it is typed (colours, cursor
    # moves); the basic one echoes it as the terminal does, as Python <= 3.12's.
    env = dict(os.environ, SHELL="/bin/sh", PS1="ptyx$ ", PYTHON_BASIC_REPL="1")
    t = terminal(argv, cwd=cwd, env=env)
    for line in lines:
        t.expect(prompt)
        t.output = b""
        t.write(line + b"\r")
    assert t.wait() == 0, t.output
    return t.output


def check_log(text):
    """The sessions of a typescript: (header, body, footer) for each."""
    sessions = re.findall(r"Script started on (%s)\n(.*?)Script done on (%s)\n" % (ASCTIME, ASCTIME), text, re.S)
    assert sessions, text
    assert text == "".join("Script started on %s\n%sScript done on %s\n" % s for s in sessions), text
    return [body for _, body, _ in sessions]


def test_the_example_is_the_documented_one():
    code = docs_example()
    assert code.startswith("import argparse\n")
    assert "pty.spawn(shell, read)" in code and "os.read(fd, 1024)" in code


@BOTH_MODULES
def test_default_file_and_messages(module, script, terminal, tmp_path):
    out = session(terminal, [PYTHON, script(module)], tmp_path, [b"echo hello", b"exit"])
    assert out.endswith(b"Script done, file is typescript\r\n"), out
    [body] = check_log((tmp_path / "typescript").read_bytes().decode())
    assert "echo hello\r\nhello\r\n" in body, body
    assert body.endswith("exit\r\n"), body


@BOTH_MODULES
def test_named_file_then_append(module, script, terminal, tmp_path):
    session(terminal, [PYTHON, script(module), "log"], tmp_path, [b"echo one", b"exit"])
    out = session(terminal, [PYTHON, script(module), "-a", "log"], tmp_path, [b"echo two", b"exit"])
    assert out.endswith(b"Script done, file is log\r\n"), out
    first, second = check_log((tmp_path / "log").read_bytes().decode())
    assert "one\r\n" in first and "two" not in first
    assert "two\r\n" in second
    assert not (tmp_path / "typescript").exists()
    # Without -a the file starts again.
    session(terminal, [PYTHON, script(module), "log"], tmp_path, [b"echo three", b"exit"])
    [only] = check_log((tmp_path / "log").read_bytes().decode())
    assert "three\r\n" in only


@BOTH_MODULES
def test_python_as_the_shell(module, script, terminal, tmp_path):
    out = session(terminal, [PYTHON, script(module), "-p"], tmp_path, [b"print(6 * 7)", b"exit()"], prompt=b">>> ")
    assert out.endswith(b"Script done, file is typescript\r\n"), out
    [body] = check_log((tmp_path / "typescript").read_bytes().decode())
    assert "print(6 * 7)\r\n42\r\n" in body, body


def test_the_messages_come_first_and_last_on_the_terminal(script, terminal, tmp_path):
    t = terminal([PYTHON, script("ptyx")], cwd=tmp_path, env=dict(os.environ, SHELL="/bin/sh", PS1="ptyx$ "))
    t.expect(b"ptyx$ ")
    assert t.output.startswith(b"Script started, file is typescript\r\n"), t.output
    t.write(b"exit\r")
    assert t.wait() == 0
    assert t.output.endswith(b"exit\r\nScript done, file is typescript\r\n"), t.output
