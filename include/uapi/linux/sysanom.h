/* SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT */
/*
 * sysanom: anomaly detection on the system calls of containers.
 *
 * Control interface: generic netlink family SYSANOM_GENL_NAME, version
 * SYSANOM_GENL_VERSION. Every command requires CAP_NET_ADMIN in the initial
 * user namespace. A container is a cgroup v2, named by its 64-bit cgroup id
 * (the inode number of its directory in the cgroup2 mount). A task belongs to
 * the nearest monitored ancestor of its cgroup.
 *
 * SYSANOM_CMD_TRACK: start monitoring a cgroup, or change its mode.
 *   SYSANOM_A_CGROUP_ID: NLA_U64, required
 *   SYSANOM_A_MODE: NLA_U32, enum sysanom_mode, default SYSANOM_MODE_TRAINING
 *   SYSANOM_MODE_CALIBRATING scores the cgroup's behaviour against its
 *   profile without alerting, learns what it missed, and once it scored 8
 *   growth checkpoints of windows and at least max(STABLE_CHECKS, 10)
 *   seconds passed, sets the thresholds a margin over the worst frame and
 *   epoch it saw and enforces; when no threshold within the frame would do,
 *   it goes back to training. Until-stable training ends in calibration.
 *   Errors: ENOENT no such cgroup (or no profile to enforce or calibrate),
 *           ENOSPC too many monitored cgroups, EINVAL bad mode or the root
 *           cgroup, ENODATA an emptied profile to enforce, ENOMEM memory
 *           caps.
 *
 * SYSANOM_CMD_SET: change a monitored cgroup's settings; absent = unchanged.
 *   SYSANOM_A_CGROUP_ID: NLA_U64, required
 *   SYSANOM_A_ACTION: NLA_U32, enum sysanom_action
 *   SYSANOM_A_DETECTOR: NLA_U32, 1 stide, 2 bosc, 3 combined
 *   SYSANOM_A_K: NLA_U32, STIDE window, 3..16
 *   SYSANOM_A_BAG: NLA_U32, BoSC window, 2..16
 *   SYSANOM_A_FRAME: NLA_U32, locality frame, 1..64
 *   SYSANOM_A_LFC_THRESHOLD: NLA_U32, 1..frame
 *   SYSANOM_A_EPOCH: NLA_U32, BoSC epoch in windows, >= 1
 *   SYSANOM_A_EPOCH_THRESHOLD: NLA_U32, >= 1
 *   SYSANOM_A_COMBO_THRESHOLD: NLA_U32, >= 1
 *   SYSANOM_A_GROWTH_SHIFT: NLA_U32, 4..40, a growth-curve checkpoint every
 *     2^N windows; the slope spans the last 15 checkpoints
 *   SYSANOM_A_STABLE_PPM: NLA_U64, until-stable slope threshold, new
 *     entries per million windows; with SYSANOM_A_STABLE_CHECKS > 0 a
 *     training profile switches to enforcing once its slope stayed at or
 *     under it for that many one-second checks
 *   SYSANOM_A_STABLE_CHECKS: NLA_U32, 0 turns until-stable off
 *   SYSANOM_A_MARGIN: NLA_U32, 0..200, calibration margin in percent; a
 *     calibrated profile's thresholds are set again from what it measured
 *   Changing K or BAG empties what was learnt and puts the cgroup back in
 *   training. A threshold set on a calibrated profile is marked overridden. SYSANOM_ACTION_KILL: the offending call does not run (it
 *   fails with ENOSYS) and the process gets SIGKILL. Errors: ENOENT, EINVAL.
 *
 * SYSANOM_CMD_UNTRACK: stop monitoring a cgroup and drop its state.
 *   SYSANOM_A_CGROUP_ID: NLA_U64, required
 *   Errors: ENOENT not monitored.
 *
 * SYSANOM_CMD_GET_CGROUPS: NLM_F_DUMP only; one message per monitored cgroup:
 *   SYSANOM_A_CGROUP_ID: NLA_U64
 *   SYSANOM_A_CGROUP_PATH: NLA_NUL_STRING, path below the cgroup2 root
 *   SYSANOM_A_MODE: NLA_U32
 *   SYSANOM_A_SYSCALLS: NLA_U64, system calls seen while monitored
 *   SYSANOM_A_FORKS: NLA_U64, tasks created inside it
 *   SYSANOM_A_EXECS: NLA_U64, successful execs inside it
 *   SYSANOM_A_EXITS: NLA_U64, tasks that exited inside it
 *   SYSANOM_A_ACTION, SYSANOM_A_DETECTOR, SYSANOM_A_K ... (as in SET)
 *   SYSANOM_A_WINDOWS: NLA_U64, windows learnt in training
 *   SYSANOM_A_ENTRIES: NLA_U32, distinct STIDE and BoSC entries
 *   SYSANOM_A_SLOPE_PPM: NLA_U64, growth slope, new entries per million
 *     windows over the recent span
 *   SYSANOM_A_MEM_BYTES: NLA_U64, memory of the profile's sets
 *   SYSANOM_A_FULL: NLA_U8, 1 when a memory cap stopped its growth
 *   SYSANOM_A_ALERTS: NLA_U64, anomalies raised
 *   SYSANOM_A_ALERTS_SUPPRESSED: NLA_U64, of those, not logged (rate limit)
 *   SYSANOM_A_FRAME, SYSANOM_A_LFC_THRESHOLD, SYSANOM_A_EPOCH,
 *   SYSANOM_A_EPOCH_THRESHOLD, SYSANOM_A_COMBO_THRESHOLD, SYSANOM_A_MARGIN
 *   SYSANOM_A_CALIBRATION: NLA_U32, enum sysanom_calibration
 *   SYSANOM_A_OVERRIDDEN: NLA_U32, SYSANOM_OVR_* thresholds set by hand
 *     after calibration
 *   SYSANOM_A_CALIB_WINDOWS: NLA_U64, windows scored in calibration
 *   SYSANOM_A_CALIB_MAX_SCORE, SYSANOM_A_CALIB_MAX_LFC,
 *   SYSANOM_A_CALIB_MAX_EPOCH: NLA_U32, the worst frame score, locality
 *     frame count and epoch count of normal behaviour in calibration
 *   SYSANOM_A_CONVERGED: NLA_U8, 1 once the growth curve met the
 *     until-stable rule (or a calibrated profile was loaded)
 *   SYSANOM_A_ANOMALOUS_WINDOWS: NLA_U64, anomalous windows, all incidents
 *   SYSANOM_A_ALLOWED: NLA_U64, alerts allowed into the profile (ALLOW)
 *   SYSANOM_A_CALL_SETS: NLA_U8, 1 when its call sets judge (0: a profile
 *     of format 1 or 2 was loaded, which has none)
 *   SYSANOM_A_CALL_PAIRS: NLA_U32, (program, call) pairs in its call sets
 *
 * SYSANOM_CMD_GET_ALERTS: NLM_F_DUMP only; the alert log, oldest first.
 *   An alert is an incident: the consecutive anomalous windows of one
 *   thread (no mismatch under the threshold between them). Its first window
 *   raises it and is multicast at once; the later ones update its record.
 *   Request: SYSANOM_A_ALERT_SEQ: NLA_U64, optional, only later records.
 *   Reply, and SYSANOM_CMD_ALERT messages on multicast group
 *   SYSANOM_GENL_MCGRP_ALERTS (joining it requires CAP_NET_ADMIN):
 *   SYSANOM_A_ALERT_SEQ: NLA_U64, increasing
 *   SYSANOM_A_TIME_NS: NLA_U64, CLOCK_REALTIME
 *   SYSANOM_A_CGROUP_ID: NLA_U64
 *   SYSANOM_A_CGROUP_PATH: NLA_NUL_STRING, "" once the cgroup is gone
 *   SYSANOM_A_PID, SYSANOM_A_TID: NLA_U32, in the initial pid namespace
 *   SYSANOM_A_COMM: NLA_NUL_STRING, at most 16 bytes
 *   SYSANOM_A_DETECTOR: NLA_U32, the detector that fired (1 stide, 2 bosc,
 *     3 combined), SYSANOM_ALERT_NEW_CALL (a call in the window that its
 *     program never made in training or calibration), or an event of
 *     enum sysanom_event, which has no score and whose window is the one
 *     system call that raised it
 *   SYSANOM_A_SCORE: NLA_U32, locality frame score at the first window
 *   SYSANOM_A_WINDOW: NLA_BINARY, u16 system-call ids, oldest first, of
 *     the first anomalous window; x86_64 numbers, 512 + n for 32-bit calls,
 *     1022 for the start of the thread or program, 1006..1021 for the
 *     program after exec (two of them, a hash of its name), 1023 for
 *     invalid ones
 *   SYSANOM_A_INCIDENT_WINDOWS: NLA_U32, anomalous windows so far
 *   SYSANOM_A_LAST_TIME_NS: NLA_U64, CLOCK_REALTIME of the last one
 *   SYSANOM_A_MAX_SCORE: NLA_U32, the highest frame score
 *   SYSANOM_A_CONTEXT: NLA_BINARY, for each of the first (up to 8)
 *     anomalous windows, the thread's last 16 calls (u16 ids as above),
 *     oldest first: the window is the last K of them
 *
 * SYSANOM_CMD_ALLOW: false-positive feedback; adds every window and bag of
 * the calls kept in an alert (SYSANOM_A_CONTEXT) to its cgroup's profile.
 *   SYSANOM_A_ALERT_SEQ: NLA_U64, required
 *   Reply: SYSANOM_A_ENTRIES: NLA_U32, entries added
 *   Errors: ENOENT no such alert in the log, or its cgroup is no longer
 *   monitored; ENOSPC the profile is at its memory cap; EINVAL an event
 *   (enum sysanom_event), which no detector raised.
 *
 * SYSANOM_CMD_EXPORT: NLM_F_DUMP only; a cgroup's profile in the engine's
 * file format (include/sysanom/profile_fmt.h), in order, in pieces.
 *   Request: SYSANOM_A_CGROUP_ID: NLA_U64, required
 *   Reply: SYSANOM_A_PROFILE_DATA: NLA_BINARY, the next piece
 *   Errors: ENOENT not monitored.
 *
 * SYSANOM_CMD_IMPORT: replace what a cgroup learnt with a profile, or start
 * monitoring it with that profile.
 *   SYSANOM_A_CGROUP_ID: NLA_U64, required
 *   SYSANOM_A_MODE: NLA_U32, default SYSANOM_MODE_ENFORCING
 *   SYSANOM_A_PROFILE_DATA: NLA_BINARY, one or more, concatenated in order
 *     (an attribute holds at most 64 KiB; a large profile takes several, in
 *     one message: raise the socket's send buffer)
 *   Errors: EBADMSG corrupt or truncated profile, EPROTONOSUPPORT profile of
 *   another system-call ABI, ENODATA an empty profile to enforce, ENOMEM
 *   memory caps, ENOENT no such cgroup.
 *
 * Attribute sets are append-only: new attributes get new numbers at the end.
 */
