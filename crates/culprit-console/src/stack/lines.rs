//! What one console line of a report is: a trace header, a frame (in every
//! unwinder's spelling), a program-counter line, or none of these.

/// The function of a Zephyr symbol-table address (`lr: 0x08000c41 [f+0x5c]`).
pub(super) fn symbolized(text: &str) -> Option<&str> {
    let c = regex!(r"\[([A-Za-z_.$][\w.$]*)\+0x[0-9a-fA-F]+\]\s*$").captures(text)?;
    c.get(1).map(|m| m.as_str())
}

pub(super) fn is_trace_header(body: &str) -> bool {
    let lower = body.trim_end_matches(':');
    matches!(
        lower,
        "Call Trace" | "Call trace" | "Backtrace" | "backtrace" | "stack backtrace"
    ) || body.starts_with("backtrace (crc ")
        // the stack dump's last words printed without their newline
        || body.ends_with("Call Trace:")
        || body.starts_with("KDB: stack backtrace")
        || body.ends_with("Begin traceback...")
        || (body.starts_with("goroutine ") && regex!(r"^goroutine \d+ \[[^\]]+\]:$").is_match(body))
        || (body.ends_with("goroutine:") || body.contains(" by goroutine "))
            && regex!(r"^(?:Previous )?(?:[Rr]ead|[Ww]rite|[Aa]tomic \w+) at 0x[0-9a-f]+ by (?:goroutine \d+|main goroutine):$").is_match(body)
}

/// What a line inside a trace is.
pub(super) enum Frame<'a> {
    Function(&'a str),
    /// `? f+0x1/0x2`: a stale return address the unwinder could not vouch for.
    Unreliable,
    /// `<IRQ>`, `</IRQ>`, `<TASK>`, `<NMI>`, `<EOI>`, `<#DF>`: context changes.
    Marker,
    /// Register values, `Code:`, a Go frame's source line, a BSD `--- trap` line.
    Detail,
    /// `</TASK>`: the task's trace is complete.
    End,
    Other,
}

pub(super) fn frame(body: &str) -> Frame<'_> {
    if body == "</TASK>" {
        return Frame::End;
    }
    // `? 0xffffffffa000f000`: a stale address in a module's freed init text.
    if body.starts_with("? ") && !body.contains('+') {
        return Frame::Unreliable;
    }
    // x86 names the exception stacks too: `<#DF>` for a double fault's.
    if body.starts_with('<')
        && regex!(r"^</?(?:IRQ|TASK|NMI|EOI|EOE|SOFTIRQ|ENTRY_TRAMPOLINE|#DF|#DB|#MC|#VC2?)>$")
            .is_match(body)
    {
        return Frame::Marker;
    }
    // Old x86 unwinders print a frame after its context marker: `<IRQ>  [<a>] f+0x1/0x2`.
    let body = match body.starts_with('<') {
        true => regex!(r"^<(?:IRQ|EOI|NMI)>\s+(\S)")
            .find(body)
            .map_or(body, |m| &body[m.end() - 1..]),
        false => body,
    };
    // Every frame form below names a function with an offset, a source file, a
    // `from` or a call's parentheses; most other lines of a report have none.
    let offset = body.contains("+0x");
    if !offset && !body.contains(':') && !body.contains('(') {
        return detail(body);
    }
    // The address may be hashed: kmemleak prints `[<(____ptrval____)>]`.
    if let Some(c) = offset.then(|| regex!(
        r"^(?:\[<[^>\]]+>\]\s*)?(\?\s+)?(?:\[<[^>\]]+>\]\s*)?([A-Za-z_.$][\w.$]*)\+0x[0-9a-fA-F]+(?:/0x[0-9a-fA-F]+)?"
    ).captures(body)).flatten()
    {
        return match c.get(1) {
            Some(_) => Frame::Unreliable,
            None => Frame::Function(c.get(2).map_or("", |m| m.as_str())),
        };
    }
    // powerpc: `[c000000001bb3710] [c0000000000286fc] f+0x43c/0x6d0`, with
    // `(unreliable)` after a frame the unwinder could not vouch for.
    if let Some(c) = (offset && body.starts_with('['))
        .then(|| {
            regex!(r"^\[[0-9a-fA-F]+\] \[[0-9a-fA-F]+\] ([A-Za-z_.$][\w.$]*)\+0x").captures(body)
        })
        .flatten()
    {
        if body.ends_with("(unreliable)") {
            return Frame::Unreliable;
        }
        return Frame::Function(c.get(1).map_or("", |m| m.as_str()));
    }
    // Symbolized without an offset: kmemleak's `[<a>] f mm/kmemleak.c:915`, and
    // an inlined frame `f include/linux/slab.h:586 [inline]`.
    if let Some(c) =
        regex!(r"^(?:\[<[^>\]]+>\]\s*)?([A-Za-z_.$][\w.$]*) [\w./\-]+\.[chS]:\d+").captures(body)
    {
        return Frame::Function(c.get(1).map_or("", |m| m.as_str()));
    }
    // Fuchsia: `bt#02: 0x001e6ae3 f lib/x.cc:290`, `bt#04: [ inline ] f lib/x.cc`,
    // with C++ names (`fbl::Canary::Assert`, `VmPageListNode::~VmPageListNode`).
    if let Some(c) = (body.starts_with("bt#") && body.contains(':'))
        .then(|| {
            regex!(r"^bt#\d+: (?:0x[0-9a-fA-F]+|\[ inline \]) ([A-Za-z_~][\w:~<>]*) ")
                .captures(body)
        })
        .flatten()
    {
        return Frame::Function(c.get(1).map_or("", |m| m.as_str()));
    }
    // ARM: `[<c0123>] (f) from [<c0456>] (g+0x1/0x2)`.
    if let Some(c) = regex!(
        r"^\[<[0-9a-fA-F]+>\] \(([A-Za-z_.$][\w.$]*)(?:\+0x[0-9a-fA-F]+/0x[0-9a-fA-F]+)?\) from"
    )
    .captures(body)
    {
        return Frame::Function(c.get(1).map_or("", |m| m.as_str()));
    }
    // FreeBSD's KDB: `#1 0xffffffff80a6bb76 at vpanic+0x186`.
    if let Some(c) = (body.starts_with('#') && offset)
        .then(|| regex!(r"^#\d+ 0x[0-9a-fA-F]+ at ([A-Za-z_.$][\w.$]*)\+0x").captures(body))
        .flatten()
    {
        return Frame::Function(c.get(1).map_or("", |m| m.as_str()));
    }
    // FreeBSD, NetBSD, OpenBSD: `f() at f+0x1/frame 0x...`, `f(a,b) at netbsd:f+0x1`.
    if let Some(c) =
        regex!(r"^([A-Za-z_.$][\w.$]*)\([^)]*\) at (?:\w+:)?[A-Za-z_.$][\w.$]*(?:\+0x|\s|$)")
            .captures(body)
    {
        return Frame::Function(c.get(1).map_or("", |m| m.as_str()));
    }
    // Go: `pkg.(*T).f(0xc000010000, ...)` then a tab-indented `file.go:12 +0x1d`.
    if let Some(c) = regex!(r"^(?:created by )?((?:[\w.\-]+/)*[\w\-]+\.[\w.()*\[\]\-]*?[\w\]])(?:\(.*\))?(?: in goroutine \d+)?$").captures(body) {
        if body.contains('(') || body.starts_with("created by ") {
            if body.starts_with("created by ") {
                return Frame::Detail;
            }
            return Frame::Function(c.get(1).map_or("", |m| m.as_str()));
        }
    }
    detail(body)
}

