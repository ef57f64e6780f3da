/*
 * reader CMD [ARG...]: the C throughput baseline. openpty + fork + exec CMD on
 * the slave as its controlling terminal, then read the master in 64 KiB reads
 * and discard the data until EOF/EIO; reap the child. Prints "bytes=N".
 */
#include "common.h"
#include <pty.h>
#include <sys/ioctl.h>
#include <sys/wait.h>

#define CHUNK (64 * 1024)

int main(int argc, char **argv)
{
	static char buf[CHUNK];
	int master, slave, status;
	long long total = 0;
	pid_t pid;

	if (argc < 2) {
		fprintf(stderr, "usage: reader CMD [ARG...]\n");
		return 2;
	}
	if (openpty(&master, &slave, NULL, NULL, NULL) != 0)
		die("openpty");
	pid = fork();
	if (pid < 0)
		die("fork");
	if (pid == 0) {
		close(master);
		setsid();
		if (ioctl(slave, TIOCSCTTY, 0) != 0)
			die("TIOCSCTTY");
		dup2(slave, 0);
		dup2(slave, 1);
		dup2(slave, 2);
		if (slave > 2)
			close(slave);
		execvp(argv[1], argv + 1);
		die("exec");
	}
	close(slave);
	for (;;) {
		ssize_t n = read(master, buf, sizeof buf);
		if (n > 0) {
			total += n;
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno != EIO)
			die("read");
		break; /* EOF, or EIO once the slave side is gone */
	}
	if (waitpid(pid, &status, 0) < 0)
		die("waitpid");
	close(master);
	printf("bytes=%lld\n", total);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}
