//! Which function a crash report blames, per report class.
//!
//! A report names many functions, and most of them are machinery: the code that
//! printed the report (`dump_stack_lvl`, `__warn`), the checker that noticed the
//! bug (`kasan_report`, `refcount_warn_saturate`, `__list_add_valid`), the helper
//! the buggy code called (`memcpy`, `_copy_to_user`, `mutex_lock`), the fault
//! entry code or the interrupt that raised it. A kernel engineer reads past all
//! of these to the first function that is the bug's own, and the title names it,
//! so that the same bug gives the same title whichever helper it went through and
//! two bugs in two functions never share one.
//!
//! Each report class reads its frames its own way ([`Pick`]): most take the first
//! function that is neither [`REPORTING`] nor one of the [`HELPERS`], [`ALLOCATORS`]
//! or [`WAITS`] the buggy code called; a report of sleeping in atomic context
//! blames the function that sleeps, helper or not; a stall or lockup
//! is blamed on the code running under the first [`DISPATCH`] frame or syscall,
//! which stays the same wherever in a stuck loop the timer interrupt landed.

use regex::bytes::{RegexSet, RegexSetBuilder, SetMatches};
use std::sync::LazyLock;

/// The code that notices and prints a report, as anchored regexes over the
/// function name (compiler suffixes already dropped): no report class blames
/// it. Every entry is exercised by a test log (`tests/corpus/`, `tests/snippets/`
/// or the shared crash corpus).
pub(crate) const REPORTING: &[&str] = &[
    // printk, dump_stack and the WARN/BUG/panic plumbing that prints the report
    r"dump_stack(_lvl)?|__dump_stack|show_stack|show_regs|show_trace_log_lvl|dump_backtrace|__show_regs|printk|vprintk.*",
    r"__warn|warn_slowpath_.*|__warn_printk|report_bug|handle_bug|fixup_bug|do_invalid_op|invalid_op|do_error_trap",
    r"panic|__panic|vpanic|panic_\w+|nmi_panic|check_panic_on_warn|__stack_chk_fail|__stack_chk_fail_local",
    r"die|__die|__die_body|oops_end|die_kernel_fault|bug_handler|call_break_hook|brk_handler",
    r"kdb_backtrace|db_trace_self(_wrapper)?|kassert_panic|db_enter|db_ktrap|kerntrap|kpageflttrap|alltraps_kern(_meltdown)?|__assert",
    // fault and exception entry code: where the CPU trapped, not what trapped it
    r"(asm_)?exc_.*|do_trap|handle_invalid_op|page_fault|async_page_fault|general_protection|do_general_protection",
    r"page_fault_oops|kernelmode_fixup_or_oops|(__)?bad_area_nosemaphore|(__)?do_user_addr_fault|do_kern_addr_fault|handle_page_fault|spurious_kernel_fault|no_context|__do_page_fault|fixup_exception",
    r"__do_kernel_fault|do_page_fault|do_translation_fault|do_mem_abort|do_el1_undef|do_el1_bti|do_tag_check_fault|do_bad_area|el1_(abort|undef|dbg|da|ia|pc|inv|bti)|el1h_64_sync(_handler)?|el1_sync(_handler)?|do_alignment|do_DataAbort|__dabt_svc|__irq_svc",
    r"trap_fatal|trap_pfault|calltrap|trap|alltraps",
    r"fortify_panic|__fortify_report|__fortify_panic",
    // Zircon's panic and exception paths
    r"platform_halt|_panic|exception_die|x86_exception_handler|handle_exception_types|interrupt_common",
    // interrupt, timer, NMI and watchdog machinery that raised the report
    r"(asm_)?sysvec_.*|__sysvec_.*|irq_exit_rcu|__irq_exit_rcu|(asm_)?common_interrupt|(smp_|local_)?(trace_)?apic_timer_interrupt(_entry\w*)?|exiting_irq|handle_irq|do_IRQ|ret_from_intr|retint_kernel",
    r"hrtimer_interrupt|__hrtimer_run_queues|__run_hrtimer|tick_sched_timer|tick_sched_handle|update_process_times|tick_nohz_handler",
    r"watchdog_timer_fn|watchdog_overflow_callback|__perf_event_overflow|perf_event_nmi_handler|nmi_handle|default_do_nmi|(asm_)?exc_nmi|perf_ibs_nmi_handler|do_nmi|end_repeat_nmi|nmi",
    r"rcu_sched_clock_irq|rcu_check_callbacks|rcu_pending|print_cpu_stall|check_cpu_stall|rcu_dump_cpu_stacks|print_other_cpu_stall|rcu_check_gp_kthread_starvation|rcu_print_task_stall|rcu_gp_kthread|rcu_gp_fqs_loop",
    r"nmi_cpu_backtrace(_handler)?|nmi_trigger_cpumask_backtrace|arch_trigger_cpumask_backtrace|trigger_single_cpu_backtrace|dump_cpu_task|sched_show_task|show_stack_log_lvl|check_hung_uninterruptible_tasks|watchdog",
    // the scheduler: a task that sleeps or is preempted is not where the bug is
    r"__schedule|schedule|__schedule_bug|schedule_debug.*|preempt_schedule.*|__cond_resched|_cond_resched|context_switch|finish_task_switch|__switch_to(_asm)?|resched_curr",
    // lockdep and the might-sleep checks: the checkers themselves
    r"lockdep_.*|debug_check_no_locks_.*|debug_show_held_locks|print_lock|print_lockdep_.*|lockdep_print_held_locks|debug_lockdep_rcu_enabled|find_held_lock",
    r"check_noncircular|check_prev_add|check_prevs_add|validate_chain|print_circular_bug.*|check_deadlock|print_deadlock_bug|check_irq_usage|print_bad_irq_dependency|check_usage|check_usage_(backwards|forwards)|__lock_is_held|lock_is_held",
    r"mark_lock.*|print_usage_bug|valid_state|mark_usage|mark_held_locks|register_lock_class|look_up_lock_class|print_unlock_imbalance_bug|print_held_locks_bug|trace_hardirqs_.*|__lock_page.*|__bpf_trace_.*|perf_trace_.*|trace_event_raw_event_.*",
    r"rcu_read_lock_held.*|rcu_read_lock_sched_held|rcu_read_lock_bh_held|__might_resched|__might_sleep|___might_sleep|__might_fault|might_fault|__cant_sleep|__cant_migrate|check_preemption_disabled|debug_smp_processor_id|__this_cpu_preempt_check",
    // sanitizer runtimes: KASAN, KMSAN, KCSAN, KFENCE, UBSAN, coverage, fault injection
    r"_*kasan_.*|_*asan_.*|_*hwasan_.*|stack_trace_consume_entry|arch_stack_walk|walk_stackframe|_sched_show_task|check_memory_region.*|check_region_inline|print_report|print_address_description.*|describe_object.*|kasan|save_stack|set_track|depot_save_stack|__save_stack_trace|save_stack_trace.*|stack_trace_save.*|unwind_.*|__unwind_start|kernel_text_address|__kernel_text_address",
    r"ubsan_.*|__ubsan_handle_.*|__sanitizer_cov_trace_.*|__sanitizer_.*|kmsan_.*|__msan_.*|kcsan_.*|__tsan_.*|kfence_.*|__kfence_.*|should_fail.*|__should_fail|fail_dump|should_failslab",
    // Go runtime: panics, throws and the race detector's own frames
    r"runtime\..*|race\..*|atomic\..*",
    // Zephyr's fault handlers and thread trampoline: where the CPU trapped, not the bug
    r"z_fatal_error|z_arm_fault|z_arm_fatal_error|z_arm64_fatal_error|z_riscv_fatal_error(_csf)?|z_x86_fatal_error|k_sys_fatal_error_handler|arch_system_halt",
    r"z_thread_entry|z_arm_usage_fault|z_arm_bus_fault|z_arm_mpu_fault|z_arm_hard_fault|_isr_wrapper",
];

