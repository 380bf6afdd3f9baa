// SPDX-License-Identifier: GPL-2.0
/* Name <-> number lookup over the generated system-call tables. */
#include <stdlib.h>
#include <string.h>

#include "syscall_names.h"
#include "syscall_table.h"

#define SA_NTABLE ((int)(sizeof(sa_syscall_table) / sizeof(sa_syscall_table[0])))
#define SA_NTABLE_32 \
	((int)(sizeof(sa_syscall_table_32) / sizeof(sa_syscall_table_32[0])))

static const struct sa_syscall_entry *by_name[SA_NTABLE];
static const char *by_nr[1024];
static const char *by_nr_32[1024];
static int sorted;

static int cmp_name(const void *a, const void *b)
{
	const struct sa_syscall_entry *const *x = a, *const *y = b;

	return strcmp((*x)->name, (*y)->name);
}

static void sa_syscall_init(void)
{
	int i;

	if (sorted)
		return;
	for (i = 0; i < SA_NTABLE; i++) {
		by_name[i] = &sa_syscall_table[i];
		if (sa_syscall_table[i].nr >= 0 &&
		    sa_syscall_table[i].nr < 1024)
			by_nr[sa_syscall_table[i].nr] = sa_syscall_table[i].name;
	}
	for (i = 0; i < SA_NTABLE_32; i++)
		if (sa_syscall_table_32[i].nr >= 0 &&
		    sa_syscall_table_32[i].nr < 1024)
			by_nr_32[sa_syscall_table_32[i].nr] =
				sa_syscall_table_32[i].name;
	qsort(by_name, SA_NTABLE, sizeof(by_name[0]), cmp_name);
	sorted = 1;
}

int sa_syscall_nr(const char *name)
{
	struct sa_syscall_entry key = { .name = name };
	const struct sa_syscall_entry *kp = &key, *const *hit;

	sa_syscall_init();
	hit = bsearch(&kp, by_name, SA_NTABLE, sizeof(by_name[0]), cmp_name);
	return hit ? (*hit)->nr : -1;
}

const char *sa_syscall_name(int nr)
{
	sa_syscall_init();
	if (nr < 0 || nr >= 1024)
		return NULL;
	return by_nr[nr];
}

const char *sa_syscall_name_32(int nr)
{
	sa_syscall_init();
	if (nr < 0 || nr >= 1024)
		return NULL;
	return by_nr_32[nr];
}

int sa_syscall_count(void)
{
	return SA_NTABLE;
}
