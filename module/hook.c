// SPDX-License-Identifier: GPL-2.0
/*
 * Tracepoint probes: sys_enter for every system call, the scheduler's fork,
 * exec and exit events for per-thread state, and cgroup_attach_task, which
 * tells the per-CPU caches that tasks changed cgroup. The raw tracepoints
 * are not exported by name, so they are found by walking the kernel's list.
 */
#include <linux/compat.h>
#include <linux/kernel.h>
#include <linux/sched/signal.h>
#include <linux/sched/task_stack.h>
#include <linux/percpu.h>
#include <linux/ptrace.h>
#include <linux/sched.h>
#include <linux/string.h>
#include <linux/tracepoint.h>
#include <asm/syscall.h>

#include "alert.h"
#include "compat.h"
#include "hook.h"
#include "profile.h"
#include "thread.h"

/* Whether @id is a native call, below 512, that keeps its number. */
static __always_inline bool sysanom_syscall_native(long id)
{
#ifdef CONFIG_X86_64
	/*
	 * An x32 call's number carries __X32_SYSCALL_BIT: below 512 it can
	 * only be native, or ia32 (TS_COMPAT), which is one flag test.
	 */
	return likely((unsigned long)id < 512 && !in_ia32_syscall());
#else
	return false;
#endif
}

#ifdef CONFIG_X86_X32_ABI
/*
 * x32 calls 512..547 (syscall_64.tbl, the same in 6.1 and 7.2): the native
 * call each one is, so that an x32 program is judged by what it does.
 */
static const u16 sysanom_x32_native[] = {
	13, 15, 16, 19, 20, 45, 46, 47, 59, 101, 127, 128, 129, 131, 222, 244,
	246, 247, 273, 274, 278, 279, 295, 296, 297, 299, 307, 310, 311, 54,
	55, 206, 209, 322, 327, 328,
};

/* An x32 call's number without __X32_SYSCALL_BIT, as the native call. */
static u32 sysanom_x32_id(long id)
{
	unsigned long nr = id & ~__X32_SYSCALL_BIT;

	if (nr < 512)
		return nr;
	if (nr - 512 < ARRAY_SIZE(sysanom_x32_native))
		return sysanom_x32_native[nr - 512];
	return SA_MAX_ID - 1;
}
#endif

/*
 * The detection core takes ids below SA_MAX_ID: native calls keep their
 * number, x32 calls take the native call's, 32-bit compat calls move to
 * 512 + n, anything else is 1023 (1006..1022 are the core's start markers).
 */
static u32 sysanom_syscall_id(long id)
{
	if (sysanom_syscall_native(id))
		return id;
	if (in_ia32_syscall())
		return id >= 0 && id < SA_ID_PROG - 512 ?
		       512 + id : SA_MAX_ID - 1;
#ifdef CONFIG_X86_X32_ABI
	/* Seen even where x32 is off at run time (it then fails ENOSYS). */
	if (id >= 0 && (id & __X32_SYSCALL_BIT))
		return sysanom_x32_id(id);
#endif
	return id >= 0 && id < 512 ? id : SA_MAX_ID - 1;
}

/*
 * A call of @th that is not an enforcing thread's common one: training,
 * compat calls, windows still filling. Out of line, like the two below, so
 * that the fast path saves no registers, and called with the probe's own
 * arguments first, so that calling it moves none.
 */
static noinline __noclone void sysanom_probe_feed(void *data,
						  struct pt_regs *regs,
						  long id,
						  struct sysanom_thread *th)
{
	struct sysanom_profile *p = th->prof;
	u32 sid = sysanom_syscall_id(id);
	bool retry = false;

	if (unlikely(th->sig & SYSANOM_SIG_RETRY)) {
		th->sig &= ~SYSANOM_SIG_RETRY;
		retry = id == th->retry_nr;
	}
	this_cpu_inc(p->stats->syscalls);
	/* A killed offender's call does not run: -ENOSYS, then SIGKILL. */
	if (!retry && sysanom_profile_feed_slow(p, th, sid))
		regs->orig_ax = -1;
	/* What goes through a ring is never seen: not silently. */
	if (unlikely(sysanom_syscall_io_uring(sid)) &&
	    sysanom_alert_event(p, SYSANOM_EVENT_IO_URING, sid))
		regs->orig_ax = -1;
	/* The handler's return is its last call; without one it is not. */
	if (unlikely(th->sig & SYSANOM_SIG_HANDLER) &&
	    sysanom_syscall_sigreturn(sid))
		sysanom_thread_sigreturn(th);
}

