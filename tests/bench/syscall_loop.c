// SPDX-License-Identifier: GPL-2.0
/*
 * A tight system-call loop for tests/bench/overhead.sh.
 *
 *   syscall_loop getpid|pipe|pingpong ITERATIONS [ROUNDS [WARMUP]]
 *
 * getpid:   syscall(SYS_getpid), so that no libc cache can elide the call.
 * pipe:     write 4 KiB into a pipe and read it back (two system calls).
 * pingpong: one byte back and forth between this process and a child over
 *           two pipes; on one CPU every read blocks and switches to the
 *           other process, so each call comes from another task than the
 *           call before it (four system calls per round trip).
 *
 * Runs WARMUP untimed iterations (default ITERATIONS / 10), then ROUNDS
 * (default 1) timed rounds of ITERATIONS each, and prints one line per round:
 *
 *   <workload> <round> <nanoseconds per system call>
 *
 * Under QEMU's -icount shift=0 guest time advances one nanosecond per
 * executed instruction, so the figure counts instructions per system call and
 * repeats exactly from run to run. Build: gcc -static -O2.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define PIPE_CHUNK 4096

static char buf[PIPE_CHUNK];
static int pfd[2], back[2];

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

static void die(const char *what)
{
	fprintf(stderr, "syscall_loop: %s: %s\n", what, strerror(errno));
	exit(1);
}

/* Returns the number of system calls made. */
static unsigned long run_getpid(unsigned long n)
{
	unsigned long i;

	for (i = 0; i < n; i++)
		syscall(SYS_getpid);
	return n;
}

static unsigned long run_pipe(unsigned long n)
{
	unsigned long i;

	for (i = 0; i < n; i++) {
		if (write(pfd[1], buf, PIPE_CHUNK) != PIPE_CHUNK)
			die("write");
		if (read(pfd[0], buf, PIPE_CHUNK) != PIPE_CHUNK)
			die("read");
	}
	return 2 * n;
}

/* The parent's half of the round trips; the child echoes until EOF. */
static unsigned long run_pingpong(unsigned long n)
{
	unsigned long i;

	for (i = 0; i < n; i++) {
		if (write(pfd[1], buf, 1) != 1)
			die("write");
		if (read(back[0], buf, 1) != 1)
			die("read");
	}
	return 4 * n;
}

static void start_echo(void)
{
	pid_t pid;

	if (pipe(pfd) || pipe(back))
		die("pipe");
	pid = fork();
	if (pid < 0)
		die("fork");
	if (pid == 0) {
		close(pfd[1]);
		close(back[0]);
		while (read(pfd[0], buf, 1) == 1)
			if (write(back[1], buf, 1) != 1)
				die("write");
		_exit(0);
	}
	close(pfd[0]);
	close(back[1]);
}

int main(int argc, char **argv)
{
	unsigned long (*run)(unsigned long);
	unsigned long iters, warmup, calls;
	int rounds = 1, r;
	uint64_t t0, t1;

	if (argc < 3) {
		fprintf(stderr,
			"usage: syscall_loop getpid|pipe|pingpong ITERATIONS [ROUNDS [WARMUP]]\n");
		return 2;
	}
	if (!strcmp(argv[1], "getpid")) {
		run = run_getpid;
	} else if (!strcmp(argv[1], "pipe")) {
		run = run_pipe;
		if (pipe(pfd))
			die("pipe");
		memset(buf, 'x', sizeof(buf));
	} else if (!strcmp(argv[1], "pingpong")) {
		run = run_pingpong;
		start_echo();
	} else {
		fprintf(stderr, "syscall_loop: unknown workload '%s'\n", argv[1]);
		return 2;
	}
	iters = strtoul(argv[2], NULL, 0);
	if (argc > 3)
		rounds = atoi(argv[3]);
	warmup = argc > 4 ? strtoul(argv[4], NULL, 0) : iters / 10;
	if (!iters || rounds < 1) {
		fprintf(stderr, "syscall_loop: ITERATIONS and ROUNDS must be positive\n");
		return 2;
	}

	run(warmup);
	for (r = 1; r <= rounds; r++) {
		t0 = now_ns();
		calls = run(iters);
		t1 = now_ns();
		printf("%s %d %.1f\n", argv[1], r, (double)(t1 - t0) / calls);
		fflush(stdout);
	}
	return 0;
}
