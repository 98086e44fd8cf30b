//! Every relocation type number of each machine, put in front of `readelf -rW`: the name
//! culprit gives must be binutils' name. Where binutils knows a name that neither
//! culprit nor `object` has, culprit may fall back to `R_<machine>_<n>` except on the
//! machines culprit is mostly used for, where it must know them all.

use crate::support;

use support::stdout;
use support::synth::{r_info, relocatable_with_relocations, Class};

struct Machine {
    e_machine: u16,
    class: Class,
    highest_type: u32,
    /// Fallback names are not accepted where readelf has a name.
    complete: bool,
}

const fn m(e_machine: u16, class: Class, highest_type: u32, complete: bool) -> Machine {
    Machine {
        e_machine,
        class,
        highest_type,
        complete,
    }
}

/// MSP430 is left out: readelf picks between two tables from `e_flags`.
const MACHINES: &[Machine] = &[
    m(40, Class::Elf32, 255, true),     // ARM
    m(183, Class::Elf64, 1300, true),   // AArch64
    m(62, Class::Elf64, 300, true),     // x86-64
    m(3, Class::Elf32, 255, true),      // i386
    m(243, Class::Elf64, 300, true),    // RISC-V
    m(258, Class::Elf64, 300, true),    // LoongArch
    m(2, Class::Elf32, 255, true),      // SPARC
    m(43, Class::Elf64, 255, true),     // SPARC V9
    m(50, Class::Elf64, 300, true),     // IA-64
    m(94, Class::Elf32, 255, true),     // Xtensa
    m(88, Class::Elf32, 255, true),     // M32R
    m(89, Class::Elf32, 255, true),     // MN10300
    m(83, Class::Elf32, 255, true),     // AVR
    m(164, Class::Elf32, 255, true),    // Hexagon
    m(174, Class::Elf32, 255, true),    // Meta
    m(188, Class::Elf32, 255, true),    // TILEPro
    m(191, Class::Elf64, 300, true),    // TILE-Gx
    m(0x9026, Class::Elf64, 300, true), // Alpha
    m(4, Class::Elf32, 255, true),      // m68k
    m(8, Class::Elf32, 255, true),      // MIPS
    m(15, Class::Elf32, 255, false),    // PA-RISC
    m(20, Class::Elf32, 255, true),     // PowerPC
    m(21, Class::Elf64, 300, true),     // PowerPC64
    m(22, Class::Elf64, 300, true),     // s390x
    m(42, Class::Elf32, 255, false),    // SuperH
    m(76, Class::Elf32, 255, false),    // CRIS
    m(113, Class::Elf32, 255, false),   // Nios II
    m(167, Class::Elf32, 255, false),   // NDS32
    m(189, Class::Elf32, 255, false),   // MicroBlaze
    m(247, Class::Elf64, 300, false),   // BPF
    m(252, Class::Elf32, 255, false),   // C-SKY
];

/// Type names from `readelf -rW`, one per relocation, `None` where readelf has none.
fn readelf_type_names(path: &std::path::Path) -> Vec<Option<String>> {
    stdout("readelf", &["-rW"], path, false)
        .lines()
        .filter(|line| line.starts_with(|c: char| c.is_ascii_hexdigit()))
        .map(|line| {
            let name = line.split_whitespace().nth(2).expect("a type column");
            (name != "unrecognized:").then(|| name.to_owned())
        })
        .collect()
}

#[test]
fn relocation_type_names_match_readelf_on_every_number() {
    let dir = tempfile::tempdir().unwrap();
    let mut checked = 0;
    let mut wrong = Vec::new();
    for machine in MACHINES {
        let types: Vec<u32> = (0..=machine.highest_type).collect();
        let infos: Vec<u64> = types.iter().map(|&t| r_info(machine.class, t)).collect();
        let path = dir.path().join(format!("em{}.o", machine.e_machine));
        std::fs::write(
            &path,
            relocatable_with_relocations(machine.e_machine, machine.class, &infos),
        )
        .unwrap();
        let theirs = readelf_type_names(&path);
        assert_eq!(theirs.len(), types.len(), "machine {}", machine.e_machine);
        let label = culprit_elf::machine_label(machine.e_machine);
        for (&t, theirs) in types.iter().zip(&theirs) {
            let Some(theirs) = theirs else { continue };
            let ours = culprit_elf::relocation_type_name(machine.e_machine, t);
            let fallback =
                ours == format!("R_{label}_{t}") || ours == format!("R_{label}_TYPE_{t}");
            checked += 1;
            if ours != *theirs && (machine.complete || !fallback) {
                wrong.push(format!(
                    "EM {} type {t}: ours {ours}, readelf {theirs}",
                    machine.e_machine
                ));
            }
        }
    }
    assert!(checked > 2000, "only {checked} names compared");
    assert!(
        wrong.is_empty(),
        "{} wrong names:\n{}",
        wrong.len(),
        wrong.join("\n")
    );
}

/// The shape reader decodes SPARC's packed type data and still finds the name.
#[test]
fn sparc_type_data_is_not_part_of_the_type() {
    let olo10_with_data = (0x1234u64 << 8) | 33;
    let bytes = relocatable_with_relocations(
        43,
        Class::Elf64,
        &[olo10_with_data, r_info(Class::Elf64, 33)],
    );
    let shape = culprit_elf::parse_object(&bytes, "sparc.o").unwrap();
    assert_eq!(shape.relocations.by_type.get("R_SPARC_OLO10"), Some(&2));
}

/// A hostile file can use thousands of distinct unknown type numbers; naming them must
/// stay linear (the collision check for fallback names is computed once per machine).
#[test]
fn thousands_of_unknown_types_are_named_quickly() {
    let infos: Vec<u64> = (0..20_000u64).map(|i| 100_000 + i).collect();
    let bytes = relocatable_with_relocations(62, Class::Elf64, &infos);
    let start = std::time::Instant::now();
    let shape = culprit_elf::parse_object(&bytes, "many.o").unwrap();
    assert_eq!(shape.relocations.by_type.len(), 20_000);
    assert!(shape.relocations.by_type.contains_key("R_X86_64_100000"));
    assert!(start.elapsed().as_secs() < 10, "took {:?}", start.elapsed());
}
