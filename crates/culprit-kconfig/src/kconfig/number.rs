//! Numbers the way kconfig's C code reads them (`strtoll`/`strtoull`): leading blanks,
//! a sign, a base prefix, as many digits as fit, saturation on overflow. Comparisons
//! and range clamping must agree with it to the last odd input.

/// What `strtoll(text, &tail, base)` gives: the value, how many bytes it read (0 when
/// it found no number), and whether it overflowed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Parsed {
    pub magnitude: u128,
    pub negative: bool,
    pub end: usize,
    pub overflow: bool,
}

pub fn strto(text: &str, mut base: u32) -> Parsed {
    let b = text.as_bytes();
    let mut i = 0;
    while i < b.len() && matches!(b[i], b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c) {
        i += 1;
    }
    let mut negative = false;
    if i < b.len() && (b[i] == b'+' || b[i] == b'-') {
        negative = b[i] == b'-';
        i += 1;
    }
    let hex_prefix = b.get(i) == Some(&b'0')
        && matches!(b.get(i + 1), Some(b'x' | b'X'))
        && b.get(i + 2).is_some_and(u8::is_ascii_hexdigit);
    if (base == 0 || base == 16) && hex_prefix {
        base = 16;
        i += 2;
    } else if base == 0 {
        base = if b.get(i) == Some(&b'0') { 8 } else { 10 };
    }
    let start = i;
    let mut magnitude: u128 = 0;
    let mut overflow = false;
    while let Some(d) = b.get(i).and_then(|&c| (c as char).to_digit(base)) {
        magnitude = magnitude * u128::from(base) + u128::from(d);
        if magnitude > u128::from(u64::MAX) {
            overflow = true;
            magnitude = u128::from(u64::MAX) + 1;
        }
        i += 1;
    }
    if i == start {
        return Parsed {
            magnitude: 0,
            negative: false,
            end: 0,
            overflow: false,
        };
    }
    Parsed {
        magnitude,
        negative,
        end: i,
        overflow,
    }
}

impl Parsed {
    /// The `long long` result, saturated like `strtoll`.
    pub fn signed(self) -> (i64, bool) {
        if self.negative {
            if self.magnitude > 1u128 << 63 {
                (i64::MIN, true)
            } else {
                (
                    (self.magnitude as i128).wrapping_neg() as i64,
                    self.overflow,
                )
            }
        } else if self.magnitude > i64::MAX as u128 {
            (i64::MAX, true)
        } else {
            (self.magnitude as i64, self.overflow)
        }
    }

    /// The `unsigned long long` result, saturated and negated like `strtoull`.
    pub fn unsigned(self) -> (u64, bool) {
        if self.overflow || self.magnitude > u128::from(u64::MAX) {
            return (u64::MAX, true);
        }
        let m = self.magnitude as u64;
        (if self.negative { m.wrapping_neg() } else { m }, false)
    }
}

/// `strtoll(text, NULL, base)`.
pub fn strtoll(text: &str, base: u32) -> i64 {
    strto(text, base).signed().0
}

/// kconfig's `sym_string_valid` for an int: an optional `-`, then digits without a
/// leading zero.
pub fn valid_int(text: &str) -> bool {
    let digits = text.strip_prefix('-').unwrap_or(text);
    !digits.is_empty()
        && digits.bytes().all(|b| b.is_ascii_digit())
        && !(digits.starts_with('0') && digits.len() > 1)
}

/// kconfig's `sym_string_valid` for a hex: an optional `0x`, then at least one hex digit.
pub fn valid_hex(text: &str) -> bool {
    let digits = text
        .strip_prefix("0x")
        .or_else(|| text.strip_prefix("0X"))
        .unwrap_or(text);
    !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_hexdigit())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_like_strtoll() {
        assert_eq!(strtoll("  -42x", 10), -42);
        assert_eq!(strtoll("0x1f", 16), 31);
        assert_eq!(strtoll("1f", 16), 31);
        assert_eq!(strtoll("0x", 16), 0);
        assert_eq!(strto("0x", 16).end, 1);
        assert_eq!(strtoll("010", 0), 8);
        assert_eq!(strtoll("", 10), 0);
        assert_eq!(strto("", 10).end, 0);
        assert_eq!(strtoll("99999999999999999999", 10), i64::MAX);
        assert_eq!(strtoll("-99999999999999999999", 10), i64::MIN);
        assert_eq!(strto("-1", 16).unsigned().0, u64::MAX);
    }

    #[test]
    fn validity_like_sym_string_valid() {
        assert!(valid_int("0") && valid_int("-12") && !valid_int("012") && !valid_int("1a"));
        assert!(valid_hex("0x1F") && valid_hex("ff") && !valid_hex("0x") && !valid_hex("g"));
    }
}