/// Register values, a stack dump's words, `Code:`, a Go frame's source line, a
/// BSD `--- trap` line.
fn detail(body: &str) -> Frame<'_> {
    if regex!(r"^(?:[A-Z][A-Z0-9]{1,4}:\s|r\d+ ?:[0-9a-fA-F]{8}|0x[0-9a-fA-F]+: |Code: |---\s*(?:trap|interrupt|syscall)|\S+\.(?:go|s):\d+|\[signal )").is_match(body) {
        return Frame::Detail;
    }
    Frame::Other
}

/// A program-counter line at a bare kernel address (`RIP: 0010:0x286`, `IP:
/// 0x286`, `PC is at 0x0`): the CPU jumped through a bad pointer to no
/// function at all. A user-mode `RIP: 0033:0x461189` is not one.
pub(super) fn wild_program_counter(body: &str) -> bool {
    !body.contains("+0x")
        && regex!(r"^(?:RIP: 0010:|IP: |PC is at |pc : )0x[0-9a-fA-F]+\s*$").is_match(body)
}

/// How each architecture's program-counter line begins (the alternatives of
/// [`program_counter`]'s pattern).
const PROGRAM_COUNTERS: &[&str] = &[
    // x86-64, old x86 and i386
    "RIP: ",
    "IP: ",
    "EIP: ",
    "EIP is at ",
    // arm64, arm, riscv
    "pc : ",
    "lr : ",
    "PC is at ",
    "LR is at ",
    "epc : ",
    "ra : ",
    // powerpc
    "NIP [",
    "LR [",
    // OpenBSD's ddb
    "Stopped at",
];

/// The kernel function a program-counter line names (x86 `RIP: 0010:f+0x1/0x2`
/// and the old `RIP: 0010:[<a>]  [<a>] f+0x1/0x2`, arm64 `pc : f+0x1/0x2` and
/// `lr :`, the old x86 `IP: [<a>] f+0x1/0x2`, arm `PC is at` and `LR is at`, riscv `epc :` and `ra :`, i386 `EIP:`
/// and `EIP is at`, powerpc `NIP [a] f+0x1/0x2`, OpenBSD ddb `Stopped at f+0x1:`).
/// A user-mode `RIP: 0033:0x461189` or a bare address names none.
pub(crate) fn program_counter(body: &str) -> Option<&str> {
    // Every frame of a trace has an offset too: the prefixes turn them away
    // before the regex, which costs more than these comparisons.
    if !body.contains("+0x") || !PROGRAM_COUNTERS.iter().any(|p| body.starts_with(p)) {
        return None;
    }
    let c = regex!(
        r"^(?:RIP: (?:[0-9a-fA-F]{4}:)?|IP: |pc : |lr : |PC is at |LR is at |epc : |ra : |EIP: (?:[0-9a-fA-F]{4}:)?|EIP is at |NIP \[[0-9a-fA-F]+\] |LR \[[0-9a-fA-F]+\] |Stopped at\s+)(?:\[<[0-9a-fA-F]+>\]\s*)*([A-Za-z_.$][\w.$]*)\+0x"
    )
    .captures(body)?;
    c.get(1).map(|m| m.as_str())
}
