// SPDX-License-Identifier: GPL-2.0
/*
 * STIDE, BoSC and combined detectors over one stream of system-call ids,
 * and the growth curve of a profile. See include/sysanom/detector.h.
 */
#include "../../include/sysanom/detector.h"

void sa_params_default(struct sa_params *params)
{
	memset(params, 0, sizeof(*params));
	params->k = SA_K_DEFAULT;
	params->bag = SA_BAG_DEFAULT;
	params->frame = SA_FRAME_DEFAULT;
	params->lfc_threshold = SA_LFC_DEFAULT;
	params->epoch = SA_EPOCH_DEFAULT;
	params->epoch_threshold = SA_EPOCH_THR_DEFAULT;
	params->detector = SA_DET_COMBO;
	params->abi = SA_ABI_X86_64;
	params->growth_shift = SA_GROWTH_SHIFT_DEFAULT;
	params->bosc_weight = SA_BOSC_WEIGHT_DEFAULT;
	params->combo_threshold = SA_COMBO_THR_DEFAULT;
	params->start = SA_START_MARKERS;
	params->margin = SA_MARGIN_DEFAULT;
}

int sa_params_valid(const struct sa_params *pa)
{
	if (pa->k < SA_K_MIN || pa->k > SA_K_MAX)
		return -EINVAL;
	if (pa->bag < SA_BAG_MIN || pa->bag > SA_BAG_MAX)
		return -EINVAL;
	if (!pa->frame || pa->frame > SA_FRAME_MAX)
		return -EINVAL;
	if (!pa->lfc_threshold || pa->lfc_threshold > pa->frame)
		return -EINVAL;
	if (!pa->epoch || !pa->epoch_threshold)
		return -EINVAL;
	if (!pa->detector || pa->detector > SA_DET_MAX)
		return -EINVAL;
	if (pa->abi > SA_ABI_MAX)
		return -EINVAL;
	if (pa->growth_shift > SA_GROWTH_SHIFT_MAX)
		return -EINVAL;
	if (pa->bosc_weight > SA_BOSC_WEIGHT_MAX || !pa->combo_threshold)
		return -EINVAL;
	if (pa->start > SA_START_PROGRAM || pa->margin > SA_MARGIN_MAX)
		return -EINVAL;
	return 0;
}

/*
 * Calls that a program makes as its data grows or its threads contend, not
 * as its code changes: its allocator's memory management (a heap that first
 * outgrows its arena hours in) and futex (a lock first contended). The call
 * sets never count them as new; the windows around them are still judged.
 * x86_64 numbers, then i386's at 512 + n (brk, mmap, munmap, mprotect,
 * mremap, mmap2, madvise, futex, futex_time64).
 */
static const u16 sa_calls_exempt_x86_64[] = {
	9, 10, 11, 12, 25, 28, 202,
	512 + 45, 512 + 90, 512 + 91, 512 + 125, 512 + 163, 512 + 192,
	512 + 219, 512 + 240, 512 + 422,
};

static void sa_profile_derive(struct sa_profile *p)
{
	static const u32 masks[] = {
		[SA_DET_STIDE] = SA_V_STIDE_ANOMALY,
		[SA_DET_BOSC] = SA_V_BOSC_ANOMALY,
		[SA_DET_COMBO] = SA_V_COMBO_ANOMALY,
	};
	const struct sa_params *pa = &p->params;
	unsigned int i;

	p->stide_mask = pa->k <= SA_K_EXACT_MAX ?
		(1ULL << (SA_ID_BITS * pa->k)) - 1 : 0;
	p->fp_pow = sa_fp_pow(pa->k);
	p->warm = pa->k > pa->bag ? pa->k : pa->bag;
	p->fast_warm = pa->k <= SA_K_EXACT_MAX ? p->warm : ~0U;
	p->anomaly_mask = masks[pa->detector];
	p->frame_mask = ~0ULL >> (64 - pa->frame);
	/* A fresh stream: its windows are full of start markers. */
	p->start_h = 0;
	for (i = 0; i < pa->k; i++) {
		if (p->stide_mask)
			p->start_h = (p->start_h << SA_ID_BITS) | SA_ID_START;
		else
			p->start_h = p->start_h * SA_FP_BASE + SA_ID_START + 1;
	}
	p->start_bag = (u64)pa->bag * sa_bag_term(SA_ID_START);
	memset(p->calls_exempt, 0, sizeof(p->calls_exempt));
	for (i = 0; i < ARRAY_SIZE(sa_calls_exempt_x86_64); i++) {
		u32 id = sa_calls_exempt_x86_64[i];

		/* An i386 profile numbers its calls as i386 does. */
		if (pa->abi == SA_ABI_X86_64)
			sa_set_bit(id, p->calls_exempt);
		else if (pa->abi == SA_ABI_I386 && id >= 512)
			sa_set_bit(id - 512, p->calls_exempt);
	}
}

