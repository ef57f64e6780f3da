/*
 * writer N [MARKER]: write exactly N bytes of the benchmark pattern to stdout in
 * 64 KiB writes, then MARKER if given. The pattern (see PATTERN) has no newline
 * and no byte the tty output processing rewrites, so what the parent reads must
 * equal what was written.
 */
#include "common.h"

#define PATTERN "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ+/"
#define CHUNK (64 * 1024)

int main(int argc, char **argv)
{
	static char buf[CHUNK];
	const size_t plen = sizeof(PATTERN) - 1;
	long long left;

	if (argc != 2 && argc != 3) {
		fprintf(stderr, "usage: writer N [MARKER]\n");
		return 2;
	}
	left = atoll(argv[1]);
	/* CHUNK is a multiple of the 64-byte pattern, so every chunk starts in phase. */
	for (size_t i = 0; i < CHUNK; i++)
		buf[i] = PATTERN[i % plen];
	while (left > 0) {
		size_t n = left < CHUNK ? (size_t)left : CHUNK;
		write_all(1, buf, n);
		left -= (long long)n;
	}
	if (argc == 3)
		write_all(1, argv[2], strlen(argv[2]));
	return 0;
}
