// SPDX-License-Identifier: GPL-2.0
/*
 * Per-thread windows. A thread gets its state on its first system call
 * inside a monitored cgroup (fresh windows, also after fork, so that live
 * sequences match per-thread recorded traces), resets it on exec and frees
 * it on exit. States come from a slab cache with GFP_ATOMIC, bounded by
 * max_threads in all and by max_cgroup_threads per container; threads
 * beyond that are left unwatched, their calls counted (untracked_calls) and,
 * in an enforcing container, alerted (or refused under action kill),
 * retrying on their next call (the table only once a state was freed). The
 * common path, a thread that already has its state, allocates nothing and
 * takes no lock.
 */
#include <linux/cgroup.h>
#include <linux/errno.h>
#include <linux/hash.h>
#include <linux/log2.h>
#include <linux/mm.h>
#include <linux/percpu.h>
#include <linux/sched.h>
#include <linux/sched/task_stack.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <asm/syscall.h>

#include "alert.h"
#include "profile.h"
#include "thread.h"

unsigned int sysanom_max_threads = 16384;

/* Sized at load for about two states a bucket at max_threads. */
static struct hlist_head *sysanom_thread_hash;
static unsigned int sysanom_thread_bits;
static DEFINE_SPINLOCK(sysanom_thread_lock);	/* hash writers only */
static struct kmem_cache *sysanom_thread_cache;
static atomic_t sysanom_nthreads = ATOMIC_INIT(0);
/* System calls of threads left unwatched because the table was full. */
static DEFINE_PER_CPU(u64, sysanom_untracked_calls);
static u64 sysanom_full_gen = U64_MAX;	/* sysanom_gen when found full */

DEFINE_PER_CPU(struct sysanom_cpu_cache, sysanom_cpu_cache);
atomic64_t sysanom_gen = ATOMIC64_INIT(1);
atomic64_t sysanom_prof_gen = ATOMIC64_INIT(1);

/*
 * Whatever the caller changed is seen by whoever sees the new generation:
 * a value-returning atomic is fully ordered.
 */
void sysanom_gen_bump(void)
{
	atomic64_inc_return(&sysanom_gen);
}

static struct hlist_head *sysanom_thread_bucket(const struct task_struct *t)
{
	return &sysanom_thread_hash[hash_ptr(t, sysanom_thread_bits)];
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

/* Caller holds RCU. */
static void sysanom_thread_drop(struct sysanom_thread *th)
{
	sysanom_profile_uncharge(th->pcgid, th->pseq);
	spin_lock(&sysanom_thread_lock);
	hlist_del_rcu(&th->hnode);
	/* Per-CPU caches may point at th: invalidate them all. */
	sysanom_gen_bump();
	spin_unlock(&sysanom_thread_lock);
	atomic_dec(&sysanom_nthreads);
	call_rcu(&th->rcu, sysanom_thread_free_rcu);
}

/* A state for @t, charged to @p, or NULL. */
static struct sysanom_thread *sysanom_thread_new(struct task_struct *t,
						 struct sysanom_profile *p)
{
	u64 gen = atomic64_read(&sysanom_gen);
	struct sysanom_thread *th;

