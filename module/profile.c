// SPDX-License-Identifier: GPL-2.0
/*
 * The table of monitored containers. Readers on the system-call path find a
 * task's profile under RCU without taking a lock; tracking, untracking and
 * dumps serialise on sysanom_profiles_lock in process context.
 */
#include <linux/cgroup.h>
#include <linux/hashtable.h>
#include <linux/ktime.h>
#include <linux/limits.h>
#include <linux/mutex.h>
#include <linux/percpu.h>
#include <linux/random.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <uapi/linux/sysanom.h>

#include <sysanom/profile_fmt.h>

#include "alert.h"
#include "profile.h"
#include "thread.h"

/* Sets start at 1 << 10 slots and double up to the memory caps. */
#define SYSANOM_INITIAL_ORDER 10
/* Calibration lasts as long as training did, up to an hour. */
#define SYSANOM_CALIB_MAX_CHECKS 3600

DEFINE_STATIC_KEY_FALSE(sysanom_tracking);

unsigned int sysanom_max_cgroups = 1024;
unsigned int sysanom_max_cgroup_threads = 4096;
unsigned long sysanom_max_profile_bytes = 64UL << 20;
unsigned long sysanom_max_total_bytes = 512UL << 20;
static atomic64_t sysanom_mem = ATOMIC64_INIT(0);

static DEFINE_HASHTABLE(sysanom_profiles, 8);
static LIST_HEAD(sysanom_profile_list);
static DEFINE_MUTEX(sysanom_profiles_lock);
static unsigned int sysanom_nprofiles;
static u64 sysanom_next_seq = 1;

static void sysanom_profile_check_stable(struct work_struct *work);
static DECLARE_DELAYED_WORK(sysanom_stable_work, sysanom_profile_check_stable);

/*
 * Every track and untrack: invalidates cached bindings. The change is seen
 * by whoever sees the new generation.
 */
static void sysanom_profile_gen_bump(void)
{
	lockdep_assert_held(&sysanom_profiles_lock);
	/* Pairs with the smp_rmb()s of sysanom_thread_get_slow(). */
	smp_wmb();
	atomic64_inc(&sysanom_prof_gen);
	sysanom_gen_bump();
}

/* Under RCU (the system-call path) or sysanom_profiles_lock (the writers). */
static struct sysanom_profile *sysanom_profile_lookup(u64 cgid)
{
	struct sysanom_profile *p;

	hash_for_each_possible_rcu(sysanom_profiles, p, hnode, cgid,
				   lockdep_is_held(&sysanom_profiles_lock)) {
		if (p->cgid == cgid)
			return p;
	}
	return NULL;
}

/*
 * The profile a task's system calls count against: that of the nearest
 * monitored ancestor of its cgroup, the root excluded. Caller holds RCU.
 */
struct sysanom_profile *sysanom_profile_of(struct task_struct *task)
{
	struct sysanom_profile *p;
	struct cgroup *cgrp;
	int level;

	cgrp = task_dfl_cgroup(task);
	for (level = cgrp->level; level > 0; level--) {
		p = sysanom_profile_lookup(cgroup_id(cgrp->ancestors[level]));
		if (p)
			return p;
	}
	return NULL;
}

/*
 * A thread state for @p, within its quota of max_cgroup_threads: false when
 * the quota is used up. One container cannot take the whole thread table
 * and leave the others' new threads unwatched.
 */
bool sysanom_profile_charge(struct sysanom_profile *p)
{
	if (atomic_inc_return(&p->nthreads) <= sysanom_max_cgroup_threads)
		return true;
	atomic_dec(&p->nthreads);
	return false;
}

/*
 * A thread state charged to the profile of cgroup @cgid whose sequence
 * number was @seq is freed or moves on. That profile may be gone: its
 * sequence number, never reused, tells. Caller holds RCU.
 */
void sysanom_profile_uncharge(u64 cgid, u64 seq)
{
	struct sysanom_profile *p = sysanom_profile_find(cgid, seq);

	if (p)
		atomic_dec(&p->nthreads);
}

/*
 * The profile of cgroup @cgid if it is still the one of sequence number
 * @seq (0: none), or NULL. Caller holds RCU.
 */
struct sysanom_profile *sysanom_profile_find(u64 cgid, u64 seq)
{
	struct sysanom_profile *p;

	if (!seq)
		return NULL;
	p = sysanom_profile_lookup(cgid);
	return p && p->seq == seq ? p : NULL;
}

/* A core with sets of 1 << so and 1 << bo slots, within the memory caps. */
static struct sysanom_core *sysanom_core_alloc(const struct sa_params *params,
					       unsigned int so,
					       unsigned int bo)
{
	size_t ss = sa_hashset_size(so), bs = sa_hashset_size(bo);
	struct sysanom_core *core;

	if (!ss || !bs || ss + bs > sysanom_max_profile_bytes)
		return NULL;
	if (atomic64_add_return(ss + bs, &sysanom_mem) > sysanom_max_total_bytes)
		goto err_unaccount;
	core = kvzalloc(sizeof(*core), GFP_KERNEL);
	if (!core)
		goto err_unaccount;
	core->bytes = ss + bs;
	core->mem = kvzalloc(core->bytes, GFP_KERNEL | __GFP_NOWARN);
	if (!core->mem)
		goto err_free;
	if (sa_profile_init(&core->sa, params, core->mem, so,
			    core->mem + ss, bo))
		goto err_free_mem;
	/* Keyed: crafted windows or files cannot pile into one cluster. */
	sa_hashset_seed(&core->sa.stide, get_random_u64());
	sa_hashset_seed(&core->sa.bosc, get_random_u64());
	core->shape = sysanom_shape(&core->sa.params);
	return core;

err_free_mem:
	kvfree(core->mem);
err_free:
	kvfree(core);
err_unaccount:
	atomic64_sub(ss + bs, &sysanom_mem);
	return NULL;
}

