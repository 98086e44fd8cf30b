//! FreeBSD, NetBSD and OpenBSD kernels as labs see them under QEMU: `Fatal trap
//! N: ... while in kernel mode`, `uvm_fault(...)`, `kernel: ... trap` and
//! `panic: ...`, each followed by a ddb or KDB traceback (`f() at f+0x1`), which
//! names the function (see `stack`).
//!
//! `panic: ` is shared with Go runtime panics; the frames that follow tell
//! which, and the title is built the same way for both.

use super::{Effect, Found, Rule};
use crate::normalize::scrub;
use crate::stack::{Origin, Pick, Stack};
use crate::SignatureKind as Kind;

pub(crate) fn rules() -> Vec<Rule> {
    vec![
        Rule::new(&["Fatal trap "], Effect::Signature(fatal_trap)),
        Rule::new(&["panic: ASan: "], Effect::Signature(asan)),
        Rule::new(
            &["fatal page fault in supervisor mode"],
            Effect::Signature(netbsd_fault),
        ),
        Rule::new(&["UBSan: Undefined Behavior"], Effect::Signature(ubsan)),
        Rule::new(&["uvm_fault("], Effect::Signature(uvm_fault)),
        Rule::new(&["panic: "], Effect::Signature(panic)),
        Rule::new(&["panic(cpu "], Effect::Signature(darwin_panic)),
        Rule::new(
            &["Debugger: Unexpected kernel trap"],
            Effect::Signature(darwin_trap),
        ),
    ]
}

fn report(kind: Kind, class: String) -> Found {
    Found::new(kind, class).with_stack(Stack::new(Pick::First, None).with_debugger_trace())
}

/// NetBSD's ddb prints the traceback with no header line before it.
fn headerless(kind: Kind, class: String) -> Found {
    Found::new(kind, class).with_stack(
        Stack::new(Pick::First, None)
            .with_frames_next()
            .with_debugger_trace(),
    )
}

/// `Fatal trap 12: page fault while in kernel mode`: the trap's name says what
/// its number does.
fn fatal_trap(body: &str) -> Option<Found> {
    let c = regex!(r"^Fatal trap \d+: (.+)$").captures(body)?;
    Some(report(
        Kind::Fault,
        format!("Fatal trap NUM: {}", scrub(&c[1])),
    ))
}

/// NetBSD's `fatal page fault in supervisor mode`: the faulting function names
/// the bug. After a `uvm_fault(...)` line it is the same report.
fn netbsd_fault(body: &str) -> Option<Found> {
    body.ends_with("fatal page fault in supervisor mode")
        .then(|| headerless(Kind::Fault, "page fault".to_string()).continuing())
}

/// The kernel address sanitizers of the BSDs: NetBSD's `panic: ASan:
/// Unauthorized Access In 0x...: Addr 0x... [8 bytes, read, ...]` and FreeBSD's
/// `panic: ASan: Invalid access, 16-byte read at 0x..., RedZonePartial(5)`.
fn asan(body: &str) -> Option<Found> {
    let c = regex!(r"panic: ASan: (Unauthorized Access|Invalid access, \d+-byte (?:read|write))")
        .captures(body)?;
    let class = match &c[1] {
        "Unauthorized Access" => "ASan: Unauthorized Access".to_string(),
        access => format!("panic: ASan: {}", regex!(r"\d+").replace(access, "NUM")),
    };
    Some(headerless(Kind::Sanitizer, class))
}

/// NetBSD's `UBSan: Undefined Behavior in file.c:1:2, ...`: the file varies
/// with the tree's path, the class does not.
fn ubsan(body: &str) -> Option<Found> {
    regex!(r"^UBSan: Undefined Behavior in ").find(body)?;
    Some(Found::new(Kind::Sanitizer, "UBSan: Undefined behavior"))
}

fn uvm_fault(body: &str) -> Option<Found> {
    body.starts_with("uvm_fault(")
        .then(|| report(Kind::Fault, "uvm_fault".to_string()))
}

