/* SPDX-License-Identifier: GPL-2.0 */
/* Whole-file reads, and writes that never leave a half-written file. */
#ifndef SYSANOMCTL_ATOMIC_FILE_H
#define SYSANOMCTL_ATOMIC_FILE_H

#include <stddef.h>
#include <sys/types.h>

/*
 * Reads all of @path ('-': standard input), at most @max bytes, into a
 * malloc'ed buffer. Returns 0 or -errno (-EFBIG past @max).
 */
int sa_file_read(const char *path, size_t max, unsigned char **data,
		 size_t *len);
/*
 * Writes @path ('-': standard output) atomically: a temporary file in the
 * same directory, fsync, rename over @path, fsync of the directory. A
 * reader sees the old file or the new one, never a part. Returns 0 or
 * -errno; on error @path is untouched and no temporary file remains.
 */
int sa_file_write_atomic(const char *path, const void *data, size_t len,
			 mode_t mode);

#endif
