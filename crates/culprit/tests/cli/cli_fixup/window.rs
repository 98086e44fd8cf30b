//! The history every fixup test hunts in, kept apart from the tests so that each test file
//! reads as what it checks: a window of commits that does not build (a header split
//! whose fix came later) right before the first commit that builds again, with the
//! culprit hidden in the window, and two side commits that are bad fixups.

use crate::common::{boot_test, commit_all, git, write_file};
use std::path::Path;

/// The window's first commit (the header split), its culprit, and the fix after it.
pub const SPLIT: usize = 20;
pub const CULPRIT: usize = 24;
pub const FIX: usize = 27;
const COMMITS: usize = 36;

/// The history's culprit.toml: `build.sh` builds, and the boot hangs where `hang` exists.
pub fn toml() -> String {
    let boot = boot_test(
        "boot",
        "echo 'Linux version 6.1'; echo 'Run /init as init process'; if [ -f hang ]; then sleep 30; else echo BOOT-OK; fi",
        "timeout = \"20s\"\nsilence = \"1s\"\n",
    );
    format!("[build]\ncommand = \"sh build.sh\"\n\n{boot}")
}

/// The build: `lib.c`'s first include must exist under `include/`, as a compiler says.
const BUILD: &str = r#"inc=$(sed -n 's/^#include "\(.*\)"$/\1/p' lib.c | head -n 1)
if [ ! -f "include/$inc" ]; then
    echo "lib.c:1:10: fatal error: $inc: No such file or directory"
    exit 1
fi
echo built
"#;

/// The ids of the window history, to read the hunt's answers as commit numbers.
pub struct History {
    /// Commit ids, oldest first: `ids[i - 1]` is commit `i`.
    pub ids: Vec<String>,
    /// Commits off the main line in the range (numbered 0).
    pub extra: Vec<String>,
    /// A commit off the main line that applies cleanly but does not fix the build.
    pub no_cure: String,
    /// A commit off the main line that conflicts with the window's later commits.
    pub conflicting: String,
}

impl History {
    pub fn number(&self, rev: &str) -> usize {
        if self.extra.iter().any(|id| id == rev) {
            return 0;
        }
        self.ids.iter().position(|id| id == rev).unwrap() + 1
    }
}

/// Commit `i` adds `changes/i` (so that no two commits touch the same lines). Commit
/// SPLIT renames `include/types.h` to `include/lib_types.h` and leaves `lib.c` including
/// the old name, so nothing builds until FIX updates the include; CULPRIT, inside that
/// window, makes boot hang. With `fix_merged`, the fix arrives as the merge of a branch
/// (forked before the split) instead, and a merge cannot be picked onto the window.
pub fn window_history(dir: &Path, fix_merged: bool) -> History {
    git(dir, &["init", "-q", "-b", "main"]);
    write_file(dir, "culprit.toml", toml());
    write_file(dir, ".gitignore", ".culprit/\n");
    write_file(dir, "build.sh", BUILD);
    write_file(dir, "include/types.h", "typedef int word;\n");
    write_file(dir, "lib.c", "#include \"types.h\"\nint lib;\n");
    write_file(dir, "README", "toyos\n");
    let mut ids = Vec::new();
    let mut side_base = String::new();
    let mut extra = Vec::new();
    for i in 1..=COMMITS {
        write_file(dir, &format!("changes/{i}"), format!("{i}\n"));
        let mut subject = format!("commit {i}");
        if i == SPLIT {
            git(dir, &["mv", "include/types.h", "include/lib_types.h"]);
            subject = "lib: split types.h into fast headers".into();
        }
        if i == SPLIT + 2 {
            write_file(dir, "README", "toyos, with fast headers\n");
        }
        if i == CULPRIT {
            write_file(dir, "hang", "\n");
            subject = "init: wait for the secondary CPUs".into();
        }
        if i == FIX && fix_merged {
            git(dir, &["checkout", "-q", "-b", "fix", &side_base]);
            write_file(dir, "lib.c", "#include \"lib_types.h\"\nint lib;\n");
            let branch = commit_all(
                dir,
                "lib: include lib_types.h, as the header split will need",
            );
            git(dir, &["checkout", "-q", "main"]);
            git(
                dir,
                &["merge", "-q", "--no-ff", "-m", "Merge branch 'fix'", "fix"],
            );
            ids.push(git(dir, &["rev-parse", "HEAD"]));
            extra.push(branch);
            continue;
        }
        if i == FIX {
            let text = std::fs::read_to_string(dir.join("lib.c")).unwrap();
            write_file(
                dir,
                "lib.c",
                text.replace("#include \"types.h\"", "#include \"lib_types.h\""),
            );
            subject = "lib: include lib_types.h, which the header split forgot".into();
        }
        ids.push(commit_all(dir, &subject));
        if i == SPLIT - 1 {
            side_base = ids[i - 1].clone();
        }
    }
    git(dir, &["checkout", "-q", "-b", "side", &side_base]);
    write_file(dir, "docs/notes.txt", "unrelated\n");
    let no_cure = commit_all(dir, "docs: notes");
    git(dir, &["checkout", "-q", "-b", "other", &side_base]);
    write_file(dir, "README", "toyos, other edition\n");
    let conflicting = commit_all(dir, "README: other edition");
    git(dir, &["checkout", "-q", "main"]);
    History {
        ids,
        extra,
        no_cure,
        conflicting,
    }
}
