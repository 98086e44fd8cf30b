#ifndef TOYOS_CONSOLE_H
#define TOYOS_CONSOLE_H

#include <stdarg.h>

void console_init(void);
/* After a fatal error the console stops taking its lock: the holder may be the dead CPU. */
void console_panic(void);
void printk(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void vprintk(const char *fmt, va_list ap);

/* Kernel log lines, in the shape of Zephyr's `<inf> module: message`. */
#ifdef CONFIG_LOG
void log_line(const char *level, const char *module, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
#define LOG_INF(module, ...) log_line("inf", module, __VA_ARGS__)
#else
#define LOG_INF(module, ...) do { } while (0)
#endif

#if defined(CONFIG_LOG) && defined(CONFIG_LOG_LEVEL_DBG)
#define LOG_DBG(module, ...) log_line("dbg", module, __VA_ARGS__)
#else
#define LOG_DBG(module, ...) do { } while (0)
#endif

#endif
