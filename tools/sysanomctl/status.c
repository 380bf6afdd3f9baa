// SPDX-License-Identifier: GPL-2.0
/* status: the monitored containers and their counters. */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/genetlink.h>
#include <uapi/linux/sysanom.h>

#include "commands.h"
#include "genl.h"
#include "json.h"

struct cgroup_row {
	uint64_t id;
	uint32_t mode;
	uint64_t syscalls, forks, execs, exits;
	char path[4096];
};

struct rows {
	struct cgroup_row *v;
	size_t n, cap;
	int oom;
};

static const char *mode_name(uint32_t mode)
{
	switch (mode) {
	case SYSANOM_MODE_TRAINING:
		return "training";
	case SYSANOM_MODE_ENFORCING:
		return "enforcing";
	default:
		return "unknown";
	}
}

static int row_attr_cb(const struct nlattr *attr, void *data)
{
	struct cgroup_row *r = data;
	uint16_t type = mnl_attr_get_type(attr);

	switch (type) {
	case SYSANOM_A_CGROUP_ID:
	case SYSANOM_A_SYSCALLS:
	case SYSANOM_A_FORKS:
	case SYSANOM_A_EXECS:
	case SYSANOM_A_EXITS:
		if (mnl_attr_validate(attr, MNL_TYPE_U64) < 0)
			return MNL_CB_OK;
		break;
	case SYSANOM_A_MODE:
		if (mnl_attr_validate(attr, MNL_TYPE_U32) < 0)
			return MNL_CB_OK;
		r->mode = mnl_attr_get_u32(attr);
		return MNL_CB_OK;
	case SYSANOM_A_CGROUP_PATH:
		if (mnl_attr_validate(attr, MNL_TYPE_NUL_STRING) == 0)
			snprintf(r->path, sizeof(r->path), "%s",
				 mnl_attr_get_str(attr));
		return MNL_CB_OK;
	default:
		return MNL_CB_OK;	/* newer module: ignore */
	}
	uint64_t v = mnl_attr_get_u64(attr);

	if (type == SYSANOM_A_CGROUP_ID)
		r->id = v;
	else if (type == SYSANOM_A_SYSCALLS)
		r->syscalls = v;
	else if (type == SYSANOM_A_FORKS)
		r->forks = v;
	else if (type == SYSANOM_A_EXECS)
		r->execs = v;
	else
		r->exits = v;
	return MNL_CB_OK;
}

static int row_cb(const struct nlmsghdr *nlh, void *data)
{
	struct rows *rows = data;
	struct cgroup_row *r;

	if (rows->n == rows->cap) {
		size_t cap = rows->cap ? rows->cap * 2 : 16;
		void *v = realloc(rows->v, cap * sizeof(*rows->v));

		if (!v) {
			rows->oom = 1;
			return MNL_CB_ERROR;
		}
		rows->v = v;
		rows->cap = cap;
	}
	r = &rows->v[rows->n++];
	memset(r, 0, sizeof(*r));
	mnl_attr_parse(nlh, sizeof(struct genlmsghdr), row_attr_cb, r);
	return MNL_CB_OK;
}

static void print_json(const struct rows *rows)
{
	printf("{\"cgroups\":[");
	for (size_t i = 0; i < rows->n; i++) {
		const struct cgroup_row *r = &rows->v[i];

		printf("%s{\"id\":%" PRIu64 ",\"path\":", i ? "," : "", r->id);
		sa_json_string(stdout, r->path);
		printf(",\"mode\":\"%s\",\"syscalls\":%" PRIu64
		       ",\"forks\":%" PRIu64 ",\"execs\":%" PRIu64
		       ",\"exits\":%" PRIu64 "}",
		       mode_name(r->mode), r->syscalls, r->forks, r->execs,
		       r->exits);
	}
	printf("]}\n");
}

static void print_table(const struct rows *rows)
{
	if (!rows->n) {
		printf("no cgroups are monitored\n");
		return;
	}
	printf("%-10s %-9s %12s %8s %8s %8s  %s\n", "CGROUP", "MODE",
	       "SYSCALLS", "FORKS", "EXECS", "EXITS", "PATH");
	for (size_t i = 0; i < rows->n; i++) {
		const struct cgroup_row *r = &rows->v[i];

		printf("%-10" PRIu64 " %-9s %12" PRIu64 " %8" PRIu64
		       " %8" PRIu64 " %8" PRIu64 "  %s\n",
		       r->id, mode_name(r->mode), r->syscalls, r->forks,
		       r->execs, r->exits, r->path[0] ? r->path : "(removed)");
	}
}

int cmd_status(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	struct rows rows = { 0 };
	struct nlmsghdr *nlh;
	struct sa_nl nl;
	int json = 0, c, ret;

	optind = 1;
	while ((c = getopt_long(argc, argv, "jh", opts, NULL)) != -1) {
		switch (c) {
		case 'j':
			json = 1;
			break;
		case 'h':
			printf("usage: sysanomctl status [--json]\n"
			       "Show every monitored cgroup with its mode and counters.\n");
			return 0;
		default:
			return sa_usage_error("status", "unknown option");
		}
	}
	if (optind != argc)
		return sa_usage_error("status", "takes no arguments");

	ret = sa_nl_open(&nl);
	if (ret) {
		sa_err("%s", sa_nl_strerror(ret));
		return EXIT_RUNTIME;
	}
	nlh = sa_nl_request(&nl, SYSANOM_CMD_GET_CGROUPS, NLM_F_DUMP);
	ret = sa_nl_talk(&nl, nlh, row_cb, &rows);
	sa_nl_close(&nl);
	if (ret || rows.oom) {
		sa_err("status: %s",
		       rows.oom ? "out of memory" : sa_nl_strerror(ret));
		free(rows.v);
		return EXIT_RUNTIME;
	}
	if (json)
		print_json(&rows);
	else
		print_table(&rows);
	free(rows.v);
	return 0;
}
