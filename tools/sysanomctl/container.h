/* SPDX-License-Identifier: GPL-2.0 */
/* Container names and ids, as runtimes lay out their state and cgroups. */
#ifndef SYSANOMCTL_CONTAINER_H
#define SYSANOMCTL_CONTAINER_H

#include <stddef.h>

int sa_container_cgroup(const char *name, const char *mnt, char *path,
			size_t len);

#endif
