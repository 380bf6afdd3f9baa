// SPDX-License-Identifier: GPL-2.0
/* alerts: read the alert log, or follow new alerts as they come. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <linux/genetlink.h>
#include <uapi/linux/sysanom.h>

#include "commands.h"
#include "genl.h"
#include "json.h"
#include "syscall_names.h"
#include "target.h"
#include "alerts.h"

struct follow {
	int json;
	int freeze;
	uint64_t last_seq;
	unsigned long printed;
};

static int alert_attr_cb(const struct nlattr *attr, void *data)
{
	struct sa_alert *a = data;
	uint16_t type = mnl_attr_get_type(attr);
	size_t len = mnl_attr_get_payload_len(attr);

	switch (type) {
	case SYSANOM_A_ALERT_SEQ:
	case SYSANOM_A_TIME_NS:
	case SYSANOM_A_LAST_TIME_NS:
	case SYSANOM_A_CGROUP_ID:
		if (len != 8)
			break;
		if (type == SYSANOM_A_ALERT_SEQ)
			a->seq = mnl_attr_get_u64(attr);
		else if (type == SYSANOM_A_TIME_NS)
			a->time_ns = mnl_attr_get_u64(attr);
		else if (type == SYSANOM_A_LAST_TIME_NS)
			a->last_ns = mnl_attr_get_u64(attr);
		else
			a->cgid = mnl_attr_get_u64(attr);
		break;
	case SYSANOM_A_PID:
	case SYSANOM_A_TID:
	case SYSANOM_A_DETECTOR:
	case SYSANOM_A_SCORE:
	case SYSANOM_A_MAX_SCORE:
	case SYSANOM_A_INCIDENT_WINDOWS:
		if (len != 4)
			break;
		if (type == SYSANOM_A_PID)
			a->pid = mnl_attr_get_u32(attr);
		else if (type == SYSANOM_A_TID)
			a->tid = mnl_attr_get_u32(attr);
		else if (type == SYSANOM_A_DETECTOR)
			a->detector = mnl_attr_get_u32(attr);
		else if (type == SYSANOM_A_SCORE)
			a->score = mnl_attr_get_u32(attr);
		else if (type == SYSANOM_A_MAX_SCORE)
			a->max_score = mnl_attr_get_u32(attr);
		else
			a->count = mnl_attr_get_u32(attr);
		break;
	case SYSANOM_A_CONTEXT:
		a->nctx = len / sizeof(a->ctx[0]);
		if (a->nctx > CTX_MAX)
			a->nctx = CTX_MAX;
		memcpy(a->ctx, mnl_attr_get_payload(attr),
		       a->nctx * sizeof(a->ctx[0]));
		break;
	case SYSANOM_A_COMM:
		if (mnl_attr_validate(attr, MNL_TYPE_NUL_STRING) == 0)
			snprintf(a->comm, sizeof(a->comm), "%s",
				 mnl_attr_get_str(attr));
		break;
	case SYSANOM_A_CGROUP_PATH:
		if (mnl_attr_validate(attr, MNL_TYPE_NUL_STRING) == 0)
			snprintf(a->path, sizeof(a->path), "%s",
				 mnl_attr_get_str(attr));
		break;
	case SYSANOM_A_WINDOW:
		a->nwindow = len / 2 < 32 ? len / 2 : 32;
		memcpy(a->window, mnl_attr_get_payload(attr), a->nwindow * 2);
		break;
	}
	return MNL_CB_OK;
}

void sa_alert_parse(const struct nlmsghdr *nlh, struct sa_alert *a)
{
	memset(a, 0, sizeof(*a));
	mnl_attr_parse(nlh, sizeof(struct genlmsghdr), alert_attr_cb, a);
}

/* Window ids as the module reports them: see SYSANOM_A_WINDOW. */
void sa_syscall_label(unsigned int id, char *buf, size_t len)
{
	const char *name;

	if (id == 1023) {
		snprintf(buf, len, "invalid");
	} else if (id == 1022) {
		snprintf(buf, len, "<start>");
	} else if (id >= 1006) {
		/* Two of these after exec: the program, by a hash of its name. */
		snprintf(buf, len, "<prog%u>", id - 1006);
	} else if (id >= 512) {
		/* A 32-bit task's call: prefixed, numbers differ from x86_64. */
		name = sa_syscall_name_32(id - 512);
		if (name)
			snprintf(buf, len, "i386:%s", name);
		else
			snprintf(buf, len, "i386:%u", id - 512);
	} else {
		name = sa_syscall_name(id);
		if (name)
			snprintf(buf, len, "%s", name);
		else
			snprintf(buf, len, "%u", id);
	}
}

