//! culprit's end-to-end tests in one binary: each module is a command or a capability,
//! run through the real binary on real git repositories, QEMU boots of toyos, real kernels
//! and a real Slurm cluster; `common` holds the helpers they share.

mod bisect_crash_identity;
mod bisect_signatures;
mod cli_bad_input;
mod cli_bisect;
mod cli_bisect_config;
mod cli_classify;
mod cli_fixup;
mod cli_init;
mod cli_state;
mod common;
mod demo;
mod elf_cli;
mod flaky_hunts;
mod identical_builds;
mod journal_faults;
mod kconfig_cli;
mod kept_builds;
mod labgrid_hunts;
mod labgrid_init;
mod labgrid_lab;
mod lava_hunts;
mod lava_lab;
mod lava_suite;
mod learned_deadlines;
mod linux_hang;
mod linux_kernel;
mod module_graph;
mod no_survivors;
mod quoted_tree;
mod report_bisect;
mod report_config;
mod shared_cache;
mod slurm_cluster;
mod slurm_hunts;
mod toyos_bisect;
mod toyos_bisect_config;
mod toyos_flaky;
mod toyos_run;
mod toyos_shape;
mod trees;
mod trust;
