/*
 * measure RESULT CMD [ARG...]: run CMD (posix_spawnp, same stdin/stdout/
 * stderr), reap it with wait4, and write "wall_ns=T maxrss_kib=K" to the file
 * RESULT; exit with CMD's exit status.
 *
 * Why a wrapper: Linux folds the high-water RSS of the address space a
 * process had before execve into its ru_maxrss. A process spawned straight
 * from the (large) Rust driver would be charged the driver's RSS; spawned
 * from this small static program, it is charged at most this program's few
 * hundred KiB, below that of anything measured. ru_maxrss also covers the
 * children CMD reaped itself (the writer, for a recorder).
 */
#include "common.h"
#include <spawn.h>
#include <sys/resource.h>
#include <sys/wait.h>

extern char **environ;

int main(int argc, char **argv)
{
	struct rusage ru;
	long long start, wall;
	int status, err;
	pid_t pid;
	FILE *out;

	if (argc < 3) {
		fprintf(stderr, "usage: measure RESULT CMD [ARG...]\n");
		return 2;
	}
	start = now_ns();
	err = posix_spawnp(&pid, argv[2], NULL, NULL, argv + 2, environ);
	if (err != 0) {
		errno = err;
		die(argv[2]);
	}
	while (wait4(pid, &status, 0, &ru) < 0)
		if (errno != EINTR)
			die("wait4");
	wall = now_ns() - start;
	out = fopen(argv[1], "w");
	if (out == NULL)
		die(argv[1]);
	fprintf(out, "wall_ns=%lld maxrss_kib=%ld\n", wall, ru.ru_maxrss);
	fclose(out);
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	return 128 + WTERMSIG(status);
}
