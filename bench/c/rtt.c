/*
 * rtt N CMD [ARG...]: one-byte round trips parent -> child -> parent. Spawns
 * CMD (the echo program) on a fresh pty with openpty + fork + exec, waits for
 * its 'R', then N times writes one byte to the master and reads it back.
 * Prints "elapsed_ns=T iters=N".
 */
#include "common.h"
#include <pty.h>
#include <sys/ioctl.h>
#include <sys/wait.h>

static void read_one(int fd, char want)
{
	char c;
	for (;;) {
		ssize_t n = read(fd, &c, 1);
		if (n == 1) {
			if (c != want) {
				fprintf(stderr, "rtt: got %d, want %d\n", c, want);
				exit(1);
			}
			return;
		}
		if (n < 0 && errno == EINTR)
			continue;
		fprintf(stderr, "rtt: unexpected EOF\n");
		exit(1);
	}
}

int main(int argc, char **argv)
{
	int master, slave, status;
	long long n, start, elapsed;
	pid_t pid;

	if (argc < 3) {
		fprintf(stderr, "usage: rtt N CMD [ARG...]\n");
		return 2;
	}
	n = atoll(argv[1]);
	if (openpty(&master, &slave, NULL, NULL, NULL) != 0)
		die("openpty");
	pid = fork();
	if (pid < 0)
		die("fork");
	if (pid == 0) {
		close(master);
		setsid();
		ioctl(slave, TIOCSCTTY, 0);
		dup2(slave, 0);
		dup2(slave, 1);
		dup2(slave, 2);
		if (slave > 2)
			close(slave);
		execvp(argv[2], argv + 2);
		_exit(127);
	}
	close(slave);
	read_one(master, 'R');
	start = now_ns();
	for (long long i = 0; i < n; i++) {
		write_all(master, "a", 1);
		read_one(master, 'a');
	}
	elapsed = now_ns() - start;
	write_all(master, "q", 1);
	waitpid(pid, &status, 0);
	printf("elapsed_ns=%lld iters=%lld\n", elapsed, n);
	return 0;
}
