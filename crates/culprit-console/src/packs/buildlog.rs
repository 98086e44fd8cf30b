//! Build logs read as if they were consoles. `culprit classify` without
//! `--build`, or a test command that runs the build itself, hands the console
//! classifier a compiler's output; a build error there must read as a build
//! error (exit code 125 for `git bisect run`: unbuildable, not bad) rather than a
//! hang at stage `none`. These lines count only when nothing booted (see
//! `decide`).

use super::{Effect, Found, Rule};
use crate::normalize::source_path;
use crate::SignatureKind as Kind;

pub(crate) fn rules() -> Vec<Rule> {
    vec![Rule::new(
        &[
            ": error: ",
            ": fatal error: ",
            "make: *** ",
            "] Error ",
            "collect2: error",
            "undefined reference to",
            "final link failed",
            "discarded output section",
        ],
        Effect::Fallback(build_error),
    )]
}

fn build_error(body: &str) -> Option<Found> {
    if let Some(c) = regex!(r"^(\S+?):\d+(?::\d+)?: (?:fatal )?error: (.+)$").captures(body) {
        return Some(Found::new(
            Kind::Compiler,
            format!("{}: error: {}", source_path(&c[1]), &c[2]),
        ));
    }
    let linker = [
        "undefined reference to",
        "collect2: error",
        "final link failed",
        "discarded output section",
    ];
    if linker.iter().any(|l| body.contains(l)) {
        return Some(Found::new(Kind::Linker, body));
    }
    regex!(r"^(?:g?make(?:\[\d+\])?: \*\*\* |.*\] Error \d+$)")
        .is_match(body)
        .then(|| Found::new(Kind::Compiler, body))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compiler_linker_and_make_lines() {
        let f = build_error(
            "kernel/fork.c:1234:5: error: 'foo' undeclared (first use in this function)",
        )
        .unwrap();
        assert_eq!(
            (f.kind, f.title.as_str()),
            (
                Kind::Compiler,
                "kernel/fork.c: error: 'foo' undeclared (first use in this function)"
            )
        );
        assert_eq!(
            build_error("ld: main.o: undefined reference to `bar'")
                .unwrap()
                .kind,
            Kind::Linker
        );
        assert!(
            build_error("make[2]: *** [scripts/Makefile.build:250: kernel/fork.o] Error 1")
                .is_some()
        );
        assert!(build_error("make: *** [Makefile:1234: vmlinux] Error 2").is_some());
        assert_eq!(
            build_error("systemd[1]: Reached target Multi-User System."),
            None
        );
    }
}
