//! Relocation type and machine names, spelled the way `readelf -rW` spells them.
//!
//! The `object` crate names relocation types after glibc's `elf.h`, which keeps some
//! obsolete or vendor names and, where two names share a number, returns whichever comes
//! first. A shape check written by a user is matched against what binutils prints, so
//! where the two disagree binutils wins. The overrides below were found by feeding every
//! type number of each machine to readelf (binutils 2.40); `tests/names_vs_readelf.rs`
//! repeats that comparison on every run.

use object::elf;
use std::borrow::Cow;
use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex, OnceLock};

/// Where `object`'s first name for a number is not the one binutils prints, or where
/// binutils knows a name `object` does not: (type number, name) by machine.
const OVERRIDES: &[(elf::Machine, &[(u32, &str)])] = &[
    // ARM: 13 is both the obsolete R_ARM_SWI24 and R_ARM_TLS_DESC; 12 both
    // R_ARM_AMP_VCALL9 and R_ARM_BREL_ADJ; the others are pre-AAELF names.
    (
        elf::EM_ARM,
        &[
            (4, "R_ARM_LDR_PC_G0"),
            (10, "R_ARM_THM_CALL"),
            (12, "R_ARM_BREL_ADJ"),
            (13, "R_ARM_TLS_DESC"),
            (24, "R_ARM_GOTOFF32"),
            (25, "R_ARM_BASE_PREL"),
            (26, "R_ARM_GOT_BREL"),
            (32, "R_ARM_ALU_PCREL7_0"),
            (33, "R_ARM_ALU_PCREL15_8"),
            (34, "R_ARM_ALU_PCREL23_15"),
            (102, "R_ARM_THM_JUMP11"),
            (103, "R_ARM_THM_JUMP8"),
            (132, "R_ARM_THM_ALU_ABS_G0_NC"),
            (133, "R_ARM_THM_ALU_ABS_G1_NC"),
            (134, "R_ARM_THM_ALU_ABS_G2_NC"),
            (135, "R_ARM_THM_ALU_ABS_G3_NC"),
            (136, "R_ARM_THM_BF16"),
            (137, "R_ARM_THM_BF12"),
            (138, "R_ARM_THM_BF18"),
            (161, "R_ARM_GOTFUNCDESC"),
            (162, "R_ARM_GOTOFFFUNCDESC"),
            (163, "R_ARM_FUNCDESC"),
            (164, "R_ARM_FUNCDESC_VALUE"),
            (165, "R_ARM_TLS_GD32_FDPIC"),
            (166, "R_ARM_TLS_LDM32_FDPIC"),
            (167, "R_ARM_TLS_IE32_FDPIC"),
            (253, "R_ARM_RABS32"),
        ],
    ),
    // AArch64: the TLS dynamic relocations carry a width suffix in binutils and LLVM;
    // the ILP32 (P32) numbers are missing from `object` apart from 1.
    (
        elf::EM_AARCH64,
        &[
            (256, "R_AARCH64_NULL"),
            (1028, "R_AARCH64_TLS_DTPMOD64"),
            (1029, "R_AARCH64_TLS_DTPREL64"),
            (1030, "R_AARCH64_TLS_TPREL64"),
            (2, "R_AARCH64_P32_ABS16"),
            (3, "R_AARCH64_P32_PREL32"),
            (4, "R_AARCH64_P32_PREL16"),
            (5, "R_AARCH64_P32_MOVW_UABS_G0"),
            (6, "R_AARCH64_P32_MOVW_UABS_G0_NC"),
            (7, "R_AARCH64_P32_MOVW_UABS_G1"),
            (8, "R_AARCH64_P32_MOVW_SABS_G0"),
            (9, "R_AARCH64_P32_LD_PREL_LO19"),
            (10, "R_AARCH64_P32_ADR_PREL_LO21"),
            (11, "R_AARCH64_P32_ADR_PREL_PG_HI21"),
            (12, "R_AARCH64_P32_ADD_ABS_LO12_NC"),
            (13, "R_AARCH64_P32_LDST8_ABS_LO12_NC"),
            (14, "R_AARCH64_P32_LDST16_ABS_LO12_NC"),
            (15, "R_AARCH64_P32_LDST32_ABS_LO12_NC"),
            (16, "R_AARCH64_P32_LDST64_ABS_LO12_NC"),
            (17, "R_AARCH64_P32_LDST128_ABS_LO12_NC"),
            (18, "R_AARCH64_P32_TSTBR14"),
            (19, "R_AARCH64_P32_CONDBR19"),
            (20, "R_AARCH64_P32_JUMP26"),
            (21, "R_AARCH64_P32_CALL26"),
            (22, "R_AARCH64_P32_MOVW_PREL_G0"),
            (23, "R_AARCH64_P32_MOVW_PREL_G0_NC"),
            (24, "R_AARCH64_P32_MOVW_PREL_G1"),
            (25, "R_AARCH64_P32_GOT_LD_PREL19"),
            (26, "R_AARCH64_P32_ADR_GOT_PAGE"),
            (27, "R_AARCH64_P32_LD32_GOT_LO12_NC"),
            (28, "R_AARCH64_P32_LD32_GOTPAGE_LO14"),
            (80, "R_AARCH64_P32_TLSGD_ADR_PREL21"),
            (81, "R_AARCH64_P32_TLSGD_ADR_PAGE21"),
            (82, "R_AARCH64_P32_TLSGD_ADD_LO12_NC"),
            (83, "R_AARCH64_P32_TLSLD_ADR_PREL21"),
            (84, "R_AARCH64_P32_TLSLD_ADR_PAGE21"),
            (85, "R_AARCH64_P32_TLSLD_ADD_LO12_NC"),
            (87, "R_AARCH64_P32_TLSLD_MOVW_DTPREL_G1"),
            (88, "R_AARCH64_P32_TLSLD_MOVW_DTPREL_G0"),
            (89, "R_AARCH64_P32_TLSLD_MOVW_DTPREL_G0_NC"),
            (90, "R_AARCH64_P32_TLSLD_ADD_DTPREL_HI12"),
            (91, "R_AARCH64_P32_TLSLD_ADD_DTPREL_LO12"),
            (92, "R_AARCH64_P32_TLSLD_ADD_DTPREL_LO12_NC"),
            (103, "R_AARCH64_P32_TLSIE_ADR_GOTTPREL_PAGE21"),
            (104, "R_AARCH64_P32_TLSIE_LD32_GOTTPREL_LO12_NC"),
            (105, "R_AARCH64_P32_TLSIE_LD_GOTTPREL_PREL19"),
            (106, "R_AARCH64_P32_TLSLE_MOVW_TPREL_G1"),
            (107, "R_AARCH64_P32_TLSLE_MOVW_TPREL_G0"),
            (108, "R_AARCH64_P32_TLSLE_MOVW_TPREL_G0_NC"),
            (109, "R_AARCH64_P32_TLSLE_ADD_TPREL_HI12"),
            (110, "R_AARCH64_P32_TLSLE_ADD_TPREL_LO12"),
            (111, "R_AARCH64_P32_TLSLE_ADD_TPREL_LO12_NC"),
            (112, "R_AARCH64_P32_TLSLE_LDST8_TPREL_LO12"),
            (113, "R_AARCH64_P32_TLSLE_LDST8_TPREL_LO12_NC"),
            (114, "R_AARCH64_P32_TLSLE_LDST16_TPREL_LO12"),
            (115, "R_AARCH64_P32_TLSLE_LDST16_TPREL_LO12_NC"),
            (116, "R_AARCH64_P32_TLSLE_LDST32_TPREL_LO12"),
            (117, "R_AARCH64_P32_TLSLE_LDST32_TPREL_LO12_NC"),
            (118, "R_AARCH64_P32_TLSLE_LDST64_TPREL_LO12"),
            (119, "R_AARCH64_P32_TLSLE_LDST64_TPREL_LO12_NC"),
            (122, "R_AARCH64_P32_TLSDESC_LD_PREL19"),
            (123, "R_AARCH64_P32_TLSDESC_ADR_PREL21"),
            (124, "R_AARCH64_P32_TLSDESC_ADR_PAGE21"),
            (125, "R_AARCH64_P32_TLSDESC_LD32_LO12_NC"),
            (126, "R_AARCH64_P32_TLSDESC_ADD_LO12_NC"),
            (127, "R_AARCH64_P32_TLSDESC_CALL"),
        ],
    ),
    // x86: binutils' spelling of the PLT slot relocation, and numbers glibc never named.
    (
        elf::EM_386,
        &[
            (7, "R_386_JUMP_SLOT"),
            (200, "R_386_USED_BY_INTEL_200"),
            (250, "R_386_GNU_VTINHERIT"),
            (251, "R_386_GNU_VTENTRY"),
        ],
    ),
    (
        elf::EM_X86_64,
        &[
            (39, "R_X86_64_PC32_BND"),
            (40, "R_X86_64_PLT32_BND"),
            (250, "R_X86_64_GNU_VTINHERIT"),
            (251, "R_X86_64_GNU_VTENTRY"),
        ],
    ),
    // Other machines where glibc's name for a shared number is not binutils' one.
    (elf::EM_SPARC, &[(42, "R_SPARC_UNUSED_42")]),
    (elf::EM_SPARC32PLUS, &[(42, "R_SPARC_UNUSED_42")]),
    (elf::EM_SPARCV9, &[(42, "R_SPARC_UNUSED_42")]),
    (
        elf::EM_PARISC,
        &[
            (26, "R_PARISC_DLTREL21L"),
            (30, "R_PARISC_DLTREL14R"),
            (34, "R_PARISC_DLTIND21L"),
            (38, "R_PARISC_DLTIND14R"),
            (91, "R_PARISC_DLTREL14WR"),
            (92, "R_PARISC_DLTREL14DR"),
            (99, "R_PARISC_DLTIND14WR"),
            (100, "R_PARISC_DLTIND14DR"),
            (128, "R_PARISC_COPY"),
        ],
    ),
    (elf::EM_PPC64, &[(37, "R_PPC64_REL30")]),
    (
        elf::EM_SH,
        &[(33, "R_SH_DIR16"), (34, "R_SH_DIR8"), (35, "R_SH_DIR8UL")],
    ),
    (
        elf::EM_BPF,
        &[(1, "R_BPF_INSN_64"), (10, "R_BPF_INSN_DISP32")],
    ),
    (
        elf::EM_CSKY,
        &[
            (2, "R_CKCORE_PCREL_IMM8BY4"),
            (3, "R_CKCORE_PCREL_IMM11BY2"),
            (6, "R_CKCORE_PCREL_JSR_IMM11BY2"),
        ],
    ),
    (
        elf::EM_ALPHA,
        &[(28, "R_ALPHA_BRSGP"), (30, "R_ALPHA_TLSLDM")],
    ),
    // Names binutils has and `object` lacks on the other machines Linux runs on
    // (microMIPS, MIPS16, PowerPC VLE and prefixed Power10 instructions, s390 12/24-bit
    // branches).
    (
        elf::EM_68K,
        &[(23, "R_68K_GNU_VTINHERIT"), (24, "R_68K_GNU_VTENTRY")],
    ),
    (
        elf::EM_MIPS,
        &[
            (13, "R_MIPS_UNUSED1"),
            (14, "R_MIPS_UNUSED2"),
            (15, "R_MIPS_UNUSED3"),
            (60, "R_MIPS_PC21_S2"),
            (61, "R_MIPS_PC26_S2"),
            (62, "R_MIPS_PC18_S3"),
            (63, "R_MIPS_PC19_S2"),
            (64, "R_MIPS_PCHI16"),
            (65, "R_MIPS_PCLO16"),
            (100, "R_MIPS16_26"),
            (101, "R_MIPS16_GPREL"),
            (102, "R_MIPS16_GOT16"),
            (103, "R_MIPS16_CALL16"),
            (104, "R_MIPS16_HI16"),
            (105, "R_MIPS16_LO16"),
            (106, "R_MIPS16_TLS_GD"),
            (107, "R_MIPS16_TLS_LDM"),
            (108, "R_MIPS16_TLS_DTPREL_HI16"),
            (109, "R_MIPS16_TLS_DTPREL_LO16"),
            (110, "R_MIPS16_TLS_GOTTPREL"),
            (111, "R_MIPS16_TLS_TPREL_HI16"),
            (112, "R_MIPS16_TLS_TPREL_LO16"),
            (113, "R_MIPS16_PC16_S1"),
            (133, "R_MICROMIPS_26_S1"),
            (134, "R_MICROMIPS_HI16"),
            (135, "R_MICROMIPS_LO16"),
            (136, "R_MICROMIPS_GPREL16"),
            (137, "R_MICROMIPS_LITERAL"),
            (138, "R_MICROMIPS_GOT16"),
            (139, "R_MICROMIPS_PC7_S1"),
            (140, "R_MICROMIPS_PC10_S1"),
            (141, "R_MICROMIPS_PC16_S1"),
            (142, "R_MICROMIPS_CALL16"),
            (145, "R_MICROMIPS_GOT_DISP"),
            (146, "R_MICROMIPS_GOT_PAGE"),
            (147, "R_MICROMIPS_GOT_OFST"),
            (148, "R_MICROMIPS_GOT_HI16"),
            (149, "R_MICROMIPS_GOT_LO16"),
            (150, "R_MICROMIPS_SUB"),
            (151, "R_MICROMIPS_HIGHER"),
            (152, "R_MICROMIPS_HIGHEST"),
            (153, "R_MICROMIPS_CALL_HI16"),
            (154, "R_MICROMIPS_CALL_LO16"),
            (155, "R_MICROMIPS_SCN_DISP"),
            (156, "R_MICROMIPS_JALR"),
            (157, "R_MICROMIPS_HI0_LO16"),
            (162, "R_MICROMIPS_TLS_GD"),
            (163, "R_MICROMIPS_TLS_LDM"),
            (164, "R_MICROMIPS_TLS_DTPREL_HI16"),
            (165, "R_MICROMIPS_TLS_DTPREL_LO16"),
            (166, "R_MICROMIPS_TLS_GOTTPREL"),
            (169, "R_MICROMIPS_TLS_TPREL_HI16"),
            (170, "R_MICROMIPS_TLS_TPREL_LO16"),
            (172, "R_MICROMIPS_GPREL7_S2"),
            (173, "R_MICROMIPS_PC23_S2"),
            (248, "R_MIPS_PC32"),
            (249, "R_MIPS_EH"),
            (250, "R_MIPS_GNU_REL16_S2"),
            (253, "R_MIPS_GNU_VTINHERIT"),
            (254, "R_MIPS_GNU_VTENTRY"),
        ],
    ),
    (
        elf::EM_PPC,
        &[
            (37, "R_PPC_ADDR30"),
            (119, "R_PPC_PLTSEQ"),
            (120, "R_PPC_PLTCALL"),
            (216, "R_PPC_VLE_REL8"),
            (217, "R_PPC_VLE_REL15"),
            (218, "R_PPC_VLE_REL24"),
            (219, "R_PPC_VLE_LO16A"),
            (220, "R_PPC_VLE_LO16D"),
            (221, "R_PPC_VLE_HI16A"),
            (222, "R_PPC_VLE_HI16D"),
            (223, "R_PPC_VLE_HA16A"),
            (224, "R_PPC_VLE_HA16D"),
            (225, "R_PPC_VLE_SDA21"),
            (226, "R_PPC_VLE_SDA21_LO"),
            (227, "R_PPC_VLE_SDAREL_LO16A"),
            (228, "R_PPC_VLE_SDAREL_LO16D"),
            (229, "R_PPC_VLE_SDAREL_HI16A"),
            (230, "R_PPC_VLE_SDAREL_HI16D"),
            (231, "R_PPC_VLE_SDAREL_HA16A"),
            (232, "R_PPC_VLE_SDAREL_HA16D"),
            (233, "R_PPC_VLE_ADDR20"),
            (246, "R_PPC_REL16DX_HA"),
            (253, "R_PPC_GNU_VTINHERIT"),
            (254, "R_PPC_GNU_VTENTRY"),
        ],
    ),
    (
        elf::EM_PPC64,
        &[
            (116, "R_PPC64_REL24_NOTOC"),
            (117, "R_PPC64_ADDR64_LOCAL"),
            (118, "R_PPC64_ENTRY"),
            (119, "R_PPC64_PLTSEQ"),
            (120, "R_PPC64_PLTCALL"),
            (121, "R_PPC64_PLTSEQ_NOTOC"),
            (122, "R_PPC64_PLTCALL_NOTOC"),
            (123, "R_PPC64_PCREL_OPT"),
            (124, "R_PPC64_REL24_P9NOTOC"),
            (128, "R_PPC64_D34"),
            (129, "R_PPC64_D34_LO"),
            (130, "R_PPC64_D34_HI30"),
            (131, "R_PPC64_D34_HA30"),
            (132, "R_PPC64_PCREL34"),
            (133, "R_PPC64_GOT_PCREL34"),
            (134, "R_PPC64_PLT_PCREL34"),
            (135, "R_PPC64_PLT_PCREL34_NOTOC"),
            (136, "R_PPC64_ADDR16_HIGHER34"),
            (137, "R_PPC64_ADDR16_HIGHERA34"),
            (138, "R_PPC64_ADDR16_HIGHEST34"),
            (139, "R_PPC64_ADDR16_HIGHESTA34"),
            (140, "R_PPC64_REL16_HIGHER34"),
            (141, "R_PPC64_REL16_HIGHERA34"),
            (142, "R_PPC64_REL16_HIGHEST34"),
            (143, "R_PPC64_REL16_HIGHESTA34"),
            (144, "R_PPC64_D28"),
            (145, "R_PPC64_PCREL28"),
            (146, "R_PPC64_TPREL34"),
            (147, "R_PPC64_DTPREL34"),
            (148, "R_PPC64_GOT_TLSGD_PCREL34"),
            (149, "R_PPC64_GOT_TLSLD_PCREL34"),
            (150, "R_PPC64_GOT_TPREL_PCREL34"),
            (151, "R_PPC64_GOT_DTPREL_PCREL34"),
            (240, "R_PPC64_REL16_HIGH"),
            (241, "R_PPC64_REL16_HIGHA"),
            (242, "R_PPC64_REL16_HIGHER"),
            (243, "R_PPC64_REL16_HIGHERA"),
            (244, "R_PPC64_REL16_HIGHEST"),
            (245, "R_PPC64_REL16_HIGHESTA"),
            (246, "R_PPC64_REL16DX_HA"),
            (253, "R_PPC64_GNU_VTINHERIT"),
            (254, "R_PPC64_GNU_VTENTRY"),
        ],
    ),
    (
        elf::EM_S390,
        &[
            (62, "R_390_PC12DBL"),
            (63, "R_390_PLT12DBL"),
            (64, "R_390_PC24DBL"),
            (65, "R_390_PLT24DBL"),
            (250, "R_390_GNU_VTINHERIT"),
            (251, "R_390_GNU_VTENTRY"),
        ],
    ),
];

