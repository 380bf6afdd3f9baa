// SPDX-License-Identifier: GPL-2.0
/*
 * Tracepoint probes: sys_enter for every system call, and the scheduler's
 * fork, exec and exit events for per-thread state. The raw tracepoints are
 * not exported by name, so they are found by walking the kernel's list.
 */
#include <linux/compat.h>
#include <linux/kernel.h>
#include <linux/percpu.h>
#include <linux/ptrace.h>
#include <linux/sched.h>
#include <linux/string.h>
#include <linux/tracepoint.h>

#include "hook.h"
#include "profile.h"
#include "thread.h"

/*
 * The detection core takes ids below SA_MAX_ID: native calls keep their
 * number, 32-bit compat calls move to 512 + n, anything else is 1023.
 */
static u32 sysanom_syscall_id(long id)
{
	if (unlikely(in_compat_syscall()))
		return id >= 0 && id < 511 ? 512 + id : SA_MAX_ID - 1;
	return id >= 0 && id < 512 ? id : SA_MAX_ID - 1;
}

static void sysanom_probe_sys_enter(void *data, struct pt_regs *regs, long id)
{
	struct sysanom_thread *th;

	if (!static_branch_unlikely(&sysanom_tracking))
		return;
	th = sysanom_thread_get(current);
	if (!th)
		return;
	this_cpu_inc(th->prof->stats->syscalls);
	/* A killed offender's call does not run: -ENOSYS, then SIGKILL. */
	if (sysanom_profile_feed(th->prof, th, sysanom_syscall_id(id)))
		regs->orig_ax = -1;
}

static void sysanom_probe_fork(void *data, struct task_struct *parent,
			       struct task_struct *child)
{
	struct sysanom_profile *p;

	if (!static_branch_unlikely(&sysanom_tracking))
		return;
	rcu_read_lock();
	p = sysanom_profile_of(child);
	if (p)
		this_cpu_inc(p->stats->forks);
	rcu_read_unlock();
}

static void sysanom_probe_exec(void *data, struct task_struct *task,
			       pid_t old_pid, struct linux_binprm *bprm)
{
	struct sysanom_profile *p;

	if (!static_branch_unlikely(&sysanom_tracking))
		return;
	rcu_read_lock();
	sysanom_thread_exec(task);
	p = sysanom_profile_of(task);
	if (p)
		this_cpu_inc(p->stats->execs);
	rcu_read_unlock();
}

static void sysanom_probe_exit(void *data, struct task_struct *task)
{
	struct sysanom_profile *p;

	/* States outlive tracking (untrack): free them whatever the key. */
	if (!static_branch_unlikely(&sysanom_tracking) &&
	    !sysanom_thread_count())
		return;
	rcu_read_lock();
	sysanom_thread_release(task);
	p = sysanom_profile_of(task);
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
	{ .name = "sched_process_fork", .probe = sysanom_probe_fork },
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