int sa_profile_init(struct sa_profile *p, const struct sa_params *params,
		    void *stide_mem, unsigned int stide_order,
		    void *bosc_mem, unsigned int bosc_order)
{
	int ret = sa_params_valid(params);
	u32 id;

	if (ret)
		return ret;
	memset(p, 0, sizeof(*p));
	p->params = *params;
	p->calls_on = true;
	for (id = 0; id < SA_MAX_ID; id++)
		p->bag_terms[id] = sa_bag_term(id);
	sa_profile_derive(p);
	ret = sa_hashset_init(&p->stide, stide_mem, stide_order);
	if (ret)
		return ret;
	return sa_hashset_init(&p->bosc, bosc_mem, bosc_order);
}

int sa_profile_tune(struct sa_profile *p, const struct sa_params *params)
{
	int ret = sa_params_valid(params);

	if (ret)
		return ret;
	if (params->k != p->params.k || params->bag != p->params.bag ||
	    params->abi != p->params.abi)
		return -EINVAL;
	p->params = *params;
	sa_profile_derive(p);
	return 0;
}

/*
 * Slides the stream by one call: updates the ring, the STIDE key state and
 * the bag sum. Returns a mask of which windows are complete (bit 0: STIDE,
 * bit 1: BoSC) and the keys through @skey and @bkey. Handles the first
 * calls of a stream, when windows are still filling.
 */
static __always_inline unsigned int sa_slide(const struct sa_profile *p,
					     struct sa_stream *s, u32 id,
					     u64 *skey, u64 *bkey);

/*
 * A fresh stream of a profile with start markers: pad its windows, and
 * after exec name the program in the last two places (no window of their
 * own: the windows of the program's calls hold them).
 */
static void sa_stream_start(const struct sa_profile *p, struct sa_stream *s)
{
	unsigned int i;
	u64 skey, bkey;

	for (i = 0; i < SA_RING; i++)
		s->ring[i] = SA_ID_START;
	s->pos = 0;
	s->stide_h = p->start_h;
	s->bag_sum = p->start_bag;
	s->calls = p->warm;
	if (s->prog && p->params.start == SA_START_PROGRAM) {
		sa_slide(p, s, SA_ID_PROG + (s->prog & 15), &skey, &bkey);
		sa_slide(p, s, SA_ID_PROG + (s->prog >> 4), &skey, &bkey);
	}
}

static __always_inline unsigned int sa_slide(const struct sa_profile *p,
					     struct sa_stream *s, u32 id,
					     u64 *skey, u64 *bkey)
{
	const unsigned int k = p->params.k, bag = p->params.bag;
	unsigned int pos, full = 0;
	u16 old_k, old_b;
	u32 fill;
	u64 h;

	if (unlikely(!s->calls) && p->params.start && !s->midway)
		sa_stream_start(p, s);
	fill = s->calls;
	pos = s->pos;
	old_k = s->ring[(pos - k) & (SA_RING - 1)];
	old_b = s->ring[(pos - bag) & (SA_RING - 1)];

	id &= SA_MAX_ID - 1;
	s->ring[pos] = id;
	s->pos = (pos + 1) & (SA_RING - 1);
	if (fill <= p->warm)
		s->calls = ++fill;

	if (p->stide_mask) {
		h = ((s->stide_h << SA_ID_BITS) | id) & p->stide_mask;
		s->stide_h = h;
		*skey = h | SA_KEY_EXACT;
	} else {
		h = s->stide_h * SA_FP_BASE + id + 1;
		if (fill > k)
			h -= ((u64)old_k + 1) * p->fp_pow;
		s->stide_h = h;
		*skey = sa_fp_key(h);
	}
	if (fill >= k)
		full |= 1;

	h = s->bag_sum + p->bag_terms[id];
	if (fill > bag)
		h -= p->bag_terms[old_b];
	s->bag_sum = h;
	*bkey = sa_bag_key_from_sum(h);
	if (fill >= bag)
		full |= 2;
	return full;
}

