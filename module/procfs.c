// SPDX-License-Identifier: GPL-2.0
/*
 * /proc/sysanom: the monitored containers for humans, readable by root only.
 */
#include <linux/capability.h>
#include <linux/proc_fs.h>
#include <linux/seq_file.h>
#include <uapi/linux/sysanom.h>

#include "alert.h"
#include "procfs.h"
#include "profile.h"
#include "thread.h"

static struct proc_dir_entry *sysanom_proc_dir;

static const char *sysanom_mode_name(u32 mode)
{
	switch (mode) {
	case SYSANOM_MODE_TRAINING:
		return "training";
	case SYSANOM_MODE_ENFORCING:
		return "enforcing";
	case SYSANOM_MODE_CALIBRATING:
		return "calibrating";
	default:
		return "unknown";
	}
}

static int sysanom_status_show_one(const struct sysanom_profile_info *pi,
				   void *arg)
{
	struct seq_file *m = arg;

	static const char *const calib[] = {
		"none", "running", "done", "cross-validated"
	};

	seq_printf(m, "%llu %s %llu %llu %llu %llu %llu %u %llu %llu%s %u %s %llu %llu %llu %s\n",
		   pi->cgid, sysanom_mode_name(pi->mode), pi->stats.syscalls,
		   pi->stats.forks, pi->stats.execs, pi->stats.exits,
		   pi->windows, pi->entries, pi->slope_ppm, pi->bytes,
		   pi->full ? "(full)" : "", pi->params.combo_threshold,
		   calib[pi->calib_state & 3], pi->alerts,
		   pi->anomalous_windows, pi->alerts_suppressed,
		   pi->path[0] ? pi->path : "-");
	return 0;
}

static int sysanom_status_show(struct seq_file *m, void *v)
{
	seq_printf(m, "threads %u untracked_calls %llu profile_bytes %llu alerts_lost %llu\n",
		   sysanom_thread_count(), sysanom_thread_untracked(),
		   sysanom_profile_mem_total(), sysanom_alert_dropped());
	seq_puts(m, "cgroup_id mode syscalls forks execs exits windows entries slope_ppm bytes combo_threshold calibration alerts anomalous_windows suppressed path\n");
	return sysanom_profile_walk(0, sysanom_status_show_one, m);
}

static int sysanom_alerts_show_one(const struct sysanom_alert *a, void *arg)
{
	struct seq_file *m = arg;
	u32 i;

	seq_printf(m, "%llu %llu %llu %d %d %s %u %u %u", a->seq, a->time_ns,
		   a->cgid, a->pid, a->tid, a->comm, a->detector, a->score,
		   a->count);
	for (i = SA_RING - a->nwindow; i < SA_RING; i++)
		seq_printf(m, "%c%u", i > SA_RING - a->nwindow ? ',' : ' ',
			   a->ctx[0][i]);
	seq_putc(m, '\n');
	return 0;
}

static int sysanom_alerts_show(struct seq_file *m, void *v)
{
	seq_puts(m, "seq time_ns cgroup_id pid tid comm detector score window\n");
	return sysanom_alert_walk(0, sysanom_alerts_show_one, m);
}

/*
 * Mode 0400 only checks the uid, and root inside a container without a user
 * namespace is uid 0: also require what the netlink commands require.
 */
static int sysanom_proc_open(struct inode *inode, struct file *file)
{
	if (!file_ns_capable(file, &init_user_ns, CAP_NET_ADMIN))
		return -EPERM;
	return single_open(file, pde_data(inode), NULL);
}

static const struct proc_ops sysanom_proc_ops = {
	.proc_open = sysanom_proc_open,
	.proc_read = seq_read,
	.proc_lseek = seq_lseek,
	.proc_release = single_release,
};

int __init sysanom_procfs_init(void)
{
	sysanom_proc_dir = proc_mkdir_mode("sysanom", 0500, NULL);
	if (!sysanom_proc_dir)
		return -ENOMEM;
	if (!proc_create_data("status", 0400, sysanom_proc_dir,
			      &sysanom_proc_ops, sysanom_status_show) ||
	    !proc_create_data("alerts", 0400, sysanom_proc_dir,
			      &sysanom_proc_ops, sysanom_alerts_show)) {
		proc_remove(sysanom_proc_dir);
		return -ENOMEM;
	}
	return 0;
}

void sysanom_procfs_exit(void)
{
	proc_remove(sysanom_proc_dir);
}
