/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Per-thread state of the tasks of monitored cgroups: the sliding windows
 * that STIDE and BoSC need. One interleaved window per container would mix
 * unrelated threads and destroy the sequences.
 */
#ifndef _SYSANOM_THREAD_H
#define _SYSANOM_THREAD_H

#include <linux/cgroup.h>
#include <linux/percpu.h>
#include <linux/rcupdate.h>
#include <linux/sched.h>
#include <linux/types.h>
#include <sysanom/detector.h>

struct task_struct;
struct sysanom_profile;

struct sysanom_thread {
	struct hlist_node hnode;	/* sysanom_thread_hash, RCU */
	struct rcu_head rcu;
	const struct task_struct *task;	/* key only, never dereferenced */
	struct sysanom_profile *prof;	/* valid while gen is current */
	u64 cgid;			/* the task's cgroup when bound */
	u32 gen;			/* sysanom_gen when bound */
	u8 k, bag;			/* window lengths of stream */
	struct sa_stream stream;
};

/*
 * What this CPU saw last: the cgroup of the last caller and, if monitored,
 * its thread. Valid while both generations are current; sysanom_tgen moves
 * whenever a thread state is freed, so th never dangles.
 */
struct sysanom_cpu_cache {
	u64 cgid;
	u32 gen;
	u32 tgen;
	struct sysanom_thread *th;	/* NULL: cgid is not monitored */
};

DECLARE_PER_CPU(struct sysanom_cpu_cache, sysanom_cpu_cache);
extern u32 sysanom_gen;
extern u32 sysanom_tgen;
extern unsigned int sysanom_max_threads;

int sysanom_thread_init(void);
void sysanom_thread_exit(void);
struct sysanom_thread *sysanom_thread_get_slow(struct task_struct *task,
					       u64 cgid, u32 gen, u32 tgen);

/*
 * The state of @task (current) bound to its profile, or NULL when its cgroup
 * is not monitored. Called from the sys_enter probe, which 6.1 runs with
 * preemption disabled: that is an RCU read-side critical section, and every
 * writer here waits with synchronize_rcu() or call_rcu().
 */
static __always_inline struct sysanom_thread *
sysanom_thread_get(struct task_struct *task)
{
	struct sysanom_cpu_cache *c = this_cpu_ptr(&sysanom_cpu_cache);
	u64 cgid = cgroup_id(rcu_dereference_sched(task->cgroups)->dfl_cgrp);
	u32 gen = READ_ONCE(sysanom_gen), tgen = READ_ONCE(sysanom_tgen);

	if (likely(c->cgid == cgid && c->gen == gen && c->tgen == tgen)) {
		if (!c->th)
			return NULL;
		/* Still this task's, and bound for this cgroup. */
		if (likely(c->th->task == task && c->th->cgid == cgid))
			return c->th;
	}
	return sysanom_thread_get_slow(task, cgid, gen, tgen);
}
void sysanom_thread_exec(struct task_struct *task);
void sysanom_thread_release(struct task_struct *task);
unsigned int sysanom_thread_count(void);
u64 sysanom_thread_untracked(void);

#endif /* _SYSANOM_THREAD_H */
