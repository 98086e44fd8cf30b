//! Where a console line came from, so that a report reads only its own lines.

/// Where a console line came from: whether the kernel stamped it with its
/// time, and which task or CPU printed it (`[ T1533]`, `[    C1]`, with
/// `CONFIG_PRINTK_CALLER`). Userspace output and another CPU's report land
/// between a report's lines; syzkaller's reports are full of both.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub(crate) struct Origin {
    stamped: bool,
    /// `T` or `C` and its number.
    caller: Option<(u8, u32)>,
}

impl Origin {
    pub(crate) fn of(text: &str) -> Origin {
        let Some((_, rest)) = stamp(text) else {
            return Origin::default();
        };
        let caller = rest
            .strip_prefix('[')
            .and_then(|r| r.split_once(']'))
            .and_then(|(id, _)| {
                let id = id.trim();
                let kind = *id.as_bytes().first()?;
                let number = id.get(1..)?.parse().ok()?;
                (kind == b'T' || kind == b'C').then_some((kind, number))
            });
        Origin {
            stamped: true,
            caller,
        }
    }

    /// The kernel's time stamp of a line (`[   12.345678]`, Zircon's
    /// `[00037.717]`), in seconds.
    pub(crate) fn time_of(text: &str) -> Option<f64> {
        stamp(text).and_then(|(time, _)| time.parse().ok())
    }

    /// A line's body without Zircon's `pid.tid> ` prefix (`05209.05460>
    /// panic: ...`): the thread that printed it, as Linux's caller id.
    pub(crate) fn without_thread(body: &str) -> &str {
        let Some((thread, rest)) = body.split_once("> ") else {
            return body;
        };
        let zircon = thread.split_once('.').is_some_and(|(pid, tid)| {
            !pid.is_empty()
                && !tid.is_empty()
                && pid.bytes().chain(tid.bytes()).all(|b| b.is_ascii_digit())
        });
        if zircon {
            rest
        } else {
            body
        }
    }

    /// Whether a line from `other` may belong to a report from here.
    pub(super) fn admits(&self, other: &Origin) -> bool {
        let same_caller = match (&self.caller, &other.caller) {
            (Some(a), Some(b)) => a == b,
            _ => true,
        };
        (!self.stamped || other.stamped) && same_caller
    }
}

/// A line's kernel time stamp (`[   12.345678]`, after a log level `<6>` if
/// any) and what follows it.
fn stamp(text: &str) -> Option<(&str, &str)> {
    let text = text.trim_start();
    let text = match text.strip_prefix('<') {
        Some(rest) => rest.split_once('>').map_or(text, |(_, after)| after),
        None => text,
    };
    let (time, rest) = text.strip_prefix('[')?.split_once(']')?;
    let time = time.trim();
    let stamped = time.contains('.') && time.bytes().all(|b| b.is_ascii_digit() || b == b'.');
    stamped.then_some((time, rest))
}
