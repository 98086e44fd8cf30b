//! Frames, program counters and blame over whole traces.

use super::*;

/// Every function name the test logs' traces and program-counter lines show,
/// unreliable (`? f`) frames included: they are what older unwinders print
/// as reliable.
fn test_log_functions() -> Vec<String> {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests");
    let mut files = Vec::new();
    let mut dirs = vec![root.join("snippets"), root.join("corpus")];
    // syzkaller's reports beside the checkout, when they are there
    dirs.extend(
        root.ancestors()
            .map(|a| a.join("shared/crash-corpus/syzkaller"))
            .find(|d| d.is_dir()),
    );
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|x| x == "log")
                || path.components().any(|c| c.as_os_str() == "crash-corpus")
            {
                files.push(path);
            }
        }
    }
    let mut names = Vec::new();
    for file in files {
        let text = String::from_utf8_lossy(&std::fs::read(&file).unwrap()).into_owned();
        for line in text.lines() {
            // An unreliable frame counts as the frame it would be.
            let body = crate::normalize::body(line).replacen("? ", "", 1);
            let name = program_counter(&body)
                .or(match frame(&body) {
                    Frame::Function(f) => Some(f),
                    _ => None,
                })
                .or_else(|| symbolized(&body));
            names.extend(name.map(clean));
        }
    }
    names.sort();
    names.dedup();
    names
}

#[test]
fn every_skip_entry_is_exercised_by_a_test_log() {
    use crate::blame::{
        ALLOCATOR, ALLOCATORS, DISPATCH, DISPATCHER, HELPER, HELPERS, LOCK, LOCKS, LOCK_WRAPPER,
        LOCK_WRAPPERS, REPORTER, REPORTING, WAIT, WAITS,
    };
    let names = test_log_functions();
    let mut missing = Vec::new();
    for (table, set) in [
        (REPORTING, &*REPORTER),
        (HELPERS, &*HELPER),
        (LOCKS, &*LOCK),
        (LOCK_WRAPPERS, &*LOCK_WRAPPER),
        (ALLOCATORS, &*ALLOCATOR),
        (WAITS, &*WAIT),
        (DISPATCH, &*DISPATCHER),
    ] {
        for (i, entry) in table.iter().enumerate() {
            if !names.iter().any(|n| set.matches(n).matched(i)) {
                missing.push(*entry);
            }
        }
    }
    assert!(
        missing.is_empty(),
        "no test log has a frame for these skip entries:\n{}",
        missing.join("\n")
    );
}

fn stack(pick: Pick, header: Option<&str>, lines: &str) -> Stack {
    let mut s = Stack::new(pick, header);
    for line in lines.lines() {
        if s.line(line.trim()) == Progress::Done {
            break;
        }
    }
    s
}

#[test]
fn names_lose_clone_suffixes_and_syscall_prefixes() {
    assert_eq!(clean("foo.isra.0"), "foo");
    assert_eq!(clean("foo.constprop.3.cold"), "foo");
    assert_eq!(clean("foo.part.1"), "foo");
    assert_eq!(clean("foo.llvm.1234567"), "foo");
    assert_eq!(clean("__x64_sys_write"), "sys_write");
    assert_eq!(clean("__do_sys_bpf"), "sys_bpf");
    assert_eq!(clean("__se_sys_bpf"), "sys_bpf");
    assert_eq!(clean("SyS_read"), "sys_read");
    assert_eq!(clean("ksys_write"), "sys_write");
    assert_eq!(clean("__ia32_sys_open"), "sys_open");
    assert_eq!(
        clean("github.com/google/gvisor/pkg/sentry.(*Task).run"),
        "sentry.(*Task).run"
    );
}

#[test]
fn program_counters_in_all_spellings() {
    for (line, want) in [
        ("RIP: 0010:lkdtm_BUG+0x5/0x10", Some("lkdtm_BUG")),
        (
            "RIP: 0010:[<ffffffff8123abcd>]  [<ffffffff8123abcd>] old_style+0x12/0x34",
            Some("old_style"),
        ),
        ("RIP: e030:xen_guest+0x1/0x2", Some("xen_guest")),
        ("RIP: 0010:0x0", None),
        ("RIP: 0033:0x461189", None),
        (
            "pc : el0_svc_common.constprop.0+0x40/0xe0",
            Some("el0_svc_common.constprop.0"),
        ),
        ("lr : lkdtm_do_action+0x2c/0x50", Some("lkdtm_do_action")),
        (
            "PC is at do_raw_spin_lock+0x8/0x140",
            Some("do_raw_spin_lock"),
        ),
        ("LR is at foo_caller+0x10/0x20", Some("foo_caller")),
        ("epc : riscv_fn+0x1a/0x2c", Some("riscv_fn")),
        ("EIP: i386_fn+0x8/0x10", Some("i386_fn")),
        ("EIP: 0060:[<c1234567>] EFLAGS: 00010246 CPU: 0", None),
        ("EIP is at i386_old+0x8/0x10", Some("i386_old")),
        ("NIP [c000000000123456] ppc_fn+0x10/0x20", Some("ppc_fn")),
        (
            "Stopped at      obsd_fn+0x12:   movq    0(%rax),%rax",
            Some("obsd_fn"),
        ),
        ("Code: 00 49 c7 c0", None),
    ] {
        assert_eq!(program_counter(line), want, "{line}");
    }
}

