//! Signature titles that are equal for the same bug and different for different
//! bugs.
//!
//! Whatever varies from run to run goes: timestamps, addresses, `+0x1d3/0x1e6`
//! offsets, oops counters `[#1]`, CPU numbers, PIDs, build hashes, and source line
//! numbers (they move with every commit of a bisection). Whatever describes the
//! bug stays: messages, function and file names, small numbers such as
//! `exitcode=0x00000100` or `unknown-block(0,0)`. A hex number counts as an
//! address when it has more than four significant digits: exit codes, error codes
//! and NULL-page offsets have fewer, kernel and MMIO addresses have more.

use regex::{Captures, Regex};
use std::sync::LazyLock;

/// Rewrites that each remove one kind of run-to-run noise.
static NOISE: LazyLock<Vec<(Regex, &'static str)>> = LazyLock::new(|| {
    [
        // Kernel printk time, printk caller id, Zephyr log time.
        (r"\[\s*\d+\.\d+\]", ""),
        (r"\[\s*[TC]\d+\]", ""),
        (r"\[\d{2}:\d{2}:\d{2}\.\d{3},\d{3}\]", ""),
        (r"\+0[xX][0-9a-fA-F]+(?:/0[xX][0-9a-fA-F]+)?", ""),
        (r"\[#\d+\]", ""),
        (
            r"(\.(?:c|h|cc|cpp|cxx|hh|hpp|rs|S|s|asm|lds?|go|zig|py)):\d+(?::\d+)?",
            "$1",
        ),
        (
            r"::h[0-9a-f]{16}\b|-[0-9a-f]{16}\b|\.[0-9a-z]+-cgu\.\d+",
            "",
        ),
        (r"\b(?:CPU|cpu)(?:#|: ?| )?\d+\b", "CPU"),
        (r"\b(?:PID|pid)(?:: ?|=| )\d+\b", "PID"),
    ]
    .into_iter()
    .map(|(pattern, with)| (Regex::new(pattern).expect("built-in pattern"), with))
    .collect()
});

static HEX: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\b0[xX][0-9a-fA-F]+\b|\b[0-9a-fA-F]{8,}\b").expect("built-in"));
static SPACE: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"\s+").expect("built-in"));

/// Rounds of rewriting before giving up on a fixpoint; removing one piece of
/// noise can join two others into a new one, but never more than a few times.
const MAX_ROUNDS: usize = 16;

/// The normalized title of a signature line (or any text).
pub fn normalize_title(raw: &str) -> String {
    if is_plain(raw) {
        return raw.to_string();
    }
    rewrite(raw)
}

/// The rewrites of [`normalize_title`], repeated until nothing changes.
fn rewrite(raw: &str) -> String {
    let mut title = raw.to_string();
    for _ in 0..MAX_ROUNDS {
        let next = round(&title);
        if next == title {
            break;
        }
        title = next;
    }
    title
}

/// Whether no rewrite can change `text`: every noise pattern and the address
/// rule need an ASCII digit or eight hex letters in a row, and the blanks are
/// already single spaces inside the text. Most titles a report's class builds
/// are such words, and skipping the rewrites for them matters on crash-dense
/// logs, where every report's title is built again.
fn is_plain(text: &str) -> bool {
    let bytes = text.as_bytes();
    let mut hex_run = 0;
    let mut after_space = true;
    for &b in bytes {
        let printable = (0x21..=0x7e).contains(&b) || b == b' ' && !after_space;
        if !printable || b.is_ascii_digit() {
            return false;
        }
        hex_run = if b.is_ascii_hexdigit() {
            hex_run + 1
        } else {
            0
        };
        if hex_run >= 8 {
            return false;
        }
        after_space = b == b' ';
    }
    !after_space || bytes.is_empty()
}

fn round(text: &str) -> String {
    let mut out = text.to_string();
    for (pattern, with) in NOISE.iter() {
        if pattern.is_match(&out) {
            out = pattern.replace_all(&out, *with).into_owned();
        }
    }
    out = HEX
        .replace_all(&out, |c: &Captures| {
            let token = &c[0];
            let digits = token
                .strip_prefix("0x")
                .or_else(|| token.strip_prefix("0X"))
                .unwrap_or(token);
            if digits.trim_start_matches('0').len() > 4 {
                "ADDR".to_string()
            } else {
                token.to_string()
            }
        })
        .into_owned();
    SPACE.replace_all(&out, " ").trim().to_string()
}