#ifndef _UAPI_LINUX_SYSANOM_H
#define _UAPI_LINUX_SYSANOM_H

#define SYSANOM_GENL_NAME "sysanom"
#define SYSANOM_GENL_VERSION 1
#define SYSANOM_GENL_MCGRP_ALERTS "alerts"

enum sysanom_cmd {
	SYSANOM_CMD_UNSPEC,
	SYSANOM_CMD_TRACK,
	SYSANOM_CMD_UNTRACK,
	SYSANOM_CMD_GET_CGROUPS,
	SYSANOM_CMD_SET,
	SYSANOM_CMD_GET_ALERTS,
	SYSANOM_CMD_ALERT,
	SYSANOM_CMD_EXPORT,
	SYSANOM_CMD_IMPORT,
	SYSANOM_CMD_ALLOW,
	__SYSANOM_CMD_MAX
};
#define SYSANOM_CMD_MAX (__SYSANOM_CMD_MAX - 1)

enum sysanom_attr {
	SYSANOM_A_UNSPEC,
	SYSANOM_A_PAD,
	SYSANOM_A_CGROUP_ID,
	SYSANOM_A_CGROUP_PATH,
	SYSANOM_A_MODE,
	SYSANOM_A_SYSCALLS,
	SYSANOM_A_FORKS,
	SYSANOM_A_EXECS,
	SYSANOM_A_EXITS,
	SYSANOM_A_ACTION,
	SYSANOM_A_DETECTOR,
	SYSANOM_A_K,
	SYSANOM_A_BAG,
	SYSANOM_A_FRAME,
	SYSANOM_A_LFC_THRESHOLD,
	SYSANOM_A_EPOCH,
	SYSANOM_A_EPOCH_THRESHOLD,
	SYSANOM_A_COMBO_THRESHOLD,
	SYSANOM_A_STABLE_PPM,
	SYSANOM_A_STABLE_CHECKS,
	SYSANOM_A_WINDOWS,
	SYSANOM_A_ENTRIES,
	SYSANOM_A_SLOPE_PPM,
	SYSANOM_A_MEM_BYTES,
	SYSANOM_A_FULL,
	SYSANOM_A_ALERTS,
	SYSANOM_A_ALERTS_SUPPRESSED,
	SYSANOM_A_ALERT_SEQ,
	SYSANOM_A_TIME_NS,
	SYSANOM_A_PID,
	SYSANOM_A_TID,
	SYSANOM_A_COMM,
	SYSANOM_A_SCORE,
	SYSANOM_A_WINDOW,
	SYSANOM_A_PROFILE_DATA,
	SYSANOM_A_GROWTH_SHIFT,
	SYSANOM_A_MARGIN,
	SYSANOM_A_CALIBRATION,
	SYSANOM_A_OVERRIDDEN,
	SYSANOM_A_CALIB_WINDOWS,
	SYSANOM_A_CALIB_MAX_SCORE,
	SYSANOM_A_CALIB_MAX_LFC,
	SYSANOM_A_CALIB_MAX_EPOCH,
	SYSANOM_A_CONVERGED,
	SYSANOM_A_ANOMALOUS_WINDOWS,
	SYSANOM_A_ALLOWED,
	SYSANOM_A_INCIDENT_WINDOWS,
	SYSANOM_A_LAST_TIME_NS,
	SYSANOM_A_MAX_SCORE,
	SYSANOM_A_CONTEXT,
	SYSANOM_A_CALL_SETS,
	SYSANOM_A_CALL_PAIRS,
	__SYSANOM_A_MAX
};
#define SYSANOM_A_MAX (__SYSANOM_A_MAX - 1)

