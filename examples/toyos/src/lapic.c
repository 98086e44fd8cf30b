/* The local APIC, at its reset address (paging is off, so physical is virtual). */
#include <toyos/cpu.h>
#include <toyos/lapic.h>
#include <toyos/timing.h>

#define LAPIC_BASE 0xfee00000u
#define LAPIC_ID 0x020
#define LAPIC_TPR 0x080
#define LAPIC_EOI 0x0b0
#define LAPIC_SVR 0x0f0
#define LAPIC_ICR_LOW 0x300
#define LAPIC_ICR_HIGH 0x310

#define ICR_FIXED 0x00000
#define ICR_INIT 0x00500
#define ICR_STARTUP 0x00600
#define ICR_ASSERT 0x04000
#define ICR_BUSY 0x01000
#define ICR_ALL_BUT_SELF 0xc0000

static inline uint32_t lapic_read(uint32_t reg)
{
	return *(volatile uint32_t *)(LAPIC_BASE + reg);
}

static inline void lapic_write(uint32_t reg, uint32_t value)
{
	*(volatile uint32_t *)(LAPIC_BASE + reg) = value;
}

void lapic_enable(void)
{
	lapic_write(LAPIC_TPR, 0);
	lapic_write(LAPIC_SVR, 0x100 | SPURIOUS_VECTOR);
}

uint32_t lapic_id(void)
{
	return lapic_read(LAPIC_ID) >> 24;
}

void lapic_eoi(void)
{
	lapic_write(LAPIC_EOI, 0);
}

static void icr_send(uint32_t high, uint32_t low)
{
	while (lapic_read(LAPIC_ICR_LOW) & ICR_BUSY)
		cpu_relax();
	lapic_write(LAPIC_ICR_HIGH, high);
	lapic_write(LAPIC_ICR_LOW, low);
	while (lapic_read(LAPIC_ICR_LOW) & ICR_BUSY)
		cpu_relax();
}

void lapic_send_ipi(uint32_t apic_id, uint32_t vector)
{
	icr_send(apic_id << 24, ICR_FIXED | ICR_ASSERT | vector);
}

void lapic_broadcast_ipi(uint32_t vector)
{
	icr_send(0, ICR_ALL_BUT_SELF | ICR_FIXED | ICR_ASSERT | vector);
}

/* INIT, then two start-up IPIs 10 ms and 200 us apart, as the MP specification asks. */
void lapic_broadcast_init_sipi(uint32_t trampoline_page)
{
	icr_send(0, ICR_ALL_BUT_SELF | ICR_INIT | ICR_ASSERT);
	delay_us(10000);
	icr_send(0, ICR_ALL_BUT_SELF | ICR_STARTUP | ICR_ASSERT | trampoline_page);
	delay_us(200);
	icr_send(0, ICR_ALL_BUT_SELF | ICR_STARTUP | ICR_ASSERT | trampoline_page);
}
