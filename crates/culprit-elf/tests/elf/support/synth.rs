//! A minimal relocatable ELF written byte by byte, so a test can put any relocation
//! type number in front of readelf, including numbers no assembler would emit.

/// ELF class of the synthetic object: the width of `r_info` decides how many bits a
/// relocation type can have, so the name table must be checked in the right class.
#[derive(Clone, Copy, Debug)]
pub enum Class {
    Elf32,
    Elf64,
}

/// A little-endian `ET_REL` object for `machine` with one `.text` section and one
/// relocation section (REL for 32-bit, RELA for 64-bit) holding one entry per raw
/// `r_info` value, all against symbol 0.
pub fn relocatable_with_relocations(machine: u16, class: Class, r_infos: &[u64]) -> Vec<u8> {
    let wide = matches!(class, Class::Elf64);
    let (ehsize, shentsize, symsize, relsize) = if wide {
        (64usize, 64usize, 24usize, 24usize)
    } else {
        (52, 40, 16, 8)
    };
    let rel_name: &[u8] = if wide {
        b".rela.text\0"
    } else {
        b".rel.text\0"
    };
    let mut shstrtab = b"\0.text\0.symtab\0.strtab\0".to_vec();
    let rel_name_offset = shstrtab.len() as u32;
    shstrtab.extend_from_slice(rel_name);
    let shstrtab_name_offset = shstrtab.len() as u32;
    shstrtab.extend_from_slice(b".shstrtab\0");

    let text_off = ehsize;
    let text_size = 16;
    let symtab_off = text_off + text_size;
    let strtab_off = symtab_off + symsize;
    let rel_off = strtab_off + 1;
    let rel_size = relsize * r_infos.len();
    let shstrtab_off = rel_off + rel_size;
    let sh_off = (shstrtab_off + shstrtab.len() + 7) & !7;

    let mut out = Vec::new();
    out.extend_from_slice(&[0x7f, b'E', b'L', b'F', if wide { 2 } else { 1 }, 1, 1, 0]);
    out.extend_from_slice(&[0; 8]);
    push16(&mut out, 1);
    push16(&mut out, machine);
    push32(&mut out, 1);
    push_word(&mut out, wide, 0);
    push_word(&mut out, wide, 0);
    push_word(&mut out, wide, sh_off as u64);
    push32(&mut out, 0);
    push16(&mut out, ehsize as u16);
    push16(&mut out, 0);
    push16(&mut out, 0);
    push16(&mut out, shentsize as u16);
    push16(&mut out, 6);
    push16(&mut out, 5);
    assert_eq!(out.len(), ehsize);

    out.extend_from_slice(&[0; 16]);
    out.extend(std::iter::repeat_n(0u8, symsize));
    out.push(0);
    for &info in r_infos {
        push_word(&mut out, wide, 0);
        push_word(&mut out, wide, info);
        if wide {
            push_word(&mut out, wide, 0);
        }
    }
    out.extend_from_slice(&shstrtab);
    out.resize(sh_off, 0);

    let rel_type = if wide { 4 } else { 9 };
    let headers: [SectionHeader; 6] = [
        (0, 0, 0, 0, 0, 0, 0, 0, 0),
        (1, 1, 6, text_off, text_size, 0, 0, 4, 0),
        (7, 2, 0, symtab_off, symsize, 3, 1, 8, symsize),
        (15, 3, 0, strtab_off, 1, 0, 0, 1, 0),
        (
            rel_name_offset,
            rel_type,
            0x40,
            rel_off,
            rel_size,
            2,
            1,
            8,
            relsize,
        ),
        (
            shstrtab_name_offset,
            3,
            0,
            shstrtab_off,
            shstrtab.len(),
            0,
            0,
            1,
            0,
        ),
    ];
    for (name, kind, flags, offset, size, link, info, align, entsize) in headers {
        push32(&mut out, name);
        push32(&mut out, kind);
        push_word(&mut out, wide, flags);
        push_word(&mut out, wide, 0);
        push_word(&mut out, wide, offset as u64);
        push_word(&mut out, wide, size as u64);
        push32(&mut out, link);
        push32(&mut out, info);
        push_word(&mut out, wide, align);
        push_word(&mut out, wide, entsize as u64);
    }
    out
}

/// name, type, flags, offset, size, link, info, alignment, entry size.
type SectionHeader = (u32, u32, u64, usize, usize, u32, u32, u64, usize);

/// `r_info` for symbol 0 and the given type in the given class.
pub fn r_info(class: Class, r_type: u32) -> u64 {
    match class {
        Class::Elf32 => u64::from(r_type & 0xff),
        Class::Elf64 => u64::from(r_type),
    }
}

fn push16(out: &mut Vec<u8>, v: u16) {
    out.extend_from_slice(&v.to_le_bytes());
}

fn push32(out: &mut Vec<u8>, v: u32) {
    out.extend_from_slice(&v.to_le_bytes());
}

fn push_word(out: &mut Vec<u8>, wide: bool, v: u64) {
    if wide {
        out.extend_from_slice(&v.to_le_bytes());
    } else {
        out.extend_from_slice(&(v as u32).to_le_bytes());
    }
}
