/*
 * Mutexes that hand ownership to the longest waiter on unlock. A waiter spins on the
 * owner field; with CONFIG_IPI the unlocker also sends it a wake-up IPI, aimed with the
 * waiter's CPU mask when CONFIG_CPU_MASK tracks one.
 */
#include <toyos/assert.h>
#include <toyos/cpu.h>
#include <toyos/lapic.h>
#include <toyos/sync.h>

#ifdef CONFIG_BIG_BUFFER
/*
 * Recent lock owners for post-mortem dumps. Initialised, so all 64 KiB sit in .data of
 * this otherwise small object.
 */
uint8_t mutex_trace[65536] = { [0] = 0xa5 };
static volatile uint32_t mutex_trace_pos;

static void trace_owner(unsigned int cpu)
{
	mutex_trace[__atomic_fetch_add(&mutex_trace_pos, 1, __ATOMIC_RELAXED) & 0xffff] = cpu;
}
#else
static void trace_owner(unsigned int cpu)
{
	(void)cpu;
}
#endif

void k_mutex_init(struct k_mutex *mutex)
{
	mutex->lock.locked = 0;
#ifdef CONFIG_SPINLOCK_VALIDATE
	mutex->lock.owner = 0;
#endif
	mutex->owner = 0;
	mutex->waiters = 0;
	mutex->waitq_head = 0;
#ifdef CONFIG_CPU_MASK
	mutex->waiter_mask = 0;
#endif
#ifdef CONFIG_MUTEX_STATS
	mutex->contended = 0;
#endif
}

void k_mutex_lock(struct k_mutex *mutex)
{
	unsigned int self = cpu_id();
	k_spinlock_key_t key = k_spin_lock(&mutex->lock);

	if (!mutex->owner) {
		mutex->owner = self + 1;
		k_spin_unlock(&mutex->lock, key);
		trace_owner(self);
		return;
	}
	mutex->waitq[(mutex->waitq_head + mutex->waiters) % MAX_CPUS] = self;
	mutex->waiters++;
#ifdef CONFIG_CPU_MASK
	mutex->waiter_mask |= BIT(self);
#endif
#ifdef CONFIG_MUTEX_STATS
	mutex->contended++;
#endif
	k_spin_unlock(&mutex->lock, key);
	while (__atomic_load_n(&mutex->owner, __ATOMIC_ACQUIRE) != self + 1)
		cpu_relax();
	trace_owner(self);
}

static unsigned int dequeue_waiter(struct k_mutex *mutex)
{
	unsigned int cpu = mutex->waitq[mutex->waitq_head];

	mutex->waitq_head = (mutex->waitq_head + 1) % MAX_CPUS;
	mutex->waiters--;
#ifdef CONFIG_CPU_MASK
	mutex->waiter_mask &= ~BIT(cpu);
#endif
	return cpu;
}

#ifdef CONFIG_IPI
static volatile uint32_t wake_rotor;

/* Not __builtin_popcount: without POPCNT that is a libgcc call, and there is no libgcc. */
static uint32_t cpu_count(uint32_t mask)
{
	uint32_t count = 0;

	for (unsigned int cpu = 0; cpu < MAX_CPUS; cpu++)
		count += (mask >> cpu) & 1;
	return count;
}

/*
 * Spreads wake-ups over the CPUs a waiter may run on: the n-th wake goes to the
 * (n mod count)-th CPU of the mask.
 */
static void wake_cpus(uint32_t mask)
{
	uint32_t candidates = mask & smp_online_mask();
	uint32_t slot = wake_rotor++ % cpu_count(candidates);

	for (unsigned int cpu = 0; cpu < MAX_CPUS; cpu++) {
		if (!(candidates & BIT(cpu)))
			continue;
		if (slot-- == 0) {
			__atomic_fetch_add(&sched_stats.ipis_sent, 1, __ATOMIC_RELAXED);
			lapic_send_ipi(smp_apic_id(cpu), IPI_VECTOR);
			return;
		}
	}
}
#endif

static void wake(struct k_mutex *mutex, unsigned int cpu)
{
#if defined(CONFIG_IPI) && defined(CONFIG_CPU_MASK)
	/* Read after dequeue_waiter() cleared the woken CPU's bit: empty for a lone waiter. */
	(void)cpu;
	wake_cpus(mutex->waiter_mask);
#elif defined(CONFIG_IPI)
	(void)mutex;
	wake_cpus(BIT(cpu));
#else
	(void)mutex;
	(void)cpu;
#endif
}

void k_mutex_unlock(struct k_mutex *mutex)
{
	k_spinlock_key_t key = k_spin_lock(&mutex->lock);

	__ASSERT(mutex->owner == cpu_id() + 1, "mutex unlocked by a CPU that does not own it");

	if (mutex->waiters) {
		unsigned int next = dequeue_waiter(mutex);

		__atomic_store_n(&mutex->owner, next + 1, __ATOMIC_RELEASE);
		wake(mutex, next);
	} else {
		__atomic_store_n(&mutex->owner, 0, __ATOMIC_RELEASE);
	}
	k_spin_unlock(&mutex->lock, key);
}
