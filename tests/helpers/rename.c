// SPDX-License-Identifier: GPL-2.0
/*
 * A program that names itself, as busybox's applets do when its shell runs
 * them without exec (fork, prctl(PR_SET_NAME), the applet's main): renames
 * itself NAME, then makes the same calls whatever the name (28-program-name).
 * usage: sa-rename NAME
 */
#include <fcntl.h>
#include <stdio.h>
#include <sys/prctl.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	char buf[256];
	int i, fd;

	if (argc != 2) {
		fprintf(stderr, "usage: sa-rename NAME\n");
		return 2;
	}
	if (prctl(PR_SET_NAME, argv[1], 0, 0, 0)) {
		perror("prctl");
		return 1;
	}
	for (i = 0; i < 3; i++) {
		fd = open("/proc/self/stat", O_RDONLY);
		if (fd < 0 || read(fd, buf, sizeof(buf)) <= 0) {
			perror("/proc/self/stat");
			return 1;
		}
		close(fd);
		getppid();
	}
	return 0;
}
