#ifndef TOYOS_SPINLOCK_H
#define TOYOS_SPINLOCK_H

#include <stdint.h>

struct k_spinlock {
	volatile uint32_t locked;
#ifdef CONFIG_SPINLOCK_VALIDATE
	/* CPU index + 1 of the holder, 0 when free: what the validator checks on release. */
	volatile uint32_t owner;
#endif
};

typedef uint32_t k_spinlock_key_t;

k_spinlock_key_t k_spin_lock(struct k_spinlock *lock);
void k_spin_unlock(struct k_spinlock *lock, k_spinlock_key_t key);

#endif