/// Locks: the code that takes one is where a deadlock, a hang on it or a
/// scheduling in atomic context is, not the lock itself.
pub(crate) const LOCKS: &[&str] = &[
    // spinlocks, mutexes, rwsems and lockdep's hooks; not `rtnl_lock`, whose
    // hangs and deadlocks are a class of their own that the kernel's engineers
    // know by that name
    r"_raw_(spin|read|write)_.*|do_raw_(spin|read|write)_.*|spin_bug|spin_dump|__spin_lock_debug|(raw_)?spin_(lock|unlock|trylock).*|(read|write)_(lock|unlock).*",
    r"(native_|__pv_)?queued_(spin|read|write)_lock_slowpath|osq_lock|(__)?task_rq_lock|raw_spin_rq_lock\w*|_?double_rq_lock|mutex_optimistic_spin|mutex_spin_on_owner|__mutex_lock.*|mutex_lock.*|mutex_unlock.*|mutex_trylock.*|__mutex_unlock_slowpath.*|__rt_mutex_.*|rt_mutex_.*|ww_mutex_.*",
    r"(__)?down_\w+|__?mutex_\w+|_atomic_dec_and_(raw_)?lock.*|atomic_dec_and_(raw_)?(mutex_)?lock.*|rwsem_down_.*|call_rwsem_.*|__down.*|down|up_read|up_write|up|percpu_down_.*|percpu_up_.*|__percpu_down_.*|rwsem_.*",
    r"lock_acquire|lock_release|lock_acquired|lock_contended|__lock_acquire|__lock_release|lock_is_held_type|lock_sync",
    // FreeBSD's mutexes, sx and rw locks, with their debug checks
    r"_*mtx_\w+|_*sx_\w+|_*rw_(r|w)lock\w*|_*rw_(r|w)unlock\w*|_*rw_destroy|thread_lock_flags_|witness_\w+|lock_destroy",
];

