// SPDX-License-Identifier: GPL-2.0
/*
 * Real lockdep, atomic-sleep and kmemleak reports for the crash corpus. LKDTM in 6.1
 * has no crash type that makes lockdep or kmemleak speak, so this module makes the
 * mistakes kernel engineers meet most, one per load: `insmod corpus_mistakes.ko
 * mistake=NAME`. Nothing here deadlocks for real; lockdep reports a mistake the first
 * time it sees the dependency, which is what makes these reports reproducible.
 */
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/spinlock.h>
#include <linux/delay.h>
#include <linux/timer.h>
#include <linux/rcupdate.h>
#include <linux/slab.h>

static char *mistake = "circular";
module_param(mistake, charp, 0400);
MODULE_PARM_DESC(mistake, "circular, recursive, softirq, sleep, unlock, rcu or leak");

static DEFINE_MUTEX(corpus_lock_a);
static DEFINE_MUTEX(corpus_lock_b);

/* A then B, later B then A: the classic ABBA order inversion. */
static noinline void corpus_lockdep_circular(void)
{
	mutex_lock(&corpus_lock_a);
	mutex_lock(&corpus_lock_b);
	mutex_unlock(&corpus_lock_b);
	mutex_unlock(&corpus_lock_a);

	mutex_lock(&corpus_lock_b);
	mutex_lock(&corpus_lock_a);
	mutex_unlock(&corpus_lock_a);
	mutex_unlock(&corpus_lock_b);
}

struct corpus_node {
	struct mutex lock;
};

/* Two locks of one class (one init site) nested without a subclass annotation. */
static noinline void corpus_lockdep_recursive(void)
{
	struct corpus_node *nodes = kcalloc(2, sizeof(*nodes), GFP_KERNEL);
	int i;

	if (!nodes)
		return;
	for (i = 0; i < 2; i++)
		mutex_init(&nodes[i].lock);
	mutex_lock(&nodes[0].lock);
	mutex_lock(&nodes[1].lock);
	mutex_unlock(&nodes[1].lock);
	mutex_unlock(&nodes[0].lock);
	kfree(nodes);
}

static DEFINE_SPINLOCK(corpus_stats_lock);
static struct timer_list corpus_timer;

static void corpus_timer_fn(struct timer_list *t)
{
	spin_lock(&corpus_stats_lock);
	spin_unlock(&corpus_stats_lock);
}

/* A lock taken in a timer (softirq) and in process context with softirqs enabled. */
static noinline void corpus_lockdep_softirq(void)
{
	spin_lock(&corpus_stats_lock);
	spin_unlock(&corpus_stats_lock);
	timer_setup(&corpus_timer, corpus_timer_fn, 0);
	mod_timer(&corpus_timer, jiffies + 1);
	msleep(200);
	del_timer_sync(&corpus_timer);
}

/* Sleeping with a spinlock held. */
static noinline void corpus_lockdep_sleep(void)
{
	spin_lock(&corpus_stats_lock);
	msleep(1);
	spin_unlock(&corpus_stats_lock);
}

/* Releasing a mutex that was never taken. */
static noinline void corpus_lockdep_unlock(void)
{
	mutex_unlock(&corpus_lock_a);
}

struct corpus_config {
	int value;
};

static struct corpus_config __rcu *corpus_config_ptr;

/* Dereferencing an RCU pointer outside any read-side critical section. */
static noinline void corpus_lockdep_rcu(void)
{
	struct corpus_config *config = rcu_dereference(corpus_config_ptr);

	if (config)
		pr_info("corpus_mistakes: value %d\n", config->value);
}

struct corpus_request {
	struct list_head node;
	char payload[200];
};

static LIST_HEAD(corpus_requests);

/* Drops the list's only reference to its requests without freeing them. */
static noinline void corpus_leak_requests(void)
{
	int i;

	for (i = 0; i < 4; i++) {
		struct corpus_request *req = kzalloc(sizeof(*req), GFP_KERNEL);

		if (req)
			list_add(&req->node, &corpus_requests);
	}
	INIT_LIST_HEAD(&corpus_requests);
}

/* Each mistake, by the name `mistake=` gives it. */
static const struct {
	const char *name;
	void (*make)(void);
} corpus_mistakes[] = {
	{ "circular", corpus_lockdep_circular },
	{ "recursive", corpus_lockdep_recursive },
	{ "softirq", corpus_lockdep_softirq },
	{ "sleep", corpus_lockdep_sleep },
	{ "unlock", corpus_lockdep_unlock },
	{ "rcu", corpus_lockdep_rcu },
	{ "leak", corpus_leak_requests },
};

static int __init corpus_mistakes_init(void)
{
	size_t i;

	pr_info("corpus_mistakes: %s\n", mistake);
	for (i = 0; i < ARRAY_SIZE(corpus_mistakes); i++) {
		if (!strcmp(mistake, corpus_mistakes[i].name)) {
			corpus_mistakes[i].make();
			return 0;
		}
	}
	return -EINVAL;
}

module_init(corpus_mistakes_init);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Mistakes that lockdep and kmemleak report, for culprit's crash corpus");
