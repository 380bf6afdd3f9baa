// SPDX-License-Identifier: GPL-2.0
/* train, enforce, set, untrack: change how a container is monitored. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <uapi/linux/sysanom.h>

#include "commands.h"
#include "genl.h"
#include "target.h"

#define MAX_ATTRS 20

/* A request under construction: attributes are added, then it is sent. */
struct request {
	uint8_t cmd;
	int n;
	struct {
		uint16_t type;
		int wide;
		uint64_t v;
	} attrs[MAX_ATTRS];
};

static void add(struct request *rq, uint16_t type, int wide, uint64_t v)
{
	rq->attrs[rq->n].type = type;
	rq->attrs[rq->n].wide = wide;
	rq->attrs[rq->n].v = v;
	rq->n++;
}

static int send_request(const char *cmd_name, const struct request *rq,
			const char *target)
{
	struct nlmsghdr *nlh;
	struct sa_nl nl;
	char err[512];
	uint64_t id;
	int ret;

	ret = sa_target_resolve(target, &id, err, sizeof(err));
	if (ret) {
		sa_err("%s: %s", cmd_name, err);
		return EXIT_RUNTIME;
	}
	ret = sa_nl_open(&nl);
	if (ret) {
		sa_err("%s", sa_nl_strerror(ret));
		return EXIT_RUNTIME;
	}
	nlh = sa_nl_request(&nl, rq->cmd, 0);
	mnl_attr_put_u64(nlh, SYSANOM_A_CGROUP_ID, id);
	for (int i = 0; i < rq->n; i++) {
		if (rq->attrs[i].wide)
			mnl_attr_put_u64(nlh, rq->attrs[i].type,
					 rq->attrs[i].v);
		else
			mnl_attr_put_u32(nlh, rq->attrs[i].type,
					 (uint32_t)rq->attrs[i].v);
	}
	ret = sa_nl_talk(&nl, nlh, NULL, NULL);
	sa_nl_close(&nl);

	switch (-ret) {
	case 0:
		return 0;
	case ENOENT:
		if (!strcmp(cmd_name, "enforce") ||
		    !strcmp(cmd_name, "calibrate"))
			sa_err("enforce: %s is not monitored: train it first",
			       target);
		else if (rq->cmd == SYSANOM_CMD_TRACK)
			sa_err("%s: no such cgroup: %s", cmd_name, target);
		else
			sa_err("%s: %s is not monitored", cmd_name, target);
		break;
	case EINVAL:
		sa_err("%s: %s", cmd_name, rq->cmd == SYSANOM_CMD_TRACK ?
		       "the root cgroup cannot be monitored" :
		       "invalid settings (see 'sysanomctl set --help')");
		break;
	case ENOSPC:
		sa_err("%s: too many monitored cgroups (module parameter max_cgroups)",
		       cmd_name);
		break;
	case ENOMEM:
		sa_err("%s: out of memory (module parameters max_profile_bytes, max_total_bytes)",
		       cmd_name);
		break;
	case ENODATA:
		sa_err("%s: %s has an empty profile (nothing learnt yet, or new window lengths emptied it): train it first",
		       cmd_name, target);
		break;
	default:
		sa_err("%s: %s", cmd_name, sa_nl_strerror(ret));
	}
	return EXIT_RUNTIME;
}

static int parse_u64(const char *s, uint64_t *v)
{
	char *end;

	if (!*s || *s == '-')
		return -EINVAL;
	errno = 0;
	*v = strtoull(s, &end, 10);
	return errno || *end ? -EINVAL : 0;
}

/* A slope in new entries per window, as parts per million. */
static int parse_slope(const char *s, uint64_t *ppm)
{
	char *end;
	double d;

	errno = 0;
	d = strtod(s, &end);
	if (errno || *end || end == s || !(d >= 0 && d <= 1))
		return -EINVAL;
	*ppm = (uint64_t)(d * 1e6 + 0.5);
	return 0;
}

static int parse_action(const char *s, uint64_t *v)
{
	if (!strcmp(s, "log"))
		*v = SYSANOM_ACTION_LOG;
	else if (!strcmp(s, "kill"))
		*v = SYSANOM_ACTION_KILL;
	else
		return -EINVAL;
	return 0;
}

static int parse_detector(const char *s, uint64_t *v)
{
	if (!strcmp(s, "stide"))
		*v = 1;
	else if (!strcmp(s, "bosc"))
		*v = 2;
	else if (!strcmp(s, "combo") || !strcmp(s, "combined"))
		*v = 3;
	else
		return -EINVAL;
	return 0;
}

