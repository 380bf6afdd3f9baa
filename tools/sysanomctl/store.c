// SPDX-License-Identifier: GPL-2.0
/* The profile store (see store.h) and 'sysanomctl profiles'. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sysanom/profile_fmt.h>

#include "commands.h"
#include "config.h"
#include "json.h"
#include "profile_io.h"
#include "store.h"

void sa_ctr_key(const struct sa_ctr *c, char *key, size_t len)
{
	const char *img = c->digest[0] ? c->digest : c->image;

	if (!img[0])
		snprintf(key, len, "name:%s", c->name);
	else if (c->k8s_container[0])
		snprintf(key, len, "%s#%s", img, c->k8s_container);
	else
		snprintf(key, len, "%s", img);
}

void sa_store_base(const char *key, char *base, size_t len)
{
	uint64_t h = 0xcbf29ce484222325ULL;	/* FNV-1a */
	char safe[81];
	size_t i;

	for (i = 0; key[i]; i++)
		h = (h ^ (unsigned char)key[i]) * 0x100000001b3ULL;
	for (i = 0; key[i] && i < sizeof(safe) - 1; i++) {
		char c = key[i];

		safe[i] = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			  (c >= '0' && c <= '9') || c == '.' || c == '-' ?
			  c : '_';
	}
	safe[i] = '\0';
	snprintf(base, len, "%s-%016" PRIx64, safe, h);
}

static const char *area(int held)
{
	return held ? "held" : "profiles";
}

int sa_store_init(const char *dir)
{
	static const char *const subs[] = { "", "/profiles", "/held",
					    "/corrupt" };
	char path[4096];

	for (size_t i = 0; i < 4; i++) {
		snprintf(path, sizeof(path), "%s%s", dir, subs[i]);
		if (mkdir(path, 0700) && errno != EEXIST)
			return -errno;
	}
	return 0;
}

static int fsync_dir(const char *path)
{
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC), ret;

	if (fd < 0)
		return -errno;
	ret = fsync(fd) ? -errno : 0;
	close(fd);
	return ret;
}

static int parse_meta(const char *path, struct sa_stored *s)
{
	char line[2048];
	FILE *f = fopen(path, "re");

	if (!f)
		return -errno;
	s->key[0] = '\0';
	while (fgets(line, sizeof(line), f)) {
		char *eq = strchr(line, '=');

		line[strcspn(line, "\n")] = '\0';
		if (!eq)
			continue;
		*eq++ = '\0';
		if (!strcmp(line, "key"))
			snprintf(s->key, sizeof(s->key), "%s", eq);
		else if (!strcmp(line, "image"))
			snprintf(s->image, sizeof(s->image), "%s", eq);
		else if (!strcmp(line, "digest"))
			snprintf(s->digest, sizeof(s->digest), "%s", eq);
		else if (!strcmp(line, "container"))
			snprintf(s->container, sizeof(s->container), "%s", eq);
		else if (!strcmp(line, "source"))
			snprintf(s->source, sizeof(s->source), "%s", eq);
		else if (!strcmp(line, "saved"))
			s->saved = strtoll(eq, NULL, 10);
	}
	fclose(f);
	return s->key[0] ? 0 : -EBADMSG;
}

/* Move FILE (of the store) to corrupt/, stamped so that nothing is lost. */
static void set_aside(const char *dir, const char *sub, const char *name)
{
	char from[4096], to[4096];

	snprintf(from, sizeof(from), "%s/%s/%s", dir, sub, name);
	snprintf(to, sizeof(to), "%s/corrupt/%s.%s.%ld", dir, name, sub,
		 (long)time(NULL));
	if (!rename(from, to)) {
		snprintf(from, sizeof(from), "%s/corrupt", dir);
		fsync_dir(from);
	}
}

static int check_one(const char *dir, int held, const char *base,
		     struct sa_stored *s, char *why, size_t len)
{
	struct sa_profile_info info;
	unsigned char *data = NULL;
	char path[4096], want[160];
	size_t n;
	int ret;

