"""Python's pty module, implemented on ptyx's Rust core: ``import ptyx as pty``."""

import os
import sys
from collections.abc import Callable, Iterable
from typing import Final, Optional, Tuple, Union

__all__ = ["openpty", "fork", "spawn"]

STDIN_FILENO: Final = 0
STDOUT_FILENO: Final = 1
STDERR_FILENO: Final = 2
CHILD: Final = 0

_Reader = Callable[[int], bytes]
_Arg = Union[str, bytes, "os.PathLike[str]", "os.PathLike[bytes]"]

def openpty() -> Tuple[int, int]:
    """openpty() -> (master_fd, slave_fd): a new pseudo-terminal pair, both non-inheritable."""

def fork() -> Tuple[int, int]:
    """fork() -> (pid, fd): fork onto a new pseudo-terminal; the child gets (0, -1)."""

def spawn(
    argv: Union[str, Iterable[_Arg]],
    master_read: Optional[_Reader] = None,
    stdin_read: Optional[_Reader] = None,
) -> int:
    """Run argv on a new pseudo-terminal between stdin and stdout; return its wait status."""

if sys.version_info < (3, 14):
    def master_open() -> Tuple[int, str]:
        """Deprecated (a DeprecationWarning from 3.12, as pty's); use openpty()."""
    def slave_open(tty_name: str) -> int:
        """Deprecated (a DeprecationWarning from 3.12, as pty's); use openpty()."""
