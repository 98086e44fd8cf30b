/*
 * Interrupt stubs. Every vector pushes the same frame (a zero where the CPU pushes no
 * error code, then the vector number) so one C dispatcher sees all of them.
 */
	.section .text

.macro STUB_NOERR vector
	.globl isr\vector
isr\vector:
	pushl $0
	pushl $\vector
	jmp isr_common
.endm

.macro STUB_ERR vector
	.globl isr\vector
isr\vector:
	pushl $\vector
	jmp isr_common
.endm

/* Exceptions 8, 10-14, 17, 21, 29 and 30 push an error code. */
.irp v, 0,1,2,3,4,5,6,7,9,15,16,18,19,20,22,23,24,25,26,27,28,31
	STUB_NOERR \v
.endr
.irp v, 8,10,11,12,13,14,17,21,29,30
	STUB_ERR \v
.endr

/* Vectors 32-255, 16 bytes apart so idt.c can compute each stub's address. */
	.balign 16
	.globl irq_stubs
irq_stubs:
	.set vec, 32
	.rept 224
	.balign 16
	pushl $0
	pushl $vec
	jmp isr_common
	.set vec, vec + 1
	.endr

isr_common:
	pushal
	cld
	pushl %esp
	call isr_dispatch
	addl $4, %esp
	popal
	addl $8, %esp
	iret

	.section .rodata
	.align 4
	.globl isr_exception_stubs
isr_exception_stubs:
.irp v, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	.long isr\v
.endr

	.section .note.GNU-stack, "", @progbits