#[test]
fn x86_trace_skips_machinery_and_unreliable_frames() {
    let s = stack(
        Pick::First,
        None,
        "Call Trace:
         <TASK>
         dump_stack_lvl+0x34/0x48
         ? lkdtm_stale+0x1/0x2
         __might_resched.cold+0x109/0x13b
         mutex_lock_nested+0x16/0x20
         corpus_sleep_in_atomic.isra.0+0x20/0x40 [corpus_mistakes]
         do_one_initcall+0x50/0x200
         </TASK>",
    );
    assert_eq!(s.function(), Some("corpus_sleep_in_atomic"));
}

#[test]
fn interrupted_context_and_stall_entry() {
    let trace = "Call Trace:
         <IRQ>
         dump_stack_lvl+0x34/0x48
         nmi_cpu_backtrace.cold+0x46/0x14f
         rcu_dump_cpu_stacks+0x100/0x150
         rcu_sched_clock_irq.cold+0x4c/0x4f6
         update_process_times+0x5a/0x90
         </IRQ>
         <TASK>
         asm_sysvec_apic_timer_interrupt+0x16/0x20
        RIP: 0010:lkdtm_SOFTLOCKUP+0x1c/0x30
        RSP: 0018:ffffc90000337e20 EFLAGS: 00000202
         lkdtm_do_action+0x16/0x30
         direct_entry+0x10b/0x130
         vfs_write+0xc7/0x3a0
         ksys_write+0x5f/0xe0
         do_syscall_64+0x3b/0x90
         entry_SYSCALL_64_after_hwframe+0x63/0xcd
        RIP: 0033:0x4b1234
         </TASK>";
    assert_eq!(
        stack(Pick::First, None, trace).function(),
        Some("lkdtm_SOFTLOCKUP")
    );
    // lkdtm's entry calls the crash type through its table: the stall is in
    // the code called, not in the dispatch
    assert_eq!(
        stack(Pick::Stall, None, trace).function(),
        Some("lkdtm_SOFTLOCKUP")
    );
}

#[test]
fn frames_before_the_trace_header_are_not_the_trace() {
    // lockdep prints the dependency chain's frames before its own backtrace.
    let s = stack(
        Pick::First,
        None,
        "-> #1 (corpus_lock_b){+.+.}-{3:3}:
                lock_acquire+0xc6/0x2d0
                chain_only_fn+0x1/0x2
         stack backtrace:
         CPU: 0 PID: 1 Comm: insmod Not tainted 6.1.0 #1
         Call Trace:
          <TASK>
          dump_stack_lvl+0x34/0x48
          check_noncircular+0x10/0x20
          __lock_acquire+0x10/0x20
          lock_acquire+0x10/0x20
          __mutex_lock+0x10/0x20
          corpus_lockdep_circular+0x10/0x20 [corpus_mistakes]
          </TASK>",
    );
    assert_eq!(s.function(), Some("corpus_lockdep_circular"));
}

#[test]
fn leaks_skip_the_allocator() {
    let s = stack(
        Pick::Caller,
        None,
        "backtrace:
           [<ffffffff81234567>] __kmalloc+0x1a3/0x370
           [<ffffffff81234567>] kmalloc_trace+0x26/0x90
           [<ffffffffa0001234>] corpus_leak+0x1c/0x40 [corpus_mistakes]
           [<ffffffff81234567>] do_one_initcall+0x50/0x200",
    );
    assert_eq!(s.function(), Some("corpus_leak"));
}

#[test]
fn no_function_left_means_none() {
    let s = stack(
        Pick::First,
        None,
        "Call Trace:\n dump_stack_lvl+0x1/0x2\n panic+0x1/0x2\n</TASK>",
    );
    assert_eq!(s.function(), None);
}