/// `panic: ...` from a BSD kernel or the Go runtime; ` [recovered]` and numbers
/// vary, the message does not.
fn panic(body: &str) -> Option<Found> {
    // A login prompt may come first (`login: panic: ...`), or the Zircon
    // thread of a Go program on Fuchsia (`05209.05460> panic: ...`).
    let body = Origin::without_thread(body);
    let message = body
        .strip_prefix("panic: ")
        .or_else(|| body.strip_prefix("login: panic: "))?;
    // FreeBSD's lock assertions name the source as `@ /build/root/sys/kern/f.c:316`;
    // the build's root varies, the kernel's tree does not.
    let located = regex!(r" @ \S*?/(sys/\S+?):\d+$");
    let names_its_place = located.is_match(message);
    let message = located.replace(message, " at $1:LINE");
    // `detected 10 stuck task(s)`: the count goes, and the plural with it.
    // and `size = 2644 smaller` keeps its words around the number.
    let message = scrub(message.trim_end_matches(" [recovered]").trim())
        .replace("(s)", "s")
        .replace(" = ", " ");
    let found = Found::new(Kind::Panic, format!("panic: {message}")).continuing();
    // A message that says where it was raised needs no function to name it.
    if names_its_place {
        return Some(found);
    }
    let stack = Stack::new(Pick::Raiser, None)
        .with_debugger_trace()
        .by_message_if_go();
    Some(found.with_stack(stack))
}

/// Darwin's `panic(cpu 1 caller 0x...): "f: message: 0x..."@/path/file.c:1450`
/// (or unquoted, with `, file: ...` after it): the message is the title.
fn darwin_panic(body: &str) -> Option<Found> {
    let c = regex!(
        r#"^panic\(cpu \d+ caller 0x[0-9a-fA-F]+\): "?(.*?)(?:"@|, file: |: 0x[0-9a-fA-F]+"|"?$)"#
    )
    .captures(body)?;
    Some(Found::new(Kind::Panic, format!("panic: {}", c[1].trim())))
}

/// Darwin's debugger entry on a trap it cannot handle: the trap number is the
/// class.
fn darwin_trap(body: &str) -> Option<Found> {
    let c = regex!(r"^Debugger: (Unexpected kernel trap number: 0x[0-9a-fA-F]+)").captures(body)?;
    Some(Found::new(Kind::Fault, format!("debugger: {}", &c[1])))
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
                "Fatal trap NUM: page fault while in kernel mode",
            ),
            (
                "Fatal trap 9: general protection fault while in kernel mode",
                "Fatal trap NUM: general protection fault while in kernel mode",
            ),
            ("uvm_fault(0xffffffff81a2c4e0, 0x0, 0, 1) -> e", "uvm_fault"),
            (
                "panic: vm_fault: fault on nofault entry, addr: 0xdeadc000",
                "panic: vm_fault: fault on nofault entry, addr",
            ),
            (
                "panic: runtime error: index out of range [5] with length 3",
                "panic: runtime error: index out of range with length",
            ),
            ("panic: boom [recovered]", "panic: boom"),
            (
                r#"panic(cpu 1 caller 0xffffff80186da902): "in6p_route_copyout: wrong or corrupted route: 0xffffff8ae77ba750"@/Users/k/xnu/bsd/netinet6/in6_pcb.c:1450"#,
                "panic: in6p_route_copyout: wrong or corrupted route",
            ),
            (
                "Debugger: Unexpected kernel trap number: 0xe, RIP: 0xffffff80021020ba, CR2: 0x0",
                "debugger: Unexpected kernel trap number: 0xe",
            ),
        ] {
            assert_eq!(title(&rules(), line).as_deref(), Some(want), "{line}");
        }
        assert_eq!(title(&rules(), "Kernel panic - not syncing: x"), None);
        assert_eq!(title(&rules(), "some kernel: message"), None);
    }
}
