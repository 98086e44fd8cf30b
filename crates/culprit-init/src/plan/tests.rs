use super::*;

const LINUX_MAKEFILE: &str =
    "# SPDX-License-Identifier: GPL-2.0\nVERSION = 6\nPATCHLEVEL = 1\nSUBLEVEL = 0\n";

/// Asserts that `text` holds each of `parts`.
fn assert_holds(text: &str, parts: &[&str]) {
    for part in parts {
        assert!(text.contains(part), "no {part:?} in {text}");
    }
}

fn linux_probe() -> Probe {
    Probe {
        home: PathBuf::from("/src/my linux"),
        makefile: Some(LINUX_MAKEFILE.into()),
        kconfig_and_init: true,
        host_arch: "x86_64".into(),
        jobs: 2,
        ..Probe::default()
    }
}

fn linux(plan: &Plan) -> &LinuxPlan {
    match &plan.layout {
        Layout::Linux(linux) => linux,
        other => panic!("not Linux: {other:?}"),
    }
}

fn parsed(plan: &Plan) -> toml::Table {
    plan.toml
        .parse()
        .unwrap_or_else(|e| panic!("{e}\n{}", plan.toml))
}

fn test_command(plan: &Plan) -> String {
    parsed(plan)["test"][0]["command"]
        .as_str()
        .unwrap()
        .to_string()
}

#[test]
fn a_native_linux_tree_builds_out_of_tree_and_boots_the_pc() {
    let plan = plan(&linux_probe()).unwrap();
    let linux = linux(&plan);
    assert_eq!(linux.arch.name, "x86_64");
    assert_eq!(
        linux.make_vars,
        ["ARCH=x86_64", "LOCALVERSION="],
        "no cross compiler, no cache"
    );
    assert_eq!(linux.init_cc, ["gcc"]);
    let table = parsed(&plan);
    assert_eq!(
        table["build"]["command"].as_str().unwrap(),
        "KBUILD_BUILD_TIMESTAMP=@0 KBUILD_BUILD_USER=culprit KBUILD_BUILD_HOST=culprit KBUILD_BUILD_VERSION=1 make -C {tree} O={build} ARCH=x86_64 LOCALVERSION= -j2 bzImage"
    );
    assert_eq!(
        table["build"]["artifacts"][0].as_str().unwrap(),
        "{build}/arch/x86/boot/bzImage"
    );
    assert_eq!(table["config"]["file"].as_str().unwrap(), "{build}/.config");
    assert_eq!(table["config"]["base"].as_str().unwrap(), BASE_CONFIG_FILE);
    let qemu = test_command(&plan);
    assert!(qemu.starts_with("qemu-system-x86_64 -m 256"), "{qemu}");
    assert_holds(
        &qemu,
        &[
            // The path quoted for the shell.
            "-initrd '/src/my linux/culprit-initramfs.cpio'",
            "console=ttyS0 panic=-1",
        ],
    );
    assert_eq!(
        table["test"][0]["success"][0].as_str().unwrap(),
        SUCCESS_MARKER
    );
    assert!(plan.guesses[0].contains("the host's"), "{:?}", plan.guesses);
}

#[test]
fn the_tiny_base_has_the_console_and_initramfs_options_of_its_arch() {
    let options = match &linux(&plan(&linux_probe()).unwrap()).base {
        BaseConfig::Tiny(options) => options.clone(),
        other => panic!("{other:?}"),
    };
    for wanted in [
        "CONFIG_BLK_DEV_INITRD=y",
        "CONFIG_SERIAL_8250_CONSOLE=y",
        "CONFIG_BINFMT_ELF=y",
    ] {
        assert!(
            options.iter().any(|o| o == wanted),
            "{wanted} in {options:?}"
        );
    }
    let arm64 = boot_options(arch_named("aarch64").unwrap());
    assert!(arm64
        .iter()
        .any(|o| o == "CONFIG_SERIAL_AMBA_PL011_CONSOLE=y"));
    assert!(!arm64.iter().any(|o| o.contains("8250")));
}

