// SPDX-License-Identifier: GPL-2.0
/* train and untrack: start and stop monitoring a container. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>

#include <uapi/linux/sysanom.h>

#include "commands.h"
#include "genl.h"
#include "target.h"

static int send_cgroup_cmd(const char *cmd_name, uint8_t cmd,
			   const char *target, uint32_t mode)
{
	struct nlmsghdr *nlh;
	struct sa_nl nl;
	char err[512];
	uint64_t id;
	int ret;

	ret = sa_target_resolve(target, &id, err, sizeof(err));
	if (ret) {
		sa_err("%s", err);
		return EXIT_RUNTIME;
	}
	ret = sa_nl_open(&nl);
	if (ret) {
		sa_err("%s", sa_nl_strerror(ret));
		return EXIT_RUNTIME;
	}
	nlh = sa_nl_request(&nl, cmd, 0);
	mnl_attr_put_u64(nlh, SYSANOM_A_CGROUP_ID, id);
	if (mode)
		mnl_attr_put_u32(nlh, SYSANOM_A_MODE, mode);
	ret = sa_nl_talk(&nl, nlh, NULL, NULL);
	sa_nl_close(&nl);

	switch (-ret) {
	case 0:
		return 0;
	case ENOENT:
		if (cmd == SYSANOM_CMD_UNTRACK)
			sa_err("%s: cgroup %llu is not monitored", cmd_name,
			       (unsigned long long)id);
		else
			sa_err("%s: no such cgroup: %s", cmd_name, target);
		break;
	case EINVAL:
		sa_err("%s: %s: the root cgroup cannot be monitored",
		       cmd_name, target);
		break;
	case ENOSPC:
		sa_err("%s: too many monitored cgroups (module parameter max_cgroups)",
		       cmd_name);
		break;
	default:
		sa_err("%s: %s", cmd_name, sa_nl_strerror(ret));
	}
	return EXIT_RUNTIME;
}

static int one_target(int argc, char **argv, const char **target)
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (c == 'h')
			return -1;
		return sa_usage_error(argv[0], "unknown option");
	}
	if (argc - optind != 1)
		return sa_usage_error(argv[0], "expects one TARGET");
	*target = argv[optind];
	return 0;
}

int cmd_train(int argc, char **argv)
{
	const char *target;
	int ret = one_target(argc, argv, &target);

	if (ret < 0) {
		printf("usage: sysanomctl train TARGET\n"
		       "Start monitoring TARGET in training mode: its system calls\n"
		       "are counted and learnt. TARGET is a cgroup v2 path (absolute,\n"
		       "or relative to the cgroup2 mount) or a numeric cgroup id.\n");
		return 0;
	}
	if (ret)
		return ret;
	return send_cgroup_cmd("train", SYSANOM_CMD_TRACK, target,
			       SYSANOM_MODE_TRAINING);
}

int cmd_untrack(int argc, char **argv)
{
	const char *target;
	int ret = one_target(argc, argv, &target);

	if (ret < 0) {
		printf("usage: sysanomctl untrack TARGET\n"
		       "Stop monitoring TARGET and drop what was learnt about it.\n");
		return 0;
	}
	if (ret)
		return ret;
	return send_cgroup_cmd("untrack", SYSANOM_CMD_UNTRACK, target, 0);
}
