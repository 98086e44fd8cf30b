//! Go programs and Go kernels (gVisor): runtime throws (`fatal error: ...`) and
//! the race detector's `WARNING: DATA RACE`. Panics (`panic: ...`) are read by
//! the BSD pack's rule, which titles them the same way; the goroutine trace that
//! follows names the function (see `stack`).

use super::{Effect, Found, Rule};
use crate::normalize::scrub;
use crate::stack::{Pick, Stack};
use crate::SignatureKind as Kind;

pub(crate) fn rules() -> Vec<Rule> {
    vec![
        Rule::new(&["WARNING: DATA RACE"], Effect::Signature(data_race)),
        Rule::new(&["fatal error: "], Effect::Signature(fatal_error)),
        Rule::new(
            &["SIGSEGV: ", "SIGBUS: ", "SIGILL: ", "SIGFPE: "],
            Effect::Signature(signal),
        ),
        Rule::new(&["FATAL ERROR: "], Effect::Signature(runsc_fatal)),
    ]
}

/// The race detector's report; the title is the class syzkaller and gVisor's
/// engineers know it by, `DATA RACE in f`.
fn data_race(body: &str) -> Option<Found> {
    (body == "WARNING: DATA RACE")
        .then(|| Found::new(Kind::Sanitizer, "DATA RACE").with_stack(Stack::new(Pick::First, None)))
}

/// The Go runtime's fatal signal: `SIGSEGV: segmentation violation`.
fn signal(body: &str) -> Option<Found> {
    let c = regex!(r"^(SIG[A-Z]+: [a-z ]+?)\s*(?:PC=.*)?$").captures(body)?;
    Some(Found::new(Kind::Panic, &c[1]))
}

/// gVisor's `runsc` giving up on its sandbox (`FATAL ERROR: error running
/// container: err waiting on container "syz-8": EOF`): container names and
/// PIDs (`pid 16`, `PID 16`) vary from run to run.
fn runsc_fatal(body: &str) -> Option<Found> {
    let at = body.find("FATAL ERROR: ")?;
    let message = regex!(r#""[^"]*""#).replace_all(&body[at..], "NAME");
    let message = regex!(r"(?i)\bpid \d+").replace_all(&message, "pid X");
    // The sandbox's RPC that carried the error is transport, not the failure.
    let message = regex!(r": urpc method NAME").replace_all(&message, "");
    Some(Found::new(Kind::Panic, message.trim()))
}

fn fatal_error(body: &str) -> Option<Found> {
    let message = body.strip_prefix("fatal error: ")?;
    Some(
        Found::new(Kind::Panic, format!("fatal error: {}", scrub(message)))
            .with_stack(Stack::new(Pick::First, None)),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::packs::testing::title;

    #[test]
    fn headers() {
        assert_eq!(
            title(&rules(), "WARNING: DATA RACE").as_deref(),
            Some("DATA RACE")
        );
        assert_eq!(
            title(&rules(), "SIGSEGV: segmentation violation").as_deref(),
            Some("SIGSEGV: segmentation violation")
        );
        assert_eq!(
            title(
                &rules(),
                r#"W0622 11:59:19.138728   18712 x:0] FATAL ERROR: error waiting on pid 3: error waiting on pid 3 in sandbox "x" failed: EOF"#
            )
            .as_deref(),
            Some("FATAL ERROR: error waiting on pid X: error waiting on pid X in sandbox NAME failed: EOF")
        );
        assert_eq!(
            title(
                &rules(),
                "fatal error: all goroutines are asleep - deadlock!"
            )
            .as_deref(),
            Some("fatal error: all goroutines are asleep - deadlock!")
        );
        assert_eq!(title(&rules(), "x.c:1: fatal error: y.h"), None);
    }
}
