"""Python's pty module, implemented on ptyx's Rust core: ``import ptyx as pty``.

The same functions and constants as pty, with the same signatures and return
values: openpty(), fork(), spawn(argv, master_read=None, stdin_read=None),
STDIN_FILENO, STDOUT_FILENO, STDERR_FILENO and CHILD. Unlike pty.spawn,
spawn() lets the end of stdin reach the program, loses none of its output, gives
it stdin's window size and follows resizes, passes it no inherited file
descriptors, forwards SIGINT/SIGTERM/SIGHUP/SIGQUIT to it, and raises OSError in
the caller for a program that cannot be started. See help(ptyx.spawn).
"""

import os as _os
import sys as _sys

from ._ptyx import CHILD, STDERR_FILENO, STDIN_FILENO, STDOUT_FILENO, fork, openpty, spawn

__all__ = ["openpty", "fork", "spawn"]

# pty's two legacy functions, as long as the running Python's pty has them (they were deprecated in
# 3.12, with a warning, and removed in 3.14): code (and CPython's test_pty up to 3.11) still calls
# them. Linux has no STREAMS modules to push, so slave_open only opens the terminal.
if _sys.version_info < (3, 14):

    def _deprecated():
        if _sys.version_info >= (3, 12):
            import warnings

            warnings.warn("Use pty.openpty() instead.", DeprecationWarning, stacklevel=3)

    def master_open():
        """master_open() -> (master_fd, slave_name)
        Open a pty master and return the fd, and the filename of the slave end.
        Deprecated, use openpty() instead."""
        _deprecated()
        master_fd, slave_fd = openpty()
        try:
            slave_name = _os.ttyname(slave_fd)
        except BaseException:
            _os.close(master_fd)
            raise
        finally:
            _os.close(slave_fd)
        return master_fd, slave_name

    def slave_open(tty_name):
        """slave_open(tty_name) -> slave_fd
        Open the pty slave and acquire the controlling terminal, returning
        opened filedescriptor.
        Deprecated, use openpty() instead."""
        _deprecated()
        return _os.open(tty_name, _os.O_RDWR)