static const struct setting {
	const char *key;
	uint16_t type;
	int wide;
	int (*parse)(const char *s, uint64_t *v);
	const char *help;
} settings[] = {
	{ "action", SYSANOM_A_ACTION, 0, parse_action,
	  "log|kill: response to an anomaly in enforce mode" },
	{ "detector", SYSANOM_A_DETECTOR, 0, parse_detector,
	  "stide|bosc|combo" },
	{ "k", SYSANOM_A_K, 0, parse_u64,
	  "STIDE window, 3..16 (resets what was learnt)" },
	{ "bag", SYSANOM_A_BAG, 0, parse_u64,
	  "BoSC window, 2..16 (resets what was learnt)" },
	{ "frame", SYSANOM_A_FRAME, 0, parse_u64, "locality frame, 1..64" },
	{ "lfc", SYSANOM_A_LFC_THRESHOLD, 0, parse_u64,
	  "STIDE mismatches in a frame that make an anomaly" },
	{ "epoch", SYSANOM_A_EPOCH, 0, parse_u64, "BoSC epoch, windows" },
	{ "epoch_threshold", SYSANOM_A_EPOCH_THRESHOLD, 0, parse_u64,
	  "BoSC mismatches in an epoch that make an anomaly" },
	{ "combo_threshold", SYSANOM_A_COMBO_THRESHOLD, 0, parse_u64,
	  "combined frame score that makes an anomaly" },
	{ "growth_shift", SYSANOM_A_GROWTH_SHIFT, 0, parse_u64,
	  "growth curve checkpoint every 2^N windows, 4..40 (10)" },
	{ "margin", SYSANOM_A_MARGIN, 0, parse_u64,
	  "calibration margin, percent over the worst normal frame, 0..200 (25)" },
	{ "stable_slope", SYSANOM_A_STABLE_PPM, 1, parse_slope,
	  "until-stable: slope (new entries per window) to reach" },
	{ "stable_checks", SYSANOM_A_STABLE_CHECKS, 0, parse_u64,
	  "until-stable: seconds the slope must stay there, 0 = off" },
};

static int add_setting(struct request *rq, const char *cmd, const char *kv)
{
	const char *eq = strchr(kv, '=');
	uint64_t v;

	if (!eq)
		return sa_usage_error(cmd, "expected key=value, got '%s'", kv);
	for (size_t i = 0; i < sizeof(settings) / sizeof(settings[0]); i++) {
		const struct setting *s = &settings[i];

		if (strlen(s->key) != (size_t)(eq - kv) ||
		    strncmp(kv, s->key, eq - kv))
			continue;
		if (s->parse(eq + 1, &v) || (!s->wide && v > UINT32_MAX))
			return sa_usage_error(cmd, "bad value in '%s'", kv);
		if (rq->n == MAX_ATTRS)
			return sa_usage_error(cmd, "too many settings");
		add(rq, s->type, s->wide, v);
		return 0;
	}
	return sa_usage_error(cmd, "unknown setting '%.*s'", (int)(eq - kv),
			      kv);
}

int cmd_set(int argc, char **argv)
{
	struct request rq = { .cmd = SYSANOM_CMD_SET };
	int ret;

	if (argc >= 2 && (!strcmp(argv[1], "--help") ||
			  !strcmp(argv[1], "-h"))) {
		printf("usage: sysanomctl set TARGET key=value...\n"
		       "Change a monitored container's settings. Thresholds are\n"
		       "learnt in calibration ('train --until-stable'); one set by\n"
		       "hand is shown as overridden in 'status --json'.\n");
		for (size_t i = 0; i < sizeof(settings) / sizeof(settings[0]);
		     i++)
			printf("  %-16s %s\n", settings[i].key,
			       settings[i].help);
		return 0;
	}
	if (argc < 3)
		return sa_usage_error("set", "expects TARGET key=value...");
	for (int i = 2; i < argc; i++) {
		ret = add_setting(&rq, "set", argv[i]);
		if (ret)
			return ret;
	}
	return send_request("set", &rq, argv[1]);
}

int cmd_train(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "until-stable", no_argument, NULL, 'u' },
		{ "slope", required_argument, NULL, 's' },
		{ "for", required_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	struct request rq = { .cmd = SYSANOM_CMD_TRACK };
	struct request stable = { .cmd = SYSANOM_CMD_SET };
	uint64_t ppm = SA_STABLE_PPM, checks = SA_STABLE_CHECKS;
	int until = 0, c, ret;

	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'u':
			until = 1;
			break;
		case 's':
			if (parse_slope(optarg, &ppm))
				return sa_usage_error("train",
					"--slope takes a number in [0, 1]");
			break;
		case 'f':
			if (parse_u64(optarg, &checks) || !checks ||
			    checks > 86400)
				return sa_usage_error("train",
					"--for takes 1..86400 seconds");
			break;
		case 'h':
			printf("usage: sysanomctl train [--until-stable [--slope S] [--for SECONDS]] TARGET\n"
			       "Monitor TARGET in training mode: learn its system calls.\n"
			       "With --until-stable, once the growth slope (new profile\n"
			       "entries per window) stayed at or under S (default %g)\n"
			       "for SECONDS (default %d), calibrate: score further normal\n"
			       "behaviour without alerting, for as long as training took,\n"
			       "set the thresholds a margin over the worst of it, then\n"
			       "enforce. No tuning is needed.\n"
			       "TARGET is a cgroup v2 path, a cgroup id or a container name\n"
			       "or id (see 'sysanomctl --help').\n",
			       SA_STABLE_PPM / 1e6, SA_STABLE_CHECKS);
			return 0;
		default:
			return sa_usage_error("train", "unknown option");
		}
	}
	if (argc - optind != 1)
		return sa_usage_error("train", "expects one TARGET");
	add(&rq, SYSANOM_A_MODE, 0, SYSANOM_MODE_TRAINING);
	ret = send_request("train", &rq, argv[optind]);
	if (ret)
		return ret;
	add(&stable, SYSANOM_A_STABLE_PPM, 1, until ? ppm : 0);
	add(&stable, SYSANOM_A_STABLE_CHECKS, 0, until ? checks : 0);
	return send_request("train", &stable, argv[optind]);
}

