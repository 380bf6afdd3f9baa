/* SPDX-License-Identifier: GPL-2.0 */
/* The rows of 'sysanomctl status', shared by its output formats. */
#ifndef SYSANOMCTL_STATUS_H
#define SYSANOMCTL_STATUS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <uapi/linux/sysanom.h>

/* A mode's name, as status, alerts and the metrics show it. */
static inline const char *sa_mode_name(uint32_t mode)
{
	switch (mode) {
	case SYSANOM_MODE_TRAINING:
		return "training";
	case SYSANOM_MODE_ENFORCING:
		return "enforcing";
	case SYSANOM_MODE_CALIBRATING:
		return "calibrating";
	default:
		return "unknown";
	}
}

struct cgroup_row {
	uint64_t a[SYSANOM_A_MAX + 1];	/* numeric attributes by type */
	char path[4096];
};

struct rows {
	struct cgroup_row *v;
	size_t n, cap;
	int oom;
};

/*
 * The node_exporter text format of @rows and of the module's totals, the
 * first line of /proc/sysanom/status given in @totals (NULL when it could
 * not be read; @loaded 0 when the module is not loaded).
 */
void sa_prom_format(FILE *f, const struct rows *rows, const char *totals,
		    int loaded);
/* The container label of a cgroup path: its runtime's id or its name. */
void sa_prom_container(const char *path, char *buf, size_t len);

#endif
