//! Escaping for every format. Console text, titles and even commit subjects come from
//! the code under test: they are untrusted and never reach a report unescaped.

/// Text for HTML content and quoted attribute values. Control characters, which a
/// console is full of, are dropped (tab and newline kept).
pub fn html(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 8);
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '\t' | '\n' => out.push(c),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// Text for XML content and attribute values: like HTML, and without the characters
/// XML 1.0 forbids outright (a parser rejects the whole document for one of them).
pub fn xml(text: &str) -> String {
    html(&text.replace(['\u{FFFE}', '\u{FFFF}'], "\u{FFFD}"))
}

/// A Markdown code span: shown verbatim by renderers and readable as plain text in a
/// mail. The fence is longer than any run of backticks inside.
pub fn md_code(text: &str) -> String {
    if text.is_empty() {
        return "` `".into();
    }
    let flat: String = text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    let longest = flat.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    let fence = "`".repeat(longest + 1);
    let pad = if flat.starts_with('`') || flat.ends_with('`') {
        " "
    } else {
        ""
    };
    format!("{fence}{pad}{flat}{pad}{fence}")
}

/// A Markdown table cell: one line, and no `|` that would end the cell (GitHub reads
/// `\|` as a bar even inside a code span).
pub fn md_cell(text: &str) -> String {
    text.replace('|', "\\|")
}

/// Plain Markdown text: the characters that would turn into markup or HTML escaped.
pub fn md_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '|' | '#' => {
                out.push('\\');
                out.push(c);
            }
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// A name (a test) as Markdown text: as it is when it is a plain identifier (an
/// underscore inside a word is no emphasis), escaped otherwise.
pub fn md_name(name: &str) -> String {
    let plain = name
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || "_-.".contains(c));
    if plain && !name.starts_with('_') && !name.ends_with('_') {
        name.to_string()
    } else {
        md_text(name)
    }
}

/// A word for a shell command line (a test name): quoted unless it is plainly safe.
pub fn shell_word(word: &str) -> String {
    if !word.is_empty()
        && word
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_.,/:=+".contains(c))
    {
        word.to_string()
    } else {
        format!("'{}'", word.replace('\'', "'\\''"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// An escaper's name, the escaper, what it is given and what it must give back.
    type Case = (&'static str, fn(&str) -> String, &'static str, &'static str);

    /// Each escaper's cases, by what it is for.
    const CASES: &[Case] = &[
        // HTML: markup becomes text, control characters go, line ends stay.
        (
            "html",
            html,
            "<script>alert('x')</script> & \"q\"",
            "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;q&quot;",
        ),
        ("html", html, "a\x1b[31mb\x07\r\n", "a[31mb\n"),
        // Markdown names stay plain when they can.
        ("md_name", md_name, "smp_mutex", "smp_mutex"),
        ("md_name", md_name, "_hidden_", "\\_hidden\\_"),
        ("md_name", md_name, "a|b <c>", "a\\|b \\<c\\>"),
        // Shell words are quoted only when needed.
        ("shell_word", shell_word, "smp_mutex", "smp_mutex"),
        ("shell_word", shell_word, "it's a test", "'it'\\''s a test'"),
        // Code spans survive backticks and stay on one line.
        ("md_code", md_code, "plain", "`plain`"),
        ("md_code", md_code, "a `b` c", "``a `b` c``"),
        ("md_code", md_code, "`x`", "`` `x` ``"),
        ("md_code", md_code, "two\nlines", "`two lines`"),
    ];

    #[test]
    fn escapers_give_what_the_table_says() {
        for &(name, escape, text, expected) in CASES {
            assert_eq!(escape(text), expected, "{name}({text:?})");
        }
    }

    proptest! {
        #[test]
        fn html_output_holds_no_markup(text in any::<String>()) {
            let out = html(&text);
            prop_assert!(!out.contains('<') && !out.contains('>') && !out.contains('"') && !out.contains('\''));
            prop_assert!(out.chars().all(|c| !c.is_control() || c == '\n' || c == '\t'));
        }

        #[test]
        fn xml_output_parses_back_to_the_visible_text(text in any::<String>()) {
            let doc = format!("<a b=\"{}\">{}</a>", xml(&text), xml(&text));
            let parsed = roxmltree::Document::parse(&doc);
            prop_assert!(parsed.is_ok(), "{:?}", parsed.err());
            let parsed = parsed.unwrap();
            let root = parsed.root_element();
            let visible: String = text
                .chars()
                .filter(|c| !c.is_control() || *c == '\n' || *c == '\t')
                .map(|c| if c == '\u{FFFE}' || c == '\u{FFFF}' { '\u{FFFD}' } else { c })
                .collect();
            prop_assert_eq!(root.text().unwrap_or(""), visible.as_str());
        }

        #[test]
        fn code_spans_have_one_unbroken_fence(text in "[a-z` ]{0,20}") {
            let span = md_code(&text);
            let fence = span.chars().take_while(|c| *c == '`').count();
            let inner = &span[fence..span.len() - fence];
            prop_assert!(!inner.contains(&"`".repeat(fence)));
        }
    }
}
