// SPDX-License-Identifier: GPL-2.0
/* status: the monitored containers, their profiles and counters. */
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
#include "atomic_file.h"
#include "json.h"
#include "status.h"

const char *sa_detector_name(uint32_t det)
{
	static const char *const names[] = { "?", "stide", "bosc", "combo" };

	switch (det) {
	case SYSANOM_EVENT_NO_STATE:
		return "no-state";
	case SYSANOM_EVENT_LEFT:
		return "left";
	case SYSANOM_EVENT_IO_URING:
		return "io_uring";
	case SYSANOM_ALERT_NEW_CALL:
		return "new-call";
	}
	return det < 4 ? names[det] : "?";
}

const char *sa_calibration_name(uint32_t state)
{
	static const char *const names[] = {
		"none", "running", "done", "cross-validated"
	};

	return state < 4 ? names[state] : "?";
}

static const char *action_name(uint32_t action)
{
	return action == SYSANOM_ACTION_KILL ? "kill" : "log";
}

static int row_attr_cb(const struct nlattr *attr, void *data)
{
	struct cgroup_row *r = data;
	uint16_t type = mnl_attr_get_type(attr);

	if (type > SYSANOM_A_MAX)
		return MNL_CB_OK;	/* newer module: ignore */
	if (type == SYSANOM_A_CGROUP_PATH) {
		if (mnl_attr_validate(attr, MNL_TYPE_NUL_STRING) == 0)
			snprintf(r->path, sizeof(r->path), "%s",
				 mnl_attr_get_str(attr));
		return MNL_CB_OK;
	}
	switch (mnl_attr_get_payload_len(attr)) {
	case 1:
		r->a[type] = mnl_attr_get_u8(attr);
		break;
	case 4:
		r->a[type] = mnl_attr_get_u32(attr);
		break;
	case 8:
		r->a[type] = mnl_attr_get_u64(attr);
		break;
	}
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

/* The thresholds, and how calibration set them. */
static void print_json_thresholds(const uint64_t *a)
{
	static const struct {
		uint32_t bit;
		const char *name;
	} ovr[] = {
		{ SYSANOM_OVR_LFC, "lfc_threshold" },
		{ SYSANOM_OVR_EPOCH, "epoch_threshold" },
		{ SYSANOM_OVR_COMBO, "combo_threshold" },
	};
	int n = 0;

	printf(",\"converged\":%s,\"calibration\":\"%s\",\"margin\":%" PRIu64
	       ",\"frame\":%" PRIu64 ",\"lfc_threshold\":%" PRIu64
	       ",\"epoch\":%" PRIu64 ",\"epoch_threshold\":%" PRIu64
	       ",\"combo_threshold\":%" PRIu64 ",\"growth_shift\":%" PRIu64
	       ",\"calibration_windows\":%" PRIu64
	       ",\"calibration_worst_score\":%" PRIu64
	       ",\"calibration_worst_lfc\":%" PRIu64
	       ",\"calibration_worst_epoch\":%" PRIu64 ",\"overridden\":[",
	       a[SYSANOM_A_CONVERGED] ? "true" : "false",
	       sa_calibration_name(a[SYSANOM_A_CALIBRATION]),
	       a[SYSANOM_A_MARGIN], a[SYSANOM_A_FRAME],
	       a[SYSANOM_A_LFC_THRESHOLD], a[SYSANOM_A_EPOCH],
	       a[SYSANOM_A_EPOCH_THRESHOLD], a[SYSANOM_A_COMBO_THRESHOLD],
	       a[SYSANOM_A_GROWTH_SHIFT], a[SYSANOM_A_CALIB_WINDOWS],
	       a[SYSANOM_A_CALIB_MAX_SCORE], a[SYSANOM_A_CALIB_MAX_LFC],
	       a[SYSANOM_A_CALIB_MAX_EPOCH]);
	for (size_t i = 0; i < sizeof(ovr) / sizeof(ovr[0]); i++)
		if (a[SYSANOM_A_OVERRIDDEN] & ovr[i].bit)
			printf("%s\"%s\"", n++ ? "," : "", ovr[i].name);
	printf("]");
}

static void print_json(const struct rows *rows)
{
	printf("{\"cgroups\":[");
	for (size_t i = 0; i < rows->n; i++) {
		const struct cgroup_row *r = &rows->v[i];
		const uint64_t *a = r->a;

		printf("%s{\"id\":%" PRIu64 ",\"cgroup\":", i ? "," : "",
		       a[SYSANOM_A_CGROUP_ID]);
		sa_json_string(stdout, r->path);
		printf(",\"path\":");
		sa_json_string(stdout, r->path);
		printf(",\"mode\":\"%s\",\"action\":\"%s\",\"detector\":\"%s\""
		       ",\"k\":%" PRIu64 ",\"bag\":%" PRIu64
		       ",\"syscalls\":%" PRIu64 ",\"forks\":%" PRIu64
		       ",\"execs\":%" PRIu64 ",\"exits\":%" PRIu64
		       ",\"windows\":%" PRIu64 ",\"profile_entries\":%" PRIu64
		       ",\"growth_slope\":%.6f,\"profile_bytes\":%" PRIu64
		       ",\"profile_full\":%s,\"alerts\":%" PRIu64
		       ",\"alerts_suppressed\":%" PRIu64
		       ",\"anomalous_windows\":%" PRIu64
		       ",\"allowed\":%" PRIu64 ",\"call_sets\":%s"
		       ",\"call_pairs\":%" PRIu64,
		       sa_mode_name(a[SYSANOM_A_MODE]),
		       action_name(a[SYSANOM_A_ACTION]),
		       sa_detector_name(a[SYSANOM_A_DETECTOR]),
		       a[SYSANOM_A_K], a[SYSANOM_A_BAG],
		       a[SYSANOM_A_SYSCALLS], a[SYSANOM_A_FORKS],
		       a[SYSANOM_A_EXECS], a[SYSANOM_A_EXITS],
		       a[SYSANOM_A_WINDOWS], a[SYSANOM_A_ENTRIES],
		       a[SYSANOM_A_SLOPE_PPM] / 1e6, a[SYSANOM_A_MEM_BYTES],
		       a[SYSANOM_A_FULL] ? "true" : "false",
		       a[SYSANOM_A_ALERTS], a[SYSANOM_A_ALERTS_SUPPRESSED],
		       a[SYSANOM_A_ANOMALOUS_WINDOWS], a[SYSANOM_A_ALLOWED],
		       a[SYSANOM_A_CALL_SETS] ? "true" : "false",
		       a[SYSANOM_A_CALL_PAIRS]);
		print_json_thresholds(a);
		printf("}");
	}
	printf("]}\n");
}

static void print_table(const struct rows *rows)
{
	if (!rows->n) {
		printf("no cgroups are monitored\n");
		return;
	}
	printf("%-8s %-11s %12s %10s %8s %9s %-11s %7s %7s  %s\n", "CGROUP",
	       "MODE", "SYSCALLS", "WINDOWS", "ENTRIES", "SLOPE", "THRESHOLD",
	       "ALERTS", "ACTION", "PATH");
	for (size_t i = 0; i < rows->n; i++) {
		const struct cgroup_row *r = &rows->v[i];
		const uint64_t *a = r->a;

		char thr[32];

		/* The active threshold, and where it came from. */
		snprintf(thr, sizeof(thr), "%" PRIu64 "%s",
			 a[SYSANOM_A_DETECTOR] == 1 ?
			 a[SYSANOM_A_LFC_THRESHOLD] :
			 a[SYSANOM_A_DETECTOR] == 2 ?
			 a[SYSANOM_A_EPOCH_THRESHOLD] :
			 a[SYSANOM_A_COMBO_THRESHOLD],
			 a[SYSANOM_A_OVERRIDDEN] ? " (set)" :
			 a[SYSANOM_A_CALIBRATION] >= SYSANOM_CALIB_DONE ?
			 " (learnt)" : " (default)");
		printf("%-8" PRIu64 " %-11s %12" PRIu64 " %10" PRIu64
		       " %7" PRIu64 "%s %9.6f %-11s %7" PRIu64 " %7s  %s\n",
		       a[SYSANOM_A_CGROUP_ID], sa_mode_name(a[SYSANOM_A_MODE]),
		       a[SYSANOM_A_SYSCALLS], a[SYSANOM_A_WINDOWS],
		       a[SYSANOM_A_ENTRIES], a[SYSANOM_A_FULL] ? "!" : " ",
		       a[SYSANOM_A_SLOPE_PPM] / 1e6, thr, a[SYSANOM_A_ALERTS],
		       action_name(a[SYSANOM_A_ACTION]),
		       r->path[0] ? r->path : "(removed)");
	}
}

int sa_status_get(uint64_t id, uint64_t *attrs)
{
	struct rows rows = { 0 };
	struct nlmsghdr *nlh;
	struct sa_nl nl;
	int ret;

	ret = sa_nl_open(&nl);
	if (ret)
		return ret;
	nlh = sa_nl_request(&nl, SYSANOM_CMD_GET_CGROUPS, NLM_F_DUMP);
	ret = sa_nl_talk(&nl, nlh, row_cb, &rows);
	sa_nl_close(&nl);
	if (!ret)
		ret = rows.oom ? -ENOMEM : -ENOENT;
	for (size_t i = 0; ret == -ENOENT && i < rows.n; i++) {
		if (rows.v[i].a[SYSANOM_A_CGROUP_ID] != id)
			continue;
		memcpy(attrs, rows.v[i].a, sizeof(rows.v[i].a));
		ret = 0;
	}
	free(rows.v);
	return ret;
}

int sa_status_each(void (*cb)(const uint64_t *attrs, const char *path,
			       void *data),
		   void *data)
{
	struct rows rows = { 0 };
	struct nlmsghdr *nlh;
	struct sa_nl nl;
	int ret;

	ret = sa_nl_open(&nl);
	if (ret)
		return ret;
	nlh = sa_nl_request(&nl, SYSANOM_CMD_GET_CGROUPS, NLM_F_DUMP);
	ret = sa_nl_talk(&nl, nlh, row_cb, &rows);
	sa_nl_close(&nl);
	if (!ret && rows.oom)
		ret = -ENOMEM;
	for (size_t i = 0; !ret && i < rows.n; i++)
		cb(rows.v[i].a, rows.v[i].path, data);
	free(rows.v);
	return ret;
}

/* The first line of /proc/sysanom/status: the module's totals. */
static char *read_totals(void)
{
	FILE *f = fopen("/proc/sysanom/status", "re");
	char *line = NULL;
	size_t cap = 0;

	if (!f)
		return NULL;
	if (getline(&line, &cap, f) < 0) {
		free(line);
		line = NULL;
	}
	fclose(f);
	return line;
}

/* status --prometheus: to standard output, or atomically to @out. */
static int write_prometheus(const struct rows *rows, int loaded,
			    const char *out)
{
	char *text = NULL, *totals = loaded ? read_totals() : NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	int ret;

	if (!f) {
		free(totals);
		sa_err("status: out of memory");
		return EXIT_RUNTIME;
	}
	sa_prom_format(f, rows, totals, loaded);
	free(totals);
	if (fclose(f)) {
		free(text);
		sa_err("status: out of memory");
		return EXIT_RUNTIME;
	}
	/* 0644: node_exporter reads it as its own user. */
	ret = sa_file_write_atomic(out ? out : "-", text, len, 0644);
	free(text);
	if (ret) {
		sa_err("status: %s: %s", out ? out : "standard output",
		       strerror(-ret));
		return EXIT_RUNTIME;
	}
	return 0;
}

int cmd_status(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "prometheus", no_argument, NULL, 'p' },
		{ "output", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	struct rows rows = { 0 };
	struct nlmsghdr *nlh;
	struct sa_nl nl;
	const char *out = NULL;
	int json = 0, prom = 0, c, ret;

	optind = 1;
	while ((c = getopt_long(argc, argv, "jpo:h", opts, NULL)) != -1) {
		switch (c) {
		case 'j':
			json = 1;
			break;
		case 'p':
			prom = 1;
			break;
		case 'o':
			out = optarg;
			break;
		case 'h':
			printf("usage: sysanomctl status [--json | --prometheus [-o FILE]]\n"
			       "Show every monitored cgroup: mode (training, calibrating,\n"
			       "enforcing), system calls seen, windows learnt, profile\n"
			       "entries (! when a memory cap stopped its growth), growth\n"
			       "slope (new entries per window, recently), the detector's\n"
			       "threshold (learnt in calibration, default, or set by\n"
			       "hand), alerts and response. --json adds every threshold,\n"
			       "the calibration and its margin.\n"
			       "--prometheus writes node_exporter's text format (metrics\n"
			       "sysanom_*, labels container, cgroup, cgroup_id, mode), with\n"
			       "-o to FILE atomically (for the textfile collector); with\n"
			       "the module not loaded it reports sysanom_module_loaded 0.\n");
			return 0;
		default:
			return sa_usage_error("status", "unknown option");
		}
	}
	if (optind != argc)
		return sa_usage_error("status", "takes no arguments");
	if (json && prom)
		return sa_usage_error("status", "--json and --prometheus exclude each other");
	if (out && !prom)
		return sa_usage_error("status", "-o needs --prometheus");

	ret = sa_nl_open(&nl);
	if (ret == -ENOENT && prom)
		return write_prometheus(&rows, 0, out);
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
	if (prom)
		ret = write_prometheus(&rows, 1, out);
	else if (json)
		print_json(&rows);
	else
		print_table(&rows);
	free(rows.v);
	return ret;
}
