/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Trace readers for the offline commands. A trace is the sequence of
 * system-call ids of one thread (strace -f output is split per pid) or one
 * file (ADFA-LD, one id per line).
 *
 * Formats:
 *   strace  strace output: "name(args) = ret" lines, optionally prefixed by
 *           "[pid N] " or a bare pid (strace -f -o), and by -t/-tt/-ttt
 *           timestamps; "<unfinished ...>" starts a call, its
 *           "<... name resumed>" line is not counted again; exit lines
 *           ("+++ ... +++") and strace's own messages are skipped. Names
 *           map to x86_64 numbers. Like the kernel module, the reader
 *           marks where a thread's stream starts afresh or is set aside
 *           (markers, below):
 *           - a successful execve/execveat ("= 0") is followed by
 *             SA_MARK_EXEC: the program's calls start a fresh stream in
 *             the same trace;
 *           - a signal delivery line ("--- SIGxxx {...} ---") of a pid is
 *             a handler delivery when a later rt_sigreturn/sigreturn of
 *             the same pid closes it (deliveries and returns pair up like
 *             parentheses, innermost first), unless the last rt_sigaction
 *             of that signal in the file set SIG_DFL or SIG_IGN. A handler
 *             delivery becomes SA_MARK_SIGNAL and its return call is
 *             followed by SA_MARK_SIGRETURN; other deliveries (default
 *             action, ignored, or a handler that never returns: longjmp,
 *             exec, exit) leave no mark.
 *   adfa    whitespace-separated decimal ids (ADFA-LD), opaque.
 *   ids     one id or system-call name per line ('#' starts a comment).
 *   auto    strace if the first meaningful line contains '(', else adfa if
 *           the file holds only numbers, else ids.
 *
 * Unknown names get a stable id in [SA_UNKNOWN_BASE, 1023) (a hash of the
 * name) and one warning per name. Ids >= 1024, garbage lines and files
 * without any call produce a warning naming the file and line; a file
 * without any call is skipped.
 */
#ifndef SYSANOMCTL_TRACE_H
#define SYSANOMCTL_TRACE_H

#include <stddef.h>
#include <stdint.h>

enum sa_trace_format {
	SA_FMT_AUTO,
	SA_FMT_STRACE,
	SA_FMT_ADFA,
	SA_FMT_IDS,
};

#define SA_UNKNOWN_BASE	768

/*
 * Markers in a trace's ids (real ids are below 1024). The feeder of the
 * offline commands (offline.c) treats them as the module does:
 *   SA_MARK_EXEC       the stream starts afresh (exec), handlers forgotten;
 *   SA_MARK_SIGNAL     a handler runs: the stream is set aside and a fresh
 *                      one starts (a nested handler goes on in it);
 *   SA_MARK_SIGRETURN  the handler returned (its rt_sigreturn was the call
 *                      before): the set-aside stream resumes.
 */
#define SA_MARK_EXEC		1024
#define SA_MARK_SIGNAL		1025
#define SA_MARK_SIGRETURN	1026
#define SA_MARK_PENDING		1027	/* reader only: delivery not yet paired */
#define sa_trace_is_marker(id)	((id) >= SA_MARK_EXEC)

struct sa_trace {
	char *name;		/* file, or file#pid for strace -f */
	uint16_t *ids;
	size_t n;		/* ids, markers included */
	size_t cap;
	size_t calls;		/* system calls (ids that are not markers) */
	unsigned long file;	/* index of the file it came from in the list */
	long pid;
	int label;		/* for eval: 0 normal, 1 attack, -1 train */
};

struct sa_trace_list {
	struct sa_trace *v;
	size_t n;
	size_t cap;
	unsigned long warnings;
	unsigned long files;	/* files that gave traces */
	int quiet;		/* count warnings without printing them */
};

/* Parses "strace", "adfa", "ids" or "auto"; -1 if unknown. */
int sa_trace_format_parse(const char *s);
/*
 * Reads a file, or every regular file under a folder (recursively, in
 * name order), appending its traces to @list with label @label. Returns 0,
 * or -1 after printing an error (unreadable path, out of memory).
 */
int sa_trace_load_path(struct sa_trace_list *list, const char *path,
		       enum sa_trace_format fmt, int label);
/* Parses an in-memory buffer named @name (used by the file loader). */
int sa_trace_parse_buffer(struct sa_trace_list *list, const char *name,
			  const char *buf, size_t len,
			  enum sa_trace_format fmt, int label);
void sa_trace_list_free(struct sa_trace_list *list);

#endif
