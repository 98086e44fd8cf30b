//! Stack-aware titles: which function a crash report blames.
//!
//! A report names many functions, and most of them are machinery: the code that
//! printed the report (`dump_stack_lvl`, `__warn`), the checker that noticed the
//! bug (`kasan_report`, `refcount_warn_saturate`, `__list_add_valid`), the helper
//! the buggy code called (`memcpy`, `_copy_to_user`, `mutex_lock`), the fault
//! entry code or the interrupt that raised it. A kernel engineer reads past all
//! of these to the first function that is the bug's own, and the title names it,
//! so that the same bug gives the same title whichever helper it went through and
//! two bugs in two functions never share one.
//!
//! A [`Stack`] follows the lines after a report's header, within a bounded
//! window: the header's own function (`WARNING: ... at f.c:1 f+0x1/0x2`), the
//! program-counter lines (`RIP:`, `pc :`, `lr :`, `PC is at`, `EIP:`, `epc :`,
//! `NIP`), then the frames of the first `Call Trace:` (x86, with `? ` unreliable
//! frames and `<IRQ>`/`<TASK>` markers), `Call trace:` (arm64, riscv),
//! `backtrace:` (kmemleak), FreeBSD and NetBSD `f() at f+0x1` tracebacks and Go
//! goroutine traces. Which function a report blames is `blame`'s to say.

use crate::blame::Named;
pub(crate) use crate::blame::Pick;
pub(crate) use origin::Origin;

mod lines;
mod origin;

pub(crate) use lines::program_counter;
use lines::{frame, is_trace_header, symbolized, wild_program_counter, Frame};

/// What joins a title's class and function.
const IN: &str = " in ";

/// Frames kept per report; the blamed function is nearly always within the
/// first twenty, and a runaway recursion must not grow memory.
const MAX_FRAMES: usize = 64;
/// Program-counter lines kept before the trace (pc and lr, or one RIP per
/// register dump).
const MAX_REGISTERS: usize = 4;
/// Lines a report may take before its title is final. A lockdep report prints
/// the whole dependency chain before its `stack backtrace:`; a hundred-odd lines
/// is the longest seen.
pub(crate) const REPORT_LINES: u16 = 400;

/// The frames of one report, collected line by line until the title is final.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Stack {
    pick: Pick,
    header: Option<String>,
    registers: Vec<String>,
    frames: Vec<String>,
    /// Where lockdep says a held lock was taken (`#0: ... (name){+.+.}-{2:2}, at:
    /// f+0x1/0x2`): the last resort of a lockdep report without a trace of its own.
    held: Vec<String>,
    /// The last line ended in `at:` (`is trying to release lock (l) at:`): the
    /// next names where.
    held_next: bool,
    in_trace: bool,
    lines_left: u16,
    /// `Read`/`Write` of a KASAN report, from the line after its header.
    access: Option<&'static str>,
    wants_access: bool,
    /// A firmware fault dump, read by its own rules.
    dump: Option<Dump>,
    /// Where the header line came from: lines from elsewhere are another
    /// task's output interleaved with the report, not part of it.
    origin: Origin,
    /// The header names where the report was printed, not what went wrong
    /// (`WARNING: ... at f.c:1 f+0x1`): without registers or frames after it,
    /// the report was cut short and is corrupted.
    header_needs_trace: bool,
    /// See [`Stack::with_debugger_trace`].
    debugger_trace: bool,
    /// See [`Stack::with_frames_next`].
    headerless: bool,
    /// See [`Stack::joiner`].
    joiner: &'static str,
    /// See [`Stack::by_message_if_go`].
    go_message: bool,
    /// A goroutine trace (`goroutine 1 [running]:`) was read.
    goroutine: bool,
    /// See [`Stack::or_titled`].
    untraced: Option<String>,
    /// Lines since the last frame that are no part of a trace: one is
    /// another task's message printed in the middle (`used greatest stack
    /// depth`), two end the trace.
    strays: u8,
    /// The program counter was a bare address (see [`Named::wild`]).
    wild: bool,
}

