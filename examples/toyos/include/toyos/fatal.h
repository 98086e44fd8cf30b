#ifndef TOYOS_FATAL_H
#define TOYOS_FATAL_H

#include <stdint.h>

/* The stack as isr_common leaves it: pushal, then the stub's vector and error code, then the CPU's. */
struct isr_frame {
	uint32_t edi, esi, ebp, esp_at_pusha, ebx, edx, ecx, eax;
	uint32_t vector, error;
	uint32_t eip, cs, eflags;
};

void idt_init(void);
void idt_load(void);
void isr_dispatch(struct isr_frame *frame);

#endif