static void sysanom_core_free(struct sysanom_core *core)
{
	if (!core)
		return;
	atomic64_sub(core->bytes, &sysanom_mem);
	kvfree(core->mem);
	kvfree(core);
}

/*
 * Copies the entries and call sets of @old into @new; -ENOSPC if the
 * entries do not all fit.
 */
static int sysanom_core_copy(struct sysanom_core *new,
			     const struct sysanom_core *old)
{
	int ret = sa_hashset_copy(&new->sa.stide, &old->sa.stide);

	sa_calls_merge(&new->sa, &old->sa);
	return ret ?: sa_hashset_copy(&new->sa.bosc, &old->sa.bosc);
}

/*
 * Publish @new in place of the current core and return the core now
 * published. With @carry, what the old core learnt moves over: a first
 * copy before publishing (that failing, nothing changes and the caller
 * still owns @new: -ENOSPC), and a second after the grace period, for what
 * trainers added to the old sets before every CPU saw the new ones. Should
 * that overfill @new, the old entries go into a larger successor rather
 * than be lost.
 */
static struct sysanom_core *sysanom_core_replace(struct sysanom_profile *p,
						 struct sysanom_core *new,
						 bool carry)
{
	struct sysanom_core *old, *big, *cur = new;
	u64 w0 = 0, c0 = 0;
	int over;

	lockdep_assert_held(&p->core_lock);
	old = rcu_dereference_protected(p->core,
					lockdep_is_held(&p->core_lock));
	if (carry) {
		/* Same order, same key: every entry takes its old slot. */
		if (new->sa.stide.order == old->sa.stide.order)
			sa_hashset_seed(&new->sa.stide, old->sa.stide.seed);
		if (new->sa.bosc.order == old->sa.bosc.order)
			sa_hashset_seed(&new->sa.bosc, old->sa.bosc.seed);
		if (sysanom_core_copy(new, old))
			return ERR_PTR(-ENOSPC);
		new->sa.calls_on = old->sa.calls_on;
		new->sa.growth = old->sa.growth;
		w0 = sa_profile_windows(&new->sa);
		new->sa.calib = old->sa.calib;
		c0 = sa_atomic64_read(&new->sa.calib.windows);
		/* The judgement tag holds unless the caller flipped it. */
		new->shape ^= old->shape & SYSANOM_SHAPE_JUDGE;
	}
	rcu_assign_pointer(p->core, new);
	synchronize_rcu();
	if (!carry)
		goto out_free;
	over = sysanom_core_copy(new, old);
	/* Windows counted on the old core meanwhile count too. */
	sa_atomic64_add_return(sa_profile_windows(&old->sa) - w0,
			       &new->sa.growth.windows);
	sa_atomic64_add_return(sa_atomic64_read(&old->sa.calib.windows) - c0,
			       &new->sa.calib.windows);
	sa_calib_merge(&new->sa, &old->sa);
	if (!over)
		goto out_free;
	big = sysanom_core_alloc(&new->sa.params, new->sa.stide.order + 1,
				 new->sa.bosc.order + 1);
	if (big) {
		/* Its judgement tag comes from @new, as @new's from @old. */
		if (!sysanom_core_copy(big, old))
			cur = sysanom_core_replace(p, big, true);
		if (IS_ERR(cur)) {
			sysanom_core_free(big);
			cur = new;
		}
	}
	if (cur == new) {
		WRITE_ONCE(p->full, true);
		pr_warn("cgroup %llu: profile full, entries learnt during its growth were lost\n",
			p->cgid);
	}
out_free:
	sysanom_core_free(old);
	return cur;
}

/* At least half full: where an insert may meet the probe bound. */
static bool sysanom_set_crowded(const struct sa_hashset *hs)
{
	return sa_hashset_entries(hs) >= sa_hashset_slots(hs) / 2;
}

/*
 * Process context: double whichever set an insert found full, or mark the
 * profile full. A full profile is tried again every second (see
 * sysanom_profile_check_stable()): memory may come back, caps be raised.
 */