/// The name `readelf -rW` gives relocation type `r_type` on `machine`, or
/// `R_<machine>_<number>` when neither binutils nor `object` knows one
/// (`R_<machine>_TYPE_<number>` where that would spell a real name).
pub fn relocation_type_name(machine: u16, r_type: u32) -> Cow<'static, str> {
    if let Some(name) = known_name(machine, r_type) {
        return Cow::Borrowed(name);
    }
    let label = machine_label(machine);
    let fallback = format!("R_{label}_{r_type}");
    // `R_X86_64_64` is type 1: an unknown type 64 must not be counted with it.
    if known_names(machine).contains(fallback.as_str()) {
        return Cow::Owned(format!("R_{label}_TYPE_{r_type}"));
    }
    Cow::Owned(fallback)
}

/// Type numbers above this are not used by any machine culprit names.
const HIGHEST_TYPE: u32 = 1300;

type NameSet = HashSet<&'static str>;

/// Every name `machine` has, computed once per machine: a hostile file can carry
/// thousands of distinct unknown types, and each needs this set.
fn known_names(machine: u16) -> Arc<NameSet> {
    static CACHE: OnceLock<Mutex<HashMap<u16, Arc<NameSet>>>> = OnceLock::new();
    let mut cache = CACHE
        .get_or_init(Mutex::default)
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    cache
        .entry(machine)
        .or_insert_with(|| {
            Arc::new(
                (0..=HIGHEST_TYPE)
                    .filter_map(|t| known_name(machine, t))
                    .collect(),
            )
        })
        .clone()
}

