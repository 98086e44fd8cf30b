//! Compilers, linkers and build drivers, for build logs.
//!
//! Titles keep what names the error (symbol, section, file name, message) and
//! drop what moves between commits or machines (line and column numbers, build
//! hashes in object names, directories outside the source tree). A compiler error
//! keeps its file's path in the tree (`drivers/tty/serial/8250/8250_port.c: error:
//! ...`): two files of one name are two places. Summary lines such as `ld returned 1
//! exit status` or `make: *** [...] Error 2` only say that something failed, so
//! they are fallbacks, used when nothing more specific was printed.

use super::{Effect, Found, Rule, Want};
use crate::normalize::{basename, source_path};
use crate::SignatureKind as Kind;

pub(crate) fn rules() -> Vec<Rule> {
    vec![
        Rule::new(
            &["multiple definition of"],
            Effect::Signature(multiple_definition),
        ),
        Rule::new(
            &["undefined reference to"],
            Effect::Signature(undefined_reference),
        ),
        Rule::new(
            &["undefined symbol:", "duplicate symbol:"],
            Effect::Signature(lld_symbol),
        ),
        Rule::new(
            &["discarded output section"],
            Effect::Signature(discarded_section),
        ),
        Rule::new(
            &["relocation truncated to fit"],
            Effect::Signature(relocation_truncated),
        ),
        Rule::new(
            &["overflowed by", "will not fit in region"],
            Effect::Signature(region_overflow),
        ),
        Rule::new(&["linking module flags"], Effect::Signature(module_flags)),
        Rule::new(&["failed to load bitcode"], Effect::Signature(bitcode)),
        Rule::new(&["ERROR: modpost:"], Effect::Signature(modpost)),
        Rule::new(
            &[
                "ld returned",
                "linker command failed",
                "error: linking with",
            ],
            Effect::Fallback(summary),
        ),
        Rule::new(
            &[
                "could not compile",
                "*** [",
                "ninja: build stopped",
                "FAILED: ",
            ],
            Effect::Fallback(summary),
        ),
        Rule::new(&[": error: "], Effect::Signature(linker_error)),
        Rule::new(
            &[": error: ", ": fatal error: "],
            Effect::Signature(compiler_error),
        ),
        Rule::new(&["error: ", "error["], Effect::Signature(rustc_error)),
        Rule::new(&["CMake Error"], Effect::Signature(cmake_error)),
    ]
}

/// A symbol or section name in any of the quoting styles of GNU ld and LLD.
const QUOTED: &str = r"[`'‘]([^`'’]+)['’]";

fn multiple_definition(body: &str) -> Option<Found> {
    let c = regex!(&format!("multiple definition of {QUOTED}")).captures(body)?;
    Some(Found::new(
        Kind::Linker,
        format!("multiple definition of `{}'", &c[1]),
    ))
}

fn undefined_reference(body: &str) -> Option<Found> {
    let c = regex!(&format!("undefined reference to {QUOTED}")).captures(body)?;
    Some(Found::new(
        Kind::Linker,
        format!("undefined reference to `{}'", &c[1]),
    ))
}

fn lld_symbol(body: &str) -> Option<Found> {
    let c = regex!(r"(undefined symbol|duplicate symbol): (.+)$").captures(body)?;
    Some(Found::new(
        Kind::Linker,
        format!("{}: {}", &c[1], c[2].trim()),
    ))
}

fn discarded_section(body: &str) -> Option<Found> {
    let c = regex!(r"discarded output section:? [`'‘]?([^`'’\s]+)").captures(body)?;
    Some(Found::new(
        Kind::Linker,
        format!("discarded output section: `{}'", &c[1]),
    ))
}

fn relocation_truncated(body: &str) -> Option<Found> {
    let c = regex!(&format!(
        r"relocation truncated to fit: (\S+) against (?:symbol )?{QUOTED}"
    ))
    .captures(body)?;
    Some(Found::new(
        Kind::Linker,
        format!("relocation truncated to fit: {} against `{}'", &c[1], &c[2]),
    ))
}

