//! The Linux kernel: panics, oopses, BUGs, WARNINGs, sanitizer reports, lockups
//! and stalls, and the banner lines of a boot.
//!
//! WARNING counts as a failure (as in syzkaller): a kernel that warns has hit a
//! condition its authors declared impossible, and a bisection for it is common.
//! Userspace crashes the kernel merely reports (`traps: init[1] general
//! protection fault ...`) are not kernel failures.

use super::{end, Effect, Found, Rule, Want};
use crate::stage::Builtin;
use crate::SignatureKind as Kind;
use regex::Regex;
use std::sync::LazyLock;

pub(crate) fn rules() -> Vec<Rule> {
    vec![
        Rule::new(
            &["---[ end Kernel panic", "Kernel Offset:", "Rebooting in "],
            end(true),
        ),
        Rule::new(&["---[ end trace"], end(false)),
        Rule::new(&["Kernel panic - not syncing"], Effect::Signature(panic)),
        Rule::new(
            &["KASAN: ", "KFENCE: ", "KCSAN: ", "KMSAN: ", "UBSAN: "],
            Effect::Signature(sanitizer),
        ),
        Rule::new(
            &[
                "soft lockup",
                "hard LOCKUP",
                "workqueue lockup",
                "spinlock lockup",
            ],
            Effect::Signature(lockup),
        ),
        Rule::new(&["blocked for more than"], Effect::Signature(hung_task)),
        Rule::new(
            &["detected stall", "detected expedited stall"],
            Effect::Signature(rcu_stall),
        ),
        Rule::new(
            &["general protection fault"],
            Effect::Signature(protection_fault),
        ),
        Rule::new(&["invalid opcode", "divide error"], Effect::Signature(trap)),
        Rule::new(
            &["Unable to handle kernel"],
            Effect::Signature(unable_to_handle),
        ),
        Rule::new(&["BUG at "], Effect::Signature(kernel_bug_at)),
        Rule::new(&["BUG: "], Effect::Signature(bug)),
        Rule::new(&["Oops"], Effect::Signature(oops)),
        Rule::new(&["WARNING:"], Effect::Signature(warning)),
        Rule::new(
            &["Linux version ", "Booting Linux on physical CPU"],
            Effect::Stage(Builtin::Kernel),
        ),
        Rule::new(
            &["init process", "Freeing unused kernel"],
            Effect::Stage(Builtin::Init),
        ),
    ]
}

fn panic(body: &str) -> Option<Found> {
    if body.contains("---[ end") {
        return None;
    }
    let c = regex!(r"Kernel panic - not syncing:?\s*(.*)").captures(body)?;
    let message = c[1].trim();
    let title = if message.is_empty() {
        "Kernel panic - not syncing".to_string()
    } else {
        format!("Kernel panic - not syncing: {message}")
    };
    Some(Found::new(Kind::Panic, title))
}

fn sanitizer(body: &str) -> Option<Found> {
    let c = regex!(r"^(?:BUG: )?((?:KASAN|KFENCE|KCSAN|KMSAN|UBSAN): .*)").captures(body)?;
    Some(Found::new(Kind::Sanitizer, c[1].trim()))
}

fn lockup(body: &str) -> Option<Found> {
    let c = regex!(
        r"(BUG: soft lockup|Watchdog detected hard LOCKUP|BUG: workqueue lockup|BUG: spinlock lockup suspected)"
    )
    .captures(body)?;
    let found = Found::new(Kind::Lockup, &c[1]);
    Some(if c[1].contains("soft") || c[1].contains("hard") {
        found.wanting(Want::Location)
    } else {
        found
    })
}

fn hung_task(body: &str) -> Option<Found> {
    let c = regex!(r"INFO: task (\S+?):\d+ blocked for more than (\d+) seconds").captures(body)?;
    // Kernel threads carry their CPU and index in the name (`kworker/0:1H`).
    let task = c[1].split('/').next().unwrap_or(&c[1]);
    Some(Found::new(
        Kind::Stall,
        format!("INFO: task {task} blocked for more than {} seconds", &c[2]),
    ))
}

fn rcu_stall(body: &str) -> Option<Found> {
    let c = regex!(
        r"INFO: (rcu_\w+) (self-detected stall on CPU|detected stalls on CPUs/tasks|detected expedited stalls on CPUs/tasks)"
    )
    .captures(body)?;
    Some(Found::new(Kind::Stall, format!("INFO: {} {}", &c[1], &c[2])).wanting(Want::Location))
}

