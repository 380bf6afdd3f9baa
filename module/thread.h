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
	u32 gen;			/* sysanom_gen.prof when bound */
	u8 k, bag;			/* window lengths of stream */
	struct sa_stream stream;
};

/*
 * Generations that invalidate the per-CPU caches, read as one word by the
 * system-call path: prof moves when a profile is added or removed
 * (profile.c, under its lock), thr when a thread state is freed or a task
 * changes cgroup (thread.c, under sysanom_thread_lock).
 */
union sysanom_gen {
	struct {
		u32 prof;
		u32 thr;
	};
	u64 all;
};

/*
 * What this CPU saw last. @unmon: the last caller found outside every
 * monitored cgroup, valid until that task's cgroup changes or a profile is
 * added, both of which clear it on every CPU (sysanom_thread_unmon_flush());
 * a task forked into a monitored cgroup at the address of a dead one clears
 * it too. @task and @th: the last caller with a state, valid while @gen is
 * sysanom_gen.all, which moves whenever a state is freed (so @th never
 * dangles), a profile comes or goes, or tasks change cgroup.
 */
struct sysanom_cpu_cache {
	const struct task_struct *unmon;
	const struct task_struct *task;
	struct sysanom_thread *th;
	u64 gen;
};

DECLARE_PER_CPU(struct sysanom_cpu_cache, sysanom_cpu_cache);
extern union sysanom_gen sysanom_gen;
extern unsigned int sysanom_max_threads;

int sysanom_thread_init(void);
void sysanom_thread_exit(void);
/*
 * The state of @task (current) bound to its profile, or NULL when its cgroup
 * is not monitored, when this CPU's cache did not know. Called from the
 * sys_enter probe, which 6.1 runs with preemption disabled: that is an RCU
 * read-side critical section, and every writer here waits with
 * synchronize_rcu() or call_rcu().
 */
struct sysanom_thread *sysanom_thread_get_slow(struct task_struct *task);

/*
 * Whether @task (current) is known to be unmonitored: the first test of the
 * sys_enter probe, and all that an unmonitored caller pays.
 */
static __always_inline bool sysanom_thread_unmonitored(struct task_struct *task)
{
	return this_cpu_read(sysanom_cpu_cache.unmon) == task;
}

/*
 * Whether this CPU's cache holds the state of @task (current): then
 * sysanom_cpu_cache.th is that state, never NULL.
 */
static __always_inline bool sysanom_thread_cache_hit(struct task_struct *task)
{
	return likely(this_cpu_read(sysanom_cpu_cache.task) == task &&
		      this_cpu_read(sysanom_cpu_cache.gen) ==
		      READ_ONCE(sysanom_gen.all));
}

void sysanom_thread_unmon_flush(void);
void sysanom_thread_migrated(void);
void sysanom_thread_forked(const struct task_struct *child);
struct sysanom_profile;
void sysanom_thread_exec(struct task_struct *task, struct sysanom_profile *p);
void sysanom_thread_release(struct task_struct *task,
			    struct sysanom_profile *p);
unsigned int sysanom_thread_count(void);
u64 sysanom_thread_untracked(void);

#endif /* _SYSANOM_THREAD_H */
