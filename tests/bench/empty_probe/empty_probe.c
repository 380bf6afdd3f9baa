// SPDX-License-Identifier: GPL-2.0
/*
 * The floor of a tracepoint-based system-call hook: an empty probe on the raw
 * sys_enter tracepoint. Registering any probe there sets TIF_SYSCALL_TRACEPOINT
 * on every task, which sends every system call through the slow entry path;
 * tests/bench/overhead.sh measures sysanom against this module.
 */
#include <linux/module.h>
#include <linux/ptrace.h>
#include <linux/string.h>
#include <linux/tracepoint.h>

static struct tracepoint *empty_probe_tp;

static void empty_probe_sys_enter(void *data, struct pt_regs *regs, long id)
{
}

static void empty_probe_find(struct tracepoint *tp, void *priv)
{
	if (!strcmp(tp->name, "sys_enter"))
		empty_probe_tp = tp;
}

static int __init empty_probe_init(void)
{
	for_each_kernel_tracepoint(empty_probe_find, NULL);
	if (!empty_probe_tp) {
		pr_err("tracepoint sys_enter not found\n");
		return -ENOENT;
	}
	return tracepoint_probe_register(empty_probe_tp, empty_probe_sys_enter,
					 NULL);
}

static void __exit empty_probe_exit(void)
{
	tracepoint_probe_unregister(empty_probe_tp, empty_probe_sys_enter,
				    NULL);
	tracepoint_synchronize_unregister();
}

module_init(empty_probe_init);
module_exit(empty_probe_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Empty sys_enter probe: the floor for sysanom's overhead");
