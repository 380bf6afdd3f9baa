// SPDX-License-Identifier: GPL-2.0
/*
 * Export and import of profiles to and from a byte buffer; the parser
 * validates everything before it touches a profile. See profile_fmt.h.
 */
#include "../../include/sysanom/profile_fmt.h"

u32 sa_crc32(u32 crc, const void *buf, size_t len)
{
	const u8 *b = buf;
	unsigned int i;

	crc = ~crc;
	while (len--) {
		crc ^= *b++;
		for (i = 0; i < 8; i++)
			crc = (crc >> 1) ^ (0xedb88320U & (0U - (crc & 1)));
	}
	return ~crc;
}

static void sa_put16(u8 *b, u16 v)
{
	b[0] = v;
	b[1] = v >> 8;
}

static void sa_put32(u8 *b, u32 v)
{
	sa_put16(b, v);
	sa_put16(b + 2, v >> 16);
}

static void sa_put64(u8 *b, u64 v)
{
	sa_put32(b, (u32)v);
	sa_put32(b + 4, (u32)(v >> 32));
}

static u16 sa_get16(const u8 *b)
{
	return (u16)(b[0] | (b[1] << 8));
}

static u32 sa_get32(const u8 *b)
{
	return sa_get16(b) | ((u32)sa_get16(b + 2) << 16);
}

static u64 sa_get64(const u8 *b)
{
	return sa_get32(b) | ((u64)sa_get32(b + 4) << 32);
}

static bool sa_row_empty(const unsigned long *row)
{
	unsigned int i;

	for (i = 0; i < SA_CALL_LONGS; i++)
		if (READ_ONCE(row[i]))
			return false;
	return true;
}

/* Rows of the call sets that the export writes. */
static u32 sa_export_rows(const struct sa_profile *p)
{
	u32 r, n = 0;

	if (!p->calls_on)
		return 0;
	for (r = 0; r < SA_CALL_ROWS; r++)
		n += !sa_row_empty(p->calls[r]);
	return n;
}

size_t sa_profile_export_size(const struct sa_profile *p)
{
	return SA_PROF_HDR_SIZE + (size_t)SA_PROF_ENTRY_SIZE *
		((size_t)sa_hashset_entries(&p->stide) +
		 sa_hashset_entries(&p->bosc)) +
		(size_t)SA_PROF_ROW_SIZE * sa_export_rows(p);
}

/* Writes the non-empty call sets of @p; returns how many, or -ENOSPC. */
static long sa_export_calls(const struct sa_profile *p, u8 *b, size_t room)
{
	size_t n = 0;
	u32 r, id;

	if (!p->calls_on)
		return 0;
	for (r = 0; r < SA_CALL_ROWS; r++) {
		u8 *row = b + n * SA_PROF_ROW_SIZE;

		if (sa_row_empty(p->calls[r]))
			continue;
		if (room < SA_PROF_ROW_SIZE * (n + 1))
			return -ENOSPC;
		memset(row, 0, SA_PROF_ROW_SIZE);
		row[0] = (u8)r;
		for (id = 0; id < SA_MAX_ID; id++)
			if (sa_test_bit(id, p->calls[r]))
				row[1 + id / 8] |= 1 << (id % 8);
		n++;
	}
	return (long)n;
}

/* Writes the entries of @hs; returns how many, or -ENOSPC. */
static long sa_export_set(const struct sa_hashset *hs, u8 *b, size_t room)
{
	size_t n = 0;
	u32 i;

	for (i = 0; i <= hs->mask; i++) {
		u64 key = READ_ONCE(hs->keys[i]);
		u8 c = READ_ONCE(hs->counts[i]);

		if (!key)
			continue;
		if (room < SA_PROF_ENTRY_SIZE * (n + 1))
			return -ENOSPC;
		sa_put64(b + n * SA_PROF_ENTRY_SIZE, key);
		b[n * SA_PROF_ENTRY_SIZE + 8] = c ? c : 1;
		n++;
	}
	return (long)n;
}

static u32 sa_sat32(u64 v)
{
	return v > 0xffffffffULL ? 0xffffffffU : (u32)v;
}

