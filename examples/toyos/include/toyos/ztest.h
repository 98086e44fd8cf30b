/* A ztest-shaped runner: START/PASS/FAIL lines and a suite summary Zephyr tooling recognises. */
#ifndef TOYOS_ZTEST_H
#define TOYOS_ZTEST_H

struct ztest_unit {
	const char *name;
	void (*fn)(void);
};

void ztest_fail(const char *expr, const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* Runs the named test, or every test when name is null; nonzero when all ran and passed. */
int ztest_run(const char *suite, const struct ztest_unit *units, int count, const char *name);
const char *ztest_current(void);

/* Test functions return void, so a failed assertion records and returns. */
#define ztest_check(cond, text, ...)                                                    \
	do {                                                                            \
		if (!(cond)) {                                                          \
			ztest_fail(text, __FILE_NAME__, __LINE__, __VA_ARGS__);          \
			return;                                                         \
		}                                                                       \
	} while (0)
#define zassert_true(cond, ...) ztest_check(cond, #cond, __VA_ARGS__)
#define zassert_equal(a, b, ...) ztest_check((a) == (b), #a " == " #b, __VA_ARGS__)

void test_smp_semaphore(void);
void test_smp_mutex(void);
void test_smp_threads(void);

#endif
