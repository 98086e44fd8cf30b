/*
 * The IDT and the fatal-error path. Exceptions print a Zephyr-style fatal banner and
 * stop the CPU for good, so a crash reads as a trace followed by silence.
 */
#include <stdint.h>
#include <toyos/console.h>
#include <toyos/cpu.h>
#include <toyos/fatal.h>
#include <toyos/lapic.h>
#include <toyos/smp.h>
#include <toyos/ztest.h>

struct idt_entry {
	uint16_t offset_low;
	uint16_t selector;
	uint8_t zero;
	uint8_t type;
	uint16_t offset_high;
} __attribute__((packed));

struct idt_pointer {
	uint16_t limit;
	uint32_t base;
} __attribute__((packed));

#define IRQ_STUB_SIZE 16
#define GATE_INTERRUPT 0x8e /* present, ring 0, 32-bit interrupt gate */

extern const uint32_t isr_exception_stubs[32];
extern char irq_stubs[];

static struct idt_entry idt[256];
static volatile uint32_t in_fatal[MAX_CPUS];

static const char *const exception_names[32] = {
	"divide error", "debug", "NMI", "breakpoint", "overflow", "bound range exceeded",
	"invalid opcode", "device not available", "double fault", "coprocessor overrun",
	"invalid TSS", "segment not present", "stack fault", "general protection fault",
	"page fault", "reserved", "x87 floating-point", "alignment check", "machine check",
	"SIMD floating-point", "virtualization", "control protection",
};

static void idt_set(unsigned int vector, uint32_t handler)
{
	idt[vector].offset_low = handler & 0xffff;
	idt[vector].selector = 0x08;
	idt[vector].zero = 0;
	idt[vector].type = GATE_INTERRUPT;
	idt[vector].offset_high = handler >> 16;
}

void idt_load(void)
{
	struct idt_pointer pointer = { sizeof(idt) - 1, (uint32_t)idt };

	__asm__ volatile("lidt %0" : : "m"(pointer));
}

void idt_init(void)
{
	for (unsigned int v = 0; v < 32; v++)
		idt_set(v, isr_exception_stubs[v]);
	for (unsigned int v = 32; v < 256; v++)
		idt_set(v, (uint32_t)irq_stubs + (v - 32) * IRQ_STUB_SIZE);
	idt_load();
}

static void dump_control_registers(void)
{
#ifdef CONFIG_EXCEPTION_DUMP_CR
	uint32_t cr0, cr2, cr3, cr4;

	__asm__ volatile("movl %%cr0, %0" : "=r"(cr0));
	__asm__ volatile("movl %%cr2, %0" : "=r"(cr2));
	__asm__ volatile("movl %%cr3, %0" : "=r"(cr3));
	__asm__ volatile("movl %%cr4, %0" : "=r"(cr4));
	printk("cr0=0x%08x cr2=0x%08x cr3=0x%08x cr4=0x%08x\n", cr0, cr2, cr3, cr4);
#endif
}

static void dump_stack(uint32_t esp)
{
#ifdef CONFIG_EXCEPTION_DUMP_STACK
	const uint32_t *sp = (const uint32_t *)esp;

	printk("stack: %08x %08x %08x %08x %08x %08x %08x %08x\n", sp[0], sp[1], sp[2], sp[3],
	       sp[4], sp[5], sp[6], sp[7]);
#else
	(void)esp;
#endif
}

static __attribute__((noreturn)) void fatal_exception(struct isr_frame *f)
{
	unsigned int cpu = cpu_id();
	const char *name = f->vector < 32 && exception_names[f->vector] ?
				   exception_names[f->vector] : "unexpected interrupt";
	/* No privilege change, so the CPU pushed no ESP: the old stack ends above eflags. */
	uint32_t esp = (uint32_t)&f->eflags + 4;

	if (__atomic_exchange_n(&in_fatal[cpu % MAX_CPUS], 1, __ATOMIC_SEQ_CST))
		halt_forever();
	console_panic();
	printk(">>> TOYOS FATAL ERROR: CPU exception %u (%s) on CPU %u\n", f->vector, name, cpu);
	printk("eip=0x%08x cs=0x%04x eflags=0x%08x err=0x%08x\n", f->eip, f->cs, f->eflags,
	       f->error);
	printk("eax=0x%08x ebx=0x%08x ecx=0x%08x edx=0x%08x\n", f->eax, f->ebx, f->ecx, f->edx);
	printk("esi=0x%08x edi=0x%08x ebp=0x%08x esp=0x%08x\n", f->esi, f->edi, f->ebp, esp);
	dump_control_registers();
	dump_stack(esp);
	printk("Current test: %s\n", ztest_current() ? ztest_current() : "(none)");
	printk("Halting system\n");
	halt_forever();
}

void isr_dispatch(struct isr_frame *frame)
{
	if (frame->vector == SPURIOUS_VECTOR)
		return;
	if (frame->vector == IPI_VECTOR) {
		ipi_handler();
		lapic_eoi();
		return;
	}
	fatal_exception(frame);
}