long sa_profile_export(const struct sa_profile *p, void *buf, size_t len)
{
	const struct sa_params *pa = &p->params;
	const struct sa_calib *c = &p->calib;
	u8 *b = buf;
	long n, m, r;
	size_t total;

	if (len < SA_PROF_HDR_SIZE)
		return -ENOSPC;
	memset(b, 0, SA_PROF_HDR_SIZE);
	n = sa_export_set(&p->stide, b + SA_PROF_HDR_SIZE,
			  len - SA_PROF_HDR_SIZE);
	if (n < 0)
		return n;
	total = SA_PROF_HDR_SIZE + (size_t)n * SA_PROF_ENTRY_SIZE;
	m = sa_export_set(&p->bosc, b + total, len - total);
	if (m < 0)
		return m;
	total += (size_t)m * SA_PROF_ENTRY_SIZE;
	r = sa_export_calls(p, b + total, len - total);
	if (r < 0)
		return r;
	total += (size_t)r * SA_PROF_ROW_SIZE;

	memcpy(b, SA_PROF_MAGIC, 8);
	sa_put16(b + 8, SA_PROF_VERSION);
	sa_put16(b + 10, SA_PROF_HDR_SIZE);
	b[12] = pa->k;
	b[13] = pa->bag;
	b[14] = pa->frame;
	b[15] = pa->lfc_threshold;
	sa_put32(b + 16, pa->epoch);
	sa_put32(b + 20, pa->epoch_threshold);
	b[24] = pa->detector;
	b[25] = pa->abi;
	b[26] = pa->growth_shift;
	b[27] = pa->bosc_weight;
	sa_put32(b + 28, pa->combo_threshold);
	sa_put32(b + 32, (u32)n);
	sa_put32(b + 36, (u32)m);
	sa_put64(b + 40, sa_profile_windows(p));
	{
		u64 w0;
		u32 e0;

		sa_growth_origin(p, SA_GROWTH_SLOTS - 1, &w0, &e0);
		sa_put64(b + 48, w0);
		sa_put32(b + 56, e0);
	}
	b[64] = pa->start;
	b[65] = pa->margin;
	b[66] = READ_ONCE(c->state) == SA_CALIB_RUNNING ? SA_CALIB_NONE :
		READ_ONCE(c->state);
	b[67] = READ_ONCE(c->overridden);
	b[68] = p->calls_on;
	sa_put64(b + 72, (u64)sa_atomic64_read(&c->windows));
	sa_put32(b + 80, sa_sat32(READ_ONCE(c->max_score)));
	sa_put32(b + 84, sa_sat32(READ_ONCE(c->max_lfc)));
	sa_put32(b + 88, sa_sat32(READ_ONCE(c->max_epoch)));
	sa_put32(b + 92, (u32)r);
	sa_put32(b + 60, sa_crc32(0, b, total));
	return (long)total;
}

/* Checks the call sets of a file, @r rows at @b, and counts their pairs. */
static int sa_parse_calls(const u8 *b, u32 r, struct sa_profile_info *info)
{
	int last = -1;
	u32 i, id;

	for (i = 0; i < r; i++, b += SA_PROF_ROW_SIZE) {
		u32 pairs = 0;

		if (b[0] <= last)
			return -EINVAL;		/* out of order, or twice */
		last = b[0];
		for (id = 0; id < SA_MAX_ID; id++) {
			if (!(b[1 + id / 8] & (1 << (id % 8))))
				continue;
			if (sa_id_marker(id))
				return -EINVAL;
			pairs++;
		}
		if (!pairs)
			return -EINVAL;
		info->call_pairs += pairs;
	}
	return 0;
}

int sa_profile_parse(const void *buf, size_t len,
		     struct sa_profile_info *info)
{
	static const u8 zero[4];
	const u8 *b = buf;
	struct sa_params *pa = &info->params;
	size_t hdr;
	u32 crc;
	u64 want;
	int ret;