static void sysanom_profile_grow(struct work_struct *work)
{
	struct sysanom_profile *p = container_of(work, struct sysanom_profile,
						 grow_work);
	struct sysanom_core *old, *new, *cur;
	unsigned int so, bo;
	bool was_full;

	mutex_lock(&p->core_lock);
	old = rcu_dereference_protected(p->core,
					lockdep_is_held(&p->core_lock));
	so = old->sa.stide.order + sysanom_set_crowded(&old->sa.stide);
	bo = old->sa.bosc.order + sysanom_set_crowded(&old->sa.bosc);
	/* Room enough (only keys crafted against a set's key fail early). */
	if (so == old->sa.stide.order && bo == old->sa.bosc.order) {
		WRITE_ONCE(p->full, false);
		goto out;
	}
	was_full = READ_ONCE(p->full);
	WRITE_ONCE(p->full, false);	/* replace sets it again on a loss */
	new = sysanom_core_alloc(&old->sa.params, so, bo);
	cur = new ? sysanom_core_replace(p, new, true) : ERR_PTR(-ENOMEM);
	if (IS_ERR(cur)) {
		sysanom_core_free(new);
		if (!was_full)
			pr_info("cgroup %llu: profile full (%u entries): it stops learning until memory allows it to grow\n",
				p->cgid, sa_profile_entries(&old->sa));
		WRITE_ONCE(p->full, true);
	} else if (was_full && !READ_ONCE(p->full)) {
		pr_info("cgroup %llu: profile grew, learning again\n", p->cgid);
	}
out:
	mutex_unlock(&p->core_lock);
}

/*
 * System-call path, preemption off: one call of a thread of @p that the
 * probe's inline step does not take (training, warm-up, compat calls, new
 * parameters). Returns true when the call must not run (action kill).
 */
bool sysanom_profile_feed_slow(struct sysanom_profile *p,
			       struct sysanom_thread *th, u32 id)
{
	struct sysanom_core *core = rcu_dereference_sched(p->core);
	unsigned int v;
	u32 mode;
	u64 lag;

	if (unlikely(th->shape != core->shape)) {
		if ((u16)th->shape != (u16)core->shape) {
			u8 tag = th->stream.tag;

			/* Windows of other lengths would never match again. */
			sa_stream_reset_midway(&th->stream);
			th->stream.tag = tag;
		} else
			/* Windows deferred under the old epoch end in it. */
			sa_stream_settle(&th->stream, th->shape >> 32);
		if ((th->shape ^ core->shape) & SYSANOM_SHAPE_JUDGE)
			sa_stream_rejudge(&th->stream);
		th->shape = core->shape;
	}
	mode = READ_ONCE(p->mode);
	if (mode != SYSANOM_MODE_ENFORCING) {
		/* Calibration learns what it scored as new, like training. */
		if (mode == SYSANOM_MODE_TRAINING)
			v = sa_train(&core->sa, &th->stream, id);
		else
			v = sa_calibrate(&core->sa, &th->stream, id);
		if (unlikely(v & SA_V_FULL) && !READ_ONCE(p->full))
			queue_work(system_unbound_wq, &p->grow_work);
		return false;
	}
	lag = th->stream.lag;
	v = sa_detect(&core->sa, &th->stream, id);
	if (likely(!(v & SA_V_ANOMALY))) {
		if (v & (SA_V_STIDE_MISS | SA_V_BOSC_MISS))
			th->incident = 0;
		return false;
	}
	return sysanom_alert_raise(p, th, &core->sa, v, lag);
}

/*
 * A training thread counts its windows in @p's growth curve in batches;
 * before its windows are reset or freed, the rest is counted. RCU held, or
 * preemption off (the sys_enter probe, at a handler's return).
 */
void sysanom_profile_flush(struct sysanom_profile *p, struct sa_stream *s)
{
	struct sysanom_core *core;

	if (!p)
		return;
	core = rcu_dereference_check(p->core, rcu_read_lock_sched_held());
	switch (READ_ONCE(p->mode)) {
	case SYSANOM_MODE_TRAINING:
		sa_stream_flush(&core->sa, s);
		break;
	case SYSANOM_MODE_CALIBRATING:
		sa_calib_flush(&core->sa, s);
		break;
	}
}

static void sysanom_profile_free(struct sysanom_profile *p)
{
	cancel_work_sync(&p->grow_work);
	sysanom_core_free(rcu_dereference_protected(p->core, 1));
	free_percpu(p->stats);
	kfree(p);
}

/* 0 if @cgid names a cgroup that may be monitored (not the root). */
static int sysanom_cgroup_check(u64 cgid)
{
	struct cgroup *cgrp = cgroup_get_from_id(cgid);
	int ret = 0;

	if (IS_ERR_OR_NULL(cgrp))
		return -ENOENT;
	/* The root cgroup is the host itself, not a container. */
	if (!cgroup_parent(cgrp))
		ret = -EINVAL;
	cgroup_put(cgrp);
	return ret;
}