/// Subsystem locks that wrap the primitives: a hang or deadlock in one is its
/// caller's, but a sleep in atomic context in one is its own (it is the
/// function that may sleep).
pub(crate) const LOCK_WRAPPERS: &[&str] = &[
    // sockets, the console, ttys, pages and inodes
    r"lock_sock(_nested)?|release_sock|__lock_sock|lock_sock_fast|console_(lock|unlock|trylock)|tty_(lock|unlock).*|(un)?lock_page|folio_(un)?lock.*|__folio_lock.*|inode_(lock|unlock).*",
];

/// Helpers the buggy code called: lists, memory and string helpers, the device
/// model, entry code. A report in one is the caller's bug, except where the
/// class says the helper itself is wrong (sleeping in atomic context).
pub(crate) const HELPERS: &[&str] = &[
    // busy-wait delays: the caller is the one spinning
    r"__delay|delay_tsc|delay_loop|delay_halt.*|__const_udelay|__udelay|__ndelay|cpu_relax",
    // list, refcount, kobject and debug-object helpers: they detect the bug, their caller made it
    r"__list_(add|del)_valid.*|__list_del_entry_valid.*|__list_del_entry|__list_add|list_(add|del).*|__list_add_rcu|hlist_.*",
    r"refcount_warn_saturate|refcount_.*|__refcount_.*|kref_(get|put).*|kobject_\w+|sysfs_(remove|create)_.*|sysfs_warn_dup",
    r"debug_print_object|debug_object_.*|__debug_object_.*|debug_objects_.*|__debug_check_no_obj_freed|debug_check_no_obj_freed",
    // the allocator's free paths: the caller freed what it should not have
    r"kfree|kvfree|vfree|__vfree|(__)?vunmap|kmem_cache_free|__kmem_cache_free|slab_free.*|__slab_free|kfree_sensitive|kfree_rcu|free_large_kmalloc|kfree_skb(_reason)?|consume_skb|__kfree_skb|skb_release_.*|__free_pages.*|free_pages.*|__cache_free|___cache_free|cache_free_debugcheck|free_debug_processing",
    // memory helpers, string helpers and fortified wrappers: the caller passed the bad pointer
    r"(__)?mem(cpy|move|set|cmp|chr|dup|scan)(_.*)?|bcmp|__memcpy_flushcache|memcpy_(to|from)(io|_page)|(__)?(test_|__test_)?(and_)?(set|clear|change)_bit.*|test_bit|find_(first|next)_(zero_)?bit",
    r"str(len|nlen|cpy|ncpy|scpy|cmp|ncmp|cat|ncat|lcpy|lcat|chr|rchr|str|nstr|sep|casecmp|ncasecmp|dup|ndup)|sized_strscpy|strscpy_pad|string|vsnprintf|snprintf|sprintf|vscnprintf|scnprintf|kvasprintf|kasprintf|kstrto.*|simple_strto.*",
    // usercopy helpers and the hardened-usercopy checks
    r"_?copy_(to|from)_user.*|__copy_(to|from)_user.*|copy_user_.*|rep_movs_alternative|raw_copy_.*|__arch_copy_.*|_copy_(to|from)_iter|copy_(to|from)_iter.*|copyin|copyout|__get_user_.*|__put_user_.*|get_user_pages.*|__get_user_pages.*",
    r"(__)?check_object_size|check_heap_object|__check_heap_object|usercopy_abort|check_stack_object|__virt_addr_valid|strncpy_from_user|strnlen_user|__check_object_size",
    // retpoline and return thunks
    r"__x86_indirect_(call_|jump_)?thunk_.*|__x86_return_thunk|srso_.*",
    // syscall and task entry: below them is userspace or the scheduler
    r"do_syscall_(64|x64|32_irqs_on)|do_fast_syscall_32|do_int80_syscall_32|entry_SYSCALL_64.*|entry_INT80.*|entry_SYSENTER.*|sysenter_.*|syscall_return_slowpath|exit_to_usermode_loop|prepare_exit_to_usermode",
    r"el0_svc.*|el0t_64_sync.*|invoke_syscall|do_el0_svc|ret_fast_syscall|syscall_exit_to_user_mode|exit_to_user_mode_prepare|exit_to_user_mode_loop",
    r"ret_from_fork(_asm)?|kthread|smpboot_thread_fn|cpu_startup_entry|do_idle|start_secondary|secondary_startup_64.*|start_kernel|x86_64_start_.*|rest_init",
    // softirq and workqueue runners: the work item or timer below them is better
    r"__do_softirq|do_softirq.*|run_ksoftirqd|__irq_exit|irq_exit|handle_softirqs|__local_bh_enable_ip|local_bh_enable|_local_bh_enable",
    r"process_one_work|worker_thread|process_scheduled_works|call_timer_fn|rcu_core|rcu_core_si|rcu_do_batch|rcu_process_callbacks|__rcu_reclaim|task_work_run",
    // queueing work and RCU callbacks: the caller queued what was freed or bad
    r"insert_work|__queue_work|queue_work_on|__queue_delayed_work|queue_delayed_work_on|mod_delayed_work_on|try_to_grab_pending|(__)?call_rcu(_common|_hurry|_sched|_bh)?|kvfree_call_rcu",
    // dropping a file's pages and a device's registration: the inode's or driver's teardown is
    r"find_lock_entries|truncate_inode_pages\w*|truncate_pagecache\w*|rollback_registered(_many)?|unregister_netdevice_many\w*|unregister_netdevice_queue",
    // waiting for other work to finish: the caller is the one who waits for it
    r"(__)?flush_work|flush_workqueue|__flush_workqueue|drain_workqueue|__cancel_work_timer|cancel_(delayed_)?work_sync|del_timer_sync|__del_timer_sync|kthread_stop|__synchronize_srcu|synchronize_srcu|synchronize_net",
    // the device model, USB core and generic containers: shared by every driver
    r"device_(del|add|register|unregister|release|destroy)|put_device|get_device_parent|device_release_driver.*|__device_release_driver|devres_release_all|bus_remove_device|klist_.*|dpm_sysfs_remove|usb_kill_urb|usb_submit_urb|usb_hcd_submit_urb|device_for_each_child(_reverse)?",
    // subsystems' registration APIs: the driver that registers or tears down is the bug's
    r"tty_(un)?register_device\w*|hwrng_(un)?register|i2c_(un)?register_device|i2c_del_adapter|__unregister_client|__unregister_dummy",
    r"(__)?mod_timer|del_timer|timer_delete.*|add_timer|add_uevent_var|dput|__dput|fast_dput|iput|copy_page_(to|from)_iter.*|simple_copy_to_iter|rb_(erase|insert_color|first|next|prev|last)|__rb_(insert_augmented|erase_color)|rb_insert_augmented|xas_.*|jhash.*|crc\w*|__wake_up.*|wake_up_(process|state|bit|var|all|interruptible|locked|sync|q)\w*|try_to_wake_up|ref_tracker_(free|alloc)|(drop|clear|inc|set)_nlink|mark_buffer_dirty",
    // I/O accessors and the helpers that panic on a bad length or state
    r"__raw_(read|write)[bwlq]|(io)?read[bwlq]|(io)?write[bwlq]|logic_(in|out)[bwl]|(in|out)[bwl](_p)?|skb_(over|under)_panic|skb_panic|skb_put|skb_push|assertfail|__\w+_panic|warn_bogus_irq_restore|lock_timer_base|timer_is_static_object",
];