	memset(info, 0, sizeof(*info));
	if (!b || len < SA_PROF_V1_HDR_SIZE)
		return -EINVAL;
	if (memcmp(b, SA_PROF_MAGIC, 8))
		return -EINVAL;
	info->version = sa_get16(b + 8);
	if (info->version == 1)
		hdr = SA_PROF_V1_HDR_SIZE;
	else if (info->version == 2 || info->version == SA_PROF_VERSION)
		hdr = SA_PROF_HDR_SIZE;
	else
		return -EPROTONOSUPPORT;
	if (sa_get16(b + 10) != hdr || len < hdr)
		return -EINVAL;
	pa->k = b[12];
	pa->bag = b[13];
	pa->frame = b[14];
	pa->lfc_threshold = b[15];
	pa->epoch = sa_get32(b + 16);
	pa->epoch_threshold = sa_get32(b + 20);
	pa->detector = b[24];
	pa->abi = b[25];
	pa->growth_shift = b[26];
	pa->bosc_weight = b[27];
	pa->combo_threshold = sa_get32(b + 28);
	info->stide_entries = sa_get32(b + 32);
	info->bosc_entries = sa_get32(b + 36);
	info->windows = sa_get64(b + 40);
	info->growth_windows = sa_get64(b + 48);
	info->growth_entries = sa_get32(b + 56);
	pa->margin = SA_MARGIN_DEFAULT;
	if (info->version >= 2) {
		pa->start = b[64];
		pa->margin = b[65];
		info->calib_state = b[66];
		info->calib_overridden = b[67];
		info->calib_windows = sa_get64(b + 72);
		info->calib_max_score = sa_get32(b + 80);
		info->calib_max_lfc = sa_get32(b + 84);
		info->calib_max_epoch = sa_get32(b + 88);
		info->calls_on = b[68];
		info->call_rows = sa_get32(b + 92);
		if (info->calib_state > SA_CALIB_STATE_MAX ||
		    info->calib_state == SA_CALIB_RUNNING ||
		    info->calib_overridden & ~SA_OVR_ALL ||
		    info->calls_on > 1 || b[69] || b[70] || b[71] ||
		    info->call_rows > SA_CALL_ROWS ||
		    (!info->calls_on && info->call_rows))
			return -EINVAL;
		/*
		 * Call sets that judge, and none: every call would be new,
		 * and no training that made windows leaves them empty.
		 */
		if (info->calls_on && !info->call_rows &&
		    (info->stide_entries || info->bosc_entries))
			return -EINVAL;
		/* Version 2 had no call sets: those bytes were reserved. */
		if (info->version == 2 && (info->calls_on || info->call_rows))
			return -EINVAL;
	}
	ret = sa_params_valid(pa);
	if (ret)
		return ret;
	if (info->stide_entries > SA_PROF_MAX_ENTRIES ||
	    info->bosc_entries > SA_PROF_MAX_ENTRIES)
		return -E2BIG;
	if (info->growth_windows > info->windows ||
	    info->growth_entries > (u64)info->stide_entries +
	    info->bosc_entries)
		return -EINVAL;
	want = hdr + (u64)SA_PROF_ENTRY_SIZE *
		((u64)info->stide_entries + info->bosc_entries);
	if (want + (u64)SA_PROF_ROW_SIZE * info->call_rows != len)
		return -EINVAL;
	crc = sa_crc32(0, b, 60);
	crc = sa_crc32(crc, zero, 4);
	crc = sa_crc32(crc, b + 64, len - 64);
	if (crc != sa_get32(b + 60))
		return -EBADMSG;
	return sa_parse_calls(b + want, info->call_rows, info);
}

static int sa_import_set(struct sa_hashset *hs, const u8 *b, u32 n)
{
	u32 i;

	for (i = 0; i < n; i++, b += SA_PROF_ENTRY_SIZE) {
		u64 key = sa_get64(b);
		int ret;

		if (!key || !b[8])
			return -EINVAL;
		ret = sa_hashset_insert_count(hs, key, b[8]);
		if (ret < 0)
			return ret;
		if (!ret)
			return -EINVAL;	/* duplicate key */
		if (!(i & 4095))
			sa_cond_resched();
	}
	return 0;
}

/* The call sets of a file that sa_profile_parse() accepted, @info. */
static void sa_import_calls(struct sa_profile *p, const u8 *b,
			    const struct sa_profile_info *info)
{
	u32 i, id;

	p->calls_on = info->calls_on;
	memset(p->calls, 0, sizeof(p->calls));
	for (i = 0; i < info->call_rows; i++, b += SA_PROF_ROW_SIZE)
		for (id = 0; id < SA_MAX_ID; id++)
			if (b[1 + id / 8] & (1 << (id % 8)))
				sa_calls_add(p, b[0], id);
}

int sa_profile_import(struct sa_profile *p, const void *buf, size_t len)
{
	struct sa_profile_info info;
	const u8 *b = buf;
	int ret;

	ret = sa_profile_parse(buf, len, &info);
	if (ret)
		return ret;
	if (memcmp(&info.params, &p->params, sizeof(info.params)))
		return -EINVAL;
	if (sa_hashset_entries(&p->stide) || sa_hashset_entries(&p->bosc))
		return -EBUSY;
	if (info.stide_entries > p->stide.limit ||
	    info.bosc_entries > p->bosc.limit)
		return -ENOSPC;
	b += info.version == 1 ? SA_PROF_V1_HDR_SIZE : SA_PROF_HDR_SIZE;
	ret = sa_import_set(&p->stide, b, info.stide_entries);
	if (!ret)
		ret = sa_import_set(&p->bosc, b + (size_t)SA_PROF_ENTRY_SIZE *
				    info.stide_entries, info.bosc_entries);
	if (!ret) {
		sa_atomic64_set(&p->growth.windows, (s64)info.windows);
		sa_growth_set_origin(p, info.growth_windows,
				     info.growth_entries);
		p->calib.state = info.calib_state;
		p->calib.overridden = info.calib_overridden;
		sa_atomic64_set(&p->calib.windows, (s64)info.calib_windows);
		p->calib.max_score = info.calib_max_score;
		p->calib.max_lfc = info.calib_max_lfc;
		p->calib.max_epoch = info.calib_max_epoch;
		sa_import_calls(p, b + (size_t)SA_PROF_ENTRY_SIZE *
				((size_t)info.stide_entries +
				 info.bosc_entries), &info);
	}
	return ret;
}
