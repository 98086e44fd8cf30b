//! Per-test-case results: what each case of a test suite did in one run.
//!
//! Three protocols are read as the log streams:
//!
//! - **KTAP/TAP** (KUnit, kselftest): `ok N name`, `not ok N name`, with `# SKIP`,
//!   `# TODO` and `# XFAIL` directives; subtests nest by indentation (four
//!   spaces a level), named by their `# Subtest: name` line or, failing that, by
//!   the parent's result line; a case is named `parent.child`. Only leaves are
//!   cases: a result line that closes a subtest is its suite's summary. A plan
//!   (`1..N`) that the results never reach leaves a case unfinished.
//! - **ztest** (Zephyr): `Running TESTSUITE suite`, `START - case`, `PASS|FAIL|SKIP
//!   - case in N seconds` (anything may come before the pattern: a log prefix, a
//!   timestamp), and the summary's ` - PASS - [suite.case] duration = ...`; a
//!   case is named `suite.case`.
//! - **LAVA test signals**: `<LAVA_SIGNAL_STARTTC name>`, `<LAVA_SIGNAL_ENDTC
//!   name>` and `<LAVA_SIGNAL_TESTCASE TEST_CASE_ID=name RESULT=pass|fail|skip|unknown>`
//!   anywhere in a line.
//!
//! A crash or hang between a case's start (`START - x`, `STARTTC x`, or an
//! unfinished KTAP plan) and its result blames that case: the run says which
//! case faulted, not only that the suite did.

use crate::normalize::body;
use crate::Signature;
use serde::{Deserialize, Serialize};

/// Cases kept per run: enough for the largest KUnit suites, and bounded so a
/// console that prints results in a loop cannot grow memory.
pub const MAX_CASES: usize = 4096;
/// Nesting levels of KTAP subtests followed; deeper ones are read as this deep.
const MAX_DEPTH: usize = 8;

/// What one test case did.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum CaseResult {
    Pass,
    Fail,
    Skip,
    /// `not ok ... # TODO`: a known failure, not counted against the run.
    Todo,
    /// `ok ... # XFAIL`: failed as expected.
    Xfail,
    /// A kernel or firmware crash happened while the case ran.
    Crash,
    /// The case started and the run ended (timeout, silence, exit) before its
    /// result.
    Hang,
}

impl CaseResult {
    pub fn as_str(self) -> &'static str {
        match self {
            CaseResult::Pass => "pass",
            CaseResult::Fail => "fail",
            CaseResult::Skip => "skip",
            CaseResult::Todo => "todo",
            CaseResult::Xfail => "xfail",
            CaseResult::Crash => "crash",
            CaseResult::Hang => "hang",
        }
    }

    /// Whether the case went wrong (a fail, a crash or a hang).
    pub fn is_failure(self) -> bool {
        matches!(
            self,
            CaseResult::Fail | CaseResult::Crash | CaseResult::Hang
        )
    }
}

/// One test case of a run.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Case {
    /// `suite.case` (ztest), `parent.child` (nested KTAP), the LAVA case id.
    pub name: String,
    pub result: CaseResult,
    /// The crash that happened while the case ran, if one did.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signature: Option<Signature>,
}

/// A case as recorded while the log streams: the signature is only an index
/// into the classifier's signatures, whose titles may still be completing.
struct Recorded {
    name: String,
    result: CaseResult,
    /// Signatures recorded before the case started (the first one after is
    /// blamed on it).
    since: usize,
    /// Signatures recorded when its result came (`None`: still running).
    until: Option<usize>,
}

/// One KTAP nesting level.
#[derive(Default, Clone)]
struct Level {
    /// From `# Subtest: name`.
    name: Option<String>,
    plan: Option<u32>,
    results: u32,
    /// Index in `cases` of the first case recorded at this level or below.
    first_case: usize,
    /// Signatures recorded when the level opened.
    since: usize,
    /// A result at this level was seen since it opened.
    open: bool,
}

/// The per-case reading of one run.
#[derive(Default)]
pub(crate) struct Cases {
    cases: Vec<Recorded>,
    /// ztest's current suite and running case.
    suite: Option<String>,
    running: Option<usize>,
    levels: Vec<Level>,
    /// Signatures recorded at the last KTAP line: a KTAP case prints its result
    /// after it ran, so a crash since that line happened inside it.
    ktap_since: usize,
}

