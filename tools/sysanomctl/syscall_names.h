/* SPDX-License-Identifier: GPL-2.0 */
/*
 * x86_64 system-call names and numbers, and the i386 names, from tables
 * generated at build time from the kernel uapi headers (gen-syscall-table.sh).
 */
#ifndef SYSANOMCTL_SYSCALL_NAMES_H
#define SYSANOMCTL_SYSCALL_NAMES_H

struct sa_syscall_entry {
	const char *name;
	int nr;
};

/* Number of the system call @name, or -1 if unknown. */
int sa_syscall_nr(const char *name);
/* Name of system call @nr, or NULL if unknown. */
const char *sa_syscall_name(int nr);
/* Name of i386 system call @nr (a 32-bit task's), or NULL if unknown. */
const char *sa_syscall_name_32(int nr);
/* Number of entries in the generated table. */
int sa_syscall_count(void);

#endif
