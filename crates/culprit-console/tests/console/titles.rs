//! Whole hand-written reports (`tests/snippets/`) in the formats the real corpus
//! does not cover get the title a kernel engineer would give them.

use culprit_console::{classify, Ending, Outcome, Rules, Signature, SignatureKind as Kind};
use std::path::PathBuf;

fn snippet(name: &str) -> Vec<u8> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/snippets")
        .join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

fn signatures(name: &str) -> Vec<Signature> {
    classify(&Rules::boot(), &snippet(name), &Ending::Unknown)
        .unwrap()
        .signatures
}

/// The titles of every report in the snippet, in the order they came.
fn titles(name: &str) -> Vec<String> {
    signatures(name).into_iter().map(|s| s.title).collect()
}

fn first(name: &str) -> Signature {
    signatures(name)
        .into_iter()
        .next()
        .unwrap_or_else(|| panic!("{name}: no signature"))
}

#[test]
fn every_snippet_gets_its_title() {
    for (name, kind, title) in [
        (
            "arm64-null-deref.log",
            Kind::Oops,
            "BUG: unable to handle kernel NULL pointer dereference in demo_fill_ring",
        ),
        (
            "arm64-bug-in-spinlock.log",
            Kind::Bug,
            "kernel BUG in demo_core_attach",
        ),
        (
            "x86-old-rip.log",
            Kind::Oops,
            "BUG: unable to handle kernel paging request in legacy_copy",
        ),
        (
            "x86-retpoline-thunk.log",
            Kind::Fault,
            "general protection fault in demo_unlink_node",
        ),
        (
            "x86-syscall-frame.log",
            Kind::Warning,
            "WARNING in demo_config",
        ),
        (
            "riscv-oops.log",
            Kind::Oops,
            "BUG: unable to handle kernel paging request in rv_demo_read",
        ),
        (
            "i386-old-eip.log",
            Kind::Oops,
            "BUG: unable to handle kernel NULL pointer dereference in i386_demo_poll",
        ),
        (
            "arm32-pc-is-at.log",
            Kind::Oops,
            "BUG: unable to handle kernel NULL pointer dereference in arm_demo_clear",
        ),
        (
            "hung-task-mutex.log",
            Kind::Stall,
            "INFO: task hung in demo_flush_fn",
        ),
        (
            "kmemleak-kzalloc.log",
            Kind::Bug,
            "memory leak in demo_ring_alloc",
        ),
        (
            "freebsd-fatal-trap.log",
            Kind::Fault,
            "Fatal trap NUM: page fault while in kernel mode in demo_softc_detach",
        ),
        (
            "freebsd-panic.log",
            Kind::Panic,
            "panic: Assertion vp->v_usecount > failed at /usr/src/sys/kern/vfs_subr.c",
        ),
        (
            "netbsd-uvm-fault.log",
            Kind::Fault,
            "uvm_fault in nbsd_demo_ioctl",
        ),
        (
            "openbsd-uvm-fault.log",
            Kind::Fault,
            "uvm_fault: obsd_demo_attach",
        ),
        (
            "go-nil-deref.log",
            Kind::Panic,
            "panic: runtime error: invalid memory address or nil pointer dereference",
        ),
        (
            "go-deadlock.log",
            Kind::Panic,
            "fatal error: all goroutines are asleep - deadlock! in main.waitForever",
        ),
        (
            "gvisor-data-race.log",
            Kind::Sanitizer,
            "DATA RACE in kernel.(*Task).demoCounter",
        ),
        (
            "rust-panic.log",
            Kind::Panic,
            "panicked at rust/kernel/lib.rs: called `Option::unwrap()` on a `None` value",
        ),
        (
            "arm64-warning.log",
            Kind::Warning,
            "WARNING in demo_dma_map",
        ),
        (
            "arm64-page-fault.log",
            Kind::Oops,
            "BUG: unable to handle kernel paging request in demo_name_show",
        ),
        (
            "x86-rcu-stall.log",
            Kind::Stall,
            "INFO: rcu detected stall in demo_worker_fn",
        ),
        (
            "x86-nmi-hard-lockup.log",
            Kind::Lockup,
            "BUG: hard lockup in demo_spin_irqs_off",
        ),
        (
            "x86-ubsan-bounds.log",
            Kind::Sanitizer,
            "UBSAN: array-index-out-of-bounds in demo_table_lookup",
        ),
        (
            "x86-refcount-underflow.log",
            Kind::Warning,
            "WARNING: refcount bug in demo_put_session",
        ),
        (
            "x86-usercopy.log",
            Kind::Bug,
            "BUG: bad usercopy in demo_read_record",
        ),
        (
            "x86-fortify.log",
            Kind::Bug,
            "BUG: fortify: buffer overflow in demo_set_label",
        ),
        (
            "x86-lockdep-circular.log",
            Kind::Warning,
            "possible deadlock in demo_second_path",
        ),
        (
            "x86-lockdep-inconsistent.log",
            Kind::Warning,
            "inconsistent lock state in demo_timer_fn",
        ),
        (
            "x86-hung-waits.log",
            Kind::Stall,
            "INFO: task hung in demo_wait_firmware",
        ),
        (
            "x86-odebug.log",
            Kind::Warning,
            "WARNING: ODEBUG bug in demo_destroy_device",
        ),
        (
            "x86-kasan-memcpy.log",
            Kind::Sanitizer,
            "KASAN: slab-out-of-bounds Write in demo_copy_frame",
        ),
        (
            "zephyr-arm-symtab.log",
            Kind::Fault,
            "BUS FAULT: Precise data bus error in demo_dma_store",
        ),
        (
            "x86-kmsan-infoleak.log",
            Kind::Sanitizer,
            "KMSAN: kernel-infoleak in demo_get_stats",
        ),
        (
            "x86-kfence-strlen.log",
            Kind::Sanitizer,
            "KFENCE: out-of-bounds read in demo_parse_name",
        ),
        (
            "x86-divide-error.log",
            Kind::Fault,
            "divide error in demo_rate_per_slot",
        ),
        (
            "x86-invalid-opcode.log",
            Kind::Fault,
            "invalid opcode in demo_unlink_item",
        ),
        (
            "x86-double-fault.log",
            Kind::Fault,
            "PANIC: double fault in demo_walk_tree",
        ),
        (
            "x86-spinlock-recursion.log",
            Kind::Bug,
            "BUG: spinlock recursion in demo_update_state",
        ),
        (
            "x86-sleep-in-atomic.log",
            Kind::Bug,
            "BUG: sleeping function called from invalid context in demo_stats_refresh",
        ),
    ] {
        let got = first(name);
        assert_eq!(
            (got.kind, got.title.as_str(), got.corrupted),
            (kind, title, false),
            "{name}"
        );
    }
}

