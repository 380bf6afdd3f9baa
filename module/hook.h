/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _SYSANOM_HOOK_H
#define _SYSANOM_HOOK_H

int sysanom_hook_init(void);
void sysanom_hook_exit(void);

#endif /* _SYSANOM_HOOK_H */
