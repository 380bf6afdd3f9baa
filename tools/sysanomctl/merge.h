/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The union of profiles that several nodes learnt for the same image
 * (sysanomctl merge). What the merged counters mean: docs/engine.md,
 * "Merging profiles".
 */
#ifndef SYSANOMCTL_MERGE_H
#define SYSANOMCTL_MERGE_H

#include <stddef.h>

#include "sysanom/profile_fmt.h"

struct sa_merge_input {
	const char *name;		/* for messages */
	const unsigned char *data;	/* a profile file's bytes */
	size_t len;
};

struct sa_merge_result {
	unsigned char *data;	/* the merged profile file (malloc'ed) */
	size_t len;
	unsigned int used;	/* inputs merged (byte-identical ones once) */
	int calib_dropped;	/* some input was not calibrated */
};

/*
 * Merges @n profiles. Returns 0, or -EBADMSG (an input is corrupt),
 * -EINVAL (parameters differ), -E2BIG (union too large), -ENOMEM, with
 * a one-line reason in @err.
 */
int sa_profile_merge(const struct sa_merge_input *in, unsigned int n,
		     struct sa_merge_result *res, char *err, size_t errlen);

int cmd_merge(int argc, char **argv);

#endif