#[test]
fn arch_comes_from_arch_then_the_config_then_the_host() {
    let mut probe = linux_probe();
    probe.dot_config = Some("# Linux/arm64 6.1.0 Kernel Configuration\nCONFIG_ARM64=y\n".into());
    let plan_arm = plan(&probe).unwrap();
    let arm = linux(&plan_arm);
    assert_eq!(arm.arch.name, "arm64");
    assert_eq!(arm.base, BaseConfig::TreeConfig);
    assert_eq!(
        arm.make_vars,
        [
            "ARCH=arm64",
            "CROSS_COMPILE=aarch64-linux-gnu-",
            "LOCALVERSION="
        ]
    );
    assert_eq!(arm.init_cc, ["aarch64-linux-gnu-gcc"]);
    assert!(plan_arm.guesses[0].contains(".config"));
    let qemu = test_command(&plan_arm);
    assert!(
        qemu.starts_with("qemu-system-aarch64 -M virt -cpu cortex-a57 "),
        "{qemu}"
    );
    assert_holds(
        &qemu,
        &["-kernel {build}/arch/arm64/boot/Image", "console=ttyAMA0"],
    );

    probe.env.insert("ARCH".into(), "riscv".into());
    assert_eq!(linux(&plan(&probe).unwrap()).arch.name, "riscv64");
    probe.requested_arch = Some("arm".into());
    assert_eq!(linux(&plan(&probe).unwrap()).arch.name, "arm");
    probe.requested_arch = Some("sparc".into());
    assert_eq!(
        plan(&probe).unwrap_err(),
        PlanError::UnknownArch("sparc".into())
    );
}

#[test]
fn cross_compile_and_llvm_from_the_environment_win() {
    let mut probe = linux_probe();
    probe.requested_arch = Some("arm64".into());
    probe.env.insert(
        "CROSS_COMPILE".into(),
        "/opt/gcc/bin/aarch64-none-linux-gnu-".into(),
    );
    let cross = linux(&plan(&probe).unwrap()).clone();
    assert_eq!(cross.init_cc, ["/opt/gcc/bin/aarch64-none-linux-gnu-gcc"]);
    assert!(cross
        .make_vars
        .contains(&"CROSS_COMPILE=/opt/gcc/bin/aarch64-none-linux-gnu-".to_string()));
    probe.env.insert("LLVM".into(), "1".into());
    let llvm = linux(&plan(&probe).unwrap()).clone();
    assert_eq!(llvm.make_vars, ["ARCH=arm64", "LLVM=1", "LOCALVERSION="]);
    assert_eq!(
        llvm.init_cc[..2],
        [
            "clang".to_string(),
            "--target=aarch64-linux-gnu".to_string()
        ]
    );
}

#[test]
fn a_makefile_with_kconfig_but_no_linux_version_is_not_linux() {
    let mut probe = linux_probe();
    probe.makefile = Some("all:\n\tcc -o kernel.elf main.c\n".into());
    let plan = plan(&probe).unwrap();
    assert_eq!(plan.layout, Layout::Generic);
    assert_eq!(
        parsed(&plan)["build"]["command"].as_str().unwrap(),
        "make -C {tree} -j2"
    );
}

#[test]
fn a_zephyr_application_builds_with_west_for_the_board() {
    let mut probe = Probe {
        west_manifest: true,
        zephyr_apps: vec!["app".into(), "samples/other".into()],
        jobs: 2,
        ..Probe::default()
    };
    let plan = plan(&probe).unwrap();
    assert_eq!(plan.layout, Layout::Zephyr);
    let table = parsed(&plan);
    let build = table["build"]["command"].as_str().unwrap();
    assert!(
        build.contains("west build -p auto -b qemu_x86_64 -d {build} {tree}/app"),
        "{build}"
    );
    assert_eq!(
        table["test"][0]["command"].as_str().unwrap(),
        "west build -d {build} -t run"
    );
    assert_eq!(
        table["config"]["file"].as_str().unwrap(),
        "{build}/culprit.conf"
    );
    assert!(plan.guesses[0].contains("first of 2"));
    probe.env.insert("BOARD".into(), "qemu_cortex_m3".into());
    probe.zephyr_apps = vec![".".into()];
    let table = parsed(&super::plan(&probe).unwrap());
    let build = table["build"]["command"].as_str().unwrap().to_string();
    assert!(
        build.contains("-b qemu_cortex_m3 -d {build} {tree} --"),
        "{build}"
    );
}

