//! culprit-kconfig's tests in one binary: the Kconfig language, fragments and diffs, and
//! agreement with kconfiglib and Linux's own conf on real trees; `common` holds the helpers.

mod common;
mod diff_apply;
mod fragments;
mod kconfig_language;
mod kconfiglib_agreement;
mod linux_agreement;
mod roundtrip;
