/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Monitored containers: one profile per tracked cgroup v2, looked up from
 * the system-call path under RCU, changed from process context only.
 */
#ifndef _SYSANOM_PROFILE_H
#define _SYSANOM_PROFILE_H

#include <linux/jump_label.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/ratelimit.h>
#include <linux/rcupdate.h>
#include <linux/types.h>
#include <linux/workqueue.h>
#include <uapi/linux/sysanom.h>
#include <sysanom/detector.h>

#include "thread.h"

struct task_struct;

/* Kinds of enum sysanom_event. */
#define SYSANOM_EVENTS	(SYSANOM_EVENT_IO_URING - SYSANOM_EVENT_NO_STATE + 1)

struct sysanom_stats {
	u64 syscalls;
	u64 forks;
	u64 execs;
	u64 exits;
};

/* The detection core's profile and the memory behind its two sets. */
struct sysanom_core {
	struct sa_profile sa;
	u64 shape;			/* sysanom_shape(&sa.params) */
	size_t bytes;
	void *mem;
};

struct sysanom_profile {
	struct hlist_node hnode;	/* sysanom_profiles, RCU */
	struct list_head lnode;		/* in tracking order, for dumps */
	u64 cgid;
	u64 seq;			/* tracking order, resumes dumps */
	u32 mode;			/* enum sysanom_mode, READ_ONCE */
	u32 action;			/* enum sysanom_action */
	bool full;			/* memory cap reached: no more growth */
	struct sysanom_core __rcu *core;
	struct mutex core_lock;		/* replaces core: grow, load, set */
	struct work_struct grow_work;
	struct ratelimit_state alert_rs;
	/* The first alert of a process not alerted lately: its own budget. */
	struct ratelimit_state alert_new_rs;
	u64 alert_procs[8];		/* processes alerted lately */
	atomic_t alert_proc_next;
	/* Events no detector raised (sysanom_alert_event()): one a second. */
	struct ratelimit_state event_rs[SYSANOM_EVENTS];
	atomic_t nthreads;		/* thread states charged to it */
	atomic64_t alerts;		/* incidents */
	atomic64_t alerts_suppressed;
	atomic64_t anomalous_windows;
	atomic64_t allowed;		/* alerts allowed into the profile */
	u64 stable_ppm;			/* until-stable: slope threshold */
	u32 stable_checks;		/* consecutive checks needed, 0 = off */
	u32 stable_run;
	u32 train_checks;		/* one-second checks of until-stable training */
	u32 calib_checks;		/* one-second checks in calibration */
	u64 since_ns;			/* ktime_get_ns() when tracking began */
	bool converged;			/* the until-stable rule was met */
	struct sysanom_stats __percpu *stats;
};

/* A snapshot of one profile, taken under the table lock for readers. */
struct sysanom_profile_info {
	u64 cgid;
	u64 seq;
	u32 mode;
	u32 action;
	bool full;
	struct sysanom_stats stats;
	struct sa_params params;
	u64 windows;
	u32 entries;
	u64 slope_ppm;
	u64 bytes;
	u64 alerts;
	u64 alerts_suppressed;
	u64 anomalous_windows;
	u64 allowed;
	bool converged;
	bool calls_on;
	u32 call_pairs;
	u8 calib_state;			/* enum sa_calib_state */
	u8 overridden;			/* SA_OVR_* */
	u64 calib_windows;
	u64 calib_max[3];		/* score, lfc, epoch */
	const char *path;		/* "" when the cgroup is gone */
};

/*
 * What SET changes: the fields whose SYSANOM_A_* bit is in @present, taken
 * from @params (detector, window lengths, thresholds, growth_shift,
 * margin), @action, @stable_ppm and @stable_checks.
 */
struct sysanom_settings {
	u64 present;
	struct sa_params params;
	u32 action;
	u32 stable_checks;
	u64 stable_ppm;
};

DECLARE_STATIC_KEY_FALSE(sysanom_tracking);

extern unsigned int sysanom_max_cgroups;
extern unsigned int sysanom_max_cgroup_threads;
extern unsigned long sysanom_max_profile_bytes;
extern unsigned long sysanom_max_total_bytes;

struct sysanom_profile *sysanom_profile_of(struct task_struct *task);
bool sysanom_profile_charge(struct sysanom_profile *p);
void sysanom_profile_uncharge(u64 cgid, u64 seq);
struct sysanom_profile *sysanom_profile_find(u64 cgid, u64 seq);
void sysanom_profile_flush(struct sysanom_profile *p, struct sa_stream *s);
bool sysanom_profile_feed_slow(struct sysanom_profile *p,
			       struct sysanom_thread *th, u32 id);
int sysanom_profile_track(u64 cgid, u32 mode);
int sysanom_profile_untrack(u64 cgid);
void *sysanom_profile_export(u64 cgid, size_t *len);
int sysanom_profile_import(u64 cgid, const void *buf, size_t len, u32 mode);
int sysanom_profile_set(u64 cgid, const struct sysanom_settings *set);
struct sysanom_alert;
int sysanom_profile_allow(const struct sysanom_alert *a, u32 *added);
int sysanom_profile_walk(u64 after_seq,
			 int (*fn)(const struct sysanom_profile_info *, void *),
			 void *arg);
void sysanom_profile_init(void);
void sysanom_profile_exit(void);
u64 sysanom_profile_mem_total(void);

/*
 * Whether @th detects against @core, its profile's, inline in the sys_enter
 * probe; if not, its call takes sysanom_profile_feed_slow(): training, or
 * windows built for other lengths.
 */
/*
 * What a thread's stream is counted under, in one word: the window lengths
 * (bits 0-15), a judgement tag (bit 16) and the epoch its deferred windows
 * belong to (bits 32-63).
 */
static inline u64 sysanom_shape(const struct sa_params *pa)
{
	return pa->k | (u64)pa->bag << 8 | (u64)pa->epoch << 32;
}

/* A shape bit that tells streams to start their frames and epoch afresh. */
#define SYSANOM_SHAPE_JUDGE	(1ULL << 16)

static __always_inline bool sysanom_profile_fast(struct sysanom_profile *p,
						 const struct sysanom_core *core,
						 const struct sysanom_thread *th)
{
	return likely(th->shape == core->shape &&
		      READ_ONCE(p->mode) == SYSANOM_MODE_ENFORCING);
}

#endif /* _SYSANOM_PROFILE_H */
