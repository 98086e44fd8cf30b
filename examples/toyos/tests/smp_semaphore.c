/*
 * Ping-pong between CPU 0 and CPU 1 through two semaphores. CPU 0 waits until CPU 1 is
 * blocked before the first give, so at least that give takes the hand-off path.
 */
#include <toyos/console.h>
#include <toyos/cpu.h>
#include <toyos/sync.h>
#include <toyos/timing.h>
#include <toyos/ztest.h>

#define ROUNDS 5
#define TIMEOUT_US 5000000

static struct k_sem ping, pong;
static volatile uint32_t rounds_seen;

static void ponger(void *arg)
{
	(void)arg;
	for (int i = 0; i < ROUNDS; i++) {
		k_sem_take(&ping);
		rounds_seen++;
		k_sem_give(&pong);
	}
}

void test_smp_semaphore(void)
{
	uint64_t deadline;

	k_sem_init(&ping, 0);
	k_sem_init(&pong, 0);
	rounds_seen = 0;
	if (smp_cpus() < 2) {
		/* One CPU: the count path only, give then take. */
		for (int i = 0; i < ROUNDS; i++) {
			k_sem_give(&ping);
			k_sem_take(&ping);
			rounds_seen++;
		}
		zassert_equal(rounds_seen, ROUNDS, "%u rounds of %u", rounds_seen, ROUNDS);
		return;
	}
	smp_run_on(1, ponger, 0);
	deadline = timing_deadline_us(TIMEOUT_US);
	while (!__atomic_load_n(&ping.waiters, __ATOMIC_ACQUIRE) && !timing_expired(deadline))
		cpu_relax();
	zassert_true(ping.waiters == 1, "CPU 1 never blocked on the semaphore");
	for (int i = 0; i < ROUNDS; i++) {
		k_sem_give(&ping);
		k_sem_take(&pong);
	}
	zassert_true(smp_wait_done(1, TIMEOUT_US), "CPU 1 did not finish");
	zassert_equal(rounds_seen, ROUNDS, "%u rounds of %u", rounds_seen, ROUNDS);
#ifdef CONFIG_ZTEST_VERBOSE
	printk("  smp_semaphore: %u rounds between CPU 0 and CPU 1\n", rounds_seen);
#endif
}