static void warn_unready(const char *target);

int cmd_enforce(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "action", required_argument, NULL, 'a' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	struct request rq = { .cmd = SYSANOM_CMD_TRACK };
	struct request set = { .cmd = SYSANOM_CMD_SET };
	uint64_t action = 0;
	int c, ret;

	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'a':
			if (parse_action(optarg, &action))
				return sa_usage_error("enforce",
					"--action takes log or kill");
			break;
		case 'h':
			printf("usage: sysanomctl enforce [--action log|kill] TARGET\n"
			       "Detect: every anomaly of TARGET raises an alert; with\n"
			       "--action kill the offending process is also killed.\n"
			       "Without --action the current response is kept (log by\n"
			       "default).\n");
			return 0;
		default:
			return sa_usage_error("enforce", "unknown option");
		}
	}
	if (argc - optind != 1)
		return sa_usage_error("enforce", "expects one TARGET");
	if (action) {
		add(&set, SYSANOM_A_ACTION, 0, action);
		ret = send_request("enforce", &set, argv[optind]);
		if (ret)
			return ret;
	}
	add(&rq, SYSANOM_A_MODE, 0, SYSANOM_MODE_ENFORCING);
	ret = send_request("enforce", &rq, argv[optind]);
	if (!ret)
		warn_unready(argv[optind]);
	return ret;
}

/*
 * Enforcing a profile that has not converged, or whose thresholds were
 * not learnt, works but raises false alerts or misses intrusions: say so.
 */
static void warn_unready(const char *target)
{
	uint64_t a[SYSANOM_A_MAX + 1], id;
	char err[256];

	if (sa_target_resolve(target, &id, err, sizeof(err)) ||
	    sa_status_get(id, a))
		return;
	if (!a[SYSANOM_A_CONVERGED])
		fprintf(stderr, "sysanomctl: enforce: warning: the profile of %s has not converged (growth slope %.6f): expect false alerts\n",
			target, a[SYSANOM_A_SLOPE_PPM] / 1e6);
	if (a[SYSANOM_A_CALIBRATION] < SYSANOM_CALIB_DONE)
		fprintf(stderr, "sysanomctl: enforce: warning: the thresholds of %s were not learnt (calibration %s): 'train --until-stable' or 'calibrate' learns them\n",
			target, sa_calibration_name(a[SYSANOM_A_CALIBRATION]));
}

int cmd_calibrate(int argc, char **argv)
{
	struct request rq = { .cmd = SYSANOM_CMD_TRACK };

	if (argc == 2 && (!strcmp(argv[1], "--help") ||
			  !strcmp(argv[1], "-h"))) {
		printf("usage: sysanomctl calibrate TARGET\n"
		       "Score TARGET's behaviour against its profile without\n"
		       "alerting, learn what it missed, then set its thresholds a\n"
		       "margin over the worst frame it saw ('set margin=') and\n"
		       "enforce. Takes at least 10 seconds and 15 growth checkpoints\n"
		       "of windows (15360 at growth_shift 10).\n");
		return 0;
	}
	if (argc != 2)
		return sa_usage_error("calibrate", "expects one TARGET");
	add(&rq, SYSANOM_A_MODE, 0, SYSANOM_MODE_CALIBRATING);
	return send_request("calibrate", &rq, argv[1]);
}

int cmd_untrack(int argc, char **argv)
{
	struct request rq = { .cmd = SYSANOM_CMD_UNTRACK };

	if (argc == 2 && (!strcmp(argv[1], "--help") ||
			  !strcmp(argv[1], "-h"))) {
		printf("usage: sysanomctl untrack TARGET\n"
		       "Stop monitoring TARGET and drop what was learnt about it.\n");
		return 0;
	}
	if (argc != 2)
		return sa_usage_error("untrack", "expects one TARGET");
	return send_request("untrack", &rq, argv[1]);
}
