/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Keys of system-call windows.
 *
 * STIDE: a window of k consecutive call ids (3 <= k <= 16). System-call
 * ids are below SA_MAX_ID (10 bits), so a window of k <= 6 calls is packed
 * exactly into the low 10 * k bits of the key, with bit 63 set as the
 * "exact" tag. Longer windows are fingerprinted: a polynomial rolling hash
 * (updated in O(1) per call) finalised by a 64-bit mixer, with bit 63 clear.
 *
 * BoSC: the bag (multiset) of the last n calls. Its order-independent hash is
 * the sum (mod 2^64) of one pseudo-random 64-bit term per call in the bag,
 * updated in O(1) as the window slides (add the new term, subtract the
 * oldest); the profile keeps the terms in a table.
 *
 * Keys are never 0 (0 marks an empty hash-set slot).
 */
#ifndef _SYSANOM_WINDOW_H
#define _SYSANOM_WINDOW_H

#include "types.h"

#define SA_ID_BITS		10
#define SA_MAX_ID		(1U << SA_ID_BITS)	/* ids are 0..1023 */
#define SA_K_MIN		3
#define SA_K_MAX		16
#define SA_K_DEFAULT		6
#define SA_K_EXACT_MAX		6	/* 6 * 10 bits <= 63 */
#define SA_BAG_MIN		2
#define SA_BAG_MAX		16
#define SA_BAG_DEFAULT		10
#define SA_RING			16	/* power of two >= SA_K_MAX, SA_BAG_MAX */
#define SA_KEY_EXACT		(1ULL << 63)
#define SA_FP_BASE		0x100000001b3ULL	/* odd multiplier */

static inline u64 sa_mix64(u64 x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	x *= 0xc4ceb9fe1a85ec53ULL;
	x ^= x >> 33;
	return x;
}

/* Finalises a fingerprint into a key: bit 63 clear, never 0. */
static inline u64 sa_fp_key(u64 h)
{
	u64 key = sa_mix64(h) & ~SA_KEY_EXACT;

	return key ? key : 1;
}

/* Term of one call id in a bag hash. */
static inline u64 sa_bag_term(u32 id)
{
	u64 x = ((u64)id + 1) * 0x9e3779b97f4a7c15ULL;

	x ^= x >> 31;
	x *= 0xbf58476d1ce4e5b9ULL;
	return x ^ (x >> 29);
}

/*
 * The sum of pseudo-random terms is already uniform: it is the key itself
 * (the hash set mixes keys into slot indexes), except that 0 becomes 1.
 */
static inline u64 sa_bag_key_from_sum(u64 sum)
{
	return sum ? sum : 1;
}

/* SA_FP_BASE ** k (mod 2^64), for removing the oldest call of a window. */
static inline u64 sa_fp_pow(unsigned int k)
{
	u64 p = 1;

	while (k--)
		p *= SA_FP_BASE;
	return p;
}

/*
 * Key of the STIDE window @ids[0..k-1] (oldest first), computed from
 * scratch; the streaming code in detector.c must give the same key.
 */
u64 sa_stide_key(const u16 *ids, unsigned int k);
/* Key of the bag of @ids[0..n-1], computed from scratch. */
u64 sa_bag_key(const u16 *ids, unsigned int n);
/* Unpacks an exact key of a window of k calls; -EINVAL if not exact. */
int sa_stide_unpack(u64 key, unsigned int k, u16 *ids);

#endif /* _SYSANOM_WINDOW_H */
