//! The Linux kernel: panics, oopses, BUGs, WARNINGs, sanitizer, lockdep and
//! kmemleak reports, lockups and stalls, and the banner lines of a boot.
//!
//! Titles follow the classes kernel engineers use (`KASAN: use-after-free Read
//! in f`, `WARNING in f`, `possible deadlock in f`, `INFO: task hung in f`...):
//! the report type in fixed words, then the function the report's frames blame
//! (see `stack`). Nothing that changes from run to run stays: no address,
//! number, task name, PID, CPU or timeout.
//!
//! WARNING counts as a failure (as in syzkaller): a kernel that warns has hit a
//! condition its authors declared impossible, and a bisection for it is common.
//! Userspace crashes the kernel merely reports (`traps: init[1] general
//! protection fault ...`) and the lines in [`NOT_CRASHES`] are not kernel
//! failures.

use super::{end, Effect, Found, Rule};
use crate::normalize::scrub;
use crate::stack::{clean, Pick, Stack};
use crate::stage::Builtin;
use crate::SignatureKind as Kind;
use classes::{checker, lockdep_class, mentions_lockdep, panic_class, worded_bug, Panic, SLEEPING};

mod classes;

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
        Rule::new(
            &[
                "blocked for more than",
                "blocked in I/O wait for more than",
                "can't die for more than",
            ],
            Effect::Signature(hung_task),
        ),
        Rule::new(
            &["detected stall", "detected expedited stall"],
            Effect::Signature(rcu_stall),
        ),
        Rule::new(
            &["WARNING: ", "INFO: ", "BUG: ", "[ INFO: ", "[ BUG: "],
            Effect::Signature(lockdep),
        ),
        Rule::new(
            &["general protection fault"],
            Effect::Signature(protection_fault),
        ),
        Rule::new(
            &[
                "invalid opcode",
                "divide error",
                "divide_error",
                "double fault",
            ],
            Effect::Signature(trap),
        ),
        Rule::new(
            &["Unable to handle kernel"],
            Effect::Signature(unable_to_handle),
        ),
        Rule::new(&["usercopy: Kernel memory"], Effect::Signature(usercopy)),
        Rule::new(
            &["unreferenced object 0x", "BUG: memory leak"],
            Effect::Signature(leak),
        ),
        Rule::new(
            &["unregister_netdevice: waiting for"],
            Effect::Signature(netdev_refcount),
        ),
        Rule::new(&["BUG at "], Effect::Signature(kernel_bug_at)),
        Rule::new(&["BUG "], Effect::Signature(slab_bug)),
        Rule::new(
            &["VFS: Busy inodes after unmount"],
            Effect::Signature(busy_inodes),
        ),
        Rule::new(&["BUG: "], Effect::Signature(bug)),
        Rule::new(
            &["Oops", "Internal error: ", "Unhandled fault: "],
            Effect::Signature(oops),
        ),
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

/// Lines that look like kernel reports but are not: userspace and driver
/// messages that happen to contain `WARNING:` or `BUG:`. Matched against the
/// line's body; a match is never a signature.
pub(crate) const NOT_CRASHES: &[&str] = &[
    // OpenSSH without a moduli file
    r"^WARNING: /etc/ssh/moduli does not exist",
    // the dynamic loader on binaries built by newer linkers
    r"WARNING: Unsupported flag value\(s\) of 0x(?:[0-9a-fA-F]+|%x) in DT_FLAGS_1",
    // mount and filesystems: deprecated options and read-only fallbacks
    r"^WARNING: .*(?:mount option|option) .*(?:is )?deprecat",
    r"^WARNING: device write-protected, mounted read-only",
    r"^(?:\S+: )?WARNING: .*has been deprecated",
    // the framebuffer console taking over or giving up a display
    r"^WARNING: fbcon: ",
    // the workqueue's boot-time notice about its CPU masks, printed with pr_warn
    r"^WARNING: workqueue cpumask: ",
    // userspace test harnesses announcing their own expected warnings
    r"^WARNING: (?:Kernel|kernel) (?:does not|doesn't) support",
];

fn not_a_crash(body: &str) -> bool {
    static SET: std::sync::LazyLock<regex::RegexSet> =
        std::sync::LazyLock::new(|| regex::RegexSet::new(NOT_CRASHES).expect("built-in pattern"));
    SET.is_match(body)
}

/// A report whose title ends with the function its frames blame.
fn report(kind: Kind, class: impl Into<String>, pick: Pick, header: Option<&str>) -> Found {
    Found::new(kind, class).with_stack(Stack::new(pick, header))
}