fn region_overflow(body: &str) -> Option<Found> {
    if let Some(c) = regex!(&format!("region {QUOTED} overflowed")).captures(body) {
        return Some(Found::new(
            Kind::Linker,
            format!("region `{}' overflowed", &c[1]),
        ));
    }
    let c = regex!(&format!("section {QUOTED} will not fit in region {QUOTED}")).captures(body)?;
    Some(Found::new(
        Kind::Linker,
        format!("section `{}' will not fit in region `{}'", &c[1], &c[2]),
    ))
}

/// LLVM LTO: `linking module flags 'Code Model': IDs have conflicting values:
/// 'i32 2' from , and 'i32 1' from gale_ffi...` -- the values and module names
/// follow the colon and are dropped. Cargo wraps the line after the flag name.
fn module_flags(body: &str) -> Option<Found> {
    let c = regex!(r"linking module flags '([^']+)':?\s*([^:']*)").captures(body)?;
    let flag = format!("linking module flags '{}'", &c[1]);
    Some(match c[2].trim() {
        "" => Found::new(Kind::Linker, flag).wanting(Want::Continuation),
        problem => Found::new(Kind::Linker, format!("{flag}: {problem}")),
    })
}

fn bitcode(body: &str) -> Option<Found> {
    let c = regex!(r#"failed to load bitcode of module "?([^"\s]+)"?"#).captures(body)?;
    Some(Found::new(
        Kind::Linker,
        format!("failed to load bitcode of module \"{}\"", basename(&c[1])),
    ))
}

fn modpost(body: &str) -> Option<Found> {
    if let Some(c) = regex!(r#"ERROR: modpost: "([^"]+)" \[[^\]]+\] undefined!"#).captures(body) {
        return Some(Found::new(
            Kind::Linker,
            format!("modpost: \"{}\" undefined", &c[1]),
        ));
    }
    let c = regex!(r"ERROR: modpost: (.+)$").captures(body)?;
    Some(Found::new(
        Kind::Linker,
        format!("modpost: {}", c[1].trim()),
    ))
}

/// `ld.lld: error: ...`, `/usr/bin/ld.bfd: error: ...`; `collect2: error: ld
/// returned 1 exit status` is only a summary.
fn linker_error(body: &str) -> Option<Found> {
    let c = regex!(
        r"^(?:\S*/)?(?:ld(?:\.lld|\.bfd|\.gold)?|ld64\.lld|lld|[\w-]+-ld(?:\.\w+)?): error: (.+)$"
    )
    .captures(body)?;
    Some(Found::new(Kind::Linker, c[1].trim()))
}

/// gcc and clang: `drivers/foo/bar.c:12:5: error: message`.
fn compiler_error(body: &str) -> Option<Found> {
    let c = regex!(r"^(\S+?):\d+(?::\d+)?: (?:fatal )?error: (.+)$").captures(body)?;
    Some(Found::new(
        Kind::Compiler,
        format!("{}: error: {}", source_path(&c[1]), c[2].trim()),
    ))
}

/// rustc: `error[E0308]: mismatched types`, then ` --> src/main.rs:4:5`.
fn rustc_error(body: &str) -> Option<Found> {
    let c = regex!(r"^error(\[E\d+\])?: (.+)$").captures(body)?;
    let message = c[2].trim();
    const SUMMARIES: [&str; 4] = [
        "aborting due to",
        "could not compile",
        "linking with",
        "Recipe",
    ];
    if SUMMARIES.iter().any(|s| message.starts_with(s)) {
        return None;
    }
    let code = c.get(1).map_or("", |m| m.as_str());
    Some(Found::new(Kind::Compiler, format!("error{code}: {message}")).wanting(Want::SourceFile))
}

/// `CMake Error at cmake/modules/kconfig.cmake:358 (message):`; the message is on
/// the next line.
fn cmake_error(body: &str) -> Option<Found> {
    let c = regex!(r"^CMake Error(?: at ([^\s:]+))?").captures(body)?;
    let title = match c.get(1) {
        Some(file) => format!("CMake Error at {}", basename(file.as_str())),
        None => "CMake Error".to_string(),
    };
    Some(Found::new(Kind::Compiler, title).wanting(Want::Message))
}

fn summary(body: &str) -> Option<Found> {
    if let Some(c) = regex!(r"\*\*\* \[(?:[^\]]*: )?([^\]]+)\] Error (\d+)").captures(body) {
        return Some(Found::new(
            Kind::Exit,
            format!("make: *** [{}] Error {}", &c[1], &c[2]),
        ));
    }
    Some(Found::new(Kind::Exit, body.trim()))
}

/// The file of rustc's ` --> src/main.rs:4:5` line, without its directories.
pub(crate) fn source_file(body: &str) -> Option<String> {
    let c = regex!(r"^-->\s*(\S+?):\d+(?::\d+)?$").captures(body)?;
    Some(basename(&c[1]).to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::packs::testing::{signature, title};

    fn t(line: &str) -> Option<String> {
        title(&rules(), line)
    }

    fn fallback(line: &str) -> Option<String> {
        rules()
            .iter()
            .filter(|r| r.literals.iter().any(|l| line.contains(l)))
            .find_map(|r| match r.effect {
                Effect::Fallback(detect) => detect(crate::normalize::body(line)),
                _ => None,
            })
            .map(|f| crate::normalize_title(&f.title))
    }

    #[test]
    fn seed_000_llvm_lto_and_got_plt() {
        let f = signature(
            &rules(),
            "warning: linking module flags 'Code Model': IDs have conflicting values: 'i32 2' from , and 'i32 1' from gale_ffi.8f3a2b1c-cgu.0",
        )
        .unwrap();
        assert_eq!(
            (f.kind, f.title.as_str()),
            (
                Kind::Linker,
                "linking module flags 'Code Model': IDs have conflicting values"
            )
        );
        let wrapped = signature(&rules(), "  warning: linking module flags 'Code Model':").unwrap();
        assert_eq!(wrapped.wants, Some(Want::Continuation));
        assert_eq!(
            Want::Continuation
                .complete(
                    &wrapped.title,
                    "    IDs have conflicting values: 'i32 2' from , and 'i32 1' from gale_ffi..."
                )
                .as_deref(),
            Some(f.title.as_str())
        );
        assert_eq!(
            t(r#"error: failed to load bitcode of module "core-...rcgu.o""#).as_deref(),
            Some(r#"failed to load bitcode of module "core-...rcgu.o""#)
        );
        assert_eq!(
            t(r#"error: failed to load bitcode of module "/home/ci/target/x86_64-unknown-none/release/deps/core-1a2b3c4d5e6f7a8b.core.3a1fbbbh8btdcjo8-cgu.0.rcgu.o""#).as_deref(),
            Some(r#"failed to load bitcode of module "core.core.rcgu.o""#)
        );
        assert_eq!(
            t("ld.bfd: discarded output section: `.got.plt'").as_deref(),
            Some("discarded output section: `.got.plt'")
        );
        assert_eq!(t("ld.bfd: final link failed"), None);
        assert_eq!(t("collect2: error: ld returned 1 exit status"), None);
        assert_eq!(
            fallback("collect2: error: ld returned 1 exit status").as_deref(),
            Some("collect2: error: ld returned 1 exit status")
        );
    }

    #[test]
    fn seed_002_multiple_definition() {
        let f = signature(
            &rules(),
            "/opt/zephyr-sdk/arm-zephyr-eabi/bin/ld.bfd: mutex.o: in function `func_7': (.text+0x0): multiple definition of `func_7'; sem.o:(.text+0x0): first defined here",
        )
        .unwrap();
        assert_eq!(
            (f.kind, f.title.as_str()),
            (Kind::Linker, "multiple definition of `func_7'")
        );
    }

    #[test]
    fn other_linker_errors() {
        assert_eq!(
            t("foo.c:(.text+0x12): undefined reference to `bar_init'").as_deref(),
            Some("undefined reference to `bar_init'")
        );
        assert_eq!(
            t("ld.lld: error: undefined symbol: z_impl_k_sem_give").as_deref(),
            Some("undefined symbol: z_impl_k_sem_give")
        );
        assert_eq!(
            t("zephyr/zephyr_pre0.elf section `.data' will not fit in region `RAM'").as_deref(),
            Some("section `.data' will not fit in region `RAM'")
        );
        assert_eq!(
            t("arm-zephyr-eabi/bin/ld.bfd: region `FLASH' overflowed by 1234 bytes").as_deref(),
            Some("region `FLASH' overflowed")
        );
        assert_eq!(
            t("kernel/x.o: relocation truncated to fit: R_X86_64_32S against symbol `foo' defined in .data section").as_deref(),
            Some("relocation truncated to fit: R_X86_64_32S against `foo'")
        );
        assert_eq!(
            t(r#"ERROR: modpost: "kvm_foo" [arch/x86/kvm/kvm.ko] undefined!"#).as_deref(),
            Some(r#"modpost: "kvm_foo" undefined"#)
        );
        assert_eq!(
            t("ld.lld: error: unknown argument '--foo'").as_deref(),
            Some("unknown argument '--foo'")
        );
    }

    #[test]
    fn compiler_errors_keep_the_path_and_message_but_not_the_line() {
        let f = signature(
            &rules(),
            "drivers/gpu/drm/foo/bar.c:12:5: error: implicit declaration of function 'baz'",
        )
        .unwrap();
        assert_eq!(
            (f.kind, f.title.as_str()),
            (
                Kind::Compiler,
                "drivers/gpu/drm/foo/bar.c: error: implicit declaration of function 'baz'"
            )
        );
        assert_eq!(
            t("../include/linux/sched.h:1234:10: fatal error: asm/thread_info.h: No such file or directory").as_deref(),
            Some("include/linux/sched.h: error: asm/thread_info.h: No such file or directory"),
            "a build directory inside the tree names sources from `..`"
        );
        assert_eq!(
            t("drivers/gpu/drm/foo/bar.c:40:1: error: implicit declaration of function 'baz'"),
            t("drivers/gpu/drm/foo/bar.c:12:5: error: implicit declaration of function 'baz'"),
            "the title stays when the line moves"
        );
        assert_eq!(t("foo.c:12:5: warning: unused variable 'x'"), None);
    }

    #[test]
    fn rustc_errors_take_the_file_from_the_arrow_line() {
        let f = signature(&rules(), "error[E0308]: mismatched types").unwrap();
        assert_eq!(
            (f.title.as_str(), f.wants),
            ("error[E0308]: mismatched types", Some(Want::SourceFile))
        );
        assert_eq!(
            Want::SourceFile
                .complete(&f.title, "--> src/sched/mod.rs:4:5")
                .as_deref(),
            Some("mod.rs: error[E0308]: mismatched types")
        );
        assert_eq!(t("error: aborting due to 2 previous errors"), None);
        assert_eq!(
            t("error: could not compile `gale` (lib) due to 2 previous errors"),
            None
        );
        assert_eq!(
            fallback("make[2]: *** [scripts/Makefile.build:250: fs/ext4/inode.o] Error 1")
                .as_deref(),
            Some("make: *** [fs/ext4/inode.o] Error 1")
        );
    }

    #[test]
    fn cmake_errors_wait_for_their_message() {
        let f = signature(
            &rules(),
            "CMake Error at /zephyr/cmake/modules/kconfig.cmake:358 (message):",
        )
        .unwrap();
        assert_eq!(
            (f.title.as_str(), f.wants),
            ("CMake Error at kconfig.cmake", Some(Want::Message))
        );
        assert_eq!(
            Want::Message
                .complete(&f.title, "  Aborting due to Kconfig warnings")
                .as_deref(),
            Some("CMake Error at kconfig.cmake: Aborting due to Kconfig warnings")
        );
    }
}