/*
 * Brings the frames and the epoch up to date with the @lag matching windows
 * that sa_detect_fast() only counted: as many zero bits shifted into each
 * frame, and as many windows added to the epoch (ending it, and maybe more,
 * on the way).
 */
void sa_stream_settle(struct sa_stream *s, u32 epoch)
{
	u64 lag = s->lag, t;

	if (!lag)
		return;
	s->lag = 0;
	s->frame_bits = lag >= 64 ? 0 : s->frame_bits << lag;
	s->bag_bits = lag >= 64 ? 0 : s->bag_bits << lag;
	t = (u64)s->epoch_windows + lag;
	if (t < epoch) {
		s->epoch_windows = (u32)t;
		return;
	}
	/* An epoch longer than a retuned @epoch ends at the first window. */
	if (s->epoch_windows >= epoch)
		t = lag - 1;
	s->epoch_windows = (u32)(t - sa_div64(t, epoch) * epoch);
	s->epoch_miss = 0;
}

static void sa_stream_catch_up(const struct sa_profile *p, struct sa_stream *s)
{
	sa_stream_settle(s, p->params.epoch);
}

static __always_inline void sa_calls_set(struct sa_profile *p, u8 tag,
					 u32 id)
{
	unsigned long *row = p->calls[tag], *any = p->calls[SA_CALL_ANY];

	id &= SA_MAX_ID - 1;
	if (sa_id_marker(id))
		return;
	/* Tested first: a known call dirties no shared cache line. */
	if (!sa_test_bit(id, row))
		sa_set_bit(id, row);
	if (!sa_test_bit(id, any))
		sa_set_bit(id, any);
}

/*
 * Whether program @tag made call @id: in its own row, or in row 0, which
 * nameless streams filled (a profile learnt offline, loaded in the module),
 * or an exempt call. A nameless stream (an offline one, on a profile the
 * module learnt) is judged by every program's calls.
 */
static __always_inline bool sa_calls_has(const struct sa_profile *p, u8 tag,
					 u32 id)
{
	return sa_test_bit(id, p->calls[tag ? tag : SA_CALL_ANY]) ||
	       sa_test_bit(id, p->calls[0]) ||
	       sa_test_bit(id, p->calls_exempt);
}

/*
 * Whether one of the last calls of @s, as many as its windows span, is
 * absent from its program's call set. Only a window that missed a set is
 * asked: a call in windows that all match goes unseen.
 */
static bool sa_stream_newcall(const struct sa_profile *p,
			      const struct sa_stream *s)
{
	unsigned int i, n = s->calls < p->warm ? s->calls : p->warm;
	u32 id;

	for (i = 1; i <= n; i++) {
		id = s->ring[(s->pos - i) & (SA_RING - 1)];
		if (!sa_id_marker(id) && !sa_calls_has(p, s->tag, id))
			return true;
	}
	return false;
}

bool sa_calls_known(const struct sa_profile *p, u8 tag, u32 id)
{
	id &= SA_MAX_ID - 1;
	return sa_id_marker(id) || sa_calls_has(p, tag, id);
}

void sa_calls_add(struct sa_profile *p, u8 tag, u32 id)
{
	sa_calls_set(p, tag, id);
}

void sa_calls_merge(struct sa_profile *dst, const struct sa_profile *src)
{
	unsigned int r, i;
	unsigned long w;

	for (r = 0; r <= SA_CALL_ANY; r++) {
		for (i = 0; i < SA_CALL_LONGS; i++) {
			w = READ_ONCE(src->calls[r][i]);
			if (w & ~READ_ONCE(dst->calls[r][i]))
				sa_or_long(&dst->calls[r][i], w);
		}
	}
}

u32 sa_calls_count(const struct sa_profile *p)
{
	unsigned int r, i;
	u32 n = 0;

	for (r = 0; r < SA_CALL_ROWS; r++)
		for (i = 0; i < SA_CALL_LONGS; i++)
			n += sa_popcount64(READ_ONCE(p->calls[r][i]));
	return n;
}

