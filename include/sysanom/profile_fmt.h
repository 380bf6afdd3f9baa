/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Profile file format (version 3), little-endian, no padding:
 *
 *	off size field
 *	  0    8 magic "SAPROF\r\n"
 *	  8    2 version (3)
 *	 10    2 header size (64)
 *	 12    1 k			STIDE window
 *	 13    1 bag		BoSC window
 *	 14    1 frame		locality frame
 *	 15    1 lfc_threshold
 *	 16    4 epoch
 *	 20    4 epoch_threshold
 *	 24    1 detector
 *	 25    1 abi		system-call ABI of the ids
 *	 26    1 growth_shift
 *	 27    1 bosc_weight
 *	 28    4 combo_threshold
 *	 32    4 stide entries (n)
 *	 36    4 bosc entries (m)
 *	 40    8 windows seen in training
 *	 48    8 growth origin: windows at the start of the slope's span
 *	 56    4 growth origin: entries then (the slope is
 *		 (entries - this) / (windows - origin windows))
 *	 60    4 CRC-32 (IEEE) of the whole file with this field read as 0
 *	 64    1 start		1: streams start padded with SA_ID_START, 2: and name the program after exec
 *	 65    1 margin		calibration margin, percent
 *	 66    1 calibration	enum sa_calib_state: how the thresholds
 *				above were set (never SA_CALIB_RUNNING)
 *	 67    1 overridden	SA_OVR_*: thresholds set by hand since
 *	 68    1 calls		1: the call sets below judge (version 3)
 *	 69    3 reserved, 0
 *	 72    8 windows scored in calibration
 *	 80    4 worst frame score of normal behaviour in calibration
 *	 84    4 worst locality frame count
 *	 88    4 worst BoSC mismatches in one epoch
 *	 92    4 call set rows (r), 0 unless calls is 1
 *	 96  9*n STIDE entries: key (8), count (1)
 *	  .  9*m BoSC entries: key (8), count (1)
 *	  . 129*r call sets: program tag (1), then 128 bytes whose bit
 *		 (id % 8) of byte (id / 8) says that the program made call id
 *
 * Keys are non-zero and unique within their set; counts are 1..255. Rows
 * come in increasing tag order, each with a call and no marker id
 * (sa_id_marker()). The file size is exactly 96 + 9 * (n + m) + 129 * r.
 *
 * Version 2 files have 0 at offsets 68 and 92, and load with the call sets
 * off: they were not learnt.
 *
 * Version 1 files have the 64-byte header alone and load with start 0
 * (their windows never held start markers), the default margin and no
 * calibration.
 */
#ifndef _SYSANOM_PROFILE_FMT_H
#define _SYSANOM_PROFILE_FMT_H

#include "types.h"
#include "detector.h"

#define SA_PROF_MAGIC		"SAPROF\r\n"
#define SA_PROF_VERSION		3
#define SA_PROF_HDR_SIZE	96
#define SA_PROF_V1_HDR_SIZE	64
#define SA_PROF_ENTRY_SIZE	9
#define SA_PROF_ROW_SIZE	(1 + SA_MAX_ID / 8)
#define SA_PROF_MAX_ENTRIES	SA_HS_MAX_ENTRIES
/* The largest valid file: what export may produce and import must take. */
#define SA_PROF_MAX_SIZE	(SA_PROF_HDR_SIZE + \
				 (size_t)SA_PROF_ENTRY_SIZE * 2 * SA_PROF_MAX_ENTRIES + \
				 (size_t)SA_PROF_ROW_SIZE * SA_CALL_ROWS)

struct sa_profile_info {
	struct sa_params params;
	u32 stide_entries;
	u32 bosc_entries;
	u64 windows;
	u64 growth_windows;	/* origin of the growth slope's span */
	u32 growth_entries;
	u32 version;
	u8 calib_state;		/* enum sa_calib_state */
	u8 calib_overridden;	/* SA_OVR_* */
	u64 calib_windows;
	u32 calib_max_score;
	u32 calib_max_lfc;
	u32 calib_max_epoch;
	u8 calls_on;		/* the call sets judge */
	u32 call_rows;		/* programs with a call set */
	u32 call_pairs;		/* (program, call) pairs in them */
};

u32 sa_crc32(u32 crc, const void *buf, size_t len);

/* Exact size of the export of @p (entries may grow concurrently). */
size_t sa_profile_export_size(const struct sa_profile *p);
/*
 * Writes @p into @buf; returns the number of bytes written or -ENOSPC.
 * Training must be stopped (no concurrent inserts) for a consistent export.
 */
long sa_profile_export(const struct sa_profile *p, void *buf, size_t len);
/*
 * Checks the whole buffer (size, magic, version, parameters, checksum,
 * entry counts) and fills @info. Never reads outside buf[0..len).
 */
int sa_profile_parse(const void *buf, size_t len,
		     struct sa_profile_info *info);
/*
 * Loads a buffer accepted by sa_profile_parse() into @p, which the caller
 * initialised with info->params and sets holding at least the entry counts
 * (sa_hashset_order_for()). Rejects zero keys, duplicate keys, zero counts.
 */
int sa_profile_import(struct sa_profile *p, const void *buf, size_t len);

#endif /* _SYSANOM_PROFILE_FMT_H */
