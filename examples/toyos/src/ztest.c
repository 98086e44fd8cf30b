/* Output shaped like Zephyr's ztest, so tools that read Zephyr consoles read this one. */
#include <stdarg.h>
#include <stdint.h>
#include <toyos/console.h>
#include <toyos/cpu.h>
#include <toyos/lib.h>
#include <toyos/timing.h>
#include <toyos/ztest.h>

#define MAX_UNITS 8

static const char *current;
static int current_failed;

const char *ztest_current(void)
{
	return current;
}

void ztest_fail(const char *expr, const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	current_failed = 1;
	printk("ASSERTION FAIL [%s] @ %s:%d\n", expr, file, line);
#ifdef CONFIG_ASSERT_VERBOSE
	printk("\t");
	va_start(ap, fmt);
	vprintk(fmt, ap);
	va_end(ap);
	printk("\n");
#else
	(void)fmt;
	(void)ap;
#endif
}

static void separator(void)
{
#ifdef CONFIG_ZTEST_SEPARATORS
	printk("===================================================================\n");
#endif
}

static void print_seconds(uint32_t ms)
{
	printk("%u.%03u seconds", ms / 1000, ms % 1000);
}

struct result {
	int ran;
	int failed;
	uint32_t ms;
};

static void print_summary(const char *suite, const struct ztest_unit *units,
			  const struct result *results, int count, int passes, int failures)
{
#ifdef CONFIG_ZTEST_SUMMARY
	uint32_t suite_ms = 0, rate = (uint32_t)passes * 10000 / (uint32_t)(passes + failures);

	for (int i = 0; i < count; i++)
		suite_ms += results[i].ms;
	printk("\n------ TESTSUITE SUMMARY START ------\n\n");
	printk("SUITE %s - %u.%02u%% [%s]: pass = %d, fail = %d, skip = 0, total = %d "
	       "duration = ",
	       failures ? "FAIL" : "PASS", rate / 100, rate % 100, suite, passes, failures,
	       passes + failures);
	print_seconds(suite_ms);
	printk("\n");
	for (int i = 0; i < count; i++) {
		if (!results[i].ran)
			continue;
		printk(" - %s - [%s.%s] duration = ", results[i].failed ? "FAIL" : "PASS", suite,
		       units[i].name);
		print_seconds(results[i].ms);
		printk("\n");
	}
	printk("\n------ TESTSUITE SUMMARY END ------\n\n");
#else
	(void)suite;
	(void)units;
	(void)results;
	(void)count;
	(void)passes;
	(void)failures;
#endif
}

int ztest_run(const char *suite, const struct ztest_unit *units, int count, const char *name)
{
	struct result results[MAX_UNITS] = { 0 };
	int passes = 0, failures = 0;

	if (count > MAX_UNITS)
		count = MAX_UNITS;
	printk("Running TESTSUITE %s\n", suite);
	separator();
	for (int i = 0; i < count; i++) {
		uint64_t start;

		if (name && strncmp(name, units[i].name, strlen(units[i].name) + 1) != 0)
			continue;
		current = units[i].name;
		current_failed = 0;
		printk("START - %s\n", units[i].name);
		start = rdtsc();
		units[i].fn();
		results[i].ms = timing_ms_between(start, rdtsc());
		results[i].ran = 1;
		results[i].failed = current_failed;
		if (current_failed)
			failures++;
		else
			passes++;
		printk(" %s - %s in ", current_failed ? "FAIL" : "PASS", units[i].name);
		print_seconds(results[i].ms);
		printk("\n");
		separator();
		current = 0;
	}
	if (passes + failures == 0) {
		printk("toyos: no test named '%s'\n", name ? name : "");
		return 0;
	}
	printk("TESTSUITE %s %s\n", suite, failures ? "failed" : "succeeded");
	print_summary(suite, units, results, count, passes, failures);
	return failures == 0;
}
