// SPDX-License-Identifier: GPL-2.0
/*
 * Per-thread windows. A thread gets its state on its first system call
 * inside a monitored cgroup (fresh windows, also after fork, so that live
 * sequences match per-thread recorded traces), resets it on exec and frees
 * it on exit. States come from a slab cache with GFP_ATOMIC, bounded by
 * max_threads; threads beyond that are left unwatched and their calls
 * counted (untracked_calls), retrying only once a state was freed. The
 * common path, a thread that already has its state, allocates nothing and
 * takes no lock.
 */
#include <linux/cgroup.h>
#include <linux/hash.h>
#include <linux/percpu.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/spinlock.h>

#include "profile.h"
#include "thread.h"

#define SYSANOM_THREAD_BITS 12

unsigned int sysanom_max_threads = 16384;

static struct hlist_head sysanom_thread_hash[1 << SYSANOM_THREAD_BITS];
static DEFINE_SPINLOCK(sysanom_thread_lock);	/* hash writers only */
static struct kmem_cache *sysanom_thread_cache;
static atomic_t sysanom_nthreads = ATOMIC_INIT(0);
/* System calls of threads left unwatched because the table was full. */
static DEFINE_PER_CPU(u64, sysanom_untracked_calls);
static u32 sysanom_full_tgen = U32_MAX;	/* sysanom_gen.thr when found full */

DEFINE_PER_CPU(struct sysanom_cpu_cache, sysanom_cpu_cache);
union sysanom_gen sysanom_gen = { .prof = 1 };

/* Caller holds sysanom_thread_lock. */
static void sysanom_thread_gen_bump(void)
{
	/* Whatever the caller changed is seen by whoever sees the new gen. */
	smp_wmb();
	WRITE_ONCE(sysanom_gen.thr, sysanom_gen.thr + 1);
}

static struct hlist_head *sysanom_thread_bucket(const struct task_struct *t)
{
	return &sysanom_thread_hash[hash_ptr(t, SYSANOM_THREAD_BITS)];
}

static struct sysanom_thread *sysanom_thread_lookup(const struct task_struct *t)
{
	struct sysanom_thread *th;

	hlist_for_each_entry_rcu(th, sysanom_thread_bucket(t), hnode) {
		if (th->task == t)
			return th;
	}
	return NULL;
}

static void sysanom_thread_free_rcu(struct rcu_head *rcu)
{
	kmem_cache_free(sysanom_thread_cache,
			container_of(rcu, struct sysanom_thread, rcu));
}

static void sysanom_thread_drop(struct sysanom_thread *th)
{
	spin_lock(&sysanom_thread_lock);
	hlist_del_rcu(&th->hnode);
	/* Per-CPU caches may point at th: invalidate them all. */
	sysanom_thread_gen_bump();
	spin_unlock(&sysanom_thread_lock);
	atomic_dec(&sysanom_nthreads);
	call_rcu(&th->rcu, sysanom_thread_free_rcu);
}

static struct sysanom_thread *sysanom_thread_new(struct task_struct *t)
{
	u32 tgen = READ_ONCE(sysanom_gen.thr);
	struct sysanom_thread *th;

	/* Full, and no state freed since: do not even try. */
	if (READ_ONCE(sysanom_full_tgen) == tgen)
		goto err_count;
	if (atomic_inc_return(&sysanom_nthreads) > sysanom_max_threads) {
		WRITE_ONCE(sysanom_full_tgen, tgen);
		goto err;
	}
	th = kmem_cache_zalloc(sysanom_thread_cache,
			       GFP_ATOMIC | __GFP_NOWARN);
	if (!th)
		goto err;
	th->task = t;
	spin_lock(&sysanom_thread_lock);
	hlist_add_head_rcu(&th->hnode, sysanom_thread_bucket(t));
	spin_unlock(&sysanom_thread_lock);
	return th;

err:
	atomic_dec(&sysanom_nthreads);
err_count:
	this_cpu_inc(sysanom_untracked_calls);
	return NULL;
}

/*
 * Caches @task as unmonitored on this CPU, unless sysanom_gen moved since
 * @gen was read before finding so: a flush (which comes after its change and
 * a bump of sysanom_gen) either clears the entry after it was written, or
 * the bump is seen here and the entry is taken back.
 */
static void sysanom_thread_cache_unmon(struct task_struct *task, u64 gen)
{
	this_cpu_write(sysanom_cpu_cache.unmon, task);
	/* Orders the entry before the check; pairs with the flush's. */
	smp_mb();
	if (READ_ONCE(sysanom_gen.all) != gen)
		this_cpu_write(sysanom_cpu_cache.unmon, NULL);
}

