// SPDX-License-Identifier: GPL-2.0
/* The one JSON helper sysanomctl needs: a quoted, escaped string. */
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
