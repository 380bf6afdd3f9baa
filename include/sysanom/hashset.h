/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Compact open-addressing hash set of non-zero 64-bit keys, each with a
 * small saturating count.
 *
 * Memory: the caller supplies sa_hashset_size(order) bytes; the set never
 * allocates. Each slot is a u64 key plus a u8 count (9 bytes); the set
 * refuses inserts beyond 3/4 of its slots, so a full set costs 12 bytes per
 * entry, and between 12 and 24 bytes per entry when sized by the next power
 * of two above entries * 4 / 3.
 *
 * Concurrency: lookups take no lock (READ_ONCE of the slots). Inserts claim
 * an empty slot with a 64-bit cmpxchg, so any number of CPUs may insert into
 * the same set at once; two inserts of the same key end in one entry.
 * Entries are never removed. Counts are bumped with plain read-modify-write
 * and may lose increments under contention (they are a frequency hint).
 *
 * Flooding: the slot of a key is a keyed hash (the set's random seed), so
 * keys crafted to collide under a known function do not cluster; and no key
 * is ever more than SA_HS_PROBE_MAX slots from its home, so an insert or a
 * lookup walks at most that many slots whatever the keys. An insert that
 * would go further fails with -ENOSPC, as when the set is full: the set
 * grows. sa_hashset_copy() into a set of the same order and key puts every
 * entry in the slot it had, so it always fits; into a set with another key,
 * where the walks depend on the order of insertion, a same-order copy may
 * fail (imports size their sets half full, sa_hashset_order_for()).
 *
 * Growth: when sa_hashset_insert() returns -ENOSPC, allocate a larger set
 * from process context, sa_hashset_copy() the old one into it, publish it
 * (rcu_assign_pointer), wait for readers (synchronize_rcu) and copy again:
 * inserts never delete, so the second copy picks up whatever reached the old
 * set before every CPU saw the new one.
 */
#ifndef _SYSANOM_HASHSET_H
#define _SYSANOM_HASHSET_H

#include "types.h"

#define SA_HS_MIN_ORDER		4
/*
 * A set holds at most SA_HS_MAX_ENTRIES entries, whatever memory allows, so
 * that any profile fits a file that loads (SA_PROF_MAX_SIZE, below INT_MAX,
 * a kvmalloc()'s bound) and a set half full with as many (imports).
 */
#define SA_HS_MAX_ENTRIES	(1U << 26)
#define SA_HS_MAX_ORDER		27
#define SA_HS_COUNT_MAX		255
#define SA_HS_SLOT_BYTES	(sizeof(u64) + sizeof(u8))
/* Longest walk from a key's home slot; a power of two. */
#define SA_HS_PROBE_MAX		128

struct sa_hashset {
	u64 *keys;		/* 1 << order slots, 0 = empty */
	u8 *counts;		/* 1 << order saturating counts */
	u64 seed;		/* hash key: sa_hashset_seed() */
	u32 order;
	u32 shift;		/* 64 - order */
	u32 mask;
	u32 limit;		/* maximum number of entries */
	sa_atomic_t used;	/* number of entries */
};

/* Bytes of memory a set of 1 << order slots needs; 0 if order is invalid. */
size_t sa_hashset_size(unsigned int order);
/* Smallest order whose set is at most half full with @entries (or -ERANGE). */
int sa_hashset_order_for(u32 entries);
/* Binds @hs to @mem (8-byte aligned, sa_hashset_size(order) bytes), empty. */
int sa_hashset_init(struct sa_hashset *hs, void *mem, unsigned int order);
/* Keys the slot hash; only while the set is empty. */
int sa_hashset_seed(struct sa_hashset *hs, u64 seed);
/* 1 if a new entry was made, 0 if the key was there, -ENOSPC if full. */
int sa_hashset_insert(struct sa_hashset *hs, u64 key);
/* Insert with an explicit count (import); keeps the larger count. */
int sa_hashset_insert_count(struct sa_hashset *hs, u64 key, u8 count);
/* Copies every entry of @src into @dst; -ENOSPC if @dst fills up. */
int sa_hashset_copy(struct sa_hashset *dst, const struct sa_hashset *src);

static inline u32 sa_hashset_entries(const struct sa_hashset *hs)
{
	return (u32)sa_atomic_read(&hs->used);
}

static inline u32 sa_hashset_slots(const struct sa_hashset *hs)
{
	return hs->mask + 1;
}

static inline u32 sa_hashset_index(const struct sa_hashset *hs, u64 key)
{
	return (u32)(((key ^ hs->seed) * 0x9e3779b97f4a7c15ULL) >> hs->shift);
}

/*
 * Count of @key (1..255), or 0 if absent. Lock-free; safe against
 * concurrent inserts.
 */
static inline unsigned int sa_hashset_lookup(const struct sa_hashset *hs,
					     u64 key)
{
	u32 i = sa_hashset_index(hs, key), n;

	for (n = 0; n < SA_HS_PROBE_MAX; n++) {
		u64 k = READ_ONCE(hs->keys[i]);

		if (k == key) {
			unsigned int c = READ_ONCE(hs->counts[i]);

			return c ? c : 1;
		}
		if (!k)
			return 0;
		i = (i + 1) & hs->mask;
	}
	return 0;
}

/*
 * Whether @key is present; the detection fast path, where the key is most
 * often found in its first slot.
 */
static inline bool sa_hashset_contains(const struct sa_hashset *hs, u64 key)
{
	size_t i = sa_hashset_index(hs, key);
	u64 k = READ_ONCE(hs->keys[i]);
	unsigned int n;

	if (likely(k == key))
		return true;
	for (n = 1; k && n < SA_HS_PROBE_MAX; n++) {
		i = (i + 1) & hs->mask;
		k = READ_ONCE(hs->keys[i]);
		if (k == key)
			return true;
	}
	return false;
}

#endif /* _SYSANOM_HASHSET_H */
