/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The profile store, /var/lib/sysanom: one profile per image (and
 * Kubernetes container name), as the watcher learnt it.
 *   profiles/BASE.prof, BASE.meta   approved: enforced on every container
 *   held/BASE.prof, BASE.meta       learnt, waiting for 'profiles approve'
 *   corrupt/                        files set aside, never loaded
 * BASE is the key made safe for a file name plus a hash of the key. A
 * .meta is "key=value" text: key, image, digest, container, source, saved.
 * The .prof is the engine's profile format ('sysanomctl load' takes it).
 */
#ifndef SYSANOMCTL_STORE_H
#define SYSANOMCTL_STORE_H

#include <stddef.h>
#include <time.h>

#include "container.h"

#define SA_KEY_MAX 1024

struct sa_stored {
	char key[SA_KEY_MAX];
	char base[160];
	int held;
	char image[512], digest[160], container[128], source[512];
	time_t saved;
	size_t size;
};

/* The store key of a container: image digest, else image name, else its name. */
void sa_ctr_key(const struct sa_ctr *c, char *key, size_t len);
void sa_store_base(const char *key, char *base, size_t len);
int sa_store_init(const char *dir);
/*
 * Every stored profile (approved and held). A corrupt one is reported
 * through @report and, when @set_aside, moved to corrupt/; it never stops
 * the others. Returns the number, or a negative errno.
 */
int sa_store_scan(const char *dir, int set_aside, struct sa_stored **out,
		  void (*report)(const char *msg, void *data), void *data);
int sa_store_read(const char *dir, const struct sa_stored *s,
		  unsigned char **data, size_t *len);
int sa_store_write(const char *dir, const struct sa_stored *s,
		   const void *data, size_t len);
int sa_store_approve(const char *dir, const struct sa_stored *s);
int sa_store_remove(const char *dir, const struct sa_stored *s);

int cmd_profiles(int argc, char **argv);

#endif
