/* Kernel assertions (CONFIG_ASSERT): a broken invariant stops the CPU after saying where. */
#ifndef TOYOS_ASSERT_H
#define TOYOS_ASSERT_H

#ifdef CONFIG_ASSERT
#include <toyos/console.h>
#include <toyos/cpu.h>

#define __ASSERT(cond, msg)                                                                    \
	do {                                                                                   \
		if (!(cond)) {                                                                 \
			printk("ASSERTION FAIL [%s] @ %s:%d\n\t%s\n", #cond, __FILE_NAME__,    \
			       __LINE__, msg);                                                 \
			halt_forever();                                                        \
		}                                                                              \
	} while (0)
#else
#define __ASSERT(cond, msg) do { } while (0)
#endif

#endif
