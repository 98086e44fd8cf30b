//! How far a boot got.
//!
//! Stages form one ladder and the classifier only ever climbs it:
//!
//! `none` < `bootloader` < `kernel` < `init` < user stages, in the order given <
//! `test` < `success`.
//!
//! Seeing a marker moves the stage to that marker's rung when it is higher than
//! the current one and is ignored otherwise, so a late `SeaBIOS` mention or a user
//! stage printed out of order never makes a boot look less advanced than it was.
//! User stages rank above `init` because they are what the user's own system
//! prints once running (a mounted root, a network, a shell prompt), and below
//! `test` because a test suite starting is the last step before the verdict.

use crate::rules::{RuleError, StageMarker};

/// The stages the built-in packs recognise.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Builtin {
    Bootloader,
    Kernel,
    Init,
    Test,
}

const BEFORE_USER: [&str; 4] = ["none", "bootloader", "kernel", "init"];
const AFTER_USER: [&str; 2] = ["test", "success"];

pub(crate) struct Ladder {
    names: Vec<String>,
    current: usize,
}

impl Ladder {
    pub(crate) fn new(user: &[StageMarker]) -> Result<Ladder, RuleError> {
        let mut names: Vec<String> = BEFORE_USER.iter().map(|s| s.to_string()).collect();
        for stage in user {
            let taken = names.contains(&stage.name) || AFTER_USER.contains(&stage.name.as_str());
            if stage.name.trim().is_empty() || taken {
                return Err(RuleError::StageName {
                    name: stage.name.clone(),
                });
            }
            if stage.marker.is_empty() {
                return Err(RuleError::EmptyStageMarker {
                    name: stage.name.clone(),
                });
            }
            names.push(stage.name.clone());
        }
        names.extend(AFTER_USER.iter().map(|s| s.to_string()));
        Ok(Ladder { names, current: 0 })
    }

    pub(crate) fn builtin_rank(&self, stage: Builtin) -> usize {
        match stage {
            Builtin::Bootloader => 1,
            Builtin::Kernel => 2,
            Builtin::Init => 3,
            Builtin::Test => self.names.len() - 2,
        }
    }

    /// Rank of the `index`-th user stage.
    pub(crate) fn user_rank(&self, index: usize) -> usize {
        BEFORE_USER.len() + index
    }

    pub(crate) fn success_rank(&self) -> usize {
        self.names.len() - 1
    }

    /// Climbs to `rank` if it is higher. Says whether the marker belongs to the
    /// stage now current (it climbed, or it repeats the current stage), so the
    /// caller can keep the last line that shows how far the boot got.
    pub(crate) fn reach(&mut self, rank: usize) -> bool {
        if rank > self.current && rank < self.names.len() {
            self.current = rank;
        }
        rank == self.current
    }

    pub(crate) fn name(&self) -> &str {
        &self.names[self.current]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn marker(name: &str) -> StageMarker {
        StageMarker {
            name: name.into(),
            marker: format!("<{name}>"),
        }
    }

    #[test]
    fn user_stages_rank_between_init_and_test_and_never_go_back() {
        let mut ladder = Ladder::new(&[marker("rootfs"), marker("shell")]).unwrap();
        assert_eq!(ladder.name(), "none");
        assert!(ladder.reach(ladder.builtin_rank(Builtin::Kernel)));
        assert!(ladder.reach(ladder.user_rank(1)));
        assert_eq!(ladder.name(), "shell");
        assert!(
            ladder.reach(ladder.user_rank(1)),
            "a repeated marker is still at the current stage"
        );
        assert!(!ladder.reach(ladder.builtin_rank(Builtin::Init)));
        assert!(!ladder.reach(ladder.user_rank(0)));
        assert_eq!(ladder.name(), "shell");
        assert!(ladder.reach(ladder.builtin_rank(Builtin::Test)));
        assert!(ladder.reach(ladder.success_rank()));
        assert_eq!(ladder.name(), "success");
    }

    #[test]
    fn stage_names_must_be_new() {
        assert!(matches!(
            Ladder::new(&[marker("kernel")]),
            Err(RuleError::StageName { .. })
        ));
        assert!(matches!(
            Ladder::new(&[marker("a"), marker("a")]),
            Err(RuleError::StageName { .. })
        ));
        let empty = StageMarker {
            name: "x".into(),
            marker: String::new(),
        };
        assert!(matches!(
            Ladder::new(&[empty]),
            Err(RuleError::EmptyStageMarker { .. })
        ));
    }
}
