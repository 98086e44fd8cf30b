//! OpenBSD's own report forms, as its developers and syzbot title them: a
//! fault is `uvm_fault: f` or `protection_fault: f` (the function ddb stopped
//! in, no function when it printed none), a pool corruption names the pool, a
//! kernel assertion its expression and file, and the KASAN port's report is
//! `KASAN: invalid memory access in f`. They come before the BSD pack's general
//! `panic:` and `uvm_fault(` rules.

use super::{Effect, Found, Rule};
use crate::stack::{Pick, Stack};
use crate::SignatureKind as Kind;

pub(crate) fn rules() -> Vec<Rule> {
    vec![
        Rule::new(&["uvm_fault("], Effect::Signature(uvm_fault)),
        Rule::new(&["kernel: "], Effect::Signature(fault_trap)),
        Rule::new(&["panic: "], Effect::Signature(panic)),
    ]
}

/// A fault titled `CLASS: f`, complete without a function.
fn fault(class: &str) -> Found {
    Found::new(Kind::Fault, class).with_stack(
        Stack::new(Pick::First, None)
            .with_frames_next()
            .with_debugger_trace()
            .joined_by(": "),
    )
}

/// `uvm_fault(0xffffff0018def850, 0x50, 0, 1) -> e`: OpenBSD prints the
/// error bare, NetBSD as `0xe` (see the BSD pack).
fn uvm_fault(body: &str) -> Option<Found> {
    // A login prompt may come first: `login: uvm_fault(...)`.
    regex!(r"(?:^|\s)uvm_fault\(.*\) -> [0-9a-f]+$").find(body)?;
    Some(fault("uvm_fault"))
}

/// `kernel: page fault trap, code=0` (also NetBSD's, after its own header,
/// where it continues that report).
fn fault_trap(body: &str) -> Option<Found> {
    let c = regex!(r"(?:^|\s)kernel: (page|protection) fault trap(?:,.*)?$").captures(body)?;
    let class = match &c[1] {
        "page" => "uvm_fault",
        _ => "protection_fault",
    };
    Some(fault(class).continuing())
}

/// Panics whose message names the victim (addresses, line numbers, the
/// socket's fields) between the words of the class, with the title OpenBSD's
/// developers know each by.
const PANICS: &[(&str, &str)] = &[
    // a knote on the wrong queue: `kqueue_scan:879: kq=0x... kn=0x... knote !ACTIVE`
    (
        r"^kqueue_scan:\d*:? .*knote !ACTIVE",
        "kqueue: knote !ACTIVE",
    ),
    // soreceive's sanity checks: `receive 1: so 0x..., so_type 3, sb_cc 33`
    (r"^receive \d+: so ", "soreceive NUM"),
];

/// Pool corruption (`pool_do_put: mbufpl: double pool_put: 0x...`), kernel
/// assertions and KASAN reports.
fn panic(body: &str) -> Option<Found> {
    // A login prompt may come first: `login: panic: ...`.
    let message = body.strip_prefix("login: ").unwrap_or(body);
    let message = message.strip_prefix("panic: ")?;
    static SET: std::sync::LazyLock<regex::RegexSet> = std::sync::LazyLock::new(|| {
        regex::RegexSet::new(PANICS.iter().map(|(p, _)| p)).expect("built-in pattern")
    });
    if let Some(title) = SET.matches(message).iter().next().map(|i| PANICS[i].1) {
        return Some(Found::new(Kind::Panic, title).continuing());
    }
    if let Some(c) =
        regex!(r"^pool_\w+: (\w+):? (double pool_put|cpu free list modified|free list modified)")
            .captures(message)
    {
        let what = match &c[2] {
            "double pool_put" => "double put",
            what => what,
        };
        return Some(Found::new(Kind::Panic, format!("pool: {what}: {}", &c[1])).continuing());
    }
    if let Some(c) =
        regex!(r#"^kernel diagnostic assertion "(.*)" failed: file "(?:.*/)?([^/"]+)""#)
            .captures(message)
    {
        let expression = regex!(r"\b\d+\b").replace_all(&c[1], "NUM");
        return Some(
            Found::new(
                Kind::Assertion,
                format!("assert \"{expression}\" failed in {}", &c[2]),
            )
            .continuing(),
        );
    }
    if message.starts_with("Caught invalid memory access") {
        return Some(
            Found::new(Kind::Sanitizer, "KASAN: invalid memory access")
                .with_stack(
                    Stack::new(Pick::First, None)
                        .with_frames_next()
                        .with_debugger_trace(),
                )
                .continuing(),
        );
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::packs::testing::title;

    #[test]
    fn headers() {
        for (line, want) in [
            (
                "uvm_fault(0xffffff0018def850, 0x50, 0, 1) -> e",
                "uvm_fault",
            ),
            ("kernel: page fault trap, code=0", "uvm_fault"),
            ("kernel: protection fault trap, code=0", "protection_fault"),
            (
                "panic: pool_do_put: mbufpl: double pool_put: 0xffffff001d506200",
                "pool: double put: mbufpl",
            ),
            (
                "panic: pool_do_get: knotepl free list modified: page 0xffff; item addr 0xffff",
                "pool: free list modified: knotepl",
            ),
            (
                r#"panic: kernel diagnostic assertion "pg->wire_count == 1" failed: file "/k/sys/kern/vfs_biomem.c", line 329"#,
                r#"assert "pg->wire_count == NUM" failed in vfs_biomem.c"#,
            ),
            (
                "panic: Caught invalid memory access at ffff8000019f8d60 size 1 op 0",
                "KASAN: invalid memory access",
            ),
        ] {
            assert_eq!(title(&rules(), line).as_deref(), Some(want), "{line}");
        }
        assert_eq!(
            title(&rules(), "uvm_fault(0xffffffff81a4d5c0, 0x0, 1) -> 0xe"),
            None
        );
        assert_eq!(title(&rules(), "panic: something else"), None);
    }
}