/// The literals that make a line worth reading for cases.
pub(crate) const LITERALS: &[&str] = &[
    "ok ",
    "1..",
    "# Subtest:",
    "START - ",
    "PASS - ",
    "FAIL - ",
    "SKIP - ",
    "Running TESTSUITE",
    "<LAVA_SIGNAL_",
];

/// ztest's result words: a line with none of them is not a ztest result.
const ZTEST_RESULTS: &[&str] = &["PASS - ", "FAIL - ", "SKIP - "];

/// How every KTAP line that [`Cases::ktap`] reads starts; the literal `ok ` also
/// flags the many lines that merely hold `lock ` or `block `, and those must not
/// pay for its patterns.
const KTAP_STARTS: &[&str] = &["# Subtest: ", "1..", "ok ", "not ok ", "# ok ", "# not ok "];

impl Cases {
    /// Reads one line; `signatures`: how many signatures were recorded so far.
    pub(crate) fn line(&mut self, line: &str, signatures: usize) {
        let text = body(line);
        let holds_result = ZTEST_RESULTS.iter().any(|r| text.contains(r));
        if let Some(i) = text.find("<LAVA_SIGNAL_") {
            self.lava(&text[i..], signatures);
        } else if let Some(c) = text
            .contains("Running TESTSUITE ")
            .then(|| regex!(r"Running TESTSUITE (\S+)").captures(text))
            .flatten()
        {
            self.suite = Some(c[1].to_string());
        } else if let Some(c) = text
            .contains("START - ")
            .then(|| regex!(r"(?:^|\s|:)START - (\S+)\s*$").captures(text))
            .flatten()
        {
            let name = self.ztest_name(&c[1]);
            self.running = self.start(name, signatures);
        } else if let Some(c) = holds_result
            .then(|| regex!(r"- (PASS|FAIL|SKIP) - \[([^\]]+)\]").captures(text))
            .flatten()
        {
            if !self.cases.iter().any(|k| k.name == c[2]) {
                let name = c[2].to_string();
                let at = self.start(name, signatures);
                self.finish_case(at, ztest_result(&c[1]), signatures);
            }
        } else if let Some(c) = holds_result
            .then(|| {
                regex!(r"(?:^|\s|:)(PASS|FAIL|SKIP) - (\S+?)(?: in [\d.]+ seconds)?\s*$")
                    .captures(text)
            })
            .flatten()
        {
            let name = self.ztest_name(&c[2]);
            let at = match self.running.take() {
                Some(at) if self.cases[at].name == name => Some(at),
                _ => self.start(name, signatures),
            };
            self.finish_case(at, ztest_result(&c[1]), signatures);
        } else {
            self.ktap(line, text, signatures);
        }
    }

    fn ztest_name(&self, case: &str) -> String {
        match &self.suite {
            Some(suite) => format!("{suite}.{case}"),
            None => case.to_string(),
        }
    }

    fn start(&mut self, name: String, signatures: usize) -> Option<usize> {
        if self.cases.len() >= MAX_CASES {
            return None;
        }
        self.cases.push(Recorded {
            name,
            result: CaseResult::Hang,
            since: signatures,
            until: None,
        });
        Some(self.cases.len() - 1)
    }

    fn finish_case(&mut self, at: Option<usize>, result: CaseResult, signatures: usize) {
        if let Some(case) = at.and_then(|at| self.cases.get_mut(at)) {
            case.result = result;
            case.until = Some(signatures);
        }
    }

    fn lava(&mut self, signal: &str, signatures: usize) {
        if let Some(c) = regex!(r"^<LAVA_SIGNAL_STARTTC ([^>\s]+)>").captures(signal) {
            let name = c[1].to_string();
            self.running = self.start(name, signatures);
        } else if let Some(c) =
            regex!(r"^<LAVA_SIGNAL_TESTCASE TEST_CASE_ID=(\S+?) RESULT=(\w+)").captures(signal)
        {
            let result = match &c[2] {
                "pass" => CaseResult::Pass,
                "skip" => CaseResult::Skip,
                _ => CaseResult::Fail,
            };
            let at = match self.running.take() {
                Some(at) if self.cases[at].name == c[1] => Some(at),
                running => {
                    self.running = running;
                    self.start(c[1].to_string(), signatures)
                }
            };
            self.finish_case(at, result, signatures);
        } else if regex!(r"^<LAVA_SIGNAL_ENDTC ").is_match(signal) {
            // A case that ended without a TESTCASE signal has no result of its own.
            if let Some(at) = self.running.take() {
                self.finish_case(Some(at), CaseResult::Skip, signatures);
            }
        }
    }