/// What a firmware fault dump (Zephyr's `***** USAGE FAULT *****` and the lines
/// after it, up to `>>> ZEPHYR FATAL ERROR`) says besides its banner: the reason on
/// the next line, and the faulting function where a line names it symbolized
/// (Zephyr's own `[f+0x1c]` with `CONFIG_SYMTAB`, or `addr2line -f -p`'s
/// `0x080003f4: f at file.c:12` for the faulting address). A dump that names no
/// function is complete without one, not corrupted: firmware rarely symbolizes.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
struct Dump {
    reason: Option<String>,
    /// Lines read so far: the reason is the first one, if indented.
    read: u16,
    /// `Faulting instruction address (r15/pc): 0x080003f4`, as printed.
    fault_address: Option<String>,
}

/// Lines a firmware fault dump may take: registers, the faulting address and
/// a short call trace come before the fatal error line.
const DUMP_LINES: u16 = 64;

/// What one more line did to a stack.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Progress {
    More,
    Done,
}

impl Stack {
    pub(crate) fn new(pick: Pick, header: Option<&str>) -> Stack {
        Stack {
            pick,
            header: header.map(clean),
            registers: Vec::new(),
            frames: Vec::new(),
            held: Vec::new(),
            held_next: false,
            in_trace: false,
            lines_left: REPORT_LINES,
            access: None,
            wants_access: false,
            dump: None,
            origin: Origin::default(),
            header_needs_trace: false,
            debugger_trace: false,
            headerless: false,
            joiner: IN,
            go_message: false,
            goroutine: false,
            untraced: None,
            strays: 0,
            wild: false,
        }
    }

    /// Whether a line from `origin` may belong to this report.
    pub(crate) fn admits(&self, origin: &Origin) -> bool {
        self.origin.admits(origin)
    }

    /// See `header_needs_trace`.
    pub(crate) fn needing_trace(mut self) -> Stack {
        self.header_needs_trace = true;
        self
    }

    /// The report's header came from `origin` (see [`Origin`]), unless its
    /// traceback comes from elsewhere by design.
    pub(crate) fn from(mut self, origin: Origin) -> Stack {
        if !self.debugger_trace {
            self.origin = origin;
        }
        self
    }

    /// A BSD kernel stamps its message but not its debugger's traceback: the
    /// report's lines are read whatever their origin.
    pub(crate) fn with_debugger_trace(mut self) -> Stack {
        self.debugger_trace = true;
        self
    }

    /// A firmware fault dump after its banner.
    pub(crate) fn firmware() -> Stack {
        Stack {
            lines_left: DUMP_LINES,
            dump: Some(Dump::default()),
            ..Stack::new(Pick::First, None)
        }
    }

    /// What a firmware dump said the fault was (`Attempt to execute undefined
    /// instruction`).
    pub(crate) fn reason(&self) -> Option<&str> {
        self.dump.as_ref().and_then(|d| d.reason.as_deref())
    }

    /// A firmware dump that named no function is still a whole report, and
    /// so is a Go panic titled by its message, or a panic whose message
    /// names the bug (see [`Pick::Raiser`]).
    pub(crate) fn may_lack_function(&self) -> bool {
        self.dump.is_some()
            || self.joiner != IN
            || self.by_message()
            || self.pick == Pick::Raiser && crate::blame::raised_by_own_code(&self.named())
    }

    /// A `panic:` that turns out to be the Go runtime's (a goroutine trace
    /// follows) is titled by its message alone, as gVisor's engineers and
    /// syzkaller title them: the message names the failure, and the goroutine
    /// that raised it is the same for many (`switchToApp` for every ptrace
    /// error).
    pub(crate) fn by_message_if_go(mut self) -> Stack {
        self.go_message = true;
        self
    }

    /// A report that is whole without a trace (Zircon halts on a double fault
    /// before it can print one) is titled `title` when it names no function,
    /// rather than corrupted.
    pub(crate) fn or_titled(mut self, title: String) -> Stack {
        self.untraced = Some(title);
        self
    }

    /// See [`Stack::or_titled`].
    pub(crate) fn untraced(&self) -> Option<&str> {
        self.untraced.as_deref()
    }

    fn by_message(&self) -> bool {
        self.go_message && self.goroutine
    }

