//! `culprit elf`: placeholder until the object-shape work lands.

#[derive(clap::Subcommand)]
pub enum ElfCommand {}

pub fn run(cmd: ElfCommand) -> anyhow::Result<u8> {
    match cmd {}
}
