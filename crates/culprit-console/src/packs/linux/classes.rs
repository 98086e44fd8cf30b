//! The Linux report classes whose title is not the header's own words: checkers
//! that report their caller's bug, lockdep's many headers, and panic reasons.

use crate::stack::Pick;
use aho_corasick::AhoCorasick;
use std::sync::LazyLock;

/// Sources whose WARN or BUG is a checker reporting its caller's bug: the title
/// names the checker, and the frames skip it (see `blame::HELPERS`).
const CHECKERS: &[(&str, &str)] = &[
    // refcount_t saturation, underflow and use-after-free
    ("lib/refcount.c", "refcount bug"),
    // debug objects: freeing an active timer or work item
    ("lib/debugobjects.c", "ODEBUG bug"),
    // CONFIG_DEBUG_LIST
    ("lib/list_debug.c", "corrupted list"),
    // hardened usercopy
    ("mm/usercopy.c", "bad usercopy"),
    // FORTIFY_SOURCE's run-time overflow check
    ("lib/string_helpers.c", "fortify: buffer overflow"),
    (
        "include/linux/fortify-string.h",
        "fortify: field-spanning write",
    ),
    // lockdep's own consistency checks: a lock used wrongly (no key, bad class)
    ("kernel/locking/lockdep.c", "locking bug"),
    // kobjects added twice or without a name
    ("lib/kobject.c", "kobject bug"),
    // the slab allocator refusing a size: the caller asked for it
    ("mm/slab_common.c", "kmalloc bug"),
];

pub(super) fn checker(file: &str) -> Option<&'static str> {
    CHECKERS
        .iter()
        .find(|(source, _)| file.ends_with(source))
        .map(|(_, name)| *name)
}

/// Lockdep's report headers (old `[ INFO: ... ]` and new `WARNING: ...`
/// spellings) with their class and how they read their frames; `None`: the
/// class is the header's own words after its `WARNING:`, `BUG:` or `INFO:`,
/// which differ between kernel versions and stay as printed.
const LOCKDEP: &[(&str, Option<&str>, &str, Pick)] = &[
    // lock order problems are all a possible deadlock; a cycle or a recursion
    // is blamed where the lock is taken (see `Pick::Held`)
    (
        "possible circular locking dependency detected",
        Some("possible deadlock"),
        "",
        Pick::Held,
    ),
    (
        "possible recursive locking detected",
        Some("possible deadlock"),
        "",
        Pick::Held,
    ),
    (
        "possible irq lock inversion dependency detected",
        Some("possible deadlock"),
        "",
        Pick::First,
    ),
    (
        "HARDIRQ-safe -> HARDIRQ-unsafe lock order detected",
        Some("possible deadlock"),
        "",
        Pick::First,
    ),
    (
        "SOFTIRQ-safe -> SOFTIRQ-unsafe lock order detected",
        Some("possible deadlock"),
        "",
        Pick::First,
    ),
    (
        "inconsistent lock state",
        Some("inconsistent lock state"),
        "",
        Pick::First,
    ),
    // a lock taken in a context its wait type forbids: lockdep's own check
    (
        "Invalid wait context",
        Some("WARNING: locking bug"),
        "",
        Pick::First,
    ),
    // misuse of one lock: blamed where the lock was taken or released
    (
        "bad unlock balance detected",
        None,
        "bad unlock balance",
        Pick::Held,
    ),
    ("held lock freed", None, "held lock freed", Pick::Held),
    (
        "lock held when returning to user space",
        None,
        "lock held when returning to user space",
        Pick::First,
    ),
    (
        "lock held at task exit time",
        None,
        "lock held at task exit time",
        Pick::First,
    ),
    (
        "Nested lock was not taken",
        None,
        "nested lock was not taken",
        Pick::First,
    ),
    (
        "bad contention detected",
        None,
        "bad contention",
        Pick::First,
    ),
    (
        "still has locks held",
        None,
        "still has locks held",
        Pick::Held,
    ),
    // lockdep's view of RCU and of lock keys
    (
        "suspicious RCU usage",
        None,
        "suspicious RCU usage",
        Pick::First,
    ),
    (
        "trying to register non-static key",
        None,
        "trying to register non-static key",
        Pick::First,
    ),
];

