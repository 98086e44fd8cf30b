/*
 * Secondary CPU bring-up (INIT-SIPI-SIPI to a real-mode trampoline) and the mailboxes
 * through which the boot CPU hands work to the others.
 */
#include <stdint.h>
#include <toyos/console.h>
#include <toyos/cpu.h>
#include <toyos/fatal.h>
#include <toyos/lapic.h>
#include <toyos/lib.h>
#include <toyos/smp.h>
#include <toyos/timing.h>

#define TRAMPOLINE_ADDR 0x8000u
#define FW_CFG_SELECTOR 0x510
#define FW_CFG_DATA 0x511
#define FW_CFG_SIGNATURE 0x0000
#define FW_CFG_NB_CPUS 0x0005
#define AP_START_TIMEOUT_US 5000000

struct mailbox {
	smp_work_fn fn;
	void *arg;
	volatile uint32_t doorbell;
	volatile uint32_t done;
};

struct sched_stats sched_stats;

static struct mailbox mailboxes[MAX_CPUS];
static uint32_t apic_ids[MAX_CPUS];
static uint8_t cpu_of_apic[256];
static volatile uint32_t cpus_online = 1;
static volatile uint32_t online_mask = BIT(0);

extern char ap_trampoline_start[], ap_trampoline_end[];

/*
 * The initial APIC ID from CPUID rather than the local APIC's ID register: under QEMU an
 * APIC read takes the big lock, and spinlocks ask for the CPU on every acquisition.
 */
unsigned int cpu_id(void)
{
	uint32_t eax = 1, ebx, ecx = 0, edx;

	__asm__ volatile("cpuid" : "+a"(eax), "=b"(ebx), "+c"(ecx), "=d"(edx));
	return cpu_of_apic[ebx >> 24];
}

unsigned int smp_cpus(void)
{
	return __atomic_load_n(&cpus_online, __ATOMIC_ACQUIRE);
}

uint32_t smp_online_mask(void)
{
	return __atomic_load_n(&online_mask, __ATOMIC_ACQUIRE);
}

uint32_t smp_apic_id(unsigned int cpu)
{
	return apic_ids[cpu];
}

static void run_mailbox(struct mailbox *mb)
{
	smp_work_fn fn = mb->fn;

	mb->doorbell = 0;
	fn(mb->arg);
	__atomic_store_n(&mb->done, 1, __ATOMIC_RELEASE);
}

/*
 * With IPIs the idle CPU sleeps in hlt (sti;hlt cannot miss an IPI that arrives between
 * the check and the hlt); without them it polls its doorbell.
 */
static __attribute__((noreturn)) void ap_idle(unsigned int cpu)
{
	struct mailbox *mb = &mailboxes[cpu];

	for (;;) {
		__asm__ volatile("cli" : : : "memory");
		if (__atomic_load_n(&mb->doorbell, __ATOMIC_ACQUIRE)) {
			run_mailbox(mb);
			continue;
		}
#ifdef CONFIG_IPI
		__asm__ volatile("sti; hlt" : : : "memory");
#else
		cpu_relax();
#endif
	}
}

/* Called by trampoline.S with this CPU's index, on its own stack. */
void ap_main(uint32_t cpu);

void ap_main(uint32_t cpu)
{
	uint32_t apic = lapic_id();

	idt_load();
	lapic_enable();
	apic_ids[cpu] = apic;
	cpu_of_apic[apic & 0xff] = (uint8_t)cpu;
	__atomic_fetch_or(&online_mask, BIT(cpu), __ATOMIC_SEQ_CST);
	__atomic_fetch_add(&cpus_online, 1, __ATOMIC_SEQ_CST);
	ap_idle(cpu);
}

void ipi_handler(void)
{
	__atomic_fetch_add(&sched_stats.ipis_received, 1, __ATOMIC_RELAXED);
}

#ifdef CONFIG_SMP
static uint16_t fw_cfg_read16(uint16_t key)
{
	uint16_t value;

	outw(FW_CFG_SELECTOR, key);
	value = inb(FW_CFG_DATA);
	value |= (uint16_t)inb(FW_CFG_DATA) << 8;
	return value;
}

