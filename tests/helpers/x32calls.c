// SPDX-License-Identifier: GPL-2.0
/*
 * System calls through the x32 ABI from a native program (27-x32): the
 * number with __X32_SYSCALL_BIT, by the syscall instruction. Debian's
 * kernels have x32 off at run time, so the calls fail with ENOSYS, but the
 * sys_enter tracepoint sees each one first. Calls that the scenarios'
 * native loops never make: getppid, sched_yield, and x32's own
 * rt_sigaction (512), which is the native rt_sigaction.
 * usage: sa-x32calls [ROUNDS]
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef __X32_SYSCALL_BIT
#define __X32_SYSCALL_BIT 0x40000000
#endif
#define X32_RT_SIGACTION 512

int main(int argc, char **argv)
{
	int rounds = argc > 1 ? atoi(argv[1]) : 20;
	long r[3] = { 0 };
	int i;

	for (i = 0; i < rounds; i++) {
		r[0] = syscall(__X32_SYSCALL_BIT | SYS_getppid);
		r[1] = syscall(__X32_SYSCALL_BIT | SYS_sched_yield);
		/* Query only: no handler is set, so no pointer size matters. */
		r[2] = syscall(__X32_SYSCALL_BIT | X32_RT_SIGACTION, SIGUSR1,
			       NULL, NULL, 8);
	}
	printf("x32calls: %d rounds, last results %ld %ld %ld (%s)\n", rounds,
	       r[0], r[1], r[2], r[0] < 0 && errno == ENOSYS ?
	       "x32 is off: ENOSYS" : "x32 is on");
	return 0;
}
