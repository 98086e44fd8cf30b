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
/// binutils knows a name `object` does not.
const OVERRIDES: &[(elf::Machine, u32, &str)] = &[
    // ARM: 13 is both the obsolete R_ARM_SWI24 and R_ARM_TLS_DESC; 12 both
    // R_ARM_AMP_VCALL9 and R_ARM_BREL_ADJ; the others are pre-AAELF names.
    (elf::EM_ARM, 4, "R_ARM_LDR_PC_G0"),
    (elf::EM_ARM, 10, "R_ARM_THM_CALL"),
    (elf::EM_ARM, 12, "R_ARM_BREL_ADJ"),
    (elf::EM_ARM, 13, "R_ARM_TLS_DESC"),
    (elf::EM_ARM, 24, "R_ARM_GOTOFF32"),
    (elf::EM_ARM, 25, "R_ARM_BASE_PREL"),
    (elf::EM_ARM, 26, "R_ARM_GOT_BREL"),
    (elf::EM_ARM, 32, "R_ARM_ALU_PCREL7_0"),
    (elf::EM_ARM, 33, "R_ARM_ALU_PCREL15_8"),
    (elf::EM_ARM, 34, "R_ARM_ALU_PCREL23_15"),
    (elf::EM_ARM, 102, "R_ARM_THM_JUMP11"),
    (elf::EM_ARM, 103, "R_ARM_THM_JUMP8"),
    (elf::EM_ARM, 132, "R_ARM_THM_ALU_ABS_G0_NC"),
    (elf::EM_ARM, 133, "R_ARM_THM_ALU_ABS_G1_NC"),
    (elf::EM_ARM, 134, "R_ARM_THM_ALU_ABS_G2_NC"),
    (elf::EM_ARM, 135, "R_ARM_THM_ALU_ABS_G3_NC"),
    (elf::EM_ARM, 136, "R_ARM_THM_BF16"),
    (elf::EM_ARM, 137, "R_ARM_THM_BF12"),
    (elf::EM_ARM, 138, "R_ARM_THM_BF18"),
    (elf::EM_ARM, 161, "R_ARM_GOTFUNCDESC"),
    (elf::EM_ARM, 162, "R_ARM_GOTOFFFUNCDESC"),
    (elf::EM_ARM, 163, "R_ARM_FUNCDESC"),
    (elf::EM_ARM, 164, "R_ARM_FUNCDESC_VALUE"),
    (elf::EM_ARM, 165, "R_ARM_TLS_GD32_FDPIC"),
    (elf::EM_ARM, 166, "R_ARM_TLS_LDM32_FDPIC"),
    (elf::EM_ARM, 167, "R_ARM_TLS_IE32_FDPIC"),
    (elf::EM_ARM, 253, "R_ARM_RABS32"),
    // AArch64: the TLS dynamic relocations carry a width suffix in binutils and LLVM;
    // the ILP32 (P32) numbers are missing from `object` apart from 1.
    (elf::EM_AARCH64, 256, "R_AARCH64_NULL"),
    (elf::EM_AARCH64, 1028, "R_AARCH64_TLS_DTPMOD64"),
    (elf::EM_AARCH64, 1029, "R_AARCH64_TLS_DTPREL64"),
    (elf::EM_AARCH64, 1030, "R_AARCH64_TLS_TPREL64"),
    (elf::EM_AARCH64, 2, "R_AARCH64_P32_ABS16"),
    (elf::EM_AARCH64, 3, "R_AARCH64_P32_PREL32"),
    (elf::EM_AARCH64, 4, "R_AARCH64_P32_PREL16"),
    (elf::EM_AARCH64, 5, "R_AARCH64_P32_MOVW_UABS_G0"),
    (elf::EM_AARCH64, 6, "R_AARCH64_P32_MOVW_UABS_G0_NC"),
    (elf::EM_AARCH64, 7, "R_AARCH64_P32_MOVW_UABS_G1"),
    (elf::EM_AARCH64, 8, "R_AARCH64_P32_MOVW_SABS_G0"),
    (elf::EM_AARCH64, 9, "R_AARCH64_P32_LD_PREL_LO19"),
    (elf::EM_AARCH64, 10, "R_AARCH64_P32_ADR_PREL_LO21"),
    (elf::EM_AARCH64, 11, "R_AARCH64_P32_ADR_PREL_PG_HI21"),
    (elf::EM_AARCH64, 12, "R_AARCH64_P32_ADD_ABS_LO12_NC"),
    (elf::EM_AARCH64, 13, "R_AARCH64_P32_LDST8_ABS_LO12_NC"),
    (elf::EM_AARCH64, 14, "R_AARCH64_P32_LDST16_ABS_LO12_NC"),
    (elf::EM_AARCH64, 15, "R_AARCH64_P32_LDST32_ABS_LO12_NC"),
    (elf::EM_AARCH64, 16, "R_AARCH64_P32_LDST64_ABS_LO12_NC"),
    (elf::EM_AARCH64, 17, "R_AARCH64_P32_LDST128_ABS_LO12_NC"),
    (elf::EM_AARCH64, 18, "R_AARCH64_P32_TSTBR14"),
    (elf::EM_AARCH64, 19, "R_AARCH64_P32_CONDBR19"),
    (elf::EM_AARCH64, 20, "R_AARCH64_P32_JUMP26"),
    (elf::EM_AARCH64, 21, "R_AARCH64_P32_CALL26"),
    (elf::EM_AARCH64, 22, "R_AARCH64_P32_MOVW_PREL_G0"),
    (elf::EM_AARCH64, 23, "R_AARCH64_P32_MOVW_PREL_G0_NC"),
    (elf::EM_AARCH64, 24, "R_AARCH64_P32_MOVW_PREL_G1"),
    (elf::EM_AARCH64, 25, "R_AARCH64_P32_GOT_LD_PREL19"),
    (elf::EM_AARCH64, 26, "R_AARCH64_P32_ADR_GOT_PAGE"),
    (elf::EM_AARCH64, 27, "R_AARCH64_P32_LD32_GOT_LO12_NC"),
    (elf::EM_AARCH64, 28, "R_AARCH64_P32_LD32_GOTPAGE_LO14"),
    (elf::EM_AARCH64, 80, "R_AARCH64_P32_TLSGD_ADR_PREL21"),
    (elf::EM_AARCH64, 81, "R_AARCH64_P32_TLSGD_ADR_PAGE21"),
    (elf::EM_AARCH64, 82, "R_AARCH64_P32_TLSGD_ADD_LO12_NC"),
    (elf::EM_AARCH64, 83, "R_AARCH64_P32_TLSLD_ADR_PREL21"),
    (elf::EM_AARCH64, 84, "R_AARCH64_P32_TLSLD_ADR_PAGE21"),
    (elf::EM_AARCH64, 85, "R_AARCH64_P32_TLSLD_ADD_LO12_NC"),
    (elf::EM_AARCH64, 87, "R_AARCH64_P32_TLSLD_MOVW_DTPREL_G1"),
    (elf::EM_AARCH64, 88, "R_AARCH64_P32_TLSLD_MOVW_DTPREL_G0"),
    (elf::EM_AARCH64, 89, "R_AARCH64_P32_TLSLD_MOVW_DTPREL_G0_NC"),
    (elf::EM_AARCH64, 90, "R_AARCH64_P32_TLSLD_ADD_DTPREL_HI12"),
    (elf::EM_AARCH64, 91, "R_AARCH64_P32_TLSLD_ADD_DTPREL_LO12"),
    (
        elf::EM_AARCH64,
        92,
        "R_AARCH64_P32_TLSLD_ADD_DTPREL_LO12_NC",
    ),
    (
        elf::EM_AARCH64,
        103,
        "R_AARCH64_P32_TLSIE_ADR_GOTTPREL_PAGE21",
    ),
    (
        elf::EM_AARCH64,
        104,
        "R_AARCH64_P32_TLSIE_LD32_GOTTPREL_LO12_NC",
    ),
    (
        elf::EM_AARCH64,
        105,
        "R_AARCH64_P32_TLSIE_LD_GOTTPREL_PREL19",
    ),
    (elf::EM_AARCH64, 106, "R_AARCH64_P32_TLSLE_MOVW_TPREL_G1"),
    (elf::EM_AARCH64, 107, "R_AARCH64_P32_TLSLE_MOVW_TPREL_G0"),
    (elf::EM_AARCH64, 108, "R_AARCH64_P32_TLSLE_MOVW_TPREL_G0_NC"),
    (elf::EM_AARCH64, 109, "R_AARCH64_P32_TLSLE_ADD_TPREL_HI12"),
    (elf::EM_AARCH64, 110, "R_AARCH64_P32_TLSLE_ADD_TPREL_LO12"),
    (
        elf::EM_AARCH64,
        111,
        "R_AARCH64_P32_TLSLE_ADD_TPREL_LO12_NC",
    ),
    (elf::EM_AARCH64, 112, "R_AARCH64_P32_TLSLE_LDST8_TPREL_LO12"),
    (
        elf::EM_AARCH64,
        113,
        "R_AARCH64_P32_TLSLE_LDST8_TPREL_LO12_NC",
    ),
    (
        elf::EM_AARCH64,
        114,
        "R_AARCH64_P32_TLSLE_LDST16_TPREL_LO12",
    ),
    (
        elf::EM_AARCH64,
        115,
        "R_AARCH64_P32_TLSLE_LDST16_TPREL_LO12_NC",
    ),
    (
        elf::EM_AARCH64,
        116,
        "R_AARCH64_P32_TLSLE_LDST32_TPREL_LO12",
    ),
    (
        elf::EM_AARCH64,
        117,
        "R_AARCH64_P32_TLSLE_LDST32_TPREL_LO12_NC",
    ),
    (
        elf::EM_AARCH64,
        118,
        "R_AARCH64_P32_TLSLE_LDST64_TPREL_LO12",
    ),
    (
        elf::EM_AARCH64,
        119,
        "R_AARCH64_P32_TLSLE_LDST64_TPREL_LO12_NC",
    ),
    (elf::EM_AARCH64, 122, "R_AARCH64_P32_TLSDESC_LD_PREL19"),
    (elf::EM_AARCH64, 123, "R_AARCH64_P32_TLSDESC_ADR_PREL21"),
    (elf::EM_AARCH64, 124, "R_AARCH64_P32_TLSDESC_ADR_PAGE21"),
    (elf::EM_AARCH64, 125, "R_AARCH64_P32_TLSDESC_LD32_LO12_NC"),
    (elf::EM_AARCH64, 126, "R_AARCH64_P32_TLSDESC_ADD_LO12_NC"),
    (elf::EM_AARCH64, 127, "R_AARCH64_P32_TLSDESC_CALL"),
    // x86: binutils' spelling of the PLT slot relocation, and numbers glibc never named.
    (elf::EM_386, 7, "R_386_JUMP_SLOT"),
    (elf::EM_386, 200, "R_386_USED_BY_INTEL_200"),
    (elf::EM_386, 250, "R_386_GNU_VTINHERIT"),
    (elf::EM_386, 251, "R_386_GNU_VTENTRY"),
    (elf::EM_X86_64, 39, "R_X86_64_PC32_BND"),
    (elf::EM_X86_64, 40, "R_X86_64_PLT32_BND"),
    (elf::EM_X86_64, 250, "R_X86_64_GNU_VTINHERIT"),
    (elf::EM_X86_64, 251, "R_X86_64_GNU_VTENTRY"),
    // Other machines where glibc's name for a shared number is not binutils' one.
    (elf::EM_SPARC, 42, "R_SPARC_UNUSED_42"),
    (elf::EM_SPARC32PLUS, 42, "R_SPARC_UNUSED_42"),
    (elf::EM_SPARCV9, 42, "R_SPARC_UNUSED_42"),
    (elf::EM_PARISC, 26, "R_PARISC_DLTREL21L"),
    (elf::EM_PARISC, 30, "R_PARISC_DLTREL14R"),
    (elf::EM_PARISC, 34, "R_PARISC_DLTIND21L"),
    (elf::EM_PARISC, 38, "R_PARISC_DLTIND14R"),
    (elf::EM_PARISC, 91, "R_PARISC_DLTREL14WR"),
    (elf::EM_PARISC, 92, "R_PARISC_DLTREL14DR"),
    (elf::EM_PARISC, 99, "R_PARISC_DLTIND14WR"),
    (elf::EM_PARISC, 100, "R_PARISC_DLTIND14DR"),
    (elf::EM_PARISC, 128, "R_PARISC_COPY"),
    (elf::EM_PPC64, 37, "R_PPC64_REL30"),
    (elf::EM_SH, 33, "R_SH_DIR16"),
    (elf::EM_SH, 34, "R_SH_DIR8"),
    (elf::EM_SH, 35, "R_SH_DIR8UL"),
    (elf::EM_BPF, 1, "R_BPF_INSN_64"),
    (elf::EM_BPF, 10, "R_BPF_INSN_DISP32"),
    (elf::EM_CSKY, 2, "R_CKCORE_PCREL_IMM8BY4"),
    (elf::EM_CSKY, 3, "R_CKCORE_PCREL_IMM11BY2"),
    (elf::EM_CSKY, 6, "R_CKCORE_PCREL_JSR_IMM11BY2"),
    (elf::EM_ALPHA, 28, "R_ALPHA_BRSGP"),
    (elf::EM_ALPHA, 30, "R_ALPHA_TLSLDM"),
    // Names binutils has and `object` lacks on the other machines Linux runs on
    // (microMIPS, MIPS16, PowerPC VLE and prefixed Power10 instructions, s390 12/24-bit
    // branches).
    (elf::EM_68K, 23, "R_68K_GNU_VTINHERIT"),
    (elf::EM_68K, 24, "R_68K_GNU_VTENTRY"),
    (elf::EM_MIPS, 13, "R_MIPS_UNUSED1"),
    (elf::EM_MIPS, 14, "R_MIPS_UNUSED2"),
    (elf::EM_MIPS, 15, "R_MIPS_UNUSED3"),
    (elf::EM_MIPS, 60, "R_MIPS_PC21_S2"),
    (elf::EM_MIPS, 61, "R_MIPS_PC26_S2"),
    (elf::EM_MIPS, 62, "R_MIPS_PC18_S3"),
    (elf::EM_MIPS, 63, "R_MIPS_PC19_S2"),
    (elf::EM_MIPS, 64, "R_MIPS_PCHI16"),
    (elf::EM_MIPS, 65, "R_MIPS_PCLO16"),
    (elf::EM_MIPS, 100, "R_MIPS16_26"),
    (elf::EM_MIPS, 101, "R_MIPS16_GPREL"),
    (elf::EM_MIPS, 102, "R_MIPS16_GOT16"),
    (elf::EM_MIPS, 103, "R_MIPS16_CALL16"),
    (elf::EM_MIPS, 104, "R_MIPS16_HI16"),
    (elf::EM_MIPS, 105, "R_MIPS16_LO16"),
    (elf::EM_MIPS, 106, "R_MIPS16_TLS_GD"),
    (elf::EM_MIPS, 107, "R_MIPS16_TLS_LDM"),
    (elf::EM_MIPS, 108, "R_MIPS16_TLS_DTPREL_HI16"),
    (elf::EM_MIPS, 109, "R_MIPS16_TLS_DTPREL_LO16"),
    (elf::EM_MIPS, 110, "R_MIPS16_TLS_GOTTPREL"),
    (elf::EM_MIPS, 111, "R_MIPS16_TLS_TPREL_HI16"),
    (elf::EM_MIPS, 112, "R_MIPS16_TLS_TPREL_LO16"),
    (elf::EM_MIPS, 113, "R_MIPS16_PC16_S1"),
    (elf::EM_MIPS, 133, "R_MICROMIPS_26_S1"),
    (elf::EM_MIPS, 134, "R_MICROMIPS_HI16"),
    (elf::EM_MIPS, 135, "R_MICROMIPS_LO16"),
    (elf::EM_MIPS, 136, "R_MICROMIPS_GPREL16"),
    (elf::EM_MIPS, 137, "R_MICROMIPS_LITERAL"),
    (elf::EM_MIPS, 138, "R_MICROMIPS_GOT16"),
    (elf::EM_MIPS, 139, "R_MICROMIPS_PC7_S1"),
    (elf::EM_MIPS, 140, "R_MICROMIPS_PC10_S1"),
    (elf::EM_MIPS, 141, "R_MICROMIPS_PC16_S1"),
    (elf::EM_MIPS, 142, "R_MICROMIPS_CALL16"),
    (elf::EM_MIPS, 145, "R_MICROMIPS_GOT_DISP"),
    (elf::EM_MIPS, 146, "R_MICROMIPS_GOT_PAGE"),
    (elf::EM_MIPS, 147, "R_MICROMIPS_GOT_OFST"),
    (elf::EM_MIPS, 148, "R_MICROMIPS_GOT_HI16"),
    (elf::EM_MIPS, 149, "R_MICROMIPS_GOT_LO16"),
    (elf::EM_MIPS, 150, "R_MICROMIPS_SUB"),
    (elf::EM_MIPS, 151, "R_MICROMIPS_HIGHER"),
    (elf::EM_MIPS, 152, "R_MICROMIPS_HIGHEST"),
    (elf::EM_MIPS, 153, "R_MICROMIPS_CALL_HI16"),
    (elf::EM_MIPS, 154, "R_MICROMIPS_CALL_LO16"),
    (elf::EM_MIPS, 155, "R_MICROMIPS_SCN_DISP"),
    (elf::EM_MIPS, 156, "R_MICROMIPS_JALR"),
    (elf::EM_MIPS, 157, "R_MICROMIPS_HI0_LO16"),
    (elf::EM_MIPS, 162, "R_MICROMIPS_TLS_GD"),
    (elf::EM_MIPS, 163, "R_MICROMIPS_TLS_LDM"),
    (elf::EM_MIPS, 164, "R_MICROMIPS_TLS_DTPREL_HI16"),
    (elf::EM_MIPS, 165, "R_MICROMIPS_TLS_DTPREL_LO16"),
    (elf::EM_MIPS, 166, "R_MICROMIPS_TLS_GOTTPREL"),
    (elf::EM_MIPS, 169, "R_MICROMIPS_TLS_TPREL_HI16"),
    (elf::EM_MIPS, 170, "R_MICROMIPS_TLS_TPREL_LO16"),
    (elf::EM_MIPS, 172, "R_MICROMIPS_GPREL7_S2"),
    (elf::EM_MIPS, 173, "R_MICROMIPS_PC23_S2"),
    (elf::EM_MIPS, 248, "R_MIPS_PC32"),
    (elf::EM_MIPS, 249, "R_MIPS_EH"),
    (elf::EM_MIPS, 250, "R_MIPS_GNU_REL16_S2"),
    (elf::EM_MIPS, 253, "R_MIPS_GNU_VTINHERIT"),
    (elf::EM_MIPS, 254, "R_MIPS_GNU_VTENTRY"),
    (elf::EM_PPC, 37, "R_PPC_ADDR30"),
    (elf::EM_PPC, 119, "R_PPC_PLTSEQ"),
    (elf::EM_PPC, 120, "R_PPC_PLTCALL"),
    (elf::EM_PPC, 216, "R_PPC_VLE_REL8"),
    (elf::EM_PPC, 217, "R_PPC_VLE_REL15"),
    (elf::EM_PPC, 218, "R_PPC_VLE_REL24"),
    (elf::EM_PPC, 219, "R_PPC_VLE_LO16A"),
    (elf::EM_PPC, 220, "R_PPC_VLE_LO16D"),
    (elf::EM_PPC, 221, "R_PPC_VLE_HI16A"),
    (elf::EM_PPC, 222, "R_PPC_VLE_HI16D"),
    (elf::EM_PPC, 223, "R_PPC_VLE_HA16A"),
    (elf::EM_PPC, 224, "R_PPC_VLE_HA16D"),
    (elf::EM_PPC, 225, "R_PPC_VLE_SDA21"),
    (elf::EM_PPC, 226, "R_PPC_VLE_SDA21_LO"),
    (elf::EM_PPC, 227, "R_PPC_VLE_SDAREL_LO16A"),
    (elf::EM_PPC, 228, "R_PPC_VLE_SDAREL_LO16D"),
    (elf::EM_PPC, 229, "R_PPC_VLE_SDAREL_HI16A"),
    (elf::EM_PPC, 230, "R_PPC_VLE_SDAREL_HI16D"),
    (elf::EM_PPC, 231, "R_PPC_VLE_SDAREL_HA16A"),
    (elf::EM_PPC, 232, "R_PPC_VLE_SDAREL_HA16D"),
    (elf::EM_PPC, 233, "R_PPC_VLE_ADDR20"),
    (elf::EM_PPC, 246, "R_PPC_REL16DX_HA"),
    (elf::EM_PPC, 253, "R_PPC_GNU_VTINHERIT"),
    (elf::EM_PPC, 254, "R_PPC_GNU_VTENTRY"),
    (elf::EM_PPC64, 116, "R_PPC64_REL24_NOTOC"),
    (elf::EM_PPC64, 117, "R_PPC64_ADDR64_LOCAL"),
    (elf::EM_PPC64, 118, "R_PPC64_ENTRY"),
    (elf::EM_PPC64, 119, "R_PPC64_PLTSEQ"),
    (elf::EM_PPC64, 120, "R_PPC64_PLTCALL"),
    (elf::EM_PPC64, 121, "R_PPC64_PLTSEQ_NOTOC"),
    (elf::EM_PPC64, 122, "R_PPC64_PLTCALL_NOTOC"),
    (elf::EM_PPC64, 123, "R_PPC64_PCREL_OPT"),
    (elf::EM_PPC64, 124, "R_PPC64_REL24_P9NOTOC"),
    (elf::EM_PPC64, 128, "R_PPC64_D34"),
    (elf::EM_PPC64, 129, "R_PPC64_D34_LO"),
    (elf::EM_PPC64, 130, "R_PPC64_D34_HI30"),
    (elf::EM_PPC64, 131, "R_PPC64_D34_HA30"),
    (elf::EM_PPC64, 132, "R_PPC64_PCREL34"),
    (elf::EM_PPC64, 133, "R_PPC64_GOT_PCREL34"),
    (elf::EM_PPC64, 134, "R_PPC64_PLT_PCREL34"),
    (elf::EM_PPC64, 135, "R_PPC64_PLT_PCREL34_NOTOC"),
    (elf::EM_PPC64, 136, "R_PPC64_ADDR16_HIGHER34"),
    (elf::EM_PPC64, 137, "R_PPC64_ADDR16_HIGHERA34"),
    (elf::EM_PPC64, 138, "R_PPC64_ADDR16_HIGHEST34"),
    (elf::EM_PPC64, 139, "R_PPC64_ADDR16_HIGHESTA34"),
    (elf::EM_PPC64, 140, "R_PPC64_REL16_HIGHER34"),
    (elf::EM_PPC64, 141, "R_PPC64_REL16_HIGHERA34"),
    (elf::EM_PPC64, 142, "R_PPC64_REL16_HIGHEST34"),
    (elf::EM_PPC64, 143, "R_PPC64_REL16_HIGHESTA34"),
    (elf::EM_PPC64, 144, "R_PPC64_D28"),
    (elf::EM_PPC64, 145, "R_PPC64_PCREL28"),
    (elf::EM_PPC64, 146, "R_PPC64_TPREL34"),
    (elf::EM_PPC64, 147, "R_PPC64_DTPREL34"),
    (elf::EM_PPC64, 148, "R_PPC64_GOT_TLSGD_PCREL34"),
    (elf::EM_PPC64, 149, "R_PPC64_GOT_TLSLD_PCREL34"),
    (elf::EM_PPC64, 150, "R_PPC64_GOT_TPREL_PCREL34"),
    (elf::EM_PPC64, 151, "R_PPC64_GOT_DTPREL_PCREL34"),
    (elf::EM_PPC64, 240, "R_PPC64_REL16_HIGH"),
    (elf::EM_PPC64, 241, "R_PPC64_REL16_HIGHA"),
    (elf::EM_PPC64, 242, "R_PPC64_REL16_HIGHER"),
    (elf::EM_PPC64, 243, "R_PPC64_REL16_HIGHERA"),
    (elf::EM_PPC64, 244, "R_PPC64_REL16_HIGHEST"),
    (elf::EM_PPC64, 245, "R_PPC64_REL16_HIGHESTA"),
    (elf::EM_PPC64, 246, "R_PPC64_REL16DX_HA"),
    (elf::EM_PPC64, 253, "R_PPC64_GNU_VTINHERIT"),
    (elf::EM_PPC64, 254, "R_PPC64_GNU_VTENTRY"),
    (elf::EM_S390, 62, "R_390_PC12DBL"),
    (elf::EM_S390, 63, "R_390_PLT12DBL"),
    (elf::EM_S390, 64, "R_390_PC24DBL"),
    (elf::EM_S390, 65, "R_390_PLT24DBL"),
    (elf::EM_S390, 250, "R_390_GNU_VTINHERIT"),
    (elf::EM_S390, 251, "R_390_GNU_VTENTRY"),
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
        .find(|&&(m, t, _)| m.0 == machine && t == r_type)
        .map(|&(_, _, name)| name)
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
        for (i, a) in OVERRIDES.iter().enumerate() {
            for b in &OVERRIDES[i + 1..] {
                assert!((a.0 .0, a.1) != (b.0 .0, b.1), "duplicate override {a:?}");
            }
        }
    }
}