/// A report's words without any number: the reason of a panic or the kind of a
/// BUG names the bug, the counts, codes, sizes and device numbers in it do not
/// (`Attempted to kill init! exitcode=0x00000100` is `Attempted to kill init!`).
pub(crate) fn scrub(text: &str) -> String {
    let text = normalize_title(text);
    let text = regex!(r"\b[\w.]+=\S*|\bADDR\b|\b0[xX][0-9a-fA-F]+\b|\(\s*[\d,.:-][\d,.:\s-]*\)|\[\s*[\d,.:\s-]*\]|\b\d+(?:\.\d+)?s?\b|\s+on CPU\b|\bCPU\b|\bPID\b")
        .replace_all(&text, " ");
    let text = SPACE.replace_all(&text, " ");
    text.trim()
        .trim_end_matches([' ', ',', ':', ';', '-', '/'])
        .to_string()
}

/// The message part of a console line: without the printk timestamp, caller id
/// or log level the kernel puts in front, and without surrounding blanks.
pub(crate) fn body(line: &str) -> &str {
    let mut rest = line.trim();
    loop {
        let stripped = strip_bracket_stamp(rest).or_else(|| strip_level(rest));
        match stripped {
            Some(after) => rest = after.trim_start(),
            None => return rest,
        }
    }
}

fn strip_bracket_stamp(s: &str) -> Option<&str> {
    let inner_end = s.strip_prefix('[')?.find(']')?;
    let inner = s[1..1 + inner_end].trim();
    let time = !inner.is_empty()
        && inner.bytes().any(|b| b.is_ascii_digit())
        && inner
            .bytes()
            .all(|b| b.is_ascii_digit() || b"., :".contains(&b));
    let caller = inner.len() > 1
        && (inner.starts_with('T') || inner.starts_with('C'))
        && inner[1..].bytes().all(|b| b.is_ascii_digit());
    (time || caller).then(|| &s[inner_end + 2..])
}

fn strip_level(s: &str) -> Option<&str> {
    let b = s.as_bytes();
    (b.len() >= 3 && b[0] == b'<' && b[1].is_ascii_digit() && b[2] == b'>').then(|| &s[3..])
}

/// A source file's path as a title names it: relative to the tree, without the `./`
/// and `../` a build directory inside the tree puts before it. The line number is not
/// part of it (it moves with every edit above the error); the excerpt keeps it.
pub(crate) fn source_path(path: &str) -> &str {
    let mut rest = path;
    while let Some(next) = rest.strip_prefix("./").or_else(|| rest.strip_prefix("../")) {
        rest = next;
    }
    rest
}

