/* SPDX-License-Identifier: GPL-2.0 */
/* The watcher's configuration file, /etc/sysanom/sysanom.conf. */
#ifndef SYSANOMCTL_CONFIG_H
#define SYSANOMCTL_CONFIG_H

#include <stddef.h>

#include "container.h"

#define SA_CONFIG_DEFAULT "/etc/sysanom/sysanom.conf"
#define SA_STORE_DEFAULT "/var/lib/sysanom"
#define SA_STARTUP_GRACE 5

enum sa_sel { SA_SEL_NAME, SA_SEL_IMAGE, SA_SEL_NAMESPACE, SA_SEL_LABEL };

struct sa_rule {
	enum sa_sel sel;
	char *key;		/* label key (SA_SEL_LABEL) */
	char *pattern;		/* fnmatch(3) pattern; NULL: the label exists */
	int line;
};

struct sa_config {
	int action_kill;	/* default action: 0 log, 1 kill */
	int hold;		/* new profiles held for review */
	int startup_grace;	/* seconds a new container learns its start */
	char store[4096];
	struct sa_rule *include, *exclude;
	size_t ninclude, nexclude;
};

/* Defaults: watch every container, log, enforce new profiles at once. */
void sa_config_init(struct sa_config *cfg);
/*
 * Read @path into @cfg. A missing file is an error only when @must_exist.
 * On a bad line: -EINVAL and "FILE:LINE: what" in @err.
 */
int sa_config_load(struct sa_config *cfg, const char *path, int must_exist,
		   char *err, size_t errlen);
void sa_config_free(struct sa_config *cfg);
/* Is @c watched? On no, @why says which rule (or that no include matched). */
int sa_config_watches(const struct sa_config *cfg, const struct sa_ctr *c,
		      char *why, size_t len);
/* The rule as written in the file, e.g. "label:app=web*". */
void sa_rule_text(const struct sa_rule *r, char *buf, size_t len);

#endif
