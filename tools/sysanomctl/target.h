/* SPDX-License-Identifier: GPL-2.0 */
/* Naming a container: a cgroup v2 path or a cgroup id. */
#ifndef SYSANOMCTL_TARGET_H
#define SYSANOMCTL_TARGET_H

#include <stddef.h>
#include <stdint.h>

int sa_cgroup2_mount(char *buf, size_t len);
int sa_target_resolve(const char *arg, uint64_t *id, char *err,
		      size_t errlen);

#endif
