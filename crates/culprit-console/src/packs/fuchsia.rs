//! Fuchsia's Zircon kernel and its user-space crash reports: assertion failures,
//! double faults and interrupt recursion, each followed by a `bt#NN:` trace
//! (`bt#02: 0x001e6ae3 f path/file.cc:290`, `bt#04: [ inline ] f path`), and a
//! process's fatal exception, titled by the process it killed.

use super::{Effect, Found, Rule};
use crate::stack::{Pick, Stack};
use crate::stage::Builtin;
use crate::SignatureKind as Kind;

pub(crate) fn rules() -> Vec<Rule> {
    vec![
        Rule::new(&["welcome to Zircon"], Effect::Stage(Builtin::Kernel)),
        Rule::new(&["ASSERT FAILED at ("], Effect::Signature(assert_failed)),
        Rule::new(&["double fault, halting"], Effect::Signature(double_fault)),
        Rule::new(
            &["recursion in interrupt handler"],
            Effect::Signature(recursion),
        ),
        Rule::new(
            &["<== fatal exception: process "],
            Effect::Signature(fatal_exception),
        ),
    ]
}

/// A report whose `bt#` trace names the function; titled `untraced` without
/// one, or corrupted.
fn traced(kind: Kind, class: &str, untraced: Option<&str>) -> Found {
    let stack = Stack::new(Pick::First, None).with_frames_next();
    let stack = match untraced {
        Some(title) => stack.or_titled(title.to_string()),
        None => stack,
    };
    Found::new(kind, class).with_stack(stack)
}

/// The kernel's assertion; a user process's (`01127.01246> ASSERT FAILED`) is
/// reported by the fatal exception that follows it.
fn assert_failed(body: &str) -> Option<Found> {
    regex!(r"(?:^|\s|: )(?:DEBUG )?ASSERT FAILED at \(").find(body)?;
    if regex!(r"^\d+\.\d+> ").is_match(body) {
        return None;
    }
    Some(traced(Kind::Assertion, "ASSERT FAILED", None))
}

/// Zircon halts on a double fault, often before it prints a trace.
fn double_fault(body: &str) -> Option<Found> {
    (body == "double fault, halting")
        .then(|| traced(Kind::Fault, "double fault", Some("double fault")))
}

fn recursion(body: &str) -> Option<Found> {
    (body == "recursion in interrupt handler")
        .then(|| Found::new(Kind::Fault, "recursion in interrupt handler"))
}

/// `<== fatal exception: process fshost[1127] thread root-dispatcher[1246]`:
/// a user process died; the process is what the bug is known by.
fn fatal_exception(body: &str) -> Option<Found> {
    let c = regex!(r"<== fatal exception: process (?:\S*/)?([^\s\[/]+)\[").captures(body)?;
    Some(Found::new(
        Kind::Fault,
        format!("fatal exception in {}", &c[1]),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::packs::testing::title;

    #[test]
    fn headers() {
        for (line, want) in [
            (
                "panic (caller 0xffffffff001e6b59 frame 0xffffff96f4094db0): DEBUG ASSERT FAILED at (kernel/lib/heap/cmpctmalloc.c:290): x",
                "ASSERT FAILED",
            ),
            ("double fault, halting", "double fault"),
            (
                "[00040.900] 01103.01117> <== fatal exception: process /tmp/syz-executor[31717] thread t[61384]",
                "fatal exception in syz-executor",
            ),
            ("recursion in interrupt handler", "recursion in interrupt handler"),
            (
                "[00040.900] 01103.01117> <== fatal exception: process fshost[1127] thread root-dispatcher[1246]",
                "fatal exception in fshost",
            ),
        ] {
            assert_eq!(title(&rules(), line).as_deref(), Some(want), "{line}");
        }
        assert_eq!(
            title(
                &rules(),
                "01127.01246> ASSERT FAILED at (system/ulib/memfs/file.cpp:217): x"
            ),
            None
        );
    }
}
