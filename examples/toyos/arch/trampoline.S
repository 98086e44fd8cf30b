/*
 * Where a secondary CPU starts. The start-up IPI puts it in real mode at
 * CS:IP = 0x0800:0000, so smp.c copies [ap_trampoline_start, ap_trampoline_end) to
 * physical 0x8000 first. The code switches to protected mode on the kernel's GDT and
 * jumps to ap_pm_entry, which runs in place in the kernel image.
 */
#include <toyos/gdt.h>

#define AP_STACK_SIZE 8192
#define MAX_CPUS 4

	.section .text
	.code16
	.globl ap_trampoline_start, ap_trampoline_end
ap_trampoline_start:
	cli
	cld
	movw %cs, %ax
	movw %ax, %ds
	lgdtl tramp_gdtr - ap_trampoline_start
	movl %cr0, %eax
	orl $1, %eax
	movl %eax, %cr0
	ljmpl $KERNEL_CS, $ap_pm_entry
	.balign 8
tramp_gdtr:
	.word GDT_LIMIT
	.long gdt
ap_trampoline_end:

	.code32
ap_pm_entry:
	movw $KERNEL_DS, %ax
	movw %ax, %ds
	movw %ax, %es
	movw %ax, %fs
	movw %ax, %gs
	movw %ax, %ss
	/* CPUs started by one broadcast arrive together: each takes its own index and stack. */
	movl $1, %eax
	lock xaddl %eax, ap_next_index
	cmpl $MAX_CPUS, %eax
	jae 2f
	movl %eax, %ebx
	imull $AP_STACK_SIZE, %eax
	addl $ap_stacks, %eax
	movl %eax, %esp
	pushl %ebx
	call ap_main
2:	cli
	hlt
	jmp 2b

	.section .data
	.align 4
ap_next_index:
	.long 1

	.section .bss
	.align 16
	/* Index i (1..MAX_CPUS-1) uses the slot ending at ap_stacks + i * AP_STACK_SIZE. */
ap_stacks:
	.skip (MAX_CPUS - 1) * AP_STACK_SIZE

	.section .note.GNU-stack, "", @progbits
