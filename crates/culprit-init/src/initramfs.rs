//! The initramfs `culprit init` gives a Linux boot test: one static `/init` that prints
//! the success marker and powers the machine off, and the `/dev/console` node the kernel
//! opens for it. Written here as a cpio "newc" archive so that making it needs neither
//! root (for the device node) nor a `cpio` program, and works for every architecture.

/// What `/init` prints when userspace runs: the test's success marker.
pub const SUCCESS_MARKER: &str = "CULPRIT-BOOT-OK";

/// The init program, in C with raw system calls so that it builds with a bare cross
/// compiler (Debian's `gcc-aarch64-linux-gnu` comes without a C library for the target).
/// A failed power-off must not return from init (the kernel would panic), so it waits.
pub const INIT_SOURCE: &str = r#"/* The whole userspace of culprit's boot test (written by `culprit init`):
 * print the success marker, then power off. Built with -nostdlib -static. */

/* sys4 where a call takes its number and four arguments in registers of the ABI's choice
 * and traps with one instruction: only those registers and the instruction differ. */
#define REGISTER_SYS4(nr_reg, r0_reg, r1_reg, r2_reg, r3_reg, trap)                      \
	static long sys4(long n, long a, long b, long c, long d)                           \
	{                                                                                  \
		register long nr __asm__(nr_reg) = n;                                      \
		register long r0 __asm__(r0_reg) = a;                                      \
		register long r1 __asm__(r1_reg) = b;                                      \
		register long r2 __asm__(r2_reg) = c;                                      \
		register long r3 __asm__(r3_reg) = d;                                      \
		__asm__ volatile(trap : "+r"(r0) : "r"(nr), "r"(r1), "r"(r2), "r"(r3)      \
				 : "memory");                                              \
		return r0;                                                                 \
	}

#if defined(__x86_64__)
#define SYS_WRITE 1
#define SYS_REBOOT 169
static long sys4(long n, long a, long b, long c, long d)
{
	long ret;
	register long r10 __asm__("r10") = d;
	__asm__ volatile("syscall" : "=a"(ret) : "a"(n), "D"(a), "S"(b), "d"(c), "r"(r10)
			 : "rcx", "r11", "memory");
	return ret;
}
#elif defined(__aarch64__) || (defined(__riscv) && __riscv_xlen == 64)
#define SYS_WRITE 64
#define SYS_REBOOT 142
#if defined(__aarch64__)
REGISTER_SYS4("x8", "x0", "x1", "x2", "x3", "svc #0")
#else
REGISTER_SYS4("a7", "a0", "a1", "a2", "a3", "ecall")
#endif
#elif defined(__arm__)
#define SYS_WRITE 4
#define SYS_REBOOT 88
REGISTER_SYS4("r7", "r0", "r1", "r2", "r3", "svc #0")
#else
#error "culprit's init knows x86_64, arm64, riscv64 and arm"
#endif

static const char message[] = "\nculprit: /init is running\n" MARKER "\n";

__attribute__((noreturn)) void _start(void)
{
	sys4(SYS_WRITE, 1, (long)message, sizeof message - 1, 0);
	/* reboot(LINUX_REBOOT_MAGIC1, LINUX_REBOOT_MAGIC2, LINUX_REBOOT_CMD_POWER_OFF) */
	sys4(SYS_REBOOT, 0xfee1deadL, 672274793L, 0x4321fedcL, 0);
	for (;;)
		;
}
"#;

/// Compiler flags for [`INIT_SOURCE`]: no C library, no start files, a static image.
pub const INIT_CFLAGS: &[&str] = &[
    "-Os",
    "-static",
    "-nostdlib",
    "-ffreestanding",
    "-fno-stack-protector",
    "-fno-asynchronous-unwind-tables",
    "-fno-pie",
    "-no-pie",
];

/// The `-D` flag that puts the success marker into the init program.
pub fn marker_define() -> String {
    format!("-DMARKER=\"{SUCCESS_MARKER}\"")
}

/// One member of the archive.
enum Entry<'a> {
    Dir(&'a str),
    CharDevice {
        path: &'a str,
        major: u32,
        minor: u32,
    },
    Executable {
        path: &'a str,
        bytes: &'a [u8],
    },
}

