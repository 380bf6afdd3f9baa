// SPDX-License-Identifier: GPL-2.0
/*
 * Ways out of a container's system-call watch, for the guest scenarios.
 *
 *   sa-escape clone-into CGROUP_DIR   clone3(CLONE_INTO_CGROUP): a child
 *                                     born in CGROUP_DIR writes "child ran"
 *   sa-escape io-uring                io_uring_setup(8), prints its result
 *
 * Exit status 0 when the call succeeded, 1 when it failed, 2 on usage.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef SYS_clone3
#define SYS_clone3 435
#endif
#ifndef SYS_io_uring_setup
#define SYS_io_uring_setup 425
#endif

static int clone_into(const char *dir)
{
	struct clone_args args;
	int fd, status;
	long pid;

	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0) {
		perror(dir);
		return 1;
	}
	memset(&args, 0, sizeof(args));
	args.flags = CLONE_INTO_CGROUP;
	args.exit_signal = SIGCHLD;
	args.cgroup = (uint64_t)fd;
	pid = syscall(SYS_clone3, &args, sizeof(args));
	if (pid < 0) {
		perror("clone3");
		return 1;
	}
	if (pid == 0) {
		static const char msg[] = "child ran\n";

		if (write(1, msg, sizeof(msg) - 1) < 0)
			_exit(1);
		_exit(0);
	}
	if (waitpid(pid, &status, 0) < 0) {
		perror("waitpid");
		return 1;
	}
	printf("parent: child %ld %s %d\n", pid,
	       WIFSIGNALED(status) ? "killed by signal" : "exited",
	       WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status));
	return 0;
}

static int io_uring(void)
{
	/* struct io_uring_params: 120 bytes, zeroed. */
	uint32_t params[30] = { 0 };
	long fd = syscall(SYS_io_uring_setup, 8, params);

	if (fd < 0) {
		printf("io_uring_setup: %s\n", strerror(errno));
		return 1;
	}
	printf("io_uring_setup: fd %ld\n", fd);
	close(fd);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 3 && !strcmp(argv[1], "clone-into"))
		return clone_into(argv[2]);
	if (argc == 2 && !strcmp(argv[1], "io-uring"))
		return io_uring();
	fprintf(stderr, "usage: sa-escape clone-into CGROUP_DIR | io-uring\n");
	return 2;
}
