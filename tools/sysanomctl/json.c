// SPDX-License-Identifier: GPL-2.0
/*
 * JSON: a quoted, escaped string for output, and a small reader for the
 * runtimes' state files (state.json, config.json, config.v2.json).
 */
#include <stdlib.h>
#include <string.h>

#include "json.h"

void sa_json_string(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		unsigned char c = *s;

		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c < 0x20)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}

static const char *ws(const char *p)
{
	while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
		p++;
	return p;
}

/* Past the string at @p (which starts with a quote), or NULL. */
static const char *skip_string(const char *p)
{
	for (p++; *p; p++) {
		if (*p == '\\' && p[1])
			p++;
		else if (*p == '"')
			return p + 1;
	}
	return NULL;
}

/* Past the value at @p, or NULL when it is malformed or cut. */
static const char *skip_value(const char *p)
{
	int depth = 0;

	p = ws(p);
	if (*p == '"')
		return skip_string(p);
	if (*p != '{' && *p != '[') {
		const char *s = p;

		while (*p && !strchr(",}] \t\r\n", *p))
			p++;
		return p > s ? p : NULL;
	}
	for (; *p; p++) {
		if (*p == '"') {
			p = skip_string(p);
			if (!p)
				return NULL;
			p--;
		} else if (*p == '{' || *p == '[') {
			depth++;
		} else if (*p == '}' || *p == ']') {
			if (!--depth)
				return p + 1;
		}
	}
	return NULL;
}

/* The value of member @name (length @n) of the object at @p. */
static const char *member(const char *p, const char *name, size_t n)
{
	char key[256];

	p = ws(p);
	if (*p != '{')
		return NULL;
	p = ws(p + 1);
	while (*p == '"') {
		int match = !sa_json_str(p, key, sizeof(key)) &&
			    strlen(key) == n && !strncmp(key, name, n);

		p = skip_string(p);
		if (!p)
			return NULL;
		p = ws(p);
		if (*p != ':')
			return NULL;
		p = ws(p + 1);
		if (match)
			return p;
		p = skip_value(p);
		if (!p)
			return NULL;
		p = ws(p);
		if (*p != ',')
			return NULL;
		p = ws(p + 1);
	}
	return NULL;
}

const char *sa_json_member(const char *p, const char *name)
{
	return p ? member(p, name, strlen(name)) : NULL;
}

const char *sa_json_get(const char *p, const char *path)
{
	while (p && *path) {
		size_t n = strcspn(path, ".");

		p = member(p, path, n);
		path += n;
		if (*path == '.')
			path++;
	}
	return p;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static int json_str(const char *p, char *out, size_t len)
{
	size_t o = 0;

	for (p++; *p && *p != '"'; p++) {
		char c = *p;

		if (c == '\\') {
			c = *++p;
			switch (c) {
			case 'n': c = '\n'; break;
			case 't': c = '\t'; break;
			case 'r': c = '\r'; break;
			case 'b': c = '\b'; break;
			case 'f': c = '\f'; break;
			case 'u': {
				int v = 0;

				for (int i = 1; i <= 4; i++) {
					int h = hexval(p[i]);

					if (h < 0)
						return -1;
					v = v * 16 + h;
				}
				p += 4;
				/* Names and labels are ASCII; others become '?'. */
				c = v < 0x80 ? (char)v : '?';
				break;
			}
			case '\0':
				return -1;
			}
		}
		if (o + 1 >= len)
			return -1;
		out[o++] = c;
	}
	if (*p != '"')
		return -1;
	out[o] = '\0';
	return 0;
}

/* On failure @out is "", never half a string. */
int sa_json_str(const char *p, char *out, size_t len)
{
	if (!p || *p != '"' || !len)
		return -1;
	if (json_str(p, out, len)) {
		out[0] = '\0';
		return -1;
	}
	return 0;
}

long long sa_json_num(const char *p)
{
	char *end;
	long long v;

	if (!p)
		return -1;
	v = strtoll(p, &end, 10);
	return end == p ? -1 : v;
}

int sa_json_each_string(const char *p,
			void (*cb)(const char *key, const char *val,
				   void *data),
			void *data)
{
	char key[512], val[4096];

	p = p ? ws(p) : NULL;
	if (!p || *p != '{')
		return -1;
	p = ws(p + 1);
	while (*p == '"') {
		int ok = !sa_json_str(p, key, sizeof(key));

		p = skip_string(p);
		if (!p)
			return -1;
		p = ws(p);
		if (*p != ':')
			return -1;
		p = ws(p + 1);
		if (ok && !sa_json_str(p, val, sizeof(val)))
			cb(key, val, data);
		p = skip_value(p);
		if (!p)
			return -1;
		p = ws(p);
		if (*p != ',')
			break;
		p = ws(p + 1);
	}
	return *p == '}' ? 0 : -1;
}

int sa_json_each_elem(const char *p, void (*cb)(const char *val, void *data),
		      void *data)
{
	char val[4096];

	p = p ? ws(p) : NULL;
	if (!p || *p != '[')
		return -1;
	p = ws(p + 1);
	while (*p && *p != ']') {
		if (!sa_json_str(p, val, sizeof(val)))
			cb(val, data);
		p = skip_value(p);
		if (!p)
			return -1;
		p = ws(p);
		if (*p != ',')
			break;
		p = ws(p + 1);
	}
	return *p == ']' ? 0 : -1;
}
