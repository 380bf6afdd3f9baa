// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests of the sysanom detection core: the same pure logic as the
 * userspace unit tests (tests/core/test_core.c), run inside the kernel.
 */
#include <kunit/test.h>
#include <linux/module.h>
#include <linux/slab.h>

#include "sysanom/hashset.h"
#include "sysanom/window.h"
#include "sysanom/detector.h"
#include "sysanom/profile_fmt.h"

static void *sa_kt_set(struct kunit *test, unsigned int order)
{
	void *mem = kunit_kzalloc(test, sa_hashset_size(order), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, mem);
	return mem;
}

static void sa_kt_profile(struct kunit *test, struct sa_profile *p,
			  const struct sa_params *pa, unsigned int order)
{
	KUNIT_ASSERT_EQ(test, 0, sa_profile_init(p, pa, sa_kt_set(test, order),
						 order, sa_kt_set(test, order),
						 order));
}

static void sa_kt_hashset(struct kunit *test)
{
	struct sa_hashset hs, big;
	unsigned int i;

	KUNIT_ASSERT_EQ(test, 0, sa_hashset_init(&hs, sa_kt_set(test, 8), 8));
	KUNIT_EXPECT_EQ(test, 192U, hs.limit);
	KUNIT_EXPECT_EQ(test, -EINVAL, sa_hashset_insert(&hs, 0));
	KUNIT_EXPECT_EQ(test, 0U, sa_hashset_lookup(&hs, 42));
	KUNIT_EXPECT_EQ(test, 1, sa_hashset_insert(&hs, 42));
	KUNIT_EXPECT_EQ(test, 0, sa_hashset_insert(&hs, 42));
	KUNIT_EXPECT_EQ(test, 2U, sa_hashset_lookup(&hs, 42));
	for (i = 0; i < 300; i++)
		sa_hashset_insert(&hs, 42);
	KUNIT_EXPECT_EQ(test, 255U, sa_hashset_lookup(&hs, 42));
	for (i = 1; i < hs.limit; i++)
		KUNIT_EXPECT_EQ(test, 1, sa_hashset_insert(&hs, 1000 + i));
	KUNIT_EXPECT_EQ(test, -ENOSPC, sa_hashset_insert(&hs, 99999));
	KUNIT_EXPECT_EQ(test, hs.limit, sa_hashset_entries(&hs));

	KUNIT_ASSERT_EQ(test, 0, sa_hashset_init(&big, sa_kt_set(test, 10),
						 10));
	KUNIT_EXPECT_EQ(test, 0, sa_hashset_copy(&big, &hs));
	KUNIT_EXPECT_EQ(test, hs.limit, sa_hashset_entries(&big));
	KUNIT_EXPECT_EQ(test, 255U, sa_hashset_lookup(&big, 42));
	KUNIT_EXPECT_EQ(test, 1, sa_hashset_insert(&big, 99999));
}

static void sa_kt_keys(struct kunit *test)
{
	u16 ids[SA_K_MAX], back[SA_K_MAX];
	u16 a[10] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10 };
	u16 b[10] = { 10, 9, 8, 7, 6, 5, 4, 3, 2, 1 };
	u16 c[10] = { 1, 1, 3, 4, 5, 6, 7, 8, 9, 10 };
	unsigned int k, i;

	for (i = 0; i < SA_K_MAX; i++)
		ids[i] = (i * 389) % SA_MAX_ID;
	for (k = SA_K_MIN; k <= SA_K_EXACT_MAX; k++) {
		u64 key = sa_stide_key(ids, k);

		KUNIT_EXPECT_TRUE(test, key & SA_KEY_EXACT);
		KUNIT_EXPECT_EQ(test, 0, sa_stide_unpack(key, k, back));
		KUNIT_EXPECT_EQ(test, 0, memcmp(ids, back, k * sizeof(u16)));
	}
	for (k = SA_K_EXACT_MAX + 1; k <= SA_K_MAX; k++) {
		u64 key = sa_stide_key(ids, k);

		KUNIT_EXPECT_FALSE(test, key & SA_KEY_EXACT);
		KUNIT_EXPECT_NE(test, 0ULL, key);
	}
	KUNIT_EXPECT_EQ(test, sa_bag_key(a, 10), sa_bag_key(b, 10));
	KUNIT_EXPECT_NE(test, sa_bag_key(a, 10), sa_bag_key(c, 10));
}

