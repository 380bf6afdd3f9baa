// SPDX-License-Identifier: GPL-2.0
/* alerts: read the alert log, or follow new alerts as they come. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
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

struct alert {
	uint64_t seq, time_ns, cgid;
	uint32_t pid, tid, detector, score;
	char comm[32];
	char path[4096];
	uint16_t window[32];
	unsigned int nwindow;
};

struct follow {
	int json;
	int freeze;
	uint64_t last_seq;
	unsigned long printed;
};

static int alert_attr_cb(const struct nlattr *attr, void *data)
{
	struct alert *a = data;
	uint16_t type = mnl_attr_get_type(attr);
	size_t len = mnl_attr_get_payload_len(attr);

	switch (type) {
	case SYSANOM_A_ALERT_SEQ:
	case SYSANOM_A_TIME_NS:
	case SYSANOM_A_CGROUP_ID:
		if (len != 8)
			break;
		if (type == SYSANOM_A_ALERT_SEQ)
			a->seq = mnl_attr_get_u64(attr);
		else if (type == SYSANOM_A_TIME_NS)
			a->time_ns = mnl_attr_get_u64(attr);
		else
			a->cgid = mnl_attr_get_u64(attr);
		break;
	case SYSANOM_A_PID:
	case SYSANOM_A_TID:
	case SYSANOM_A_DETECTOR:
	case SYSANOM_A_SCORE:
		if (len != 4)
			break;
		if (type == SYSANOM_A_PID)
			a->pid = mnl_attr_get_u32(attr);
		else if (type == SYSANOM_A_TID)
			a->tid = mnl_attr_get_u32(attr);
		else if (type == SYSANOM_A_DETECTOR)
			a->detector = mnl_attr_get_u32(attr);
		else
			a->score = mnl_attr_get_u32(attr);
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

/* Window ids as the module reports them: see SYSANOM_A_WINDOW. */
static void syscall_label(unsigned int id, char *buf, size_t len)
{
	const char *name;

	if (id == 1023) {
		snprintf(buf, len, "invalid");
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

static void freeze(const struct alert *a)
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

static void print_alert(const struct alert *a, const struct follow *f)
{
	const char *dname = sa_detector_name(a->detector);
	char label[32], when[64];
	time_t t = a->time_ns / 1000000000;
	struct tm tm;

	if (f->json) {
		printf("{\"seq\":%" PRIu64 ",\"time_ns\":%" PRIu64
		       ",\"cgroup\":", a->seq, a->time_ns);
		sa_json_string(stdout, a->path);
		printf(",\"cgroup_id\":%" PRIu64 ",\"pid\":%u,\"tid\":%u"
		       ",\"comm\":", a->cgid, a->pid, a->tid);
		sa_json_string(stdout, a->comm);
		printf(",\"detector\":\"%s\",\"score\":%u,\"syscalls\":[",
		       dname, a->score);
		for (unsigned int i = 0; i < a->nwindow; i++) {
			syscall_label(a->window[i], label, sizeof(label));
			printf("%s", i ? "," : "");
			sa_json_string(stdout, label);
		}
		printf("]}\n");
	} else {
		strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ",
			 gmtime_r(&t, &tm));
		printf("%s %s pid %u tid %u comm %s %s score %u:", when,
		       a->path[0] ? a->path : "(removed)", a->pid, a->tid,
		       a->comm, dname, a->score);
		for (unsigned int i = 0; i < a->nwindow; i++) {
			syscall_label(a->window[i], label, sizeof(label));
			printf(" %s", label);
		}
		printf("\n");
	}
	fflush(stdout);
}

static int alert_cb(const struct nlmsghdr *nlh, void *data)
{
	struct follow *f = data;
	struct alert a = { 0 };

	mnl_attr_parse(nlh, sizeof(struct genlmsghdr), alert_attr_cb, &a);
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
			       "Print the alert log, one line per alert (one JSON object\n"
			       "per line with --json). --follow then waits for new alerts;\n"
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
