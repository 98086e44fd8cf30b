/*
 * printk on COM1. Each call formats into a local buffer and writes it under one lock,
 * so lines from two CPUs never interleave mid-line.
 */
#include <stdint.h>
#include <toyos/console.h>
#include <toyos/cpu.h>
#include <toyos/timing.h>

#define COM1 0x3f8
#define LINE_MAX 256

static volatile uint32_t console_lock;
static volatile int panic_mode;

void console_init(void)
{
	outb(COM1 + 1, 0x00); /* no UART interrupts */
	outb(COM1 + 3, 0x80); /* divisor latch */
#ifdef CONFIG_SERIAL_BAUD_115200
	outb(COM1 + 0, 1);
#else
	outb(COM1 + 0, 3); /* 38400 */
#endif
	outb(COM1 + 1, 0);
	outb(COM1 + 3, 0x03); /* 8N1 */
#ifdef CONFIG_SERIAL_FIFO
	outb(COM1 + 2, 0xc7);
#else
	outb(COM1 + 2, 0x00);
#endif
	outb(COM1 + 4, 0x03); /* DTR, RTS */
}

void console_panic(void)
{
	panic_mode = 1;
}

static void serial_putc(char c)
{
	while (!(inb(COM1 + 5) & 0x20))
		cpu_relax();
	outb(COM1, (uint8_t)c);
}

/* A serial terminal wants CR LF, as Zephyr's UART console sends. */
static void console_write(const char *s, int n)
{
	uint32_t key = irq_lock();
	int i;

	if (!panic_mode)
		while (__atomic_exchange_n(&console_lock, 1, __ATOMIC_ACQUIRE))
			cpu_relax();
	for (i = 0; i < n; i++) {
		if (s[i] == '\n')
			serial_putc('\r');
		serial_putc(s[i]);
	}
	if (!panic_mode)
		__atomic_store_n(&console_lock, 0, __ATOMIC_RELEASE);
	irq_unlock(key);
}

struct out {
	char buf[LINE_MAX];
	int len;
};

static void put(struct out *o, char c)
{
	if (o->len < LINE_MAX)
		o->buf[o->len++] = c;
}

static void put_number(struct out *o, uint32_t value, unsigned int base, int width, char pad,
		       int negative)
{
	char digits[12];
	int n = 0;

	do {
		digits[n++] = "0123456789abcdef"[value % base];
		value /= base;
	} while (value);
	if (negative)
		width--;
	if (negative && pad == '0')
		put(o, '-');
	for (; width > n; width--)
		put(o, pad);
	if (negative && pad != '0')
		put(o, '-');
	while (n)
		put(o, digits[--n]);
}

static void format(struct out *o, const char *fmt, va_list ap)
{
	for (; *fmt; fmt++) {
		char pad = ' ';
		int width = 0;

		if (*fmt != '%') {
			put(o, *fmt);
			continue;
		}
		fmt++;
		if (*fmt == '0') {
			pad = '0';
			fmt++;
		}
		while (*fmt >= '0' && *fmt <= '9')
			width = width * 10 + (*fmt++ - '0');
		while (*fmt == 'l')
			fmt++;
		switch (*fmt) {
		case 'd': {
			int32_t v = va_arg(ap, int32_t);

			put_number(o, v < 0 ? -(uint32_t)v : (uint32_t)v, 10, width, pad, v < 0);
			break;
		}
		case 'u':
			put_number(o, va_arg(ap, uint32_t), 10, width, pad, 0);
			break;
		case 'x':
			put_number(o, va_arg(ap, uint32_t), 16, width, pad, 0);
			break;
		case 'p':
			put(o, '0');
			put(o, 'x');
			put_number(o, (uint32_t)va_arg(ap, void *), 16, 8, '0', 0);
			break;
		case 'c':
			put(o, (char)va_arg(ap, int));
			break;
		case 's': {
			const char *s = va_arg(ap, const char *);
			int len = 0;

			if (!s)
				s = "(null)";
			while (s[len])
				len++;
			for (; width > len; width--)
				put(o, ' ');
			while (*s)
				put(o, *s++);
			break;
		}
		case '%':
			put(o, '%');
			break;
		case '\0':
			return;
		default:
			put(o, '%');
			put(o, *fmt);
		}
	}
}

void vprintk(const char *fmt, va_list ap)
{
	struct out o;

	o.len = 0;
	format(&o, fmt, ap);
	console_write(o.buf, o.len);
}

void printk(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vprintk(fmt, ap);
	va_end(ap);
}

#ifdef CONFIG_LOG
void log_line(const char *level, const char *module, const char *fmt, ...)
{
	struct out o;
	va_list ap;

	o.len = 0;
#ifdef CONFIG_LOG_TIMESTAMPS
	{
		uint32_t ms = timing_uptime_ms();
		struct out s;

		s.len = 0;
		/* [hh:mm:ss.mmm] like Zephyr's default log timestamp. */
		put(&s, '[');
		put_number(&s, ms / 3600000, 10, 2, '0', 0);
		put(&s, ':');
		put_number(&s, ms / 60000 % 60, 10, 2, '0', 0);
		put(&s, ':');
		put_number(&s, ms / 1000 % 60, 10, 2, '0', 0);
		put(&s, '.');
		put_number(&s, ms % 1000, 10, 3, '0', 0);
		put(&s, ']');
		put(&s, ' ');
		for (int i = 0; i < s.len; i++)
			put(&o, s.buf[i]);
	}
#endif
	put(&o, '<');
	while (*level)
		put(&o, *level++);
	put(&o, '>');
	put(&o, ' ');
	while (*module)
		put(&o, *module++);
	put(&o, ':');
	put(&o, ' ');
	va_start(ap, fmt);
	format(&o, fmt, ap);
	va_end(ap);
	put(&o, '\n');
	console_write(o.buf, o.len);
}
#endif