/* Streaming keys agree with keys recomputed from scratch. */
static void sa_kt_sliding(struct kunit *test)
{
	const unsigned int n = 400;
	u16 *trace = kunit_kzalloc(test, n * sizeof(u16), GFP_KERNEL);
	struct sa_profile *p = kunit_kzalloc(test, sizeof(*p), GFP_KERNEL);
	struct sa_stream s;
	struct sa_params pa;
	unsigned int k, i;

	KUNIT_ASSERT_NOT_NULL(test, trace);
	KUNIT_ASSERT_NOT_NULL(test, p);
	for (i = 0; i < n; i++)
		trace[i] = (i * 7919 + i / 3) % 37;
	for (k = SA_K_MIN; k <= SA_K_MAX; k += 3) {
		unsigned int bad = 0;

		sa_params_default(&pa);
		pa.k = k;
		pa.bag = k;
		pa.start = 0;	/* windows from the k-th call, as below */
		sa_kt_profile(test, p, &pa, 12);
		sa_stream_reset(&s);
		for (i = 0; i < n / 2; i++)
			sa_train(p, &s, trace[i]);
		sa_stream_reset(&s);
		for (i = 0; i < n; i++) {
			unsigned int v = sa_detect(p, &s, trace[i]);
			bool in_s, in_b;

			if (i + 1 < k)
				continue;
			in_s = sa_hashset_lookup(&p->stide,
				sa_stide_key(trace + i + 1 - k, k));
			in_b = sa_hashset_lookup(&p->bosc,
				sa_bag_key(trace + i + 1 - k, k));
			bad += !!(v & SA_V_STIDE_MISS) == in_s;
			bad += !!(v & SA_V_BOSC_MISS) == in_b;
			if (i < n / 2)
				bad += !in_s + !in_b;
		}
		KUNIT_EXPECT_EQ_MSG(test, 0U, bad, "k=%u", k);
	}
}

static unsigned int sa_kt_run(struct sa_profile *p, const u16 *t,
			      unsigned int n, enum sa_mode mode,
			      unsigned int *smiss, unsigned int *bmiss)
{
	struct sa_stream s;
	unsigned int i, any = 0;

	*smiss = *bmiss = 0;
	sa_stream_reset(&s);
	for (i = 0; i < n; i++) {
		unsigned int v = sa_feed(p, &s, t[i], mode);

		any |= v;
		*smiss += !!(v & SA_V_STIDE_MISS);
		*bmiss += !!(v & SA_V_BOSC_MISS);
	}
	sa_stream_flush(p, &s);
	return any;
}

static void sa_kt_detectors(struct kunit *test)
{
	struct sa_profile *p = kunit_kzalloc(test, sizeof(*p), GFP_KERNEL);
	u16 normal[80], probe[80];
	struct sa_params pa;
	unsigned int i, any, sm, bm;

	KUNIT_ASSERT_NOT_NULL(test, p);
	for (i = 0; i < 80; i++)
		normal[i] = 1 + i % 8;
	sa_params_default(&pa);
	pa.k = 3;
	pa.bag = 4;
	pa.frame = 10;
	pa.lfc_threshold = 3;
	pa.epoch = 20;
	pa.epoch_threshold = 4;
	pa.detector = SA_DET_STIDE;
	pa.start = 0;		/* the counts below ignore the first calls */
	sa_kt_profile(test, p, &pa, 8);
	any = sa_kt_run(p, normal, 80, SA_MODE_TRAIN, &sm, &bm);
	KUNIT_EXPECT_TRUE(test, any & SA_V_NEW);
	KUNIT_EXPECT_EQ(test, 8U, sa_hashset_entries(&p->stide));
	KUNIT_EXPECT_EQ(test, 8U, sa_hashset_entries(&p->bosc));
	KUNIT_EXPECT_EQ(test, 78ULL, sa_profile_windows(p));

	any = sa_kt_run(p, normal, 80, SA_MODE_DETECT, &sm, &bm);
	KUNIT_EXPECT_EQ(test, 0U, sm + bm);
	KUNIT_EXPECT_FALSE(test, any & SA_V_ANOMALY);

	memcpy(probe, normal, sizeof(probe));
	probe[40] = 9;
	any = sa_kt_run(p, probe, 80, SA_MODE_DETECT, &sm, &bm);
	KUNIT_EXPECT_EQ(test, 3U, sm);
	KUNIT_EXPECT_EQ(test, 4U, bm);
	KUNIT_EXPECT_TRUE(test, any & SA_V_STIDE_ANOMALY);
	KUNIT_EXPECT_TRUE(test, any & SA_V_ANOMALY);
	/*
	 * BoSC: the 4 mismatching bags (windows 37..40) straddle the epoch
	 * boundary at window 40: 3 + 1, below the threshold of 4.
	 */
	KUNIT_EXPECT_FALSE(test, any & SA_V_BOSC_ANOMALY);

	memcpy(probe, normal, sizeof(probe));
	probe[40] = normal[41];
	probe[41] = normal[40];
	sa_kt_run(p, probe, 80, SA_MODE_DETECT, &sm, &bm);
	KUNIT_EXPECT_EQ(test, 4U, sm);
	KUNIT_EXPECT_EQ(test, 2U, bm);
}

