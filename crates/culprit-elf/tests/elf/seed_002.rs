//! Seed 002: a wasm-dissolved mutex module that linked but faulted on the board. Its
//! bug lived in three shapes of the object file; each is read, diffed and caught by a
//! shape check here, on objects assembled like the ones synth produced.

use crate::support;

use culprit_console::SignatureKind;
use culprit_elf::{
    diff_files, evaluate, find_duplicates, read_file, Change, ChangeKind, FileShape, ShapeCheck,
    ShapeRule, ShapeViolation,
};
use serde::Deserialize;
use std::path::Path;
use support::fixtures::*;
use support::*;

/// A build tree: `build/mutex.o` and `build/sem.o`, bad or good.
fn tree(bad: bool) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let mutex = if bad {
        seed_002_mutex_bad()
    } else {
        seed_002_mutex_good()
    };
    assemble(dir.path(), "build/mutex.o", ARM, &mutex);
    let sem = if bad {
        seed_002_sem()
    } else {
        seed_002_sem()
            .replace("    .globl func_7\n", "")
            .replace("    .globl func_8\n", "")
    };
    assemble(dir.path(), "build/sem.o", ARM, &sem);
    dir
}

fn checks(text: &str) -> Vec<ShapeCheck> {
    #[derive(Deserialize)]
    struct Config {
        shape: Vec<ShapeCheck>,
    }
    toml::from_str::<Config>(text).unwrap().shape
}

const CHECKS: &str = r#"
[[shape]]
files = ["build/mutex.o"]
section = ".data"
max_size = 4096

[[shape]]
files = ["build/*.o"]
relocation = "R_ARM_MOVW_ABS_NC"
max_count = 0

[[shape]]
files = ["build/*.o"]
relocation = "R_ARM_MOVT_ABS"
target = ".data"
max_count = 0

[[shape]]
files = ["build/*.o"]
no_duplicate_globals = true
"#;

#[test]
fn the_tables_read_as_the_three_kinds_of_check() {
    let rules: Vec<ShapeRule> = checks(CHECKS).into_iter().map(|c| c.rule).collect();
    assert_eq!(
        rules,
        [
            ShapeRule::SectionSize {
                section: ".data".into(),
                min_size: None,
                max_size: Some(4096)
            },
            ShapeRule::RelocationCount {
                relocation: "R_ARM_MOVW_ABS_NC".into(),
                target: None,
                min_count: None,
                max_count: Some(0)
            },
            ShapeRule::RelocationCount {
                relocation: "R_ARM_MOVT_ABS".into(),
                target: Some(".data".into()),
                min_count: None,
                max_count: Some(0)
            },
            ShapeRule::NoDuplicateGlobals,
        ]
    );
}

fn mutex(tree: &Path) -> FileShape {
    read_file(&tree.join("build/mutex.o"), "build/mutex.o").unwrap()
}

/// Both objects of `tree`, mutex first.
fn both(tree: &Path) -> Vec<FileShape> {
    ["build/mutex.o", "build/sem.o"]
        .iter()
        .map(|p| read_file(&tree.join(p), p).unwrap())
        .collect()
}

/// The titles of `violations`, in order.
fn titles(violations: &[ShapeViolation]) -> Vec<&str> {
    violations
        .iter()
        .map(|v| v.signature.title.as_str())
        .collect()
}

#[test]
fn stat_shows_the_64k_data_and_the_absolute_relocations_against_it() {
    let bad = tree(true);
    let object = &mutex(bad.path()).objects[0];
    assert_eq!(object.section_size(".data"), 65548);
    let relocations = &object.relocations;
    assert_eq!(relocations.by_type.get("R_ARM_MOVW_ABS_NC"), Some(&11));
    assert_eq!(relocations.by_type.get("R_ARM_MOVT_ABS"), Some(&11));
    assert_eq!(
        relocations.count("R_ARM_MOVW_ABS_NC", Some(".data"))
            + relocations.count("R_ARM_MOVT_ABS", Some(".data")),
        22,
        "all 22 are against the data symbol: {relocations:?}"
    );
    let counts = readelf_relocation_counts(&bad.path().join("build/mutex.o"));
    assert_eq!(counts.get("R_ARM_MOVW_ABS_NC"), Some(&11), "readelf agrees");
    let globals: Vec<&str> = object.globals.iter().map(|s| s.name.as_str()).collect();
    assert!(
        globals.contains(&"func_7") && globals.contains(&"func_8"),
        "{globals:?}"
    );

    let good = tree(false);
    let object = &mutex(good.path()).objects[0];
    assert_eq!(object.section_size(".data"), 4);
    assert_eq!(object.section_size(".bss"), 65536);
    assert_eq!(object.relocations.by_type.get("R_ARM_MOVW_ABS_NC"), None);
    assert_eq!(object.relocations.by_type.get("R_ARM_ABS32"), Some(&11));
}

#[test]
fn dups_finds_the_helpers_both_modules_export() {
    let bad = tree(true);
    let files = both(bad.path());
    let duplicates = find_duplicates(files.iter().flat_map(|f| &f.objects));
    let symbols: Vec<&str> = duplicates.iter().map(|d| d.symbol.as_str()).collect();
    assert_eq!(symbols, ["func_7", "func_8"]);
    assert_eq!(duplicates[0].objects(), ["build/mutex.o", "build/sem.o"]);

    let good = tree(false);
    let files = both(good.path());
    assert!(find_duplicates(files.iter().flat_map(|f| &f.objects)).is_empty());
}

