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
 * And the other way, for the watcher: every container in the runtimes'
 * state directories, with its name, image, Kubernetes names and labels
 * (sa_ctr_list).
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "container.h"
#include "json.h"

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

/* Runtime state directories listed by the watcher, below a root. */
static const struct {
	const char *dir;
	const char *runtime;
	int namespaces;		/* containerd: one more level, the namespace */
} list_roots[] = {
	{ "/run/runc", "runc", 0 },
	{ "/run/crun", "crun", 0 },
	{ "/run/docker/runtime-runc/moby", "docker", 0 },
	{ "/run/containerd/runc", "containerd", 1 },
};

struct labels {
	struct sa_ctr *c;
	int oom;
};

static void add_label(struct sa_ctr *c, const char *key, const char *val,
		      int *oom)
{
	char **v, *s;

	/* The first value wins: the OCI annotations come first. */
	if (sa_ctr_label(c, key))
		return;
	v = realloc(c->labels, (c->nlabels + 1) * sizeof(*v));
	if (!v || asprintf(&s, "%s=%s", key, val) < 0) {
		if (v)
			c->labels = v;
		*oom = 1;
		return;
	}
	c->labels = v;
	c->labels[c->nlabels++] = s;
}

static void label_cb(const char *key, const char *val, void *data)
{
	struct labels *l = data;

	add_label(l->c, key, val, &l->oom);
}

/* runc keeps the annotations in state.json too, as config.labels "k=v". */
static void state_label_cb(const char *kv, void *data)
{
	struct labels *l = data;
	const char *eq = strchr(kv, '=');
	char key[512];

	if (!eq || eq == kv || (size_t)(eq - kv) >= sizeof(key) ||
	    !strncmp(kv, "bundle=", 7))
		return;
	snprintf(key, sizeof(key), "%.*s", (int)(eq - kv), kv);
	add_label(l->c, key, eq + 1, &l->oom);
}

const char *sa_ctr_label(const struct sa_ctr *c, const char *key)
{
	size_t n = strlen(key);

	for (size_t i = 0; i < c->nlabels; i++)
		if (!strncmp(c->labels[i], key, n) && c->labels[i][n] == '=')
			return c->labels[i] + n + 1;
	return NULL;
}

static void copy_label(const struct sa_ctr *c, const char *const *keys,
		       char *out, size_t len)
{
	const char *v;

	if (out[0])
		return;
	for (; *keys; keys++) {
		v = sa_ctr_label(c, *keys);
		if (v && *v) {
			snprintf(out, len, "%s", v);
			return;
		}
	}
}

static void state_bundle_cb(const char *kv, void *data)
{
	if (!strncmp(kv, "bundle=", 7))
		snprintf(data, 4096, "%s", kv + 7);
}

/* Docker: name, image, image id and labels from config.v2.json. */
static void docker_info(const char *root, struct sa_ctr *c, int *oom)
{
	struct labels l = { c, 0 };
	char path[4096];
	const char *v;
	char *cfg;

	snprintf(path, sizeof(path), "%s/var/lib/docker/containers/%s/config.v2.json",
		 root, c->id);
	cfg = slurp(path, 4 << 20);
	if (!cfg)
		return;
	snprintf(c->runtime, sizeof(c->runtime), "docker");
	if (!sa_json_str(sa_json_get(cfg, "Name"), c->name, sizeof(c->name)) &&
	    c->name[0] == '/')
		memmove(c->name, c->name + 1, strlen(c->name));
	if (!c->image[0])
		sa_json_str(sa_json_get(cfg, "Config.Image"), c->image,
			    sizeof(c->image));
	/* The image id is the digest of the image's configuration. */
	v = sa_json_get(cfg, "Image");
	if (!c->digest[0])
		sa_json_str(v, c->digest, sizeof(c->digest));
	sa_json_each_string(sa_json_get(cfg, "Config.Labels"), label_cb, &l);
	*oom |= l.oom;
	free(cfg);
}

/*
 * containers/storage (Podman, CRI-O): containers.json lists each container
 * with its names, image id and, in "metadata" (JSON in a string), the
 * image name.
 */
static void storage_info(const char *root, const char *list,
			 struct sa_ctr *c)
{
	const char *p = list, *id;
	char buf[256];

