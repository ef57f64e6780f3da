"""spawn.py N: spawn /bin/true on a fresh pty (pty.fork + os.execv) and reap it, N times.

Prints "elapsed_ns=T iters=N".
"""
import os
import pty
import sys
import time


def main():
    n = int(sys.argv[1])
    start = time.monotonic_ns()
    for _ in range(n):
        pid, fd = pty.fork()
        if pid == 0:
            try:
                os.execv("/bin/true", ["/bin/true"])
            finally:
                os._exit(127)
        _, status = os.waitpid(pid, 0)
        os.close(fd)
        if status != 0:
            sys.exit("child failed: status %d" % status)
    print("elapsed_ns=%d iters=%d" % (time.monotonic_ns() - start, n))


if __name__ == "__main__":
    main()