    /// What joins the class and the function in the title: ` in `, or OpenBSD's
    /// `: ` (`uvm_fault: f`), whose reports stand without a function too.
    pub(crate) fn joiner(&self) -> &'static str {
        self.joiner
    }

    /// See [`Stack::joiner`].
    pub(crate) fn joined_by(mut self, joiner: &'static str) -> Stack {
        self.joiner = joiner;
        self
    }

    /// A KASAN report: its title says whether the bad access read or wrote.
    pub(crate) fn with_access(mut self) -> Stack {
        self.wants_access = true;
        self
    }

    /// A report whose frames start on the next line, without a trace header.
    pub(crate) fn with_frames_next(mut self) -> Stack {
        self.in_trace = true;
        self.headerless = true;
        self
    }

    /// Whether the report's trace has begun: a header that comes before it
    /// (`Oops:` after `BUG: unable to handle` and its `IP:` line, `invalid opcode`
    /// after `kernel BUG at`, NetBSD's `kernel: page fault trap` before its
    /// header-less traceback) belongs to the same report.
    pub(crate) fn started(&self) -> bool {
        !self.frames.is_empty()
    }

    /// Reads one more line of the console; a line from another origin than
    /// the header's is skipped.
    pub(crate) fn line(&mut self, text: &str) -> Progress {
        self.lines_left = self.lines_left.saturating_sub(1);
        let progress = match self.origin.admits(&Origin::of(text)) {
            true => self.read(Origin::without_thread(crate::normalize::body(text))),
            false => Progress::More,
        };
        if self.lines_left == 0 || self.frames.len() >= MAX_FRAMES {
            return Progress::Done;
        }
        progress
    }

    fn read(&mut self, body: &str) -> Progress {
        if self.dump.is_some() {
            return self.read_dump(body);
        }
        if self.wants_access && self.access.is_none() {
            // `Read of size 8 at addr`, and arm64 tag checks' `Read at addr`
            if body.starts_with("Read of size") || body.starts_with("Read at addr") {
                self.access = Some("Read");
            } else if body.starts_with("Write of size") || body.starts_with("Write at addr") {
                self.access = Some("Write");
            }
        }
        if is_trace_header(body) {
            self.goroutine |= body.starts_with("goroutine ");
            if self.in_trace && !self.frames.is_empty() {
                return self.trace_ended();
            }
            self.in_trace = true;
            return Progress::More;
        }
        if !self.in_trace && wild_program_counter(body) {
            self.wild = true;
            return Progress::More;
        }
        if let Some(func) = program_counter(body) {
            if self.in_trace {
                self.frames.push(clean(func));
            } else if self.registers.len() < MAX_REGISTERS {
                self.registers.push(clean(func));
            }
            return Progress::More;
        }
        // The workqueue's report names the work item it ran: `last function: f`.
        if self.header.is_none() {
            if let Some(work) = body.strip_prefix("last function: ") {
                self.header = Some(clean(work.trim()));
                return Progress::More;
            }
        }
        if !self.in_trace {
            let held = match std::mem::replace(&mut self.held_next, body.ends_with(" at:")) {
                true => regex!(r"^(?:\[<[0-9a-fA-F]+>\]\s*)?([A-Za-z_.$][\w.$]*)\+0x"),
                false => regex!(r", at: (?:\[<[0-9a-fA-F]+>\]\s*)?([A-Za-z_.$][\w.$]*)\+0x"),
            };
            if let Some(c) = held.captures(body) {
                if self.held.len() < MAX_REGISTERS {
                    self.held.push(clean(c.get(1).map_or("", |m| m.as_str())));
                }
            }
            return Progress::More;
        }
        match frame(body) {
            Frame::Function(func) => {
                self.strays = 0;
                self.frames.push(clean(func));
            }
            Frame::Unreliable | Frame::Marker | Frame::Detail => {}
            Frame::End if !self.frames.is_empty() => return self.trace_ended(),
            Frame::Other if !self.frames.is_empty() => {
                self.strays += 1;
                if self.strays > 1 {
                    return self.trace_ended();
                }
            }
            Frame::End | Frame::Other => {}
        }
        Progress::More
    }

    /// A trace whose frames are all machinery (the RCU grace-period thread's
    /// own, printed before the stalled CPU's) is not the report's: the next
    /// trace is read instead.
    fn trace_ended(&mut self) -> Progress {
        self.strays = 0;
        if self.function().is_some() {
            return Progress::Done;
        }
        self.frames.clear();
        self.in_trace = self.headerless;
        Progress::More
    }

    fn read_dump(&mut self, body: &str) -> Progress {
        let Some(dump) = &mut self.dump else {
            return Progress::Done;
        };
        let text = message(body);
        if text.contains(">>> ZEPHYR FATAL ERROR") || text.trim() == "Halting system" {
            return Progress::Done;
        }
        if text.trim().is_empty() {
            return Progress::More;
        }
        dump.read += 1;
        if dump.read == 1 && text.starts_with("  ") {
            dump.reason = Some(text.trim().to_string());
            return Progress::More;
        }
        if let Some(c) =
            regex!(r"^Faulting instruction address \([^)]*\): (0x[0-9a-fA-F]+)").captures(text)
        {
            dump.fault_address = c.get(1).map(|m| m.as_str().to_ascii_lowercase());
        }
        if let Some(symbol) = symbolized(text) {
            let name = clean(symbol);
            if text.starts_with("Faulting instruction address") {
                self.registers.push(name);
            } else if self.frames.len() < MAX_FRAMES {
                self.frames.push(name);
            }
        } else if let Some(c) =
            regex!(r"^(0x[0-9a-fA-F]+): ([A-Za-z_.$][\w.$]*) at \S+:\d+").captures(text)
        {
            let at_fault = dump.fault_address.as_deref()
                == c.get(1).map(|m| m.as_str().to_ascii_lowercase()).as_deref();
            let name = clean(c.get(2).map_or("", |m| m.as_str()));
            if at_fault {
                self.registers.push(name);
            } else if self.frames.len() < MAX_FRAMES {
                self.frames.push(name);
            }
        }
        Progress::More
    }

    /// `Read`/`Write` for a KASAN report that said which.
    pub(crate) fn access(&self) -> Option<&'static str> {
        self.access
    }

    /// The blamed function, or `None` when the report named none that is not
    /// machinery (the title is then marked corrupted).
    pub(crate) fn function(&self) -> Option<&str> {
        if self.by_message()
            || self.header_needs_trace && self.registers.is_empty() && self.frames.is_empty()
        {
            return None;
        }
        self.pick.blame(&self.named())
    }

    fn named(&self) -> Named<'_> {
        Named {
            header: self.header.as_deref(),
            registers: &self.registers,
            frames: &self.frames,
            held: &self.held,
            wild: self.wild,
        }
    }
}