#[test]
fn shell_words_are_quoted_only_when_needed() {
    assert_eq!(shell_word("/a/b.cpio"), "/a/b.cpio");
    assert_eq!(shell_word("/a b/it's"), r"'/a b/it'\''s'");
    assert_eq!(shell_word(""), "''");
}

#[test]
fn with_ccache_every_kernel_command_compiles_through_one_cache_in_the_state_directory() {
    let mut probe = linux_probe();
    probe.ccache = true;
    let cached = plan(&probe).unwrap();
    assert_eq!(
        linux(&cached).make_vars,
        ["ARCH=x86_64", "LOCALVERSION=", "CC=ccache gcc"]
    );
    assert!(cached
        .guesses
        .iter()
        .any(|g| g.starts_with("compiler cache: ccache")));
    let table = parsed(&cached);
    let build = table["build"]["command"].as_str().unwrap();
    let normalize = table["config"]["normalize"].as_str().unwrap();
    for command in [build, normalize] {
        assert!(
            command.starts_with("KBUILD_BUILD_TIMESTAMP=@0 KBUILD_BUILD_USER=culprit KBUILD_BUILD_HOST=culprit KBUILD_BUILD_VERSION=1 CCACHE_DIR={build}/../../ccache CCACHE_BASEDIR={build}/../../.. CCACHE_NOHASHDIR=1 CCACHE_DEPEND=1 make "),
            "{command}"
        );
        assert!(command.contains(" 'CC=ccache gcc' "), "{command}");
    }
    probe.ccache = false;
    let plain = plan(&probe).unwrap();
    assert!(!plain.toml.contains("ccache gcc"));
    assert!(plain
        .guesses
        .iter()
        .any(|g| g.contains("apt-get install ccache")));
}

#[test]
fn a_labgrid_lab_gets_the_machine_half_of_the_boot_and_the_test_keeps_the_rest() {
    let mut probe = linux_probe();
    probe.requested_arch = Some("arm64".into());
    let plan = plan(&probe).unwrap();
    let env = BTreeMap::from([("LG_PLACE".to_string(), "board-7".to_string())]);
    let lab = labgrid::labgrid(&plan, &env).unwrap();
    assert_holds(
        &lab.environment,
        &[
            "machine: \"virt\"",
            "cpu: \"cortex-a57\"",
            "memory: \"256M\"",
            "extra_args: \"-no-reboot\"",
            "qemu: \"qemu-system-aarch64\"",
            "name: !template $LG_PLACE",
        ],
    );
    let whole: toml::Table = format!("{}{}", plan.toml, lab.executor).parse().unwrap();
    assert_eq!(whole["executor"]["kind"].as_str(), Some("labgrid"));
    assert_eq!(whole["executor"]["place"].as_str(), Some("board-7"));
    assert_eq!(
        whole["executor"]["environment"].as_str(),
        Some("labgrid-env.yaml")
    );
    assert!(lab.guesses.iter().any(|g| g.contains("LG_PLACE is set")));
}

#[test]
fn a_tree_without_a_qemu_boot_has_nothing_for_a_lab_to_boot() {
    let plan = plan(&Probe::default()).unwrap();
    let err = labgrid::labgrid(&plan, &BTreeMap::new()).unwrap_err();
    assert!(
        err.to_string()
            .contains("nothing for a labgrid place to boot"),
        "{err}"
    );
}