/*
 * Start markers judge a thread's first calls; calibration measures how far
 * normal behaviour goes, learns it, and sets thresholds over it.
 */
static void sa_kt_calibration(struct kunit *test)
{
	static const u16 shell[] = { 41, 42, 33, 33, 33, 59 };
	struct sa_profile *p = kunit_kzalloc(test, sizeof(*p), GFP_KERNEL);
	u16 normal[200], variant[200];
	struct sa_params pa, learnt;
	unsigned int i, any, sm, bm;

	KUNIT_ASSERT_NOT_NULL(test, p);
	for (i = 0; i < 200; i++)
		normal[i] = 1 + i % 8;
	memcpy(variant, normal, sizeof(variant));
	variant[100] = 3;
	sa_params_default(&pa);
	sa_kt_profile(test, p, &pa, 10);
	sa_kt_run(p, normal, 200, SA_MODE_TRAIN, &sm, &bm);
	KUNIT_EXPECT_EQ(test, 200ULL, sa_profile_windows(p));
	sa_kt_run(p, shell, 6, SA_MODE_DETECT, &sm, &bm);
	KUNIT_EXPECT_EQ(test, 6U, sm);

	sa_calib_reset(p);
	any = sa_kt_run(p, variant, 200, SA_MODE_CALIBRATE, &sm, &bm);
	KUNIT_EXPECT_GT(test, sm, 0U);
	KUNIT_EXPECT_FALSE(test, any & SA_V_ANOMALY);
	KUNIT_EXPECT_EQ(test, (u64)(sm * 8 + bm * pa.bosc_weight),
			p->calib.max_score);
	sa_kt_run(p, variant, 200, SA_MODE_DETECT, &sm, &bm);
	KUNIT_EXPECT_EQ(test, 0U, sm + bm);
	learnt = pa;
	KUNIT_EXPECT_EQ(test, 0, sa_calib_thresholds(&p->calib, &learnt));
	KUNIT_EXPECT_GT(test, learnt.combo_threshold, (u32)p->calib.max_score);
	KUNIT_EXPECT_EQ(test, 0, sa_profile_tune(p, &learnt));
	/* An intrusion in the middle: six calls never seen. */
	memcpy(variant, normal, sizeof(variant));
	for (i = 0; i < 6; i++)
		variant[100 + i] = shell[i];
	any = sa_kt_run(p, variant, 200, SA_MODE_DETECT, &sm, &bm);
	KUNIT_EXPECT_TRUE(test, any & SA_V_ANOMALY);
}

/* Call sets: a call its program never made alerts, whatever the score. */
static void sa_kt_calls(struct kunit *test)
{
	struct sa_profile *p = kunit_kzalloc(test, sizeof(*p), GFP_KERNEL);
	u16 normal[200], probe[200];
	struct sa_stream s;
	struct sa_params pa;
	unsigned int i, mode, any[3];

	KUNIT_ASSERT_NOT_NULL(test, p);
	for (i = 0; i < 200; i++)
		normal[i] = 1 + i % 8;
	memcpy(probe, normal, sizeof(probe));
	probe[100] = 41;	/* socket */
	sa_params_default(&pa);
	pa.combo_threshold = pa.frame * (8 + pa.bosc_weight);	/* never */
	sa_kt_profile(test, p, &pa, 10);
	sa_stream_reset(&s);
	s.tag = 5;
	for (i = 0; i < 200; i++)
		sa_train(p, &s, normal[i]);
	/* Detect, calibrate (learns call 9), detect again. */
	for (mode = 0; mode < 3; mode++) {
		sa_stream_reset(&s);
		s.tag = 5;
		any[mode] = 0;
		for (i = 0; i < 200; i++)
			any[mode] |= sa_feed(p, &s, probe[i], mode == 1 ?
					     SA_MODE_CALIBRATE :
					     SA_MODE_DETECT);
	}
	KUNIT_EXPECT_EQ(test, SA_V_NEWCALL | SA_V_ANOMALY,
			any[0] & (SA_V_NEWCALL | SA_V_ANOMALY |
				  SA_V_COMBO_ANOMALY));
	KUNIT_EXPECT_FALSE(test, any[1] & (SA_V_NEWCALL | SA_V_ANOMALY));
	KUNIT_EXPECT_TRUE(test, any[1] & SA_V_STIDE_MISS);
	KUNIT_EXPECT_FALSE(test, any[2] & (SA_V_STIDE_MISS | SA_V_ANOMALY));
	KUNIT_EXPECT_TRUE(test, sa_calls_known(p, 5, 41));
	/* mmap, never made, is exempt: it comes with data, not code. */
	KUNIT_EXPECT_TRUE(test, sa_calls_known(p, 5, 9));
	KUNIT_EXPECT_FALSE(test, sa_calls_known(p, 6, 1));
	KUNIT_EXPECT_EQ(test, 9U, sa_calls_count(p));
}

