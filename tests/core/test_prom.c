// SPDX-License-Identifier: GPL-2.0
/*
 * Unit test of status --prometheus's formatter (tools/sysanomctl/
 * prometheus.c) on made-up rows: the samples it must hold, and files
 * that tests/helpers/test-prom-check.sh then validates strictly.
 * usage: test_prom OUTDIR    (writes OUTDIR/{full,empty,unloaded}.prom)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "status.h"

static int failures, checks;

#define CHECK(cond) do {						\
	checks++;							\
	if (!(cond)) {							\
		failures++;						\
		fprintf(stderr, "%s:%d: FAIL: %s\n", __FILE__, __LINE__, \
			#cond);						\
	}								\
} while (0)

static char *format(const struct rows *rows, const char *totals, int loaded,
		    const char *dir, const char *name)
{
	char *text = NULL, path[4096];
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	sa_prom_format(f, rows, totals, loaded);
	fclose(f);
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	if (!f || fwrite(text, 1, len, f) != len || fclose(f)) {
		perror(path);
		exit(1);
	}
	return text;
}

static int count(const char *text, const char *needle)
{
	int n = 0;

	for (const char *p = text; (p = strstr(p, needle)); p++)
		n++;
	return n;
}

int main(int argc, char **argv)
{
	struct cgroup_row r[3];
	struct rows rows = { r, 3, 3, 0 };
	char buf[256], *t;

	if (argc != 2) {
		fprintf(stderr, "usage: test_prom OUTDIR\n");
		return 2;
	}
	sa_prom_container("/system.slice/docker-0123456789ab.scope", buf, sizeof(buf));
	CHECK(!strcmp(buf, "0123456789ab"));
	sa_prom_container("/kubepods/pod1/cri-containerd-feed.scope", buf, sizeof(buf));
	CHECK(!strcmp(buf, "feed"));
	sa_prom_container("/machine.slice/libpod-abc.scope", buf, sizeof(buf));
	CHECK(!strcmp(buf, "abc"));
	sa_prom_container("/ct-web", buf, sizeof(buf));
	CHECK(!strcmp(buf, "ct-web"));

	memset(r, 0, sizeof(r));
	r[0].a[SYSANOM_A_CGROUP_ID] = 5;
	r[0].a[SYSANOM_A_MODE] = SYSANOM_MODE_ENFORCING;
	r[0].a[SYSANOM_A_SYSCALLS] = 123456789012ULL;
	r[0].a[SYSANOM_A_WINDOWS] = 1000;
	r[0].a[SYSANOM_A_ENTRIES] = 321;
	r[0].a[SYSANOM_A_SLOPE_PPM] = 1500;
	r[0].a[SYSANOM_A_ALERTS] = 7;
	r[0].a[SYSANOM_A_MEM_BYTES] = 65536;
	strcpy(r[0].path, "/ct-web");
	r[1].a[SYSANOM_A_CGROUP_ID] = 6;
	r[1].a[SYSANOM_A_MODE] = SYSANOM_MODE_TRAINING;
	/* Any byte a directory name may hold, quotes and newlines too. */
	strcpy(r[1].path, "/we\"ird\\na\nme");
	r[2].a[SYSANOM_A_CGROUP_ID] = 7;	/* removed: no path */
	r[2].a[SYSANOM_A_MODE] = SYSANOM_MODE_CALIBRATING;

	t = format(&rows, "threads 4 untracked_calls 12 profile_bytes 99 alerts_lost 3\n",
		   1, argv[1], "full.prom");
	CHECK(strstr(t, "sysanom_module_loaded 1\n") != NULL);
	CHECK(strstr(t, "sysanom_monitored_cgroups 3\n") != NULL);
	CHECK(strstr(t, "sysanom_threads 4\n") != NULL);
	CHECK(strstr(t, "sysanom_untracked_calls_total 12\n") != NULL);
	CHECK(strstr(t, "sysanom_module_profile_bytes 99\n") != NULL);
	CHECK(strstr(t, "sysanom_alerts_lost_total 3\n") != NULL);
	CHECK(strstr(t, "sysanom_syscalls_total{container=\"ct-web\",cgroup=\"/ct-web\",cgroup_id=\"5\"} 123456789012\n") != NULL);
	CHECK(strstr(t, "sysanom_alerts_total{container=\"ct-web\",cgroup=\"/ct-web\",cgroup_id=\"5\"} 7\n") != NULL);
	CHECK(strstr(t, "sysanom_growth_slope{container=\"ct-web\",cgroup=\"/ct-web\",cgroup_id=\"5\"} 0.0015\n") != NULL);
	CHECK(strstr(t, "sysanom_profile_entries{container=\"ct-web\",cgroup=\"/ct-web\",cgroup_id=\"5\"} 321\n") != NULL);
	CHECK(strstr(t, "sysanom_profile_windows{container=\"ct-web\",cgroup=\"/ct-web\",cgroup_id=\"5\"} 1000\n") != NULL);
	CHECK(strstr(t, "sysanom_profile_bytes{container=\"ct-web\",cgroup=\"/ct-web\",cgroup_id=\"5\"} 65536\n") != NULL);
	CHECK(strstr(t, "sysanom_mode{container=\"ct-web\",cgroup=\"/ct-web\",cgroup_id=\"5\",mode=\"enforcing\"} 1\n") != NULL);
	CHECK(strstr(t, "sysanom_mode{container=\"ct-web\",cgroup=\"/ct-web\",cgroup_id=\"5\",mode=\"training\"} 0\n") != NULL);
	CHECK(strstr(t, "cgroup=\"/we\\\"ird\\\\na\\nme\"") != NULL);
	CHECK(strstr(t, "sysanom_mode{container=\"\",cgroup=\"\",cgroup_id=\"7\",mode=\"calibrating\"} 1\n") != NULL);
	/* One mode per container is 1. */
	CHECK(count(t, "sysanom_mode{") == 9);
	CHECK(count(t, ",mode=\"enforcing\"} 1\n") + count(t, ",mode=\"training\"} 1\n") +
	      count(t, ",mode=\"calibrating\"} 1\n") == 3);
	CHECK(count(t, "# TYPE ") == count(t, "# HELP "));
	free(t);

	/* A totals line the formatter cannot read: those metrics are left out. */
	rows.n = 0;
	t = format(&rows, "threads x untracked_calls", 1, argv[1], "empty.prom");
	CHECK(strstr(t, "sysanom_monitored_cgroups 0\n") != NULL);
	CHECK(strstr(t, "sysanom_threads") == NULL);
	CHECK(strstr(t, "untracked") == NULL);
	CHECK(strstr(t, "sysanom_mode") == NULL);
	free(t);

	t = format(&rows, NULL, 0, argv[1], "unloaded.prom");
	CHECK(!strcmp(t, "# HELP sysanom_module_loaded 1 when the sysanom module is loaded.\n"
		      "# TYPE sysanom_module_loaded gauge\nsysanom_module_loaded 0\n"));
	free(t);
	printf("test_prom: %d checks, %d failures\n", checks, failures);
	return failures ? 1 : 0;
}
