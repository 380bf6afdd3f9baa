// SPDX-License-Identifier: GPL-2.0
/*
 * status --prometheus: node_exporter's text format (version 0.0.4), for
 * its textfile collector. Per container, labelled container and cgroup:
 * counters (calls, alerts) and gauges (windows, entries, slope, bytes),
 * and the mode as a gauge with a mode label, 1 for the current one (the
 * pattern of node_systemd_unit_state). Module totals from the first line
 * of /proc/sysanom/status.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "status.h"

/* Label values escape backslash, double quote and newline, nothing else. */
static void label_value(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '\\' || *s == '"')
			fprintf(f, "\\%c", *s);
		else if (*s == '\n')
			fputs("\\n", f);
		else
			fputc(*s, f);
	}
	fputc('"', f);
}

static int has_prefix(const char *s, const char *p)
{
	return !strncmp(s, p, strlen(p));
}

void sa_prom_container(const char *path, char *buf, size_t len)
{
	static const char *const prefixes[] = {
		"docker-", "libpod-", "cri-containerd-", "crio-", "containerd-",
	};
	const char *base = strrchr(path, '/');
	size_t n;

	base = base ? base + 1 : path;
	/* The runtimes' scopes: docker-ID.scope, libpod-ID.scope, ... */
	for (size_t i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++)
		if (has_prefix(base, prefixes[i])) {
			base += strlen(prefixes[i]);
			break;
		}
	n = strlen(base);
	if (n > 6 && !strcmp(base + n - 6, ".scope"))
		n -= 6;
	snprintf(buf, len, "%.*s", (int)n, base);
}

struct metric {
	const char *name;
	const char *type;
	const char *help;
	int attr;		/* SYSANOM_A_* */
	double scale;		/* 0: the integer as is */
};

static const struct metric per_cgroup[] = {
	{ "sysanom_syscalls_total", "counter",
	  "System calls made in the container while monitored.",
	  SYSANOM_A_SYSCALLS, 0 },
	{ "sysanom_forks_total", "counter",
	  "Tasks created in the container while monitored.",
	  SYSANOM_A_FORKS, 0 },
	{ "sysanom_execs_total", "counter",
	  "Successful execs in the container while monitored.",
	  SYSANOM_A_EXECS, 0 },
	{ "sysanom_profile_windows", "gauge",
	  "Windows of system calls the profile learnt from in training.",
	  SYSANOM_A_WINDOWS, 0 },
	{ "sysanom_profile_entries", "gauge",
	  "Distinct STIDE and BoSC entries in the profile.",
	  SYSANOM_A_ENTRIES, 0 },
	{ "sysanom_growth_slope", "gauge",
	  "New profile entries per window over the recent span of training.",
	  SYSANOM_A_SLOPE_PPM, 1e-6 },
	{ "sysanom_profile_bytes", "gauge",
	  "Memory of the profile's sets in bytes.",
	  SYSANOM_A_MEM_BYTES, 0 },
	{ "sysanom_profile_full", "gauge",
	  "1 when a memory cap stopped the profile's growth.",
	  SYSANOM_A_FULL, 0 },
	{ "sysanom_converged", "gauge",
	  "1 once the growth curve met the until-stable rule, or a calibrated profile was loaded.",
	  SYSANOM_A_CONVERGED, 0 },
	{ "sysanom_alerts_total", "counter",
	  "Anomalies (incidents) raised in the container.",
	  SYSANOM_A_ALERTS, 0 },
	{ "sysanom_alerts_suppressed_total", "counter",
	  "Alerts not logged because of the rate limit.",
	  SYSANOM_A_ALERTS_SUPPRESSED, 0 },
	{ "sysanom_anomalous_windows_total", "counter",
	  "Anomalous windows over all incidents.",
	  SYSANOM_A_ANOMALOUS_WINDOWS, 0 },
};

