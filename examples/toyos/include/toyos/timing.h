#ifndef TOYOS_TIMING_H
#define TOYOS_TIMING_H

#include <stdint.h>

void timing_init(void);
uint32_t timing_ticks_per_ms(void);
uint64_t timing_deadline_us(uint32_t us);
int timing_expired(uint64_t deadline);
void delay_us(uint32_t us);
/* Milliseconds between two TSC readings, for the `in 0.004 seconds` of test results. */
uint32_t timing_ms_between(uint64_t start, uint64_t end);
uint32_t timing_uptime_ms(void);

#endif
