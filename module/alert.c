// SPDX-License-Identifier: GPL-2.0
/*
 * The alert log: a ring of alert_log_size records. Raising an alert happens
 * on the offending thread's system-call path, after the container's rate
 * limit; it only copies a record into the ring and kicks a work item that
 * multicasts new records from process context.
 */
#include <linux/ktime.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/vmalloc.h>
#include <linux/workqueue.h>
#include <uapi/linux/sysanom.h>

#include "alert.h"
#include "netlink.h"
#include "profile.h"
#include "thread.h"

unsigned int sysanom_alert_log_size = 1024;
unsigned int sysanom_alert_rate = 10;

static struct sysanom_alert *sysanom_alerts;
static DEFINE_SPINLOCK(sysanom_alert_lock);
static u64 sysanom_alert_head;		/* seq of the newest record */
static u64 sysanom_alert_sent;		/* seq of the last multicast */
static atomic64_t sysanom_alerts_lost = ATOMIC64_INIT(0);

static void sysanom_alert_send(struct work_struct *work);
static DECLARE_WORK(sysanom_alert_work, sysanom_alert_send);

static struct sysanom_alert *sysanom_alert_slot(u64 seq)
{
	return &sysanom_alerts[seq % sysanom_alert_log_size];
}

static u32 sysanom_detector_of(const struct sa_profile *sa,
			       unsigned int verdict)
{
	if (verdict & SA_V_NEWCALL)
		return SYSANOM_ALERT_NEW_CALL;
	if (verdict & SA_V_COMBO_ANOMALY && sa->params.detector == SA_DET_COMBO)
		return SA_DET_COMBO;
	if (verdict & SA_V_BOSC_ANOMALY && sa->params.detector == SA_DET_BOSC)
		return SA_DET_BOSC;
	return SA_DET_STIDE;
}

/*
 * Whether an alert of current gets a record. One noisy process must not
 * hide the next one (an intruder's shell after a flood from the service),
 * so the first alert of a process, or of a program it exec'd, that is not
 * among the last few alerted draws on a second budget; either way at most
 * 20 records a second per container.
 */
static bool sysanom_alert_admit(struct sysanom_profile *p)
{
	u64 proc = (u64)(u32)task_tgid_nr(current) << 32 |
		   (u32)current->self_exec_id;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(p->alert_procs); i++)
		if (READ_ONCE(p->alert_procs[i]) == proc)
			return __ratelimit(&p->alert_rs);
	if (!__ratelimit(&p->alert_new_rs))
		return __ratelimit(&p->alert_rs);
	i = (unsigned int)atomic_inc_return(&p->alert_proc_next) %
	    ARRAY_SIZE(p->alert_procs);
	WRITE_ONCE(p->alert_procs[i], proc);
	return true;
}

/*
 * Action kill: SIGKILL to current, the whole process. force_sig() (exported
 * from 6.1 to 7.2) and not send_sig(): the init of a pid namespace, a
 * container's PID 1, is SIGNAL_UNKILLABLE, and a signal it sends itself the
 * ordinary way is dropped. force_sig() clears SIGNAL_UNKILLABLE for a
 * handler at SIG_DFL (SIGKILL's always is) unless the task is ptraced, and
 * sends as the kernel (SI_KERNEL), which an init does not ignore. When PID 1
 * dies, the kernel kills the rest of its namespace. A ptraced PID 1 stays
 * unkillable: its offending calls still fail.
 */
static void sysanom_alert_kill(void)
{
	force_sig(SIGKILL);
}

/* The last SA_RING calls of @s, oldest first, into @row. */
static void sysanom_alert_ctx(const struct sa_stream *s, u16 *row)
{
	unsigned int i, valid = min_t(unsigned int, s->calls, SA_RING);

	for (i = 0; i < SA_RING; i++)
		row[i] = i < SA_RING - valid ? SA_ID_START :
			 s->ring[(s->pos + i) & (SA_RING - 1)];
}