static void freeze(const struct sa_alert *a)
{
	char mnt[4096], file[8192 + 16];
	int fd;

	if (!a->path[0] || sa_cgroup2_mount(mnt, sizeof(mnt)))
		return;
	snprintf(file, sizeof(file), "%s%s/cgroup.freeze", mnt, a->path);
	fd = open(file, O_WRONLY | O_CLOEXEC);
	if (fd < 0 || write(fd, "1", 1) != 1)
		sa_err("alerts: cannot freeze %s: %s", a->path,
		       strerror(errno));
	if (fd >= 0)
		close(fd);
}

/* The @n calls ending anomalous window @i of @a, as names. */
static void print_window(const struct sa_alert *a, unsigned int i, int json)
{
	char label[32];

	for (unsigned int j = CTX_CALLS - a->nwindow; j < CTX_CALLS; j++) {
		sa_syscall_label(a->ctx[i][j], label, sizeof(label));
		if (json) {
			printf("%s", j > CTX_CALLS - a->nwindow ? "," : "");
			sa_json_string(stdout, label);
		} else {
			printf(" %s", label);
		}
	}
}

static void print_alert(const struct sa_alert *a, const struct follow *f)
{
	const char *dname = sa_detector_name(a->detector);
	char label[32], when[64];
	time_t t = a->time_ns / 1000000000;
	struct tm tm;

	if (f->json) {
		printf("{\"seq\":%" PRIu64 ",\"time_ns\":%" PRIu64
		       ",\"last_time_ns\":%" PRIu64 ",\"cgroup\":", a->seq,
		       a->time_ns, a->last_ns);
		sa_json_string(stdout, a->path);
		printf(",\"cgroup_id\":%" PRIu64 ",\"pid\":%u,\"tid\":%u"
		       ",\"comm\":", a->cgid, a->pid, a->tid);
		sa_json_string(stdout, a->comm);
		printf(",\"detector\":\"%s\",\"score\":%u,\"max_score\":%u"
		       ",\"windows\":%u,\"syscalls\":[",
		       dname, a->score, a->max_score, a->count);
		for (unsigned int i = 0; i < a->nwindow; i++) {
			sa_syscall_label(a->window[i], label, sizeof(label));
			printf("%s", i ? "," : "");
			sa_json_string(stdout, label);
		}
		printf("],\"anomalous_windows\":[");
		for (unsigned int i = 0; i < a->nctx; i++) {
			printf("%s[", i ? "," : "");
			print_window(a, i, 1);
			printf("]");
		}
		printf("]}\n");
	} else {
		strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ",
			 gmtime_r(&t, &tm));
		printf("%s #%" PRIu64 " %s pid %u tid %u comm %s %s score %u, %u window%s:",
		       when, a->seq, a->path[0] ? a->path : "(removed)", a->pid,
		       a->tid, a->comm, dname, a->score, a->count,
		       a->count == 1 ? "" : "s");
		for (unsigned int i = 0; i < a->nwindow; i++) {
			sa_syscall_label(a->window[i], label, sizeof(label));
			printf(" %s", label);
		}
		printf("\n");
		/* The next kept windows of the incident, indented. */
		for (unsigned int i = 1; i < a->nctx; i++) {
			printf("   ");
			print_window(a, i, 0);
			printf("\n");
		}
		if (a->count > a->nctx)
			printf("    ... %u more window%s, score up to %u\n",
			       a->count - a->nctx,
			       a->count - a->nctx == 1 ? "" : "s",
			       a->max_score);
	}
	fflush(stdout);
}

static int alert_cb(const struct nlmsghdr *nlh, void *data)
{
	struct follow *f = data;
	struct sa_alert a = { 0 };

	sa_alert_parse(nlh, &a);
	/* A dump and the multicast may both carry a record: print it once. */
	if (a.seq && a.seq <= f->last_seq)
		return MNL_CB_OK;
	f->last_seq = a.seq;
	print_alert(&a, f);
	f->printed++;
	if (f->freeze)
		freeze(&a);
	return MNL_CB_OK;
}

