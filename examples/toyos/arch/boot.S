/*
 * Multiboot v1 entry. QEMU's -kernel loader enters here in 32-bit protected mode with
 * paging off, EAX = 0x2BADB002 and EBX = the multiboot information. Its GDT is not ours
 * to keep, so load a flat one before touching anything else.
 */
#include <toyos/gdt.h>

#define MB_MAGIC 0x1BADB002
#define MB_FLAGS 0x00000003 /* page-align modules, provide memory info */
#define BSP_STACK_SIZE 16384

	.section .multiboot, "a"
	.align 4
	.long MB_MAGIC
	.long MB_FLAGS
	.long -(MB_MAGIC + MB_FLAGS)

	.section .text
	.globl _start
_start:
	cli
	cld
	movl %eax, %esi /* multiboot magic; rep stosb below keeps esi and ebx */
	lgdt gdt_desc
	ljmp $KERNEL_CS, $1f
1:	movw $KERNEL_DS, %ax
	movw %ax, %ds
	movw %ax, %es
	movw %ax, %fs
	movw %ax, %gs
	movw %ax, %ss
	movl $__bss_start, %edi
	movl $__bss_end, %ecx
	subl %edi, %ecx
	xorl %eax, %eax
	rep stosb
	movl $bsp_stack + BSP_STACK_SIZE, %esp
	pushl %ebx
	pushl %esi
	call kernel_main
2:	cli
	hlt
	jmp 2b

	.section .data
	.align 8
	.globl gdt
gdt:
	.quad 0
	.quad 0x00CF9B000000FFFF /* KERNEL_CS: ring-0 code, base 0, 4 GiB */
	.quad 0x00CF93000000FFFF /* KERNEL_DS: ring-0 data, base 0, 4 GiB */
	.globl gdt_desc
gdt_desc:
	.word GDT_LIMIT
	.long gdt

	.section .bss
	.align 16
bsp_stack:
	.skip BSP_STACK_SIZE

	.section .note.GNU-stack, "", @progbits