	memset(s, 0, sizeof(*s));
	s->held = held;
	snprintf(s->base, sizeof(s->base), "%s", base);
	snprintf(path, sizeof(path), "%s/%s/%s.meta", dir, area(held), base);
	ret = parse_meta(path, s);
	if (ret) {
		snprintf(why, len, "%s.meta: %s", base,
			 ret == -EBADMSG ? "no key" : strerror(-ret));
		return ret;
	}
	sa_store_base(s->key, want, sizeof(want));
	if (strcmp(want, base)) {
		snprintf(why, len, "%s.meta: its key '%s' belongs in %s", base,
			 s->key, want);
		return -EBADMSG;
	}
	snprintf(path, sizeof(path), "%s/%s/%s.prof", dir, area(held), base);
	ret = sa_read_file(path, &data, &n);
	if (ret) {
		snprintf(why, len, "%s.prof: %s", base, strerror(-ret));
		return ret;
	}
	ret = sa_profile_parse(data, n, &info) ? -EBADMSG : 0;
	free(data);
	if (ret)
		snprintf(why, len, "%s.prof: not a valid sysanom profile (corrupt or truncated)",
			 base);
	s->size = n;
	return ret;
}

int sa_store_scan(const char *dir, int aside, struct sa_stored **out,
		  void (*report)(const char *msg, void *data), void *data)
{
	struct sa_stored *v = NULL, *nv;
	size_t n = 0, cap = 0;
	char path[4096], why[4096 + 256], msg[8192];

	for (int held = 0; held <= 1; held++) {
		struct dirent *de;
		DIR *d;

		snprintf(path, sizeof(path), "%s/%s", dir, area(held));
		d = opendir(path);
		if (!d)
			continue;
		while ((de = readdir(d))) {
			size_t l = strlen(de->d_name);
			char base[160];
			int ret;

			if (l < 6 || strcmp(de->d_name + l - 5, ".prof") ||
			    l - 5 >= sizeof(base) || strstr(de->d_name, ".tmp."))
				continue;
			snprintf(base, sizeof(base), "%.*s", (int)(l - 5),
				 de->d_name);
			if (n == cap) {
				cap = cap ? cap * 2 : 16;
				nv = realloc(v, cap * sizeof(*v));
				if (!nv) {
					closedir(d);
					free(v);
					return -ENOMEM;
				}
				v = nv;
			}
			ret = check_one(dir, held, base, &v[n], why, sizeof(why));
			if (!ret) {
				n++;
				continue;
			}
			snprintf(msg, sizeof(msg), "corrupt profile %s/%s/%s%s",
				 dir, area(held), why,
				 aside ? ": set aside in corrupt/" : "");
			if (report)
				report(msg, data);
			if (aside) {
				snprintf(path, sizeof(path), "%s.prof", base);
				set_aside(dir, area(held), path);
				snprintf(path, sizeof(path), "%s.meta", base);
				set_aside(dir, area(held), path);
			}
		}
		closedir(d);
	}
	*out = v;
	return (int)n;
}

int sa_store_read(const char *dir, const struct sa_stored *s,
		  unsigned char **data, size_t *len)
{
	char path[4096];

	snprintf(path, sizeof(path), "%s/%s/%s.prof", dir, area(s->held),
		 s->base);
	return sa_read_file(path, data, len);
}

/* The .meta first, then the .prof: the profile's rename commits both. */
int sa_store_write(const char *dir, const struct sa_stored *s,
		   const void *data, size_t len)
{
	char path[4096], *meta;
	int ret, n;

	n = asprintf(&meta, "key=%s\nimage=%s\ndigest=%s\ncontainer=%s\nsource=%s\nsaved=%ld\n",
		     s->key, s->image, s->digest, s->container, s->source,
		     (long)s->saved);
	if (n < 0)
		return -ENOMEM;
	ret = sa_store_init(dir);
	snprintf(path, sizeof(path), "%s/%s/%s.meta", dir, area(s->held),
		 s->base);
	if (!ret)
		ret = sa_write_atomic(path, meta, n);
	free(meta);
	snprintf(path, sizeof(path), "%s/%s/%s.prof", dir, area(s->held),
		 s->base);
	if (!ret)
		ret = sa_write_atomic(path, data, len);
	return ret;
}

int sa_store_approve(const char *dir, const struct sa_stored *s)
{
	static const char *const ext[] = { "meta", "prof" };
	char from[4096], to[4096];

	if (!s->held)
		return 0;
	for (int i = 0; i < 2; i++) {
		snprintf(from, sizeof(from), "%s/held/%s.%s", dir, s->base,
			 ext[i]);
		snprintf(to, sizeof(to), "%s/profiles/%s.%s", dir, s->base,
			 ext[i]);
		if (rename(from, to))
			return -errno;
	}
	snprintf(to, sizeof(to), "%s/profiles", dir);
	fsync_dir(to);
	snprintf(to, sizeof(to), "%s/held", dir);
	return fsync_dir(to);
}

