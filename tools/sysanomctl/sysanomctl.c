// SPDX-License-Identifier: GPL-2.0
/*
 * sysanomctl: drive the sysanom module, and learn or evaluate profiles
 * offline from recorded traces.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "commands.h"
#include "merge.h"
#include "offline.h"

#define SYSANOM_VERSION "0.1.0"

struct command {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *summary;
};

static const struct command commands[] = {
	{ "train", cmd_train, "start monitoring a container and learn it" },
	{ "calibrate", cmd_calibrate, "learn a trained container's thresholds" },
	{ "enforce", cmd_enforce, "detect anomalies of a trained container" },
	{ "set", cmd_set, "change a container's detector and response" },
	{ "status", cmd_status, "show the monitored containers" },
	{ "alerts", cmd_alerts, "print or follow the alerts (incidents)" },
	{ "allow", cmd_allow, "add a false alert's windows to the profile" },
	{ "save", cmd_save, "write a container's profile to a file" },
	{ "load", cmd_load, "enforce a profile from a file on a container" },
	{ "untrack", cmd_untrack, "stop monitoring a container" },
	{ "watch", cmd_watch, "match containers to stored profiles by image (daemon)" },
	{ "profiles", cmd_profiles, "list, show, approve or remove stored profiles" },
	{ "containers", cmd_containers, "list containers as the watcher names them" },
	{ "learn", cmd_learn, "learn a profile from recorded traces (offline)" },
	{ "eval", cmd_eval, "score traces against a learnt profile (offline)" },
	{ "merge", cmd_merge, "merge profiles learnt on several nodes" },
};

static void usage(FILE *f)
{
	fprintf(f, "usage: sysanomctl COMMAND [ARGS]\n\ncommands:\n");
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(f, "  %-10s %s\n", commands[i].name,
			commands[i].summary);
	fprintf(f,
		"\nTARGET is a cgroup v2 path (absolute, or relative to the\n"
		"cgroup2 mount), a numeric cgroup id, or a container name or id\n"
		"(runc, Docker, containerd, Podman, CRI-O; an id prefix of 12 or\n"
		"more characters will do).\n"
		"'sysanomctl COMMAND --help' describes a command.\n"
		"Exit status: 0 success, 1 runtime error, 2 usage error.\n");
}

void sa_err(const char *fmt, ...)
{
	va_list ap;

	fputs("sysanomctl: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

int sa_usage_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "sysanomctl: %s: ", cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, " (see 'sysanomctl %s --help')\n", cmd);
	return EXIT_USAGE;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") ||
	    !strcmp(argv[1], "help")) {
		usage(stdout);
		return 0;
	}
	if (!strcmp(argv[1], "--version")) {
		printf("sysanomctl %s\n", SYSANOM_VERSION);
		return 0;
	}
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (!strcmp(argv[1], commands[i].name))
			return commands[i].run(argc - 1, argv + 1);
	sa_err("unknown command '%s' (see 'sysanomctl --help')", argv[1]);
	return EXIT_USAGE;
}
