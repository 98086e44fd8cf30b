/*
 * k_spinlock: interrupts off, then test-and-set. With CONFIG_SPINLOCK_VALIDATE every
 * lock records its holder and every release checks it, as Zephyr's SPIN_VALIDATE does.
 */
#include <toyos/cpu.h>
#include <toyos/smp.h>
#include <toyos/spinlock.h>

#ifdef CONFIG_SPINLOCK_VALIDATE
/*
 * A validation failure means lock state can no longer be trusted, console lock included,
 * so the CPU stops where it stands: interrupts off, spinning, silent.
 */
static __attribute__((noreturn, noinline)) void spin_validate_fail(struct k_spinlock *lock)
{
	(void)lock;
	__asm__ volatile("cli" : : : "memory");
	for (;;)
		cpu_relax();
}
#endif

k_spinlock_key_t k_spin_lock(struct k_spinlock *lock)
{
	k_spinlock_key_t key = irq_lock();

#ifdef CONFIG_SPINLOCK_VALIDATE
	if (lock->owner == cpu_id() + 1)
		spin_validate_fail(lock); /* recursive acquisition */
#endif
	while (__atomic_exchange_n(&lock->locked, 1, __ATOMIC_ACQUIRE))
		cpu_relax();
#ifdef CONFIG_SPINLOCK_VALIDATE
	lock->owner = cpu_id() + 1;
#endif
	return key;
}

void k_spin_unlock(struct k_spinlock *lock, k_spinlock_key_t key)
{
#ifdef CONFIG_SPINLOCK_VALIDATE
	if (lock->owner != cpu_id() + 1)
		spin_validate_fail(lock); /* released by a CPU that does not hold it */
	lock->owner = 0;
#endif
	__atomic_store_n(&lock->locked, 0, __ATOMIC_RELEASE);
	irq_unlock(key);
}
