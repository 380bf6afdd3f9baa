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

/* Anomalous windows of an incident kept in its record, with context. */
#define SYSANOM_INCIDENT_WINDOWS	8

/*
 * One incident: the consecutive anomalous windows of one thread, from the
 * first, which raised the alert, to the last.
 */
struct sysanom_alert {
	u64 seq;			/* 1, 2, ... never reused */
	u64 time_ns;			/* CLOCK_REALTIME, the first window */
	u64 last_ns;			/* the last window */
	u64 cgid;
	pid_t pid;
	pid_t tid;
	char comm[TASK_COMM_LEN];
	u32 detector;			/* enum sa_detector that fired */
	u32 score;			/* frame score at the first window */
	u32 max_score;
	u32 count;			/* anomalous windows */
	u32 nwindow;			/* calls in a window: k */
	u32 nctx;			/* rows of ctx kept */
	u8 tag;				/* the thread's call-set row */
	/*
	 * The last SA_RING calls at each of the first anomalous windows,
	 * oldest first (the window is the last nwindow of them); calls before
	 * the thread's first are SA_ID_START.
	 */
	u16 ctx[SYSANOM_INCIDENT_WINDOWS][SA_RING];
};

/* A thread whose incident had no record (rate limit): it goes on. */
#define SYSANOM_INCIDENT_UNLOGGED	U64_MAX

extern unsigned int sysanom_alert_log_size;
extern unsigned int sysanom_alert_rate;

int sysanom_alert_init(void);
void sysanom_alert_exit(void);
bool sysanom_alert_raise(struct sysanom_profile *p, struct sysanom_thread *th,
			 const struct sa_profile *sa, unsigned int verdict,
			 u64 lag);
bool sysanom_alert_event(struct sysanom_profile *p, u32 event, u32 id);
int sysanom_alert_get(u64 seq, struct sysanom_alert *a);
int sysanom_alert_walk(u64 after_seq,
		       int (*fn)(const struct sysanom_alert *, void *),
		       void *arg);
u64 sysanom_alert_dropped(void);

#endif /* _SYSANOM_ALERT_H */
