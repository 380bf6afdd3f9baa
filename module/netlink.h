/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _SYSANOM_NETLINK_H
#define _SYSANOM_NETLINK_H

struct sysanom_alert;

int sysanom_genl_init(void);
void sysanom_genl_exit(void);
void sysanom_genl_alert(const struct sysanom_alert *a);

#endif /* _SYSANOM_NETLINK_H */