/* QEMU's fw_cfg says how many CPUs the machine has, so bring-up need not guess with a delay. */
static unsigned int machine_cpus(void)
{
	uint16_t signature = fw_cfg_read16(FW_CFG_SIGNATURE);
	unsigned int count;

	if (signature != ('Q' | 'E' << 8))
		return MAX_CPUS;
	count = fw_cfg_read16(FW_CFG_NB_CPUS);
	return count > MAX_CPUS ? MAX_CPUS : count;
}

static void start_secondary_cpus(void)
{
	unsigned int expected = machine_cpus();

	lapic_enable();
	if (expected > 1) {
		uint64_t deadline;

		memcpy((void *)TRAMPOLINE_ADDR, ap_trampoline_start,
		       ap_trampoline_end - ap_trampoline_start);
		lapic_broadcast_init_sipi(TRAMPOLINE_ADDR >> 12);
		deadline = timing_deadline_us(AP_START_TIMEOUT_US);
		while (smp_cpus() < expected && !timing_expired(deadline))
			cpu_relax();
	}
	for (unsigned int cpu = 1; cpu < smp_cpus(); cpu++)
		LOG_INF("smp", "CPU %u online (APIC id %u)", cpu, apic_ids[cpu]);
	if (smp_cpus() < expected)
		printk("smp: only %u of %u CPUs started\n", smp_cpus(), expected);
}
#endif

void smp_init(void)
{
	apic_ids[0] = lapic_id();
	cpu_of_apic[apic_ids[0] & 0xff] = 0;
#ifdef CONFIG_SMP
	start_secondary_cpus();
#endif
	printk("smp: %u CPU%s online\n", smp_cpus(), smp_cpus() == 1 ? "" : "s");
}

void smp_post(unsigned int cpu, smp_work_fn fn, void *arg)
{
	struct mailbox *mb = &mailboxes[cpu];

	mb->fn = fn;
	mb->arg = arg;
	__atomic_store_n(&mb->done, 0, __ATOMIC_RELEASE);
}

void smp_kick(unsigned int cpu)
{
	__atomic_fetch_add(&sched_stats.kicks, 1, __ATOMIC_RELAXED);
	__atomic_store_n(&mailboxes[cpu].doorbell, 1, __ATOMIC_RELEASE);
#ifdef CONFIG_IPI
	__atomic_fetch_add(&sched_stats.ipis_sent, 1, __ATOMIC_RELAXED);
	lapic_send_ipi(apic_ids[cpu], IPI_VECTOR);
#endif
}

void smp_broadcast_kick(void)
{
	unsigned int self = cpu_id();

	__atomic_fetch_add(&sched_stats.kicks, 1, __ATOMIC_RELAXED);
	for (unsigned int cpu = 0; cpu < smp_cpus(); cpu++)
		if (cpu != self && mailboxes[cpu].fn && !mailboxes[cpu].done)
			__atomic_store_n(&mailboxes[cpu].doorbell, 1, __ATOMIC_RELEASE);
#ifdef CONFIG_IPI
	__atomic_fetch_add(&sched_stats.ipis_sent, 1, __ATOMIC_RELAXED);
	lapic_broadcast_ipi(IPI_VECTOR);
#endif
}

void smp_run_on(unsigned int cpu, smp_work_fn fn, void *arg)
{
	smp_post(cpu, fn, arg);
	smp_kick(cpu);
}

int smp_wait_done(unsigned int cpu, uint32_t timeout_us)
{
	struct mailbox *mb = &mailboxes[cpu];
	uint64_t deadline = timing_deadline_us(timeout_us);

	while (!__atomic_load_n(&mb->done, __ATOMIC_ACQUIRE)) {
		if (timing_expired(deadline)) {
			__atomic_store_n(&mb->doorbell, 0, __ATOMIC_RELEASE);
			return 0;
		}
		cpu_relax();
	}
	return 1;
}
