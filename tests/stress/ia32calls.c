// SPDX-License-Identifier: GPL-2.0
/*
 * A 32-bit (i386) test program for the guests: makes system calls that the
 * native workloads of the scenarios never make, through the ia32 entry
 * (static glibc: __kernel_vsyscall), then exits. Built with gcc -m32
 * -static by build-ia32calls.sh. usage: ia32calls [ROUNDS]
 */
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	int rounds = argc > 1 ? atoi(argv[1]) : 20;
	struct utsname u;
	char cwd[256];
	struct stat st;
	int i, fd;

#ifndef __i386__
#error "build with gcc -m32"
#endif
	for (i = 0; i < rounds; i++) {
		if (uname(&u) || !getcwd(cwd, sizeof(cwd)))
			return 1;
		sched_yield();
		fd = open("/proc/self/stat", O_RDONLY);
		if (fd < 0 || fstat(fd, &st))
			return 1;
		close(fd);
		getppid();
	}
	printf("ia32calls: %d rounds as %s (%s)\n", rounds, u.machine, cwd);
	return 0;
}