/* A new profile for @cgid around @core, which it owns from then on. */
static int sysanom_profile_add(u64 cgid, struct sysanom_core *core, u32 mode)
{
	struct sysanom_profile *p;
	int i;

	lockdep_assert_held(&sysanom_profiles_lock);
	if (sysanom_nprofiles >= sysanom_max_cgroups)
		return -ENOSPC;
	p = kzalloc(sizeof(*p), GFP_KERNEL);
	if (!p)
		return -ENOMEM;
	p->stats = alloc_percpu(struct sysanom_stats);
	if (!p->stats) {
		kfree(p);
		return -ENOMEM;
	}
	RCU_INIT_POINTER(p->core, core);
	mutex_init(&p->core_lock);
	INIT_WORK(&p->grow_work, sysanom_profile_grow);
	ratelimit_state_init(&p->alert_rs, HZ, sysanom_alert_rate);
	ratelimit_set_flags(&p->alert_rs, RATELIMIT_MSG_ON_RELEASE);
	ratelimit_state_init(&p->alert_new_rs, HZ, sysanom_alert_rate);
	ratelimit_set_flags(&p->alert_new_rs, RATELIMIT_MSG_ON_RELEASE);
	for (i = 0; i < SYSANOM_EVENTS; i++) {
		ratelimit_state_init(&p->event_rs[i], HZ, 1);
		ratelimit_set_flags(&p->event_rs[i], RATELIMIT_MSG_ON_RELEASE);
	}
	p->cgid = cgid;
	p->since_ns = ktime_get_ns();
	p->mode = mode;
	p->action = SYSANOM_ACTION_LOG;
	p->seq = sysanom_next_seq++;
	list_add_tail(&p->lnode, &sysanom_profile_list);
	hash_add_rcu(sysanom_profiles, &p->hnode, cgid);
	sysanom_profile_gen_bump();
	/* Its tasks may be cached as unmonitored. */
	sysanom_thread_unmon_flush();
	if (sysanom_nprofiles++ == 0)
		static_branch_enable(&sysanom_tracking);
	return 0;
}

/*
 * Puts @p in @mode. Entering calibration starts it afresh; leaving it
 * before it ended abandons it. Enforcing or calibrating a profile emptied
 * by new window lengths would flag everything: -ENODATA.
 */
static int sysanom_profile_mode(struct sysanom_profile *p, u32 mode)
{
	struct sysanom_core *core;
	u32 old = p->mode;
	int ret = 0;

	lockdep_assert_held(&sysanom_profiles_lock);
	mutex_lock(&p->core_lock);
	core = rcu_dereference_protected(p->core,
					 lockdep_is_held(&p->core_lock));
	if (mode != SYSANOM_MODE_TRAINING &&
	    !sa_hashset_entries(&core->sa.stide)) {
		ret = -ENODATA;
		goto out;
	}
	if (mode == SYSANOM_MODE_CALIBRATING && old != mode) {
		sa_calib_reset(&core->sa);
		p->calib_checks = 0;
	} else if (old == SYSANOM_MODE_CALIBRATING && mode != old) {
		WRITE_ONCE(core->sa.calib.state, SA_CALIB_NONE);
	}
	if (mode == SYSANOM_MODE_TRAINING && old != mode) {
		p->converged = false;
		p->train_checks = 0;
	}
	WRITE_ONCE(p->mode, mode);
	p->stable_run = 0;
out:
	mutex_unlock(&p->core_lock);
	return ret;
}

int sysanom_profile_track(u64 cgid, u32 mode)
{
	struct sysanom_core *core = NULL;
	struct sysanom_profile *p;
	struct sa_params params;
	int ret;

	ret = sysanom_cgroup_check(cgid);
	if (ret)
		return ret;
	sa_params_default(&params);
	params.start = SA_START_PROGRAM;	/* exec tells the module the program */
	mutex_lock(&sysanom_profiles_lock);
	p = sysanom_profile_lookup(cgid);
	if (p) {
		ret = sysanom_profile_mode(p, mode);
		goto out_unlock;
	}
	/* Enforcing an empty profile would flag everything: train first. */
	ret = -ENOENT;
	if (mode != SYSANOM_MODE_TRAINING)
		goto out_unlock;
	ret = -ENOMEM;
	core = sysanom_core_alloc(&params, SYSANOM_INITIAL_ORDER,
				  SYSANOM_INITIAL_ORDER);
	if (!core)
		goto out_unlock;
	ret = sysanom_profile_add(cgid, core, mode);
	if (ret)
		sysanom_core_free(core);
out_unlock:
	mutex_unlock(&sysanom_profiles_lock);
	return ret;
}

/*
 * The profile of @cgid in the engine's file format, in a kvmalloc()ed
 * buffer of *len bytes, or an ERR_PTR.
 */
void *sysanom_profile_export(u64 cgid, size_t *len)
{
	const struct sysanom_core *core;
	struct sysanom_profile *p;
	void *buf = ERR_PTR(-ENOENT);
	size_t size;
	long ret;
	int try;

	mutex_lock(&sysanom_profiles_lock);
	p = sysanom_profile_lookup(cgid);
	if (!p)
		goto out_unlock;
	mutex_lock(&p->core_lock);
	core = rcu_dereference_protected(p->core,
					 lockdep_is_held(&p->core_lock));
	/* Training may add entries meanwhile: leave room, retry if short. */
	for (try = 0; try < 4; try++) {
		size = sa_profile_export_size(&core->sa);
		size += size / 8 + 64 * SA_PROF_ENTRY_SIZE;
		/* Sets never hold more (SA_HS_MAX_ENTRIES): no WARN here. */
		size = min_t(size_t, size, SA_PROF_MAX_SIZE);
		buf = kvmalloc(size, GFP_KERNEL);
		if (!buf) {
			buf = ERR_PTR(-ENOMEM);
			break;
		}
		ret = sa_profile_export(&core->sa, buf, size);
		if (ret >= 0) {
			*len = ret;
			break;
		}
		kvfree(buf);
		buf = ERR_PTR(ret);
	}
	mutex_unlock(&p->core_lock);
out_unlock:
	mutex_unlock(&sysanom_profiles_lock);
	return buf;
}

