//! What a test's QEMU command boots, read so that a labgrid place can boot the same:
//! the kernel, initrd, device tree and command line. The rest of the command (machine,
//! CPUs, memory) is the place's, in its environment file, as on a real board.

/// The artifacts and command line of one boot.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct BootArtifacts {
    pub kernel: String,
    pub initrd: Option<String>,
    pub dtb: Option<String>,
    pub append: Option<String>,
}

/// Reads `command` (a shell command line, its placeholders filled or not) as a
/// `qemu-system-*` invocation; the error says what is missing.
pub(crate) fn read_qemu_command(command: &str) -> Result<BootArtifacts, String> {
    let words = shlex::split(command).ok_or_else(|| {
        format!(
            "`{command}` is not a command line culprit can split into words (an unclosed quote?)"
        )
    })?;
    let mut words = words.iter().skip_while(|word| is_assignment(word));
    let program = words.next().map(String::as_str).unwrap_or("");
    let name = program.rsplit('/').next().unwrap_or(program);
    if !name.starts_with("qemu-system-") {
        return Err(format!(
            "`{command}` does not start QEMU (it runs `{program}`); give the test a qemu-system-* command"
        ));
    }
    let mut boot = BootArtifacts::default();
    let mut kernel = None;
    while let Some(word) = words.next() {
        let slot = match word.trim_start_matches('-') {
            "kernel" => &mut kernel,
            "initrd" => &mut boot.initrd,
            "dtb" => &mut boot.dtb,
            "append" => &mut boot.append,
            _ => continue,
        };
        *slot = words.next().cloned();
    }
    boot.kernel = kernel.ok_or_else(|| format!("`{command}` names no -kernel to boot"))?;
    Ok(boot)
}

/// `VAR=value` before the program.
fn is_assignment(word: &str) -> bool {
    word.split_once('=').is_some_and(|(name, _)| {
        !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_kernel_initrd_device_tree_and_command_line_are_read() {
        let boot = read_qemu_command(
            "QEMU_AUDIO_DRV=none qemu-system-aarch64 -M virt -kernel '/t ree/Image' -initrd {build}/rd.cpio -dtb x.dtb -append 'console=ttyAMA0 test=a b' -nographic",
        )
        .unwrap();
        assert_eq!(
            boot,
            BootArtifacts {
                kernel: "/t ree/Image".into(),
                initrd: Some("{build}/rd.cpio".into()),
                dtb: Some("x.dtb".into()),
                append: Some("console=ttyAMA0 test=a b".into()),
            }
        );
    }

    #[test]
    fn a_command_that_is_not_qemu_or_boots_no_kernel_is_refused() {
        let err = read_qemu_command("./boot.sh {tree}").unwrap_err();
        assert!(
            err.contains("does not start QEMU (it runs `./boot.sh`)"),
            "{err}"
        );
        let err = read_qemu_command("/usr/bin/qemu-system-x86_64 -hda disk.img").unwrap_err();
        assert!(err.contains("names no -kernel"), "{err}");
        let err = read_qemu_command("qemu-system-x86_64 -append 'open").unwrap_err();
        assert!(err.contains("unclosed quote"), "{err}");
    }
}
