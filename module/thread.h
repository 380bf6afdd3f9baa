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

/*
 * struct sysanom_thread's sig: a handler's stream runs; or the handler
 * returned from a call it interrupted, whose retry (a restart, or the
 * program's loop on EINTR) comes next: when the interrupt came is timing,
 * so that retry is not a call of its own.
 */
#define SYSANOM_SIG_HANDLER	1
#define SYSANOM_SIG_RETRY	2

struct sysanom_thread {
	struct hlist_node hnode;	/* sysanom_thread_hash, RCU */
	struct rcu_head rcu;
	const struct task_struct *task;	/* key only, never dereferenced */
	struct sysanom_profile *prof;	/* valid while gen is current */
	u64 cgid;			/* the task's cgroup when bound */
	u64 gen;			/* sysanom_prof_gen when bound */
	/* The profile charged for it (sysanom_profile_charge()), 0 none. */
	u64 pcgid;
	u64 pseq;
	u64 shape;			/* sysanom_shape() of stream */
	u64 incident;			/* alert seq of its open incident */
	u8 sig;				/* SYSANOM_SIG_* */
	long retry_nr;			/* the call a signal interrupted */
	struct sa_stream stream;
	/*
	 * A signal handler runs between any two calls: its calls make a
	 * stream of their own, and the interrupted one waits here, so that
	 * when a signal arrives does not change the windows of either. Each
	 * delivery sets aside the stream it interrupts: a handler left with
	 * siglongjmp is then mended by the next one.
	 */
	struct sa_stream saved;
};

/*
 * Generations. sysanom_gen invalidates the per-CPU caches: it moves when a
 * profile is added or removed, a thread state is freed or a task changes
 * cgroup, and at 64 bits it never wraps, so a stale cache entry can never
 * match again. sysanom_prof_gen moves with profiles only (under
 * sysanom_profiles_lock): a thread's binding to its profile holds while it
 * stays. It is 64 bits too: a thread that slept through 2^32 tracks and
 * untracks must not find its freed profile valid again. Both are bumped
 * after the change they announce, fully ordered.
 */

/*
 * What this CPU saw last. @unmon: the last caller found outside every
 * monitored cgroup, valid until that task's cgroup changes or a profile is
 * added, both of which clear it on every CPU (sysanom_thread_unmon_flush());
 * a task forked into a monitored cgroup at the address of a dead one clears
 * it too. @unmon_cgid: the last cgroup found unmonitored, valid while
 * sysanom_gen is @unmon_gen (cgroup ids are never reused). @task and @th: the last caller with a state, valid while @gen is
 * sysanom_gen, which moves whenever a state is freed (so @th never
 * dangles), a profile comes or goes, or tasks change cgroup.
 */
struct sysanom_cpu_cache {
	const struct task_struct *unmon;
	const struct task_struct *task;
	struct sysanom_thread *th;
	u64 gen;
	u64 unmon_cgid;
	u64 unmon_gen;
};

DECLARE_PER_CPU(struct sysanom_cpu_cache, sysanom_cpu_cache);
extern atomic64_t sysanom_gen;
extern atomic64_t sysanom_prof_gen;
extern unsigned int sysanom_max_threads;

int sysanom_thread_init(void);
void sysanom_thread_exit(void);
/*
 * The state of @task (current) bound to its profile, or NULL when its cgroup
 * is not monitored, when this CPU's cache did not know. A task of a
 * monitored cgroup that cannot have a state (its container's thread quota,
 * the table, memory) raises an alert at its call @id; *@deny is set when
 * that call must not run (action kill). Called from the
 * sys_enter probe, with preemption disabled (by the tracepoint up to 6.12,
 * by the probe itself from 6.13: see compat.h): that is an RCU read-side
 * critical section, and every writer here waits with synchronize_rcu() or
 * call_rcu().
 */
struct sysanom_thread *sysanom_thread_get_slow(struct task_struct *task,
					       u32 id, bool *deny);

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
		      atomic64_read(&sysanom_gen));
}

void sysanom_gen_bump(void);
void sysanom_thread_unmon_flush(void);
void sysanom_thread_migrated(void);
void sysanom_thread_forked(const struct task_struct *child);
struct sysanom_profile;
void sysanom_thread_exec(struct task_struct *task, struct sysanom_profile *p,
			 const char *comm);
void sysanom_thread_release(struct task_struct *task,
			    struct sysanom_profile *p);
void sysanom_thread_signal(struct task_struct *task);
void sysanom_thread_sigreturn(struct sysanom_thread *th);

/* Whether call @id (as the core sees it) returns from a signal handler. */
static inline bool sysanom_syscall_sigreturn(u32 id)
{
	/* x86_64 rt_sigreturn; i386 sigreturn and rt_sigreturn. */
	return id == 15 || id == 512 + 119 || id == 512 + 173;
}
/*
 * Whether call @id sets up an io_uring, whose operations make no system
 * call: x86_64 and i386 io_uring_setup.
 */
#define SYSANOM_NR_IO_URING_SETUP	425	/* x86_64 and i386 alike */
static inline bool sysanom_syscall_io_uring(u32 id)
{
	return id == SYSANOM_NR_IO_URING_SETUP ||
	       id == 512 + SYSANOM_NR_IO_URING_SETUP;
}

unsigned int sysanom_thread_count(void);
u64 sysanom_thread_untracked(void);

#endif /* _SYSANOM_THREAD_H */
