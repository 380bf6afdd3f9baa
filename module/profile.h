/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Monitored containers: one profile per tracked cgroup v2, looked up from
 * the system-call path under RCU, changed from process context only.
 */
#ifndef _SYSANOM_PROFILE_H
#define _SYSANOM_PROFILE_H

#include <linux/jump_label.h>
#include <linux/list.h>
#include <linux/rcupdate.h>
#include <linux/types.h>

struct task_struct;

struct sysanom_stats {
	u64 syscalls;
	u64 forks;
	u64 execs;
	u64 exits;
};

struct sysanom_profile {
	struct hlist_node hnode;	/* sysanom_profiles, RCU */
	struct list_head lnode;		/* in tracking order, for dumps */
	struct rcu_head rcu;
	u64 cgid;
	u64 seq;			/* tracking order, resumes dumps */
	u32 mode;			/* enum sysanom_mode, READ_ONCE */
	struct sysanom_stats __percpu *stats;
};

/* A snapshot of one profile, taken under the table lock for readers. */
struct sysanom_profile_info {
	u64 cgid;
	u64 seq;
	u32 mode;
	struct sysanom_stats stats;
	const char *path;		/* "" when the cgroup is gone */
};

DECLARE_STATIC_KEY_FALSE(sysanom_tracking);

extern unsigned int sysanom_max_cgroups;

struct sysanom_profile *sysanom_profile_of(struct task_struct *task);
int sysanom_profile_track(u64 cgid, u32 mode);
int sysanom_profile_untrack(u64 cgid);
int sysanom_profile_walk(u64 after_seq,
			 int (*fn)(const struct sysanom_profile_info *, void *),
			 void *arg);
void sysanom_profile_free_all(void);

#endif /* _SYSANOM_PROFILE_H */