	if (!list)
		return;
	/* Find the element whose "id" is ours: scan the ids in order. */
	while ((p = strstr(p, "\"id\""))) {
		const char *obj;
		char *meta;

		id = strchr(p + 4, '"');
		p += 4;
		if (!id || sa_json_str(id, buf, sizeof(buf)) ||
		    strcmp(buf, c->id))
			continue;
		for (obj = p; obj > list && *obj != '{'; obj--)
			;
		if (!c->name[0] || !strcmp(c->name, c->id)) {
			const char *names = sa_json_get(obj, "names");

			if (names && *names == '[') {
				const char *q = names + 1;

				while (*q == ' ' || *q == '\n')
					q++;
				sa_json_str(q, c->name, sizeof(c->name));
			}
		}
		if (!c->digest[0] &&
		    !sa_json_str(sa_json_get(obj, "image"), buf, 150) &&
		    buf[0])
			snprintf(c->digest, sizeof(c->digest), "sha256:%.150s",
				 buf);
		meta = malloc(65536);
		if (meta && !sa_json_str(sa_json_get(obj, "metadata"), meta,
					 65536)) {
			if (!c->image[0])
				sa_json_str(sa_json_get(meta, "image-name"),
					    c->image, sizeof(c->image));
			if (!c->name[0])
				sa_json_str(sa_json_get(meta, "name"),
					    c->name, sizeof(c->name));
		}
		free(meta);
		if (!strcmp(c->runtime, "runc") || !strcmp(c->runtime, "crun"))
			snprintf(c->runtime, sizeof(c->runtime), "%s",
				 c->k8s_pod[0] ? "cri-o" : "podman");
		return;
	}
	(void)root;
}

static void fill_names(const char *root, struct sa_ctr *c, const char *list,
		       int *oom)
{
	static const char *const ns_keys[] = {
		"io.kubernetes.cri.sandbox-namespace",
		"io.kubernetes.pod.namespace", NULL };
	static const char *const pod_keys[] = {
		"io.kubernetes.cri.sandbox-name", "io.kubernetes.pod.name",
		NULL };
	static const char *const ctr_keys[] = {
		"io.kubernetes.cri.container-name",
		"io.kubernetes.container.name", NULL };
	static const char *const image_keys[] = {
		"io.kubernetes.cri.image-name", "io.kubernetes.cri-o.ImageName",
		"org.opencontainers.image.ref.name", NULL };
	struct labels l = { c, 0 };
	const char *v, *at;
	char *json;

	copy_label(c, ns_keys, c->k8s_namespace, sizeof(c->k8s_namespace));
	copy_label(c, pod_keys, c->k8s_pod, sizeof(c->k8s_pod));
	copy_label(c, ctr_keys, c->k8s_container, sizeof(c->k8s_container));
	copy_label(c, image_keys, c->image, sizeof(c->image));
	/* CRI-O keeps the container's Kubernetes labels as a JSON map. */
	v = sa_ctr_label(c, "io.kubernetes.cri-o.Labels");
	if (v && (json = strdup(v))) {
		sa_json_each_string(json, label_cb, &l);
		*oom |= l.oom;
		free(json);
	}
	if (c->k8s_pod[0] && !strcmp(c->runtime, "runc"))
		snprintf(c->runtime, sizeof(c->runtime), "cri-o");
	docker_info(root, c, oom);
	storage_info(root, list, c);
	if (c->k8s_container[0])
		snprintf(c->name, sizeof(c->name), "%s/%s/%s",
			 c->k8s_namespace[0] ? c->k8s_namespace : "-",
			 c->k8s_pod[0] ? c->k8s_pod : "-", c->k8s_container);
	if (!c->name[0])
		snprintf(c->name, sizeof(c->name), "%s", c->id);
	/* A reference by digest names its digest. */
	at = strstr(c->image, "@sha256:");
	if (at && !c->digest[0])
		snprintf(c->digest, sizeof(c->digest), "%s", at + 1);
}

static int is_sandbox(const struct sa_ctr *c)
{
	const char *t = sa_ctr_label(c, "io.kubernetes.cri.container-type");

	if (!t)
		t = sa_ctr_label(c, "io.kubernetes.cri-o.ContainerType");
	if (!t)
		t = sa_ctr_label(c, "io.kubernetes.docker.type");
	return t && (!strcmp(t, "sandbox") || !strcmp(t, "podsandbox"));
}