/*
 * Replace what @cgid learnt with a profile in the engine's file format (or
 * start monitoring it with that profile), then put it in @mode. Errors:
 * EBADMSG corrupt or truncated, EPROTONOSUPPORT ids of another ABI,
 * ENODATA an empty profile to enforce.
 */
int sysanom_profile_import(u64 cgid, const void *buf, size_t len, u32 mode)
{
	struct sa_profile_info info;
	struct sysanom_core *core;
	struct sysanom_profile *p;
	int so, bo, ret;

	ret = sysanom_cgroup_check(cgid);
	if (ret)
		return ret;
	if (sa_profile_parse(buf, len, &info))
		return -EBADMSG;
	if (info.params.abi != SA_ABI_X86_64)
		return -EPROTONOSUPPORT;
	/* Enforcing an empty profile would flag everything. */
	if (!info.stide_entries && mode != SYSANOM_MODE_TRAINING)
		return -ENODATA;
	/* A calibration starts from its beginning, not from a file. */
	if (mode == SYSANOM_MODE_CALIBRATING)
		return -EINVAL;
	so = sa_hashset_order_for(info.stide_entries);
	bo = sa_hashset_order_for(info.bosc_entries);
	if (so < 0 || bo < 0)
		return -ENOMEM;
	core = sysanom_core_alloc(&info.params,
				  max(so, SYSANOM_INITIAL_ORDER),
				  max(bo, SYSANOM_INITIAL_ORDER));
	if (!core)
		return -ENOMEM;
	if (sa_profile_import(&core->sa, buf, len)) {
		sysanom_core_free(core);
		return -EBADMSG;
	}
	core->shape = sysanom_shape(&core->sa.params);

	mutex_lock(&sysanom_profiles_lock);
	p = sysanom_profile_lookup(cgid);
	if (!p) {
		ret = sysanom_profile_add(cgid, core, mode);
		if (ret) {
			sysanom_core_free(core);
			goto out_unlock;
		}
		p = sysanom_profile_lookup(cgid);
	} else {
		mutex_lock(&p->core_lock);
		sysanom_core_replace(p, core, false);
		WRITE_ONCE(p->full, false);
		mutex_unlock(&p->core_lock);
		WRITE_ONCE(p->mode, mode);
		p->stable_run = 0;
	}
	/* What was saved calibrated had converged. */
	p->converged = info.calib_state >= SA_CALIB_DONE;
out_unlock:
	mutex_unlock(&sysanom_profiles_lock);
	return ret;
}

static void sysanom_profile_unlink(struct sysanom_profile *p)
{
	lockdep_assert_held(&sysanom_profiles_lock);
	hash_del_rcu(&p->hnode);
	list_del(&p->lnode);
	sysanom_profile_gen_bump();
	if (--sysanom_nprofiles == 0)
		static_branch_disable(&sysanom_tracking);
}

int sysanom_profile_untrack(u64 cgid)
{
	struct sysanom_profile *p;

	mutex_lock(&sysanom_profiles_lock);
	p = sysanom_profile_lookup(cgid);
	if (!p) {
		mutex_unlock(&sysanom_profiles_lock);
		return -ENOENT;
	}
	sysanom_profile_unlink(p);
	mutex_unlock(&sysanom_profiles_lock);
	/* Probes and cached thread bindings may still hold p. */
	synchronize_rcu();
	sysanom_profile_free(p);
	return 0;
}

/* The detection parameters among SET's attributes. */
#define SYSANOM_SET_PARAMS (BIT_ULL(SYSANOM_A_DETECTOR) | BIT_ULL(SYSANOM_A_K) | \
	BIT_ULL(SYSANOM_A_BAG) | BIT_ULL(SYSANOM_A_FRAME) | \
	BIT_ULL(SYSANOM_A_LFC_THRESHOLD) | BIT_ULL(SYSANOM_A_EPOCH) | \
	BIT_ULL(SYSANOM_A_EPOCH_THRESHOLD) | \
	BIT_ULL(SYSANOM_A_COMBO_THRESHOLD) | \
	BIT_ULL(SYSANOM_A_GROWTH_SHIFT) | BIT_ULL(SYSANOM_A_MARGIN))

static bool sysanom_has(const struct sysanom_settings *set, int attr)
{
	return set->present & BIT_ULL(attr);
}

/*
 * @pa with the parameters of @set; returns the SA_OVR_* bits of the
 * thresholds it sets by hand. A new margin first sets the thresholds
 * again from what calibration measured.
 */
static u8 sysanom_settings_apply(const struct sysanom_settings *set,
				 const struct sa_calib *calib,
				 struct sa_params *pa)
{
	const struct sa_params *v = &set->params;
	u8 ovr = 0;