/*
 * The next record of the log, for an incident of current in @p that starts
 * now, with one window; the caller fills in what raised it. Under
 * sysanom_alert_lock.
 */
static struct sysanom_alert *sysanom_alert_new(struct sysanom_profile *p)
{
	struct sysanom_alert *a;

	lockdep_assert_held(&sysanom_alert_lock);
	a = sysanom_alert_slot(++sysanom_alert_head);
	a->seq = sysanom_alert_head;
	a->time_ns = ktime_get_real_ns();
	a->last_ns = a->time_ns;
	a->cgid = p->cgid;
	a->pid = task_tgid_nr(current);
	a->tid = task_pid_nr(current);
	get_task_comm(a->comm, current);
	a->score = 0;
	a->max_score = 0;
	a->count = 1;
	a->nctx = 1;
	return a;
}

/* Another anomalous window of the incident @seq, if still in the log. */
static void sysanom_alert_update(u64 seq, const struct sa_profile *sa,
				 const struct sa_stream *s)
{
	struct sysanom_alert *a;
	u32 score = sa_stream_score(sa, s);

	spin_lock(&sysanom_alert_lock);
	a = sysanom_alert_slot(seq);
	if (a->seq == seq) {
		a->count++;
		a->last_ns = ktime_get_real_ns();
		a->max_score = max(a->max_score, score);
		if (a->nctx < SYSANOM_INCIDENT_WINDOWS)
			sysanom_alert_ctx(s, a->ctx[a->nctx++]);
	}
	spin_unlock(&sysanom_alert_lock);
}

/*
 * An anomalous window of @th, @lag matching windows after its last miss.
 * Consecutive anomalous windows of a thread (no miss under the threshold
 * between them, and the last one still in the frame) are one incident:
 * the first opens a record and goes out at once, the others update it.
 * Returns true when the offending call must not run (action kill).
 */
bool sysanom_alert_raise(struct sysanom_profile *p, struct sysanom_thread *th,
			 const struct sa_profile *sa, unsigned int verdict,
			 u64 lag)
{
	bool kill = READ_ONCE(p->action) == SYSANOM_ACTION_KILL;
	const struct sa_stream *s = &th->stream;
	struct sysanom_alert *a;

	atomic64_inc(&p->anomalous_windows);
	if (kill)
		sysanom_alert_kill();
	if (th->incident && lag < sa->params.frame) {
		if (th->incident != SYSANOM_INCIDENT_UNLOGGED)
			sysanom_alert_update(th->incident, sa, s);
		return kill;
	}
	atomic64_inc(&p->alerts);
	if (!sysanom_alert_admit(p)) {
		atomic64_inc(&p->alerts_suppressed);
		th->incident = SYSANOM_INCIDENT_UNLOGGED;
		return kill;
	}

	spin_lock(&sysanom_alert_lock);
	a = sysanom_alert_new(p);
	a->detector = sysanom_detector_of(sa, verdict);
	a->score = sa_stream_score(sa, s);
	a->max_score = a->score;
	a->nwindow = sa->params.k;
	a->tag = s->tag;
	sysanom_alert_ctx(s, a->ctx[0]);
	th->incident = a->seq;
	spin_unlock(&sysanom_alert_lock);
	schedule_work(&sysanom_alert_work);
	return kill;
}

/*
 * Something no detector saw, in current, a task of @p, at its system call
 * @id (as the core sees it): @event, an enum sysanom_event. Only enforcing
 * containers alert; at most one event a second per container gets an
 * incident, and the container's rate limit applies to its record. Returns
 * true when the call must not run (action kill).
 */
