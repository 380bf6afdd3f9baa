/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _SYSANOM_NETLINK_H
#define _SYSANOM_NETLINK_H

int sysanom_genl_init(void);
void sysanom_genl_exit(void);

#endif /* _SYSANOM_NETLINK_H */
