/*
 * Thread starts on a chosen CPU: post the thread to that CPU's mailbox, then kick it.
 * Starting on the calling CPU runs the thread at once.
 */
#include <toyos/cpu.h>
#include <toyos/sync.h>

static void thread_entry(void *arg)
{
	struct k_thread *thread = arg;

	__atomic_fetch_add(&thread->runs, 1, __ATOMIC_SEQ_CST);
	thread->ran_on = cpu_id();
	thread->entry(thread->arg);
}

void k_thread_init(struct k_thread *thread, const char *name, smp_work_fn entry, void *arg)
{
#ifdef CONFIG_THREAD_NAMES
	thread->name = name;
#else
	(void)name;
	thread->name = "thread";
#endif
	thread->entry = entry;
	thread->arg = arg;
	thread->cpu = 0;
	thread->runs = 0;
	thread->ran_on = 0;
}

#ifdef CONFIG_FLAKY_IPI
/*
 * Models an IPI lost in delivery: the start kick is dropped about one start in two. The
 * coin is the top bit of a multiplicative hash of the TSC, so it depends on every low
 * bit; under TCG the TSC follows the host's clock and differs from boot to boot.
 */
static int kick_lost(void)
{
	return ((uint32_t)rdtsc() * 0x9e3779b9u) >> 31;
}
#else
static int kick_lost(void)
{
	return 0;
}
#endif

void k_thread_start(struct k_thread *thread, unsigned int cpu)
{
	thread->cpu = cpu;
	if (cpu == cpu_id() || cpu >= smp_cpus()) {
		thread->cpu = cpu_id();
		thread_entry(thread);
		return;
	}
	smp_post(cpu, thread_entry, thread);
#ifdef CONFIG_IPI_BROADCAST
	/*
	 * One broadcast reaches every CPU with a start pending. The sender counts itself
	 * among the receivers and handles its copy inline by running the started thread,
	 * which the target CPU runs as well.
	 */
	if (!kick_lost())
		smp_broadcast_kick();
	thread_entry(thread);
#else
	if (kick_lost())
		return;
	smp_kick(cpu);
#endif
}

int k_thread_join(struct k_thread *thread, uint32_t timeout_us)
{
	if (thread->cpu == cpu_id())
		return 1;
	return smp_wait_done(thread->cpu, timeout_us);
}