	if (sysanom_has(set, SYSANOM_A_DETECTOR))
		pa->detector = v->detector;
	if (sysanom_has(set, SYSANOM_A_K))
		pa->k = v->k;
	if (sysanom_has(set, SYSANOM_A_BAG))
		pa->bag = v->bag;
	if (sysanom_has(set, SYSANOM_A_FRAME))
		pa->frame = v->frame;
	if (sysanom_has(set, SYSANOM_A_EPOCH))
		pa->epoch = v->epoch;
	if (sysanom_has(set, SYSANOM_A_GROWTH_SHIFT))
		pa->growth_shift = v->growth_shift;
	if (sysanom_has(set, SYSANOM_A_MARGIN)) {
		pa->margin = v->margin;
		if (calib->state >= SA_CALIB_DONE)
			sa_calib_thresholds(calib, pa);
	}
	if (sysanom_has(set, SYSANOM_A_LFC_THRESHOLD)) {
		pa->lfc_threshold = v->lfc_threshold;
		ovr |= SA_OVR_LFC;
	}
	if (sysanom_has(set, SYSANOM_A_EPOCH_THRESHOLD)) {
		pa->epoch_threshold = v->epoch_threshold;
		ovr |= SA_OVR_EPOCH;
	}
	if (sysanom_has(set, SYSANOM_A_COMBO_THRESHOLD)) {
		pa->combo_threshold = v->combo_threshold;
		ovr |= SA_OVR_COMBO;
	}
	return ovr;
}

/*
 * Change the detection parameters, the response and the until-stable rule
 * (what @set holds), under the locks, so that concurrent SETs do not lose
 * each other's changes. New window lengths invalidate what was learnt: the
 * sets are then emptied and the cgroup trains again.
 */
int sysanom_profile_set(u64 cgid, const struct sysanom_settings *set)
{
	struct sysanom_core *old, *new, *cur;
	struct sysanom_profile *p;
	struct sa_params params;
	int ret = 0;
	u8 ovr;

	mutex_lock(&sysanom_profiles_lock);
	p = sysanom_profile_lookup(cgid);
	if (!p) {
		ret = -ENOENT;
		goto out_unlock;
	}
	if (sysanom_has(set, SYSANOM_A_ACTION))
		WRITE_ONCE(p->action, set->action);
	if (sysanom_has(set, SYSANOM_A_STABLE_PPM))
		p->stable_ppm = set->stable_ppm;
	if (sysanom_has(set, SYSANOM_A_STABLE_CHECKS))
		p->stable_checks = set->stable_checks;
	p->stable_run = 0;
	if (!(set->present & SYSANOM_SET_PARAMS))
		goto out_unlock;

	mutex_lock(&p->core_lock);
	old = rcu_dereference_protected(p->core,
					lockdep_is_held(&p->core_lock));
	params = old->sa.params;
	ovr = sysanom_settings_apply(set, &old->sa.calib, &params);
	ret = -EINVAL;
	if (sa_params_valid(&params))
		goto out_core;
	ret = -ENOMEM;
	if (old->sa.params.k == params.k && old->sa.params.bag == params.bag) {
		/* Thresholds only: the sets stay valid. */
		bool reshape = old->sa.params.growth_shift !=
			       params.growth_shift;
		int i;

		new = sysanom_core_alloc(&params, old->sa.stide.order,
					 old->sa.bosc.order);
		if (!new)
			goto out_core;
		cur = sysanom_core_replace(p, new, true);
		if (IS_ERR(cur)) {
			sysanom_core_free(new);
			goto out_core;
		}
		new = cur;
		if (new->sa.calib.state != SA_CALIB_NONE)
			WRITE_ONCE(new->sa.calib.overridden,
				   new->sa.calib.overridden | ovr);
		/* Checkpoints at another spacing: start the curve again. */
		for (i = 0; reshape && i < SA_GROWTH_SLOTS; i++) {
			WRITE_ONCE(new->sa.growth.ck_windows[i], 0);
			WRITE_ONCE(new->sa.growth.ck_entries[i], 0);
		}
		if (reshape)
			sa_atomic64_set(&new->sa.growth.windows, 0);
	} else {
		new = sysanom_core_alloc(&params, SYSANOM_INITIAL_ORDER,
					 SYSANOM_INITIAL_ORDER);
		if (!new)
			goto out_core;
		WRITE_ONCE(p->full, false);
		/* Empty sets would flag everything: learn again. */
		WRITE_ONCE(p->mode, SYSANOM_MODE_TRAINING);
		p->converged = false;
		sysanom_core_replace(p, new, false);
	}
	ret = 0;
out_core:
	mutex_unlock(&p->core_lock);
out_unlock:
	mutex_unlock(&sysanom_profiles_lock);
	return ret;
}

/*
 * Adds the windows and bags of @row, calls oldest first, to @sa's sets,
 * and its calls to program @tag's call set.
 */
static int sysanom_allow_row(struct sa_profile *sa, const u16 *row, u8 tag,
			     u32 *added)
{
	const unsigned int k = sa->params.k, bag = sa->params.bag;
	unsigned int end;
	int ret;

	for (end = 0; end < SA_RING; end++)
		sa_calls_add(sa, tag, row[end]);

	for (end = k; end <= SA_RING; end++) {
		ret = sa_hashset_insert(&sa->stide,
					sa_stide_key(row + end - k, k));
		if (ret < 0)
			return ret;
		*added += ret;
	}
	for (end = bag; end <= SA_RING; end++) {
		ret = sa_hashset_insert(&sa->bosc,
					sa_bag_key(row + end - bag, bag));
		if (ret < 0)
			return ret;
		*added += ret;
	}
	return 0;
}

/*
 * False-positive feedback (pH's "tolerize"): adds the windows and bags of
 * the calls kept in record @a to its cgroup's profile; *@added counts the
 * new entries. Lock-free inserts, as in training; a full set is grown
 * once, here, and the inserts tried again.
 */
