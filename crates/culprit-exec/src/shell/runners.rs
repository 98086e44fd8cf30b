//! Commands that hand one of their arguments to a shell as a script, and which argument.
//!
//! A placeholder inside such an argument is read twice: once by the shell that runs the
//! command line, once by the shell that runs the script. Knowing which words are
//! scripts is what lets culprit quote a value for both.

/// How a runner's script is found among the words after the runner's name.
#[derive(Clone, Copy)]
enum Takes {
    /// The first operand, when a cluster of short options (`-c`, `-lc`, `-ec`) holds `c`.
    OperandAfterC,
    /// The word after one of these options.
    After(&'static [&'static str]),
    /// Every word after the first operand (the host), joined by spaces.
    AfterHost,
    /// Every word, joined by spaces.
    All,
}

/// Runner names (the last path component of the word), by how they take their script.
const RUNNERS: &[(&[&str], Takes)] = &[
    // POSIX shells and their relatives: `-c` makes the first operand the script.
    (
        &[
            "sh", "bash", "dash", "zsh", "ksh", "mksh", "ash", "yash", "posh",
        ],
        Takes::OperandAfterC,
    ),
    // Switching user and holding a lock: `-c SCRIPT` runs SCRIPT with the user's shell.
    (
        &["su", "runuser", "flock"],
        Takes::After(&["-c", "--command"]),
    ),
    // ssh joins the words after the host into one script for the remote login shell.
    (&["ssh"], Takes::AfterHost),
    // eval joins its words into a script for this very shell.
    (&["eval"], Takes::All),
];

/// Shell options that take the next word as their argument (`-o pipefail`).
const SHELL_OPTIONS_WITH_ARGUMENT: &[&str] = &["-o", "+o", "-O", "+O"];

/// ssh's single-letter options that take an argument.
const SSH_OPTIONS_WITH_ARGUMENT: &str = "BbcDEeFIiJLlmOopQRSWw";

/// The words of one simple command that are scripts, as groups of word indices (a group
/// is joined by spaces into one script).
pub(super) fn scripts_among(words: &[String]) -> Vec<Vec<usize>> {
    let mut scripts = Vec::new();
    let mut at = 0;
    while at < words.len() {
        let name = words[at].rsplit('/').next().unwrap_or_default();
        let takes = RUNNERS
            .iter()
            .find(|(names, _)| names.contains(&name))
            .map(|(_, takes)| *takes);
        let Some(found) = takes.and_then(|takes| script_of(takes, &words[at + 1..])) else {
            at += 1;
            continue;
        };
        let group: Vec<usize> = found.into_iter().map(|i| at + 1 + i).collect();
        at = group.last().map_or(at, |last| *last) + 1;
        scripts.push(group);
    }
    scripts
}

/// The indices (into `after`, the words after the runner) of the runner's script.
fn script_of(takes: Takes, after: &[String]) -> Option<Vec<usize>> {
    match takes {
        Takes::OperandAfterC => {
            let mut command_option = false;
            let mut skip = false;
            for (i, word) in after.iter().enumerate() {
                if std::mem::take(&mut skip) {
                    continue;
                }
                if word == "--" {
                    return (command_option && i + 1 < after.len()).then(|| vec![i + 1]);
                }
                let short = (word.starts_with('-') || word.starts_with('+'))
                    && !word.starts_with("--")
                    && word.len() > 1;
                if !short {
                    return command_option.then(|| vec![i]);
                }
                skip = SHELL_OPTIONS_WITH_ARGUMENT.contains(&word.as_str());
                command_option |= word.starts_with('-') && word.contains('c');
            }
            None
        }
        Takes::After(options) => after
            .iter()
            .position(|word| options.contains(&word.as_str()))
            .filter(|i| i + 1 < after.len())
            .map(|i| vec![i + 1]),
        Takes::AfterHost => {
            let mut skip = false;
            for (i, word) in after.iter().enumerate() {
                if std::mem::take(&mut skip) {
                    continue;
                }
                if let Some(letters) = word.strip_prefix('-') {
                    skip = letters.len() == 1 && SSH_OPTIONS_WITH_ARGUMENT.contains(letters);
                    continue;
                }
                let rest: Vec<usize> = (i + 1..after.len()).collect();
                return (!rest.is_empty()).then_some(rest);
            }
            None
        }
        Takes::All => (!after.is_empty()).then(|| (0..after.len()).collect()),
    }
}

#[cfg(test)]
mod tests {
    use super::scripts_among;

    fn scripts(line: &str) -> Vec<Vec<usize>> {
        let words: Vec<String> = line.split(' ').map(String::from).collect();
        scripts_among(&words)
    }

    #[test]
    fn each_runner_takes_its_own_word() {
        assert_eq!(scripts("sh -c S"), [[2]]);
        assert_eq!(scripts("timeout 9 /bin/bash -lc S $0 x"), [[4]]);
        assert_eq!(scripts("bash -o pipefail -ec S"), [[4]]);
        assert_eq!(scripts("bash --norc S"), Vec::<Vec<usize>>::new());
        assert_eq!(scripts("sh script.sh -c"), Vec::<Vec<usize>>::new());
        assert_eq!(scripts("su - root -c S"), [[4]]);
        assert_eq!(scripts("ssh -p 22 -t host S T"), [vec![5, 6]]);
        assert_eq!(scripts("ssh host"), Vec::<Vec<usize>>::new());
        assert_eq!(scripts("eval S T"), [vec![1, 2]]);
        assert_eq!(scripts("sh -c S sh -c T"), [[2], [5]]);
    }
}