/// Allocator frames: a leaked object is blamed on the allocation's caller.
pub(crate) const ALLOCATORS: &[&str] = &[
    // slab and page allocator entry points
    r"_*kmalloc.*|kmem_cache_alloc.*|__kmem_cache_alloc.*|k[zv]alloc.*|__kvmalloc.*|kvmalloc.*|kcalloc|krealloc.*|kmemdup.*|kstrdup.*|kstrndup|__kmalloc_track_caller",
    r"slab_post_alloc_hook|slab_alloc.*|___?slab_alloc.*|__do_kmalloc_node|alloc_pages.*|__alloc_pages.*|v[mz]alloc.*|__vmalloc.*|kmemleak_alloc.*|create_object|__alloc_percpu.*|pcpu_\w+|idr_get_free|__alloc_frozen_pages|warn_alloc",
    // buffer and object constructors that allocate for their caller
    r"__netdev_alloc_skb|(__)?(netdev|dev)_alloc_skb.*|sk_prot_alloc|sk_alloc|__kernfs_new_node_alloc|idr_alloc.*|radix_tree_node_alloc|xa_alloc.*|kmem_cache_zalloc|__d_alloc|d_alloc.*|alloc_inode|new_inode.*",
];

/// Functions a leak is blamed past, though a fault in one is their own: they
/// allocate an object for their caller, who keeps it (a socket buffer for the
/// driver that fills it, a map for the syscall that creates it).
pub(crate) const CONSTRUCTORS: &[&str] = &[
    // socket buffers
    r"build_skb|sock_alloc_send_(skb|pskb)",
    // whatever is named for allocating: `htab_map_alloc`, `sk_alloc`, `idr_alloc_cyclic`
    r"\w*alloc\w*",
];