/* The module's totals: the key on /proc/sysanom/status's first line. */
static const struct {
	const char *key, *name, *type, *help;
} totals_map[] = {
	{ "threads", "sysanom_threads", "gauge",
	  "Threads of monitored containers with windows of their own." },
	{ "untracked_calls", "sysanom_untracked_calls_total", "counter",
	  "System calls of threads over the thread quotas: not judged." },
	{ "profile_bytes", "sysanom_module_profile_bytes", "gauge",
	  "Memory of all profiles in bytes." },
	{ "alerts_lost", "sysanom_alerts_lost_total", "counter",
	  "Alert records overwritten in the alert log before they could be multicast." },
};

static void header(FILE *f, const char *name, const char *type,
		   const char *help)
{
	fprintf(f, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static void labels(FILE *f, const struct cgroup_row *r)
{
	char ct[4096];

	sa_prom_container(r->path, ct, sizeof(ct));
	fputs("{container=", f);
	label_value(f, r->path[0] ? ct : "");
	fputs(",cgroup=", f);
	label_value(f, r->path[0] ? r->path : "");
	/* A cgroup removed meanwhile has no path: its id keeps it apart. */
	fprintf(f, ",cgroup_id=\"%" PRIu64 "\"", r->a[SYSANOM_A_CGROUP_ID]);
}

/* The value of @key in "key value key value ..." or -1. */
static int total_of(const char *line, const char *key, uint64_t *v)
{
	size_t n = strlen(key);
	const char *p = line;

	while ((p = strstr(p, key))) {
		if ((p == line || p[-1] == ' ') && p[n] == ' ') {
			char *end;

			*v = strtoull(p + n + 1, &end, 10);
			return end > p + n + 1 && (*end == ' ' || *end == '\n' ||
						   !*end) ? 0 : -1;
		}
		p += n;
	}
	return -1;
}

void sa_prom_format(FILE *f, const struct rows *rows, const char *totals,
		    int loaded)
{
	static const uint32_t modes[] = {
		SYSANOM_MODE_TRAINING, SYSANOM_MODE_CALIBRATING,
		SYSANOM_MODE_ENFORCING,
	};
	size_t i, m, t;

	header(f, "sysanom_module_loaded", "gauge",
	       "1 when the sysanom module is loaded.");
	fprintf(f, "sysanom_module_loaded %d\n", loaded);
	if (!loaded)
		return;
	header(f, "sysanom_monitored_cgroups", "gauge",
	       "Cgroups (containers) the module monitors.");
	fprintf(f, "sysanom_monitored_cgroups %zu\n", rows->n);
	for (t = 0; totals && t < sizeof(totals_map) / sizeof(totals_map[0]); t++) {
		uint64_t v;

		if (total_of(totals, totals_map[t].key, &v))
			continue;
		header(f, totals_map[t].name, totals_map[t].type,
		       totals_map[t].help);
		fprintf(f, "%s %" PRIu64 "\n", totals_map[t].name, v);
	}
	if (!rows->n)
		return;	/* no family without a sample */
	header(f, "sysanom_mode", "gauge",
	       "1 for the container's current mode (training, calibrating, enforcing).");
	for (i = 0; i < rows->n; i++)
		for (m = 0; m < sizeof(modes) / sizeof(modes[0]); m++) {
			fputs("sysanom_mode", f);
			labels(f, &rows->v[i]);
			fprintf(f, ",mode=\"%s\"} %d\n", sa_mode_name(modes[m]),
				rows->v[i].a[SYSANOM_A_MODE] == modes[m]);
		}
	for (m = 0; m < sizeof(per_cgroup) / sizeof(per_cgroup[0]); m++) {
		const struct metric *mt = &per_cgroup[m];

		header(f, mt->name, mt->type, mt->help);
		for (i = 0; i < rows->n; i++) {
			uint64_t v = rows->v[i].a[mt->attr];

			fputs(mt->name, f);
			labels(f, &rows->v[i]);
			if (mt->scale)
				fprintf(f, "} %.9g\n", (double)v * mt->scale);
			else
				fprintf(f, "} %" PRIu64 "\n", v);
		}
	}
}