/* One container from <dir>/<id>/state.json (runc) or status (crun). */
static int read_one(const char *root, const char *dir, const char *id,
		    const char *runtime, const char *list, struct sa_ctr *c)
{
	char path[4096], bundle[4096] = "", cgpath[4096];
	struct labels l = { c, 0 };
	char *st, *cfg;
	long long pid;

	memset(c, 0, sizeof(*c));
	if (snprintf(c->id, sizeof(c->id), "%s", id) >= (int)sizeof(c->id))
		return -ENAMETOOLONG;
	snprintf(c->runtime, sizeof(c->runtime), "%s", runtime);
	snprintf(path, sizeof(path), "%s/%s/state.json", dir, id);
	st = slurp(path, 1 << 20);
	if (!st) {
		snprintf(path, sizeof(path), "%s/%s/status", dir, id);
		st = slurp(path, 1 << 20);
	}
	if (!st)
		return -ENOENT;
	pid = sa_json_num(sa_json_get(st, "init_process_pid"));
	if (pid <= 0)
		pid = sa_json_num(sa_json_get(st, "pid"));
	if (pid <= 0) {		/* being written, or not runc's */
		free(st);
		return -EBADMSG;
	}
	c->pid = pid;
	if (sa_json_str(sa_json_get(st, "bundle"), bundle, sizeof(bundle)))
		sa_json_each_elem(sa_json_get(st, "config.labels"),
				  state_bundle_cb, bundle);
	if (c->pid && !pid_cgroup(c->pid, c->cgroup, sizeof(c->cgroup)))
		c->alive = 1;
	else
		c->cgroup[0] = '\0';
	/* No live process to ask: the cgroup runc recorded (v2: key ""). */
	if (!c->cgroup[0] &&
	    !sa_json_str(sa_json_member(sa_json_get(st, "cgroup_paths"), ""),
			 cgpath, sizeof(cgpath))) {
		const char *rel = strncmp(cgpath, "/sys/fs/cgroup", 14) ?
				  cgpath : cgpath + 14;

		snprintf(c->cgroup, sizeof(c->cgroup), "%s", rel[0] ? rel : "/");
	}
	if (bundle[0]) {
		snprintf(path, sizeof(path), "%s%s/config.json", root, bundle);
		cfg = slurp(path, 4 << 20);
		if (cfg)
			sa_json_each_string(sa_json_get(cfg, "annotations"),
					    label_cb, &l);
		free(cfg);
	}
	sa_json_each_elem(sa_json_get(st, "config.labels"), state_label_cb, &l);
	free(st);
	fill_names(root, c, list, &l.oom);
	return l.oom ? -ENOMEM : 0;
}

void sa_ctr_free(struct sa_ctr *v, size_t n)
{
	for (size_t i = 0; v && i < n; i++) {
		for (size_t j = 0; j < v[i].nlabels; j++)
			free(v[i].labels[j]);
		free(v[i].labels);
	}
	free(v);
}

struct ctr_list {
	struct sa_ctr *v;
	size_t n, cap;
};

static int list_dir(const char *root, const char *dir, const char *runtime,
		    const char *list, struct ctr_list *l)
{
	struct dirent *de;
	DIR *d = opendir(dir);
	int ret = 0;

	if (!d)
		return 0;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		if (l->n == l->cap) {
			size_t cap = l->cap ? l->cap * 2 : 16;
			struct sa_ctr *v = realloc(l->v, cap * sizeof(*v));

			if (!v) {
				ret = -ENOMEM;
				break;
			}
			l->v = v;
			l->cap = cap;
		}
		ret = read_one(root, dir, de->d_name, runtime, list,
			       &l->v[l->n]);
		if (ret == -ENOMEM) {
			l->n++;
			break;
		}
		if (!ret && !is_sandbox(&l->v[l->n])) {
			l->n++;
		} else {
			for (size_t j = 0; j < l->v[l->n].nlabels; j++)
				free(l->v[l->n].labels[j]);
			free(l->v[l->n].labels);
		}
		ret = 0;
	}
	closedir(d);
	return ret;
}

int sa_ctr_list(const char *root, struct sa_ctr **out)
{
	struct ctr_list l = { 0 };
	char dir[4096], path[4096];
	char *list;
	int ret = 0;

	/* Podman and CRI-O name their containers in containers/storage. */
	snprintf(path, sizeof(path),
		 "%s/var/lib/containers/storage/overlay-containers/containers.json",
		 root);
	list = slurp(path, 64 << 20);
	for (size_t i = 0; !ret && i < sizeof(list_roots) / sizeof(list_roots[0]);
	     i++) {
		snprintf(dir, sizeof(dir), "%s%s", root, list_roots[i].dir);
		if (!list_roots[i].namespaces) {
			ret = list_dir(root, dir, list_roots[i].runtime, list,
				       &l);
			continue;
		}
		DIR *d = opendir(dir);
		struct dirent *de;

		while (d && !ret && (de = readdir(d))) {
			if (de->d_name[0] == '.')
				continue;
			if (snprintf(path, sizeof(path), "%s/%s", dir,
				     de->d_name) >= (int)sizeof(path))
				continue;
			ret = list_dir(root, path, list_roots[i].runtime, list,
				       &l);
		}
		if (d)
			closedir(d);
	}
	free(list);
	if (ret) {
		sa_ctr_free(l.v, l.n);
		return ret;
	}
	*out = l.v;
	return (int)l.n;
}
