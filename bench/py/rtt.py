"""rtt.py N CMD [ARG...]: one-byte round trips through a pty made by pty.fork.

CMD is the echo program; waits for its 'R', then N times writes one byte to the
master and reads it back. Prints "elapsed_ns=T iters=N".
"""
import os
import pty
import sys
import time


def read_one(fd, want):
    got = os.read(fd, 1)
    if got != want:
        sys.exit("rtt.py: got %r, want %r" % (got, want))


def main():
    n, argv = int(sys.argv[1]), sys.argv[2:]
    pid, fd = pty.fork()
    if pid == 0:
        try:
            os.execvp(argv[0], argv)
        finally:
            os._exit(127)
    read_one(fd, b"R")
    start = time.monotonic_ns()
    for _ in range(n):
        os.write(fd, b"a")
        read_one(fd, b"a")
    elapsed = time.monotonic_ns() - start
    os.write(fd, b"q")
    os.waitpid(pid, 0)
    print("elapsed_ns=%d iters=%d" % (elapsed, n))


if __name__ == "__main__":
    main()
