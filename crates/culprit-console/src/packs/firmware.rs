//! Firmware and bootloaders: their banners are the first sign that a machine
//! came up at all, which separates "no output" from "never started".

use super::{Effect, Rule};
use crate::stage::Builtin;

pub(crate) fn rules() -> Vec<Rule> {
    vec![Rule::new(
        &[
            "SeaBIOS",
            "iPXE",
            "Booting from ROM",
            "U-Boot",
            "GRUB",
            "OpenSBI",
            "BdsDxe:",
            "UEFI firmware",
        ],
        Effect::Stage(Builtin::Bootloader),
    )]
}
