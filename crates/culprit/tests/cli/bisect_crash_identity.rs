//! Hunts on generated git histories whose test prints real kernel report shapes
//! of one class in two functions: a lockdep report, a memory leak and an RCU
//! stall in `target_fn` from commit 20 on, and the same class in `other_fn` on
//! commits 14-17. The two are two bugs; a title that kept only the class (as
//! `possible deadlock`, `memory leak`, `INFO: rcu detected stall` once did)
//! would judge 14-17 bad and name the wrong commit.

use crate::common;

use common::linear_repo;

/// A lockdep circular-dependency report as syzkaller's consoles show it, its
/// trace cut short after lockdep's own frames: the lock being taken names `$1`.
const LOCKDEP: &str = r#"report() {
  echo '======================================================'
  echo 'WARNING: possible circular locking dependency detected'
  echo '6.1.0 #1 Not tainted'
  echo '------------------------------------------------------'
  echo "syz-executor/$$ is trying to acquire lock:"
  echo "ffff8880123456$(( $$ % 90 + 10 )) (&dev->lock){+.+.}-{3:3}, at: $1+0x1c/0x80"
  echo ''
  echo 'but task is already holding lock:'
  echo 'ffff888012345600 (rtnl_mutex){+.+.}-{3:3}, at: rtnl_lock+0x17/0x20'
  echo ''
  echo 'stack backtrace:'
  echo "CPU: $(( $$ % 4 )) PID: $$ Comm: syz-executor Not tainted 6.1.0 #1"
  echo 'Call Trace:'
  echo ' dump_stack+0x194/0x257'
  echo ' print_circular_bug+0x503/0x710'
  echo ' check_prev_add+0x865/0x1520'
  echo ' lock_acquire+0x1d5/0x580'
  echo '...'
  echo ' entry_SYSENTER_compat+0x51/0x60'
  echo 'RIP: 0023:0xf7fd5c79'
}"#;

/// A kmemleak report whose object `$1` allocated, behind syzkaller's header.
const LEAK: &str = r#"report() {
  echo 'BUG: memory leak'
  echo "unreferenced object 0xffff8880123456$(( $$ % 90 + 10 )) (size 64):"
  echo "  comm \"syz-executor\", pid $$, jiffies 4294937296 (age 12.340s)"
  echo '  hex dump (first 32 bytes):'
  echo '    00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00  ................'
  echo '  backtrace:'
  echo '    [<ffffffff81234567>] kmalloc_trace+0x26/0x90'
  echo "    [<ffffffff81234567>] $1+0x1c/0x40"
  echo '    [<ffffffff81234567>] __sys_bind+0x11c/0x130'
  echo '    [<ffffffff81234567>] do_syscall_64+0x3b/0x90'
}"#;

/// An RCU stall on the CPU running `$1` under `write(2)`, interrupted at a
/// place that changes from run to run.
const STALL: &str = r#"report() {
  echo 'rcu: INFO: rcu_preempt self-detected stall on CPU'
  echo "rcu: 	0-....: (10500 ticks this GP) idle=$$/1/0x4000000000000000"
  echo "NMI backtrace for cpu $(( $$ % 4 ))"
  echo "CPU: 0 PID: $$ Comm: syz-executor Not tainted 6.1.0 #1"
  echo 'Call Trace:'
  echo ' <IRQ>'
  echo ' dump_stack_lvl+0x8b/0xb3'
  echo ' nmi_cpu_backtrace.cold+0x46/0x14f'
  echo ' rcu_dump_cpu_stacks+0x100/0x150'
  echo ' rcu_sched_clock_irq.cold+0x4c/0x4f6'
  echo ' update_process_times+0x5a/0x90'
  echo ' tick_sched_timer+0x4f/0x60'
  echo ' __hrtimer_run_queues+0x116/0x2b0'
  echo ' hrtimer_interrupt+0xfe/0x220'
  echo ' __sysvec_apic_timer_interrupt+0x59/0x110'
  echo ' sysvec_apic_timer_interrupt+0x6e/0x90'
  echo ' </IRQ>'
  echo ' <TASK>'
  echo ' asm_sysvec_apic_timer_interrupt+0x16/0x20'
  echo "RIP: 0010:step_$(( $$ % 5 ))+0x1$n/0x40"
  echo " $1+0x4$n/0x90"
  echo ' vfs_write+0xc7/0x3a0'
  echo ' ksys_write+0x5f/0xe0'
  echo ' do_syscall_64+0x3b/0x90'
  echo ' entry_SYSCALL_64_after_hwframe+0x63/0xcd'
  echo ' </TASK>'
}"#;

/// The test: the report in `other_fn` on commits 14-17, in `target_fn` from 20 on.
fn script(report: &str) -> String {
    format!(
        "n=$(cat n)\necho 'Linux version 6.1'\necho 'Run /init as init process'\n{report}\n\
         if [ \"$n\" -ge 14 ] && [ \"$n\" -le 17 ]; then report other_fn; exit 0; fi\n\
         if [ \"$n\" -ge 20 ]; then report target_fn; exit 0; fi\n\
         echo BOOT-OK\n"
    )
}

/// Bisects a 32-commit history whose test is `script`, and checks that commit
/// 20 is named and 14-17 were told apart as another crash of the same class.
fn hunt_names_commit_20(report: &str, target: &str) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("boot.sh"), script(report)).unwrap();
    let toml = "[[test]]\nname = \"boot\"\ncommand = \"sh boot.sh\"\ntimeout = \"20s\"\nsuccess = [\"BOOT-OK\"]\n";
    let ids = linear_repo(dir.path(), 32, toml);
    let doc = common::bisect_ok(dir.path(), &ids[0]);
    assert_eq!(doc["status"], "found", "{doc}");
    assert_eq!(doc["target"]["boot"], target, "{doc}");
    assert_eq!(doc["culprit"], ids[19].as_str(), "commit 20: {doc}");
    let mut other_seen = false;
    for candidate in doc["candidates"].as_array().unwrap() {
        let rev = candidate["rev"].as_str().unwrap();
        let n = ids.iter().position(|id| id == rev).unwrap() + 1;
        let verdict = candidate["verdict"].as_str().unwrap();
        match n {
            14..=17 => {
                other_seen = true;
                assert!(
                    verdict.contains("another crash") && verdict.contains("in other_fn"),
                    "{n}: {verdict}"
                );
            }
            20.. => assert!(verdict.starts_with("bad"), "{n}: {verdict}"),
            _ => assert!(verdict.starts_with("good"), "{n}: {verdict}"),
        }
    }
    assert!(
        other_seen,
        "a commit with the other report was tested: {doc}"
    );
}

#[test]
fn a_lockdep_report_in_another_function_is_another_bug() {
    hunt_names_commit_20(LOCKDEP, "possible deadlock in target_fn (warning)");
}

#[test]
fn a_memory_leak_from_another_function_is_another_bug() {
    hunt_names_commit_20(LEAK, "memory leak in target_fn (bug)");
}

#[test]
fn an_rcu_stall_in_another_function_is_another_bug() {
    hunt_names_commit_20(STALL, "INFO: rcu detected stall in target_fn (stall)");
}
