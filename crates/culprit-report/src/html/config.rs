//! The sections of a configuration hunt's page: the culprit options per test, the
//! fragments that reproduce and cure each failure, the options never applied, and the
//! options that made builds slow.

use super::*;

pub(super) fn config_matrix(page: &mut String, found: &ConfigResult) {
    page.push_str("<section id=\"culprits\">\n<h2>Culprit options per test</h2>\n");
    if let Some(message) = &found.message {
        let _ = writeln!(page, "<p>{}</p>", html(message));
    }
    let mut options: Vec<&str> = Vec::new();
    for c in &found.culprits {
        for o in &c.options {
            if !options.contains(&o.as_str()) {
                options.push(o);
            }
        }
    }
    let mut tests: Vec<&str> = found.culprits.iter().map(|c| c.test.as_str()).collect();
    tests.extend(found.tests.keys().map(String::as_str));
    let mut seen = Vec::new();
    tests.retain(|t| {
        let new = !seen.contains(t);
        seen.push(*t);
        new
    });
    if tests.is_empty() {
        page.push_str("<p>No test result was recorded.</p>\n</section>\n");
        return;
    }
    page.push_str("<table class=\"grid matrix\"><thead><tr><th>test</th>");
    for o in &options {
        let _ = write!(page, "<th class=\"opt\"><code>{}</code></th>", html(o));
    }
    page.push_str("<th>failure</th></tr></thead><tbody>\n");
    let mut several = false;
    for test in &tests {
        let sets: Vec<_> = found.culprits.iter().filter(|c| c.test == *test).collect();
        // One row per failure of the test, in the order found.
        let mut failures: Vec<&str> = Vec::new();
        for c in &sets {
            if !failures.contains(&c.failure()) {
                failures.push(c.failure());
            }
        }
        if failures.is_empty() {
            let _ = write!(page, "<tr><th scope=\"row\">{}</th>", html(test));
            page.push_str(&"<td class=\"mark\"></td>".repeat(options.len()));
            let state = found.tests.get(*test).map(String::as_str).unwrap_or("");
            let _ = writeln!(page, "<td>{}</td></tr>", html(state));
            continue;
        }
        for failure in failures {
            let row: Vec<_> = sets.iter().filter(|c| c.failure() == failure).collect();
            several |= row.len() > 1;
            let _ = write!(page, "<tr><th scope=\"row\">{}</th>", html(test));
            for o in &options {
                let marks: Vec<String> = row
                    .iter()
                    .enumerate()
                    .filter(|(_, c)| c.options.iter().any(|x| x == o))
                    .map(|(i, _)| {
                        if row.len() > 1 {
                            (i + 1).to_string()
                        } else {
                            "●".into()
                        }
                    })
                    .collect();
                if marks.is_empty() {
                    page.push_str("<td class=\"mark\"></td>");
                } else {
                    let _ = write!(page, "<td class=\"mark on\">{}</td>", marks.join(" "));
                }
            }
            let first = row[0];
            let cell = match &first.title {
                Some(title) => format!(
                    "<span class=\"pill bad\">{}</span> <code>{}</code>",
                    html(&first.outcome),
                    html(title)
                ),
                None => format!("<span class=\"pill bad\">{}</span>", html(&first.outcome)),
            };
            let _ = writeln!(page, "<td>{cell}</td></tr>");
        }
    }
    page.push_str("</tbody></table>\n");
    if several {
        page.push_str("<p class=\"note\">Numbers tell a test's culprit sets apart: the test fails when every option of one of its sets is on.</p>\n");
    }
    page.push_str("</section>\n");
}

pub(super) fn config_reproduction(page: &mut String, found: &ConfigResult) {
    let fragments: Vec<_> = found
        .culprits
        .iter()
        .filter(|c| !c.reproduce.trim().is_empty() || !c.cure.trim().is_empty())
        .collect();
    if fragments.is_empty() {
        return;
    }
    page.push_str("<section id=\"reproduce\">\n<h2>Reproduce</h2>\n<div class=\"fragments\">\n");
    for c in fragments {
        let _ = writeln!(page, "<div class=\"fragment\"><h3>{}</h3>", html(&c.test));
        let built = |verified: bool| if verified { " (built and checked)" } else { "" };
        if let Some(text) = Some(&c.reproduce).filter(|f| !f.trim().is_empty()) {
            let _ = writeln!(
                page,
                "<p>{}: on the good configuration, apply{}:</p><pre class=\"cmd\">{}</pre>",
                html(c.failure()),
                built(c.reproduce_verified),
                html(text.trim_end())
            );
        }
        if let Some(text) = Some(&c.cure).filter(|f| !f.trim().is_empty()) {
            let _ = writeln!(
                page,
                "<p>On the bad configuration, this cures it{}:</p><pre class=\"cmd\">{}</pre>",
                built(c.cure_verified),
                html(text.trim_end())
            );
        }
        page.push_str("</div>\n");
    }
    page.push_str("</div>\n</section>\n");
}

pub(super) fn not_applied(page: &mut String, found: &ConfigResult) {
    page.push_str("<section id=\"not-applied\">\n<h2>Not applied</h2>\n");
    if found.not_applied.is_empty() {
        page.push_str(
            "<p>Every option the hunt set was taken by the build as requested.</p>\n</section>\n",
        );
        return;
    }
    page.push_str("<p>The build did not take these options as requested (a dependency forced them, or they do not exist in this tree), so no test could blame them:</p>\n");
    grid(
        page,
        &["option", "requested", "got", "why"],
        found.not_applied.iter().map(|n| {
            format!(
                "<tr><td><code>{}</code></td><td><code>{}</code></td><td><code>{}</code></td><td>{}</td></tr>",
                html(&n.option),
                html(&n.requested),
                html(&n.got),
                html(&n.why())
            )
        }),
    );
    page.push_str("</section>\n");
}

/// Options that make builds slow, when the hunt measured some: why it built some
/// candidates before others, and what a rerun will cost.
pub(super) fn build_cost(page: &mut String, found: &ConfigResult) {
    if found.costly_options.is_empty() {
        return;
    }
    page.push_str("<section id=\"build-cost\">\n<h2>Build cost</h2>\n<p>Candidates with these options took far longer to build (a widely included header); the search built the cheaper of equally useful candidates first:</p>\n");
    grid(
        page,
        &["option", "mean build with it", "without"],
        found.costly_options.iter().map(|c| {
            format!(
                "<tr><td><code>{}</code></td><td class=\"num\">{:.1} s</td><td class=\"num\">{:.1} s</td></tr>",
                html(&c.option),
                c.seconds_with,
                c.seconds_without
            )
        }),
    );
    page.push_str("</section>\n");
}