int sa_store_remove(const char *dir, const struct sa_stored *s)
{
	char path[4096];

	/* The .prof first: without it the .meta is never read. */
	snprintf(path, sizeof(path), "%s/%s/%s.prof", dir, area(s->held),
		 s->base);
	if (unlink(path))
		return -errno;
	snprintf(path, sizeof(path), "%s/%s/%s.meta", dir, area(s->held),
		 s->base);
	unlink(path);
	snprintf(path, sizeof(path), "%s/%s", dir, area(s->held));
	return fsync_dir(path);
}

/* 'sysanomctl profiles' */

static void report_stderr(const char *msg, void *data)
{
	(void)data;
	sa_err("profiles: %s", msg);
}

static void print_stored_json(const struct sa_stored *s, int full,
			      const char *dir)
{
	printf("{\"key\":");
	sa_json_string(stdout, s->key);
	printf(",\"state\":\"%s\",\"file\":", s->held ? "held" : "approved");
	{
		char path[4096];

		snprintf(path, sizeof(path), "%s/%s/%s.prof", dir,
			 area(s->held), s->base);
		sa_json_string(stdout, path);
	}
	printf(",\"image\":");
	sa_json_string(stdout, s->image);
	printf(",\"digest\":");
	sa_json_string(stdout, s->digest);
	printf(",\"container\":");
	sa_json_string(stdout, s->container);
	printf(",\"source\":");
	sa_json_string(stdout, s->source);
	printf(",\"saved\":%ld,\"bytes\":%zu", (long)s->saved, s->size);
	if (full) {
		struct sa_profile_info info;
		unsigned char *data = NULL;
		size_t len;

		if (!sa_store_read(dir, s, &data, &len) &&
		    !sa_profile_parse(data, len, &info))
			printf(",\"k\":%u,\"bag\":%u,\"stide_entries\":%u,\"bosc_entries\":%u"
			       ",\"windows\":%" PRIu64 ",\"calibration\":\"%s\""
			       ",\"combo_threshold\":%u,\"lfc_threshold\":%u"
			       ",\"epoch_threshold\":%u,\"margin\":%u",
			       info.params.k, info.params.bag,
			       info.stide_entries, info.bosc_entries,
			       (uint64_t)info.windows,
			       sa_calibration_name(info.calib_state),
			       info.params.combo_threshold,
			       info.params.lfc_threshold,
			       info.params.epoch_threshold, info.params.margin);
		free(data);
	}
	printf("}");
}

static void print_info_text(const struct sa_stored *s, const char *dir)
{
	struct sa_profile_info info;
	unsigned char *data = NULL;
	size_t len;

	if (!sa_store_read(dir, s, &data, &len) &&
	    !sa_profile_parse(data, len, &info))
		printf("k, bag:    %u, %u\nentries:   %u STIDE, %u BoSC, from %" PRIu64 " windows\n"
		       "calibration: %s (margin %u%%)\nthresholds: combo %u, lfc %u, epoch %u\n",
		       info.params.k, info.params.bag, info.stide_entries,
		       info.bosc_entries, (uint64_t)info.windows,
		       sa_calibration_name(info.calib_state), info.params.margin,
		       info.params.combo_threshold, info.params.lfc_threshold,
		       info.params.epoch_threshold);
	free(data);
}

/* Stored profiles whose key, file name or image is @arg. */
static int match(const struct sa_stored *s, const char *arg)
{
	return !strcmp(s->key, arg) || !strcmp(s->base, arg) ||
	       (s->image[0] && !strcmp(s->image, arg));
}

