/* SPDX-License-Identifier: GPL-2.0 */
#ifndef SYSANOMCTL_JSON_H
#define SYSANOMCTL_JSON_H

#include <stddef.h>
#include <stdio.h>

void sa_json_string(FILE *f, const char *s);

/*
 * A small JSON reader for the runtimes' state files: enough to walk objects
 * by member name and read strings, numbers and flat string maps. Pointers
 * point into the caller's text; nothing is allocated.
 */
/* The value of member @path ("a.b.c") of the object at @p, or NULL. */
const char *sa_json_get(const char *p, const char *path);
/* The value of member @name (any name, "" too) of the object at @p. */
const char *sa_json_member(const char *p, const char *name);
/* Decode the string at @p into @out; -1 if @p is no string or it is cut. */
int sa_json_str(const char *p, char *out, size_t len);
/* The number at @p, or -1. */
long long sa_json_num(const char *p);
/* Call @cb for each member of the object at @p whose value is a string. */
int sa_json_each_string(const char *p,
			void (*cb)(const char *key, const char *val,
				   void *data),
			void *data);
/* Call @cb for each string element of the array at @p. */
int sa_json_each_elem(const char *p, void (*cb)(const char *val, void *data),
		      void *data);

#endif
