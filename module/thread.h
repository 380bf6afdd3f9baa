/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Per-thread state of the tasks of monitored cgroups: the sliding windows
 * that STIDE and BoSC need. One interleaved window per container would mix
 * unrelated threads and destroy the sequences.
 */
#ifndef _SYSANOM_THREAD_H
#define _SYSANOM_THREAD_H

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
	struct sa_stream stream;
};

extern unsigned int sysanom_max_threads;

int sysanom_thread_init(void);
void sysanom_thread_exit(void);
struct sysanom_thread *sysanom_thread_get(struct task_struct *task);
void sysanom_thread_exec(struct task_struct *task);
void sysanom_thread_release(struct task_struct *task);
unsigned int sysanom_thread_count(void);
u64 sysanom_thread_untracked(void);

#endif /* _SYSANOM_THREAD_H */
