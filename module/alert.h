/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Alerts: a bounded in-kernel log, read through procfs and netlink dumps,
 * and sent to the netlink multicast group as they come.
 */
#ifndef _SYSANOM_ALERT_H
#define _SYSANOM_ALERT_H

#include <linux/sched.h>
#include <linux/types.h>
#include <sysanom/detector.h>

struct sysanom_profile;
struct sysanom_thread;

struct sysanom_alert {
	u64 seq;			/* 1, 2, ... never reused */
	u64 time_ns;			/* CLOCK_REALTIME */
	u64 cgid;
	pid_t pid;
	pid_t tid;
	char comm[TASK_COMM_LEN];
	u32 detector;			/* enum sa_detector that fired */
	u32 score;
	u32 nwindow;
	u16 window[SA_K_MAX];		/* offending window, oldest first */
};

extern unsigned int sysanom_alert_log_size;

int sysanom_alert_init(void);
void sysanom_alert_exit(void);
bool sysanom_alert_raise(struct sysanom_profile *p,
			 const struct sysanom_thread *th,
			 const struct sa_profile *sa, unsigned int verdict);
int sysanom_alert_walk(u64 after_seq,
		       int (*fn)(const struct sysanom_alert *, void *),
		       void *arg);
u64 sysanom_alert_dropped(void);

#endif /* _SYSANOM_ALERT_H */