/// The last component of a path: titles keep file names but not the directory a
/// build happened to run in.
pub(crate) fn basename(path: &str) -> &str {
    path.rsplit(['/', '\\']).next().unwrap_or(path)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn a_plain_title_is_one_the_rewrites_leave_alone(
            text in "[ -~\t\u{b}\u{a0}]{0,40}|[a-fA-Fg-z :_]{0,40}"
        ) {
            if is_plain(&text) {
                prop_assert_eq!(rewrite(&text), text);
            }
        }
    }

    #[test]
    fn titles_with_numbers_or_loose_blanks_are_not_plain() {
        for text in [
            "CPU 1",
            "at deadbeef",
            " lead",
            "trail ",
            "two  spaces",
            "tab\there",
            "nbsp\u{a0}x",
        ] {
            assert!(!is_plain(text), "{text:?}");
        }
        assert!(is_plain("KASAN: use-after-free Read in f_g"));
        assert!(is_plain(""));
    }

    #[test]
    fn real_panic_titles_keep_their_meaningful_numbers() {
        assert_eq!(
            normalize_title(
                "Kernel panic - not syncing: Attempted to kill init! exitcode=0x00000100"
            ),
            "Kernel panic - not syncing: Attempted to kill init! exitcode=0x00000100"
        );
        assert_eq!(
            normalize_title(
                "Kernel panic - not syncing: VFS: Unable to mount root fs on unknown-block(0,0)"
            ),
            "Kernel panic - not syncing: VFS: Unable to mount root fs on unknown-block(0,0)"
        );
    }

    #[test]
    fn run_to_run_noise_goes() {
        assert_eq!(
            normalize_title(
                "[    1.573607] CPU: 0 PID: 1 Comm: swapper/0 at mount_block_root+0x1d3/0x1e6"
            ),
            "CPU PID Comm: swapper/0 at mount_block_root"
        );
        assert_eq!(
            normalize_title("Kernel Offset: 0x37c00000 from 0xffffffff81000000"),
            "Kernel Offset: ADDR from ADDR"
        );
        assert_eq!(
            normalize_title("Oops: 0000 [#1] PREEMPT SMP PTI"),
            "Oops: 0000 PREEMPT SMP PTI"
        );
        assert_eq!(
            normalize_title("address: ffff888003e4c000 on cpu 3"),
            "address: ADDR on CPU"
        );
    }

    #[test]
    fn source_line_numbers_and_build_hashes_go() {
        assert_eq!(
            normalize_title("kernel BUG at mm/slub.c:4321!"),
            "kernel BUG at mm/slub.c!"
        );
        assert_eq!(
            normalize_title("UBSAN: shift-out-of-bounds in lib/foo.c:12:3"),
            "UBSAN: shift-out-of-bounds in lib/foo.c"
        );
        assert_eq!(
            normalize_title(
                r#"failed to load bitcode of module "core-1a2b3c4d5e6f7a8b.core.3a1fbbbh8btdcjo8-cgu.0.rcgu.o""#
            ),
            r#"failed to load bitcode of module "core.core.rcgu.o""#
        );
        assert_eq!(
            normalize_title("in core::panicking::panic::h0123456789abcdef"),
            "in core::panicking::panic"
        );
    }

    #[test]
    fn scrub_drops_every_number() {
        assert_eq!(
            scrub("Attempted to kill init! exitcode=0x00000100"),
            "Attempted to kill init!"
        );
        assert_eq!(
            scrub("VFS: Unable to mount root fs on unknown-block(0,0)"),
            "VFS: Unable to mount root fs on unknown-block"
        );
        assert_eq!(
            scrub("Watchdog detected hard LOCKUP on cpu 1"),
            "Watchdog detected hard LOCKUP"
        );
        assert_eq!(
            scrub("using smp_processor_id() in preemptible [00000000]"),
            "using smp_processor_id() in preemptible"
        );
        assert_eq!(
            scrub("stack-protector: Kernel stack is corrupted in: lkdtm_CORRUPT_STACK+0x1c/0x30"),
            "stack-protector: Kernel stack is corrupted in: lkdtm_CORRUPT_STACK"
        );
        assert_eq!(scrub("ext4_fill_super"), "ext4_fill_super");
    }

    #[test]
    fn body_strips_printk_prefixes_only() {
        assert_eq!(body("[    1.951718] Kernel panic"), "Kernel panic");
        assert_eq!(body("[    1.951718][    T1] <4>WARNING: x"), "WARNING: x");
        assert_eq!(body("[00:00:01.234,567] <err> os: x"), "<err> os: x");
        assert_eq!(body("  [mem 0x0-0x1] usable"), "[mem 0x0-0x1] usable");
        assert_eq!(body("[]"), "[]");
    }

    #[test]
    fn basename_drops_directories() {
        assert_eq!(basename("/home/u/zephyr/kernel/sem.c"), "sem.c");
        assert_eq!(basename("sem.c"), "sem.c");
    }

    fn timestamp() -> impl Strategy<Value = String> {
        (0u32..100_000, 0u32..1_000_000).prop_map(|(s, us)| format!("[{s:5}.{us:06}]"))
    }

    fn address() -> impl Strategy<Value = String> {
        (0x10000u64..u64::MAX).prop_map(|a| format!("{a:#x}"))
    }

    proptest! {
        #[test]
        fn idempotent(text in ".{0,80}") {
            let once = normalize_title(&text);
            prop_assert_eq!(normalize_title(&once), once);
        }

        #[test]
        fn idempotent_on_console_like_text(
            text in r"(\[ *[0-9]{1,3}\.[0-9]{6}\]|0x[0-9a-f]{1,16}|[0-9a-f]{8,16}|\+0x[0-9a-f]{2}/0x[0-9a-f]{2}|CPU: [0-9]|PID: [0-9]+|[a-z_]{1,8}|[ :#\[\]/.+-]){0,24}"
        ) {
            let once = normalize_title(&text);
            prop_assert_eq!(normalize_title(&once), once);
        }

        #[test]
        fn invariant_under_run_to_run_noise(
            t1 in timestamp(), t2 in timestamp(),
            a1 in address(), a2 in address(),
            cpu1 in 0u32..256, cpu2 in 0u32..256,
            pid1 in 1u32..100_000, pid2 in 1u32..100_000,
            off1 in (1u32..0x10000, 1u32..0x10000), off2 in (1u32..0x10000, 1u32..0x10000),
        ) {
            let line = |t: &str, a: &str, cpu: u32, pid: u32, off: (u32, u32)| format!(
                "{t} BUG: unable to handle page fault for address: {a} CPU: {cpu} PID: {pid} at foo_bar+{:#x}/{:#x} [#1]",
                off.0, off.1
            );
            prop_assert_eq!(
                normalize_title(&line(&t1, &a1, cpu1, pid1, off1)),
                normalize_title(&line(&t2, &a2, cpu2, pid2, off2))
            );
        }

        #[test]
        fn different_messages_stay_different(a in "[g-z]{3,12}", b in "[g-z]{3,12}") {
            prop_assume!(a != b);
            prop_assert_ne!(
                normalize_title(&format!("Kernel panic - not syncing: {a}")),
                normalize_title(&format!("Kernel panic - not syncing: {b}"))
            );
        }
    }
}