/// Where a task sleeps while it waits: a hung task is blamed on the function
/// that waits, not on the wait itself (`bit_wait_io` is shared by every
/// writeback, the journal commit that waits through it is the bug's own).
pub(crate) const WAITS: &[&str] = &[
    // timeouts, completions and wait queues
    r"schedule_timeout.*|schedule_preempt_disabled|schedule_hrtimeout.*|io_schedule.*|(__)?wait_for_common.*|do_wait_for_common|wait_for_completion.*|msleep(_interruptible)?|usleep_range.*|prepare_to_wait.*|finish_wait|__wait_event.*|wait_woken",
    // page, buffer and bit waits
    r"bit_wait.*|__wait_on_bit.*|out_of_line_wait_on_bit.*|wait_on_bit.*|wait_on_page_bit.*|__wait_on_buffer|wait_on_buffer|__lock_buffer|lock_buffer|wait_on_page_writeback|folio_wait_.*|__folio_lock|__lock_page_killable",
    // inside an RCU grace-period wait: `synchronize_rcu` itself is the waiter;
    // `rcu_barrier` waits for every callback, for whoever tears down
    r"__wait_rcu_gp|wait_rcu_gp|rcu_barrier",
    // waiting for writeback and page reads: the sync or read that waits is the bug's
    r"\w*fdatawait\w*|filemap_write_and_wait\w*|do_read_cache_(folio|page)",
];