/* This CPU's cache does not hold the caller: look it up. */
static noinline __noclone void sysanom_probe_slow(void *data,
						  struct pt_regs *regs,
						  long id)
{
	bool deny = false;
	struct sysanom_thread *th;

	th = sysanom_thread_get_slow(current, sysanom_syscall_id(id), &deny);
	if (th)
		sysanom_probe_feed(data, regs, id, th);
	if (unlikely(deny))
		regs->orig_ax = -1;
}

/* A full window that missed a set: count it, decide, maybe alert. */
static noinline __noclone void sysanom_probe_miss(void *data,
						  struct pt_regs *regs,
						  struct sysanom_thread *th,
						  const struct sysanom_core *core,
						  int miss)
{
	u64 lag = th->stream.lag;
	unsigned int v = sa_detect_miss(&core->sa, &th->stream, miss);

	if (likely(!(v & SA_V_ANOMALY))) {
		th->incident = 0;	/* under the threshold: it ended */
		return;
	}
	if (sysanom_alert_raise(th->prof, th, &core->sa, v, lag))
		regs->orig_ax = -1;
}

/*
 * A system call of a task while something is monitored, preemption off.
 * Its first test is all that a task known to be unmonitored pays; an
 * enforcing thread whose call finds both windows in its profile stays
 * inline; anything else goes out of line.
 */
static __always_inline void sysanom_probe_call(void *data,
					       struct pt_regs *regs, long id)
{
	struct sysanom_thread *th;
	struct sysanom_profile *p;
	struct sysanom_core *core;
	struct task_struct *task;
	int miss;

	task = current;
	if (likely(sysanom_thread_unmonitored(task)))
		return;
	if (unlikely(!sysanom_thread_cache_hit(task)))
		goto slow;
	th = this_cpu_read(sysanom_cpu_cache.th);
	if (unlikely(!sysanom_syscall_native(id)))
		goto feed;
	p = th->prof;
	core = rcu_dereference_sched(p->core);
	if (unlikely(!sysanom_profile_fast(p, core, th) || th->sig ||
		     id == SYSANOM_NR_IO_URING_SETUP))
		goto feed;
	miss = sa_detect_step(&core->sa, &th->stream, id);
	if (unlikely(miss < 0))
		goto feed;
	this_cpu_inc(p->stats->syscalls);
	if (unlikely(miss))
		sysanom_probe_miss(data, regs, th, core, miss);
	return;
feed:
	sysanom_probe_feed(data, regs, id, th);
	return;
slow:
	sysanom_probe_slow(data, regs, id);
}

/*
 * Every system call of every task. From 6.13 the tracepoint runs it
 * preemptible: see sysanom_syscall_probe_begin() in compat.h.
 */
static void sysanom_probe_sys_enter(void *data, struct pt_regs *regs, long id)
{
	if (!static_branch_unlikely(&sysanom_tracking))
		return;
	sysanom_syscall_probe_begin();
	sysanom_probe_call(data, regs, id);
	sysanom_syscall_probe_end();
}

/*
 * @parent (current) made @child in a cgroup of its choice, under profile @p
 * (or none): when that is not its own profile, the child escapes its
 * container's watch from birth. Under action kill both die: the child has
 * not run yet, and the signal waits for it. Caller holds RCU.
 */
static noinline void sysanom_probe_fork_elsewhere(struct task_struct *parent,
						  struct task_struct *child,
						  struct sysanom_profile *p)
{
	struct sysanom_profile *from = sysanom_profile_of(parent);
	long nr;

	if (!from || from == p)
		return;
	nr = syscall_get_nr(parent, task_pt_regs(parent));
	if (sysanom_alert_event(from, SYSANOM_EVENT_LEFT,
				sysanom_syscall_id(nr)))
		send_sig(SIGKILL, child, 1);
}

static void sysanom_probe_fork(void *data, struct task_struct *parent,
			       struct task_struct *child)
{
	struct sysanom_profile *p;

	if (!static_branch_unlikely(&sysanom_tracking))
		return;
	rcu_read_lock();
	p = sysanom_profile_of(child);
	if (p) {
		this_cpu_inc(p->stats->forks);
		sysanom_thread_forked(child);
	}
	/* Created in another cgroup (clone3 CLONE_INTO_CGROUP). */
	if (unlikely(task_dfl_cgroup(child) != task_dfl_cgroup(parent)))
		sysanom_probe_fork_elsewhere(parent, child, p);
	rcu_read_unlock();
}

/* Tasks changed cgroup: nothing cached about them holds any more. */
static void sysanom_probe_attach(void *data, struct cgroup *dst,
				 const char *path, struct task_struct *task,
				 bool threadgroup)
{
	if (!static_branch_unlikely(&sysanom_tracking))
		return;
	sysanom_thread_migrated();
}

