/*
 * echo: put the terminal on stdin in raw mode, announce readiness with 'R',
 * then copy every byte from stdin back to stdout one at a time until 'q' or EOF.
 * The child half of the one-byte round-trip benchmark.
 */
#include "common.h"
#include <termios.h>

int main(void)
{
	struct termios t;
	char c;

	if (tcgetattr(0, &t) == 0) {
		cfmakeraw(&t);
		if (tcsetattr(0, TCSANOW, &t) != 0)
			die("tcsetattr");
	}
	write_all(1, "R", 1);
	for (;;) {
		ssize_t n = read(0, &c, 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0 || c == 'q')
			return 0;
		write_all(1, &c, 1);
	}
}
