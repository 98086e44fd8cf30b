//! FreeBSD, NetBSD and OpenBSD kernels as labs see them under QEMU: `Fatal trap
//! N: ... while in kernel mode`, `uvm_fault(...)`, `kernel: ... trap` and
//! `panic: ...`, each followed by a ddb or KDB traceback (`f() at f+0x1`), which
//! names the function (see `stack`).
//!
//! `panic: ` is shared with Go runtime panics; the frames that follow tell
//! which, and the title is built the same way for both.

use super::{Effect, Found, Rule};
use crate::normalize::scrub;
use crate::stack::{Pick, Stack};
use crate::SignatureKind as Kind;

pub(crate) fn rules() -> Vec<Rule> {
    vec![
        Rule::new(&["Fatal trap "], Effect::Signature(fatal_trap)),
        Rule::new(&["uvm_fault("], Effect::Signature(uvm_fault)),
        Rule::new(&["kernel: "], Effect::Signature(kernel_trap)),
        Rule::new(&["panic: "], Effect::Signature(panic)),
    ]
}

fn report(kind: Kind, class: String) -> Found {
    Found::new(kind, class).with_stack(Stack::new(Pick::First, None))
}

/// `Fatal trap 12: page fault while in kernel mode`: the trap's name says what
/// its number does.
fn fatal_trap(body: &str) -> Option<Found> {
    let c = regex!(r"^Fatal trap \d+: (.+?)(?: while in (?:kernel|user) mode)?$").captures(body)?;
    Some(report(Kind::Fault, format!("Fatal trap: {}", scrub(&c[1]))))
}

fn uvm_fault(body: &str) -> Option<Found> {
    body.starts_with("uvm_fault(")
        .then(|| report(Kind::Fault, "uvm_fault".to_string()))
}

/// OpenBSD's `kernel: page fault trap, code=0`.
fn kernel_trap(body: &str) -> Option<Found> {
    let c = regex!(r"^kernel: ([\w ]+ trap)(?:,.*)?$").captures(body)?;
    Some(report(Kind::Fault, format!("kernel: {}", &c[1])).continuing())
}

/// `panic: ...` from a BSD kernel or the Go runtime; ` [recovered]` and numbers
/// vary, the message does not.
fn panic(body: &str) -> Option<Found> {
    let message = body.strip_prefix("panic: ")?;
    let message = scrub(message.trim_end_matches(" [recovered]").trim());
    Some(report(Kind::Panic, format!("panic: {message}")).continuing())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::packs::testing::title;

    #[test]
    fn headers() {
        for (line, want) in [
            (
                "Fatal trap 12: page fault while in kernel mode",
                "Fatal trap: page fault",
            ),
            (
                "Fatal trap 9: general protection fault while in kernel mode",
                "Fatal trap: general protection fault",
            ),
            ("uvm_fault(0xffffffff81a2c4e0, 0x0, 0, 1) -> e", "uvm_fault"),
            ("kernel: page fault trap, code=0", "kernel: page fault trap"),
            (
                "panic: vm_fault: fault on nofault entry, addr: 0xdeadc000",
                "panic: vm_fault: fault on nofault entry, addr",
            ),
            (
                "panic: runtime error: index out of range [5] with length 3",
                "panic: runtime error: index out of range with length",
            ),
            ("panic: boom [recovered]", "panic: boom"),
        ] {
            assert_eq!(title(&rules(), line).as_deref(), Some(want), "{line}");
        }
        assert_eq!(title(&rules(), "Kernel panic - not syncing: x"), None);
        assert_eq!(title(&rules(), "some kernel: message"), None);
    }
}