/// Generic code that calls the code it serves through a pointer: a stall under
/// one is blamed on the function it called (the file's `write`, the socket's
/// `sendmsg`, the timer's handler), which is what runs the stuck loop.
pub(crate) const DISPATCH: &[&str] = &[
    // file operations
    r"(__)?vfs_(read|write|readv|writev|ioctl|iter_read|iter_write)|do_vfs_ioctl|(__do_|__se_)?(sys|SyS|SYSC)_ioctl|compat_(sys|SyS)_ioctl|sys_compat_ioctl|(compat_)?blkdev_ioctl|full_proxy_\w+|new_sync_(read|write)|do_iter_(read|write|readv_writev)|do_loop_readv_writev|__kernel_write|__kernel_read|do_readv|do_writev|vfs_writev|compat_ptr_ioctl",
    // socket operations and the network stack's receive dispatch
    r"(__)?sock_(sendmsg|recvmsg)(_nosec)?|sock_(write|read)_iter|nfnetlink_rcv_msg|rtnetlink_rcv_msg|__netif_receive_skb_(core|one_core)|__netif_receive_skb|netif_receive_skb.*|process_backlog|net_rx_action",
    // deferred work: timers, work items, task work, RCU callbacks, kernel threads
    r"call_timer_fn|process_one_work|task_work_run|rcu_do_batch|__rcu_reclaim|kthread|tasklet_action(_common)?|tasklet_hi_action",
    // a module's init function, and lkdtm's debugfs entry, which calls the
    // crash type it was asked for through its table
    r"do_one_initcall|direct_entry|lkdtm_do_action",
];

/// A driver's 32-bit compat entry: it converts the arguments and calls the
/// driver's own handler, which is the code that runs.
pub(crate) const COMPAT_HANDLERS: &[&str] = &[
    // `lo_compat_ioctl` calls `lo_ioctl`, `kvm_vm_compat_ioctl` `kvm_vm_ioctl`
    r"\w+_compat_ioctl",
];

/// Where a CPU spins waiting for other CPUs: a stall in one is the wait's,
/// whoever asked for it (flushing the TLB, setting the clock), since the CPUs
/// that do not answer are the same whichever caller waits.
pub(crate) const SPINS: &[&str] = &[
    // cross-CPU function calls that wait for every target to run the function
    r"smp_call_function(_single|_many|_many_cond|_any)?",
];

/// Variants of one kernel API that a title names by the API: the same wait
/// or cross-call is reached through whichever variant the caller chose, and
/// kernel engineers know the bug by the API's name.
const ALIASES: &[(&str, &str)] = &[
    // RCU grace-period waits
    (
        r"synchronize_rcu(_expedited)?|synchronize_sched(_expedited)?|synchronize_rcu_bh",
        "synchronize_rcu",
    ),
    // cross-CPU function calls
    (
        r"smp_call_function(_single|_many|_many_cond|_any)?",
        "smp_call_function",
    ),
];

/// `function` under the name titles give it (see [`ALIASES`] and
/// [`SYSCALL_DEFINITIONS`]).
pub(crate) fn canonical(function: &str) -> &str {
    if let Some(call) = SYSCALL_DEFINITIONS
        .iter()
        .find_map(|p| function.strip_prefix(p))
        .filter(|call| !call.is_empty())
    {
        return call;
    }
    static SET: LazyLock<NameSet> =
        LazyLock::new(|| anchored(&ALIASES.iter().map(|(p, _)| *p).collect::<Vec<_>>()));
    SET.matches(function)
        .iter()
        .next()
        .map_or(function, |i| ALIASES[i].1)
}

/// How a report class picks its function from the frames.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Pick {
    /// The first function that is not machinery: header, program counter, trace.
    First,
    /// The allocation's caller (memory leaks): the first frame that is not
    /// machinery, an allocator nor a constructor ([`CONSTRUCTORS`]).
    Caller,
    /// A stall or lockup: the syscall, or the function a dispatch frame called,
    /// nearest the top of the trace; where in a stuck loop the interrupt landed
    /// varies, the entry it runs under does not.
    Stall,
    /// A hung task: the first frame of the task's trace that is neither
    /// machinery nor a wait.
    Waiter,
    /// A sleeping function called in atomic context: the function that may
    /// sleep (`console_lock`, `__alloc_skb`) is the bug; read past are the
    /// report's machinery, the waits, the lock primitives and the allocator's
    /// own entry points.
    Sleeper,
    /// Scheduling in atomic context: the code that went to sleep, past the
    /// waits and locks it slept in (which may be the syscall's exit path).
    Scheduler,
    /// A panic with a message of its own: where the code that panicked is
    /// the bug's own (an assertion in the function), the message alone names
    /// the bug, and no function is blamed; where a shared checker panicked
    /// for its caller (a lock's assertion), the first function past the
    /// checker is.
    Raiser,
    /// A lock used wrongly, as lockdep reports it: where the lock being taken
    /// or released is, else where the lock already held was taken (`at:`
    /// lines, in the order printed), before the backtrace, which is lockdep's
    /// own path to it.
    Held,
}

