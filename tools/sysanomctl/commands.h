/* SPDX-License-Identifier: GPL-2.0 */
/* The commands that talk to the module; each returns an exit status. */
#ifndef SYSANOMCTL_COMMANDS_H
#define SYSANOMCTL_COMMANDS_H

#include <stdint.h>

#define EXIT_RUNTIME 1
#define EXIT_USAGE 2

/* 'train --until-stable' by default, and the watcher: slope, checks. */
#define SA_STABLE_PPM 100
#define SA_STABLE_CHECKS 10

int cmd_train(int argc, char **argv);
int cmd_enforce(int argc, char **argv);
int cmd_set(int argc, char **argv);
int cmd_alerts(int argc, char **argv);
int cmd_allow(int argc, char **argv);
int cmd_save(int argc, char **argv);
int cmd_load(int argc, char **argv);
const char *sa_detector_name(uint32_t det);
const char *sa_calibration_name(uint32_t state);
/* The status attributes of cgroup @id, by type (SYSANOM_A_MAX + 1). */
int sa_status_get(uint64_t id, uint64_t *attrs);
/* Every monitored cgroup's status attributes and path, through @cb. */
int sa_status_each(void (*cb)(const uint64_t *attrs, const char *path,
			       void *data),
		   void *data);
int cmd_calibrate(int argc, char **argv);
int cmd_watch(int argc, char **argv);
int cmd_profiles(int argc, char **argv);
int cmd_containers(int argc, char **argv);
int cmd_untrack(int argc, char **argv);
int cmd_status(int argc, char **argv);

void sa_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int sa_usage_error(const char *cmd, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#endif
