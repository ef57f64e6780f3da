"""Python's pty module, implemented on ptyx's Rust core: ``import ptyx as pty``.

The same functions and constants as pty, with the same signatures and return
values: openpty(), fork(), spawn(argv, master_read=None, stdin_read=None),
STDIN_FILENO, STDOUT_FILENO, STDERR_FILENO and CHILD. Unlike pty.spawn,
spawn() lets the end of stdin reach the program, loses none of its output, gives
it stdin's window size and follows resizes, passes it no inherited file
descriptors, forwards SIGINT/SIGTERM/SIGHUP/SIGQUIT to it, and raises OSError in
the caller for a program that cannot be started. See help(ptyx.spawn).
"""

from ._ptyx import CHILD, STDERR_FILENO, STDIN_FILENO, STDOUT_FILENO, fork, openpty, spawn

__all__ = ["openpty", "fork", "spawn"]