fn known_name(machine: u16, r_type: u32) -> Option<&'static str> {
    OVERRIDES
        .iter()
        .filter(|(m, _)| m.0 == machine)
        .flat_map(|(_, names)| names.iter())
        .find(|&&(t, _)| t == r_type)
        .map(|&(_, name)| name)
        .or_else(|| {
            elf::machine_names(elf::Machine(machine))
                .r
                .name(elf::RelocationType(r_type))
        })
}

/// Whether `name` is what [`relocation_type_name`] calls some relocation type of
/// `machine`; a shape check naming a type no matched object can have is a typo, and
/// would otherwise pass silently with a count of 0.
pub fn is_relocation_type_name(machine: u16, name: &str) -> bool {
    name == "RELR"
        || (machine == elf::EM_MIPS.0 && name.contains('/'))
        || known_names(machine).contains(name)
        || fallback_number(machine, name).is_some_and(|t| relocation_type_name(machine, t) == name)
}

/// The number in a fallback name (`R_ARM_240`, `R_X86_64_TYPE_64`).
fn fallback_number(machine: u16, name: &str) -> Option<u32> {
    let rest = name.strip_prefix("R_")?;
    let rest = rest.strip_prefix(machine_label(machine).as_ref())?;
    let rest = rest.strip_prefix('_')?;
    rest.strip_prefix("TYPE_").unwrap_or(rest).parse().ok()
}

