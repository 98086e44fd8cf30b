//! syzkaller's executor, the program that runs the fuzzer's test cases inside
//! the guest: `SYZFAIL: ...` when it fails on its own (a crash, a syscall that
//! must not fail) and `SYZFATAL: ...` when the fuzzer gives up on it. Both
//! mean the guest can no longer run tests, which the kernel under test is the
//! usual cause of, so they are failures and not infrastructure errors.

use super::{Effect, Found, Rule};
use crate::SignatureKind as Kind;

pub(crate) fn rules() -> Vec<Rule> {
    vec![Rule::new(
        &["SYZFAIL: ", "SYZFATAL: "],
        Effect::Signature(failed),
    )]
}

/// The message with its numbers (executor, attempt, temporary directory) as
/// `NUM`, as syzbot titles it.
fn failed(body: &str) -> Option<Found> {
    let c = regex!(r"(?:^|\s)(SYZFAIL|SYZFATAL): (.+)$").captures(body)?;
    let message = regex!(r"\d+").replace_all(c[2].trim(), "NUM");
    Some(Found::new(Kind::Panic, format!("{}: {message}", &c[1])))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::packs::testing::title;

    #[test]
    fn headers() {
        assert_eq!(
            title(&rules(), "SYZFAIL: SIGSEGV").as_deref(),
            Some("SYZFAIL: SIGSEGV")
        );
        assert_eq!(
            title(
                &rules(),
                "2022/10/02 11:34:15 SYZFATAL: executor 4 failed 11 times: mkdir ./syzkaller-testdir264563108: read-only file system"
            )
            .as_deref(),
            Some("SYZFATAL: executor NUM failed NUM times: mkdir ./syzkaller-testdirNUM: read-only file system")
        );
        assert_eq!(title(&rules(), "SYZFAIL without a colon"), None);
    }
}
