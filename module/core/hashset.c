// SPDX-License-Identifier: GPL-2.0
/*
 * Lock-free insert-only hash set of 64-bit keys with saturating counts.
 * See include/sysanom/hashset.h for the concurrency and growth rules.
 */
#include "../../include/sysanom/hashset.h"

size_t sa_hashset_size(unsigned int order)
{
	if (order < SA_HS_MIN_ORDER || order > SA_HS_MAX_ORDER)
		return 0;
	return ((size_t)1 << order) * SA_HS_SLOT_BYTES;
}

static u32 sa_hashset_limit(unsigned int order)
{
	u32 slots = 1U << order, limit = slots - slots / 4;

	return limit < SA_HS_MAX_ENTRIES ? limit : SA_HS_MAX_ENTRIES;
}

int sa_hashset_order_for(u32 entries)
{
	unsigned int order;

	/* Half full at most: the probe bound is rarely met below 0.65. */
	for (order = SA_HS_MIN_ORDER; order <= SA_HS_MAX_ORDER; order++)
		if ((1U << order) / 2 >= entries)
			return order;
	return -ERANGE;
}

int sa_hashset_init(struct sa_hashset *hs, void *mem, unsigned int order)
{
	size_t size = sa_hashset_size(order);

	if (!size || !mem || ((unsigned long)mem & 7))
		return -EINVAL;
	memset(mem, 0, size);
	hs->keys = mem;
	hs->counts = (u8 *)mem + ((size_t)1 << order) * sizeof(u64);
	hs->seed = 0;
	hs->order = order;
	hs->shift = 64 - order;
	hs->mask = (1U << order) - 1;
	hs->limit = sa_hashset_limit(order);
	sa_atomic_set(&hs->used, 0);
	return 0;
}

int sa_hashset_seed(struct sa_hashset *hs, u64 seed)
{
	if (sa_hashset_entries(hs))
		return -EBUSY;
	hs->seed = seed;
	return 0;
}

static inline void sa_count_add(u8 *c, unsigned int add)
{
	unsigned int v = READ_ONCE(*c) + add;

	WRITE_ONCE(*c, v > SA_HS_COUNT_MAX ? SA_HS_COUNT_MAX : v);
}

static int sa_hashset_put(struct sa_hashset *hs, u64 key, unsigned int add,
			  u32 *slot)
{
	u32 i, probes;

	if (unlikely(!key))
		return -EINVAL;
	i = sa_hashset_index(hs, key);
	for (probes = 0; probes < SA_HS_PROBE_MAX && probes <= hs->mask;
	     probes++) {
		u64 k = READ_ONCE(hs->keys[i]);

		*slot = i;
		if (k == key) {
			sa_count_add(&hs->counts[i], add);
			return 0;
		}
		if (!k) {
			/* Reserve room first so the set never overfills. */
			if (sa_atomic_inc_return(&hs->used) > (int)hs->limit) {
				/* Give the reservation back. */
				sa_atomic_add(&hs->used, -1);
				return -ENOSPC;
			}
			k = sa_cmpxchg64(&hs->keys[i], 0, key);
			if (!k) {
				sa_count_add(&hs->counts[i], add);
				return 1;
			}
			sa_atomic_add(&hs->used, -1);
			if (k == key) {
				sa_count_add(&hs->counts[i], add);
				return 0;
			}
		}
		i = (i + 1) & hs->mask;
	}
	return -ENOSPC;
}

int sa_hashset_insert(struct sa_hashset *hs, u64 key)
{
	u32 slot;

	return sa_hashset_put(hs, key, 1, &slot);
}

int sa_hashset_insert_count(struct sa_hashset *hs, u64 key, u8 count)
{
	u32 i;
	int ret;

	if (!count)
		return -EINVAL;
	ret = sa_hashset_put(hs, key, 0, &i);
	if (ret < 0)
		return ret;
	/* The key is now in slot i: raise its count to at least @count. */
	if (READ_ONCE(hs->counts[i]) < count)
		WRITE_ONCE(hs->counts[i], count);
	return ret;
}

int sa_hashset_copy(struct sa_hashset *dst, const struct sa_hashset *src)
{
	u32 start = 0, n;

	/*
	 * From an empty slot on, in slot order: into a set of the same order
	 * and key, every entry then takes the slot it had, within the bound.
	 */
	while (start < src->mask && READ_ONCE(src->keys[start]))
		start++;
	for (n = 0; n <= src->mask; n++) {
		u32 i = (start + n) & src->mask;
		u64 k = READ_ONCE(src->keys[i]);
		u8 c = READ_ONCE(src->counts[i]);
		int ret;

		if (!k)
			continue;
		ret = sa_hashset_insert_count(dst, k, c ? c : 1);
		if (ret < 0)
			return ret;
		if (!(n & 4095))
			sa_cond_resched();
	}
	return 0;
}
