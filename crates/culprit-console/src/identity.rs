//! Other titles of the same bug: one bug shows as different report classes
//! depending on the kernel's configuration and luck (a use-after-free is a KASAN
//! report with KASAN, a general protection fault or a paging request without
//! it; a stuck loop is an RCU stall or a soft lockup, whichever watchdog fires
//! first). Each such report also carries the family's title (`bad-access in
//! f`), so that a hunt takes the other class in the same function for the bug.

/// Report classes by title prefix, with the family they belong to. The first
/// matching prefix wins, so narrower classes come first.
const FAMILIES: &[(&str, &str)] = &[
    // freeing what was never allocated or already freed
    ("KASAN: invalid-free", "invalid-free"),
    ("KASAN: double-free", "invalid-free"),
    ("KFENCE: invalid free", "invalid-free"),
    // reading or writing memory the code does not own
    ("KASAN: ", "bad-access"),
    ("KMSAN: ", "bad-access"),
    ("KFENCE: ", "bad-access"),
    ("UBSAN: array-index-out-of-bounds", "bad-access"),
    ("general protection fault", "bad-access"),
    ("BUG: unable to handle kernel", "bad-access"),
    ("BUG: corrupted list", "bad-access"),
    ("Unhandled fault", "bad-access"),
    ("Internal error", "bad-access"),
    // a CPU stuck in a loop
    ("INFO: rcu detected stall", "stall"),
    ("BUG: soft lockup", "stall"),
    // a task that does not come back
    ("INFO: task hung", "hang"),
    ("INFO: task can't die", "hang"),
    // the stack overflowed
    ("kernel panic: corrupted stack end", "stack-overflow"),
    ("BUG: stack guard page was hit", "stack-overflow"),
];

/// The other titles of a report of `class` blamed on `function`.
pub(crate) fn alternatives(class: &str, function: &str) -> Vec<String> {
    FAMILIES
        .iter()
        .find(|(prefix, _)| class.starts_with(prefix))
        .map(|(_, family)| vec![format!("{family} in {function}")])
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_family_per_class() {
        assert_eq!(
            alternatives("KASAN: use-after-free Read", "f"),
            ["bad-access in f"]
        );
        assert_eq!(
            alternatives("general protection fault", "f"),
            ["bad-access in f"]
        );
        assert_eq!(
            alternatives("KASAN: invalid-free", "f"),
            ["invalid-free in f"]
        );
        assert_eq!(alternatives("BUG: soft lockup", "f"), ["stall in f"]);
        assert!(alternatives("WARNING", "f").is_empty());
    }
}
