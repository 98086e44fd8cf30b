/*
 * One thread started on CPU 1 and one on CPU 0, each summing a range. Each must run
 * exactly once, on the CPU it was started on.
 */
#include <toyos/console.h>
#include <toyos/sync.h>
#include <toyos/ztest.h>

#define TERMS 1000
#define EXPECTED_SUM (TERMS * (TERMS + 1) / 2)
#define TIMEOUT_US 1000000

struct work {
	volatile uint32_t sum;
};

static struct k_thread remote, local;
static struct work remote_work, local_work;

static void summer(void *arg)
{
	struct work *work = arg;
	uint32_t sum = 0;

	for (uint32_t i = 1; i <= TERMS; i++)
		sum += i;
	work->sum = sum;
}

void test_smp_threads(void)
{
	unsigned int target = smp_cpus() > 1 ? 1 : 0;

	remote_work.sum = 0;
	local_work.sum = 0;
	k_thread_init(&remote, "smp_threads_remote", summer, &remote_work);
	k_thread_init(&local, "smp_threads_local", summer, &local_work);
	k_thread_start(&remote, target);
	k_thread_start(&local, 0);
	zassert_true(k_thread_join(&local, TIMEOUT_US), "thread %s did not finish", local.name);
	zassert_true(k_thread_join(&remote, TIMEOUT_US), "thread %s never ran on CPU %u",
		     remote.name, target);
	zassert_equal(remote.runs, 1, "thread %s ran %u times", remote.name, remote.runs);
	zassert_equal(remote.ran_on, target, "thread %s ran on CPU %u, not %u", remote.name,
		      remote.ran_on, target);
	zassert_equal(remote_work.sum, EXPECTED_SUM, "sum %u", remote_work.sum);
	zassert_equal(local_work.sum, EXPECTED_SUM, "sum %u", local_work.sum);
#ifdef CONFIG_ZTEST_VERBOSE
	printk("  smp_threads: %s on CPU %u, %s on CPU %u\n", remote.name, remote.ran_on,
	       local.name, local.ran_on);
#endif
}