fn protection_fault(body: &str) -> Option<Found> {
    if body.contains("traps: ") {
        return None;
    }
    Some(Found::new(Kind::Fault, "general protection fault").wanting(Want::Location))
}

fn trap(body: &str) -> Option<Found> {
    if body.contains("traps: ") {
        return None;
    }
    let c = regex!(r"^(?:Oops: )?(invalid opcode|divide error)(?::|$)").captures(body)?;
    Some(Found::new(Kind::Fault, &c[1]).wanting(Want::Location))
}

fn unable_to_handle(body: &str) -> Option<Found> {
    let c = regex!(r"(Unable to handle kernel .+?)(?: at virtual address| at [0-9a-fA-Fx]+|,|$)")
        .captures(body)?;
    Some(Found::new(Kind::Oops, c[1].trim()).wanting(Want::Location))
}

fn kernel_bug_at(body: &str) -> Option<Found> {
    let c = regex!(r"kernel BUG at ([^!\s]+)").captures(body)?;
    Some(Found::new(Kind::Bug, format!("kernel BUG at {}", &c[1])).wanting(Want::Location))
}

fn bug(body: &str) -> Option<Found> {
    let c = regex!(r"(?:^|[^\w])BUG: (.*)").captures(body)?;
    let rest = c[1].trim();
    if rest.contains("NULL pointer dereference") || rest.to_lowercase().contains("unable to handle")
    {
        let what = regex!(r"^(.+?)(?:, address| for address| at [0-9a-fA-Fx]+|$)")
            .captures(rest)
            .map_or(rest, |c| c.get(1).map_or(rest, |m| m.as_str()));
        return Some(Found::new(Kind::Oops, format!("BUG: {what}")).wanting(Want::Location));
    }
    // What follows these separators names the victim task or page, not the bug.
    let what = [": ", " in process ", " pfn:", " code: "]
        .iter()
        .filter_map(|sep| rest.find(sep))
        .min()
        .map_or(rest, |at| &rest[..at]);
    Some(Found::new(Kind::Bug, format!("BUG: {what}")))
}

fn oops(body: &str) -> Option<Found> {
    let c = regex!(r"^((?:Internal error: )?Oops(?: - [^:]+)?(?::[^\[]*)?)").captures(body)?;
    Some(Found::new(Kind::Oops, c[1].trim()).wanting(Want::Location))
}

fn warning(body: &str) -> Option<Found> {
    if !body.starts_with("WARNING:") {
        return None;
    }
    let at =
        regex!(r"^WARNING: (?:CPU: \d+ PID: \d+ )?at (\S+?):\d+(?: ([A-Za-z_.$][\w.$]*)\+0x)?");
    let title = match at.captures(body) {
        Some(c) => match c.get(2) {
            Some(func) => format!("WARNING at {} in {}", &c[1], func.as_str()),
            None => format!("WARNING at {}", &c[1]),
        },
        None => body.to_string(),
    };
    Some(Found::new(Kind::Warning, title))
}