int cmd_alerts(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "follow", no_argument, NULL, 'f' },
		{ "json", no_argument, NULL, 'j' },
		{ "freeze", no_argument, NULL, 'z' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	struct follow f = { 0 };
	struct nlmsghdr *nlh;
	int follow = 0, c, ret;
	struct sa_nl nl;

	optind = 1;
	while ((c = getopt_long(argc, argv, "fjh", opts, NULL)) != -1) {
		switch (c) {
		case 'f':
			follow = 1;
			break;
		case 'j':
			f.json = 1;
			break;
		case 'z':
			f.freeze = 1;
			break;
		case 'h':
			printf("usage: sysanomctl alerts [--follow [--freeze]] [--json]\n"
			       "Print the alert log. An alert is an incident: the\n"
			       "consecutive anomalous windows of one thread. Each shows\n"
			       "its number (for 'allow'), the first window and the next\n"
			       "ones kept (up to 8), one JSON object per incident with\n"
			       "--json. --follow then waits for new incidents and shows\n"
			       "each as it starts;\n"
			       "--freeze also freezes the container of each new alert\n"
			       "(cgroup.freeze; thaw with 'echo 0 > .../cgroup.freeze').\n");
			return 0;
		default:
			return sa_usage_error("alerts", "unknown option");
		}
	}
	if (optind != argc)
		return sa_usage_error("alerts", "takes no arguments");
	if (f.freeze && !follow)
		return sa_usage_error("alerts", "--freeze needs --follow");

	ret = sa_nl_open(&nl);
	if (ret) {
		sa_err("%s", sa_nl_strerror(ret));
		return EXIT_RUNTIME;
	}
	/* Join before the dump so that nothing falls between the two. */
	if (follow) {
		ret = sa_nl_join_alerts(&nl);
		if (ret) {
			sa_err("alerts: cannot follow: %s",
			       sa_nl_strerror(ret));
			goto out;
		}
	}
	/* The log's backlog is not frozen for: only new alerts are. */
	c = f.freeze;
	f.freeze = 0;
	nlh = sa_nl_request(&nl, SYSANOM_CMD_GET_ALERTS, NLM_F_DUMP);
	ret = sa_nl_talk(&nl, nlh, alert_cb, &f);
	f.freeze = c;
	while (!ret && follow)
		ret = sa_nl_recv(&nl, alert_cb, &f);
	if (ret)
		sa_err("alerts: %s", sa_nl_strerror(ret));
out:
	sa_nl_close(&nl);
	return ret ? EXIT_RUNTIME : 0;
}

static int allow_attr_cb(const struct nlattr *attr, void *data)
{
	if (mnl_attr_get_type(attr) == SYSANOM_A_ENTRIES &&
	    mnl_attr_get_payload_len(attr) == 4)
		*(uint32_t *)data = mnl_attr_get_u32(attr);
	return MNL_CB_OK;
}

static int allow_cb(const struct nlmsghdr *nlh, void *data)
{
	mnl_attr_parse(nlh, sizeof(struct genlmsghdr), allow_attr_cb, data);
	return MNL_CB_OK;
}

int cmd_allow(int argc, char **argv)
{
	struct nlmsghdr *nlh;
	uint32_t added = 0;
	unsigned long long seq;
	struct sa_nl nl;
	char *end;
	int ret;

	if (argc == 2 && (!strcmp(argv[1], "--help") ||
			  !strcmp(argv[1], "-h"))) {
		printf("usage: sysanomctl allow SEQ\n"
		       "A false alert: add the windows of alert SEQ (its number in\n"
		       "'sysanomctl alerts', #SEQ) to its container's profile, so\n"
		       "that the same behaviour is normal from now on. The module\n"
		       "logs it and 'status' counts it as allowed.\n");
		return 0;
	}
	if (argc != 2)
		return sa_usage_error("allow", "expects one alert number");
	errno = 0;
	seq = strtoull(argv[1][0] == '#' ? argv[1] + 1 : argv[1], &end, 10);
	if (errno || *end || !seq || argv[1][0] == '-')
		return sa_usage_error("allow", "bad alert number '%s'", argv[1]);
	ret = sa_nl_open(&nl);
	if (ret) {
		sa_err("%s", sa_nl_strerror(ret));
		return EXIT_RUNTIME;
	}
	nlh = sa_nl_request(&nl, SYSANOM_CMD_ALLOW, 0);
	mnl_attr_put_u64(nlh, SYSANOM_A_ALERT_SEQ, seq);
	ret = sa_nl_talk(&nl, nlh, allow_cb, &added);
	sa_nl_close(&nl);
	switch (-ret) {
	case 0:
		printf("alert %llu allowed: %u new profile entries\n", seq,
		       added);
		return 0;
	case ENOENT:
		sa_err("allow: alert %llu is not in the log, or its container is no longer monitored",
		       seq);
		break;
	case ENOSPC:
		sa_err("allow: the profile is at its memory cap (module parameter max_profile_bytes)");
		break;
	default:
		sa_err("allow: %s", sa_nl_strerror(ret));
	}
	return EXIT_RUNTIME;
}