	/* Full, and no state freed since: do not even try. */
	if (READ_ONCE(sysanom_full_gen) == gen)
		goto err_count;
	if (!sysanom_profile_charge(p))
		goto err_count;
	if (atomic_inc_return(&sysanom_nthreads) > sysanom_max_threads) {
		WRITE_ONCE(sysanom_full_gen, gen);
		goto err_uncharge;
	}
	th = kmem_cache_zalloc(sysanom_thread_cache,
			       GFP_ATOMIC | __GFP_NOWARN);
	if (!th)
		goto err_uncharge;
	th->task = t;
	th->pcgid = p->cgid;
	th->pseq = p->seq;
	spin_lock(&sysanom_thread_lock);
	hlist_add_head_rcu(&th->hnode, sysanom_thread_bucket(t));
	spin_unlock(&sysanom_thread_lock);
	return th;

err_uncharge:
	atomic_dec(&sysanom_nthreads);
	atomic_dec(&p->nthreads);
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
	if (atomic64_read(&sysanom_gen) != gen)
		this_cpu_write(sysanom_cpu_cache.unmon, NULL);
}

/*
 * @th (current) left the profile it was charged to, still monitored, while
 * a system call @id of it shows: an enforcing container says so. Its
 * system calls are no longer judged by that profile; a task that has no
 * state when it leaves is not seen.
 */
static void sysanom_thread_left(struct sysanom_thread *th, u32 id, bool *deny)
{
	struct sysanom_profile *from = sysanom_profile_find(th->pcgid, th->pseq);

	if (from && sysanom_alert_event(from, SYSANOM_EVENT_LEFT, id))
		*deny = true;
}

/*
 * The call-set row of @task (current): its process's name, the group
 * leader's, not its own thread's, which the thread's creator may set at
 * any moment (pthread_setname_np() on another thread writes its comm
 * through /proc, unseen here): a row must not depend on timing.
 */
static u8 sysanom_thread_tag(const struct task_struct *task)
{
	return sa_prog_tag(task->group_leader->comm, TASK_COMM_LEN - 1);
}

/* The per-CPU cache missed: find or make the state, refill the cache. */
struct sysanom_thread *sysanom_thread_get_slow(struct task_struct *task,
					       u32 id, bool *deny)
{
	struct sysanom_cpu_cache *c = this_cpu_ptr(&sysanom_cpu_cache);
	struct sysanom_profile *p;
	struct sysanom_thread *th;
	bool rebind = false;
	u64 prof_gen;
	u64 gen;
	u64 cgid;

	gen = atomic64_read(&sysanom_gen);
	/* Pairs with the ordered bumps of the writers that moved it. */
	smp_rmb();
	prof_gen = atomic64_read(&sysanom_prof_gen);
	/* ... and the profiles and states they announce after them. */
	smp_rmb();
	rcu_read_lock();
	cgid = cgroup_id(task_dfl_cgroup(task));
	th = sysanom_thread_lookup(task);
	if (likely(th && th->gen == prof_gen && th->cgid == cgid))
		goto out_cache;
	/*
	 * Another task of a cgroup found unmonitored at this generation, as
	 * when two unmonitored tasks take turns on this CPU: no ancestor walk.
	 */
	if (!th && c->unmon_cgid == cgid && c->unmon_gen == gen)
		goto out_unmon;

	p = sysanom_profile_of(task);
	/* Moved to a cgroup its container's profile does not hold. */
	if (th && th->cgid != cgid && (!p || p->seq != th->pseq))
		sysanom_thread_left(th, id, deny);
	if (!p) {
		/* Moved out of every monitored cgroup, or untracked. */
		if (th)
			sysanom_thread_drop(th);
		c->unmon_cgid = cgid;
		c->unmon_gen = gen;
		goto out_unmon;
	}
	if (!th) {
		th = sysanom_thread_new(task, p);
		if (!th)
			goto out_unwatched;	/* try again next call */
		rebind = true;
	} else if (th->pseq != p->seq) {
		/* Moved to another container: charged to it now. */
		sysanom_profile_uncharge(th->pcgid, th->pseq);
		th->pseq = 0;
		if (!sysanom_profile_charge(p)) {
			sysanom_thread_drop(th);
			this_cpu_inc(sysanom_untracked_calls);
			goto out_unwatched;
		}
		th->pcgid = p->cgid;
		th->pseq = p->seq;
		rebind = true;
	}
	/* A profile at the address of a freed one is another one too. */
	if (rebind || th->prof != p) {
		/* A task that ran before its cgroup was monitored: no start. */
		if (task->start_time < p->since_ns)
			sa_stream_reset_midway(&th->stream);
		else
			sa_stream_reset(&th->stream);
		th->stream.tag = sysanom_thread_tag(task);
		th->incident = 0;
		th->sig = 0;
	}
	th->prof = p;
	th->cgid = cgid;
	th->gen = prof_gen;
out_cache:
	c->task = task;
	c->th = th;
	c->gen = gen;
	goto out;
out_unwatched:
	/* Monitored, and unwatched: not silently. */
	if (sysanom_alert_event(p, SYSANOM_EVENT_NO_STATE, id))
		*deny = true;
	th = NULL;
	goto out;
out_unmon:
	sysanom_thread_cache_unmon(task, gen);
	th = NULL;
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
	sysanom_gen_bump();
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
 * Exec (or a new name) and exit, from @task itself (so no system call of it
 * runs at the same time), @p its profile now or NULL: the windows it saw
 * since its last flush count in the growth curve before they are forgotten.
 * The program named @comm starts a stream of its own.
 */
void sysanom_thread_exec(struct task_struct *task, struct sysanom_profile *p,
			 const char *comm)
{
	struct sysanom_thread *th = sysanom_thread_lookup(task);

	if (!th)
		return;
	if (th->prof == p)
		sysanom_profile_flush(p, &th->stream);
	sa_stream_reset(&th->stream);
	th->stream.prog = sa_prog_tag(comm, TASK_COMM_LEN - 1);	/* as comm keeps it */
	/* A rename is seen before it is made: the new name is @comm. */
	th->stream.tag = thread_group_leader(task) ? th->stream.prog :
			 sysanom_thread_tag(task);
	th->incident = 0;	/* a new program, a new incident */
	th->sig = 0;
}

/*
 * A handler of a signal is about to run in @task (current): its calls start
 * a stream of their own, and the stream it interrupts waits. A nested
 * handler sets aside its outer handler's stream in turn: the outer one's
 * return then finds nothing to restore. Runs under the signal lock with
 * interrupts off.
 */
void sysanom_thread_signal(struct task_struct *task)
{
	struct sysanom_thread *th = sysanom_thread_lookup(task);
	struct pt_regs *regs = task_pt_regs(task);
	long nr = syscall_get_nr(task, regs);

	if (!th)
		return;
	th->saved = th->stream;
	sa_stream_reset(&th->stream);
	th->stream.tag = th->saved.tag;	/* the same program's calls */
	th->sig = SYSANOM_SIG_HANDLER;
	/* Delivered on the way out of a call that it cut short? */
	th->retry_nr = -1;
	if (nr >= 0) {
		switch (syscall_get_error(task, regs)) {
		case -EINTR:
		case -ERESTARTSYS:
		case -ERESTARTNOINTR:
		case -ERESTARTNOHAND:
		case -ERESTART_RESTARTBLOCK:
			th->retry_nr = nr;
			break;
		}
	}
}

/* @th (current) returned from a handler: back to the stream it broke. */
void sysanom_thread_sigreturn(struct sysanom_thread *th)
{
	th->sig = th->retry_nr >= 0 ? SYSANOM_SIG_RETRY : 0;
	sysanom_profile_flush(th->prof, &th->stream);
	th->stream = th->saved;
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
	/*
	 * A binding holds while its generation is current: a counter that
	 * wrapped would validate a stale one, whose profile may be freed.
	 */
	BUILD_BUG_ON(sizeof_field(struct sysanom_thread, gen) < sizeof(u64));
	/* max_threads is at most 1 << 22: at most 1 << 21 buckets, 16 MiB. */
	sysanom_thread_bits = max(ilog2(sysanom_max_threads), 2) - 1;
	sysanom_thread_hash = kvcalloc(1UL << sysanom_thread_bits,
				       sizeof(*sysanom_thread_hash), GFP_KERNEL);
	if (!sysanom_thread_hash)
		return -ENOMEM;
	sysanom_thread_cache = KMEM_CACHE(sysanom_thread, 0);
	if (!sysanom_thread_cache)
		goto err_free_hash;
	return 0;

err_free_hash:
	kvfree(sysanom_thread_hash);
	return -ENOMEM;
}

/* Only after every probe is unregistered and synchronised. */
void sysanom_thread_exit(void)
{
	struct sysanom_thread *th;
	struct hlist_node *tmp;
	int i;

	for (i = 0; i < (1UL << sysanom_thread_bits); i++) {
		hlist_for_each_entry_safe(th, tmp, &sysanom_thread_hash[i],
					  hnode) {
			hlist_del(&th->hnode);
			kmem_cache_free(sysanom_thread_cache, th);
		}
	}
	atomic_set(&sysanom_nthreads, 0);
	rcu_barrier();
	kmem_cache_destroy(sysanom_thread_cache);
	kvfree(sysanom_thread_hash);
}
