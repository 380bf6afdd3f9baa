/* SPDX-License-Identifier: GPL-2.0 */
/* Container names and ids, as runtimes lay out their state and cgroups. */
#ifndef SYSANOMCTL_CONTAINER_H
#define SYSANOMCTL_CONTAINER_H

#include <stddef.h>

int sa_container_cgroup(const char *name, const char *mnt, char *path,
			size_t len);

/* A running container, named from its runtime's state on disk. */
struct sa_ctr {
	char id[128];		/* the runtime's container id */
	char runtime[16];	/* runc, crun, docker, containerd, podman, cri-o */
	char name[512];		/* namespace/pod/container, a Docker or Podman name, or the id */
	char k8s_namespace[128], k8s_pod[256], k8s_container[128];
	char image[512];	/* image name, "" when unknown */
	char digest[160];	/* image digest (sha256:...), "" when unknown */
	char cgroup[4096];	/* below the cgroup2 root, "" when unknown */
	long pid;		/* init process, 0 when unknown */
	int alive;		/* the init process runs: cgroup read from it */
	char **labels;		/* "key=value": OCI annotations and runtime labels */
	size_t nlabels;
};

/*
 * Every container in the runtimes' state directories, below @root (""
 * for the host; tests point it at a fake tree). Sandbox (pause) containers
 * of Kubernetes pods are left out. Returns the number, or a negative errno;
 * free with sa_ctr_free.
 */
int sa_ctr_list(const char *root, struct sa_ctr **out);
void sa_ctr_free(struct sa_ctr *v, size_t n);
/* The value of label @key, or NULL. */
const char *sa_ctr_label(const struct sa_ctr *c, const char *key);

#endif