fn panic(body: &str) -> Option<Found> {
    if body.contains("---[ end") {
        return None;
    }
    let c = regex!(r"Kernel panic - not syncing:?\s*(.*)").captures(body)?;
    let reason = scrub(c[1].trim());
    if reason.is_empty() {
        return Some(Found::new(Kind::Panic, "kernel panic"));
    }
    Some(match panic_class(&reason) {
        (class, Panic::Reason) => Found::new(Kind::Panic, format!("kernel panic: {class}")),
        // `stack-protector: Kernel stack is corrupted in: f+0x7ea/0x7f0`
        (class, Panic::Frames(pick)) => report(
            Kind::Panic,
            format!("kernel panic: {class}"),
            pick,
            c[1].rsplit_once("in: ")
                .and_then(|(_, f)| header_function(f.trim())),
        ),
    })
}

/// The function of a header's `f+0x1/0x2`.
fn header_function(text: &str) -> Option<&str> {
    regex!(r"^([A-Za-z_.$][\w.$]*)\+0x")
        .captures(text)
        .and_then(|c| c.get(1))
        .map(|m| m.as_str())
}

fn sanitizer(body: &str) -> Option<Found> {
    let c = regex!(r"^(?:BUG: )?(KASAN|KFENCE|KCSAN|KMSAN|UBSAN): (.*)$").captures(body)?;
    let (tool, rest) = (&c[1], c[2].trim());
    let (what, place) = rest.split_once(" in ").unwrap_or((rest, ""));
    let what = sanitizer_class(tool, what);
    // Kernels before 4.11 put the address in KASAN's header (`in f+0x1/0x2 at
    // addr ffff...`) and `Read of size 4 by task` on the next line.
    let place = place.split(" at addr ").next().unwrap_or(place);
    if tool == "KCSAN" {
        let functions: Vec<String> = place
            .split(" / ")
            .filter_map(|f| header_function(f.trim()).or(Some(f.trim())))
            .map(clean)
            .collect();
        return Some(Found::new(
            Kind::Sanitizer,
            format!("KCSAN: {what} in {}", functions.join(" / ")),
        ));
    }
    let found = report(
        Kind::Sanitizer,
        format!("{tool}: {what}"),
        Pick::First,
        header_function(place),
    );
    Some(match (tool, place.starts_with("range ")) {
        // `KASAN: null-ptr-deref in range [...]` explains the general
        // protection fault just reported.
        ("KASAN", true) => found.continuing(),
        ("KASAN", false) => found.with_access(),
        // KMSAN and KFENCE print the stack right after their header (KFENCE after
        // one line on the access): the header names the helper that touched the
        // memory (`_copy_to_user`, `strlen`), the frames its caller.
        ("KMSAN" | "KFENCE", _) => found.with_frames_next(),
        _ => found,
    })
}

/// A sanitizer's bug class as titles spell it: UBSAN's old `Undefined
/// behaviour` is `undefined-behaviour`, KASAN's `double-free or invalid-free`
/// and `double-free` are an `invalid-free`, and what KASAN adds after the class (`on address`) goes.
fn sanitizer_class(tool: &str, what: &str) -> String {
    let what = scrub(what);
    match tool {
        "UBSAN" => what.to_lowercase().replace(' ', "-"),
        "KASAN" if what.ends_with("invalid-free") || what == "double-free" => "invalid-free".into(),
        _ => what
            .split(" on address")
            .next()
            .unwrap_or(&what)
            .trim()
            .to_string(),
    }
}

fn lockup(body: &str) -> Option<Found> {
    let c = regex!(
        r"(BUG: soft lockup|hard LOCKUP|BUG: workqueue lockup|BUG: spinlock lockup suspected)"
    )
    .captures(body)?;
    Some(match &c[1] {
        "hard LOCKUP" => report(Kind::Lockup, "BUG: hard lockup", Pick::First, None),
        "BUG: workqueue lockup" => Found::new(Kind::Lockup, "BUG: workqueue lockup"),
        // a soft lockup is a stall the watchdog saw first: read as one
        class => report(Kind::Lockup, class, Pick::Stall, None),
    })
}

fn hung_task(body: &str) -> Option<Found> {
    let c = regex!(r"INFO: task .+ (blocked (?:in I/O wait )?|can't die )for more than")
        .captures(body)?;
    let class = match c[1].starts_with("can't die") {
        true => "INFO: task can't die",
        false => "INFO: task hung",
    };
    Some(report(Kind::Stall, class, Pick::Waiter, None))
}

fn rcu_stall(body: &str) -> Option<Found> {
    regex!(r"INFO: rcu_\w+ (?:self-)?detected (?:expedited )?stalls?").find(body)?;
    Some(report(
        Kind::Stall,
        "INFO: rcu detected stall",
        Pick::Stall,
        None,
    ))
}