/// The archive: `/dev`, `/dev/console` (character device 5:1) and `/init`.
pub fn archive(init: &[u8]) -> Vec<u8> {
    let entries = [
        Entry::Dir("dev"),
        Entry::CharDevice {
            path: "dev/console",
            major: 5,
            minor: 1,
        },
        Entry::Executable {
            path: "init",
            bytes: init,
        },
    ];
    let mut out = Vec::new();
    for (index, entry) in entries.iter().enumerate() {
        let inode = index as u32 + 1;
        match entry {
            Entry::Dir(path) => member(&mut out, inode, 0o040755, (0, 0), path, &[]),
            Entry::CharDevice { path, major, minor } => {
                member(&mut out, inode, 0o020600, (*major, *minor), path, &[])
            }
            Entry::Executable { path, bytes } => {
                member(&mut out, inode, 0o100755, (0, 0), path, bytes)
            }
        }
    }
    member(&mut out, 0, 0, (0, 0), "TRAILER!!!", &[]);
    out
}

/// Appends one newc header, name and data, each padded to four bytes.
fn member(out: &mut Vec<u8>, inode: u32, mode: u32, rdev: (u32, u32), name: &str, data: &[u8]) {
    let fields = [
        inode,
        mode,
        0, // uid
        0, // gid
        1, // nlink
        0, // mtime: fixed, so the archive is the same on every run
        data.len() as u32,
        0, // devmajor
        0, // devminor
        rdev.0,
        rdev.1,
        name.len() as u32 + 1,
        0, // check
    ];
    out.extend_from_slice(b"070701");
    for field in fields {
        out.extend_from_slice(format!("{field:08x}").as_bytes());
    }
    out.extend_from_slice(name.as_bytes());
    out.push(0);
    pad(out);
    out.extend_from_slice(data);
    pad(out);
}

fn pad(out: &mut Vec<u8>) {
    while !out.len().is_multiple_of(4) {
        out.push(0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// One member read back: name, mode, device number, data.
    type Member = (String, u32, (u32, u32), Vec<u8>);

    /// Reads a newc archive back.
    fn members(mut bytes: &[u8]) -> Vec<Member> {
        let mut found = Vec::new();
        let mut offset = 0usize;
        loop {
            assert_eq!(&bytes[..6], b"070701", "magic at offset {offset}");
            let field = |i: usize| {
                let text = std::str::from_utf8(&bytes[6 + i * 8..14 + i * 8]).unwrap();
                u32::from_str_radix(text, 16).unwrap()
            };
            let (mode, size, rdev, namesize) = (
                field(1),
                field(6) as usize,
                (field(9), field(10)),
                field(11) as usize,
            );
            let name_end = 110 + namesize;
            let name = String::from_utf8(bytes[110..name_end - 1].to_vec()).unwrap();
            let data_start = name_end.div_ceil(4) * 4;
            let data = bytes[data_start..data_start + size].to_vec();
            let next = (data_start + size).div_ceil(4) * 4;
            offset += next;
            bytes = &bytes[next..];
            if name == "TRAILER!!!" {
                assert!(bytes.is_empty(), "nothing after the trailer");
                return found;
            }
            found.push((name, mode, rdev, data));
        }
    }

    #[test]
    fn the_archive_holds_the_console_node_and_the_init_program() {
        let init = b"\x7fELF pretend program of odd length";
        let read = members(&archive(init));
        let names: Vec<&str> = read.iter().map(|m| m.0.as_str()).collect();
        assert_eq!(names, ["dev", "dev/console", "init"]);
        assert_eq!(read[1].1, 0o020600, "a character device");
        assert_eq!(read[1].2, (5, 1), "the console's device number");
        assert_eq!(read[2].1 & 0o777, 0o755, "init is executable");
        assert_eq!(read[2].3, init.to_vec());
    }

    #[test]
    fn the_archive_is_the_same_every_time() {
        assert_eq!(archive(b"abc"), archive(b"abc"));
        assert_ne!(archive(b"abc"), archive(b"abd"));
    }
}
