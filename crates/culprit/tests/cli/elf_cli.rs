//! `culprit elf` as a user runs it: exit codes, `--json` documents and messages.

use crate::common::{self, json};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const BAD_MUTEX: &str = "    .syntax unified\n    .text\n    .arm\n    .globl body\nbody:\n    movw r1, #:lower16:__synth_globals\n    movt r1, #:upper16:__synth_globals\n    bl func_7\n    bx lr\n    .globl func_7\nfunc_7:\n    bx lr\n    .data\n    .space 65544\n__synth_globals:\n    .word 0\n";

const GOOD_MUTEX: &str = "    .syntax unified\n    .text\n    .arm\n    .globl body\nbody:\n    ldr r1, =__synth_globals\n    bl func_7\n    bx lr\n    .ltorg\nfunc_7:\n    bx lr\n    .data\n__synth_globals:\n    .word 0\n    .bss\n    .space 65536\n";

const SEM: &str = "    .syntax unified\n    .text\n    .arm\n    .globl sem_body\nsem_body:\n    bl func_7\n    bx lr\n    .globl func_7\nfunc_7:\n    bx lr\n";

/// Assembles `source` for 32-bit ARM into `dir/name` with llvm-mc, the source written
/// beside it (`name.s`); returns the object's path.
fn assemble(dir: &Path, name: &str, source: &str) -> PathBuf {
    let path = dir.join(name);
    let input = common::write_file(dir, &format!("{name}.s"), source);
    let status = Command::new("llvm-mc")
        .args(["-triple=armv7-none-eabi", "-filetype=obj", "-o"])
        .arg(&path)
        .arg(&input)
        .status()
        .expect("llvm-mc runs");
    assert!(status.success(), "llvm-mc {name}");
    path
}

/// `culprit elf ARGS` in `dir`.
fn culprit(dir: &Path, args: &[&str]) -> Output {
    common::culprit(dir, &[&["elf"][..], args].concat())
}

/// The JSON document `culprit elf ARGS` printed, after it exited 0.
fn json_ok(dir: &Path, args: &[&str]) -> serde_json::Value {
    common::json_ok(dir, &[&["elf"][..], args].concat()).0
}

/// What `culprit elf ARGS` printed on standard output, after it exited 0.
fn succeeded(dir: &Path, args: &[&str]) -> String {
    common::succeeded(dir, &[&["elf"][..], args].concat())
}

fn fixtures() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    assemble(dir.path(), "bad.o", BAD_MUTEX);
    assemble(dir.path(), "good.o", GOOD_MUTEX);
    assemble(dir.path(), "sem.o", SEM);
    dir
}

#[test]
fn stat_json_has_sections_relocations_and_globals() {
    let dir = fixtures();
    let doc = json_ok(dir.path(), &["stat", "--json", "bad.o"]);
    let object = &doc["files"][0]["objects"][0];
    assert_eq!(object["name"], "bad.o");
    assert_eq!(object["machine"], "ARM");
    assert_eq!(object["file_type"], "relocatable");
    let data = common::named(&object["sections"], ".data");
    assert_eq!(data["size"], 65548);
    assert_eq!(object["relocations"]["by_type"]["R_ARM_MOVW_ABS_NC"], 1);
    assert_eq!(object["relocations"]["by_target"][".data"], 2);
    let groups = object["relocations"]["by_type_and_target"]
        .as_array()
        .unwrap();
    assert!(groups
        .iter()
        .any(|g| g["type"] == "R_ARM_MOVT_ABS" && g["target"] == ".data" && g["count"] == 1));
    let globals = common::field_strings(&object["globals"], "name");
    assert_eq!(globals, ["body", "func_7"]);
}

#[test]
fn stat_text_shows_the_sizes() {
    let dir = fixtures();
    let text = succeeded(dir.path(), &["stat", "bad.o"]);
    assert!(text.starts_with("bad.o: ARM relocatable\n"), "{text}");
    assert!(text.contains(".data           65548"), "{text}");
    assert!(text.contains("R_ARM_MOVW_ABS_NC"), "{text}");
}

#[test]
fn dups_exits_1_when_two_objects_define_a_global() {
    let dir = fixtures();
    let out = culprit(dir.path(), &["dups", "bad.o", "sem.o"]);
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.starts_with("func_7 defined in:\n  bad.o (.text)\n  sem.o (.text)\n"),
        "{text}"
    );

    let out = culprit(dir.path(), &["dups", "--json", "bad.o", "sem.o"]);
    assert_eq!(out.status.code(), Some(1));
    let doc = json(&out);
    assert_eq!(doc["objects"], 2);
    assert_eq!(doc["duplicates"][0]["symbol"], "func_7");

    assert_eq!(
        succeeded(dir.path(), &["dups", "good.o", "sem.o"]),
        "no global defined more than once in 2 objects\n"
    );
}

#[test]
fn diff_reports_growth_and_new_globals() {
    let dir = fixtures();
    let doc = json_ok(dir.path(), &["diff", "--json", "good.o", "bad.o"]);
    let object = &doc["objects"][0];
    let data = common::named(&object["sections"], ".data");
    assert_eq!(
        (
            data["old"].clone(),
            data["new"].clone(),
            data["change"].clone()
        ),
        (4.into(), 65548.into(), "grew".into())
    );
    assert_eq!(object["globals"][0]["name"], "func_7");
    assert_eq!(object["globals"][0]["change"], "appeared");

    assert_eq!(
        succeeded(dir.path(), &["diff", "good.o", "good.o"]),
        "no shape changes from good.o to good.o\n"
    );
}

#[test]
fn bad_input_exits_2_and_names_the_file() {
    let dir = fixtures();
    std::fs::write(dir.path().join("notes.txt"), "hello\n").unwrap();
    for args in [
        &["stat", "notes.txt"][..],
        &["dups", "bad.o", "notes.txt"][..],
        &["diff", "good.o", "missing.o"][..],
        &["stat", "--json"][..],
    ] {
        let out = culprit(dir.path(), args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(out.stdout.is_empty(), "{args:?}: nothing on stdout");
    }
    let out = culprit(dir.path(), &["stat", "notes.txt"]);
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "culprit: notes.txt: not an ELF object or ar archive (starts with bytes 68 65 6c 6c)\n"
    );
    let out = culprit(dir.path(), &["diff", "good.o", "missing.o"]);
    assert!(String::from_utf8_lossy(&out.stderr).starts_with("culprit: missing.o: cannot read: "));
}
