//! The sections of a commit hunt's page: the facts of the answer, how to reproduce it,
//! and how the suspects narrowed.

use super::*;

pub(super) fn commit_facts(page: &mut String, found: &CommitResult) {
    page.push_str("<section id=\"summary\">\n<h2>What was hunted</h2>\n<ul class=\"plain\">\n");
    for (test, target) in &found.result.target {
        let _ = writeln!(
            page,
            "<li><b>{}</b> fails at the bad endpoint with <code>{}</code></li>",
            html(test),
            html(target)
        );
    }
    if let Some(flaky) = &found.result.flaky {
        let _ = writeln!(
            page,
            "<li>The failure is {}; the search weighed each verdict (Bayesian bisection).</li>",
            html(&flaky.describe())
        );
    }
    if let Some(prior) = &found.result.prior {
        let _ = writeln!(page, "<li>{}</li>", html(&prior.describe()));
    }
    if let Some(message) = &found.result.message {
        let _ = writeln!(page, "<li>{}</li>", html(message));
    }
    for line in &found.result.verification {
        let _ = writeln!(page, "<li class=\"verified\">Verified: {}</li>", html(line));
    }
    page.push_str("</ul>\n");
    if found.result.culprit.is_none() && !found.result.suspects.is_empty() {
        grid(
            page,
            &["suspect", "why it cannot be cleared", "probability"],
            found.result.suspects.iter().map(|s| {
                format!(
                    "<tr><td><code>{}</code></td><td>{}</td><td class=\"num\">{:.2}</td></tr>",
                    html(&artifact_label(&short_commit(&s.rev))),
                    html(&s.reason),
                    s.probability
                )
            }),
        );
    }
    page.push_str("</section>\n");
}

/// A commit id shortened; anything else (an artifact) left whole.
pub(super) fn short_commit(rev: &str) -> String {
    if rev.len() == 40 && rev.bytes().all(|b| b.is_ascii_hexdigit()) {
        short(rev)
    } else {
        rev.to_string()
    }
}

pub(super) fn commit_reproduction(page: &mut String, found: &CommitResult) {
    let Some(culprit) = &found.result.culprit else {
        return;
    };
    let tests = found.test_args();
    page.push_str("<section id=\"reproduce\">\n<h2>Reproduce</h2>\n");
    match &found.plan.kind {
        Some(CandidateKind::Artifacts { .. }) => {
            let _ = writeln!(
                page,
                "<p>Run the tests with <code>{{artifact}}</code> set to the first bad artifact:</p>\n<pre class=\"cmd\">{}</pre>",
                html(culprit)
            );
        }
        _ => {
            let id = short(culprit);
            let bad = found.bad_short();
            let _ = writeln!(
                page,
                "<pre class=\"cmd\"><span class=\"c\"># fails as above</span>\nculprit run --rev {}{}\n<span class=\"c\"># reverted on top of the bad revision: should pass</span>\ngit checkout {} &amp;&amp; git revert --no-edit {} &amp;&amp; culprit run{}</pre>",
                html(&id),
                html(&tests),
                html(&bad),
                html(&id),
                html(&tests)
            );
        }
    }
    page.push_str("</section>\n");
}

pub(super) fn narrowing(page: &mut String, reading: &Reading<'_>, found: &CommitResult) {
    let Some(kind) = &found.plan.kind else {
        return;
    };
    page.push_str("<section id=\"narrowing\">\n<h2>How the suspects narrowed</h2>\n");
    if found.result.flaky.is_some() {
        page.push_str("<p class=\"note\">The failure is intermittent: the Bayesian search weighs each verdict instead of clearing suspects outright, so there is no count of suspects to plot. The timeline below shows every step.</p>\n</section>\n");
        return;
    }
    let counts = suspects_left(kind, &reading.steps);
    let points: Vec<Point> = counts
        .iter()
        .map(|&(seq, suspects)| {
            let step = reading.steps.iter().find(|s| s.row.seq == seq && seq != 0);
            Point {
                label: step.map_or_else(|| "start".into(), |s| s.label.clone()),
                seq: step.map(|s| s.row.seq),
                suspects,
                verdict: step.map(|s| s.verdict.class),
            }
        })
        .collect();
    page.push_str(&chart::narrowing(&points));
    page.push_str("<p class=\"note\">Re-derived from the verdicts: a good candidate clears itself and its ancestors, a bad one clears every suspect that is not its ancestor, a skipped one clears nothing. The endpoints and the verification runs are not search steps.</p>\n");
    legend(page);
    page.push_str("</section>\n");
}