    fn ktap(&mut self, line: &str, text: &str, signatures: usize) {
        if !KTAP_STARTS.iter().any(|start| text.starts_with(start)) {
            return;
        }
        let depth = indentation(line, text) / 4;
        let depth = depth.min(MAX_DEPTH - 1);
        if let Some(c) = regex!(r"^# Subtest: (.+?)\s*$").captures(text) {
            let level = self.level(depth, signatures);
            level.name = Some(c[1].to_string());
            self.ktap_since = signatures;
            return;
        }
        if let Some(c) = regex!(r"^1\.\.(\d+)\s*(?:#.*)?$").captures(text) {
            let planned = c[1].parse().ok();
            self.level(depth, signatures).plan = planned;
            return;
        }
        let Some(c) = regex!(
            r"^(?:# )?(not ok|ok) \d+(?:\s+-)?\s*(?P<name>[^#]*?)\s*(?:#\s*(?P<directive>.*))?$"
        )
        .captures(text) else {
            return;
        };
        let passed = &c[1] == "ok";
        let directive = c
            .name("directive")
            .map_or(String::new(), |d| d.as_str().to_ascii_uppercase());
        let result = match (passed, directive.as_str()) {
            (_, d) if d.starts_with("SKIP") => CaseResult::Skip,
            (false, d) if d.starts_with("TODO") => CaseResult::Todo,
            (true, d) if d.starts_with("XFAIL") => CaseResult::Xfail,
            (true, _) => CaseResult::Pass,
            (false, _) => CaseResult::Fail,
        };
        let name = c.name("name").map_or("", |m| m.as_str()).to_string();
        self.level(depth, signatures).results += 1;
        // A result line at this depth closes a subtest one level deeper.
        let closes = self.levels.get(depth + 1).filter(|l| l.open).cloned();
        if let Some(child) = closes {
            // Children named before their parent was: prefix them now.
            if child.name.is_none() {
                let prefix = self.path(depth, &name);
                for case in &mut self.cases[child.first_case..] {
                    case.name = format!("{prefix}.{}", case.name);
                }
            }
            self.levels.truncate(depth + 1);
            return;
        }
        let name = self.path(depth, &name);
        let at = self.start(name, self.ktap_since);
        self.finish_case(at, result, signatures);
        self.ktap_since = signatures;
    }

    /// The level at `depth`, opening it (and any between) if needed.
    fn level(&mut self, depth: usize, signatures: usize) -> &mut Level {
        let first_case = self.cases.len();
        while self.levels.len() <= depth {
            self.levels.push(Level {
                first_case,
                since: signatures,
                ..Level::default()
            });
        }
        let level = &mut self.levels[depth];
        level.open = true;
        level
    }

    /// `parent.child` for a case at `depth` named `name`.
    fn path(&self, depth: usize, name: &str) -> String {
        let mut parts: Vec<&str> = self.levels[1..=depth.min(self.levels.len().saturating_sub(1))]
            .iter()
            .filter_map(|l| l.name.as_deref())
            .collect();
        parts.push(name);
        parts.join(".")
    }

