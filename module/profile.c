// SPDX-License-Identifier: GPL-2.0
/*
 * The table of monitored containers. Readers on the system-call path find a
 * task's profile under RCU without taking a lock; tracking, untracking and
 * dumps serialise on sysanom_profiles_lock in process context.
 */
#include <linux/cgroup.h>
#include <linux/hashtable.h>
#include <linux/limits.h>
#include <linux/mutex.h>
#include <linux/percpu.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <uapi/linux/sysanom.h>

#include "profile.h"

DEFINE_STATIC_KEY_FALSE(sysanom_tracking);

unsigned int sysanom_max_cgroups = 1024;

static DEFINE_HASHTABLE(sysanom_profiles, 8);
static LIST_HEAD(sysanom_profile_list);
static DEFINE_MUTEX(sysanom_profiles_lock);
static unsigned int sysanom_nprofiles;
static u64 sysanom_next_seq = 1;

static struct sysanom_profile *sysanom_profile_lookup(u64 cgid)
{
	struct sysanom_profile *p;

	hash_for_each_possible_rcu(sysanom_profiles, p, hnode, cgid) {
		if (p->cgid == cgid)
			return p;
	}
	return NULL;
}

/*
 * The profile a task's system calls count against: that of the nearest
 * monitored ancestor of its cgroup, the root excluded. Caller holds RCU.
 */
struct sysanom_profile *sysanom_profile_of(struct task_struct *task)
{
	struct sysanom_profile *p;
	struct cgroup *cgrp;
	int level;

	cgrp = task_dfl_cgroup(task);
	for (level = cgrp->level; level > 0; level--) {
		p = sysanom_profile_lookup(cgroup_id(cgrp->ancestors[level]));
		if (p)
			return p;
	}
	return NULL;
}

int sysanom_profile_track(u64 cgid, u32 mode)
{
	struct sysanom_profile *p;
	struct cgroup *cgrp;
	int ret = 0;

	cgrp = cgroup_get_from_id(cgid);
	if (IS_ERR_OR_NULL(cgrp))
		return -ENOENT;
	/* The root cgroup is the host itself, not a container. */
	if (!cgroup_parent(cgrp)) {
		ret = -EINVAL;
		goto out_put;
	}

	mutex_lock(&sysanom_profiles_lock);
	p = sysanom_profile_lookup(cgid);
	if (p) {
		WRITE_ONCE(p->mode, mode);
		goto out_unlock;
	}
	if (sysanom_nprofiles >= sysanom_max_cgroups) {
		ret = -ENOSPC;
		goto out_unlock;
	}
	p = kzalloc(sizeof(*p), GFP_KERNEL);
	if (!p) {
		ret = -ENOMEM;
		goto out_unlock;
	}
	p->stats = alloc_percpu(struct sysanom_stats);
	if (!p->stats) {
		kfree(p);
		ret = -ENOMEM;
		goto out_unlock;
	}
	p->cgid = cgid;
	p->mode = mode;
	p->seq = sysanom_next_seq++;
	list_add_tail(&p->lnode, &sysanom_profile_list);
	hash_add_rcu(sysanom_profiles, &p->hnode, cgid);
	if (sysanom_nprofiles++ == 0)
		static_branch_enable(&sysanom_tracking);
out_unlock:
	mutex_unlock(&sysanom_profiles_lock);
out_put:
	cgroup_put(cgrp);
	return ret;
}

static void sysanom_profile_free(struct sysanom_profile *p)
{
	free_percpu(p->stats);
	kfree(p);
}

static void sysanom_profile_free_rcu(struct rcu_head *rcu)
{
	sysanom_profile_free(container_of(rcu, struct sysanom_profile, rcu));
}

static void sysanom_profile_unlink(struct sysanom_profile *p)
{
	lockdep_assert_held(&sysanom_profiles_lock);
	hash_del_rcu(&p->hnode);
	list_del(&p->lnode);
	if (--sysanom_nprofiles == 0)
		static_branch_disable(&sysanom_tracking);
}

int sysanom_profile_untrack(u64 cgid)
{
	struct sysanom_profile *p;
	int ret = 0;

	mutex_lock(&sysanom_profiles_lock);
	p = sysanom_profile_lookup(cgid);
	if (!p) {
		ret = -ENOENT;
		goto out_unlock;
	}
	sysanom_profile_unlink(p);
	/* Probes may still hold p: free it after they are done. */
	call_rcu(&p->rcu, sysanom_profile_free_rcu);
out_unlock:
	mutex_unlock(&sysanom_profiles_lock);
	return ret;
}

/* Only after every probe is unregistered and synchronised. */
void sysanom_profile_free_all(void)
{
	struct sysanom_profile *p, *tmp;

	mutex_lock(&sysanom_profiles_lock);
	list_for_each_entry_safe(p, tmp, &sysanom_profile_list, lnode) {
		sysanom_profile_unlink(p);
		sysanom_profile_free(p);
	}
	mutex_unlock(&sysanom_profiles_lock);
	/* Untracked profiles still waiting for a grace period. */
	rcu_barrier();
}

static void sysanom_stats_sum(const struct sysanom_profile *p,
			      struct sysanom_stats *sum)
{
	int cpu;

	memset(sum, 0, sizeof(*sum));
	for_each_possible_cpu(cpu) {
		const struct sysanom_stats *s = per_cpu_ptr(p->stats, cpu);

		sum->syscalls += READ_ONCE(s->syscalls);
		sum->forks += READ_ONCE(s->forks);
		sum->execs += READ_ONCE(s->execs);
		sum->exits += READ_ONCE(s->exits);
	}
}

static void sysanom_cgroup_path(u64 cgid, char *buf, size_t len)
{
	struct cgroup *cgrp;

	buf[0] = '\0';
	cgrp = cgroup_get_from_id(cgid);
	if (IS_ERR_OR_NULL(cgrp))
		return;
	if (cgroup_path(cgrp, buf, len) < 0)
		buf[0] = '\0';
	cgroup_put(cgrp);
}

/*
 * Call fn on a snapshot of every profile tracked after after_seq, in
 * tracking order, until fn returns non-zero; that value is returned.
 */
int sysanom_profile_walk(u64 after_seq,
			 int (*fn)(const struct sysanom_profile_info *, void *),
			 void *arg)
{
	struct sysanom_profile_info info;
	struct sysanom_profile *p;
	char *path;
	int ret = 0;

	path = kmalloc(PATH_MAX, GFP_KERNEL);
	if (!path)
		return -ENOMEM;

	mutex_lock(&sysanom_profiles_lock);
	list_for_each_entry(p, &sysanom_profile_list, lnode) {
		if (p->seq <= after_seq)
			continue;
		info.cgid = p->cgid;
		info.seq = p->seq;
		info.mode = READ_ONCE(p->mode);
		sysanom_stats_sum(p, &info.stats);
		sysanom_cgroup_path(p->cgid, path, PATH_MAX);
		info.path = path;
		ret = fn(&info, arg);
		if (ret)
			break;
	}
	mutex_unlock(&sysanom_profiles_lock);
	kfree(path);
	return ret;
}
