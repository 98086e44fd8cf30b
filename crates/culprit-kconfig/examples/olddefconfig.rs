//! `cargo run --example olddefconfig -- SRCTREE ARCH INPUT... OUTPUT`: culprit's
//! evaluator on a Linux tree, for comparing with `make olddefconfig` by hand (and for
//! measuring its memory with `/usr/bin/time -v`). Probes run concurrently, as in
//! `culprit kconfig`.
use std::collections::HashMap;
use std::path::Path;

use culprit_kconfig::kconfig::{linux_env, Input, Kconfig, LoadOptions, SystemShell};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [srctree, arch, inputs @ .., output] = args.as_slice() else {
        return Err("usage: olddefconfig SRCTREE ARCH INPUT... OUTPUT".into());
    };
    let srctree = std::fs::canonicalize(srctree)?;
    let outer: HashMap<String, String> = std::env::vars().collect();
    let mut shell = SystemShell::new(HashMap::new());
    let env = linux_env(&srctree, arch, &outer, &mut shell);
    shell.env = env.clone();
    let t0 = std::time::Instant::now();
    let kconfig = Kconfig::load_probing(
        Path::new("Kconfig"),
        &LoadOptions { srctree, env },
        &mut shell,
    )?;
    let t1 = t0.elapsed();
    let mut input = Input::default();
    for path in inputs {
        input.read(Path::new(path), false)?;
    }
    let evaluation = kconfig.olddefconfig(&input);
    std::fs::write(output, evaluation.dot_config())?;
    eprintln!(
        "parse {:?} ({} shell commands), total {:?}, {} symbols",
        t1,
        shell.commands,
        t0.elapsed(),
        kconfig.tree().defined().count()
    );
    for w in kconfig.tree().warnings().iter().take(10) {
        eprintln!("{w}");
    }
    Ok(())
}