int sysanom_profile_allow(const struct sysanom_alert *a, u32 *added)
{
	struct sysanom_profile *p;
	struct sysanom_core *core;
	int ret = -ENOENT, try;
	u32 i;

	/* An event has no windows to learn. */
	if (a->detector > SA_DET_MAX && a->detector != SYSANOM_ALERT_NEW_CALL)
		return -EINVAL;
	mutex_lock(&sysanom_profiles_lock);
	p = sysanom_profile_lookup(a->cgid);
	if (!p)
		goto out_unlock;
	for (try = 0; try < 2; try++) {
		*added = 0;
		rcu_read_lock();
		core = rcu_dereference(p->core);
		for (i = 0, ret = 0; i < a->nctx && !ret; i++)
			ret = sysanom_allow_row(&core->sa, a->ctx[i], a->tag,
						added);
		rcu_read_unlock();
		if (ret != -ENOSPC || READ_ONCE(p->full))
			break;
		sysanom_profile_grow(&p->grow_work);
	}
	if (ret)
		goto out_unlock;
	atomic64_inc(&p->allowed);
	pr_info("cgroup %llu: alert %llu allowed, %u entries added to its profile\n",
		p->cgid, a->seq, *added);
out_unlock:
	mutex_unlock(&sysanom_profiles_lock);
	return ret;
}

/*
 * Calibration ends once it scored SA_CALIB_CHECKPOINTS growth checkpoints
 * of windows, or lasted as many checks (the span a quiet container's
 * growth was judged on), over at least max(stable_checks, 10) checks and
 * as many as until-stable training took (a service's periodic work, such
 * as PostgreSQL's autovacuum, comes back within that time): the
 * thresholds are set from what it measured and the profile enforces.
 * Behaviour too far from the profile for any threshold sends it back to
 * training.
 */
static void sysanom_profile_calib_check(struct sysanom_profile *p)
{
	struct sysanom_core *core, *new, *cur;
	struct sa_params params;
	u64 want;

	mutex_lock(&p->core_lock);
	core = rcu_dereference_protected(p->core,
					 lockdep_is_held(&p->core_lock));
	want = (u64)SA_CALIB_CHECKPOINTS << core->sa.params.growth_shift;
	/* As long as training took: rare and periodic work shows up again. */
	if (++p->calib_checks < max(p->stable_checks, 10U) ||
	    p->calib_checks < min(p->train_checks, SYSANOM_CALIB_MAX_CHECKS) ||
	    (sa_atomic64_read(&core->sa.calib.windows) < want &&
	     p->calib_checks < SA_CALIB_CHECKPOINTS))
		goto out;
	params = core->sa.params;
	if (sa_calib_thresholds(&core->sa.calib, &params)) {
		WRITE_ONCE(core->sa.calib.state, SA_CALIB_NONE);
		WRITE_ONCE(p->mode, SYSANOM_MODE_TRAINING);
		p->converged = false;
		p->stable_run = 0;
		pr_info("cgroup %llu: calibration saw a frame score of %llu, beyond any threshold: training again\n",
			p->cgid, core->sa.calib.max_score);
		goto out;
	}
	new = sysanom_core_alloc(&params, core->sa.stide.order,
				 core->sa.bosc.order);
	if (!new)
		goto out;	/* again at the next check */
	/* Streams judge afresh: their frames hold what calibration learnt. */
	new->shape ^= SYSANOM_SHAPE_JUDGE;
	cur = sysanom_core_replace(p, new, true);
	if (IS_ERR(cur)) {
		sysanom_core_free(new);
		goto out;
	}
	new = cur;
	WRITE_ONCE(new->sa.calib.state, SA_CALIB_DONE);
	WRITE_ONCE(new->sa.calib.overridden, 0);
	WRITE_ONCE(p->mode, SYSANOM_MODE_ENFORCING);
	pr_info("cgroup %llu: calibrated over %lld windows (thresholds: combo %u, lfc %u, epoch %u), enforcing\n",
		p->cgid, (long long)sa_atomic64_read(&new->sa.calib.windows),
		params.combo_threshold, params.lfc_threshold,
		params.epoch_threshold);
out:
	mutex_unlock(&p->core_lock);
}

/*
 * Periodic, process context: profiles training until stable calibrate once
 * their growth slope stayed at or under their threshold for stable_checks
 * checks in a row; calibrating profiles enforce once calibrated.
 */