/// The function a trace's program-counter line names (x86 `RIP: 0010:f+0x1/0x2`,
/// arm64 `pc : f+0x1/0x2`, arm `PC is at f+0x1/0x2`, riscv `epc : ...`). A
/// user-mode `RIP: 0033:0x461189` names no function.
pub(crate) fn location(body: &str) -> Option<String> {
    let c = regex!(
        r"(?:RIP: [0-9a-fA-F]{4}:|\bpc : |PC is at |epc : |EIP: (?:[0-9a-fA-F]{4}:)?)\s*(?:\[<[0-9a-fA-F]+>\]\s*)?([A-Za-z_.$][\w.$]*)\+0x"
    )
    .captures(body)?;
    Some(c[1].to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::packs::testing::{signature, title};

    fn t(line: &str) -> Option<String> {
        title(&rules(), line)
    }

    #[test]
    fn real_panic_lines() {
        assert_eq!(
            t("[    1.951718] Kernel panic - not syncing: sysrq triggered crash").as_deref(),
            Some("Kernel panic - not syncing: sysrq triggered crash")
        );
        assert_eq!(
            t("[    1.922189] Kernel panic - not syncing: Attempted to kill init! exitcode=0x00000100").as_deref(),
            Some("Kernel panic - not syncing: Attempted to kill init! exitcode=0x00000100")
        );
        assert_eq!(
            t("[    1.573289] Kernel panic - not syncing: VFS: Unable to mount root fs on unknown-block(0,0)").as_deref(),
            Some("Kernel panic - not syncing: VFS: Unable to mount root fs on unknown-block(0,0)")
        );
        assert_eq!(
            t("---[ end Kernel panic - not syncing: sysrq triggered crash ]---"),
            None
        );
    }

    #[test]
    fn oopses_want_the_faulting_function() {
        let f = signature(
            &rules(),
            "[   12.1] BUG: kernel NULL pointer dereference, address: 0000000000000008",
        )
        .unwrap();
        assert_eq!(
            (f.kind, f.title.as_str()),
            (Kind::Oops, "BUG: kernel NULL pointer dereference")
        );
        assert_eq!(f.wants, Some(Want::Location));
        let f = signature(&rules(), "[   12.1] Oops: 0002 [#1] PREEMPT SMP PTI").unwrap();
        assert_eq!((f.kind, f.title.as_str()), (Kind::Oops, "Oops: 0002"));
        let f = signature(
            &rules(),
            "[    3.2] Unable to handle kernel paging request at virtual address ffff800008a3b000",
        )
        .unwrap();
        assert_eq!(f.title, "Unable to handle kernel paging request");
        let f = signature(
            &rules(),
            "Unable to handle kernel NULL pointer dereference at virtual address 0000000000000008",
        )
        .unwrap();
        assert_eq!(
            (f.kind, f.title.as_str()),
            (
                Kind::Oops,
                "Unable to handle kernel NULL pointer dereference"
            )
        );
        let f = signature(
            &rules(),
            "Internal error: Oops: 0000000096000005 [#1] PREEMPT SMP",
        )
        .unwrap();
        assert_eq!(f.title, "Internal error: Oops: ADDR");
    }

    #[test]
    fn faults_and_traps() {
        let f = signature(
            &rules(),
            "[ 5.1] general protection fault, probably for non-canonical address 0xdffffc0000000001: 0000 [#1] PREEMPT SMP KASAN",
        )
        .unwrap();
        assert_eq!(
            (f.kind, f.title.as_str()),
            (Kind::Fault, "general protection fault")
        );
        assert_eq!(
            t("[ 5.1] Oops: invalid opcode: 0000 [#1] PREEMPT SMP").as_deref(),
            Some("invalid opcode")
        );
        assert_eq!(
            t("[ 5.1] divide error: 0000 [#1] SMP").as_deref(),
            Some("divide error")
        );
        assert_eq!(t("[ 9.9] traps: init[1] general protection fault ip:4011a6 sp:7ffd error:0 in init[401000+1000]"), None);
        assert_eq!(
            t("[ 9.9] traps: a.out[77] trap invalid opcode ip:401136 sp:7ffe error:0"),
            None
        );
    }

    #[test]
    fn bugs() {
        assert_eq!(
            t("[ 1.0] kernel BUG at mm/slub.c:4321!").as_deref(),
            Some("kernel BUG at mm/slub.c")
        );
        assert_eq!(
            t("[ 1.0] BUG: scheduling while atomic: swapper/0/0/0x00000002").as_deref(),
            Some("BUG: scheduling while atomic")
        );
        assert_eq!(
            t("[ 1.0] BUG: sleeping function called from invalid context at mm/slab.h:494")
                .as_deref(),
            Some("BUG: sleeping function called from invalid context at mm/slab.h")
        );
        assert_eq!(
            t("[ 1.0] BUG: Bad page state in process swapper/0  pfn:0a1b2").as_deref(),
            Some("BUG: Bad page state")
        );
        assert_eq!(t("[ 1.0] DEBUG: not a bug"), None);
        assert_eq!(t("[ 1.0] AMD-Vi: AMD IOMMUv2 functionality not available on this system - This is not a bug."), None);
    }

    #[test]
    fn sanitizers() {
        let f = signature(
            &rules(),
            "[ 7.2] BUG: KASAN: slab-use-after-free in foo_release+0x2a/0x60 [foo]",
        )
        .unwrap();
        assert_eq!(
            (f.kind, f.title.as_str()),
            (
                Kind::Sanitizer,
                "KASAN: slab-use-after-free in foo_release [foo]"
            )
        );
        assert_eq!(
            t("[ 7.2] UBSAN: shift-out-of-bounds in lib/test_ubsan.c:34:4").as_deref(),
            Some("UBSAN: shift-out-of-bounds in lib/test_ubsan.c")
        );
        assert_eq!(
            t("BUG: KFENCE: out-of-bounds read in test_out_of_bounds_read+0xa8/0x22b").as_deref(),
            Some("KFENCE: out-of-bounds read in test_out_of_bounds_read")
        );
        assert_eq!(t("[ 0.1] kasan: KernelAddressSanitizer initialized"), None);
    }

    #[test]
    fn warnings_name_file_and_function_not_line() {
        let f = signature(
            &rules(),
            "[ 2.5] WARNING: CPU: 3 PID: 417 at kernel/locking/mutex.c:582 __mutex_lock+0x5f5/0x920",
        )
        .unwrap();
        assert_eq!(
            (f.kind, f.title.as_str()),
            (
                Kind::Warning,
                "WARNING at kernel/locking/mutex.c in __mutex_lock"
            )
        );
        assert_eq!(
            t("WARNING: at fs/sysfs/dir.c:31 sysfs_warn_dup+0x5d/0x70()").as_deref(),
            Some("WARNING at fs/sysfs/dir.c in sysfs_warn_dup")
        );
        assert_eq!(
            t("[ 8.0] WARNING: possible circular locking dependency detected").as_deref(),
            Some("WARNING: possible circular locking dependency detected")
        );
        assert_eq!(t("[ 8.0] usb 1-1: WARNING: something else"), None);
    }

    #[test]
    fn lockups_and_stalls() {
        let f = signature(
            &rules(),
            "[ 48.1] watchdog: BUG: soft lockup - CPU#0 stuck for 22s! [swapper/0:1]",
        )
        .unwrap();
        assert_eq!(
            (f.kind, f.title.as_str()),
            (Kind::Lockup, "BUG: soft lockup")
        );
        assert_eq!(f.wants, Some(Want::Location));
        assert_eq!(
            t("[ 60.0] BUG: workqueue lockup - pool cpus=0 node=0 flags=0x0 nice=0 stuck for 33s!").as_deref(),
            Some("BUG: workqueue lockup")
        );
        let a = t("[ 243.1] INFO: task kworker/0:1:12 blocked for more than 120 seconds.");
        let b = t("[ 999.1] INFO: task kworker/u4:2:88 blocked for more than 120 seconds.");
        assert_eq!(
            a.as_deref(),
            Some("INFO: task kworker blocked for more than 120 seconds")
        );
        assert_eq!(a, b);
        let f = signature(
            &rules(),
            "[ 21.0] rcu: INFO: rcu_sched self-detected stall on CPU",
        )
        .unwrap();
        assert_eq!(
            (f.kind, f.title.as_str()),
            (Kind::Stall, "INFO: rcu_sched self-detected stall on CPU")
        );
        assert_eq!(
            t("[ 21.0] rcu: INFO: rcu_preempt detected stalls on CPUs/tasks:").as_deref(),
            Some("INFO: rcu_preempt detected stalls on CPUs/tasks")
        );
    }

    #[test]
    fn program_counter_lines_name_the_function() {
        assert_eq!(
            location("RIP: 0010:sysrq_handle_crash+0x16/0x20").as_deref(),
            Some("sysrq_handle_crash")
        );
        assert_eq!(
            location("pc : el0_svc_common.constprop.0+0x40/0xe0").as_deref(),
            Some("el0_svc_common.constprop.0")
        );
        assert_eq!(
            location("PC is at do_raw_spin_lock+0x8/0x140").as_deref(),
            Some("do_raw_spin_lock")
        );
        assert_eq!(location("RIP: 0033:0x461189"), None);
        assert_eq!(location("Code: 00 49 c7 c0"), None);
    }

    #[test]
    fn boot_lines_are_not_signatures() {
        for line in [
            "[    0.000000] Linux version 6.1.0-56-amd64 (debian-kernel@lists.debian.org)",
            "[    1.283017] AMD-Vi: AMD IOMMUv2 functionality not available on this system - This is not a bug.",
            "[    1.936425] Run /init as init process",
            "[    1.923015] Call Trace:",
        ] {
            assert_eq!(t(line), None, "{line}");
        }
    }
}
