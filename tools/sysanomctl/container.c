// SPDX-License-Identifier: GPL-2.0
/*
 * A container name or id -> its cgroup v2 directory. Tried in order:
 *  - runc-style state (runc, and runc under containerd, Docker, Podman):
 *    <root>/<id>/state.json names the init process; its cgroup is read
 *    from /proc/<pid>/cgroup;
 *  - a Docker container name, from /var/lib/docker/containers/ * /
 *    config.v2.json, turned into its id;
 *  - an id or unique id prefix (at least 12 characters) in the cgroup tree,
 *    as Docker (docker-ID.scope, docker/ID), Podman (libpod-ID.scope),
 *    containerd (cri-containerd-ID.scope) and CRI-O (crio-ID.scope) name
 *    their cgroups.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "container.h"

#define MAX_DEPTH 8

static const char *const state_roots[] = {
	"/run/runc",
	"/run/docker/runtime-runc/moby",
	"/run/containerd/runc/default",
	"/run/containerd/runc/k8s.io",
	"/run/containerd/runc/moby",
	"/run/crun",
};

/* The value of "key": N in a JSON text, or -1. Enough for state.json. */
static long json_long(const char *text, const char *key)
{
	char pat[64];
	const char *p;

	snprintf(pat, sizeof(pat), "\"%s\":", key);
	p = strstr(text, pat);
	return p ? strtol(p + strlen(pat), NULL, 10) : -1;
}

static char *slurp(const char *path, size_t max)
{
	FILE *f = fopen(path, "re");
	char *buf;
	size_t n;

	if (!f)
		return NULL;
	buf = malloc(max + 1);
	if (buf) {
		n = fread(buf, 1, max, f);
		buf[n] = '\0';
	}
	fclose(f);
	return buf;
}

/* The cgroup v2 path of @pid, below the hierarchy root. */
static int pid_cgroup(long pid, char *out, size_t len)
{
	char path[64], line[4096];
	int ret = -ENOENT;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%ld/cgroup", pid);
	f = fopen(path, "re");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		if (strncmp(line, "0::", 3))
			continue;
		line[strcspn(line, "\n")] = '\0';
		if (snprintf(out, len, "%s", line + 3) < (int)len)
			ret = 0;
		break;
	}
	fclose(f);
	return ret;
}

static int from_state(const char *id, const char *mnt, char *out, size_t len)
{
	char path[4096], cg[4096];
	long pid;
	char *st;

	if (strchr(id, '/') || id[0] == '.')
		return -ENOENT;
	for (size_t i = 0; i < sizeof(state_roots) / sizeof(state_roots[0]);
	     i++) {
		snprintf(path, sizeof(path), "%s/%s/state.json", state_roots[i],
			 id);
		st = slurp(path, 1 << 20);
		if (!st)
			continue;
		pid = json_long(st, "init_process_pid");
		if (pid <= 0)
			pid = json_long(st, "pid");
		free(st);
		if (pid > 0 && !pid_cgroup(pid, cg, sizeof(cg)) &&
		    snprintf(out, len, "%s%s", mnt, cg) < (int)len)
			return 0;
	}
	return -ENOENT;
}

/* Docker: a container name -> its full id. */
static int docker_name_to_id(const char *name, char *id, size_t len)
{
	const char *top = "/var/lib/docker/containers";
	char path[4096], pat[512];
	struct dirent *de;
	int ret = -ENOENT;
	DIR *d;

	if (snprintf(pat, sizeof(pat), "\"Name\":\"/%s\"", name) >=
	    (int)sizeof(pat))
		return -ENOENT;
	d = opendir(top);
	if (!d)
		return -ENOENT;
	while ((de = readdir(d))) {
		char *cfg;

		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s/config.v2.json", top,
			 de->d_name);
		cfg = slurp(path, 4 << 20);
		if (cfg && strstr(cfg, pat)) {
			snprintf(id, len, "%s", de->d_name);
			ret = 0;
		}
		free(cfg);
		if (!ret)
			break;
	}
	closedir(d);
	return ret;
}

/* Does cgroup directory name @dn belong to container id (prefix) @id? */
static int names_container(const char *dn, const char *id)
{
	static const char *const prefixes[] = {
		"docker-", "libpod-", "cri-containerd-", "crio-", "",
	};
	size_t n = strlen(id);

	for (size_t i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++) {
		size_t p = strlen(prefixes[i]);

		if (!strncmp(dn, prefixes[i], p) && !strncmp(dn + p, id, n))
			return 1;
	}
	return 0;
}

/* Depth-first search for cgroup directories named after @id. */
static void scan(const char *dir, const char *id, int depth, char *out,
		 size_t len, int *found)
{
	char sub[4096];
	struct dirent *de;
	DIR *d;

	if (depth > MAX_DEPTH || *found > 1)
		return;
	d = opendir(dir);
	if (!d)
		return;
	while ((de = readdir(d)) && *found <= 1) {
		if (de->d_type != DT_DIR || de->d_name[0] == '.')
			continue;
		if (snprintf(sub, sizeof(sub), "%s/%s", dir, de->d_name) >=
		    (int)sizeof(sub))
			continue;
		if (names_container(de->d_name, id)) {
			/* A container's own sub-cgroups are not new matches. */
			if (*found && !strncmp(sub, out, strlen(out)))
				continue;
			if (!*found)
				snprintf(out, len, "%s", sub);
			(*found)++;
			continue;
		}
		scan(sub, id, depth + 1, out, len, found);
	}
	closedir(d);
}

int sa_container_cgroup(const char *name, const char *mnt, char *path,
			size_t len)
{
	char id[256];
	int found = 0;

	if (!from_state(name, mnt, path, len))
		return 0;
	if (!docker_name_to_id(name, id, sizeof(id))) {
		if (!from_state(id, mnt, path, len))
			return 0;
	} else if (snprintf(id, sizeof(id), "%s", name) >= (int)sizeof(id)) {
		return -ENOENT;
	}
	if (strlen(id) < 12 || strspn(id, "0123456789abcdef") != strlen(id))
		return -ENOENT;
	scan(mnt, id, 0, path, len, &found);
	if (found > 1)
		return -EEXIST;
	return found ? 0 : -ENOENT;
}
