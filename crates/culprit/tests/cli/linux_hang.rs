//! Issue 23's shape on the real Linux tree: a kernel that spins silently at the top of
//! `start_kernel`, before any console output, planted inside a window of commits whose
//! build fails. `git bisect run` can only answer "one of" the window; culprit finds the
//! exact commit through the automatic fixup, with two workers, cutting the hangs of the
//! search at the deadline the good boots taught. Needs `CULPRIT_LINUX_TREE` (see
//! `common/linux.rs`); the timing is `scripts/bench-linux-hang`'s, not this test's.

use crate::common;

use common::json;
use common::linux::{edit, kernel, plant_doc};
use std::path::Path;

#[test]
fn x86_64_silent_early_hang_inside_a_build_break_is_found_exactly() {
    let Some(kernel) = kernel("x86_64") else {
        return;
    };
    let strcpy = "char *strcpy(char *dest, const char *src)\n";
    let start = "\tset_task_stack_end_magic(&init_task);\n";
    let ids = kernel.plant(
        "silent-hang",
        &[
            ("docs: a harmless change", &|r: &Path| {
                plant_doc(r, "hang-1.txt")
            }),
            ("lib/string: a change that does not build", &|r: &Path| {
                edit(
                    r,
                    "lib/string.c",
                    strcpy,
                    "char *strcpy(char *dest, const char *src) culprit_planted_broken\n",
                )
            }),
            ("init: spin before the console", &|r: &Path| {
                edit(
                    r,
                    "init/main.c",
                    start,
                    &format!("\tfor (;;)\n\t\tcpu_relax();\n{start}"),
                )
            }),
            ("docs: another harmless change", &|r: &Path| {
                plant_doc(r, "hang-2.txt")
            }),
            ("lib/string: build again", &|r: &Path| {
                edit(r, "lib/string.c", " culprit_planted_broken\n", "\n")
            }),
            ("docs: a third harmless change", &|r: &Path| {
                plant_doc(r, "hang-3.txt")
            }),
        ],
    );
    let out = kernel.culprit(&[
        "bisect",
        "--good",
        "main",
        "--bad",
        "silent-hang",
        "-j",
        "2",
        "--json",
    ]);
    let doc = json(&out);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{doc}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(doc["status"], "found", "{doc}");
    assert_eq!(
        doc["culprit"],
        ids[2].as_str(),
        "the commit that spins, inside the build break: {doc}"
    );
    assert_eq!(doc["target"]["boot"], "hang at stage none", "{doc}");
    // The bad endpoint's flakiness check runs on the worker that has just built it,
    // which still holds that kernel: it is not built again.
    assert!(doc["kept_builds"].as_u64().unwrap() >= 1, "{doc}");
}
