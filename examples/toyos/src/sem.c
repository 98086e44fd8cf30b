/*
 * Counting semaphores with direct hand-off: a give that finds a waiter keeps the
 * semaphore's lock held and passes it, with the count, straight to the waiter, which
 * releases it. No other CPU can take the count in between.
 *
 * The waiter releases a lock that another CPU acquired. That is the design, and it is
 * what CONFIG_SPINLOCK_VALIDATE's owner check rejects.
 */
#include <toyos/assert.h>
#include <toyos/cpu.h>
#include <toyos/sync.h>

void k_sem_init(struct k_sem *sem, uint32_t count)
{
	sem->lock.locked = 0;
#ifdef CONFIG_SPINLOCK_VALIDATE
	sem->lock.owner = 0;
#endif
	sem->count = count;
	sem->waiters = 0;
	sem->handoff = 0;
}

void k_sem_give(struct k_sem *sem)
{
	k_spinlock_key_t key = k_spin_lock(&sem->lock);

	if (sem->waiters > 0 && !sem->handoff) {
		__atomic_store_n(&sem->handoff, 1, __ATOMIC_RELEASE);
		irq_unlock(key); /* the lock itself now belongs to the waiter */
		return;
	}
	sem->count++;
	k_spin_unlock(&sem->lock, key);
}

void k_sem_take(struct k_sem *sem)
{
	k_spinlock_key_t key = k_spin_lock(&sem->lock);

	if (sem->count > 0) {
		sem->count--;
		k_spin_unlock(&sem->lock, key);
		return;
	}
	sem->waiters++;
	k_spin_unlock(&sem->lock, key);
	while (!__atomic_load_n(&sem->handoff, __ATOMIC_ACQUIRE))
		cpu_relax();
	sem->handoff = 0;
	__ASSERT(sem->waiters > 0, "semaphore hand-off without a waiter");
	sem->waiters--;
	k_spin_unlock(&sem->lock, key);
}