static int profiles_usage(FILE *f)
{
	fprintf(f,
		"usage: sysanomctl profiles [--store DIR] [--json] list\n"
		"       sysanomctl profiles [--store DIR] [--json] show PROFILE\n"
		"       sysanomctl profiles [--store DIR] approve PROFILE...\n"
		"       sysanomctl profiles [--store DIR] rm [--held] PROFILE...\n"
		"       sysanomctl profiles [--store DIR] add [--held] KEY FILE\n"
		"Manage the profiles the watcher stored (default store %s).\n"
		"A profile is approved (enforced on every container of its\n"
		"image) or held for review (learnt, not enforced: the\n"
		"watcher's config new_profiles = hold). PROFILE is a key\n"
		"(image digest or name, '#' and the Kubernetes container name),\n"
		"a file name without .prof, or an image name.\n"
		"  list     every profile; corrupt files are reported\n"
		"  show     one profile's origin, parameters and thresholds\n"
		"  approve  a held profile becomes approved: a running watcher\n"
		"           enforces it on the containers of its image\n"
		"  rm       delete a profile (with --held only a held one);\n"
		"           the next container of its image trains again\n"
		"  add      store FILE (from 'save', 'learn' or 'merge') as the\n"
		"           profile of KEY (an image name or digest, '#NAME' for\n"
		"           a Kubernetes container name), approved or --held\n",
		SA_STORE_DEFAULT);
	return f == stdout ? 0 : EXIT_USAGE;
}

static int profiles_add(const char *dir, const char *key, const char *file,
			int held)
{
	struct sa_profile_info info;
	unsigned char *data = NULL;
	struct sa_stored s = { 0 };
	size_t len, n;
	int ret;

	if (!*key || strlen(key) >= sizeof(s.key) || strchr(key, '\n'))
		return sa_usage_error("profiles", "bad KEY '%s'", key);
	ret = sa_read_file(file, &data, &len);
	if (ret) {
		sa_err("profiles: add: %s: %s", file, strerror(-ret));
		return EXIT_RUNTIME;
	}
	if (sa_profile_parse(data, len, &info)) {
		sa_err("profiles: add: %s: not a valid sysanom profile (corrupt or truncated)",
		       file);
		free(data);
		return EXIT_RUNTIME;
	}
	snprintf(s.key, sizeof(s.key), "%s", key);
	sa_store_base(key, s.base, sizeof(s.base));
	s.held = held;
	/* The key's parts: image (or digest), then '#' and the container. */
	n = strcspn(key, "#");
	if (strncmp(key, "name:", 5)) {
		if (!strncmp(key, "sha256:", 7))
			snprintf(s.digest, sizeof(s.digest), "%.*s", (int)n, key);
		else
			snprintf(s.image, sizeof(s.image), "%.*s", (int)n, key);
		if (key[n])
			snprintf(s.container, sizeof(s.container), "%s",
				 key + n + 1);
	}
	snprintf(s.source, sizeof(s.source), "file:%s", file);
	s.saved = time(NULL);
	ret = sa_store_write(dir, &s, data, len);
	free(data);
	if (ret) {
		sa_err("profiles: add: %s: %s", dir, strerror(-ret));
		return EXIT_RUNTIME;
	}
	printf("added %s (%s): %s/%s/%s.prof\n", key, held ? "held" : "approved",
	       dir, area(held), s.base);
	return 0;
}

static const struct option profiles_options[] = {
	{ "store", required_argument, NULL, 's' },
	{ "json", no_argument, NULL, 'j' },
	{ "held", no_argument, NULL, 'H' },
	{ "help", no_argument, NULL, 'h' },
	{ 0 }
};

/* The options of 'profiles': -1 to go on, else the exit status. */
static int profiles_opts(int argc, char **argv, const char *optstring,
			 const char **dir, int *json, int *held_only)
{
	int c;

	while ((c = getopt_long(argc, argv, optstring, profiles_options,
				NULL)) != -1) {
		switch (c) {
		case 's':
			*dir = optarg;
			break;
		case 'j':
			*json = 1;
			break;
		case 'H':
			*held_only = 1;
			break;
		case 'h':
			return profiles_usage(stdout);
		default:
			return sa_usage_error("profiles", "unknown option");
		}
	}
	return -1;
}

