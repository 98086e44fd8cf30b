/* Port I/O, the time-stamp counter and interrupt masking: the few instructions C cannot say. */
#ifndef TOYOS_CPU_H
#define TOYOS_CPU_H

#include <stdint.h>

#define EFLAGS_IF 0x200u

static inline void outb(uint16_t port, uint8_t value)
{
	__asm__ volatile("outb %0, %1" : : "a"(value), "Nd"(port));
}

static inline void outw(uint16_t port, uint16_t value)
{
	__asm__ volatile("outw %0, %1" : : "a"(value), "Nd"(port));
}

static inline uint8_t inb(uint16_t port)
{
	uint8_t value;

	__asm__ volatile("inb %1, %0" : "=a"(value) : "Nd"(port));
	return value;
}

static inline uint64_t rdtsc(void)
{
	uint32_t lo, hi;

	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return ((uint64_t)hi << 32) | lo;
}

static inline void cpu_relax(void)
{
	__asm__ volatile("pause" : : : "memory");
}

/* Masks interrupts and returns the previous EFLAGS so nesting restores the right state. */
static inline uint32_t irq_lock(void)
{
	uint32_t flags;

	__asm__ volatile("pushfl; popl %0; cli" : "=r"(flags) : : "memory");
	return flags;
}

static inline void irq_unlock(uint32_t flags)
{
	if (flags & EFLAGS_IF)
		__asm__ volatile("sti" : : : "memory");
}

static inline __attribute__((noreturn)) void halt_forever(void)
{
	for (;;)
		__asm__ volatile("cli; hlt" : : : "memory");
}

/*
 * 64-by-32 division with two divl, because a 32-bit freestanding build has no libgcc
 * to supply __udivdi3.
 */
static inline uint64_t div64_32(uint64_t dividend, uint32_t divisor)
{
	uint32_t hi = (uint32_t)(dividend >> 32), lo = (uint32_t)dividend;
	uint32_t q_hi = hi / divisor, rem = hi % divisor, q_lo;

	__asm__("divl %4" : "=a"(q_lo), "=d"(rem) : "a"(lo), "d"(rem), "rm"(divisor));
	return ((uint64_t)q_hi << 32) | q_lo;
}

#endif
