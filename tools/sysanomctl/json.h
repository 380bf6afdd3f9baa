/* SPDX-License-Identifier: GPL-2.0 */
#ifndef SYSANOMCTL_JSON_H
#define SYSANOMCTL_JSON_H

#include <stdio.h>

void sa_json_string(FILE *f, const char *s);

#endif
