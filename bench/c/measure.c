/*
 * measure RESULT TIMEOUT CMD [ARG...]: run CMD (posix_spawnp, same stdin/
 * stdout/stderr), reap it with wait4, and write "wall_ns=T maxrss_kib=K" to
 * the file RESULT; exit with CMD's exit status. After TIMEOUT seconds CMD is
 * killed (SIGKILL) and measure exits 124: a hung tool fails the run instead
 * of hanging it.
 *
 * Why a wrapper: Linux folds the high-water RSS of the address space a
 * process had before execve into its ru_maxrss. A process spawned straight
 * from the (large) Rust driver would be charged the driver's RSS; spawned
 * from this small static program, it is charged at most this program's few
 * hundred KiB, below that of anything measured. ru_maxrss also covers the
 * children CMD reaped itself (the writer, for a recorder).
 */
#include "common.h"
#include <signal.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/wait.h>

extern char **environ;

static volatile sig_atomic_t timed_out;

static void on_alarm(int sig)
{
	(void)sig;
	timed_out = 1;
}

int main(int argc, char **argv)
{
	struct sigaction sa;
	struct rusage ru;
	long long start, wall;
	int status, err;
	pid_t pid;
	FILE *out;

	if (argc < 4) {
		fprintf(stderr, "usage: measure RESULT TIMEOUT CMD [ARG...]\n");
		return 2;
	}
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_alarm; /* no SA_RESTART: wait4 returns EINTR */
	sigaction(SIGALRM, &sa, NULL);
	start = now_ns();
	err = posix_spawnp(&pid, argv[3], NULL, NULL, argv + 3, environ);
	if (err != 0) {
		errno = err;
		die(argv[3]);
	}
	alarm((unsigned)atoi(argv[2]));
	while (wait4(pid, &status, 0, &ru) < 0) {
		if (errno != EINTR)
			die("wait4");
		if (timed_out) {
			fprintf(stderr, "measure: %s still running after %s s: killed\n", argv[3], argv[2]);
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
			return 124;
		}
	}
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