/* Decision after a mismatch; @v holds the SA_V_*_MISS bits. */
static __always_inline unsigned int sa_decide(const struct sa_profile *p,
					      struct sa_stream *s,
					      unsigned int v)
{
	const struct sa_params *pa = &p->params;

	unsigned int lfc = sa_stream_lfc(p, s);

	s->epoch_miss += !!(v & SA_V_BOSC_MISS);
	if (lfc >= pa->lfc_threshold)
		v |= SA_V_STIDE_ANOMALY;
	if (s->epoch_miss >= pa->epoch_threshold)
		v |= SA_V_BOSC_ANOMALY;
	if (lfc * 8 + sa_stream_bfc(p, s) * pa->bosc_weight >=
	    pa->combo_threshold)
		v |= SA_V_COMBO_ANOMALY;
	if (p->calls_on && sa_stream_newcall(p, s))
		v |= SA_V_NEWCALL;
	if (v & (p->anomaly_mask | SA_V_NEWCALL))
		v |= SA_V_ANOMALY;
	return v;
}

/* Windows still filling, or fingerprinted keys: the general path. */
unsigned int sa_detect_slow(const struct sa_profile *p, struct sa_stream *s,
			    u32 id)
{
	unsigned int full, v = 0, miss;
	u64 skey, bkey;

	sa_stream_catch_up(p, s);
	full = sa_slide(p, s, id, &skey, &bkey);
	if (full & 1) {
		miss = !sa_hashset_contains(&p->stide, skey);
		s->frame_bits = (s->frame_bits << 1) | miss;
		v |= SA_V_WINDOW | (miss ? SA_V_STIDE_MISS : 0);
	}
	if (full & 2) {
		miss = !sa_hashset_contains(&p->bosc, bkey);
		s->bag_bits = (s->bag_bits << 1) | miss;
		v |= miss ? SA_V_BOSC_MISS : 0;
	}
	if (v & (SA_V_STIDE_MISS | SA_V_BOSC_MISS))
		v = sa_decide(p, s, v);
	if ((full & 2) && ++s->epoch_windows >= p->params.epoch) {
		s->epoch_windows = 0;
		s->epoch_miss = 0;
	}
	return v;
}

/*
 * sa_detect_fast() found a mismatch in a full window (bit 0: STIDE, bit 1:
 * BoSC): catch the frames and the epoch up, then count it and decide.
 */
unsigned int sa_detect_miss(const struct sa_profile *p, struct sa_stream *s,
			    unsigned int miss)
{
	unsigned int v;

	sa_stream_catch_up(p, s);
	s->frame_bits = (s->frame_bits << 1) | (miss & 1);
	s->bag_bits = (s->bag_bits << 1) | (miss >> 1);
	v = sa_decide(p, s, SA_V_WINDOW | (miss & 1 ? SA_V_STIDE_MISS : 0) |
		      (miss & 2 ? SA_V_BOSC_MISS : 0));
	if (++s->epoch_windows >= p->params.epoch) {
		s->epoch_windows = 0;
		s->epoch_miss = 0;
	}
	return v;
}

unsigned int sa_detect(const struct sa_profile *p, struct sa_stream *s, u32 id)
{
	return sa_detect_fast(p, s, id);
}

static void sa_growth_add(struct sa_profile *p, u32 n)
{
	struct sa_growth *g = &p->growth;
	const unsigned int shift = p->params.growth_shift;
	u64 now = (u64)sa_atomic64_add_return((s64)n, &g->windows);
	u64 before = now - n;
	unsigned int slot;

	if ((now >> shift) == (before >> shift))
		return;
	/* Crossed a checkpoint boundary: record the curve point. */
	slot = (unsigned int)(now >> shift) & (SA_GROWTH_SLOTS - 1);
	WRITE_ONCE(g->ck_entries[slot], sa_profile_entries(p));
	WRITE_ONCE(g->ck_windows[slot], now);
}

void sa_stream_flush(struct sa_profile *p, struct sa_stream *s)
{
	if (s->pending) {
		sa_growth_add(p, s->pending);
		s->pending = 0;
	}
}

#define SA_FLUSH_EVERY	64

unsigned int sa_train(struct sa_profile *p, struct sa_stream *s, u32 id)
{
	unsigned int full, v = 0;
	u64 skey, bkey;
	int ret;

	sa_calls_set(p, s->tag, id);
	full = sa_slide(p, s, id, &skey, &bkey);
	if (full & 1) {
		v |= SA_V_WINDOW;
		ret = sa_hashset_insert(&p->stide, skey);
		if (ret > 0)
			v |= SA_V_NEW;
		else if (ret < 0)
			v |= SA_V_FULL;
		if (++s->pending >= SA_FLUSH_EVERY || ret > 0)
			sa_stream_flush(p, s);
	}
	if (full & 2) {
		ret = sa_hashset_insert(&p->bosc, bkey);
		if (ret > 0)
			v |= SA_V_NEW;
		else if (ret < 0)
			v |= SA_V_FULL;
	}
	return v;
}

