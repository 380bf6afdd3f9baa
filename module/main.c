// SPDX-License-Identifier: GPL-2.0
/*
 * sysanom: learns the system calls of containers and flags what is new.
 * This file only wires the subsystems together, in order.
 */
#include <linux/genetlink.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <uapi/linux/sysanom.h>

#include "hook.h"
#include "netlink.h"
#include "procfs.h"
#include "profile.h"

module_param_named(max_cgroups, sysanom_max_cgroups, uint, 0444);
MODULE_PARM_DESC(max_cgroups, "Most cgroups monitored at once (default 1024)");

static int __init sysanom_init(void)
{
	int ret;

	if (!sysanom_max_cgroups || sysanom_max_cgroups > 65536) {
		pr_err("max_cgroups must be between 1 and 65536\n");
		return -EINVAL;
	}
	ret = sysanom_hook_init();
	if (ret)
		goto err_hook;
	ret = sysanom_procfs_init();
	if (ret)
		goto err_procfs;
	ret = sysanom_genl_init();
	if (ret)
		goto err_genl;
	pr_info("loaded\n");
	return 0;

err_genl:
	sysanom_procfs_exit();
err_procfs:
	sysanom_hook_exit();
err_hook:
	return ret;
}

static void __exit sysanom_exit(void)
{
	sysanom_genl_exit();
	sysanom_procfs_exit();
	sysanom_hook_exit();
	sysanom_profile_free_all();
	pr_info("unloaded\n");
}

module_init(sysanom_init);
module_exit(sysanom_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Anomaly detection on the system calls of containers");
MODULE_AUTHOR("sysanom developers");
MODULE_ALIAS_GENL_FAMILY(SYSANOM_GENL_NAME);
