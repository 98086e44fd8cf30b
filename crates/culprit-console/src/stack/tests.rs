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

/// The function a report of `pick`'s class blames, its lines read until the
/// stack is done with them.
fn blamed(pick: Pick, lines: &str) -> Option<String> {
    let mut s = Stack::new(pick, None);
    for line in lines.lines() {
        if s.line(line.trim()) == Progress::Done {
            break;
        }
    }
    s.function().map(str::to_string)
}

#[test]
fn names_lose_clone_suffixes_and_syscall_prefixes() {
    for (name, want) in [
        ("foo.isra.0", "foo"),
        ("foo.constprop.3.cold", "foo"),
        ("foo.part.1", "foo"),
        ("foo.llvm.1234567", "foo"),
        ("__x64_sys_write", "sys_write"),
        // the syscall's definition is named by titles (`blame::canonical`)
        ("__do_sys_bpf", "__do_sys_bpf"),
        ("SyS_read.isra.3", "SyS_read"),
        ("ksys_write", "sys_write"),
        ("__ia32_sys_open", "sys_open"),
        (
            "github.com/google/gvisor/pkg/sentry.(*Task).run",
            "sentry.(*Task).run",
        ),
    ] {
        assert_eq!(clean(name), want, "{name}");
    }
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
    let trace = "Call Trace:
         <TASK>
         dump_stack_lvl+0x34/0x48
         ? lkdtm_stale+0x1/0x2
         __might_resched.cold+0x109/0x13b
         mutex_lock_nested+0x16/0x20
         corpus_sleep_in_atomic.isra.0+0x20/0x40 [corpus_mistakes]
         do_one_initcall+0x50/0x200
         </TASK>";
    assert_eq!(
        blamed(Pick::First, trace).as_deref(),
        Some("corpus_sleep_in_atomic")
    );
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
        blamed(Pick::First, trace).as_deref(),
        Some("lkdtm_SOFTLOCKUP")
    );
    // lkdtm's entry calls the crash type through its table: the stall is in
    // the code called, not in the dispatch
    assert_eq!(
        blamed(Pick::Stall, trace).as_deref(),
        Some("lkdtm_SOFTLOCKUP")
    );
}

#[test]
fn frames_before_the_trace_header_are_not_the_trace() {
    // lockdep prints the dependency chain's frames before its own backtrace.
    let trace = "-> #1 (corpus_lock_b){+.+.}-{3:3}:
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
          </TASK>";
    assert_eq!(
        blamed(Pick::First, trace).as_deref(),
        Some("corpus_lockdep_circular")
    );
}

#[test]
fn leaks_skip_the_allocator() {
    let trace = "backtrace:
           [<ffffffff81234567>] __kmalloc+0x1a3/0x370
           [<ffffffff81234567>] kmalloc_trace+0x26/0x90
           [<ffffffffa0001234>] corpus_leak+0x1c/0x40 [corpus_mistakes]
           [<ffffffff81234567>] do_one_initcall+0x50/0x200";
    assert_eq!(blamed(Pick::Caller, trace).as_deref(), Some("corpus_leak"));
}

#[test]
fn no_function_left_means_none() {
    let trace = "Call Trace:\n dump_stack_lvl+0x1/0x2\n panic+0x1/0x2\n</TASK>";
    assert_eq!(blamed(Pick::First, trace).as_deref(), None);
}

#[test]
fn leaks_skip_the_constructors_that_allocate_for_their_caller() {
    let trace = "backtrace:
           [<00000000996d44e4>] __kmalloc+0x14f/0x2a0
           [<00000000d3775b57>] pcpu_mem_zalloc+0x6a/0x90
           [<00000000ba6d0050>] pcpu_create_chunk+0xb6/0x2a0
           [<00000000c6fad5c7>] __alloc_percpu_gfp+0x27/0x30
           [<00000000f3c9f17c>] htab_map_alloc+0x447/0x5c0
           [<0000000018bf48ad>] map_create+0x149/0x520
           [<00000000807bbe88>] __x64_sys_bpf+0x169/0x340";
    assert_eq!(blamed(Pick::Caller, trace).as_deref(), Some("map_create"));
    // a module's init that allocates keeps its object: not the initcall runner
    let init = "backtrace:
           [<ffffffff81234567>] kvmalloc_node+0x26/0x90
           [<ffffffffa0001234>] demo_ring_alloc+0x1c/0x40 [demo]
           [<ffffffff81234567>] do_one_initcall+0x50/0x200";
    assert_eq!(
        blamed(Pick::Caller, init).as_deref(),
        Some("demo_ring_alloc")
    );
}

#[test]
fn a_jump_to_a_bare_address_is_the_callers() {
    // the first frame made the call, machinery or not; the link register is not
    // trusted, and without a trace nothing is
    let trace = "IP: 0x286
         RIP: 0010:0x286
         Call Trace:
          process_one_work+0xbf3/0x1bc0
          worker_thread+0x223/0x1860
          kthread+0x35e/0x430";
    assert_eq!(
        blamed(Pick::First, trace).as_deref(),
        Some("process_one_work")
    );
    let untraced = "PC is at 0x80b0f484\nLR is at do_futex+0x158/0xf14\n";
    assert_eq!(blamed(Pick::First, untraced).as_deref(), None);
    // a user-mode program counter is no wild jump
    let user = "RIP: 0033:0x461189\nCall Trace:\n dump_stack+0x1/0x2\n tun_chr_write+0x1/0x2\n";
    assert_eq!(blamed(Pick::First, user).as_deref(), Some("tun_chr_write"));
}

#[test]
fn a_trace_header_after_the_stack_dump_words_opens_the_trace() {
    let trace = "ffffffff81df7854 ffff8801d5eef730 ffffffff83f42ec0
          dffffc0000000000Call Trace:
          [<ffffffff81d90889>] dump_stack+0xc1/0x128
          [<ffffffff81df78bc>] __this_cpu_preempt_check+0x1c/0x20
          [<ffffffff833f3f78>] ipcomp_init_state+0x188/0x930";
    assert_eq!(
        blamed(Pick::First, trace).as_deref(),
        Some("ipcomp_init_state")
    );
}

#[test]
fn a_syscall_is_titled_by_its_definition_or_its_entry_wrapper() {
    use crate::blame::canonical;
    // the definition by the bare name, the architecture's wrapper as `sys_`
    assert_eq!(canonical("__se_sys_mremap"), "mremap");
    assert_eq!(canonical("compat_SyS_mount"), "mount");
    assert_eq!(canonical(&clean("__x64_sys_rmdir")), "sys_rmdir");
    assert_eq!(canonical("sys_"), "sys_");
    // a stall in a syscall's definition is still a stall in that syscall
    let trace = "Call Trace:
          __lock_acquire+0x1/0x2
          lock_acquire+0x1/0x2
          SyS_fcntl+0x5be/0xc70
          entry_SYSCALL_64_fastpath+0x16/0x76";
    assert_eq!(
        blamed(Pick::Stall, trace).as_deref().map(canonical),
        Some("fcntl")
    );
}
