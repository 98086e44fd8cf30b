//! On real objects, linked images and archives built at test time, culprit's
//! relocation type names and counts are those of `readelf -rW` and `llvm-readobj -r`,
//! and its exported globals are those of `nm -g --defined-only`.

use crate::support;

use culprit_elf::{read_file, FileShape, InputKind};
use std::path::Path;
use support::fixtures::*;
use support::*;

fn shape(path: &Path) -> FileShape {
    read_file(path, &path.display().to_string()).unwrap()
}

fn assert_agrees(path: &Path) -> FileShape {
    let file = shape(path);
    let ours = our_relocation_counts(&file);
    assert!(!ours.is_empty(), "{}: no relocations read", path.display());
    assert_eq!(
        ours,
        readelf_relocation_counts(path),
        "readelf -rW on {}",
        path.display()
    );
    assert_eq!(
        ours,
        llvm_readobj_relocation_counts(path),
        "llvm-readobj -r on {}",
        path.display()
    );
    assert_eq!(
        our_globals(&file),
        nm_defined_globals(path),
        "nm on {}",
        path.display()
    );
    file
}

/// The exported globals culprit read, sorted as `nm` lists them.
fn our_globals(file: &FileShape) -> Vec<String> {
    let mut globals: Vec<String> = file
        .objects
        .iter()
        .flat_map(|o| o.globals.iter().map(|s| s.name.clone()))
        .collect();
    globals.sort();
    globals
}

/// Assembles `source` for `triple` into `name`, checks that culprit agrees with binutils
/// on it, and that each relocation type `expected` lists (space-separated) is among
/// those it read.
fn object_with_types(name: &str, triple: &str, source: &str, expected: &str) -> FileShape {
    let dir = tempfile::tempdir().unwrap();
    let file = assert_agrees(&assemble(dir.path(), name, triple, source));
    let types = &file.objects[0].relocations.by_type;
    for expected in expected.split_whitespace() {
        assert!(
            types.contains_key(expected),
            "{expected} missing from {types:?}"
        );
    }
    file
}

#[test]
fn arm_object() {
    let types = "R_ARM_MOVW_ABS_NC R_ARM_MOVT_ABS R_ARM_THM_MOVW_ABS_NC R_ARM_THM_CALL \
        R_ARM_ABS32 R_ARM_REL32";
    let file = object_with_types("arm.o", ARM, ARM_MIXED, types);
    assert_eq!(file.objects[0].machine, "ARM");
}

#[test]
fn aarch64_object() {
    let types = "R_AARCH64_ADR_PREL_PG_HI21 R_AARCH64_CALL26 R_AARCH64_JUMP26 R_AARCH64_ABS64 \
        R_AARCH64_MOVW_UABS_G1";
    object_with_types("a64.o", AARCH64, AARCH64_MIXED, types);
}

#[test]
fn riscv64_object() {
    let types =
        "R_RISCV_CALL R_RISCV_PCREL_HI20 R_RISCV_HI20 R_RISCV_LO12_I R_RISCV_RELAX R_RISCV_64";
    object_with_types("rv.o", RISCV64, RISCV64_MIXED, types);
}

#[test]
fn x86_64_object() {
    let dir = tempfile::tempdir().unwrap();
    let file = assert_agrees(&assemble(dir.path(), "x.o", X86_64, X86_64_MIXED));
    let relocations = &file.objects[0].relocations;
    assert_eq!(relocations.by_type.get("R_X86_64_64"), Some(&3));
    assert_eq!(
        relocations.count("R_X86_64_64", Some(".data")),
        1,
        "{relocations:?}"
    );
}

#[test]
fn x86_64_shared_library_dynamic_relocations() {
    let dir = tempfile::tempdir().unwrap();
    let path = compile_c(
        dir.path(),
        "libx.so",
        &["-shared", "-fPIC", "-O1"],
        SHARED_LIBRARY_C,
    );
    let file = assert_agrees(&path);
    let object = &file.objects[0];
    assert_eq!(object.file_type, culprit_elf::FileType::Shared);
    assert!(object.relocations.by_type.contains_key("R_X86_64_RELATIVE"));
    assert!(object
        .relocations
        .by_type
        .contains_key("R_X86_64_JUMP_SLOT"));
}

#[test]
fn regular_and_thin_archives() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    assemble(root, "arm/arm.o", ARM, ARM_MIXED);
    assemble(root, "arm/sub/x.o", X86_64, X86_64_MIXED);
    let regular = archive(root, "rcs", "lib.a", &["arm/arm.o", "arm/sub/x.o"]);
    let file = assert_agrees(&regular);
    assert_eq!(file.kind, InputKind::Archive);
    assert_eq!(file.objects.len(), 2);
    assert_eq!(file.objects[0].member.as_deref(), Some("arm.o"));

    // Kbuild's way: a thin archive of a thin archive, built from the top of the tree.
    archive(
        root,
        "cDPrST",
        "arm/built-in.a",
        &["arm/arm.o", "arm/sub/x.o"],
    );
    let top = archive(root, "cDPrST", "built-in.a", &["arm/built-in.a"]);
    let file = assert_agrees(&top);
    assert_eq!(file.kind, InputKind::ThinArchive);
    let names: Vec<&str> = file.objects.iter().map(|o| o.name.as_str()).collect();
    let shown = top.display().to_string();
    assert_eq!(
        names,
        [
            format!("{shown}(arm/arm.o)"),
            format!("{shown}(arm/sub/x.o)")
        ]
    );
}

/// A big real archive: every member of Debian's static libc, where present.
#[test]
fn debian_static_libc() {
    let path = Path::new("/usr/lib/x86_64-linux-gnu/libc.a");
    if !path.exists() {
        eprintln!("skipped: {} is not installed", path.display());
        return;
    }
    let file = shape(path);
    assert!(file.objects.len() > 1000, "{} members", file.objects.len());
    assert_eq!(
        our_relocation_counts(&file),
        readelf_relocation_counts(path)
    );
    assert_eq!(our_globals(&file), nm_defined_globals(path));
}

/// Packed relative relocations (`SHT_RELR`) have no type field; readelf lists their
/// offsets, culprit counts them as `RELR`.
#[test]
fn packed_relative_relocations() {
    let dir = tempfile::tempdir().unwrap();
    let source = "static int a, b, c;\nint *ptrs[] = { &a, &b, &c, &a, &b };\n";
    let path = compile_c(
        dir.path(),
        "librelr.so",
        &["-shared", "-fPIC", "-Wl,-z,pack-relative-relocs"],
        source,
    );
    let text = stdout("readelf", &["-rW"], &path, false);
    let offsets: u64 = text
        .lines()
        .filter_map(|l| l.trim().strip_suffix(" offsets"))
        .map(|n| n.parse::<u64>().unwrap())
        .sum();
    assert!(offsets >= 5, "{text}");
    let file = shape(&path);
    let mut ours = our_relocation_counts(&file);
    assert_eq!(ours.remove("RELR"), Some(offsets));
    assert_eq!(ours, readelf_relocation_counts(&path));
}
