// SPDX-License-Identifier: GPL-2.0
/* Whole-file reads, and atomic writes (temporary file, fsync, rename). */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE	/* mkostemp */
#endif
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "atomic_file.h"

int sa_file_read(const char *path, size_t max, unsigned char **data,
		 size_t *len)
{
	int fd = strcmp(path, "-") ? open(path, O_RDONLY | O_CLOEXEC) : 0;
	unsigned char *d = NULL, *nd;
	size_t cap = 0;
	int ret = 0;
	ssize_t n;

	*len = 0;
	*data = NULL;
	if (fd < 0)
		return -errno;
	for (;;) {
		if (*len == cap) {
			cap = cap ? cap * 2 : 65536;
			nd = realloc(d, cap);
			if (!nd) {
				ret = -ENOMEM;
				break;
			}
			d = nd;
		}
		n = read(fd, d + *len, cap - *len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			ret = -errno;
			break;
		}
		if (!n)
			break;
		*len += (size_t)n;
		if (*len > max) {
			ret = -EFBIG;
			break;
		}
	}
	if (fd)
		close(fd);
	if (ret) {
		free(d);
		*len = 0;
		return ret;
	}
	*data = d;
	return 0;
}

static int write_all(int fd, const void *data, size_t len)
{
	const char *p = data;

	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

int sa_file_write_atomic(const char *path, const void *data, size_t len,
			 mode_t mode)
{
	char tmp[PATH_MAX], dir[PATH_MAX];
	const char *slash = strrchr(path, '/');
	int fd, dfd, ret;

	if (!strcmp(path, "-")) {
		ret = write_all(1, data, len);
		return ret;
	}
	if (slash == path)
		snprintf(dir, sizeof(dir), "/");
	else if (slash)
		snprintf(dir, sizeof(dir), "%.*s", (int)(slash - path), path);
	else
		snprintf(dir, sizeof(dir), ".");
	/* Same directory, so that rename() never crosses a file system. */
	if (snprintf(tmp, sizeof(tmp), "%s/.%s.XXXXXX", dir,
		     slash ? slash + 1 : path) >= (int)sizeof(tmp))
		return -ENAMETOOLONG;
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0)
		return -errno;
	ret = write_all(fd, data, len);
	if (!ret && fchmod(fd, mode))
		ret = -errno;
	if (!ret && fsync(fd))
		ret = -errno;
	if (close(fd) && !ret)
		ret = -errno;
	if (!ret && rename(tmp, path))
		ret = -errno;
	if (ret) {
		unlink(tmp);
		return ret;
	}
	/* The rename itself survives a crash once the directory is synced. */
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd >= 0) {
		if (fsync(dfd))
			ret = -errno;
		close(dfd);
	}
	return ret;
}