fn lockdep(body: &str) -> Option<Found> {
    if !mentions_lockdep(body) {
        return None;
    }
    // A userspace prompt may come first: `syzkaller login: [ 16.3] INFO: ...`.
    let c = regex!(r"(?:^|\s)(?:\[ )?(WARNING|INFO|BUG): (.+?)[.!]?(?: \])?$").captures(body)?;
    let (class, pick) = lockdep_class(&c[1], &c[2])?;
    Some(report(Kind::Warning, class, pick, None))
}

fn protection_fault(body: &str) -> Option<Found> {
    // A userspace line printed without its newline may come first.
    if body.contains("traps: ")
        || !regex!(r"general protection fault(?::|,| for| probably|$)").is_match(body)
    {
        return None;
    }
    Some(report(
        Kind::Fault,
        "general protection fault",
        Pick::First,
        None,
    ))
}

fn trap(body: &str) -> Option<Found> {
    // x86-64 prints its double fault from `traps.c`, under that file's prefix;
    // other `traps: ` lines are a user program's fault.
    let body = body
        .strip_prefix("traps: ")
        .filter(|rest| rest.starts_with("PANIC: double fault"))
        .unwrap_or(body);
    if body.contains("traps: ") {
        return None;
    }
    let c = regex!(
        r"^(?:Oops: )?(invalid opcode|divide error|divide_error|PANIC: double fault)(?::|,|$)"
    )
    .captures(body)?;
    let class = match &c[1] {
        "divide_error" => "divide error",
        class => class,
    };
    let found = report(Kind::Fault, class, Pick::First, None);
    // x86 BUG() is `ud2`: its `invalid opcode` is the oops of a `kernel BUG at`.
    Some(if class == "invalid opcode" {
        found.continuing()
    } else {
        found
    })
}

fn unable_to_handle(body: &str) -> Option<Found> {
    let c = regex!(r"^Unable to handle kernel (.+?)(?: at virtual address.*|$)").captures(body)?;
    Some(report(
        Kind::Oops,
        page_fault_class(&c[1]),
        Pick::First,
        None,
    ))
}

/// x86 and arm64 word the same faults differently; the title class is one.
fn page_fault_class(what: &str) -> String {
    let what = what.trim();
    if what.contains("NULL pointer dereference") {
        return "BUG: unable to handle kernel NULL pointer dereference".into();
    }
    let what = what
        .strip_prefix("unable to handle ")
        .unwrap_or(what)
        .trim_start_matches("kernel ");
    // x86 since 4.20 says `page fault`; the class kept its old name.
    if what.starts_with("page fault") || what.starts_with("paging request") {
        "BUG: unable to handle kernel paging request".into()
    } else {
        format!("BUG: unable to handle kernel {}", scrub(what))
    }
}

/// Hardened usercopy's message comes before its `kernel BUG at mm/usercopy.c`;
/// syzkaller's title for both is `BUG: bad usercopy in F`.
fn usercopy(body: &str) -> Option<Found> {
    regex!(r"^usercopy: Kernel memory \w+ attempt").find(body)?;
    Some(report(Kind::Bug, "BUG: bad usercopy", Pick::First, None))
}

/// kmemleak's report, whether syzkaller's `BUG: memory leak` header came first
/// (the `unreferenced object` line then continues it) or not.
fn leak(body: &str) -> Option<Found> {
    let found = report(Kind::Bug, "memory leak", Pick::Caller, None);
    if regex!(r"(?:^|\s)BUG: memory leak$").is_match(body) {
        return Some(found);
    }
    body.starts_with("unreferenced object 0x")
        .then(|| found.continuing())
}

fn netdev_refcount(body: &str) -> Option<Found> {
    body.starts_with("unregister_netdevice: waiting for")
        .then(|| {
            Found::new(
                Kind::Stall,
                "unregister_netdevice: waiting for DEV to become free",
            )
        })
}

fn kernel_bug_at(body: &str) -> Option<Found> {
    let c = regex!(r"kernel BUG at ([^!\s:]+)").captures(body)?;
    let class = match checker(&c[1]) {
        Some(name) => format!("BUG: {name}"),
        None => "kernel BUG".to_string(),
    };
    // The `usercopy:` line before it already said what the checker found.
    Some(report(Kind::Bug, class, Pick::First, None).continuing())
}

/// SLUB's debug checks name the cache before the message: `BUG kmalloc-8
/// (Tainted: G B): Object already free`.
fn slab_bug(body: &str) -> Option<Found> {
    let c = regex!(r"^BUG [\w.-]+ \([^)]*\): (.+)$").captures(body)?;
    let what = scrub(c[1].trim_end_matches(['!', '.']));
    Some(Found::new(Kind::Bug, format!("BUG: {what}")))
}

/// The superblock still had inodes in use at unmount: something freed the
/// filesystem under them.
fn busy_inodes(body: &str) -> Option<Found> {
    body.starts_with("VFS: Busy inodes after unmount")
        .then(|| Found::new(Kind::Bug, "VFS: Busy inodes after unmount (use-after-free)"))
}