enum sysanom_mode {
	SYSANOM_MODE_UNSPEC,
	SYSANOM_MODE_TRAINING,
	SYSANOM_MODE_ENFORCING,
	SYSANOM_MODE_CALIBRATING,
	__SYSANOM_MODE_MAX
};
#define SYSANOM_MODE_MAX (__SYSANOM_MODE_MAX - 1)

enum sysanom_action {
	SYSANOM_ACTION_UNSPEC,
	SYSANOM_ACTION_LOG,
	SYSANOM_ACTION_KILL,
	__SYSANOM_ACTION_MAX
};
#define SYSANOM_ACTION_MAX (__SYSANOM_ACTION_MAX - 1)

/*
 * Alerts that no detector raised, in SYSANOM_A_DETECTOR, in enforcing
 * containers, at most one of each a second per container:
 * NO_STATE: a thread the module cannot watch (its container's thread quota
 *   or the table is full);
 * LEFT: a task that left its container's profile (moved to a cgroup outside
 *   its subtree, or into another monitored one), at its first call after;
 *   or a child created outside it (clone3 CLONE_INTO_CGROUP), raised by
 *   its parent at the clone;
 * IO_URING: io_uring_setup, whose ring does the work of system calls that
 *   the module never sees.
 */
/*
 * An alert raised by the call sets, in SYSANOM_A_DETECTOR: one of the
 * calls in a window that missed was never made by the program, whatever
 * the window's score.
 */
#define SYSANOM_ALERT_NEW_CALL	4

enum sysanom_event {
	SYSANOM_EVENT_NO_STATE = 16,
	SYSANOM_EVENT_LEFT,
	SYSANOM_EVENT_IO_URING,
};

/* How a profile's thresholds were set. */
enum sysanom_calibration {
	SYSANOM_CALIB_NONE,		/* defaults, or set by hand */
	SYSANOM_CALIB_RUNNING,		/* being calibrated */
	SYSANOM_CALIB_DONE,		/* learnt online, in calibration */
	SYSANOM_CALIB_CV,		/* learnt offline, cross-validated */
};

#define SYSANOM_OVR_LFC		0x1
#define SYSANOM_OVR_EPOCH	0x2
#define SYSANOM_OVR_COMBO	0x4

#endif /* _UAPI_LINUX_SYSANOM_H */
