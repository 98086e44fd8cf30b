//! What counts as a multiple definition: exactly what a static link would reject.

use crate::support;

use culprit_elf::{find_duplicates, read_file, FileShape};
use std::path::Path;
use support::fixtures::LINKER_TOLERATED;
use support::*;

fn read(path: &Path) -> FileShape {
    read_file(path, &path.file_name().unwrap().to_string_lossy()).unwrap()
}

#[test]
fn weak_common_comdat_undefined_and_local_symbols_are_not_duplicates() {
    let dir = tempfile::tempdir().unwrap();
    let a = read(&assemble(dir.path(), "a.o", X86_64, LINKER_TOLERATED));
    let b = read(&assemble(dir.path(), "b.o", X86_64, LINKER_TOLERATED));
    let duplicates = find_duplicates(a.objects.iter().chain(&b.objects));
    let found: Vec<(&str, Vec<&str>)> = duplicates
        .iter()
        .map(|d| {
            (
                d.symbol.as_str(),
                d.definitions.iter().map(|p| p.section.as_str()).collect(),
            )
        })
        .collect();
    assert_eq!(
        found,
        [
            ("abs_sym", vec!["*ABS*", "*ABS*"]),
            ("strong_fn", vec![".text", ".text"])
        ]
    );
}

#[test]
fn a_link_of_the_two_objects_agrees() {
    let dir = tempfile::tempdir().unwrap();
    let a = assemble(dir.path(), "a.o", X86_64, LINKER_TOLERATED);
    let b = assemble(dir.path(), "b.o", X86_64, LINKER_TOLERATED);
    let out = std::process::Command::new("ld")
        .args(["-r", "-o"])
        .arg(dir.path().join("ab.o"))
        .arg(&a)
        .arg(&b)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("multiple definition of `strong_fn'"),
        "{stderr}"
    );
    assert!(
        !stderr.contains("weak_fn") && !stderr.contains("inline_fn"),
        "{stderr}"
    );
    assert!(!stderr.contains("common_buf"), "{stderr}");
}

#[test]
fn archive_members_count_as_objects_and_images_do_not() {
    let dir = tempfile::tempdir().unwrap();
    assemble(dir.path(), "a.o", X86_64, LINKER_TOLERATED);
    assemble(dir.path(), "b.o", X86_64, LINKER_TOLERATED);
    let lib = read(&archive(dir.path(), "rcs", "lib.a", &["a.o", "b.o"]));
    let duplicates = find_duplicates(&lib.objects);
    assert_eq!(duplicates[0].objects(), ["lib.a(a.o)", "lib.a(b.o)"]);

    let so = compile_c(
        dir.path(),
        "libs.so",
        &["-shared", "-fPIC"],
        "int strong_fn(void) { return 1; }",
    );
    let c = read(&assemble(dir.path(), "c.o", X86_64, LINKER_TOLERATED));
    let shared = read(&so);
    assert!(find_duplicates(c.objects.iter().chain(&shared.objects)).is_empty());
}