/* A handler is about to run: see struct sysanom_thread's saved stream. */
static void sysanom_probe_signal(void *data, int sig,
				 struct kernel_siginfo *info,
				 struct k_sigaction *ka)
{
	__sighandler_t h = ka->sa.sa_handler;

	if (!static_branch_unlikely(&sysanom_tracking) ||
	    h == SIG_IGN || h == SIG_DFL)
		return;
	rcu_read_lock();
	sysanom_thread_signal(current);
	rcu_read_unlock();
}

static void sysanom_probe_exec(void *data, struct task_struct *task,
			       pid_t old_pid, struct linux_binprm *bprm)
{
	struct sysanom_profile *p;

	if (!static_branch_unlikely(&sysanom_tracking))
		return;
	rcu_read_lock();
	p = sysanom_profile_of(task);
	sysanom_thread_exec(task, p, task->comm);
	if (p)
		this_cpu_inc(p->stats->execs);
	rcu_read_unlock();
}

/*
 * A task that names itself starts a program too: busybox's shell runs its
 * applets without exec (fork, prctl(PR_SET_NAME), the applet's main). The
 * rename inside exec is left to sched_process_exec. A name written to
 * another task's /proc/PID/comm changes nothing: only a thread itself
 * touches its stream.
 */
static void sysanom_probe_rename(void *data, struct task_struct *task,
				 const char *comm)
{
	if (!static_branch_unlikely(&sysanom_tracking) || task != current ||
	    task->in_execve)
		return;
	rcu_read_lock();
	sysanom_thread_exec(task, sysanom_profile_of(task), comm);
	rcu_read_unlock();
}

/*
 * 7.2's sched_process_exit also passes bool group_dead, which this probe
 * does not take: probes are called through a cast, and a trailing argument
 * is ignored under the x86-64 calling convention (no kCFI in Debian's
 * kernels to object).
 */
static void sysanom_probe_exit(void *data, struct task_struct *task)
{
	struct sysanom_profile *p;

	/* States outlive tracking (untrack): free them whatever the key. */
	if (!static_branch_unlikely(&sysanom_tracking) &&
	    !sysanom_thread_count())
		return;
	rcu_read_lock();
	p = sysanom_profile_of(task);
	sysanom_thread_release(task, p);
	if (p)
		this_cpu_inc(p->stats->exits);
	rcu_read_unlock();
}

struct sysanom_hook {
	const char *name;
	void *probe;
	struct tracepoint *tp;
};

/* Exit first and sys_enter last: no state is made that exit cannot free. */
static struct sysanom_hook sysanom_hooks[] __ro_after_init = {
	{ .name = "sched_process_exit", .probe = sysanom_probe_exit },
	{ .name = "sched_process_exec", .probe = sysanom_probe_exec },
	{ .name = "task_rename", .probe = sysanom_probe_rename },
	{ .name = "sched_process_fork", .probe = sysanom_probe_fork },
	{ .name = "cgroup_attach_task", .probe = sysanom_probe_attach },
	{ .name = "signal_deliver", .probe = sysanom_probe_signal },
	{ .name = "sys_enter", .probe = sysanom_probe_sys_enter },
};

static void sysanom_hook_find(struct tracepoint *tp, void *priv)
{
	int i;

	for (i = 0; i < ARRAY_SIZE(sysanom_hooks); i++) {
		if (!strcmp(tp->name, sysanom_hooks[i].name))
			sysanom_hooks[i].tp = tp;
	}
}

static void sysanom_hook_unregister(int n)
{
	while (n--)
		tracepoint_probe_unregister(sysanom_hooks[n].tp,
					    sysanom_hooks[n].probe, NULL);
	/* No probe runs, or will run, past this point. */
	tracepoint_synchronize_unregister();
}

int sysanom_hook_init(void)
{
	int i, ret;

	for_each_kernel_tracepoint(sysanom_hook_find, NULL);
	for (i = 0; i < ARRAY_SIZE(sysanom_hooks); i++) {
		if (!sysanom_hooks[i].tp) {
			pr_err("tracepoint %s not found\n",
			       sysanom_hooks[i].name);
			ret = -ENOENT;
			goto err;
		}
	}
	for (i = 0; i < ARRAY_SIZE(sysanom_hooks); i++) {
		ret = tracepoint_probe_register(sysanom_hooks[i].tp,
						sysanom_hooks[i].probe, NULL);
		if (ret) {
			pr_err("cannot attach to %s: %d\n",
			       sysanom_hooks[i].name, ret);
			goto err_unregister;
		}
	}
	return 0;

err_unregister:
	sysanom_hook_unregister(i);
err:
	return ret;
}

void sysanom_hook_exit(void)
{
	sysanom_hook_unregister(ARRAY_SIZE(sysanom_hooks));
}
