/* Semaphores, mutexes and thread starts that work across CPUs, built on k_spinlock. */
#ifndef TOYOS_SYNC_H
#define TOYOS_SYNC_H

#include <stdint.h>
#include <toyos/smp.h>
#include <toyos/spinlock.h>

struct k_sem {
	struct k_spinlock lock;
	volatile uint32_t count;
	volatile uint32_t waiters;
	/* Set by a giver that kept `lock` held for the waiter it woke. */
	volatile uint32_t handoff;
};

void k_sem_init(struct k_sem *sem, uint32_t count);
void k_sem_give(struct k_sem *sem);
void k_sem_take(struct k_sem *sem);

struct k_mutex {
	struct k_spinlock lock;
	volatile uint32_t owner; /* CPU index + 1, 0 when free */
	volatile uint32_t waiters;
	volatile uint32_t waitq[MAX_CPUS];
	volatile uint32_t waitq_head;
#ifdef CONFIG_CPU_MASK
	/* CPUs the waiting threads may run on: where a wake-up may be sent. */
	volatile uint32_t waiter_mask;
#endif
#ifdef CONFIG_MUTEX_STATS
	volatile uint32_t contended;
#endif
};

void k_mutex_init(struct k_mutex *mutex);
void k_mutex_lock(struct k_mutex *mutex);
void k_mutex_unlock(struct k_mutex *mutex);

struct k_thread {
	const char *name;
	smp_work_fn entry;
	void *arg;
	unsigned int cpu;
	volatile uint32_t runs;
	volatile uint32_t ran_on;
};

void k_thread_init(struct k_thread *thread, const char *name, smp_work_fn entry, void *arg);
void k_thread_start(struct k_thread *thread, unsigned int cpu);
/* 0 when the thread's CPU did not finish it within the timeout. */
int k_thread_join(struct k_thread *thread, uint32_t timeout_us);

#endif
