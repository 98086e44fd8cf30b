//! Rust panics, in user programs, `no_std` firmware and the kernel alike.
//!
//! Since Rust 1.73 the message follows on the next line
//! (`thread 'main' panicked at src/main.rs:2:5:` / `boom`); before, it was
//! quoted on the same line (`panicked at 'boom', src/main.rs:2:5`). Both give
//! `panicked at src/main.rs: boom`: the thread name and line numbers vary, the
//! file and message name the bug.

use super::{Effect, Found, Rule, Want};
use crate::SignatureKind as Kind;
use regex::Regex;
use std::sync::LazyLock;

pub(crate) fn rules() -> Vec<Rule> {
    vec![Rule::new(&["panicked at"], Effect::Signature(panicked))]
}

static PANICKED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r#"panicked at (?:'(?P<quoted>.*)', |"(?P<dquoted>.*)", )?(?P<file>[^\s:'"]+?):\d+(?::\d+)?:?\s*(?P<rest>.*)$"#,
    )
    .expect("built-in pattern")
});

fn panicked(body: &str) -> Option<Found> {
    let c = PANICKED.captures(body)?;
    let file = &c["file"];
    let inline = c
        .name("quoted")
        .or_else(|| c.name("dquoted"))
        .or_else(|| c.name("rest").filter(|m| !m.as_str().is_empty()));
    Some(match inline {
        Some(message) => Found::new(
            Kind::Panic,
            format!("panicked at {file}: {}", message.as_str()),
        ),
        None => Found::new(Kind::Panic, format!("panicked at {file}")).wanting(Want::Message),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::packs::testing::signature;

    #[test]
    fn new_format_takes_the_message_from_the_next_line() {
        let f = signature(&rules(), "thread 'main' panicked at src/main.rs:2:5:").unwrap();
        assert_eq!(
            (f.kind, f.title.as_str(), f.wants),
            (Kind::Panic, "panicked at src/main.rs", Some(Want::Message))
        );
        assert_eq!(
            Want::Message
                .complete(&f.title, "explicit panic")
                .as_deref(),
            Some("panicked at src/main.rs: explicit panic")
        );
    }

    #[test]
    fn old_format_and_kernel_rust() {
        let f = signature(&rules(), "thread '<unnamed>' panicked at 'index out of bounds: the len is 3 but the index is 7', src/x.rs:10:5").unwrap();
        assert_eq!(
            f.title,
            "panicked at src/x.rs: index out of bounds: the len is 3 but the index is 7"
        );
        assert_eq!(f.wants, None);
        let f = signature(&rules(), "[    2.1] rust_kernel: panicked at 'called `Option::unwrap()` on a `None` value', rust/kernel/lib.rs:12:5").unwrap();
        assert_eq!(
            f.title,
            "panicked at rust/kernel/lib.rs: called `Option::unwrap()` on a `None` value"
        );
    }

    #[test]
    fn same_panic_on_other_thread_and_line_gives_same_title() {
        let a = signature(&rules(), "thread 'main' panicked at src/main.rs:2:5: boom").unwrap();
        let b = signature(
            &rules(),
            "thread 'worker-3' panicked at src/main.rs:7:9: boom",
        )
        .unwrap();
        assert_eq!(a.title, b.title);
    }
}
