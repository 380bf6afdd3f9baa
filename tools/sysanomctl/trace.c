// SPDX-License-Identifier: GPL-2.0
/* Trace readers: strace output, ADFA-LD files, one id or name per line. */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "trace.h"
#include "syscall_names.h"

#define SA_ID_LIMIT	1024

static void warnf(struct sa_trace_list *l, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void warnf(struct sa_trace_list *l, const char *fmt, ...)
{
	va_list ap;

	l->warnings++;
	if (l->quiet)
		return;
	va_start(ap, fmt);
	fputs("sysanomctl: warning: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

static void errf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void errf(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("sysanomctl: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

int sa_trace_format_parse(const char *s)
{
	if (!strcmp(s, "auto"))
		return SA_FMT_AUTO;
	if (!strcmp(s, "strace"))
		return SA_FMT_STRACE;
	if (!strcmp(s, "adfa"))
		return SA_FMT_ADFA;
	if (!strcmp(s, "ids"))
		return SA_FMT_IDS;
	return -1;
}

void sa_trace_list_free(struct sa_trace_list *l)
{
	size_t i;

	for (i = 0; i < l->n; i++) {
		free(l->v[i].name);
		free(l->v[i].ids);
	}
	free(l->v);
	l->v = NULL;
	l->n = l->cap = 0;
}

static struct sa_trace *new_trace(struct sa_trace_list *l, const char *name,
				  long pid, int label)
{
	struct sa_trace *t;

	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 64;
		struct sa_trace *v = realloc(l->v, cap * sizeof(*v));

		if (!v)
			return NULL;
		l->v = v;
		l->cap = cap;
	}
	t = &l->v[l->n];
	memset(t, 0, sizeof(*t));
	t->name = strdup(name);
	if (!t->name)
		return NULL;
	t->pid = pid;
	t->label = label;
	l->n++;
	return t;
}

static int push_id(struct sa_trace *t, unsigned int id)
{
	if (t->n == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 256;
		uint16_t *v = realloc(t->ids, cap * sizeof(*v));

		if (!v)
			return -1;
		t->ids = v;
		t->cap = cap;
	}
	t->ids[t->n++] = (uint16_t)id;
	if (!sa_trace_is_marker(id))
		t->calls++;
	return 0;
}

/* Unknown names: one warning each, stable id from a hash of the name. */
static char **unknown_names;
static size_t n_unknown;

static int name_to_id(struct sa_trace_list *l, const char *name,
		      const char *file, unsigned long line)
{
	uint32_t h = 2166136261U;
	const char *c;
	size_t i;
	int nr = sa_syscall_nr(name);

	if (nr >= 0 && nr < SA_ID_LIMIT)
		return nr;
	for (c = name; *c; c++)
		h = (h ^ (unsigned char)*c) * 16777619U;
	nr = SA_UNKNOWN_BASE + (int)(h % (SA_ID_LIMIT - 1 - SA_UNKNOWN_BASE));
	for (i = 0; i < n_unknown; i++)
		if (!strcmp(unknown_names[i], name))
			return nr;
	{
		char **v = realloc(unknown_names,
				   (n_unknown + 1) * sizeof(*v));

		if (v) {
			unknown_names = v;
			v[n_unknown] = strdup(name);
			if (v[n_unknown])
				n_unknown++;
		}
	}
	warnf(l, "%s:%lu: unknown system call '%s', using id %d", file, line,
	      name, nr);
	return nr;
}

struct garbage {
	unsigned long count;
	unsigned long first_line;
	char first[48];
};

static void note_garbage(struct garbage *g, const char *line, size_t len,
			 unsigned long lineno)
{
	if (!g->count++) {
		size_t n = len < sizeof(g->first) - 1 ? len :
			   sizeof(g->first) - 1;
		size_t i;

		for (i = 0; i < n; i++)
			g->first[i] = isprint((unsigned char)line[i]) ?
				      line[i] : '?';
		g->first[n] = 0;
		g->first_line = lineno;
	}
}

static int all_numbers(const char *buf, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (!isdigit((unsigned char)buf[i]) &&
		    !isspace((unsigned char)buf[i]))
			return 0;
	return 1;
}

static enum sa_trace_format sniff(const char *buf, size_t len)
{
	size_t i = 0;

	while (i < len) {
		size_t e = i;

		while (e < len && buf[e] != '\n')
			e++;
		if (memchr(buf + i, '(', e - i))
			return SA_FMT_STRACE;
		i = e + 1;
		if (i > 65536)
			break;
	}
	return all_numbers(buf, len) ? SA_FMT_ADFA : SA_FMT_IDS;
}

static int parse_adfa(struct sa_trace_list *l, const char *name,
		      const char *buf, size_t len, int label,
		      struct garbage *g)
{
	struct sa_trace *t = new_trace(l, name, -1, label);
	unsigned long lineno = 1;
	size_t i = 0;

	if (!t)
		return -1;
	while (i < len) {
		size_t s;
		unsigned long v = 0;
		int bad = 0;

		if (buf[i] == '\n')
			lineno++;
		if (isspace((unsigned char)buf[i])) {
			i++;
			continue;
		}
		s = i;
		while (i < len && !isspace((unsigned char)buf[i])) {
			if (!isdigit((unsigned char)buf[i]) || v >= 100000)
				bad = 1;
			else
				v = v * 10 + (unsigned long)(buf[i] - '0');
			i++;
		}
		if (bad || v >= SA_ID_LIMIT) {
			note_garbage(g, buf + s, i - s, lineno);
			continue;
		}
		if (push_id(t, (unsigned int)v))
			return -1;
	}
	return 0;
}

static int parse_ids(struct sa_trace_list *l, const char *name,
		     const char *buf, size_t len, int label,
		     struct garbage *g)
{
	struct sa_trace *t = new_trace(l, name, -1, label);
	unsigned long lineno = 0;
	size_t i = 0;
	char tok[64];

	if (!t)
		return -1;
	while (i < len) {
		size_t e = i, s, n;
		int id = -1;

		lineno++;
		while (e < len && buf[e] != '\n')
			e++;
		s = i;
		i = e + 1;
		while (s < e && isspace((unsigned char)buf[s]))
			s++;
		while (e > s && isspace((unsigned char)buf[e - 1]))
			e--;
		if (s == e || buf[s] == '#')
			continue;
		n = e - s;
		if (n >= sizeof(tok)) {
			note_garbage(g, buf + s, n, lineno);
			continue;
		}
		memcpy(tok, buf + s, n);
		tok[n] = 0;
		if (isdigit((unsigned char)tok[0])) {
			char *end;
			long v = strtol(tok, &end, 10);

			if (!*end && v >= 0 && v < SA_ID_LIMIT)
				id = (int)v;
		} else {
			size_t j;

			for (j = 0; j < n; j++)
				if (!isalnum((unsigned char)tok[j]) &&
				    tok[j] != '_')
					break;
			if (j == n)
				id = name_to_id(l, tok, name, lineno);
		}
		if (id < 0) {
			note_garbage(g, buf + s, n, lineno);
			continue;
		}
		if (push_id(t, (unsigned int)id))
			return -1;
	}
	return 0;
}

/* strace: per-pid traces of this file live at l->v[first..]. */
static struct sa_trace *pid_trace(struct sa_trace_list *l, size_t first,
				  const char *name, long pid, int label)
{
	size_t i;

	for (i = first; i < l->n; i++)
		if (l->v[i].pid == pid)
			return &l->v[i];
	return new_trace(l, name, pid, label);
}

/*
 * Signal handling state of one strace file: the deliveries of each pid not
 * yet closed by a return (positions of SA_MARK_PENDING in its trace), and
 * what the file's rt_sigaction calls last set for each signal.
 */
struct sig_open {
	long pid;
	size_t *pos;
	size_t n, cap;
};

struct sig_state {
	struct sig_open *open;
	size_t n, cap;
	struct {
		char name[16];
		int ignored;	/* 1: SIG_DFL or SIG_IGN, 0: a handler */
	} disp[72];
	size_t ndisp;
};

static struct sig_open *sig_open_of(struct sig_state *ss, long pid)
{
	size_t i;

	for (i = 0; i < ss->n; i++)
		if (ss->open[i].pid == pid)
			return &ss->open[i];
	if (ss->n == ss->cap) {
		size_t cap = ss->cap ? ss->cap * 2 : 8;
		struct sig_open *v = realloc(ss->open, cap * sizeof(*v));

		if (!v)
			return NULL;
		ss->open = v;
		ss->cap = cap;
	}
	memset(&ss->open[ss->n], 0, sizeof(ss->open[0]));
	ss->open[ss->n].pid = pid;
	return &ss->open[ss->n++];
}

static void sig_state_free(struct sig_state *ss)
{
	size_t i;

	for (i = 0; i < ss->n; i++)
		free(ss->open[i].pos);
	free(ss->open);
}

/* The signal name at @p ("SIGCHLD"), copied into @out; 0 if none. */
static size_t sig_name(const char *p, const char *end, char *out,
		       size_t size)
{
	size_t n = 0;

	if (end - p < 4 || memcmp(p, "SIG", 3))
		return 0;
	while (p + n < end && (isalnum((unsigned char)p[n]) || p[n] == '_') &&
	       n < size - 1)
		n++;
	memcpy(out, p, n);
	out[n] = 0;
	return n;
}

static int *sig_disp(struct sig_state *ss, const char *name, int add)
{
	size_t i;

	for (i = 0; i < ss->ndisp; i++)
		if (!strcmp(ss->disp[i].name, name))
			return &ss->disp[i].ignored;
	if (!add || ss->ndisp == sizeof(ss->disp) / sizeof(ss->disp[0]))
		return NULL;
	strcpy(ss->disp[ss->ndisp].name, name);
	ss->disp[ss->ndisp].ignored = 0;
	return &ss->disp[ss->ndisp++].ignored;
}

/* Whether the call on [p, end) returned 0 (its last " = " is " = 0"). */
static int returned_zero(const char *p, const char *end)
{
	const char *eq = NULL, *q;

	for (q = p; q + 3 <= end; q++)
		if (q[0] == ' ' && q[1] == '=' && q[2] == ' ')
			eq = q;
	if (!eq)
		return 0;
	q = eq + 3;
	while (q < end && *q == ' ')
		q++;
	return q < end && *q == '0' && (q + 1 == end || q[1] == ' ');
}

/*
 * "rt_sigaction(SIGxxx, {sa_handler=H, ...}, ...) = 0": remembers whether
 * H is SIG_DFL/SIG_IGN. A NULL new action or a failed call changes nothing.
 */
static void note_sigaction(struct sig_state *ss, const char *p,
			   const char *end)
{
	char name[16];
	size_t n;
	const char *h;
	int *d;

	p = memchr(p, '(', (size_t)(end - p));
	if (!p || !returned_zero(p, end))
		return;
	p++;
	n = sig_name(p, end, name, sizeof(name));
	if (!n)
		return;
	p += n;
	if (end - p < 16 || memcmp(p, ", {sa_handler=", 14))
		return;
	h = p + 14;
	d = sig_disp(ss, name, 1);
	if (d)
		*d = end - h >= 7 && (!memcmp(h, "SIG_DFL", 7) ||
				      !memcmp(h, "SIG_IGN", 7));
}

static int is_call(const char *sys, const char *a, const char *b)
{
	return !strcmp(sys, a) || (b && !strcmp(sys, b));
}

/* A successful exec: the pid's stream starts afresh, handlers forgotten. */
static int strace_exec(struct sa_trace *t, struct sig_open *so)
{
	if (so)
		so->n = 0;
	return push_id(t, SA_MARK_EXEC);
}

/* Drops unpaired deliveries and traces left without calls. */
static void strace_finish(struct sa_trace_list *l, size_t first)
{
	size_t i, j, k, keep = first;

	for (i = first; i < l->n; i++) {
		struct sa_trace *t = &l->v[i];

		for (j = k = 0; j < t->n; j++)
			if (t->ids[j] != SA_MARK_PENDING)
				t->ids[k++] = t->ids[j];
		t->n = k;
		if (!t->calls) {
			free(t->name);
			free(t->ids);
			continue;
		}
		l->v[keep++] = *t;
	}
	l->n = keep;
}

static int parse_strace(struct sa_trace_list *l, const char *name,
			const char *buf, size_t len, int label,
			struct garbage *g)
{
	size_t first = l->n, i = 0;
	unsigned long lineno = 0;
	struct sig_state ss;
	char sys[64];
	int ret = -1;

	memset(&ss, 0, sizeof(ss));
	while (i < len) {
		size_t e = i, n;
		const char *p, *end, *ls;
		long pid = 0;
		struct sa_trace *t;
		struct sig_open *so;
		int id;

		lineno++;
		while (e < len && buf[e] != '\n')
			e++;
		p = buf + i;
		end = buf + e;
		i = e + 1;
		while (p < end && isspace((unsigned char)*p))
			p++;
		while (end > p && isspace((unsigned char)end[-1]))
			end--;
		if (p == end)
			continue;
		ls = p;
		/* "[pid N] " (strace -f to a terminal) */
		if (end - p > 5 && !memcmp(p, "[pid", 4)) {
			p += 4;
			while (p < end && *p == ' ')
				p++;
			pid = 0;
			while (p < end && isdigit((unsigned char)*p) &&
			       pid < 100000000)
				pid = pid * 10 + (*p++ - '0');
			if (p == end || *p != ']') {
				note_garbage(g, ls, (size_t)(end - ls),
					     lineno);
				continue;
			}
			p++;
		} else if (isdigit((unsigned char)*p)) {
			/* bare pid (strace -f -o) or a timestamp */
			const char *q = p;
			long v = 0;

			while (q < end && isdigit((unsigned char)*q) &&
			       v < 100000000)
				v = v * 10 + (*q++ - '0');
			if (q < end && *q == ' ') {
				pid = v;
				p = q;
			}
		}
		while (p < end && *p == ' ')
			p++;
		/* -t/-tt/-ttt timestamp */
		if (p < end && isdigit((unsigned char)*p)) {
			while (p < end && (isdigit((unsigned char)*p) ||
					   *p == ':' || *p == '.'))
				p++;
			while (p < end && *p == ' ')
				p++;
		}
		if (end - p >= 4 && !memcmp(p, "--- ", 4)) {
			/* A delivery: a handler's if a return closes it. */
			char sig[16];
			int *d;

			if (!sig_name(p + 4, end, sig, sizeof(sig)))
				continue;
			d = sig_disp(&ss, sig, 0);
			if (d && *d)
				continue;	/* SIG_DFL or SIG_IGN */
			t = pid_trace(l, first, name, pid, label);
			so = sig_open_of(&ss, pid);
			if (!t || !so)
				goto out;
			if (so->n == so->cap) {
				size_t cap = so->cap ? so->cap * 2 : 4;
				size_t *v = realloc(so->pos,
						    cap * sizeof(*v));

				if (!v)
					goto out;
				so->pos = v;
				so->cap = cap;
			}
			so->pos[so->n++] = t->n;
			if (push_id(t, SA_MARK_PENDING))
				goto out;
			continue;
		}
		if (end - p >= 3 && (!memcmp(p, "---", 3) ||
				     !memcmp(p, "+++", 3)))
			continue;	/* other signal line, or exit */
		if (end - p >= 5 && !memcmp(p, "<... ", 5)) {
			/* resumed: counted when it started; an exec ends */
			const char *q = p + 5;

			n = 0;
			while (q + n < end && (isalnum((unsigned char)q[n]) ||
					       q[n] == '_') &&
			       n < sizeof(sys) - 1)
				n++;
			memcpy(sys, q, n);
			sys[n] = 0;
			if (is_call(sys, "execve", "execveat") &&
			    returned_zero(q, end)) {
				t = pid_trace(l, first, name, pid, label);
				if (!t || strace_exec(t, sig_open_of(&ss, pid)))
					goto out;
			}
			continue;
		}
		if (end - p >= 4 && !memcmp(p, "<...", 4))
			continue;
		if (end - p >= 8 && !memcmp(p, "strace: ", 8))
			continue;	/* strace's own messages */
		n = 0;
		while (p + n < end && (isalnum((unsigned char)p[n]) ||
				       p[n] == '_') && n < sizeof(sys) - 1)
			n++;
		if (!n || p + n >= end || p[n] != '(' ||
		    isdigit((unsigned char)p[0])) {
			note_garbage(g, ls, (size_t)(end - ls), lineno);
			continue;
		}
		memcpy(sys, p, n);
		sys[n] = 0;
		t = pid_trace(l, first, name, pid, label);
		if (!t)
			goto out;
		id = name_to_id(l, sys, name, lineno);
		if (push_id(t, (unsigned int)id))
			goto out;
		if (is_call(sys, "execve", "execveat") &&
		    returned_zero(p, end)) {
			if (strace_exec(t, sig_open_of(&ss, pid)))
				goto out;
		} else if (is_call(sys, "rt_sigreturn", "sigreturn")) {
			so = sig_open_of(&ss, pid);
			if (!so)
				goto out;
			if (so->n) {
				t->ids[so->pos[--so->n]] = SA_MARK_SIGNAL;
				if (push_id(t, SA_MARK_SIGRETURN))
					goto out;
			}
		} else if (is_call(sys, "rt_sigaction", "sigaction")) {
			note_sigaction(&ss, p, end);
		}
	}
	strace_finish(l, first);
	/* Name the per-thread traces file#pid when there are several. */
	if (l->n - first > 1) {
		size_t j;

		for (j = first; j < l->n; j++) {
			char *nm = malloc(strlen(name) + 24);

			if (!nm)
				goto out;
			sprintf(nm, "%s#%ld", name, l->v[j].pid);
			free(l->v[j].name);
			l->v[j].name = nm;
		}
	}
	ret = 0;
out:
	sig_state_free(&ss);
	return ret;
}

int sa_trace_parse_buffer(struct sa_trace_list *l, const char *name,
			  const char *buf, size_t len,
			  enum sa_trace_format fmt, int label)
{
	struct garbage g = { 0 };
	size_t first = l->n, j, calls = 0;
	int ret;

	if (fmt == SA_FMT_AUTO)
		fmt = sniff(buf, len);
	switch (fmt) {
	case SA_FMT_STRACE:
		ret = parse_strace(l, name, buf, len, label, &g);
		break;
	case SA_FMT_ADFA:
		ret = parse_adfa(l, name, buf, len, label, &g);
		break;
	default:
		ret = parse_ids(l, name, buf, len, label, &g);
		break;
	}
	if (ret) {
		errf("%s: out of memory", name);
		return -1;
	}
	if (g.count)
		warnf(l, "%s:%lu: %lu unparsed line(s) or token(s) skipped, "
		      "first: '%s'", name, g.first_line, g.count, g.first);
	/* Drop traces without any call. */
	for (j = first; j < l->n; j++)
		calls += l->v[j].calls;
	if (!calls) {
		warnf(l, "%s: %s, skipped", name,
		      len ? "no system calls found" : "empty file");
		for (j = first; j < l->n; j++) {
			free(l->v[j].name);
			free(l->v[j].ids);
		}
		l->n = first;
	} else {
		for (j = first; j < l->n; j++)
			l->v[j].file = l->files;
		l->files++;
	}
	return 0;
}

static int load_file(struct sa_trace_list *l, const char *path,
		     enum sa_trace_format fmt, int label)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t len = 0, cap = 0, r;
	int ret;

	if (!f) {
		errf("%s: %s", path, strerror(errno));
		return -1;
	}
	for (;;) {
		if (len == cap) {
			char *nb;

			cap = cap ? cap * 2 : 65536;
			nb = realloc(buf, cap);
			if (!nb) {
				free(buf);
				fclose(f);
				errf("%s: out of memory", path);
				return -1;
			}
			buf = nb;
		}
		r = fread(buf + len, 1, cap - len, f);
		len += r;
		if (r == 0)
			break;
	}
	if (ferror(f)) {
		errf("%s: read error", path);
		free(buf);
		fclose(f);
		return -1;
	}
	fclose(f);
	ret = sa_trace_parse_buffer(l, path, buf ? buf : "", len, fmt, label);
	free(buf);
	return ret;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int sa_trace_load_path(struct sa_trace_list *l, const char *path,
		       enum sa_trace_format fmt, int label)
{
	struct stat st;
	DIR *d;
	struct dirent *de;
	char **names = NULL;
	size_t n = 0, cap = 0, i;
	int ret = 0;

	if (stat(path, &st)) {
		errf("%s: %s", path, strerror(errno));
		return -1;
	}
	if (!S_ISDIR(st.st_mode))
		return load_file(l, path, fmt, label);
	d = opendir(path);
	if (!d) {
		errf("%s: %s", path, strerror(errno));
		return -1;
	}
	while ((de = readdir(d))) {
		char *full;

		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		full = malloc(strlen(path) + strlen(de->d_name) + 2);
		if (!full)
			break;
		sprintf(full, "%s/%s", path, de->d_name);
		if (n == cap) {
			char **v;

			cap = cap ? cap * 2 : 64;
			v = realloc(names, cap * sizeof(*v));
			if (!v) {
				free(full);
				break;
			}
			names = v;
		}
		names[n++] = full;
	}
	closedir(d);
	if (n)
		qsort(names, n, sizeof(*names), cmp_str);
	for (i = 0; i < n; i++) {
		if (!ret && stat(names[i], &st) == 0 &&
		    (S_ISDIR(st.st_mode) || S_ISREG(st.st_mode)))
			ret = sa_trace_load_path(l, names[i], fmt, label);
		free(names[i]);
	}
	free(names);
	return ret;
}