/// Anchored patterns over function names. Names are ASCII, so the sets are built
/// without Unicode classes: that takes a fraction of the time, which every
/// `culprit classify` pays once, and matches the same names.
pub(crate) struct NameSet(RegexSet);

impl NameSet {
    pub(crate) fn is_match(&self, name: &str) -> bool {
        self.0.is_match(name.as_bytes())
    }

    pub(crate) fn matches(&self, name: &str) -> SetMatches {
        self.0.matches(name.as_bytes())
    }
}

fn anchored(set: &[&str]) -> NameSet {
    let set = RegexSetBuilder::new(set.iter().map(|p| format!("^(?:{p})$")))
        .unicode(false)
        .build()
        .expect("built-in pattern");
    NameSet(set)
}

pub(crate) static REPORTER: LazyLock<NameSet> = LazyLock::new(|| anchored(REPORTING));
pub(crate) static HELPER: LazyLock<NameSet> = LazyLock::new(|| anchored(HELPERS));
pub(crate) static LOCK: LazyLock<NameSet> = LazyLock::new(|| anchored(LOCKS));
pub(crate) static LOCK_WRAPPER: LazyLock<NameSet> = LazyLock::new(|| anchored(LOCK_WRAPPERS));
pub(crate) static ALLOCATOR: LazyLock<NameSet> = LazyLock::new(|| anchored(ALLOCATORS));
pub(crate) static CONSTRUCTOR: LazyLock<NameSet> = LazyLock::new(|| anchored(CONSTRUCTORS));
pub(crate) static WAIT: LazyLock<NameSet> = LazyLock::new(|| anchored(WAITS));
pub(crate) static DISPATCHER: LazyLock<NameSet> =
    LazyLock::new(|| anchored(&[DISPATCH, COMPAT_HANDLERS].concat()));
pub(crate) static COMPAT: LazyLock<NameSet> = LazyLock::new(|| anchored(COMPAT_HANDLERS));
pub(crate) static SPINNER: LazyLock<NameSet> = LazyLock::new(|| anchored(SPINS));

/// What a report's lines named, in the order a reader trusts them.
pub(crate) struct Named<'a> {
    /// The header's own function (`WARNING: ... at f.c:1 f+0x1/0x2`).
    pub header: Option<&'a str>,
    /// Program-counter lines (`RIP:`, `pc :`).
    pub registers: &'a [String],
    pub frames: &'a [String],
    /// Where lockdep says a lock was taken (`at: f+0x1/0x2`).
    pub held: &'a [String],
    /// The program counter was a bare address: the CPU jumped through a bad
    /// pointer, and the trace's first frame made that call, whatever it is
    /// (the link register may be stale, so it is not trusted).
    pub wild: bool,
}

impl Pick {
    /// The function this class blames among what a report named.
    pub(crate) fn blame<'a>(self, named: &Named<'a>) -> Option<&'a str> {
        let own = |f: &&str| !machinery(f);
        let all = || {
            named
                .header
                .into_iter()
                .chain(named.registers.iter().map(String::as_str))
                .chain(named.frames.iter().map(String::as_str))
                .chain(named.held.iter().map(String::as_str))
        };
        match self {
            Pick::First if named.wild => named
                .frames
                .iter()
                .map(String::as_str)
                .find(|f| !REPORTER.is_match(f)),
            Pick::First => all().find(own).or_else(|| untraced(named)),
            // A constructor called through a dispatch frame (a module's init
            // allocating its ring) is the code that keeps the object.
            Pick::Caller => match all().find(|f| own(f) && !CONSTRUCTOR.is_match(f)) {
                Some(caller) if !DISPATCHER.is_match(caller) => Some(caller),
                caller => all().find(own).or(caller),
            }
            .or_else(|| untraced(named)),
            Pick::Raiser if raised_by_own_code(named) => None,
            Pick::Raiser => all().find(own),
            Pick::Held => named
                .held
                .iter()
                .map(String::as_str)
                .find(own)
                .or_else(|| all().find(own)),
            Pick::Waiter => (named.frames.iter().chain(named.held))
                .map(String::as_str)
                .find(own),
            Pick::Stall => (named.registers.iter().chain(named.frames))
                .find(|f| SPINNER.is_match(f))
                .map(|f| canonical(f))
                .or_else(|| stalled(named.registers, named.frames, own))
                .or_else(|| all().find(own)),
            Pick::Sleeper => all().find(|f| {
                ![&*REPORTER, &*WAIT, &*ALLOCATOR, &*LOCK]
                    .iter()
                    .any(|set| set.is_match(f))
            }),
            Pick::Scheduler => all().find(|f| {
                ![&*REPORTER, &*WAIT, &*LOCK, &*LOCK_WRAPPER]
                    .iter()
                    .any(|set| set.is_match(f))
            }),
        }
    }
}

