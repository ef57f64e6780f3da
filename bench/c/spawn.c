/*
 * spawn MODE N: spawn /bin/true on a fresh pty and reap it, N times in a loop.
 *   fork        openpty + fork + setsid + TIOCSCTTY + dup2 + exec (the baseline)
 *   vfork       the same with vfork
 *   posix_spawn posix_openpt + posix_spawn with POSIX_SPAWN_SETSID, opening
 *               the slave as fd 0 (which makes it the controlling terminal)
 * Prints "elapsed_ns=T iters=N".
 */
#include "common.h"
#include <fcntl.h>
#include <pty.h>
#include <spawn.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/wait.h>

extern char **environ;

static char *const true_argv[] = { "/bin/true", NULL };

static void reap(pid_t pid)
{
	int status;
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			die("waitpid");
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		fprintf(stderr, "child failed: status %d\n", status);
		exit(1);
	}
}

static void child_setup(int master, int slave)
{
	close(master);
	setsid();
	ioctl(slave, TIOCSCTTY, 0);
	dup2(slave, 0);
	dup2(slave, 1);
	dup2(slave, 2);
	if (slave > 2)
		close(slave);
	execv(true_argv[0], true_argv);
	_exit(127);
}

static void one_fork(int use_vfork)
{
	int master, slave;
	pid_t pid;

	if (openpty(&master, &slave, NULL, NULL, NULL) != 0)
		die("openpty");
	pid = use_vfork ? vfork() : fork();
	if (pid < 0)
		die("fork");
	if (pid == 0)
		child_setup(master, slave);
	close(slave);
	reap(pid);
	close(master);
}

static void one_posix_spawn(void)
{
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	char name[128];
	int master, err;
	pid_t pid;

	master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (master < 0)
		die("posix_openpt");
	if (grantpt(master) != 0 || unlockpt(master) != 0)
		die("unlockpt");
	if (ptsname_r(master, name, sizeof name) != 0)
		die("ptsname_r");
	posix_spawnattr_init(&attr);
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSID);
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, name, O_RDWR, 0);
	posix_spawn_file_actions_adddup2(&fa, 0, 1);
	posix_spawn_file_actions_adddup2(&fa, 0, 2);
	err = posix_spawn(&pid, true_argv[0], &fa, &attr, true_argv, environ);
	if (err != 0) {
		errno = err;
		die("posix_spawn");
	}
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&attr);
	reap(pid);
	close(master);
}

int main(int argc, char **argv)
{
	long long start, n;
	int mode;

	if (argc != 3) {
		fprintf(stderr, "usage: spawn fork|vfork|posix_spawn N\n");
		return 2;
	}
	if (strcmp(argv[1], "fork") == 0)
		mode = 0;
	else if (strcmp(argv[1], "vfork") == 0)
		mode = 1;
	else if (strcmp(argv[1], "posix_spawn") == 0)
		mode = 2;
	else {
		fprintf(stderr, "unknown mode %s\n", argv[1]);
		return 2;
	}
	n = atoll(argv[2]);
	start = now_ns();
	for (long long i = 0; i < n; i++) {
		if (mode == 2)
			one_posix_spawn();
		else
			one_fork(mode);
	}
	printf("elapsed_ns=%lld iters=%lld\n", now_ns() - start, n);
	return 0;
}
