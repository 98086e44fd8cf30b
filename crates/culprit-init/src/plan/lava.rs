//! `culprit init --lab lava`: the `[executor]` section and the job template that boot the
//! tree's kernel with culprit's initramfs on a LAVA lab's QEMU device, as the local test
//! boots them. Pure: the text only; the command writes the files.

use super::{LinuxPlan, Plan, INITRAMFS_FILE};
use crate::initramfs::SUCCESS_MARKER;

/// The template's file name, next to culprit.toml.
pub const TEMPLATE_FILE: &str = "lava-boot.yaml";

/// What `--lab lava` adds: text appended to culprit.toml, and the template.
#[derive(Clone, Debug, PartialEq)]
pub struct LavaFiles {
    pub section: String,
    pub template: String,
}

/// The lab files for `plan`; `None` for a tree that is not Linux (there is no kernel
/// and initramfs culprit knows how to hand to the lab).
pub fn lava_files(plan: &Plan) -> Option<LavaFiles> {
    match &plan.layout {
        super::Layout::Linux(linux) => Some(linux_files(linux)),
        _ => None,
    }
}

fn linux_files(linux: &LinuxPlan) -> LavaFiles {
    let arch = linux.arch;
    let section = format!(
        r#"
# Each test's boot as a job on a LAVA lab (written by `culprit init --lab lava`); builds
# stay on this machine. Remove this section (or pass --executor local) to boot locally.
[executor]
kind = "lava"
# The server (plain HTTP; reach an HTTPS one through a tunnel). `scripts/lava-lab start`
# runs one on this machine.
url = "http://127.0.0.1:8000"
# The API token comes from this environment variable (or token_file = "..."), never
# from this file.
token_env = "CULPRIT_LAVA_TOKEN"
# The job each boot is made from; {{url:NAME}} there is each artifact's URL.
template = "{TEMPLATE_FILE}"
device_type = "qemu"
artifacts = {{ kernel = "{{build}}/{image}", ramdisk = "{INITRAMFS_FILE}" }}
command_line = "console={console} panic=-1"
# culprit serves the artifacts to the lab from this address (port 0: any free one); a
# lab on another machine needs an address it can reach, e.g. "0.0.0.0:8090" and
# serve_url = "http://this-host:8090".
serve = "127.0.0.1:0"
# A job no device takes in this time is an infrastructure error (retried).
queue_timeout = "10m"
"#,
        image = arch.image,
        console = arch.console,
    );
    let template = format!(
        r#"# A LAVA job that boots the tree's kernel with culprit's initramfs on the lab's QEMU
# device (written by `culprit init --lab lava`). culprit fills in the placeholders for
# each boot and sets job_name.
device_type: {{device_type}}
job_name: culprit boot
timeouts:
  job: {{seconds: {{timeout}}}}
  action: {{seconds: {{timeout}}}}
priority: medium
visibility: public
context:
  arch: {arch}
  extra_options:
  - -append "{{command_line}}"
actions:
- deploy:
    to: tmpfs
    images:
      kernel:
        image_arg: -kernel {{kernel}}
        url: {{url:kernel}}
      ramdisk:
        image_arg: -initrd {{ramdisk}}
        url: {{url:ramdisk}}
- boot:
    method: qemu
    media: tmpfs
    prompts: ['{SUCCESS_MARKER}']
"#,
        arch = arch.name,
    );
    LavaFiles { section, template }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::{arch_named, BaseConfig, Layout};

    #[test]
    fn a_linux_plan_gets_a_section_and_a_template_that_agree() {
        let arch = arch_named("arm64").unwrap();
        let plan = Plan {
            layout: Layout::Linux(LinuxPlan {
                arch,
                make_vars: Vec::new(),
                init_cc: Vec::new(),
                base: BaseConfig::TreeConfig,
            }),
            toml: String::new(),
            guesses: Vec::new(),
        };
        let files = lava_files(&plan).unwrap();
        assert!(files
            .section
            .contains(&format!("kernel = \"{{build}}/{}\"", arch.image)));
        assert!(files.section.contains("console=ttyAMA0 panic=-1"));
        assert!(files.template.contains("arch: arm64"));
        for placeholder in [
            "{url:kernel}",
            "{url:ramdisk}",
            "{command_line}",
            "{timeout}",
        ] {
            assert!(files.template.contains(placeholder), "{placeholder}");
        }
        let generic = Plan {
            layout: Layout::Generic,
            ..plan
        };
        assert_eq!(lava_files(&generic), None);
    }
}