    /// The cases, once the log has ended. `signatures`: the run's signatures in
    /// the order recorded (with their final titles) and whether each is a crash
    /// rather than a test failure.
    pub(crate) fn finish(&self, signatures: &[(Signature, bool)]) -> Vec<Case> {
        let crash_in = |since: usize, until: Option<usize>| {
            let until = until.unwrap_or(usize::MAX).min(signatures.len());
            signatures
                .get(since..until)
                .and_then(|s| s.iter().find(|(_, crash)| *crash))
                .map(|(sig, _)| sig.clone())
        };
        let mut cases: Vec<Case> = self
            .cases
            .iter()
            .map(|case| {
                let signature = crash_in(case.since, case.until);
                let result = match (case.until, &signature) {
                    (None, Some(_)) => CaseResult::Crash,
                    _ => case.result,
                };
                Case {
                    name: case.name.clone(),
                    result,
                    signature,
                }
            })
            .collect();
        // A plan the results never reached: the suite stopped inside a case of
        // the innermost unfinished subtest.
        for (depth, level) in self.levels.iter().enumerate().rev() {
            let Some(planned) = level.plan else { continue };
            if level.results >= planned || cases.len() >= MAX_CASES {
                continue;
            }
            let name = self.path(depth, &format!("case {}", level.results + 1));
            let signature = crash_in(level.since, None);
            let result = match signature {
                Some(_) => CaseResult::Crash,
                None => CaseResult::Hang,
            };
            cases.push(Case {
                name,
                result,
                signature,
            });
            break;
        }
        cases
    }
}

fn ztest_result(word: &str) -> CaseResult {
    match word {
        "PASS" => CaseResult::Pass,
        "SKIP" => CaseResult::Skip,
        _ => CaseResult::Fail,
    }
}

/// Spaces between the printk prefix (`[    1.2] `) and a line's message.
fn indentation(line: &str, text: &str) -> usize {
    let prefix = &line[..line.len() - text.len() - trailing(line)];
    let after_stamp = prefix.rfind([']', '>']).map_or(prefix, |at| {
        let rest = &prefix[at + 1..];
        rest.strip_prefix(' ').unwrap_or(rest)
    });
    after_stamp.chars().rev().take_while(|c| *c == ' ').count()
        + 4 * after_stamp.chars().rev().take_while(|c| *c == '\t').count()
}

