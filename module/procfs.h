/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _SYSANOM_PROCFS_H
#define _SYSANOM_PROCFS_H

int sysanom_procfs_init(void);
void sysanom_procfs_exit(void);

#endif /* _SYSANOM_PROCFS_H */