static void sysanom_profile_check_stable(struct work_struct *work)
{
	const struct sa_profile *sa;
	struct sysanom_core *core;
	struct sysanom_profile *p;
	bool flat;

	mutex_lock(&sysanom_profiles_lock);
	list_for_each_entry(p, &sysanom_profile_list, lnode) {
		if (READ_ONCE(p->full) && p->mode != SYSANOM_MODE_ENFORCING)
			queue_work(system_unbound_wq, &p->grow_work);
		if (p->mode == SYSANOM_MODE_CALIBRATING) {
			sysanom_profile_calib_check(p);
			continue;
		}
		if (!p->stable_checks || p->mode != SYSANOM_MODE_TRAINING)
			continue;
		if (p->train_checks < U32_MAX)
			p->train_checks++;
		/* A full profile stopped learning: it has not converged. */
		if (READ_ONCE(p->full)) {
			p->stable_run = 0;
			continue;
		}
		rcu_read_lock();
		core = rcu_dereference(p->core);
		sa = &core->sa;
		/* Only this work writes the ticks; probes never read them. */
		sa_growth_tick(&core->sa);
		/*
		 * Judge only a curve with a full span of checkpoints, or, for
		 * a container too quiet to fill them, nothing learnt over the
		 * last 15 checks.
		 */
		flat = ((sa_profile_windows(sa) >> sa->params.growth_shift) >=
			SA_GROWTH_SLOTS &&
			sa_growth_slope_ppm(sa, 0) <= p->stable_ppm) ||
		       sa_growth_quiet(sa);
		rcu_read_unlock();
		if (!flat) {
			p->stable_run = 0;
			continue;
		}
		if (++p->stable_run < p->stable_checks)
			continue;
		p->converged = true;
		if (!sysanom_profile_mode(p, SYSANOM_MODE_CALIBRATING))
			pr_info("cgroup %llu: training converged, calibrating\n",
				p->cgid);
	}
	mutex_unlock(&sysanom_profiles_lock);
	schedule_delayed_work(&sysanom_stable_work, HZ);
}

void sysanom_profile_init(void)
{
	schedule_delayed_work(&sysanom_stable_work, HZ);
}

/* Only after every probe is unregistered and synchronised. */
void sysanom_profile_exit(void)
{
	struct sysanom_profile *p, *tmp;

	cancel_delayed_work_sync(&sysanom_stable_work);
	mutex_lock(&sysanom_profiles_lock);
	list_for_each_entry_safe(p, tmp, &sysanom_profile_list, lnode) {
		sysanom_profile_unlink(p);
		sysanom_profile_free(p);
	}
	mutex_unlock(&sysanom_profiles_lock);
}

u64 sysanom_profile_mem_total(void)
{
	return atomic64_read(&sysanom_mem);
}

static void sysanom_stats_sum(const struct sysanom_profile *p,
			      struct sysanom_stats *sum)
{
	int cpu;

	memset(sum, 0, sizeof(*sum));
	for_each_possible_cpu(cpu) {
		const struct sysanom_stats *s = per_cpu_ptr(p->stats, cpu);

		sum->syscalls += READ_ONCE(s->syscalls);
		sum->forks += READ_ONCE(s->forks);
		sum->execs += READ_ONCE(s->execs);
		sum->exits += READ_ONCE(s->exits);
	}
}

static void sysanom_cgroup_path(u64 cgid, char *buf, size_t len)
{
	struct cgroup *cgrp;

	buf[0] = '\0';
	cgrp = cgroup_get_from_id(cgid);
	if (IS_ERR_OR_NULL(cgrp))
		return;
	if (cgroup_path(cgrp, buf, len) < 0)
		buf[0] = '\0';
	cgroup_put(cgrp);
}

/*
 * Call fn on a snapshot of every profile tracked after after_seq, in
 * tracking order, until fn returns non-zero; that value is returned.
 */
int sysanom_profile_walk(u64 after_seq,
			 int (*fn)(const struct sysanom_profile_info *, void *),
			 void *arg)
{
	struct sysanom_profile_info info;
	const struct sysanom_core *core;
	struct sysanom_profile *p;
	char *path;
	int ret = 0;

	path = kmalloc(PATH_MAX, GFP_KERNEL);
	if (!path)
		return -ENOMEM;

	mutex_lock(&sysanom_profiles_lock);
	list_for_each_entry(p, &sysanom_profile_list, lnode) {
		if (p->seq <= after_seq)
			continue;
		info.cgid = p->cgid;
		info.seq = p->seq;
		info.mode = READ_ONCE(p->mode);
		info.action = READ_ONCE(p->action);
		info.full = READ_ONCE(p->full);
		sysanom_stats_sum(p, &info.stats);
		/* The core may be replaced by growth: read it under RCU. */
		rcu_read_lock();
		core = rcu_dereference(p->core);
		info.params = core->sa.params;
		info.windows = sa_profile_windows(&core->sa);
		info.entries = sa_profile_entries(&core->sa);
		info.slope_ppm = sa_growth_slope_ppm(&core->sa, 0);
		info.bytes = core->bytes;
		info.calib_state = READ_ONCE(core->sa.calib.state);
		info.overridden = READ_ONCE(core->sa.calib.overridden);
		info.calib_windows = sa_atomic64_read(&core->sa.calib.windows);
		info.calib_max[0] = READ_ONCE(core->sa.calib.max_score);
		info.calib_max[1] = READ_ONCE(core->sa.calib.max_lfc);
		info.calib_max[2] = READ_ONCE(core->sa.calib.max_epoch);
		info.calls_on = core->sa.calls_on;
		info.call_pairs = sa_calls_count(&core->sa);
		rcu_read_unlock();
		info.converged = p->converged;
		info.alerts = atomic64_read(&p->alerts);
		info.alerts_suppressed = atomic64_read(&p->alerts_suppressed);
		info.anomalous_windows = atomic64_read(&p->anomalous_windows);
		info.allowed = atomic64_read(&p->allowed);
		sysanom_cgroup_path(p->cgid, path, PATH_MAX);
		info.path = path;
		ret = fn(&info, arg);
		if (ret)
			break;
	}
	mutex_unlock(&sysanom_profiles_lock);
	kfree(path);
	return ret;
}