/* The per-CPU cache missed: find or make the state, refill the cache. */
struct sysanom_thread *sysanom_thread_get_slow(struct task_struct *task)
{
	struct sysanom_cpu_cache *c = this_cpu_ptr(&sysanom_cpu_cache);
	struct sysanom_profile *p;
	struct sysanom_thread *th;
	union sysanom_gen gen;
	u64 cgid;

	gen.all = READ_ONCE(sysanom_gen.all);
	/* Pairs with the barriers of the writers that moved sysanom_gen. */
	smp_rmb();
	rcu_read_lock();
	cgid = cgroup_id(task_dfl_cgroup(task));
	th = sysanom_thread_lookup(task);
	if (likely(th && th->gen == gen.prof && th->cgid == cgid))
		goto out_cache;

	p = sysanom_profile_of(task);
	if (!p) {
		/* Moved out of every monitored cgroup, or untracked. */
		if (th)
			sysanom_thread_drop(th);
		sysanom_thread_cache_unmon(task, gen.all);
		th = NULL;
		goto out;
	}
	if (!th) {
		th = sysanom_thread_new(task);
		if (!th)
			goto out;	/* untracked: try again next call */
	}
	if (th->prof != p)
		sa_stream_reset(&th->stream);
	th->prof = p;
	th->cgid = cgid;
	th->gen = gen.prof;
out_cache:
	c->task = task;
	c->th = th;
	c->gen = gen.all;
out:
	rcu_read_unlock();
	return th;
}

/*
 * A profile was added or a task changed cgroup, and sysanom_gen moved after
 * that change was published: no task is known unmonitored any more.
 */
void sysanom_thread_unmon_flush(void)
{
	int cpu;

	/* Orders the bump before the clearing; pairs with the fill's. */
	smp_mb();
	for_each_possible_cpu(cpu)
		WRITE_ONCE(per_cpu_ptr(&sysanom_cpu_cache, cpu)->unmon, NULL);
}

/* From the cgroup_attach_task tracepoint: tasks changed cgroup. */
void sysanom_thread_migrated(void)
{
	spin_lock(&sysanom_thread_lock);
	sysanom_thread_gen_bump();
	spin_unlock(&sysanom_thread_lock);
	sysanom_thread_unmon_flush();
}

/*
 * A new task in a monitored cgroup, before it first runs: a dead task at the
 * same address may still be cached as unmonitored. Only that task itself
 * could have written its address there, so nothing writes it again.
 */
void sysanom_thread_forked(const struct task_struct *child)
{
	struct sysanom_cpu_cache *c;
	int cpu;

	for_each_possible_cpu(cpu) {
		c = per_cpu_ptr(&sysanom_cpu_cache, cpu);
		if (READ_ONCE(c->unmon) == child)
			cmpxchg(&c->unmon, child, NULL);
	}
}

/*
 * Exec and exit, from @task itself (so no system call of it runs at the same
 * time), @p its profile now or NULL: the windows it saw since its last flush
 * count in the growth curve before they are forgotten.
 */
void sysanom_thread_exec(struct task_struct *task, struct sysanom_profile *p)
{
	struct sysanom_thread *th = sysanom_thread_lookup(task);

	if (!th)
		return;
	if (th->prof == p)
		sysanom_profile_flush(p, &th->stream);
	sa_stream_reset(&th->stream);
}

void sysanom_thread_release(struct task_struct *task,
			    struct sysanom_profile *p)
{
	struct sysanom_thread *th = sysanom_thread_lookup(task);

	if (!th)
		return;
	if (th->prof == p)
		sysanom_profile_flush(p, &th->stream);
	sysanom_thread_drop(th);
}

unsigned int sysanom_thread_count(void)
{
	return atomic_read(&sysanom_nthreads);
}

u64 sysanom_thread_untracked(void)
{
	u64 sum = 0;
	int cpu;

	for_each_possible_cpu(cpu)
		sum += READ_ONCE(*per_cpu_ptr(&sysanom_untracked_calls, cpu));
	return sum;
}

int __init sysanom_thread_init(void)
{
	sysanom_thread_cache = KMEM_CACHE(sysanom_thread, 0);
	return sysanom_thread_cache ? 0 : -ENOMEM;
}

/* Only after every probe is unregistered and synchronised. */
void sysanom_thread_exit(void)
{
	struct sysanom_thread *th;
	struct hlist_node *tmp;
	int i;

	for (i = 0; i < ARRAY_SIZE(sysanom_thread_hash); i++) {
		hlist_for_each_entry_safe(th, tmp, &sysanom_thread_hash[i],
					  hnode) {
			hlist_del(&th->hnode);
			kmem_cache_free(sysanom_thread_cache, th);
		}
	}
	atomic_set(&sysanom_nthreads, 0);
	rcu_barrier();
	kmem_cache_destroy(sysanom_thread_cache);
}
