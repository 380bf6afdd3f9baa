// SPDX-License-Identifier: GPL-2.0
/*
 * sysanom: learns the system calls of containers and flags what is new.
 * This file only wires the subsystems together, in order.
 */
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <net/genetlink.h>	/* MODULE_ALIAS_GENL_FAMILY, there from 6.12 */
#include <uapi/linux/sysanom.h>

#include "alert.h"
#include "hook.h"
#include "netlink.h"
#include "procfs.h"
#include "profile.h"
#include "thread.h"

module_param_named(max_cgroups, sysanom_max_cgroups, uint, 0444);
MODULE_PARM_DESC(max_cgroups, "Most cgroups monitored at once (default 1024)");
module_param_named(max_threads, sysanom_max_threads, uint, 0444);
MODULE_PARM_DESC(max_threads, "Most threads watched at once (default 16384)");
module_param_named(max_cgroup_threads, sysanom_max_cgroup_threads, uint, 0444);
MODULE_PARM_DESC(max_cgroup_threads, "Most threads watched at once in one monitored cgroup (default 4096)");
module_param_named(max_profile_bytes, sysanom_max_profile_bytes, ulong, 0644);
MODULE_PARM_DESC(max_profile_bytes, "Memory cap of one profile (default 64 MiB)");
module_param_named(max_total_bytes, sysanom_max_total_bytes, ulong, 0644);
MODULE_PARM_DESC(max_total_bytes, "Memory cap of all profiles (default 512 MiB)");
module_param_named(alert_log, sysanom_alert_log_size, uint, 0444);
MODULE_PARM_DESC(alert_log, "Alerts kept in the log (default 1024)");
module_param_named(alert_rate, sysanom_alert_rate, uint, 0444);
MODULE_PARM_DESC(alert_rate, "Alerts logged per second per container, and as many again for new processes (default 10)");

static int __init sysanom_init(void)
{
	int ret;

	if (!sysanom_max_cgroups || sysanom_max_cgroups > 65536 ||
	    !sysanom_max_threads || sysanom_max_threads > (1U << 22) ||
	    !sysanom_max_cgroup_threads ||
	    !sysanom_alert_log_size || sysanom_alert_log_size > 65536 ||
	    !sysanom_alert_rate || sysanom_alert_rate > 10000) {
		pr_err("max_cgroups (1..65536), max_threads (1..4194304), max_cgroup_threads (>= 1), alert_log (1..65536) or alert_rate (1..10000) out of range\n");
		return -EINVAL;
	}
	ret = sysanom_thread_init();
	if (ret)
		goto err_thread;
	sysanom_profile_init();
	ret = sysanom_genl_init();
	if (ret)
		goto err_genl;
	ret = sysanom_alert_init();
	if (ret)
		goto err_alert;
	ret = sysanom_procfs_init();
	if (ret)
		goto err_procfs;
	ret = sysanom_hook_init();
	if (ret)
		goto err_hook;
	pr_info("loaded\n");
	return 0;

err_hook:
	sysanom_procfs_exit();
err_procfs:
	sysanom_alert_exit();
err_alert:
	sysanom_genl_exit();
err_genl:
	sysanom_profile_exit();
	sysanom_thread_exit();
err_thread:
	return ret;
}

static void __exit sysanom_exit(void)
{
	sysanom_hook_exit();
	sysanom_procfs_exit();
	sysanom_alert_exit();
	sysanom_genl_exit();
	sysanom_profile_exit();
	sysanom_thread_exit();
	pr_info("unloaded\n");
}

module_init(sysanom_init);
module_exit(sysanom_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Anomaly detection on the system calls of containers");
MODULE_AUTHOR("sysanom developers");
MODULE_ALIAS_GENL_FAMILY(SYSANOM_GENL_NAME);
