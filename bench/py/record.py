"""record.py FILE CMD [ARG...]: Python's pty.spawn recording CMD's output to FILE.

The read callback is the one from the example in the documentation of the pty
module (https://docs.python.org/3/library/pty.html): os.read of 1024 bytes,
written to the typescript file. pty.spawn also copies the bytes to stdout.
"""
import os
import pty
import sys


def main():
    filename, argv = sys.argv[1], sys.argv[2:]
    with open(filename, "wb") as script:

        def read(fd):
            data = os.read(fd, 1024)
            script.write(data)
            return data

        status = pty.spawn(argv, read)
    sys.exit(os.waitstatus_to_exitcode(status))


if __name__ == "__main__":
    main()
