//! Object-shape checks as step outcomes: "when did .data balloon?" hunted like a crash,
//! on real toyos builds.

use crate::common;

use common::{culprit, git, json, run_toyos, toyos_tree};

const SHAPE: &str = r#"
[[shape]]
files = ["build/mutex.o"]
section = ".data"
max_size = 4096
"#;

/// Adds the shape check to the culprit.toml of the toyos tree in `dir`.
fn with_shape_check(dir: &std::path::Path) {
    common::append_file(&dir.join("culprit.toml"), SHAPE);
}

#[test]
fn a_section_over_its_limit_is_a_failure_with_a_shape_signature() {
    let dir = tempfile::tempdir().unwrap();
    toyos_tree(dir.path(), &["BIG_BUFFER"], &[]);
    with_shape_check(dir.path());
    let (code, doc) = run_toyos(dir.path(), &[]);
    assert_eq!(code, Some(1), "{doc}");
    let shape = &doc["tests"][0];
    assert_eq!(shape["name"], "shape");
    assert_eq!(shape["outcome"], "fail");
    assert_eq!(shape["kind"], "shape");
    assert_eq!(
        shape["title"], "shape: .data of build/mutex.o > 4096",
        "{doc}"
    );

    let fine = tempfile::tempdir().unwrap();
    toyos_tree(fine.path(), &[], &[]);
    with_shape_check(fine.path());
    let (code, doc) = run_toyos(fine.path(), &[]);
    assert_eq!(code, Some(0), "{doc}");
    assert_eq!(doc["tests"][0]["outcome"], "pass");
}

#[test]
fn bisect_finds_the_commit_that_made_data_balloon() {
    let dir = tempfile::tempdir().unwrap();
    let repo = dir.path();
    toyos_tree(repo, &[], &[]);
    with_shape_check(repo);
    std::fs::write(repo.join(".gitignore"), "build/\n.culprit/\n").unwrap();
    git(repo, &["init", "-q", "-b", "main"]);
    common::commit_all(repo, "toyos");
    let mut ids = Vec::new();
    for i in 1..=12 {
        if i == 8 {
            let (off, on) = ("# CONFIG_BIG_BUFFER is not set", "CONFIG_BIG_BUFFER=y");
            common::linux::edit(repo, ".config", off, on);
        }
        std::fs::write(repo.join("NOTES"), format!("change {i}\n")).unwrap();
        ids.push(common::commit_all(repo, &format!("change {i}")));
    }
    let out = culprit(repo, &common::bisect_args("main~12"));
    let doc = json(&out);
    assert_eq!(out.status.code(), Some(0), "{doc}");
    assert_eq!(doc["culprit"], ids[7].as_str(), "{doc}");
    assert_eq!(
        doc["target"]["shape"],
        "shape: .data of build/mutex.o > 4096 (shape)"
    );
    // Only the shape check is hunted: no candidate after the endpoints was booted.
    for candidate in doc["candidates"].as_array().unwrap().iter().skip(2) {
        for run in candidate["runs"].as_array().unwrap() {
            assert_eq!(run["name"], "shape", "{doc}");
        }
    }
}