#[test]
fn each_report_in_a_log_is_its_own_signature() {
    for (name, want) in [
        (
            "hung-task-mutex.log",
            [
                "INFO: task hung in demo_flush_fn",
                "INFO: task hung in other_waiter",
            ],
        ),
        (
            "kmemleak-kzalloc.log",
            [
                "memory leak in demo_ring_alloc",
                "memory leak in demo_node_new",
            ],
        ),
    ] {
        assert_eq!(titles(name), want, "{name}");
    }
    let arm64 = titles("arm64-null-deref.log");
    assert_eq!(
        arm64.len(),
        1,
        "the Internal error line is part of the same report: {arm64:?}"
    );
}

#[test]
fn a_report_without_a_function_of_its_own_is_marked_corrupted() {
    let got = first("x86-bare-rip.log");
    assert_eq!(
        (got.title.as_str(), got.corrupted),
        (
            "BUG: unable to handle kernel paging request in corrupted",
            true
        )
    );
}

#[test]
fn userspace_warnings_are_not_crashes() {
    let rules = Rules {
        success: vec!["BOOT-OK".into()],
        ..Rules::boot()
    };
    let c = classify(
        &rules,
        &snippet("userspace-warnings.log"),
        &Ending::Exited { code: 0 },
    )
    .unwrap();
    assert_eq!(c.outcome, Outcome::Pass);
    assert!(c.signatures.is_empty(), "{:?}", c.signatures);
}

#[test]
fn a_reworded_report_keeps_its_title() {
    // The same bug in another run: other task, PID, CPU, addresses, an extra
    // helper frame on top and a compiler clone of the function.
    let a = b"BUG: kernel NULL pointer dereference, address: 0000000000000008\nCPU: 0 PID: 76 Comm: sh\nRIP: 0010:demo_read+0x12/0x40\nCall Trace:\n <TASK>\n demo_read+0x12/0x40\n vfs_read+0x1/0x2\n </TASK>\n";
    let b = b"BUG: kernel NULL pointer dereference, address: 0000000000000010\nCPU: 3 PID: 5032 Comm: syz-executor7\nRIP: 0010:memcpy+0x5/0x20\nCall Trace:\n <TASK>\n ? stale_frame+0x1/0x2\n memcpy+0x5/0x20\n demo_read.isra.0+0x40/0x90\n vfs_read+0x1/0x2\n </TASK>\n";
    let title = |log: &[u8]| {
        classify(&Rules::boot(), log, &Ending::Unknown)
            .unwrap()
            .signatures[0]
            .title
            .clone()
    };
    assert_eq!(
        title(a),
        "BUG: unable to handle kernel NULL pointer dereference in demo_read"
    );
    assert_eq!(title(a), title(b));
}
