/* Shared by boot.S (which defines the GDT) and trampoline.S (which loads it from real mode). */
#ifndef TOYOS_GDT_H
#define TOYOS_GDT_H

#define GDT_ENTRIES 3
#define GDT_LIMIT (GDT_ENTRIES * 8 - 1)
#define KERNEL_CS 0x08
#define KERNEL_DS 0x10

#endif
