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
 *   Errors: ENOENT no such cgroup, ENOSPC too many monitored cgroups,
 *           EINVAL bad mode.
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
 *
 * Attribute sets are append-only: new attributes get new numbers at the end.
 */
#ifndef _UAPI_LINUX_SYSANOM_H
#define _UAPI_LINUX_SYSANOM_H

#define SYSANOM_GENL_NAME "sysanom"
#define SYSANOM_GENL_VERSION 1

enum sysanom_cmd {
	SYSANOM_CMD_UNSPEC,
	SYSANOM_CMD_TRACK,
	SYSANOM_CMD_UNTRACK,
	SYSANOM_CMD_GET_CGROUPS,
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
	__SYSANOM_A_MAX
};
#define SYSANOM_A_MAX (__SYSANOM_A_MAX - 1)

enum sysanom_mode {
	SYSANOM_MODE_UNSPEC,
	SYSANOM_MODE_TRAINING,
	SYSANOM_MODE_ENFORCING,
	__SYSANOM_MODE_MAX
};
#define SYSANOM_MODE_MAX (__SYSANOM_MODE_MAX - 1)

#endif /* _UAPI_LINUX_SYSANOM_H */
