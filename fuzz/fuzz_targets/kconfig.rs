//! culprit-kconfig's Kconfig parser and evaluator, and its `.config` reader, on
//! arbitrary bytes: errors are fine, panics, hangs and runaway allocations are not.
//!
//! ```text
//! cd fuzz && cargo fuzz run kconfig
//! ```
#![no_main]

use std::collections::HashMap;
use std::path::Path;

use culprit_kconfig::kconfig::{Input, Kconfig, LoadOptions, Shell};
use libfuzzer_sys::fuzz_target;

/// `$(shell,…)` answers with its command, so the input cannot run anything.
struct EchoShell;

impl Shell for EchoShell {
    fn run(&mut self, command: &str) -> Result<String, String> {
        Ok(command.to_owned())
    }
}

fuzz_target!(|data: &[u8]| {
    let Ok(dir) = tempfile::tempdir() else {
        return;
    };
    if std::fs::write(dir.path().join("Kconfig"), data).is_err() {
        return;
    }
    let options = LoadOptions {
        srctree: dir.path().to_owned(),
        env: HashMap::new(),
    };
    let mut input = Input::default();
    let _ = input.parse(&String::from_utf8_lossy(data), "fuzz.config", false);
    if let Ok(kconfig) = Kconfig::load(Path::new("Kconfig"), &options, &mut EchoShell) {
        let mut evaluation = kconfig.olddefconfig(&input);
        let _ = evaluation.unapplied();
    }
});
