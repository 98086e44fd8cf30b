//! One-line checks of the Linux headers; whole reports, with their frames, are
//! read in `tests/titles.rs` and `tests/corpus.rs`.

use super::*;
use crate::packs::testing::signature;

/// The class a header line opens, and whether its frames will name a function.
fn class(line: &str) -> Option<(Kind, String, bool)> {
    signature(&rules(), line).map(|f| (f.kind, f.title, f.stack.is_some()))
}

fn t(line: &str) -> Option<String> {
    class(line).map(|(_, title, _)| title)
}

#[test]
fn panics_keep_the_reason_without_numbers() {
    for (line, want) in [
        ("[    1.951718] Kernel panic - not syncing: sysrq triggered crash", "kernel panic: sysrq triggered crash"),
        ("[    1.922189] Kernel panic - not syncing: Attempted to kill init! exitcode=0x00000100", "kernel panic: Attempted to kill init!"),
        ("[    1.573289] Kernel panic - not syncing: VFS: Unable to mount root fs on unknown-block(0,0)", "kernel panic: VFS: Unable to mount root fs on unknown-block"),
        ("Kernel panic - not syncing: Fatal exception in interrupt", "kernel panic: Fatal exception"),
        ("Kernel panic - not syncing:", "kernel panic"),
    ] {
        assert_eq!(t(line).as_deref(), Some(want), "{line}");
    }
    assert_eq!(
        t("---[ end Kernel panic - not syncing: sysrq triggered crash ]---"),
        None
    );
}

