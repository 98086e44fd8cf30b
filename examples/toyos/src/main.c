#include <stdint.h>
#include <toyos/console.h>
#include <toyos/cpu.h>
#include <toyos/fatal.h>
#include <toyos/lib.h>
#include <toyos/smp.h>
#include <toyos/timing.h>
#include <toyos/ztest.h>

#define MULTIBOOT_BOOTLOADER_MAGIC 0x2badb002
#define MULTIBOOT_INFO_MEMORY (1u << 0)
#define MULTIBOOT_INFO_CMDLINE (1u << 2)
#define CMDLINE_MAX 256
#define TEST_NAME_MAX 64
#define ACPI_PM1A_CNT 0x604
#define ACPI_SLP_EN_S5 0x2000

struct multiboot_info {
	uint32_t flags;
	uint32_t mem_lower;
	uint32_t mem_upper;
	uint32_t boot_device;
	uint32_t cmdline;
};

void kernel_main(uint32_t magic, const struct multiboot_info *mbi);

static char cmdline[CMDLINE_MAX];
static char test_name[TEST_NAME_MAX];

static const struct ztest_unit units[] = {
	{ "smp_semaphore", test_smp_semaphore },
	{ "smp_mutex", test_smp_mutex },
	{ "smp_threads", test_smp_threads },
};

#ifdef CONFIG_EARLY_HANG
/* Set by the secondary CPU once it runs -- which it cannot, as nothing has started it. */
static volatile uint32_t ap_early_ready;
#endif

/* The loader's copy lives in memory nobody reserved; keep our own. */
static void save_cmdline(const struct multiboot_info *mbi)
{
	const char *src;
	int n = 0;

	if (!(mbi->flags & MULTIBOOT_INFO_CMDLINE) || !mbi->cmdline)
		return;
	src = (const char *)mbi->cmdline;
	while (src[n] && n < CMDLINE_MAX - 1) {
		cmdline[n] = src[n];
		n++;
	}
	cmdline[n] = '\0';
}

/* QEMU passes "<kernel path> <-append text>"; look for a test=NAME word anywhere. */
static const char *requested_test(void)
{
	for (int i = 0; cmdline[i]; i++) {
		int n = 0;

		if ((i > 0 && cmdline[i - 1] != ' ') || strncmp(&cmdline[i], "test=", 5) != 0)
			continue;
		for (i += 5; cmdline[i] && cmdline[i] != ' ' && n < TEST_NAME_MAX - 1; i++)
			test_name[n++] = cmdline[i];
		test_name[n] = '\0';
		return n ? test_name : 0;
	}
	return 0;
}

/* ACPI S5 through the PIIX4 PM block QEMU's pc machine puts at 0x600: QEMU exits with 0. */
static __attribute__((noreturn)) void power_off(void)
{
#ifdef CONFIG_HALT_AFTER_TESTS
	/* Like a board that never powers off: the console just goes quiet. */
	halt_forever();
#else
	outw(ACPI_PM1A_CNT, ACPI_SLP_EN_S5);
	/* QEMU acts on the request from its main loop, a moment later. */
	delay_us(500000);
	printk("toyos: power-off failed, halting\n");
	halt_forever();
#endif
}

static void early_per_cpu_setup(void)
{
#ifdef CONFIG_EARLY_FAULT
	/* Per-CPU data through %fs -- but selector 0x28 lies past the end of the GDT: #GP. */
	__asm__ volatile("movw %w0, %%fs" : : "r"(0x28) : "memory");
#endif
}

static void print_build_info(void)
{
#ifdef CONFIG_PRINT_BUILD_INFO
	printk("toyos: built with gcc %s\n", __VERSION__);
#endif
}

void kernel_main(uint32_t magic, const struct multiboot_info *mbi)
{
	const char *test;
	int ok;

	console_init();
	printk("toyos: multiboot entry\n");
	if (magic != MULTIBOOT_BOOTLOADER_MAGIC) {
		printk("toyos: not started by a multiboot loader (eax=0x%08x)\n", magic);
		halt_forever();
	}
#ifdef CONFIG_EARLY_HANG
	/* Waits for the secondary CPU before anything has started it: a silent hang. */
	__asm__ volatile("cli" : : : "memory");
	while (!ap_early_ready)
		cpu_relax();
#endif
	save_cmdline(mbi);
	idt_init();
	timing_init();
	printk("*** Booting toyos v0.1 ***\n");
	print_build_info();
#ifdef CONFIG_PRINT_CMDLINE
	printk("toyos: cmdline: %s\n", cmdline);
#endif
#ifdef CONFIG_PRINT_MEMORY_MAP
	if (mbi->flags & MULTIBOOT_INFO_MEMORY)
		printk("toyos: memory: %u KiB low, %u KiB high\n", mbi->mem_lower, mbi->mem_upper);
#endif
	LOG_DBG("timing", "TSC runs at %u ticks/ms", timing_ticks_per_ms());
	early_per_cpu_setup();
	smp_init();
	test = requested_test();
	ok = ztest_run("toyos", units, sizeof(units) / sizeof(units[0]), test);
#ifdef CONFIG_SCHED_STATS
	printk("toyos: sched stats: kicks=%u ipis_sent=%u ipis_received=%u\n", sched_stats.kicks,
	       sched_stats.ipis_sent, sched_stats.ipis_received);
#endif
	printk("===================================================================\n");
	printk("PROJECT EXECUTION %s\n", ok ? "SUCCESSFUL" : "FAILED");
	power_off();
}
