/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What differs between the kernels sysanom is built for (6.1 to 7.2), kept
 * in one place, as WireGuard's compat layer does. Each entry names the
 * release that changed and why the module cares.
 */
#ifndef _SYSANOM_COMPAT_H
#define _SYSANOM_COMPAT_H

#include <linux/preempt.h>
#include <linux/tracepoint.h>

/*
 * Up to 6.12 a tracepoint calls its probes with preemption disabled, and the
 * sys_enter probe is built on that: its per-CPU caches are read and written
 * by one CPU from start to end, and it is an RCU read-side critical section
 * that synchronize_rcu() and call_rcu() wait for (rcu_dereference_sched()).
 * 6.13 made the system-call tracepoints faultable (TRACE_EVENT_SYSCALL in
 * <linux/tracepoint.h>): their probes run preemptible, under tasks-trace RCU
 * only, so the probe disables preemption itself for its whole body. It
 * neither sleeps nor faults.
 */
#ifdef TRACE_EVENT_SYSCALL
#define sysanom_syscall_probe_begin()	preempt_disable_notrace()
#define sysanom_syscall_probe_end()	preempt_enable_notrace()
#else
#define sysanom_syscall_probe_begin()	do { } while (0)
#define sysanom_syscall_probe_end()	do { } while (0)
#endif

/*
 * Not PREEMPT_RT: spinlock_t sleeps there, and the sys_enter probe takes
 * spinlocks and allocates (GFP_ATOMIC) with preemption disabled.
 */
#ifdef CONFIG_PREEMPT_RT
#error "sysanom does not support PREEMPT_RT kernels"
#endif

#endif /* _SYSANOM_COMPAT_H */