fn trailing(line: &str) -> usize {
    line.len() - line.trim_end().len()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::SignatureKind;

    fn read(log: &str, crashes_after: &[&str]) -> Vec<Case> {
        let mut cases = Cases::default();
        let mut signatures = Vec::new();
        for line in log.lines() {
            cases.line(line, signatures.len());
            if crashes_after.contains(&line.trim()) {
                signatures.push((Signature::new(SignatureKind::Fault, "USAGE FAULT"), true));
            }
        }
        cases.finish(&signatures)
    }

    fn results(cases: &[Case]) -> Vec<(String, CaseResult)> {
        cases.iter().map(|c| (c.name.clone(), c.result)).collect()
    }

    fn r(name: &str, result: CaseResult) -> (String, CaseResult) {
        (name.to_string(), result)
    }

    #[test]
    fn ktap_nested_with_directives() {
        let log = "KTAP version 1
1..2
    KTAP version 1
    # Subtest: example
    1..4
    ok 1 example_simple_test
    ok 2 example_skip_test # SKIP this test should be skipped
    not ok 3 example_todo # TODO later
    not ok 4 example_fail_test
# example: pass:1 fail:1 skip:1 total:4
not ok 1 example
ok 2 standalone # XFAIL known
";
        use CaseResult::*;
        assert_eq!(
            results(&read(log, &[])),
            [
                r("example.example_simple_test", Pass),
                r("example.example_skip_test", Skip),
                r("example.example_todo", Todo),
                r("example.example_fail_test", Fail),
                r("standalone", Xfail),
            ]
        );
    }

    #[test]
    fn ktap_children_named_by_the_parent_result_and_printk_prefixes() {
        let log = "[    1.000000] TAP version 14
[    1.000001] 1..1
[    1.000002]     1..2
[    1.000003]     ok 1 - first
[    1.000004]     not ok 2 - second
[    1.000005] not ok 1 - outer
";
        use CaseResult::*;
        assert_eq!(
            results(&read(log, &[])),
            [r("outer.first", Pass), r("outer.second", Fail)]
        );
    }

    /// A crash inside a KTAP suite lands on the case it hit, and only there.
    #[test]
    fn a_crash_inside_a_ktap_suite_blames_the_case_it_hit() {
        const CRASH: &str = "BUG: kernel NULL pointer dereference, address: 0000000000000000";
        use CaseResult::*;
        for (why, log, want) in [
            (
                "a plan cut short by the crash: the next case, by its number",
                "KTAP version 1
1..1
    # Subtest: mm
    1..3
    ok 1 alloc
    BUG: kernel NULL pointer dereference, address: 0000000000000000
",
                [r("mm.alloc", Pass), r("mm.case 2", Crash)],
            ),
            (
                "a KUnit case that faulted and reported its failure carries the crash",
                "KTAP version 1
1..1
    # Subtest: demo
    1..2
    ok 1 case_x
BUG: kernel NULL pointer dereference, address: 0000000000000000
    # case_y: try faulted: last line seen lib/demo_test.c:40
    not ok 2 case_y
not ok 1 demo
",
                [r("demo.case_x", Pass), r("demo.case_y", Fail)],
            ),
        ] {
            let cases = read(log, &[CRASH]);
            assert_eq!(results(&cases), want, "{why}");
            assert!(cases[1].signature.is_some(), "{why}");
            assert!(cases[0].signature.is_none(), "{why}");
        }
    }

    #[test]
    fn ztest_all_forms_and_the_crashed_case() {
        let log = "*** Booting Zephyr OS build v3.7.0 ***
Running TESTSUITE mutex_api
===================================================================
START - test_mutex_lock_unlock
 PASS - test_mutex_lock_unlock in 0.011 seconds
===================================================================
START - test_mutex_timeout
[00:00:01.000,000] <inf> test: FAIL - test_mutex_timeout in 0.520 seconds
START - test_skipped
 SKIP - test_skipped in 0.000 seconds
START - test_complex_inversion
E: ***** USAGE FAULT *****
";
        let cases = read(log, &["E: ***** USAGE FAULT *****"]);
        use CaseResult::*;
        assert_eq!(
            results(&cases),
            [
                r("mutex_api.test_mutex_lock_unlock", Pass),
                r("mutex_api.test_mutex_timeout", Fail),
                r("mutex_api.test_skipped", Skip),
                r("mutex_api.test_complex_inversion", Crash),
            ]
        );
        assert_eq!(
            cases[3].signature.as_ref().map(|s| s.title.as_str()),
            Some("USAGE FAULT")
        );
        assert_eq!(cases[1].signature, None);
    }

    #[test]
    fn ztest_summary_lines_fill_in_cases_only_once() {
        let log = "Running TESTSUITE sem
START - test_give
 PASS - test_give in 0.001 seconds
 - PASS - [sem.test_give] duration = 0.001 seconds
 - FAIL - [sem.test_take] duration = 0.100 seconds
";
        use CaseResult::*;
        assert_eq!(
            results(&read(log, &[])),
            [r("sem.test_give", Pass), r("sem.test_take", Fail)]
        );
    }

    #[test]
    fn an_unfinished_case_without_a_crash_hung() {
        let log = "Running TESTSUITE smp\nSTART - test_smp_coop_threads\n";
        assert_eq!(
            results(&read(log, &[])),
            [r("smp.test_smp_coop_threads", CaseResult::Hang)]
        );
    }

    #[test]
    fn lava_signals_anywhere_in_a_line() {
        let log = "+ <LAVA_SIGNAL_STARTTC boot-smoke>
<LAVA_SIGNAL_TESTCASE TEST_CASE_ID=boot-smoke RESULT=pass>
noise <LAVA_SIGNAL_TESTCASE TEST_CASE_ID=net-ping RESULT=fail MEASUREMENT=0 UNITS=ms>
<LAVA_SIGNAL_TESTCASE TEST_CASE_ID=usb RESULT=skip>
<LAVA_SIGNAL_STARTTC stress>
Kernel panic - not syncing: Fatal exception
";
        let cases = read(log, &["Kernel panic - not syncing: Fatal exception"]);
        use CaseResult::*;
        assert_eq!(
            results(&cases),
            [
                r("boot-smoke", Pass),
                r("net-ping", Fail),
                r("usb", Skip),
                r("stress", Crash)
            ]
        );
    }

    #[test]
    fn the_case_cap_bounds_memory() {
        let log: String = (0..MAX_CASES + 100)
            .map(|i| format!("ok {i} case_{i}\n"))
            .collect();
        assert_eq!(read(&log, &[]).len(), MAX_CASES);
    }
}