fn bug(body: &str) -> Option<Found> {
    // arm64's `Internal error: Oops - BUG: ...` is the oops of a `kernel BUG at`.
    if body.starts_with("Internal error: ") || body.starts_with("Oops") {
        return None;
    }
    let c = regex!(r"(?:^|[^\w])BUG: (.*)").captures(body)?;
    let rest = c[1].trim();
    let lower = rest.to_lowercase();
    if lower.contains("null pointer dereference") || lower.contains("unable to handle") {
        let what = regex!(r"^(.+?)(?:, address| for address| at [0-9a-fA-Fx]+|$)")
            .captures(rest)
            .and_then(|c| c.get(1))
            .map_or(rest, |m| m.as_str());
        return Some(report(
            Kind::Oops,
            page_fault_class(what),
            Pick::First,
            None,
        ));
    }
    // lockdep ran out of room for its own tables: no function's bug
    if regex!(r"^MAX_\w+ too low!?$").is_match(rest) {
        return Some(Found::new(Kind::Bug, format!("BUG: {rest}")));
    }
    if let Some(class) = worded_bug(rest) {
        return Some(report(Kind::Bug, class, Pick::First, None));
    }
    // What follows these separators names the victim task, page or address, not
    // the bug.
    let what = [
        ": ",
        " in process ",
        " pfn:",
        " code: ",
        " on CPU",
        " at ",
        ", ",
        " - ",
    ]
    .iter()
    .filter_map(|sep| rest.find(sep))
    .min()
    .map_or(rest, |at| &rest[..at]);
    let what = scrub(what.trim_end_matches(['!', '.']));
    let pick = SLEEPING
        .iter()
        .find(|(class, _)| what.starts_with(class))
        .map_or(Pick::First, |(_, pick)| *pick);
    Some(report(Kind::Bug, format!("BUG: {what}"), pick, None))
}

fn oops(body: &str) -> Option<Found> {
    let c = regex!(r"^((?:Internal error: |Unhandled fault: )?(?:Oops)?[^\[]*)").captures(body)?;
    let head = c[1].trim();
    if !(head.starts_with("Oops")
        || head.starts_with("Internal error: ")
        || head.starts_with("Unhandled fault: "))
    {
        return None;
    }
    // arm's and arm64's faults are one class each, whatever the abort's kind.
    for class in ["Internal error", "Unhandled fault"] {
        if head.starts_with(class) {
            return Some(report(Kind::Oops, class, Pick::First, None).continuing());
        }
    }
    // `Oops: 0002`, `Internal error: Oops: 96000046`: the codes vary with the access.
    let class = regex!(r"(?::\s*[0-9a-fA-Fx]+|\s+\(0x[0-9a-fA-F]+\)|\s+at 0x[0-9a-fA-F]+)+\s*$")
        .replace(head, "");
    Some(report(Kind::Oops, scrub(&class), Pick::First, None).continuing())
}

fn warning(body: &str) -> Option<Found> {
    if !body.starts_with("WARNING:") || not_a_crash(body) {
        return None;
    }
    let at = regex!(
        r"^WARNING: (?:CPU: \d+ PID: \d+ )?at (\S+?):\d+(?: ([A-Za-z_.$][\w.$]*)\+0x)?|^WARNING: (\S+?):\d+ at (?:([A-Za-z_.$][\w.$]*)\+0x|0x[0-9a-f]+,)"
    );
    if let Some(c) = at.captures(body) {
        let file = c.get(1).or(c.get(3)).map_or("", |m| m.as_str());
        let function = c.get(2).or(c.get(4)).map(|m| m.as_str());
        let class = match checker(file) {
            Some(name) => format!("WARNING: {name}"),
            None => "WARNING".to_string(),
        };
        let stack = Stack::new(Pick::First, function).needing_trace();
        return Some(Found::new(Kind::Warning, class).with_stack(stack));
    }
    // The unwinder's complaint names the task and addresses in the middle.
    if let Some(c) =
        regex!(r"^WARNING: kernel stack (regs|frame pointer) at .* has bad ('bp' )?value")
            .captures(body)
    {
        let bp = c.get(2).map_or("", |m| m.as_str());
        return Some(Found::new(
            Kind::Warning,
            format!("WARNING: kernel stack {} has bad {bp}value", &c[1]),
        ));
    }
    let message = scrub(
        body.trim_start_matches("WARNING:")
            .trim()
            .trim_end_matches(['!', '.']),
    );
    // A WARNING printed as a message, not by WARN(), has no trace of its own.
    Some(Found::new(Kind::Warning, format!("WARNING: {message}")))
}

#[cfg(test)]
mod tests;
