//! Assembler sources of the test fixtures, one per machine, each with a spread of
//! relocation types; and the shapes of seed 002.

/// ARM and Thumb code with absolute MOVW/MOVT, calls, jumps, literal pools and data.
pub const ARM_MIXED: &str = r#"
    .syntax unified
    .text
    .arm
    .globl arm_entry
    .type arm_entry,%function
arm_entry:
    movw r0, #:lower16:table
    movt r0, #:upper16:table
    bl extern_fn
    b local_label
local_label:
    ldr r1, =table
    ldr r2, =extern_data
    bx lr
    .ltorg
    .thumb
    .globl thumb_entry
    .type thumb_entry,%function
    .thumb_func
thumb_entry:
    movw r0, #:lower16:extern_data
    movt r0, #:upper16:extern_data
    bl extern_fn
    b.w extern_fn
    bx lr
    .data
table:
    .word arm_entry, extern_data
    .word thumb_entry - .
"#;

pub const AARCH64_MIXED: &str = r#"
    .text
    .globl a64_entry
    .type a64_entry,%function
a64_entry:
    adrp x0, table
    add x0, x0, :lo12:table
    ldr x1, [x0, #:lo12:table]
    bl extern_fn
    b extern_fn
    movz x2, #:abs_g1:table
    movk x2, #:abs_g0_nc:table
    adrp x3, :got:extern_data
    ldr x3, [x3, #:got_lo12:extern_data]
    ret
    .data
table:
    .xword a64_entry, extern_data
    .word extern_data - .
"#;

pub const RISCV64_MIXED: &str = r#"
    .text
    .globl rv_entry
    .type rv_entry,@function
rv_entry:
    call extern_fn
    lui a0, %hi(table)
    addi a0, a0, %lo(table)
    la a1, extern_data
    tail extern_fn
    .data
table:
    .dword rv_entry, extern_data
"#;

pub const X86_64_MIXED: &str = r#"
    .text
    .globl x86_entry
    .type x86_entry,@function
x86_entry:
    call extern_fn
    call extern_fn@PLT
    movq extern_data@GOTPCREL(%rip), %rax
    leaq table(%rip), %rcx
    movl $table, %edx
    movabsq $table, %rax
    ret
    .data
table:
    .quad x86_entry, extern_data
"#;

/// A shared library: once linked, its relocations are dynamic ones (`.rela.dyn`,
/// `.rela.plt`), which readelf lists and culprit must count too.
pub const SHARED_LIBRARY_C: &str = r#"
extern int extern_data;
extern void extern_fn(void);
static int local_value = 3;
int *pointers[] = { &extern_data, &local_value };
void (*callback)(void) = extern_fn;
int exported(void) { extern_fn(); return extern_data + local_value; }
"#;

/// The start of seed 002's mutex unlock function, before and after the fix.
const MUTEX_UNLOCK_START: &str = "    .syntax unified\n    .text\n    .arm\n    .globl synth_k_mutex_unlock_body\n    .type synth_k_mutex_unlock_body,%function\nsynth_k_mutex_unlock_body:\n";

/// Seed 002 before the fix (synth < 0.11.43): a 64 KiB wasm linear memory in `.data`,
/// 22 MOVW/MOVT relocations against a data symbol, helpers exported as globals.
pub fn seed_002_mutex_bad() -> String {
    let mut s = String::from(MUTEX_UNLOCK_START);
    for _ in 0..11 {
        s.push_str("    movw r1, #:lower16:__synth_globals\n    movt r1, #:upper16:__synth_globals\n    ldr r0, [r1]\n");
    }
    s.push_str("    bl func_7\n    bl func_8\n    bx lr\n");
    s.push_str(HELPERS_GLOBAL);
    s.push_str(
        "    .data\n    .globl __synth_wasm_data\n__synth_wasm_data:\n    .space 65544\n__synth_globals:\n    .word 0\n",
    );
    s
}

/// The same module after the fix: `.data` of 4 bytes, linear memory in `.bss`, the
/// global reached through literal-pool words (R_ARM_ABS32), helpers local.
pub fn seed_002_mutex_good() -> String {
    let mut s = String::from(MUTEX_UNLOCK_START);
    for _ in 0..11 {
        s.push_str("    ldr r1, =__synth_globals\n    ldr r0, [r1]\n");
    }
    s.push_str("    bl func_7\n    bl func_8\n    bx lr\n    .ltorg\n");
    s.push_str(
        &HELPERS_GLOBAL
            .replace("    .globl func_7\n", "")
            .replace("    .globl func_8\n", ""),
    );
    s.push_str(
        "    .data\n__synth_globals:\n    .word 0\n    .bss\n    .globl __synth_wasm_data\n__synth_wasm_data:\n    .space 65536\n",
    );
    s
}

/// The sem module shipped before the mutex one: the same synth helpers, exported too.
pub fn seed_002_sem() -> String {
    let mut s = String::from(
        "    .syntax unified\n    .text\n    .arm\n    .globl synth_k_sem_give_body\n    .type synth_k_sem_give_body,%function\nsynth_k_sem_give_body:\n    bl func_7\n    bl func_8\n    bx lr\n",
    );
    s.push_str(HELPERS_GLOBAL);
    s
}

const HELPERS_GLOBAL: &str = "    .globl func_7\n    .type func_7,%function\nfunc_7:\n    bx lr\n    .globl func_8\n    .type func_8,%function\nfunc_8:\n    bx lr\n";

/// Symbols a linker accepts more than once, defined identically in two objects,
/// next to one strong global and one absolute symbol that it does not.
pub const LINKER_TOLERATED: &str = r#"
    .text
    .globl strong_fn
strong_fn:
    ret
    .weak weak_fn
weak_fn:
    ret
    .section .text.inline_fn,"axG",@progbits,inline_fn,comdat
    .globl inline_fn
inline_fn:
    ret
    .text
    call undefined_fn
    .comm common_buf,64,8
    .globl abs_sym
    .set abs_sym, 0x10
    .local private_fn
private_fn:
    ret
"#;