#[test]
fn report_classes() {
    for (line, kind, want, frames) in [
        ("BUG: KASAN: use-after-free in lkdtm_READ_AFTER_FREE+0x1a/0x30", Kind::Sanitizer, "KASAN: use-after-free", true),
        ("BUG: KASAN: slab-out-of-bounds in memcpy+0x1a/0x30", Kind::Sanitizer, "KASAN: slab-out-of-bounds", true),
        ("KASAN: null-ptr-deref in range [0x0000000000000000-0x0000000000000007]", Kind::Sanitizer, "KASAN: null-ptr-deref", true),
        ("BUG: KFENCE: use-after-free read in test_use_after_free_read+0xa8/0x22b", Kind::Sanitizer, "KFENCE: use-after-free read", true),
        ("BUG: KMSAN: uninit-value in kmsan_test+0x1/0x2", Kind::Sanitizer, "KMSAN: uninit-value", true),
        ("BUG: KCSAN: data-race in do_one+0x1/0x2 / do_two.isra.0+0x3/0x4", Kind::Sanitizer, "KCSAN: data-race in do_one / do_two", false),
        ("UBSAN: array-index-out-of-bounds in drivers/misc/lkdtm/bugs.c:342:16", Kind::Sanitizer, "UBSAN: array-index-out-of-bounds", true),
        ("UBSAN: shift-out-of-bounds in lib/test_ubsan.c:34:4", Kind::Sanitizer, "UBSAN: shift-out-of-bounds", true),
        ("watchdog: BUG: soft lockup - CPU#0 stuck for 22s! [sh:76]", Kind::Lockup, "BUG: soft lockup", true),
        ("Watchdog detected hard LOCKUP on cpu 1", Kind::Lockup, "BUG: hard lockup", true),
        ("BUG: workqueue lockup - pool cpus=0 node=0 flags=0x0 nice=0 stuck for 33s!", Kind::Lockup, "BUG: workqueue lockup", false),
        ("INFO: task kworker/0:1:12 blocked for more than 120 seconds.", Kind::Stall, "INFO: task hung", true),
        ("INFO: task sh:76 blocked in I/O wait for more than 143 seconds.", Kind::Stall, "INFO: task hung", true),
        ("rcu: INFO: rcu_sched self-detected stall on CPU", Kind::Stall, "INFO: rcu detected stall", true),
        ("rcu: INFO: rcu_preempt detected stalls on CPUs/tasks:", Kind::Stall, "INFO: rcu detected stall", true),
        ("rcu: INFO: rcu_preempt detected expedited stalls on CPUs/tasks: { 0-... } 21 jiffies s: 105 root: 0x1/.", Kind::Stall, "INFO: rcu detected stall", true),
        ("general protection fault, probably for non-canonical address 0xdffffc0000000000: 0000 [#1] PREEMPT SMP KASAN", Kind::Fault, "general protection fault", true),
        ("general protection fault: 0000 [#1] SMP", Kind::Fault, "general protection fault", true),
        ("invalid opcode: 0000 [#1] PREEMPT SMP KASAN", Kind::Fault, "invalid opcode", true),
        ("Oops: invalid opcode: 0000 [#1] PREEMPT SMP", Kind::Fault, "invalid opcode", true),
        ("divide error: 0000 [#1] SMP", Kind::Fault, "divide error", true),
        ("divide_error: 0000 [#1] SMP", Kind::Fault, "divide error", true),
        ("PANIC: double fault, error_code: 0x0", Kind::Fault, "PANIC: double fault", true),
        ("traps: PANIC: double fault, error_code: 0x0", Kind::Fault, "PANIC: double fault", true),
        ("BUG: unable to handle page fault for address: ffffffff82a0c000", Kind::Oops, "BUG: unable to handle kernel paging request", true),
        ("BUG: kernel NULL pointer dereference, address: 0000000000000000", Kind::Oops, "BUG: unable to handle kernel NULL pointer dereference", true),
        ("BUG: unable to handle kernel paging request at ffffffffa0012345", Kind::Oops, "BUG: unable to handle kernel paging request", true),
        ("BUG: unable to handle kernel NULL pointer dereference at 0000000000000010", Kind::Oops, "BUG: unable to handle kernel NULL pointer dereference", true),
        ("Unable to handle kernel paging request at virtual address ffff80000a1b2c3d", Kind::Oops, "BUG: unable to handle kernel paging request", true),
        ("Unable to handle kernel NULL pointer dereference at virtual address 0000000000000000", Kind::Oops, "BUG: unable to handle kernel NULL pointer dereference", true),
        ("Unable to handle kernel write to read-only memory at virtual address ffff800008a1b000", Kind::Oops, "BUG: unable to handle kernel write to read-only memory", true),
        ("kernel BUG at drivers/misc/lkdtm/bugs.c:78!", Kind::Bug, "kernel BUG", true),
        ("kernel BUG at lib/list_debug.c:30!", Kind::Bug, "BUG: corrupted list", true),
        ("kernel BUG at mm/usercopy.c:101!", Kind::Bug, "BUG: bad usercopy", true),
        ("usercopy: Kernel memory exposure attempt detected from SLUB object 'lkdtm-usercopy' (offset 16, size 32)!", Kind::Bug, "BUG: bad usercopy", true),
        ("usercopy: Kernel memory overwrite attempt detected to SLUB object 'lkdtm-usercopy' (offset 16, size 32)!", Kind::Bug, "BUG: bad usercopy", true),
        ("BUG: scheduling while atomic: swapper/0/0/0x00000002", Kind::Bug, "BUG: scheduling while atomic", true),
        ("BUG: sleeping function called from invalid context at kernel/locking/mutex.c:580", Kind::Bug, "BUG: sleeping function called from invalid context", true),
        ("BUG: spinlock recursion on CPU#0, sh/76", Kind::Bug, "BUG: spinlock recursion", true),
        ("BUG: spinlock lockup suspected on CPU#0, sh/76", Kind::Lockup, "BUG: spinlock lockup suspected", true),
        ("BUG: Bad page state in process swapper/0  pfn:0a1b2", Kind::Bug, "BUG: Bad page state", true),
        ("BUG: TASK stack guard page was hit at 00000000a1b2c3d4 (stack is 000000001a2b3c4d..00000000d4c3b2a1)", Kind::Bug, "BUG: stack guard page was hit", true),
        ("BUG: using smp_processor_id() in preemptible [00000000] code: sh/76", Kind::Bug, "BUG: using smp_processor_id() in preemptible code", true),
        ("WARNING: CPU: 0 PID: 76 at drivers/misc/lkdtm/bugs.c:90 lkdtm_WARNING+0x1f/0x30", Kind::Warning, "WARNING", true),
        ("WARNING: CPU: 1 PID: 76 at lib/refcount.c:25 refcount_warn_saturate+0x13d/0x1b0", Kind::Warning, "WARNING: refcount bug", true),
        ("WARNING: CPU: 1 PID: 76 at lib/debugobjects.c:505 debug_print_object+0x1/0x2", Kind::Warning, "WARNING: ODEBUG bug", true),
        ("WARNING: at fs/sysfs/dir.c:31 sysfs_warn_dup+0x5d/0x70()", Kind::Warning, "WARNING", true),
        ("WARNING: kernel/sched/core.c:1234 at resched_curr+0x1/0x2, CPU#0: sh/76", Kind::Warning, "WARNING", true),
        ("WARNING: possible circular locking dependency detected", Kind::Warning, "possible deadlock", true),
        ("[ INFO: possible circular locking dependency detected ]", Kind::Warning, "possible deadlock", true),
        ("WARNING: possible recursive locking detected", Kind::Warning, "possible deadlock", true),
        ("WARNING: SOFTIRQ-safe -> SOFTIRQ-unsafe lock order detected", Kind::Warning, "possible deadlock", true),
        ("WARNING: inconsistent lock state", Kind::Warning, "inconsistent lock state", true),
        ("WARNING: bad unlock balance detected!", Kind::Warning, "WARNING: bad unlock balance", true),
        ("[ BUG: bad unlock balance detected! ]", Kind::Warning, "BUG: bad unlock balance", true),
        ("WARNING: suspicious RCU usage", Kind::Warning, "WARNING: suspicious RCU usage", true),
        ("INFO: trying to register non-static key.", Kind::Warning, "INFO: trying to register non-static key", true),
        ("WARNING: sh/76 still has locks held!", Kind::Warning, "WARNING: still has locks held", true),
        ("unreferenced object 0xffff888003d2b000 (size 1024):", Kind::Bug, "memory leak", true),
        ("unregister_netdevice: waiting for lo to become free. Usage count = 2", Kind::Stall, "unregister_netdevice: waiting for DEV to become free", false),
        ("Oops: 0002 [#1] PREEMPT SMP KASAN NOPTI", Kind::Oops, "Oops", true),
        ("Internal error: Oops: 96000046 [#1] PREEMPT SMP", Kind::Oops, "Internal error", true),
        ("Internal error: Oops - BUG: 00000000f2000800 [#1] PREEMPT SMP", Kind::Oops, "Internal error", true),
        ("Internal error: Oops - undefined instruction: 0 [#1] SMP ARM", Kind::Oops, "Internal error", true),
        ("Internal error: Accessing user space memory outside uaccess.h routines: 96000045 [#1] PREEMPT SMP", Kind::Oops, "Internal error", true),
        ("Unhandled fault: imprecise external abort (0x1406) at 0x00000000", Kind::Oops, "Unhandled fault", true),
    ] {
        assert_eq!(class(line), Some((kind, want.to_string(), frames)), "{line}");
    }
}