/// The short machine name used in relocation names (`R_<label>_...`), which is also
/// what `culprit elf` shows as an object's machine.
pub fn machine_label(machine: u16) -> Cow<'static, str> {
    let label = match elf::Machine(machine) {
        elf::EM_SPARC | elf::EM_SPARC32PLUS | elf::EM_SPARCV9 => "SPARC",
        elf::EM_386 => "386",
        elf::EM_68K => "68K",
        elf::EM_MIPS | elf::EM_MIPS_RS3_LE => "MIPS",
        elf::EM_PARISC => "PARISC",
        elf::EM_PPC => "PPC",
        elf::EM_PPC64 => "PPC64",
        elf::EM_S390 => "390",
        elf::EM_ARM => "ARM",
        elf::EM_SH => "SH",
        elf::EM_IA_64 => "IA64",
        elf::EM_X86_64 => "X86_64",
        elf::EM_CRIS => "CRIS",
        elf::EM_AVR => "AVR",
        elf::EM_M32R => "M32R",
        elf::EM_MN10300 => "MN10300",
        elf::EM_XTENSA => "XTENSA",
        elf::EM_MSP430 => "MSP430",
        elf::EM_ALTERA_NIOS2 => "NIOS2",
        elf::EM_HEXAGON => "HEX",
        elf::EM_NDS32 => "NDS32",
        elf::EM_METAG => "METAG",
        elf::EM_AARCH64 => "AARCH64",
        elf::EM_TILEPRO => "TILEPRO",
        elf::EM_MICROBLAZE => "MICROBLAZE",
        elf::EM_TILEGX => "TILEGX",
        elf::EM_RISCV => "RISCV",
        elf::EM_BPF => "BPF",
        elf::EM_CSKY => "CKCORE",
        elf::EM_LOONGARCH => "LARCH",
        elf::EM_ALPHA => "ALPHA",
        elf::EM_MCST_ELBRUS => "E2K",
        elf::EM_SBF => "SBF",
        elf::EM_SHARC => "SHARC",
        _ => return Cow::Owned(format!("EM{machine}")),
    };
    Cow::Borrowed(label)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arm_type_13_is_tls_desc_not_the_obsolete_swi24() {
        assert_eq!(relocation_type_name(elf::EM_ARM.0, 13), "R_ARM_TLS_DESC");
        assert_eq!(relocation_type_name(elf::EM_ARM.0, 12), "R_ARM_BREL_ADJ");
        assert_eq!(relocation_type_name(elf::EM_ARM.0, 55), "R_ARM_ABS32_NOI");
    }

    #[test]
    fn seed_002_relocations_keep_their_abi_names() {
        assert_eq!(relocation_type_name(elf::EM_ARM.0, 43), "R_ARM_MOVW_ABS_NC");
        assert_eq!(relocation_type_name(elf::EM_ARM.0, 44), "R_ARM_MOVT_ABS");
        assert_eq!(relocation_type_name(elf::EM_ARM.0, 2), "R_ARM_ABS32");
    }

    #[test]
    fn unknown_numbers_fall_back_to_machine_and_number() {
        assert_eq!(relocation_type_name(elf::EM_ARM.0, 240), "R_ARM_240");
        assert_eq!(relocation_type_name(elf::EM_RISCV.0, 250), "R_RISCV_250");
        assert_eq!(relocation_type_name(0x7777, 3), "R_EM30583_3");
        assert_eq!(
            relocation_type_name(elf::EM_X86_64.0, 64),
            "R_X86_64_TYPE_64"
        );
        assert_eq!(relocation_type_name(elf::EM_X86_64.0, 1), "R_X86_64_64");
    }

    #[test]
    fn knows_which_names_belong_to_a_machine() {
        assert!(is_relocation_type_name(elf::EM_ARM.0, "R_ARM_MOVW_ABS_NC"));
        assert!(is_relocation_type_name(
            elf::EM_AARCH64.0,
            "R_AARCH64_ABS64"
        ));
        assert!(!is_relocation_type_name(elf::EM_ARM.0, "R_ARM_MOVW_ABS"));
        assert!(!is_relocation_type_name(
            elf::EM_X86_64.0,
            "R_ARM_MOVW_ABS_NC"
        ));
        assert!(is_relocation_type_name(elf::EM_ARM.0, "R_ARM_240"));
        assert!(is_relocation_type_name(
            elf::EM_X86_64.0,
            "R_X86_64_TYPE_64"
        ));
        assert!(!is_relocation_type_name(elf::EM_ARM.0, "R_ARM_TYPE_240"));
    }

    #[test]
    fn overrides_are_unique() {
        let mut seen = HashSet::new();
        for (machine, names) in OVERRIDES {
            for (r_type, name) in *names {
                assert!(
                    seen.insert((machine.0, *r_type)),
                    "duplicate override {name} ({machine:?} type {r_type})"
                );
            }
        }
    }
}
