/*
 * Time from the TSC, calibrated against PIT channel 2 so test durations and timeouts
 * mean milliseconds whatever the host's clock rate (under TCG the TSC follows the host).
 */
#include <toyos/cpu.h>
#include <toyos/timing.h>

#define PIT_HZ 1193182u
#define CALIBRATE_MS 10u
#define ASSUMED_TICKS_PER_MS 1000000u /* 1 GHz when not calibrated */

static uint32_t ticks_per_ms = ASSUMED_TICKS_PER_MS;
static uint64_t boot_tsc;

#ifdef CONFIG_TSC_CALIBRATE_PIT
static uint32_t calibrate(void)
{
	uint32_t latch = PIT_HZ * CALIBRATE_MS / 1000;
	uint64_t start, end;

	/* Gate channel 2 on with the speaker off, mode 0: OUT rises at terminal count. */
	outb(0x61, (inb(0x61) & ~0x02) | 0x01);
	outb(0x43, 0xb0);
	outb(0x42, latch & 0xff);
	outb(0x42, latch >> 8);
	start = rdtsc();
	while (!(inb(0x61) & 0x20))
		cpu_relax();
	end = rdtsc();
	return (uint32_t)div64_32(end - start, CALIBRATE_MS);
}
#endif

void timing_init(void)
{
	boot_tsc = rdtsc();
#ifdef CONFIG_TSC_CALIBRATE_PIT
	ticks_per_ms = calibrate();
	if (ticks_per_ms == 0)
		ticks_per_ms = ASSUMED_TICKS_PER_MS;
#endif
}

uint32_t timing_ticks_per_ms(void)
{
	return ticks_per_ms;
}

uint64_t timing_deadline_us(uint32_t us)
{
	uint64_t ticks = (uint64_t)(ticks_per_ms / 1000u) * us;

	return rdtsc() + ticks;
}

int timing_expired(uint64_t deadline)
{
	return rdtsc() >= deadline;
}

void delay_us(uint32_t us)
{
	uint64_t deadline = timing_deadline_us(us);

	while (!timing_expired(deadline))
		cpu_relax();
}

uint32_t timing_ms_between(uint64_t start, uint64_t end)
{
	return (uint32_t)div64_32(end - start, ticks_per_ms);
}

uint32_t timing_uptime_ms(void)
{
	return timing_ms_between(boot_tsc, rdtsc());
}
