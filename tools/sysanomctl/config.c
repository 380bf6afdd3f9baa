// SPDX-License-Identifier: GPL-2.0
/*
 * The watcher's configuration: "key = value" lines, '#' or ';' comments,
 * parsed by hand (it is tiny). Keys: action, new_profiles, store, include,
 * exclude (repeatable). Each bad line is reported with its number.
 */
#include <ctype.h>
#include <errno.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"

void sa_config_init(struct sa_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	snprintf(cfg->store, sizeof(cfg->store), "%s", SA_STORE_DEFAULT);
	cfg->startup_grace = SA_STARTUP_GRACE;
}

void sa_config_free(struct sa_config *cfg)
{
	for (size_t i = 0; i < cfg->ninclude; i++) {
		free(cfg->include[i].key);
		free(cfg->include[i].pattern);
	}
	for (size_t i = 0; i < cfg->nexclude; i++) {
		free(cfg->exclude[i].key);
		free(cfg->exclude[i].pattern);
	}
	free(cfg->include);
	free(cfg->exclude);
	sa_config_init(cfg);
}

static char *trim(char *s)
{
	char *e;

	while (isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return s;
}

static const char *const sel_names[] = { "name", "image", "namespace",
					 "label" };

/* "name:GLOB", "image:GLOB", "namespace:GLOB", "label:KEY[=GLOB]". */
static int parse_rule(const char *v, struct sa_rule *r, char *what,
		      size_t len)
{
	const char *colon = strchr(v, ':'), *arg;
	size_t i;

	memset(r, 0, sizeof(*r));
	if (!colon) {
		snprintf(what, len, "expected SELECTOR:PATTERN (name, image, namespace or label), got '%s'",
			 v);
		return -EINVAL;
	}
	for (i = 0; i < 4; i++)
		if (strlen(sel_names[i]) == (size_t)(colon - v) &&
		    !strncmp(v, sel_names[i], colon - v))
			break;
	if (i == 4) {
		snprintf(what, len, "unknown selector '%.*s' (name, image, namespace or label)",
			 (int)(colon - v), v);
		return -EINVAL;
	}
	r->sel = i;
	arg = colon + 1;
	if (!*arg) {
		snprintf(what, len, "empty pattern after '%s:'", sel_names[i]);
		return -EINVAL;
	}
	if (r->sel == SA_SEL_LABEL) {
		const char *eq = strchr(arg, '=');

		if (eq == arg) {
			snprintf(what, len, "empty label key in '%s'", v);
			return -EINVAL;
		}
		r->key = eq ? strndup(arg, eq - arg) : strdup(arg);
		if (eq)
			r->pattern = strdup(eq + 1);
		if (!r->key || (eq && !r->pattern))
			return -ENOMEM;
		return 0;
	}
	r->pattern = strdup(arg);
	return r->pattern ? 0 : -ENOMEM;
}

static int add_rule(struct sa_rule **v, size_t *n, const struct sa_rule *r)
{
	struct sa_rule *nv = realloc(*v, (*n + 1) * sizeof(**v));

	if (!nv)
		return -ENOMEM;
	*v = nv;
	nv[(*n)++] = *r;
	return 0;
}

static int parse_line(struct sa_config *cfg, char *line, int lineno,
		      char *what, size_t len)
{
	char *eq, *key, *val;
	struct sa_rule r;
	int ret;

	line = trim(line);
	if (!*line || *line == '#' || *line == ';')
		return 0;
	eq = strchr(line, '=');
	if (!eq) {
		snprintf(what, len, "expected key = value, got '%s'", line);
		return -EINVAL;
	}
	*eq = '\0';
	key = trim(line);
	val = trim(eq + 1);
	if (!*val) {
		snprintf(what, len, "'%s' has no value", key);
		return -EINVAL;
	}
	if (!strcmp(key, "action")) {
		if (!strcmp(val, "log") || !strcmp(val, "kill")) {
			cfg->action_kill = !strcmp(val, "kill");
			return 0;
		}
		snprintf(what, len, "action is log or kill, not '%s'", val);
		return -EINVAL;
	}
	if (!strcmp(key, "new_profiles")) {
		if (!strcmp(val, "enforce") || !strcmp(val, "hold")) {
			cfg->hold = !strcmp(val, "hold");
			return 0;
		}
		snprintf(what, len, "new_profiles is enforce or hold, not '%s'",
			 val);
		return -EINVAL;
	}
	if (!strcmp(key, "startup_grace")) {
		char *end;
		long v = strtol(val, &end, 10);

		if (*end || v < 0 || v > 600) {
			snprintf(what, len, "startup_grace is 0..600 seconds, not '%s'",
				 val);
			return -EINVAL;
		}
		cfg->startup_grace = v;
		return 0;
	}
	if (!strcmp(key, "store")) {
		if (val[0] != '/' || strlen(val) >= sizeof(cfg->store)) {
			snprintf(what, len, "store must be an absolute path, not '%s'",
				 val);
			return -EINVAL;
		}
		snprintf(cfg->store, sizeof(cfg->store), "%s", val);
		return 0;
	}
	if (strcmp(key, "include") && strcmp(key, "exclude")) {
		snprintf(what, len, "unknown key '%s' (action, new_profiles, startup_grace, store, include, exclude)",
			 key);
		return -EINVAL;
	}
	ret = parse_rule(val, &r, what, len);
	if (!ret) {
		r.line = lineno;
		ret = key[0] == 'i' ?
		      add_rule(&cfg->include, &cfg->ninclude, &r) :
		      add_rule(&cfg->exclude, &cfg->nexclude, &r);
	}
	if (ret) {
		free(r.key);
		free(r.pattern);
		if (ret == -ENOMEM)
			snprintf(what, len, "out of memory");
	}
	return ret;
}

int sa_config_load(struct sa_config *cfg, const char *path, int must_exist,
		   char *err, size_t errlen)
{
	char line[8192], what[512];
	int lineno = 0, ret = 0;
	FILE *f = fopen(path, "re");

	if (!f) {
		ret = -errno;
		if (ret == -ENOENT && !must_exist)
			return 0;
		snprintf(err, errlen, "%s: %s", path, strerror(-ret));
		return ret;
	}
	while (fgets(line, sizeof(line), f)) {
		lineno++;
		if (!strchr(line, '\n') && !feof(f)) {
			snprintf(err, errlen, "%s:%d: line too long", path,
				 lineno);
			ret = -EINVAL;
			break;
		}
		line[strcspn(line, "\n")] = '\0';
		ret = parse_line(cfg, line, lineno, what, sizeof(what));
		if (ret) {
			snprintf(err, errlen, "%s:%d: %s", path, lineno, what);
			break;
		}
	}
	if (!ret && ferror(f)) {
		ret = -EIO;
		snprintf(err, errlen, "%s: read error", path);
	}
	fclose(f);
	return ret;
}

void sa_rule_text(const struct sa_rule *r, char *buf, size_t len)
{
	if (r->sel == SA_SEL_LABEL)
		snprintf(buf, len, "label:%s%s%s", r->key,
			 r->pattern ? "=" : "", r->pattern ? r->pattern : "");
	else
		snprintf(buf, len, "%s:%s", sel_names[r->sel], r->pattern);
}

static int rule_matches(const struct sa_rule *r, const struct sa_ctr *c)
{
	const char *v;

	switch (r->sel) {
	case SA_SEL_NAME:
		/* The display name, the runtime's id or the Kubernetes name. */
		return !fnmatch(r->pattern, c->name, 0) ||
		       !fnmatch(r->pattern, c->id, 0) ||
		       (c->k8s_container[0] &&
			!fnmatch(r->pattern, c->k8s_container, 0));
	case SA_SEL_IMAGE:
		return (c->image[0] && !fnmatch(r->pattern, c->image, 0)) ||
		       (c->digest[0] && !fnmatch(r->pattern, c->digest, 0));
	case SA_SEL_NAMESPACE:
		return c->k8s_namespace[0] &&
		       !fnmatch(r->pattern, c->k8s_namespace, 0);
	case SA_SEL_LABEL:
		v = sa_ctr_label(c, r->key);
		return v && (!r->pattern || !fnmatch(r->pattern, v, 0));
	}
	return 0;
}

int sa_config_watches(const struct sa_config *cfg, const struct sa_ctr *c,
		      char *why, size_t len)
{
	char rule[1024];
	size_t i;

	for (i = 0; i < cfg->ninclude; i++)
		if (rule_matches(&cfg->include[i], c))
			break;
	if (cfg->ninclude && i == cfg->ninclude) {
		snprintf(why, len, "no include rule matches");
		return 0;
	}
	for (i = 0; i < cfg->nexclude; i++) {
		if (!rule_matches(&cfg->exclude[i], c))
			continue;
		sa_rule_text(&cfg->exclude[i], rule, sizeof(rule));
		snprintf(why, len, "excluded by line %d: %s",
			 cfg->exclude[i].line, rule);
		return 0;
	}
	snprintf(why, len, "watched");
	return 1;
}