/// Syscall entry wrappers, all named `sys_NAME`: the same syscall is entered as
/// `__x64_sys_x` or `__arm64_sys_x` depending on the architecture, and `ksys_x`
/// is the kernel's own call of it. The syscall's definition (`__do_sys_x`) is
/// named by titles otherwise (see `blame::canonical`).
const SYSCALL_PREFIXES: &[&str] = &[
    "__x64_sys_",
    "__ia32_sys_",
    "__arm64_sys_",
    "__riscv_sys_",
    "__ia32_compat_sys_",
    "__x64_compat_sys_",
    "ksys_",
];

/// A function name as a title shows it: compiler clones (`.isra.0`,
/// `.constprop.3`, `.part.1`, `.cold`, `.llvm.123`) and allocation profiling's
/// `_noprof` variants are the same function, and a
/// syscall's entry wrapper is `sys_NAME` whichever architecture it is; a Go
/// function loses its module path.
pub(crate) fn clean(name: &str) -> String {
    let base = regex!(r"(?:\.(?:isra|constprop|part|llvm|lto_priv)\.\d+|\.cold(?:\.\d+)?)+$")
        .replace(name, "");
    // Allocation profiling (6.10) renamed the allocators `kmalloc_noprof` and so on.
    let base = base.strip_suffix("_noprof").unwrap_or(&base);
    let base = base.rsplit('/').next().unwrap_or(base);
    for prefix in SYSCALL_PREFIXES {
        if let Some(call) = base.strip_prefix(prefix).filter(|c| !c.is_empty()) {
            return format!("sys_{call}");
        }
    }
    base.to_string()
}

/// A message line without Zephyr's log level prefix (`E: ` or `<err> os: `),
/// keeping the indentation that follows it.
pub(crate) fn message(body: &str) -> &str {
    match body.strip_prefix("<err> ") {
        Some(rest) => rest.split_once(": ").map_or(rest, |(_, msg)| msg),
        None => body.strip_prefix("E: ").unwrap_or(body),
    }
}

#[cfg(test)]
mod tests;
