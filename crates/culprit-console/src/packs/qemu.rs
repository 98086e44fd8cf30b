//! QEMU's own failures: a missing kernel image, a bad option, no KVM. They say
//! nothing about the candidate under test, so they are infrastructure errors.
//! `terminating on signal 15 from pid N` is only the runner stopping QEMU.

use super::{Effect, Rule};
use regex::Regex;
use std::sync::LazyLock;

pub(crate) fn rules() -> Vec<Rule> {
    vec![Rule::new(
        &["qemu-system-", "qemu: ", "qemu-"],
        Effect::Infra(infra),
    )]
}

static QEMU_LINE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(qemu(?:-system-[\w-]+|-\w+)?): (.+)$").expect("built-in pattern")
});

/// Lower-case phrases of QEMU error messages that stop it from running a guest.
const FATAL: &[&str] = &[
    "could not load",
    "could not open",
    "invalid option",
    "unsupported machine type",
    "cannot load",
    "failed to initialize kvm",
    "could not access kvm",
    "no such file or directory",
    "permission denied",
    "invalid accelerator",
    "unable to",
    "failed to",
];

fn infra(body: &str) -> Option<String> {
    let c = QEMU_LINE.captures(body)?;
    let message = c[2].to_ascii_lowercase();
    if message.starts_with("terminating on signal") || message.starts_with("warning") {
        return None;
    }
    FATAL
        .iter()
        .any(|p| message.contains(p))
        .then(|| body.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn qemu_startup_failures() {
        for line in [
            "qemu-system-x86_64: could not load kernel 'vmlinuz': No such file or directory",
            "qemu-system-x86_64: -drive file=disk.img: Could not open 'disk.img': No such file or directory",
            "qemu-system-x86_64: -foo: invalid option",
            "qemu-system-arm: -machine bogus: unsupported machine type",
            "qemu-system-i386: Cannot load x86-64 image, give a 32bit one.",
            "qemu-system-x86_64: failed to initialize kvm: Permission denied",
            "qemu-system-x86_64: Could not access KVM kernel module: No such file or directory",
        ] {
            assert_eq!(infra(line).as_deref(), Some(line));
        }
    }

    #[test]
    fn runner_stop_and_warnings_are_not_infra_errors() {
        assert_eq!(
            infra("qemu-system-x86_64: terminating on signal 15 from pid 30917 (timeout)"),
            None
        );
        assert_eq!(
            infra("qemu-system-aarch64: terminating on signal 15 from pid 690472 (timeout)"),
            None
        );
        assert_eq!(infra("qemu-system-x86_64: warning: host doesn't support requested feature: CPUID.01H:ECX.vmx [bit 5]"), None);
        assert_eq!(infra("[    0.1] Hypervisor detected: KVM"), None);
    }
}
