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
	return 0;
}

int sa_profile_init(struct sa_profile *p, const struct sa_params *params,
		    void *stide_mem, unsigned int stide_order,
		    void *bosc_mem, unsigned int bosc_order)
{
	int ret = sa_params_valid(params);

	if (ret)
		return ret;
	memset(p, 0, sizeof(*p));
	p->params = *params;
	p->stide_mask = params->k <= SA_K_EXACT_MAX ?
		(1ULL << (SA_ID_BITS * params->k)) - 1 : 0;
	p->fp_pow = sa_fp_pow(params->k);
	ret = sa_hashset_init(&p->stide, stide_mem, stide_order);
	if (ret)
		return ret;
	return sa_hashset_init(&p->bosc, bosc_mem, bosc_order);
}

/*
 * Slides the stream by one call: updates the ring, the STIDE key state and
 * the bag sum. Returns a mask of which windows are complete (bit 0: STIDE,
 * bit 1: BoSC) and the keys through @skey and @bkey.
 */
static __always_inline unsigned int sa_slide(const struct sa_profile *p,
					     struct sa_stream *s, u32 id,
					     u64 *skey, u64 *bkey)
{
	const unsigned int k = p->params.k, bag = p->params.bag;
	u32 calls = s->calls;
	unsigned int pos = s->pos, full = 0;
	u16 old_k = s->ring[(pos - k) & (SA_RING - 1)];
	u16 old_b = s->ring[(pos - bag) & (SA_RING - 1)];
	u64 h;

	if (unlikely(id >= SA_MAX_ID))
		id = SA_MAX_ID - 1;
	s->ring[pos & (SA_RING - 1)] = id;
	s->pos = (pos + 1) & (SA_RING - 1);
	if (likely(calls < (1U << 30)))
		s->calls = ++calls;

	if (k <= SA_K_EXACT_MAX) {
		h = ((s->stide_h << SA_ID_BITS) | id) & p->stide_mask;
		s->stide_h = h;
		*skey = h | SA_KEY_EXACT;
	} else {
		h = s->stide_h * SA_FP_BASE + id + 1;
		if (calls > k)
			h -= ((u64)old_k + 1) * p->fp_pow;
		s->stide_h = h;
		*skey = sa_fp_key(h);
	}
	if (calls >= k)
		full |= 1;

	h = s->bag_sum + sa_bag_term(id);
	if (calls > bag)
		h -= sa_bag_term(old_b);
	s->bag_sum = h;
	*bkey = sa_bag_key_from_sum(h);
	if (calls >= bag)
		full |= 2;
	return full;
}

unsigned int sa_detect(const struct sa_profile *p, struct sa_stream *s, u32 id)
{
	const struct sa_params *pa = &p->params;
	const unsigned int out = pa->frame - 1;
	unsigned int full, v = 0;
	u64 skey, bkey, bits;

	full = sa_slide(p, s, id, &skey, &bkey);

	if (full & 1) {
		unsigned int miss = !sa_hashset_lookup(&p->stide, skey);

		bits = s->frame_bits;
		s->lfc += miss - ((bits >> out) & 1);
		s->frame_bits = (bits << 1) | miss;
		v |= SA_V_WINDOW | (miss ? SA_V_STIDE_MISS : 0);
		if (s->lfc >= pa->lfc_threshold)
			v |= SA_V_STIDE_ANOMALY;
	}
	if (full & 2) {
		unsigned int miss = !sa_hashset_lookup(&p->bosc, bkey);

		bits = s->bag_bits;
		s->bfc += miss - ((bits >> out) & 1);
		s->bag_bits = (bits << 1) | miss;
		s->epoch_miss += miss;
		if (++s->epoch_windows >= pa->epoch) {
			/* The closing window still counts for this epoch. */
			if (s->epoch_miss >= pa->epoch_threshold)
				v |= SA_V_BOSC_ANOMALY;
			s->epoch_windows = 0;
			s->epoch_miss = 0;
		}
		v |= miss ? SA_V_BOSC_MISS : 0;
		if (s->epoch_miss >= pa->epoch_threshold)
			v |= SA_V_BOSC_ANOMALY;
	}
	if (v & (SA_V_STIDE_MISS | SA_V_BOSC_MISS) &&
	    sa_stream_score(p, s) >= pa->combo_threshold)
		v |= SA_V_COMBO_ANOMALY;

	switch (pa->detector) {
	case SA_DET_STIDE:
		if (v & SA_V_STIDE_ANOMALY)
			v |= SA_V_ANOMALY;
		break;
	case SA_DET_BOSC:
		if (v & SA_V_BOSC_ANOMALY)
			v |= SA_V_ANOMALY;
		break;
	default:
		if (v & SA_V_COMBO_ANOMALY)
			v |= SA_V_ANOMALY;
		break;
	}
	return v;
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

unsigned int sa_feed(struct sa_profile *p, struct sa_stream *s, u32 id,
		     enum sa_mode mode)
{
	if (mode == SA_MODE_TRAIN)
		return sa_train(p, s, id);
	return sa_detect(p, s, id);
}

u64 sa_growth_slope_ppm(const struct sa_profile *p, unsigned int span)
{
	const struct sa_growth *g = &p->growth;
	const unsigned int shift = p->params.growth_shift;
	u64 windows = sa_profile_windows(p);
	u64 entries = sa_profile_entries(p);
	u64 last = windows >> shift, w0 = 0, e0 = 0, dw, de;

	if (!span || span >= SA_GROWTH_SLOTS)
		span = SA_GROWTH_SLOTS - 1;
	if (last > span) {
		unsigned int slot = (unsigned int)(last - span) &
				    (SA_GROWTH_SLOTS - 1);

		w0 = READ_ONCE(g->ck_windows[slot]);
		e0 = READ_ONCE(g->ck_entries[slot]);
		if (w0 > windows || e0 > entries)
			w0 = e0 = 0;
	}
	dw = windows - w0;
	de = entries - e0;
	if (!dw)
		return 0;
	return sa_div64(de * 1000000, dw);
}