int cmd_profiles(int argc, char **argv)
{
	const char *dir = SA_STORE_DEFAULT, *verb;
	int json = 0, held_only = 0, n, ret = 0;
	struct sa_stored *v = NULL;

	optind = 1;
	/* Options may come before or after the verb. */
	ret = profiles_opts(argc, argv, "+h", &dir, &json, &held_only);
	if (ret >= 0)
		return ret;
	ret = 0;
	if (optind >= argc)
		return sa_usage_error("profiles", "expects list, show, approve or rm");
	verb = argv[optind];
	argc -= optind;
	argv += optind;
	optind = 1;
	ret = profiles_opts(argc, argv, "h", &dir, &json, &held_only);
	if (ret >= 0)
		return ret;
	ret = 0;
	if (!strcmp(verb, "add")) {
		if (argc - optind != 2)
			return sa_usage_error("profiles", "add expects KEY FILE");
		return profiles_add(dir, argv[optind], argv[optind + 1],
				    held_only);
	}
	if (strcmp(verb, "list") && strcmp(verb, "show") &&
	    strcmp(verb, "approve") && strcmp(verb, "rm"))
		return sa_usage_error("profiles", "unknown subcommand '%s'", verb);
	if (!strcmp(verb, "list") && optind != argc)
		return sa_usage_error("profiles", "list takes no arguments");
	if (!strcmp(verb, "show") && argc - optind != 1)
		return sa_usage_error("profiles", "show expects one PROFILE");
	if ((!strcmp(verb, "approve") || !strcmp(verb, "rm")) && optind == argc)
		return sa_usage_error("profiles", "%s expects PROFILE...", verb);
	if (held_only && strcmp(verb, "rm"))
		return sa_usage_error("profiles", "--held is for rm and add");

	/* Reading never moves files: only the watcher sets corrupt ones aside. */
	n = sa_store_scan(dir, 0, &v, report_stderr, NULL);
	if (n < 0) {
		sa_err("profiles: %s: %s", dir, strerror(-n));
		return EXIT_RUNTIME;
	}
	if (!strcmp(verb, "list")) {
		if (json) {
			printf("{\"store\":");
			sa_json_string(stdout, dir);
			printf(",\"profiles\":[");
			for (int i = 0; i < n; i++) {
				printf("%s", i ? "," : "");
				print_stored_json(&v[i], 1, dir);
			}
			printf("]}\n");
		} else if (!n) {
			printf("no profiles in %s\n", dir);
		} else {
			printf("%-8s %-20s %9s  %s\n", "STATE", "SAVED", "BYTES",
			       "KEY (SOURCE)");
			for (int i = 0; i < n; i++) {
				char when[32];
				struct tm tm;

				strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ",
					 gmtime_r(&v[i].saved, &tm));
				printf("%-8s %-20s %9zu  %s (%s)\n",
				       v[i].held ? "held" : "approved", when,
				       v[i].size, v[i].key, v[i].source);
			}
		}
		goto out;
	}
	for (int a = optind; a < argc; a++) {
		int found = 0;

		for (int i = 0; i < n; i++) {
			if (!match(&v[i], argv[a]))
				continue;
			if (!strcmp(verb, "show")) {
				if (found)
					continue;
				if (json) {
					print_stored_json(&v[i], 1, dir);
					printf("\n");
				} else {
					/* One object of fields, as text. */
					printf("key:       %s\nstate:     %s\nfile:      %s/%s/%s.prof\nimage:     %s\ndigest:    %s\ncontainer: %s\nsource:    %s\nbytes:     %zu\n",
					       v[i].key,
					       v[i].held ? "held" : "approved",
					       dir, area(v[i].held), v[i].base,
					       v[i].image, v[i].digest,
					       v[i].container, v[i].source,
					       v[i].size);
					print_info_text(&v[i], dir);
				}
			} else if (!strcmp(verb, "approve")) {
				if (!v[i].held)
					continue;
				ret = sa_store_approve(dir, &v[i]);
				if (ret) {
					sa_err("profiles: approve %s: %s",
					       v[i].key, strerror(-ret));
					goto fail;
				}
				printf("approved %s\n", v[i].key);
			} else {
				if (held_only && !v[i].held)
					continue;
				ret = sa_store_remove(dir, &v[i]);
				if (ret) {
					sa_err("profiles: rm %s: %s", v[i].key,
					       strerror(-ret));
					goto fail;
				}
				printf("removed %s (%s)\n", v[i].key,
				       v[i].held ? "held" : "approved");
			}
			found = 1;
		}
		if (!found) {
			sa_err("profiles: %s: no %sprofile '%s' in %s", verb,
			       !strcmp(verb, "approve") || held_only ?
			       "held " : "", argv[a], dir);
			goto fail;
		}
	}
out:
	free(v);
	return 0;
fail:
	free(v);
	return EXIT_RUNTIME;
}
