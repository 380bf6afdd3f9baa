/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Minimal portability shim for the sysanom detection core. The core files
 * include only this header (and each other's headers), so the same sources
 * build into the kernel module and into userspace (tests, fuzzers, tools).
 */
#ifndef _SYSANOM_TYPES_H
#define _SYSANOM_TYPES_H

#ifdef __KERNEL__

#include <linux/types.h>
#include <linux/kernel.h>
#include <linux/compiler.h>
#include <linux/atomic.h>
#include <linux/string.h>
#include <linux/errno.h>
#include <linux/bitops.h>
#include <linux/math64.h>
#include <linux/sched.h>

#define sa_atomic_t	atomic_t
#define sa_atomic64_t	atomic64_t

#define sa_atomic_read(a)		atomic_read(a)
#define sa_atomic_set(a, v)		atomic_set(a, v)
#define sa_atomic_inc_return(a)		atomic_inc_return(a)
#define sa_atomic_add(a, v)		atomic_add(v, a)
#define sa_atomic64_read(a)		atomic64_read(a)
#define sa_atomic64_set(a, v)		atomic64_set(a, v)
#define sa_atomic64_add_return(v, a)	atomic64_add_return(v, a)
#define sa_cmpxchg64(p, o, n)		cmpxchg64(p, o, n)
#define sa_popcount64(x)		hweight64(x)
#define sa_div64(a, b)			div64_u64(a, b)
#define SA_BITS_PER_LONG		BITS_PER_LONG
#define sa_test_bit(nr, addr)		test_bit(nr, addr)
#define sa_set_bit(nr, addr)		set_bit(nr, addr)
#define sa_or_long(addr, w)		atomic_long_or(w, (atomic_long_t *)(addr))
/* Long loops over a set or a file; process context only. */
#define sa_cond_resched()		cond_resched()

#else /* userspace */

#include <sys/cdefs.h>	/* __always_inline */
#include <stdint.h>
#include <stdbool.h>
#include <stddef.h>
#include <string.h>
#include <errno.h>

typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;
typedef int32_t s32;
typedef int64_t s64;

struct sa_atomic_user {
	int counter;
};

struct sa_atomic64_user {
	s64 counter;
};

#define sa_atomic_t	struct sa_atomic_user
#define sa_atomic64_t	struct sa_atomic64_user

#ifndef READ_ONCE
#define READ_ONCE(x)	__atomic_load_n(&(x), __ATOMIC_RELAXED)
#endif
#ifndef WRITE_ONCE
#define WRITE_ONCE(x, v) __atomic_store_n(&(x), (v), __ATOMIC_RELAXED)
#endif
#ifndef noinline
#define noinline	__attribute_noinline__
#endif
#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#endif
#ifndef likely
#define likely(x)	__builtin_expect(!!(x), 1)
#define unlikely(x)	__builtin_expect(!!(x), 0)
#endif

#define sa_atomic_read(a)	__atomic_load_n(&(a)->counter, __ATOMIC_RELAXED)
#define sa_atomic_set(a, v)	__atomic_store_n(&(a)->counter, (v), \
						 __ATOMIC_RELAXED)
#define sa_atomic_inc_return(a)	__atomic_add_fetch(&(a)->counter, 1, \
						   __ATOMIC_SEQ_CST)
#define sa_atomic_add(a, v)	__atomic_add_fetch(&(a)->counter, (v), \
					   __ATOMIC_SEQ_CST)
#define sa_atomic64_read(a)	__atomic_load_n(&(a)->counter, __ATOMIC_RELAXED)
#define sa_atomic64_set(a, v)	__atomic_store_n(&(a)->counter, (v), \
						 __ATOMIC_RELAXED)
#define sa_atomic64_add_return(v, a) \
	__atomic_add_fetch(&(a)->counter, (v), __ATOMIC_SEQ_CST)

/* Returns the old value, like the kernel's cmpxchg(). */
static inline u64 sa_cmpxchg64_impl(u64 *p, u64 old, u64 new)
{
	__atomic_compare_exchange_n(p, &old, new, false, __ATOMIC_SEQ_CST,
				    __ATOMIC_RELAXED);
	return old;
}
#define sa_cmpxchg64(p, o, n)	sa_cmpxchg64_impl(p, o, n)
#define sa_popcount64(x)	((unsigned int)__builtin_popcountll(x))
#define sa_div64(a, b)		((u64)(a) / (u64)(b))
#define SA_BITS_PER_LONG	(8 * (unsigned int)sizeof(long))

static inline bool sa_test_bit(unsigned int nr, const unsigned long *addr)
{
	return (__atomic_load_n(&addr[nr / SA_BITS_PER_LONG], __ATOMIC_RELAXED)
		>> (nr % SA_BITS_PER_LONG)) & 1;
}

static inline void sa_or_long(unsigned long *addr, unsigned long w)
{
	__atomic_fetch_or(addr, w, __ATOMIC_RELAXED);
}

static inline void sa_set_bit(unsigned int nr, unsigned long *addr)
{
	sa_or_long(&addr[nr / SA_BITS_PER_LONG], 1UL << (nr % SA_BITS_PER_LONG));
}
#define sa_cond_resched()	do { } while (0)

#endif /* __KERNEL__ */

#endif /* _SYSANOM_TYPES_H */
