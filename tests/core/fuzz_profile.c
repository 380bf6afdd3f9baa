// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target over the profile parser and importer. Each input is
 * parsed as is, and again with its checksum recomputed so that mutations
 * reach the field checks and the importer instead of stopping at the CRC.
 * Accepted profiles are imported, used for detection, exported and parsed
 * back; any disagreement aborts.
 */
#include <stdlib.h>
#include <string.h>

#include "sysanom/profile_fmt.h"

static void *alloc_set(unsigned int order)
{
	return aligned_alloc(64, (sa_hashset_size(order) + 63) & ~(size_t)63);
}

static void check_profile(const u8 *data, size_t size)
{
	struct sa_profile_info info, again;
	struct sa_profile *p;
	struct sa_stream s;
	void *m1, *m2, *out;
	size_t hdr, want;
	int os, ob;
	long len;
	u32 i;

	if (sa_profile_parse(data, size, &info))
		return;
	hdr = info.version == 1 ? SA_PROF_V1_HDR_SIZE : SA_PROF_HDR_SIZE;
	/* The parser bounds the entry and row counts by the input size. */
	if (hdr + (size_t)SA_PROF_ENTRY_SIZE *
	    (info.stide_entries + info.bosc_entries) +
	    (size_t)SA_PROF_ROW_SIZE * info.call_rows != size)
		abort();
	/* Exports are version 3, whatever was imported. */
	want = size - hdr + SA_PROF_HDR_SIZE;
	os = sa_hashset_order_for(info.stide_entries);
	ob = sa_hashset_order_for(info.bosc_entries);
	if (os < 0 || ob < 0)
		abort();
	p = malloc(sizeof(*p));
	m1 = alloc_set(os);
	m2 = alloc_set(ob);
	if (!p || !m1 || !m2)
		abort();
	if (sa_profile_init(p, &info.params, m1, os, m2, ob))
		abort();	/* parse accepted the parameters */
	if (!sa_profile_import(p, data, size)) {
		if (sa_hashset_entries(&p->stide) != info.stide_entries ||
		    sa_hashset_entries(&p->bosc) != info.bosc_entries)
			abort();
		sa_stream_reset(&s);
		for (i = 0; i < 64; i++)
			sa_detect(p, &s, data[i % size] * 7U + i);
		out = malloc(sa_profile_export_size(p));
		len = sa_profile_export(p, out, sa_profile_export_size(p));
		/*
		 * Same parameters, entries and windows; the growth origin
		 * is only kept when the span is full (see
		 * sa_growth_set_origin()).
		 */
		if (len != (long)want || sa_profile_parse(out, want, &again) ||
		    memcmp(&again.params, &info.params, sizeof(info.params)) ||
		    again.stide_entries != info.stide_entries ||
		    again.bosc_entries != info.bosc_entries ||
		    again.windows != info.windows ||
		    again.calls_on != info.calls_on ||
		    again.call_rows != info.call_rows ||
		    again.call_pairs != info.call_pairs ||
		    sa_calls_count(p) != info.call_pairs)
			abort();
		free(out);
	}
	free(m1);
	free(m2);
	free(p);
}

int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	u8 *copy;
	u32 crc;

	check_profile(data, size);
	if (size < SA_PROF_HDR_SIZE)
		return 0;
	copy = malloc(size);
	if (!copy)
		return 0;
	memcpy(copy, data, size);
	memset(copy + 60, 0, 4);
	crc = sa_crc32(0, copy, size);
	copy[60] = crc;
	copy[61] = crc >> 8;
	copy[62] = crc >> 16;
	copy[63] = crc >> 24;
	check_profile(copy, size);
	free(copy);
	return 0;
}
