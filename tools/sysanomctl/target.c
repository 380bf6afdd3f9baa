// SPDX-License-Identifier: GPL-2.0
/*
 * TARGET -> cgroup id. A cgroup v2 id is the inode number of the cgroup's
 * directory in the cgroup2 mount, so a path resolves with stat(2).
 */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>

#include "container.h"
#include "target.h"

#ifndef CGROUP2_SUPER_MAGIC
#define CGROUP2_SUPER_MAGIC 0x63677270
#endif

/* The first cgroup2 mount point in /proc/self/mountinfo. */
int sa_cgroup2_mount(char *buf, size_t len)
{
	char line[4096], mnt[4096], fstype[64];
	FILE *f = fopen("/proc/self/mountinfo", "re");
	int ret = -ENOENT;

	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		const char *sep = strstr(line, " - ");

		if (!sep || sscanf(sep, " - %63s", fstype) != 1 ||
		    strcmp(fstype, "cgroup2"))
			continue;
		if (sscanf(line, "%*s %*s %*s %*s %4095s", mnt) != 1)
			continue;
		if (strlen(mnt) >= len) {
			ret = -ENAMETOOLONG;
			break;
		}
		strcpy(buf, mnt);
		ret = 0;
		break;
	}
	fclose(f);
	return ret;
}

static int parse_id(const char *arg, uint64_t *id)
{
	char *end;

	for (const char *c = arg; *c; c++)
		if (!isdigit((unsigned char)*c))
			return -EINVAL;
	errno = 0;
	*id = strtoull(arg, &end, 10);
	if (errno || *end || !*arg)
		return -ERANGE;
	return 0;
}

int sa_target_resolve(const char *arg, uint64_t *id, char *err,
		      size_t errlen)
{
	char mnt[4096], path[8192];
	struct statfs sfs;
	struct stat st;
	int ret;

	if (!*arg) {
		snprintf(err, errlen, "empty target");
		return -EINVAL;
	}
	ret = parse_id(arg, id);
	if (ret != -EINVAL) {
		if (ret)
			snprintf(err, errlen, "cgroup id out of range: %s",
				 arg);
		return ret;
	}

	if (arg[0] == '/') {
		snprintf(path, sizeof(path), "%s", arg);
	} else {
		ret = sa_cgroup2_mount(mnt, sizeof(mnt));
		if (ret) {
			snprintf(err, errlen, "no cgroup2 mount to resolve %s",
				 arg);
			return ret;
		}
		if (snprintf(path, sizeof(path), "%s/%s", mnt, arg) >=
		    (int)sizeof(path)) {
			snprintf(err, errlen, "path too long: %s", arg);
			return -ENAMETOOLONG;
		}
	}
	if (stat(path, &st) && errno == ENOENT && arg[0] != '/') {
		/* Not a cgroup below the mount: maybe a container. */
		ret = sa_container_cgroup(arg, mnt, path, sizeof(path));
		if (ret == -EEXIST) {
			snprintf(err, errlen, "%s matches several containers",
				 arg);
			return ret;
		}
		if (ret) {
			snprintf(err, errlen, "no such cgroup or container: %s",
				 arg);
			return -ENOENT;
		}
	}
	if (stat(path, &st) || statfs(path, &sfs)) {
		ret = -errno;
		snprintf(err, errlen, "%s: %s", path, strerror(-ret));
		return ret;
	}
	if (!S_ISDIR(st.st_mode) || sfs.f_type != CGROUP2_SUPER_MAGIC) {
		snprintf(err, errlen, "%s: not a cgroup v2 directory", path);
		return -ENOTDIR;
	}
	*id = st.st_ino;
	return 0;
}