/// The title class of a lockdep header, given the word it was printed under
/// (`WARNING`, `BUG`, `INFO`) and its message, with how it reads its frames.
/// Whether `line` holds any of lockdep's headers: one automaton pass over the
/// line, before the header regex runs on every `WARNING:`, `INFO:` and `BUG:`
/// line of a crash-dense log (a report's message is part of its line, so a
/// line without a header has no lockdep class).
pub(super) fn mentions_lockdep(line: &str) -> bool {
    static HEADERS: LazyLock<Option<AhoCorasick>> =
        LazyLock::new(|| AhoCorasick::new(LOCKDEP.iter().map(|(header, ..)| header)).ok());
    HEADERS
        .as_ref()
        .is_none_or(|headers| headers.is_match(line))
}

pub(super) fn lockdep_class(level: &str, message: &str) -> Option<(String, Pick)> {
    let (_, class, words, pick) = LOCKDEP
        .iter()
        .find(|(header, _, _, _)| message.contains(header))?;
    let class = match class {
        Some(class) => class.to_string(),
        None => format!("{level}: {words}"),
    };
    Some((class, *pick))
}

/// What a panic's reason says about where to look.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Panic {
    /// The reason is the whole title.
    Reason,
    /// The reason names a class; the function comes from the frames, read
    /// as this pick reads them.
    Frames(Pick),
}

/// Panic reasons worded with the victim's details: the class they keep.
const PANICS: &[(&str, &str, Panic)] = &[
    // the stack canary: the function named is the one whose frame was smashed
    (
        "stack-protector: Kernel stack is corrupted in",
        "stack is corrupted",
        Panic::Frames(Pick::First),
    ),
    // the scheduler's check of the stack end magic: the stack overflowed, and
    // the work it ran (read as a stall's) is to blame, not where it noticed
    (
        "corrupted stack end detected inside scheduler",
        "corrupted stack end",
        Panic::Frames(Pick::Stall),
    ),
    // an oops in interrupt context escalates to a panic: the oops is the report
    ("Fatal exception", "Fatal exception", Panic::Reason),
];

/// Separators after which a panic's reason names the victim (a device, an
/// error number), not the reason.
const PANIC_DETAILS: &[&str] = &[" for ", " --- ", ": error ", " (", " at "];

/// The class of a panic's reason, and whether frames complete it.
pub(super) fn panic_class(reason: &str) -> (String, Panic) {
    if let Some((_, class, how)) = PANICS.iter().find(|(r, _, _)| reason.starts_with(r)) {
        return (class.to_string(), *how);
    }
    let cut = PANIC_DETAILS
        .iter()
        .filter_map(|sep| reason.find(sep))
        .min()
        .map_or(reason, |at| &reason[..at]);
    (cut.trim().to_string(), Panic::Reason)
}

/// BUG headers that print their victim in the middle of the class's words.
const WORDED_BUGS: &[(&str, &str)] = &[
    // preemption checks name the accessor: `using smp_processor_id() in
    // preemptible [00000000] code: task/1`
    (
        r"^using (\S+) in preemptible \[[0-9a-fA-F]+\] code",
        "BUG: using $1 in preemptible code",
    ),
    // dcache: `Dentry ffff888119d8a000{i=0,n=.index}  still in use (1) [unmount ...]`
    (r"^Dentry .*still in use", "BUG: Dentry still in use"),
    // vmap stacks: `TASK stack guard page was hit at ADDR (stack is ...)`
    (
        r"^(?:TASK |IRQ )?stack guard page was hit",
        "BUG: stack guard page was hit",
    ),
];

/// The class of a BUG whose words are split by the victim's details.
pub(super) fn worded_bug(rest: &str) -> Option<String> {
    static SET: std::sync::LazyLock<Vec<regex::Regex>> = std::sync::LazyLock::new(|| {
        WORDED_BUGS
            .iter()
            .map(|(pattern, _)| regex::Regex::new(pattern).expect("built-in pattern"))
            .collect()
    });
    SET.iter().zip(WORDED_BUGS).find_map(|(re, (_, title))| {
        re.captures(rest).map(|c| {
            let mut out = String::new();
            c.expand(title, &mut out);
            out
        })
    })
}

/// BUG classes that report sleeping where the kernel must not, with how they
/// read their frames (see `blame::Pick`).
pub(super) const SLEEPING: &[(&str, Pick)] = &[
    // might_sleep() in atomic context: the function that may sleep is the bug
    (
        "sleeping function called from invalid context",
        Pick::Sleeper,
    ),
    // schedule() in atomic context: the code that went to sleep is
    ("scheduling while atomic", Pick::Scheduler),
];
