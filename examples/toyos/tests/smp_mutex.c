/*
 * Both CPUs increment one counter under a mutex. CPU 0 holds the mutex until CPU 1 is
 * queued on it, so the first unlock hands ownership over to a waiter.
 */
#include <toyos/console.h>
#include <toyos/cpu.h>
#include <toyos/sync.h>
#include <toyos/timing.h>
#include <toyos/ztest.h>

#define ROUNDS 5
#define TIMEOUT_US 5000000

static struct k_mutex mutex;
static volatile uint32_t counter;

static void incrementer(void *arg)
{
	(void)arg;
	for (int i = 0; i < ROUNDS; i++) {
		k_mutex_lock(&mutex);
		counter++;
		k_mutex_unlock(&mutex);
	}
}

void test_smp_mutex(void)
{
	uint64_t deadline;

	k_mutex_init(&mutex);
	counter = 0;
	if (smp_cpus() < 2) {
		incrementer(0);
		incrementer(0);
		zassert_equal(counter, 2 * ROUNDS, "counter %u, expected %u", counter, 2 * ROUNDS);
		return;
	}
	k_mutex_lock(&mutex);
	smp_run_on(1, incrementer, 0);
	deadline = timing_deadline_us(TIMEOUT_US);
	while (!__atomic_load_n(&mutex.waiters, __ATOMIC_ACQUIRE) && !timing_expired(deadline))
		cpu_relax();
	zassert_true(mutex.waiters == 1, "CPU 1 never queued on the mutex");
	counter++;
	k_mutex_unlock(&mutex);
	for (int i = 1; i < ROUNDS; i++) {
		k_mutex_lock(&mutex);
		counter++;
		k_mutex_unlock(&mutex);
	}
	zassert_true(smp_wait_done(1, TIMEOUT_US), "CPU 1 did not finish");
	zassert_equal(counter, 2 * ROUNDS, "counter %u, expected %u", counter, 2 * ROUNDS);
#ifdef CONFIG_MUTEX_STATS
	printk("  smp_mutex: %u contended acquisitions\n", mutex.contended);
#endif
#if defined(CONFIG_MUTEX_STATS) && defined(CONFIG_ZTEST_VERBOSE)
	/*
	 * The verbose report waits until the statistics cover every acquisition, but only
	 * contended ones are counted (CPU 0's first lock never is): it waits forever.
	 */
	while (__atomic_load_n(&mutex.contended, __ATOMIC_ACQUIRE) < 2 * ROUNDS)
		cpu_relax();
#endif
#ifdef CONFIG_ZTEST_VERBOSE
	printk("  smp_mutex: counter %u after %u rounds on each CPU\n", counter, ROUNDS);
#endif
}
