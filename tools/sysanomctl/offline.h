/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Offline commands: learn a profile from recorded traces and evaluate the
 * detectors on labelled traces, with the module's detection core and no
 * module loaded. argv[0] is the command name; the return value is the exit
 * status (0 ok, 1 runtime error, 2 usage error).
 */
#ifndef SYSANOMCTL_OFFLINE_H
#define SYSANOMCTL_OFFLINE_H

int cmd_learn(int argc, char **argv);
int cmd_eval(int argc, char **argv);

#endif
