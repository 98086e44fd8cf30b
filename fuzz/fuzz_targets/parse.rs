//! Every parser entry point of culprit-elf on arbitrary bytes: errors are fine,
//! panics, hangs and runaway allocations are not.
//!
//! ```text
//! cd fuzz && cargo fuzz run parse
//! ```
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = culprit_elf::parse_object(data, "fuzz.o");
    if let Ok(file) = culprit_elf::parse_file(data, "fuzz.a", None) {
        let _ = culprit_elf::find_duplicates(&file.objects);
        let _ = culprit_elf::diff_files(&file, &file);
    }
});
