#ifndef TOYOS_LAPIC_H
#define TOYOS_LAPIC_H

#include <stdint.h>

#define IPI_VECTOR 0xf0
#define SPURIOUS_VECTOR 0xff

void lapic_enable(void);
uint32_t lapic_id(void);
void lapic_eoi(void);
void lapic_send_ipi(uint32_t apic_id, uint32_t vector);
void lapic_broadcast_ipi(uint32_t vector);
void lapic_broadcast_init_sipi(uint32_t trampoline_page);

#endif
