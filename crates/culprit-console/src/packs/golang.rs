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
    ]
}

fn data_race(body: &str) -> Option<Found> {
    (body == "WARNING: DATA RACE").then(|| {
        Found::new(Kind::Sanitizer, "WARNING: DATA RACE").with_stack(Stack::new(Pick::First, None))
    })
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
            Some("WARNING: DATA RACE")
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
