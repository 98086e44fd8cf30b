#ifndef TOYOS_SMP_H
#define TOYOS_SMP_H

#include <stdint.h>

#define MAX_CPUS 4
#define BIT(n) (1u << (n))

typedef void (*smp_work_fn)(void *arg);

void smp_init(void);
unsigned int cpu_id(void);
unsigned int smp_cpus(void);
uint32_t smp_online_mask(void);
uint32_t smp_apic_id(unsigned int cpu);

/* Hands work to another CPU's mailbox; the CPU only looks once kicked. */
void smp_post(unsigned int cpu, smp_work_fn fn, void *arg);
void smp_kick(unsigned int cpu);
void smp_broadcast_kick(void);
/* Posts and kicks: how tests put a worker on CPU 1. */
void smp_run_on(unsigned int cpu, smp_work_fn fn, void *arg);
/* Waits for the CPU to finish its posted work; 0 on timeout (then the work is withdrawn). */
int smp_wait_done(unsigned int cpu, uint32_t timeout_us);
void ipi_handler(void);

struct sched_stats {
	volatile uint32_t kicks;
	volatile uint32_t ipis_sent;
	volatile uint32_t ipis_received;
};
extern struct sched_stats sched_stats;

#endif