/* Raises *@max to @v; any number of CPUs may race. */
static void sa_max64(u64 *max, u64 v)
{
	u64 old = READ_ONCE(*max);

	while (v > old) {
		u64 seen = sa_cmpxchg64(max, old, v);

		if (seen == old)
			break;
		old = seen;
	}
}

void sa_calib_flush(struct sa_profile *p, struct sa_stream *s)
{
	if (s->pending) {
		sa_atomic64_add_return((s64)s->pending, &p->calib.windows);
		s->pending = 0;
	}
}

void sa_calib_reset(struct sa_profile *p)
{
	struct sa_calib *c = &p->calib;

	sa_atomic64_set(&c->windows, 0);
	WRITE_ONCE(c->max_score, 0);
	WRITE_ONCE(c->max_lfc, 0);
	WRITE_ONCE(c->max_epoch, 0);
	WRITE_ONCE(c->state, SA_CALIB_RUNNING);
	WRITE_ONCE(c->overridden, 0);
}

void sa_calib_merge(struct sa_profile *dst, const struct sa_profile *src)
{
	const struct sa_calib *c = &src->calib;

	sa_max64(&dst->calib.max_score, READ_ONCE(c->max_score));
	sa_max64(&dst->calib.max_lfc, READ_ONCE(c->max_lfc));
	sa_max64(&dst->calib.max_epoch, READ_ONCE(c->max_epoch));
}

unsigned int sa_calibrate(struct sa_profile *p, struct sa_stream *s, u32 id)
{
	struct sa_calib *c = &p->calib;
	unsigned int v = sa_detect(p, s, id);
	int ret;

	sa_calls_set(p, s->tag, id);
	if ((v & SA_V_WINDOW) && ++s->pending >= SA_FLUSH_EVERY)
		sa_calib_flush(p, s);
	if (likely(!(v & (SA_V_STIDE_MISS | SA_V_BOSC_MISS))))
		return v & SA_V_WINDOW;
	/* Right after a miss the frames and the epoch are up to date. */
	sa_max64(&c->max_score, sa_stream_score(p, s));
	sa_max64(&c->max_lfc, sa_stream_lfc(p, s));
	sa_max64(&c->max_epoch, s->epoch_miss);
	v &= SA_V_WINDOW | SA_V_STIDE_MISS | SA_V_BOSC_MISS;
	if (v & SA_V_STIDE_MISS) {
		ret = sa_hashset_insert(&p->stide, p->stide_mask ?
					s->stide_h | SA_KEY_EXACT :
					sa_fp_key(s->stide_h));
		v |= ret > 0 ? SA_V_NEW : ret < 0 ? SA_V_FULL : 0;
	}
	if (v & SA_V_BOSC_MISS) {
		ret = sa_hashset_insert(&p->bosc,
					sa_bag_key_from_sum(s->bag_sum));
		v |= ret > 0 ? SA_V_NEW : ret < 0 ? SA_V_FULL : 0;
	}
	return v;
}

/* @worst plus @margin percent of it plus @unit, at least @floor. */
static u64 sa_calib_over(u64 worst, unsigned int margin, unsigned int unit,
			 u64 floor)
{
	u64 t = worst + sa_div64(worst * margin + 99, 100) + unit;

	return t < floor ? floor : t;
}

/*
 * The floor is two novelty events. One event, a call out of its learnt
 * place, leaves up to k windows and bag bags unseen, and a converged
 * profile still meets such events, one at a time, at the slope training
 * stopped at (a futex retry, a timer between two calls). What is new in
 * kind, a program never run or a call its program never made, is left to
 * the call sets, which need no score.
 */
