//! Git operations against real repositories made in a temporary directory.

use crate::common::sh as shell;

use culprit_exec::git::{GitError, Repo};
use shell::sh;

fn repo_with_history() -> (tempfile::TempDir, Repo) {
    let dir = tempfile::tempdir().unwrap();
    sh(
        dir.path(),
        "git init -q -b main . && echo 1 > f && git add f && git commit -qm one && \
         git checkout -qb side && echo s > s && git add s && git commit -qm side && \
         git checkout -q main && echo 2 > f && git commit -qam two && \
         git merge -q --no-edit side && git tag merged",
    );
    let repo = Repo::discover(dir.path()).unwrap();
    (dir, repo)
}

#[test]
fn resolves_lists_and_describes_commits() {
    let (_dir, repo) = repo_with_history();
    let head = repo.resolve("HEAD").unwrap();
    assert_eq!(head.len(), 40);
    let first = repo.resolve("HEAD~1").unwrap();
    let root = repo.resolve("main~2").unwrap();
    let list = repo
        .rev_list_parents(&head, std::slice::from_ref(&root), false)
        .unwrap();
    assert_eq!(list.len(), 3, "merge, two, side");
    let merge = list.iter().find(|(id, _)| *id == head).unwrap();
    assert_eq!(merge.1.len(), 2);
    assert_eq!(
        repo.rev_list_parents(&head, &[root], true).unwrap().len(),
        2
    );
    assert!(repo.is_ancestor(&first, &head).unwrap());
    assert!(!repo.is_ancestor(&head, &first).unwrap());
    let info = repo.commit_info(&first).unwrap();
    assert_eq!(info.subject, "two");
    assert_eq!(info.author, "Ada <ada@example.org>");
    assert_ne!(repo.tree_id(&head).unwrap(), repo.tree_id(&first).unwrap());
}

#[test]
fn unknown_revisions_and_non_repositories_are_clear_errors() {
    let (_dir, repo) = repo_with_history();
    match repo.resolve("no-such-rev") {
        Err(GitError::UnknownRevision { rev, .. }) => assert_eq!(rev, "no-such-rev"),
        other => panic!("expected UnknownRevision, got {other:?}"),
    }
    let plain = tempfile::tempdir().unwrap();
    assert!(matches!(
        Repo::discover(plain.path()),
        Err(GitError::NotARepo { .. })
    ));
}

#[test]
fn worktrees_follow_commits_and_drop_build_products() {
    let (dir, repo) = repo_with_history();
    let wt = dir.path().join("wt");
    let first = repo.resolve("main~2").unwrap();
    repo.add_worktree(&wt, &first).unwrap();
    assert_eq!(std::fs::read_to_string(wt.join("f")).unwrap(), "1\n");
    std::fs::write(wt.join("build.o"), "stale").unwrap();
    repo.checkout_worktree(&wt, "merged").unwrap();
    assert_eq!(std::fs::read_to_string(wt.join("f")).unwrap(), "2\n");
    assert!(wt.join("s").exists());
    assert!(
        !wt.join("build.o").exists(),
        "git clean removed build products"
    );
    repo.remove_worktree(&wt).unwrap();
    assert!(!wt.exists());
}

#[test]
fn dirty_files_lists_uncommitted_changes() {
    let (dir, repo) = repo_with_history();
    assert!(repo.dirty_files().unwrap().is_empty());
    std::fs::write(dir.path().join("f"), "changed").unwrap();
    assert_eq!(repo.dirty_files().unwrap().len(), 1);
}