static void sa_kt_format(struct kunit *test)
{
	struct sa_profile *p = kunit_kzalloc(test, sizeof(*p), GFP_KERNEL);
	struct sa_profile *q = kunit_kzalloc(test, sizeof(*q), GFP_KERNEL);
	struct sa_profile_info info;
	u16 *trace = kunit_kzalloc(test, 300 * sizeof(u16), GFP_KERNEL);
	struct sa_params pa;
	unsigned int i, sm, bm, rejected = 0;
	size_t size, j;
	u8 *buf;

	KUNIT_ASSERT_NOT_NULL(test, p);
	KUNIT_ASSERT_NOT_NULL(test, q);
	KUNIT_ASSERT_NOT_NULL(test, trace);
	sa_params_default(&pa);
	pa.k = 8;
	sa_kt_profile(test, p, &pa, 10);
	for (i = 0; i < 300; i++)
		trace[i] = (i * i + 3 * i) % 11;
	sa_kt_run(p, trace, 300, SA_MODE_TRAIN, &sm, &bm);
	size = sa_profile_export_size(p);
	buf = kunit_kzalloc(test, size, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, buf);
	KUNIT_EXPECT_EQ(test, -ENOSPC, sa_profile_export(p, buf, size - 1));
	KUNIT_ASSERT_EQ(test, (long)size, sa_profile_export(p, buf, size));
	KUNIT_ASSERT_EQ(test, 0, sa_profile_parse(buf, size, &info));
	KUNIT_EXPECT_EQ(test, sa_hashset_entries(&p->stide),
			info.stide_entries);
	sa_kt_profile(test, q, &info.params,
		      sa_hashset_order_for(info.stide_entries +
					   info.bosc_entries));
	KUNIT_ASSERT_EQ(test, 0, sa_profile_import(q, buf, size));
	for (i = 0; i <= p->stide.mask; i++)
		if (p->stide.keys[i])
			KUNIT_EXPECT_EQ(test,
					sa_hashset_lookup(&p->stide,
							  p->stide.keys[i]),
					sa_hashset_lookup(&q->stide,
							  p->stide.keys[i]));
	KUNIT_EXPECT_EQ(test, sa_profile_windows(p), sa_profile_windows(q));

	for (j = 0; j < size; j++)
		rejected += sa_profile_parse(buf, j, &info) != 0;
	KUNIT_EXPECT_EQ(test, size, (size_t)rejected);
	rejected = 0;
	for (j = 0; j < size; j++) {
		buf[j] ^= 0x10;
		rejected += sa_profile_parse(buf, size, &info) != 0;
		buf[j] ^= 0x10;
	}
	KUNIT_EXPECT_EQ(test, size, (size_t)rejected);
	KUNIT_EXPECT_EQ(test, 0, sa_profile_parse(buf, size, &info));
}

static struct kunit_case sa_core_cases[] = {
	KUNIT_CASE(sa_kt_hashset),
	KUNIT_CASE(sa_kt_keys),
	KUNIT_CASE(sa_kt_sliding),
	KUNIT_CASE(sa_kt_detectors),
	KUNIT_CASE(sa_kt_calibration),
	KUNIT_CASE(sa_kt_calls),
	KUNIT_CASE(sa_kt_format),
	{}
};

static struct kunit_suite sa_core_suite = {
	.name = "sysanom_core",
	.test_cases = sa_core_cases,
};
kunit_test_suite(sa_core_suite);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("KUnit tests of the sysanom detection core");
