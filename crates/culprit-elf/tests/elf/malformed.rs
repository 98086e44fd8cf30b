//! Truncated, mutated and foreign inputs give an error that names the file and what is
//! wrong with it, and never a panic, through every parser entry point.

use crate::support;

use culprit_elf::{diff_files, find_duplicates, parse_file, parse_object, read_file, ElfError};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use std::path::{Path, PathBuf};
use support::fixtures::*;
use support::*;

/// Real inputs of every kind, kept on disk for the thin archive's members.
struct Fixtures {
    dir: tempfile::TempDir,
    inputs: Vec<(&'static str, Vec<u8>)>,
}

fn fixtures() -> Fixtures {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let arm = assemble(root, "arm.o", ARM, ARM_MIXED);
    assemble(root, "a64.o", AARCH64, AARCH64_MIXED);
    let so = compile_c(root, "libx.so", &["-shared", "-fPIC"], SHARED_LIBRARY_C);
    let lib = archive(root, "rcs", "lib.a", &["arm.o", "a64.o"]);
    let thin = archive(root, "cDPrST", "built-in.a", &["arm.o", "a64.o"]);
    let read = |p: &PathBuf| std::fs::read(p).unwrap();
    let inputs = vec![
        ("arm.o", read(&arm)),
        ("libx.so", read(&so)),
        ("lib.a", read(&lib)),
        ("built-in.a", read(&thin)),
    ];
    Fixtures { dir, inputs }
}

/// Every entry point on `bytes`; whatever comes back, an error must name the input.
fn parse_everywhere(name: &str, bytes: &[u8], dir: &Path) -> Result<(), TestCaseError> {
    let errors = [
        parse_object(bytes, name).err(),
        parse_file(bytes, name, None).err(),
        parse_file(bytes, name, Some(dir))
            .map(|file| {
                // What is built on a parsed file must survive whatever it claims.
                find_duplicates(&file.objects);
                diff_files(&file, &file);
                file.objects.iter().for_each(|o| {
                    o.section_size(".bss");
                });
            })
            .err(),
    ];
    for error in errors.into_iter().flatten() {
        let message = error.to_string();
        prop_assert!(
            message.starts_with(name) || matches!(error, ElfError::Read { .. }),
            "error does not name the input: {}",
            message
        );
    }
    Ok(())
}

#[test]
fn truncated_inputs_never_panic() {
    let fixtures = fixtures();
    let mut runner = TestRunner::new(Config::with_cases(400));
    let strategy = (0..fixtures.inputs.len(), any::<prop::sample::Index>());
    runner
        .run(&strategy, |(which, cut)| {
            let (name, bytes) = &fixtures.inputs[which];
            let cut = cut.index(bytes.len());
            parse_everywhere(name, &bytes[..cut], fixtures.dir.path())
        })
        .unwrap();
}

#[test]
fn mutated_inputs_never_panic() {
    let fixtures = fixtures();
    let mut runner = TestRunner::new(Config::with_cases(600));
    let strategy = (
        0..fixtures.inputs.len(),
        prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..16),
    );
    runner
        .run(&strategy, |(which, edits)| {
            let (name, bytes) = &fixtures.inputs[which];
            let mut bytes = bytes.clone();
            for (at, value) in edits {
                let at = at.index(bytes.len());
                bytes[at] = value;
            }
            parse_everywhere(name, &bytes, fixtures.dir.path())
        })
        .unwrap();
}

#[test]
fn every_truncation_of_an_object_header_and_tables_is_an_error() {
    let fixtures = fixtures();
    let (_, bytes) = &fixtures.inputs[0];
    // Section headers sit at the end of an llvm-mc object: every cut loses some.
    for cut in 0..bytes.len() {
        let error = parse_object(&bytes[..cut], "arm.o").expect_err("truncated");
        assert!(error.to_string().starts_with("arm.o: "), "{error}");
    }
}

#[test]
fn messages_say_what_is_wrong() {
    let fixtures = fixtures();
    let message = |bytes: &[u8]| parse_file(bytes, "x.o", None).unwrap_err().to_string();
    assert_eq!(
        message(b""),
        "x.o: not an ELF object or ar archive (empty file)"
    );
    assert_eq!(
        message(b"hello world"),
        "x.o: not an ELF object or ar archive (starts with bytes 68 65 6c 6c)"
    );
    assert_eq!(
        message(b"\x7fELF\x01\x01"),
        "x.o: not an ELF object or ar archive (truncated ELF header, 6 bytes)"
    );
    assert_eq!(
        message(b"\0asm\x01\0\0\0\x01\x04\x01\x60\0\0\0\0"),
        "x.o: not an ELF object or ar archive (found a WebAssembly module)"
    );
    assert_eq!(
        parse_object(&fixtures.inputs[2].1, "lib.a")
            .unwrap_err()
            .to_string(),
        "lib.a: not an ELF object or ar archive (found an archive where an object was expected)"
    );
    let object = &fixtures.inputs[0].1;
    let cut = message(&object[..object.len() - 8]);
    assert!(cut.starts_with("x.o: malformed ELF: "), "{cut}");

    let lib = &fixtures.inputs[2].1;
    let cut = parse_file(&lib[..lib.len() - 100], "lib.a", None)
        .unwrap_err()
        .to_string();
    assert!(
        cut.starts_with("lib.a: malformed archive: ")
            || cut.starts_with("lib.a(a64.o): malformed ELF"),
        "{cut}"
    );

    let thin = &fixtures.inputs[3].1;
    assert_eq!(
        parse_file(thin, "built-in.a", None)
            .unwrap_err()
            .to_string(),
        "built-in.a: thin archive member arm.o cannot be found without the archive's directory"
    );
    let elsewhere = tempfile::tempdir().unwrap();
    let missing = parse_file(thin, "built-in.a", Some(elsewhere.path()))
        .unwrap_err()
        .to_string();
    assert!(missing.contains("arm.o: cannot read: "), "{missing}");

    let missing_file = read_file(Path::new("/nonexistent/x.o"), "x.o")
        .unwrap_err()
        .to_string();
    assert!(
        missing_file.starts_with("/nonexistent/x.o: cannot read: "),
        "{missing_file}"
    );
}

#[test]
fn non_elf_archive_members_are_skipped_with_a_reason() {
    let dir = tempfile::tempdir().unwrap();
    assemble(dir.path(), "arm.o", ARM, ARM_MIXED);
    std::fs::write(dir.path().join("notes.txt"), "not an object\n").unwrap();
    let lib = archive(dir.path(), "rc", "lib.a", &["arm.o", "notes.txt"]);
    let file = read_file(&lib, "lib.a").unwrap();
    assert_eq!(file.objects.len(), 1);
    assert_eq!(file.skipped.len(), 1);
    assert_eq!(file.skipped[0].member, "notes.txt");
    assert_eq!(
        file.skipped[0].reason,
        "not ELF (starts with bytes 6e 6f 74 20)"
    );
}

#[test]
fn an_archive_cut_short_is_an_error_not_an_empty_archive() {
    let fixtures = fixtures();
    let lib = &fixtures.inputs[2].1;
    let whole = parse_file(lib, "lib.a", None).unwrap();
    assert_eq!(whole.objects.len(), 2);
    // Inside the first header, inside the symbol table, inside a member.
    for len in [68, 100, 136, lib.len() / 2, lib.len() - 3] {
        match parse_file(&lib[..len], "lib.a", None) {
            Err(ElfError::MalformedArchive { .. }) => {}
            other => panic!(
                "{len} of {} bytes: expected an error, got {other:?}",
                lib.len()
            ),
        }
    }
}
