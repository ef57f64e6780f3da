"""CPython's own Lib/test/test_pty.py, run with ``pty`` replaced by ``ptyx``.

The file is the one of the Python that runs the tests (its ``test`` package: pyenv
and python.org builds ship it; for Debian's python3 it is libpython3.X-testsuite,
which .ci/run installs), not a copy. It runs in a process of its own in which
``sys.modules['pty']`` is ptyx before test_pty imports it.

Run: PtyTest, the public-API tests (test_openpty, test_fork, test_master_read,
test_spawn_doesnt_hang). Left out: SmallPtyTests (test__copy_to_each,
test__restore_tty_mode_normal_return), which replace pty's private helpers
(pty._copy, pty.select, pty.fork, pty.waitpid, pty.tcsetattr...) with mocks and
so test pty's Python implementation, not its interface; ptyx has no such
helpers (its copy loop is Rust).
"""

import re
import subprocess
import sys

from conftest import LONG, PYTHON

RUNNER = r"""
import sys, unittest
import ptyx
sys.modules['pty'] = ptyx
import test.support
test.support.verbose = 0  # test_pty's debug prints off, as under regrtest
from test import test_pty
assert test_pty.pty is ptyx, test_pty.pty
print('file', test_pty.__file__, flush=True)
loader = unittest.TestLoader()
suite = loader.loadTestsFromTestCase(test_pty.PtyTest)
print('names', ' '.join(sorted(loader.getTestCaseNames(test_pty.PtyTest))), flush=True)
class Result(unittest.TextTestResult):
    def addSuccess(self, test):
        super().addSuccess(test)
        print('passed', test._testMethodName, flush=True)
result = unittest.TextTestRunner(stream=sys.stdout, verbosity=2, resultclass=Result).run(suite)
test_pty.tearDownModule()
print('ran', result.testsRun, 'failures', len(result.failures), 'errors', len(result.errors),
      'skipped', len(result.skipped), 'unexpected', len(result.unexpectedSuccesses))
sys.exit(not result.wasSuccessful())
"""

# PtyTest's tests in each Python's test_pty (3.9 tests master_open/slave_open in test_basic;
# later 3.10 releases and 3.11 replaced it by test_openpty and added the others).
PUBLIC_API_TESTS = {
    (3, 9): ["test_basic", "test_fork"],
}.get(sys.version_info[:2], ["test_fork", "test_master_read", "test_openpty", "test_spawn_doesnt_hang"])


def test_cpython_test_pty_public_api_tests_pass_with_ptyx():
    proc = subprocess.run(
        [PYTHON, "-c", RUNNER], stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=LONG
    )
    out = proc.stdout.decode(errors="replace")
    assert proc.returncode == 0, out
    assert re.search(r"^file .*/test/test_pty\.py$", out, re.M), out
    ran = sorted(re.findall(r"^passed (test_\w+)$", out, re.M))
    # Every test of PtyTest passed, none skipped: the ones this Python has, which are those expected.
    assert re.search(r"^names (.*)$", out, re.M).group(1).split() == ran == PUBLIC_API_TESTS, out
    assert "ran %d failures 0 errors 0 skipped 0 unexpected 0" % len(ran) in out, out