#[test]
fn userspace_and_prose_are_not_reports() {
    for line in [
        "[ 9.9] traps: init[1] general protection fault ip:4011a6 sp:7ffd error:0 in init[401000+1000]",
        "[ 9.9] traps: a.out[77] trap invalid opcode ip:401136 sp:7ffe error:0",
        "[ 1.0] DEBUG: not a bug",
        "[ 1.0] AMD-Vi: AMD IOMMUv2 functionality not available on this system - This is not a bug.",
        "[ 8.0] usb 1-1: WARNING: something else",
        "[    0.1] kasan: KernelAddressSanitizer initialized",
        "[    0.000000] Linux version 6.1.0-56-amd64 (debian-kernel@lists.debian.org)",
        "[    1.936425] Run /init as init process",
        "[    1.923015] Call Trace:",
        "lkdtm: Performing direct entry WARNING",
        "lkdtm: Performing direct entry BUG",
    ] {
        assert_eq!(t(line), None, "{line}");
    }
}

#[test]
fn every_not_crash_entry_is_honoured() {
    let lines = [
        "WARNING: /etc/ssh/moduli does not exist, using fixed modulus",
        "./app: /lib/libc.so.6: WARNING: Unsupported flag value(s) of 0x8000000 in DT_FLAGS_1.",
        "WARNING: the 'nolock' mount option is deprecated and will be removed",
        "WARNING: device write-protected, mounted read-only.",
        "WARNING: option 'data=journal' has been deprecated",
        "WARNING: fbcon: Driver 'vga16fb' missed to adjust virtual screen size",
        "WARNING: Kernel does not support user namespaces",
        "WARNING: workqueue cpumask: online intersect > possible intersect",
    ];
    let set = regex::RegexSet::new(NOT_CRASHES).unwrap();
    for (i, pattern) in NOT_CRASHES.iter().enumerate() {
        assert!(
            lines.iter().any(|l| set.matches(l).matched(i)),
            "no test line for not-crash entry {pattern}"
        );
    }
    for line in lines {
        assert_eq!(t(line), None, "{line}");
    }
    // A real kernel WARNING is still one.
    assert!(t("WARNING: CPU: 0 PID: 1 at mm/page_alloc.c:5534 __alloc_pages+0x1/0x2").is_some());
}