/// The change of `name` in `changes`, which must have one.
fn change<'a>(changes: &'a [Change], name: &str) -> &'a Change {
    changes
        .iter()
        .find(|c| c.name == name)
        .unwrap_or_else(|| panic!("no change of {name} in {changes:?}"))
}

#[test]
fn diff_shows_what_the_fix_changed() {
    let bad = tree(true);
    let good = tree(false);
    let diff = diff_files(&mutex(good.path()), &mutex(bad.path()));
    assert_eq!(diff.objects.len(), 1);
    let object = &diff.objects[0];
    let data = change(&object.sections, ".data");
    assert_eq!(
        (data.old, data.new, data.change),
        (Some(4), Some(65548), ChangeKind::Grew)
    );
    assert_eq!(
        change(&object.sections, ".bss").change,
        ChangeKind::Vanished
    );
    let movw = change(&object.relocation_types, "R_ARM_MOVW_ABS_NC");
    assert_eq!(
        (movw.old, movw.new, movw.change),
        (None, Some(11), ChangeKind::Appeared)
    );
    let abs32 = change(&object.relocation_types, "R_ARM_ABS32");
    assert_eq!(abs32.change, ChangeKind::Vanished);
    assert!(
        object.symbols.iter().all(|c| !c.name.starts_with('$')),
        "mapping symbols are not symbols: {:?}",
        object.symbols
    );
    let exported: Vec<&str> = object.globals.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(exported, ["func_7", "func_8"]);
    assert!(
        object
            .globals
            .iter()
            .all(|c| c.change == ChangeKind::Appeared),
        "{:?}",
        object.globals
    );
}

#[test]
fn shape_checks_catch_each_shape_and_pass_the_fixed_build() {
    let bad = tree(true);
    let violations = evaluate(&checks(CHECKS), bad.path()).unwrap();
    assert_eq!(
        titles(&violations),
        [
            "shape: .data of build/mutex.o > 4096",
            "shape: R_ARM_MOVW_ABS_NC relocations in build/mutex.o > 0",
            "shape: R_ARM_MOVT_ABS relocations against .data in build/mutex.o > 0",
            "shape: func_7 defined in build/mutex.o and build/sem.o",
            "shape: func_8 defined in build/mutex.o and build/sem.o",
        ]
    );
    assert!(violations
        .iter()
        .all(|v| v.signature.kind == SignatureKind::Shape));
    assert_eq!(
        violations[0].detail,
        ".data of build/mutex.o is 65548 bytes, max_size is 4096"
    );
    assert_eq!(
        violations[1].detail,
        "11 R_ARM_MOVW_ABS_NC relocations in build/mutex.o, max_count is 0"
    );
    assert_eq!(
        violations.iter().map(|v| v.check).collect::<Vec<_>>(),
        [0, 1, 2, 3, 3]
    );

    let good = tree(false);
    assert_eq!(evaluate(&checks(CHECKS), good.path()).unwrap(), []);
}

#[test]
fn titles_do_not_depend_on_where_the_tree_is_or_on_measured_sizes() {
    let first = tree(true);
    let second = tree(true);
    let mut grown = seed_002_mutex_bad();
    grown = grown.replace(".space 65544", ".space 70000");
    assemble(second.path(), "build/mutex.o", ARM, &grown);
    let first_violations = evaluate(&checks(CHECKS), first.path()).unwrap();
    let second_violations = evaluate(&checks(CHECKS), second.path()).unwrap();
    assert_eq!(titles(&first_violations), titles(&second_violations));
    let root = first.path().display().to_string();
    assert!(titles(&first_violations).iter().all(|t| !t.contains(&root)));
}

#[test]
fn min_limits_and_missing_files() {
    let good = tree(false);
    let violations = evaluate(
        &checks(
            r#"
[[shape]]
files = ["build/mutex.o"]
relocation = "R_ARM_ABS32"
min_count = 12
[[shape]]
files = ["build/mutex.o"]
section = ".rodata"
min_size = 1
[[shape]]
files = ["build/never_built.o", "build/sem.o"]
section = ".text"
max_size = 1000
"#,
        ),
        good.path(),
    )
    .unwrap();
    assert_eq!(
        titles(&violations),
        [
            "shape: R_ARM_ABS32 relocations in build/mutex.o < 12",
            "shape: .rodata of build/mutex.o < 1",
            "shape: no file matches build/never_built.o",
        ]
    );
}

#[test]
fn a_misspelled_relocation_is_an_error_not_a_pass() {
    let bad = tree(true);
    let err = evaluate(
        &checks(
            "[[shape]]\nfiles = [\"build/*.o\"]\nrelocation = \"R_ARM_MOVW_ABS\"\nmax_count = 0\n",
        ),
        bad.path(),
    )
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        "shape check on build/*.o: R_ARM_MOVW_ABS is not a relocation type of ARM"
    );
}

#[test]
fn checks_see_archive_members() {
    let bad = tree(true);
    archive(
        bad.path(),
        "cDPrST",
        "build/built-in.a",
        &["build/mutex.o", "build/sem.o"],
    );
    let violations = evaluate(
        &checks("[[shape]]\nfiles = [\"build/built-in.a\"]\nno_duplicate_globals = true\n"),
        bad.path(),
    )
    .unwrap();
    assert_eq!(
        violations[0].signature.title,
        "shape: func_7 defined in build/built-in.a(mutex.o) and build/built-in.a(sem.o)"
    );
}
