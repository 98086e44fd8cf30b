//! A generated toyos history with the troubles real ones have: merges, an unbuildable
//! window, commits that crash in other ways, and one commit that makes boot hang.
//!
//! It is the test subject of commit bisection end to end and the first hunt of
//! `culprit demo` (modelled on seed 001). Everything is deterministic: the same size
//! gives the same commits, ids included, so tests can name what culprit must find.

use crate::{failed, Result, ToyosError};
use culprit_kconfig::{Config as DotConfig, Value};
use std::path::Path;
use std::process::Command;

/// Where the planted events sit, by commit id, for tests and the demo's story.
#[derive(Clone, Debug)]
pub struct History {
    /// The tag of the first, good commit.
    pub good: String,
    /// The last commit (`main`), which hangs.
    pub bad: String,
    /// The commit that turned on the options that make `smp_semaphore` hang; it sits
    /// inside the window that does not build, as the boot breakage of seed 001 did.
    pub culprit: String,
    /// Commits that do not build (a missing header), oldest first.
    pub unbuildable: Vec<String>,
    /// The commit that ended the window: it adds the missing header and nothing else,
    /// so it applies on top of every commit of the window.
    pub fix: String,
    /// Commits whose boots crash with a CPU exception, a different failure.
    pub crashing: Vec<String>,
    pub commits: usize,
}

/// Options the culprit commit turns on: the causes of the hang and the crash, an option
/// whose dependencies are not met, and harmless ones, as a real defconfig change does.
pub const CULPRIT_OPTIONS_ON: &[&str] = &[
    "SPINLOCK_VALIDATE",
    "CPU_MASK",
    "IPI",
    "IPI_BROADCAST",
    "LOG_LEVEL_DBG",
    "PRINT_BUILD_INFO",
    "PRINT_MEMORY_MAP",
    "SCHED_STATS",
    "MUTEX_STATS",
    "ZTEST_VERBOSE",
    "BIG_BUFFER",
];
pub const CULPRIT_OPTIONS_OFF: &[&str] = &[
    "SERIAL_FIFO",
    "PRINT_CMDLINE",
    "LOG_TIMESTAMPS",
    "ASSERT_VERBOSE",
    "THREAD_NAMES",
    "TSC_CALIBRATE_PIT",
    "ZTEST_SEPARATORS",
    "ZTEST_SUMMARY",
    "EXCEPTION_DUMP_CR",
    "EXCEPTION_DUMP_STACK",
];

pub(crate) const SUBJECTS: &[&str] = &[
    "sched: tidy the run queue walk",
    "console: flush the FIFO before the banner",
    "docs: describe the boot stages",
    "lib: shorter itoa",
    "timing: name the calibration constants",
    "smp: comment the trampoline layout",
    "idt: group the exception stubs",
    "ztest: align the summary columns",
    "lapic: spell out the ICR bits",
    "thread: rename the idle loop",
    "mutex: document the owner field",
    "sem: explain the give path",
];

/// One line per commit in `src/changelog*.c`, so each commit changes the kernel image.
fn changelog_source(symbol: &str, entries: &[String], include: Option<&str>) -> String {
    let mut text = String::from("/* Generated history: one entry per commit. */\n");
    if let Some(header) = include {
        text.push_str(&format!("#include <{header}>\n"));
    }
    text.push_str(&format!(
        "const char *const {symbol}[] __attribute__((used)) = {{\n"
    ));
    for entry in entries {
        text.push_str(&format!("    \"{}\",\n", entry.replace('"', "'")));
    }
    text.push_str("    0,\n};\n");
    text
}

pub(crate) struct Writer<'a> {
    pub(crate) dir: &'a Path,
    pub(crate) clock: u64,
}

impl Writer<'_> {
    pub(crate) fn git(&mut self, args: &[&str]) -> Result<String> {
        self.clock += 60;
        let date = format!("{} +0000", 1_767_225_600 + self.clock);
        let out = Command::new("git")
            .arg("-C")
            .arg(self.dir)
            .args([
                "-c",
                "user.name=Toy Developer",
                "-c",
                "user.email=toy@example.org",
            ])
            .args([
                "-c",
                "commit.gpgsign=false",
                "-c",
                "init.defaultBranch=main",
            ])
            .args(args)
            .env("GIT_AUTHOR_DATE", &date)
            .env("GIT_COMMITTER_DATE", &date)
            .output()
            .map_err(failed("cannot run git; install git"))?;
        if !out.status.success() {
            return Err(ToyosError::Message(format!(
                "git {} failed: {}",
                args.join(" "),
                String::from_utf8_lossy(&out.stderr).trim()
            )));
        }
        Ok(String::from_utf8_lossy(&out.stdout).trim().to_string())
    }

    pub(crate) fn write(&self, rel: &str, text: &str) -> Result<()> {
        let path = self.dir.join(rel);
        std::fs::write(&path, text).map_err(failed(format!("cannot write {}", path.display())))
    }

    fn commit(&mut self, subject: &str) -> Result<String> {
        self.git(&["add", "-A"])?;
        self.git(&["commit", "-q", "-m", subject])?;
        self.git(&["rev-parse", "HEAD"])
    }

    /// A commit on main: one more changelog entry (with the missing header while the
    /// header split is broken).
    pub(crate) fn main_commit(
        &mut self,
        log: &mut Vec<String>,
        subject: &str,
        broken_include: bool,
    ) -> Result<String> {
        log.push(subject.to_string());
        let include = broken_include.then_some("toyos/lib_types.h");
        self.write(
            "src/changelog.c",
            &changelog_source("toyos_changelog", log, include),
        )?;
        self.commit(subject)
    }

    pub(crate) fn set_options(&self, on: &[&str], off: &[&str]) -> Result<()> {
        let path = self.dir.join(".config");
        let bytes =
            std::fs::read(&path).map_err(failed(format!("cannot read {}", path.display())))?;
        let mut config = DotConfig::parse(&bytes, &path, None)?;
        for name in on {
            config.set(format!("CONFIG_{name}"), Value::Bool(true));
        }
        for name in off {
            config.set(format!("CONFIG_{name}"), Value::Unset);
        }
        config.write(&path)?;
        Ok(())
    }
}

