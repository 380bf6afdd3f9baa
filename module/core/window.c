// SPDX-License-Identifier: GPL-2.0
/*
 * Reference (from scratch) computation of STIDE and BoSC keys; the sliding
 * versions in detector.c are tested against these.
 */
#include "../../include/sysanom/window.h"

u64 sa_stide_key(const u16 *ids, unsigned int k)
{
	unsigned int i;
	u64 h = 0;

	if (k <= SA_K_EXACT_MAX) {
		for (i = 0; i < k; i++)
			h = (h << SA_ID_BITS) | (ids[i] & (SA_MAX_ID - 1));
		return h | SA_KEY_EXACT;
	}
	for (i = 0; i < k; i++)
		h = h * SA_FP_BASE + (u64)(ids[i] & (SA_MAX_ID - 1)) + 1;
	return sa_fp_key(h);
}

int sa_stide_unpack(u64 key, unsigned int k, u16 *ids)
{
	unsigned int i;

	if (!(key & SA_KEY_EXACT) || k > SA_K_EXACT_MAX)
		return -EINVAL;
	for (i = k; i-- > 0;) {
		ids[i] = key & (SA_MAX_ID - 1);
		key >>= SA_ID_BITS;
	}
	return 0;
}

u64 sa_bag_key(const u16 *ids, unsigned int n)
{
	unsigned int i;
	u64 sum = 0;

	for (i = 0; i < n; i++)
		sum += sa_bag_term(ids[i] & (SA_MAX_ID - 1));
	return sa_bag_key_from_sum(sum);
}