int sa_calib_thresholds(const struct sa_calib *c, struct sa_params *pa)
{
	const unsigned int unit = 8 + pa->bosc_weight;
	const unsigned int fw = 2 * pa->k < pa->frame ? 2 * pa->k : pa->frame;
	const u32 fb = 2 * pa->bag < pa->epoch ? 2 * pa->bag : pa->epoch;
	u64 combo = sa_calib_over(c->max_score, pa->margin, unit,
				  (u64)fw * unit);
	u64 lfc = sa_calib_over(c->max_lfc, pa->margin, 1, fw);
	u64 epoch = sa_calib_over(c->max_epoch, pa->margin, 1, fb);
	int ret = 0;

	/*
	 * No count exceeds a frame (an epoch) full of mismatches: a threshold
	 * capped there spares nothing the worst normal frame reached, which
	 * matters for the detector in use only.
	 */
	if (combo > (u64)pa->frame * unit) {
		combo = (u64)pa->frame * unit;
		if (pa->detector == SA_DET_COMBO)
			ret = -ERANGE;
	}
	if (lfc > pa->frame) {
		lfc = pa->frame;
		if (pa->detector == SA_DET_STIDE)
			ret = -ERANGE;
	}
	if (epoch > pa->epoch) {
		epoch = pa->epoch;
		if (pa->detector == SA_DET_BOSC)
			ret = -ERANGE;
	}
	pa->combo_threshold = (u32)combo;
	pa->lfc_threshold = (u8)lfc;
	pa->epoch_threshold = (u32)epoch;
	return ret;
}

unsigned int sa_feed(struct sa_profile *p, struct sa_stream *s, u32 id,
		     enum sa_mode mode)
{
	if (mode == SA_MODE_TRAIN)
		return sa_train(p, s, id);
	if (mode == SA_MODE_CALIBRATE)
		return sa_calibrate(p, s, id);
	return sa_detect(p, s, id);
}

void sa_growth_origin(const struct sa_profile *p, unsigned int span,
		      u64 *w0, u32 *e0)
{
	const struct sa_growth *g = &p->growth;
	const unsigned int shift = p->params.growth_shift;
	u64 windows = sa_profile_windows(p);
	u64 last = windows >> shift;

	*w0 = 0;
	*e0 = 0;
	if (!span || span >= SA_GROWTH_SLOTS)
		span = SA_GROWTH_SLOTS - 1;
	if (last > span) {
		unsigned int slot = (unsigned int)(last - span) &
				    (SA_GROWTH_SLOTS - 1);

		*w0 = READ_ONCE(g->ck_windows[slot]);
		*e0 = READ_ONCE(g->ck_entries[slot]);
		if (*w0 > windows || *e0 > sa_profile_entries(p)) {
			*w0 = 0;
			*e0 = 0;
		}
	}
}

void sa_growth_set_origin(struct sa_profile *p, u64 w0, u32 e0)
{
	struct sa_growth *g = &p->growth;
	u64 last = sa_profile_windows(p) >> p->params.growth_shift;
	unsigned int slot;

	if (last < SA_GROWTH_SLOTS)
		return;		/* the slope runs from the origin anyway */
	slot = (unsigned int)(last - (SA_GROWTH_SLOTS - 1)) &
	       (SA_GROWTH_SLOTS - 1);
	WRITE_ONCE(g->ck_windows[slot], w0);
	WRITE_ONCE(g->ck_entries[slot], e0);
}

void sa_growth_tick(struct sa_profile *p)
{
	struct sa_growth *g = &p->growth;
	unsigned int slot = g->ticks % SA_GROWTH_SLOTS;

	WRITE_ONCE(g->tk_windows[slot], sa_profile_windows(p));
	WRITE_ONCE(g->tk_entries[slot], sa_profile_entries(p));
	WRITE_ONCE(g->ticks, g->ticks + 1);
}

bool sa_growth_quiet(const struct sa_profile *p)
{
	const struct sa_growth *g = &p->growth;
	u32 ticks = READ_ONCE(g->ticks);
	unsigned int now, then;
	u64 w;

	if (ticks < SA_GROWTH_SLOTS)
		return false;
	now = (ticks - 1) % SA_GROWTH_SLOTS;
	then = ticks % SA_GROWTH_SLOTS;		/* SA_GROWTH_SLOTS - 1 ago */
	w = READ_ONCE(g->tk_windows[now]);
	return READ_ONCE(g->tk_entries[now]) ==
	       READ_ONCE(g->tk_entries[then]) &&
	       w > READ_ONCE(g->tk_windows[then]) &&
	       (w >> p->params.growth_shift) >= 1;
}

u64 sa_growth_slope_ppm(const struct sa_profile *p, unsigned int span)
{
	u64 windows = sa_profile_windows(p);
	u64 entries = sa_profile_entries(p);
	u64 w0, dw, de;
	u32 e0;

	sa_growth_origin(p, span, &w0, &e0);
	dw = windows - w0;
	de = entries - e0;
	if (!dw)
		return 0;
	return sa_div64(de * 1000000, dw);
}