/// Creates `dir` (which must not exist or be empty) as a toyos repository with about
/// `size` commits on `main` (at least 60).
pub fn generate(dir: &Path, size: usize) -> Result<History> {
    let size = size.max(60);
    crate::start_repository(dir)?;
    let mut w = Writer { dir, clock: 0 };
    let mut main_log: Vec<String> = Vec::new();
    w.git(&["init", "-q", "-b", "main"])?;
    w.write(
        "src/changelog.c",
        &changelog_source("toyos_changelog", &main_log, None),
    )?;
    w.commit("toyos: import v0.1")?;
    w.git(&["tag", "v0.1"])?;

    // Landmarks, as fractions of the history.
    let crash_at = size / 4;
    let crash_fixed = crash_at + 3;
    let window_at = size * 9 / 20;
    let window_fixed = window_at + 7;
    let culprit_at = window_at + 4;
    let late_crash_at = size * 4 / 5;
    let late_crash_fixed = late_crash_at + 2;
    let landmarks = [
        crash_at,
        crash_fixed,
        window_at,
        window_fixed,
        culprit_at,
        late_crash_at,
        late_crash_fixed,
    ];

    let mut history = History {
        good: "v0.1".into(),
        bad: String::new(),
        culprit: String::new(),
        unbuildable: Vec::new(),
        fix: String::new(),
        crashing: Vec::new(),
        commits: 1,
    };
    let mut broken_include = false;
    let mut crashing = false;
    let mut i = 1;
    let mut topic = 0;
    while i < size {
        // A topic branch merged every 25 commits, away from the landmarks' neighbourhood.
        let landmark_near = landmarks.iter().any(|&at| (i..i + 4).contains(&at));
        if i % 25 == 0 && !broken_include && !crashing && !landmark_near && i + 6 < size {
            topic += 1;
            let branch = format!("topic-{topic}");
            let file = format!("src/changelog_topic{topic}.c");
            let symbol = format!("toyos_topic{topic}");
            let base = w.git(&["rev-parse", "HEAD"])?;
            w.git(&["checkout", "-q", "-b", &branch, &base])?;
            let mut entries = Vec::new();
            for k in 0..3 {
                entries.push(format!("{branch}: part {k}"));
                w.write(&file, &changelog_source(&symbol, &entries, None))?;
                w.commit(&format!("{branch}: part {}", k + 1))?;
                history.commits += 1;
            }
            w.git(&["checkout", "-q", "main"])?;
            for _ in 0..2 {
                w.main_commit(&mut main_log, SUBJECTS[i % SUBJECTS.len()], broken_include)?;
                history.commits += 1;
                i += 1;
            }
            w.git(&[
                "merge",
                "-q",
                "--no-ff",
                "-m",
                &format!("Merge branch '{branch}'"),
                &branch,
            ])?;
            history.commits += 1;
            i += 1;
            continue;
        }
        let mut subject = SUBJECTS[i % SUBJECTS.len()].to_string();
        if i == crash_at || i == late_crash_at {
            w.set_options(&["EARLY_FAULT"], &[])?;
            subject = "defconfig: enable early fault diagnostics".into();
            crashing = true;
        } else if i == crash_fixed || i == late_crash_fixed {
            w.set_options(&[], &["EARLY_FAULT"])?;
            subject = "defconfig: drop early fault diagnostics again".into();
            crashing = false;
        } else if i == window_at {
            broken_include = true;
            subject = "lib: split toyos/lib.h into fast headers".into();
        } else if i == window_fixed {
            // Only the header: the changelog keeps including it, and the commit is a
            // fixup that applies anywhere in the window.
            broken_include = false;
            w.write(
                "include/toyos/lib_types.h",
                "/* Split out of lib.h. */\n#pragma once\n",
            )?;
            let id = w.commit("lib: add the lib_types.h the header split forgot")?;
            history.commits += 1;
            history.fix = id.clone();
            history.bad = id;
            i += 1;
            continue;
        } else if i == culprit_at {
            w.set_options(CULPRIT_OPTIONS_ON, CULPRIT_OPTIONS_OFF)?;
            subject = "defconfig: enable SMP validation, CPU masks and IPIs".into();
        }
        let id = w.main_commit(&mut main_log, &subject, broken_include)?;
        history.commits += 1;
        if broken_include {
            history.unbuildable.push(id.clone());
        }
        if crashing {
            history.crashing.push(id.clone());
        }
        if i == culprit_at {
            history.culprit = id.clone();
        }
        history.bad = id;
        i += 1;
    }
    Ok(history)
}
