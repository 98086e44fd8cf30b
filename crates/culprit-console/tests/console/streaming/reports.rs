//! Crash and build-error reports: what their titles name and how far their evidence
//! reaches.

use super::*;

#[test]
fn rustc_error_takes_its_file() {
    let log = "error[E0308]: mismatched types\n --> src/sched/mod.rs:41:17\n   |\n41 |     let x: u32 = \"a\";\n";
    assert_eq!(
        build(log, Ending::Exited { code: 101 }).outcome,
        Outcome::BuildError {
            signature: Signature::new(Kind::Compiler, "mod.rs: error[E0308]: mismatched types")
        }
    );
}

const OOPS_IN: &str =
    "[   12.345678] BUG: kernel NULL pointer dereference, address: 0000000000000008\r\n\
[   12.345901] #PF: supervisor read access in kernel mode\r\n\
[   12.346012] #PF: error_code(0x0000) - not-present page\r\n\
[   12.346208] Oops: 0000 [#1] PREEMPT SMP NOPTI\r\n\
[   12.346402] CPU: 1 PID: 87 Comm: modprobe Not tainted 6.1.0 #1\r\n\
[   12.346800] RIP: 0010:FUNC+0x1d/0x60 [foo]\r\n\
[   12.347000] Call Trace:\r\n\
[   12.347100]  <TASK>\r\n\
[   12.347200]  do_one_initcall+0x41/0x200\r\n\
[   12.347300]  </TASK>\r\n\
[   12.347400] ---[ end trace 0000000000000000 ]---\r\n";

#[test]
fn oops_title_names_the_faulting_function_and_evidence_ends_with_the_trace() {
    let log = format!(
        "[    1.0] Run /init as init process\r\n{}[   13.0] after\r\n",
        OOPS_IN.replace("FUNC", "foo_probe")
    );
    let c = boot(&log, Ending::WallTimeout);
    let signature = Signature {
        alternatives: vec!["bad-access in foo_probe".into()],
        ..Signature::new(
            Kind::Oops,
            "BUG: unable to handle kernel NULL pointer dereference in foo_probe",
        )
    };
    assert_eq!(c.outcome, Outcome::Fail { signature });
    assert_eq!(
        c.signatures.len(),
        1,
        "the Oops line is part of the same report"
    );
    let shown = evidence(&log, &c);
    assert!(shown.starts_with("[   12.345678] BUG: kernel NULL"));
    assert!(shown.ends_with("---[ end trace 0000000000000000 ]---\r\n"));
}

#[test]
fn the_same_oops_twice_is_one_signature_and_another_function_is_another() {
    let log = format!(
        "{}{}{}",
        OOPS_IN.replace("FUNC", "foo_probe"),
        OOPS_IN
            .replace("FUNC", "foo_probe")
            .replace("[   12.", "[   99."),
        OOPS_IN.replace("FUNC", "bar_remove")
    );
    let titles: Vec<String> = boot(&log, Ending::Unknown)
        .signatures
        .into_iter()
        .map(|s| s.title)
        .collect();
    assert_eq!(
        titles,
        [
            "BUG: unable to handle kernel NULL pointer dereference in foo_probe",
            "BUG: unable to handle kernel NULL pointer dereference in bar_remove",
        ]
    );
}

#[test]
fn a_warning_is_a_failure() {
    let log = "[    2.1] ------------[ cut here ]------------\n\
[    2.1] WARNING: CPU: 0 PID: 1 at drivers/misc/demo.c:31 demo_probe+0x3f4/0x410\n\
[    2.1] RIP: 0010:demo_probe+0x3f4/0x410\n\
[    2.1] Call Trace:\n\
[    2.1]  really_probe+0x1/0x2\n\
[    2.2] ---[ end trace 0000000000000000 ]---\n";
    assert_eq!(
        boot(log, Ending::Exited { code: 0 }).outcome,
        fail(Kind::Warning, "WARNING in demo_probe")
    );
}

#[test]
fn rust_panic_message_on_the_next_line() {
    let log = "thread 'main' panicked at src/sched.rs:88:13:\nready queue corrupted\nnote: run with `RUST_BACKTRACE=1`\n";
    assert_eq!(
        boot(log, Ending::Exited { code: 101 }).outcome,
        fail(
            Kind::Panic,
            "panicked at src/sched.rs: ready queue corrupted"
        )
    );
}

#[test]
fn a_build_log_read_as_a_console_is_a_build_error() {
    let log = "  CC      kernel/fork.o\nkernel/fork.c:1234:5: error: 'foo' undeclared (first use in this function)\nmake[2]: *** [scripts/Makefile.build:250: kernel/fork.o] Error 1\nmake: *** [Makefile:1234: kernel] Error 2\n";
    let c = boot(log, Ending::Unknown);
    assert_eq!(
        c.outcome,
        Outcome::BuildError {
            signature: Signature::new(
                Kind::Compiler,
                "kernel/fork.c: error: 'foo' undeclared (first use in this function)"
            )
        }
    );
    assert_eq!(c.outcome.bisect_exit_code(), 125);
    // Once something booted, the same words are the guest's business.
    let booted = format!("Linux version 6.1\n{log}");
    assert!(matches!(
        boot(&booted, Ending::Unknown).outcome,
        Outcome::Hang { .. }
    ));
}

/// An out-of-tree Kbuild build names sources by absolute path, which differs per worker;
/// the title names the file relative to the tree, the evidence keeps path and line.
#[test]
fn build_error_titles_name_the_file_in_the_tree_in_every_worktree() {
    let log = |tree: &str, line: u32| {
        format!(
            "  CC      drivers/tty/serial/8250/8250_port.o\n\
             {tree}/drivers/tty/serial/8250/8250_port.c:{line}:9: error: 'UART_LCR_WLEN9' undeclared (first use in this function)\n\
             make[5]: *** [{tree}/scripts/Makefile.build:250: drivers/tty/serial/8250/8250_port.o] Error 1\n"
        )
    };
    let read = |tree: &str, root: &str, line: u32| {
        let rules = Rules {
            source_roots: vec![root.to_string()],
            ..Rules::build()
        };
        let text = log(tree, line);
        let c = classify(&rules, text.as_bytes(), &Ending::Exited { code: 2 }).unwrap();
        let evidence = evidence(&text, &c).to_string();
        (c.outcome, evidence)
    };
    let (w0, evidence) = read("/state/worktrees/w0", "/state/worktrees/w0", 2021);
    assert_eq!(
        w0,
        Outcome::BuildError {
            signature: Signature::new(
                Kind::Compiler,
                "drivers/tty/serial/8250/8250_port.c: error: 'UART_LCR_WLEN9' undeclared (first use in this function)"
            )
        }
    );
    assert!(
        evidence.contains("8250_port.c:2021:9: error:"),
        "the evidence keeps the line: {evidence}"
    );
    let (w1, _) = read("/state/worktrees/w1", "/state/worktrees/w1/", 2024);
    assert_eq!(w0, w1, "same title in another worktree, lines moved");
}
