//! `[executor]` in culprit.toml: read strictly, like the rest of the file.

use culprit_exec::slurm::SlurmOptions;
use culprit_hunt::manifest::{ExecutorKind, ExecutorSection, Manifest};

const TEST: &str = "[[test]]\nname = \"boot\"\ncommand = \"true\"\n";

fn parse(executor: &str) -> Result<Manifest, String> {
    let dir = tempfile::tempdir().unwrap();
    let text = format!("{TEST}\n{executor}");
    Manifest::parse(&text, &dir.path().join("culprit.toml"), dir.path()).map_err(|e| e.to_string())
}

#[test]
fn without_a_section_steps_run_locally() {
    let config = parse("").unwrap();
    assert_eq!(config.executor, ExecutorSection::Local {});
    assert_eq!(config.executor.kind(), ExecutorKind::Local);
    assert_eq!(config.executor.slurm(), SlurmOptions::default());
}

#[test]
fn every_slurm_key_is_read() {
    let config = parse(
        "[executor]\nkind = \"slurm\"\npartition = \"build\"\naccount = \"kernel\"\ntime_limit = \"1:30:00\"\nconstraints = \"x86&fast\"\noptions = [\"--cpus-per-task=4\", \"--mem=8G\"]\n",
    )
    .unwrap();
    assert_eq!(config.executor.kind(), ExecutorKind::Slurm);
    let e = config.executor.slurm();
    assert_eq!(e.partition.as_deref(), Some("build"));
    assert_eq!(e.account.as_deref(), Some("kernel"));
    assert_eq!(e.time_limit.as_deref(), Some("1:30:00"));
    assert_eq!(e.constraints.as_deref(), Some("x86&fast"));
    assert_eq!(e.options, ["--cpus-per-task=4", "--mem=8G"]);
}

#[test]
fn mistakes_are_named() {
    let err = parse("[executor]\nkind = \"slurm\"\npartion = \"build\"\n").unwrap_err();
    assert!(err.contains("partion"), "{err}");
    let err = parse("[executor]\nkind = \"pbs\"\n").unwrap_err();
    assert!(err.contains("pbs") && err.contains("slurm"), "{err}");
    let err = parse("[executor]\nkind = \"slurm\"\noptions = [\"mem=8G\"]\n").unwrap_err();
    assert!(
        err.contains("[executor]") && err.contains("mem=8G"),
        "{err}"
    );
    // Each one-word key is checked, and named when it holds spaces.
    for key in ["partition", "account", "time_limit", "constraints"] {
        let err = parse(&format!("[executor]\nkind = \"slurm\"\n{key} = \"a b\"\n")).unwrap_err();
        assert!(err.contains(&format!("`{key}`")), "{err}");
    }
    // The Slurm keys belong to `kind = "slurm"`: elsewhere they are a mistake, named.
    let err = parse("[executor]\nkind = \"local\"\npartition = \"build\"\n").unwrap_err();
    assert!(err.contains("partition"), "{err}");
    let err = parse("[executor]\npartition = \"build\"\n").unwrap_err();
    assert!(err.contains("kind"), "{err}");
}