bool sysanom_alert_event(struct sysanom_profile *p, u32 event, u32 id)
{
	struct sysanom_alert *a;
	unsigned int i;
	bool kill;

	if (READ_ONCE(p->mode) != SYSANOM_MODE_ENFORCING)
		return false;
	kill = READ_ONCE(p->action) == SYSANOM_ACTION_KILL;
	if (kill)
		sysanom_alert_kill();
	if (!__ratelimit(&p->event_rs[event - SYSANOM_EVENT_NO_STATE]))
		return kill;
	atomic64_inc(&p->alerts);
	if (!sysanom_alert_admit(p)) {
		atomic64_inc(&p->alerts_suppressed);
		return kill;
	}
	spin_lock(&sysanom_alert_lock);
	a = sysanom_alert_new(p);
	a->detector = event;
	a->nwindow = 1;
	for (i = 0; i < SA_RING - 1; i++)
		a->ctx[0][i] = SA_ID_START;
	a->ctx[0][SA_RING - 1] = id;
	spin_unlock(&sysanom_alert_lock);
	schedule_work(&sysanom_alert_work);
	return kill;
}

/* A copy of record @seq: 0, or -ENOENT when it left the log. */
int sysanom_alert_get(u64 seq, struct sysanom_alert *a)
{
	int ret = -ENOENT;

	spin_lock(&sysanom_alert_lock);
	if (seq && seq <= sysanom_alert_head &&
	    sysanom_alert_head - seq < sysanom_alert_log_size &&
	    sysanom_alert_slot(seq)->seq == seq) {
		*a = *sysanom_alert_slot(seq);
		ret = 0;
	}
	spin_unlock(&sysanom_alert_lock);
	return ret;
}

/* Process context: multicast the records raised since the last run. */
static void sysanom_alert_send(struct work_struct *work)
{
	struct sysanom_alert *a;
	u64 head;

	a = kmalloc(sizeof(*a), GFP_KERNEL);
	if (!a)
		return;
	for (;;) {
		spin_lock(&sysanom_alert_lock);
		head = sysanom_alert_head;
		if (sysanom_alert_sent == head) {
			spin_unlock(&sysanom_alert_lock);
			break;
		}
		if (head - sysanom_alert_sent > sysanom_alert_log_size) {
			atomic64_add(head - sysanom_alert_sent -
				     sysanom_alert_log_size,
				     &sysanom_alerts_lost);
			sysanom_alert_sent = head - sysanom_alert_log_size;
		}
		*a = *sysanom_alert_slot(++sysanom_alert_sent);
		spin_unlock(&sysanom_alert_lock);
		sysanom_genl_alert(a);
	}
	kfree(a);
}

/* Call fn on every record after after_seq still in the log, oldest first. */
int sysanom_alert_walk(u64 after_seq,
		       int (*fn)(const struct sysanom_alert *, void *),
		       void *arg)
{
	struct sysanom_alert *a;
	u64 seq;
	int ret = 0;

	a = kmalloc(sizeof(*a), GFP_KERNEL);
	if (!a)
		return -ENOMEM;
	if (after_seq == U64_MAX)
		goto out;
	for (seq = after_seq + 1;; seq++) {
		spin_lock(&sysanom_alert_lock);
		if (seq > sysanom_alert_head) {
			spin_unlock(&sysanom_alert_lock);
			break;
		}
		if (sysanom_alert_head - seq >= sysanom_alert_log_size)
			seq = sysanom_alert_head - sysanom_alert_log_size + 1;
		*a = *sysanom_alert_slot(seq);
		spin_unlock(&sysanom_alert_lock);
		ret = fn(a, arg);
		if (ret)
			break;
	}
out:
	kfree(a);
	return ret;
}

/* Records overwritten before they could be multicast. */
u64 sysanom_alert_dropped(void)
{
	return atomic64_read(&sysanom_alerts_lost);
}

int __init sysanom_alert_init(void)
{
	sysanom_alerts = vzalloc(array_size(sysanom_alert_log_size,
					    sizeof(*sysanom_alerts)));
	return sysanom_alerts ? 0 : -ENOMEM;
}

/* After the probes are gone: nothing raises alerts any more. */
void sysanom_alert_exit(void)
{
	cancel_work_sync(&sysanom_alert_work);
	vfree(sysanom_alerts);
}