/// Whether the function that raised a panic (the first past the reporting
/// machinery) is the bug's own code rather than a shared checker's.
pub(crate) fn raised_by_own_code(named: &Named) -> bool {
    (named.registers.iter().chain(named.frames))
        .find(|f| !REPORTER.is_match(f))
        .is_some_and(|f| !machinery(f))
}

/// A report with no trace at all (KASAN's header before 4.11 was all many
/// consoles kept) is blamed on its header, helper or not.
fn untraced<'a>(named: &Named<'a>) -> Option<&'a str> {
    let bare = named.registers.is_empty() && named.frames.is_empty() && named.held.is_empty();
    named.header.filter(|_| bare)
}

/// Machinery of any report: the allocators too, since an allocation that
/// warns or faults was asked for by its caller, and the waits, since a task
/// that sleeps where it must not was put to sleep by its caller.
fn machinery(function: &str) -> bool {
    REPORTER.is_match(function)
        || HELPER.is_match(function)
        || LOCK.is_match(function)
        || LOCK_WRAPPER.is_match(function)
        || ALLOCATOR.is_match(function)
        || WAIT.is_match(function)
}

/// The syscall or the function a dispatch frame called, nearest the top.
///
/// Where no frame of the bug's own comes before the first dispatch or
/// syscall frame, the stuck code was a leaf called through the pointer and
/// only the program counter names it.
fn stalled<'a>(
    registers: &'a [String],
    frames: &'a [String],
    own: impl Fn(&&str) -> bool,
) -> Option<&'a str> {
    let entry = frames
        .iter()
        .position(|f| DISPATCHER.is_match(f) || syscall(f));
    if let Some(entry) = entry {
        if !frames[..entry].iter().any(|f| own(&f.as_str())) {
            if let Some(pc) = registers.iter().map(String::as_str).find(|f| own(f)) {
                return Some(pc);
            }
        }
    }
    for (at, frame) in frames.iter().enumerate() {
        if syscall(frame) && !DISPATCHER.is_match(frame) {
            return Some(frame);
        }
        if DISPATCHER.is_match(frame) {
            // A driver's compat handler that stalls itself, not in the handler
            // it converts for, is the stalled code.
            if COMPAT.is_match(frame) && !frames[..at].iter().any(|f| own(&f.as_str())) {
                return Some(frame);
            }
            let called = frames[..at]
                .iter()
                .rev()
                .map(String::as_str)
                .take_while(|f| !DISPATCHER.is_match(f))
                .find(|f| own(f));
            if called.is_some() {
                return called;
            }
        }
    }
    None
}

/// A syscall's entry as `clean` names it, or the syscall's own definition
/// (see [`SYSCALL_DEFINITIONS`]).
fn syscall(frame: &str) -> bool {
    frame.starts_with("sys_")
        || frame.starts_with("compat_sys_")
        || SYSCALL_DEFINITIONS.iter().any(|p| frame.starts_with(p))
}

/// The prefixes of a syscall's own definition (`SYSCALL_DEFINE`'s `__se_sys_`
/// and `__do_sys_`, the older `SyS_` and `SYSC_`, compat's): titles name the
/// syscall by its bare name (`general protection fault in mremap`), where an
/// architecture's entry wrapper (`__x64_sys_mremap`) is `sys_mremap`.
const SYSCALL_DEFINITIONS: &[&str] = &[
    "__se_sys_",
    "__do_sys_",
    "SyS_",
    "SYSC_",
    "compat_SyS_",
    "compat_SYSC_",
    "__se_compat_sys_",
    "__do_compat_sys_",
];
