// SPDX-License-Identifier: GPL-2.0
/* Minimal driver of the offline commands for tests: PROG learn|eval ... */
#include <stdio.h>
#include <string.h>

#include "offline.h"

int main(int argc, char **argv)
{
	if (argc >= 2 && !strcmp(argv[1], "learn"))
		return cmd_learn(argc - 1, argv + 1);
	if (argc >= 2 && !strcmp(argv[1], "eval"))
		return cmd_eval(argc - 1, argv + 1);
	fprintf(stderr, "usage: %s learn|eval ...\n", argv[0]);
	return 2;
}
