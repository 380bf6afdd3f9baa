/* SPDX-License-Identifier: GPL-2.0 */
/* Profiles between the module, files and memory. */
#ifndef SYSANOMCTL_PROFILE_IO_H
#define SYSANOMCTL_PROFILE_IO_H

#include <stddef.h>
#include <stdint.h>

int sa_profile_fetch(uint64_t id, unsigned char **data, size_t *len);
int sa_profile_push(uint64_t id, const void *data, size_t len, uint32_t mode);
int sa_write_atomic(const char *path, const void *data, size_t len);
int sa_read_file(const char *path, unsigned char **data, size_t *len);

#endif
