//! JUnit XML output, for CI systems that show test reports (GitLab, Jenkins,
//! Azure Pipelines) but not SARIF.
//!
//! Each rule is a test suite; each (rule, file) pair with findings is a test
//! case, failed when one of its findings is an error. Rules without findings
//! get one passing case, so the report shows what was checked, not only
//! what went wrong. The output is checked against Jenkins' strict
//! `junit-10.xsd` in `tests/formats.rs`.

use std::fmt::Write as _;

use crate::diagnostics::{Diagnostic, Rule, Severity, plural};

/// The `classname` of findings that belong to no file, and of passing cases.
const REPOSITORY: &str = "repository";

/// Renders a `<testsuites>` document: one `<testsuite>` per rule of
/// `rules` (in that order), then one for any rule that has findings but is
/// missing from `rules`. `files` are the files that were checked; passing
/// cases say how many.
pub fn render(diagnostics: &[Diagnostic], rules: &[&'static Rule], files: &[String]) -> String {
    let mut all: Vec<&'static Rule> = rules.to_vec();
    for d in diagnostics {
        if !all.iter().any(|r| r.code == d.rule.code) {
            all.push(d.rule);
        }
    }

    let mut suites = String::new();
    let (mut total_tests, mut total_failures) = (0usize, 0usize);
    for rule in all {
        let title = format!("{} {}", rule.code, rule.name);
        // Group by file in first-seen order: diagnostics arrive sorted by
        // file, so the cases follow the repository's layout.
        let mut groups: Vec<(&str, Vec<&Diagnostic>)> = Vec::new();
        for d in diagnostics.iter().filter(|d| d.rule.code == rule.code) {
            let file = d.location.as_ref().map_or(REPOSITORY, |l| l.file.as_str());
            match groups.iter_mut().find(|(f, _)| *f == file) {
                Some((_, list)) => list.push(d),
                None => groups.push((file, vec![d])),
            }
        }

        let mut cases = String::new();
        let mut failures = 0;
        if groups.is_empty() {
            let _ = writeln!(
                cases,
                "    <testcase classname=\"{REPOSITORY}\" name=\"{}\" time=\"0\">\n      <system-out>{}</system-out>\n    </testcase>",
                attr(&title),
                text(&format!("no findings in {}", plural(files.len(), "file"))),
            );
        }
        for (file, list) in &groups {
            let report: Vec<String> = list.iter().map(|d| finding_line(d)).collect();
            let report = report.join("\n");
            let _ = writeln!(
                cases,
                "    <testcase classname=\"{}\" name=\"{}\" time=\"0\">",
                attr(file),
                attr(&title)
            );
            // The configured severity decides, not the rule's default: a rule
            // raised to error in `[rules]` fails, one lowered to warning passes.
            if list.iter().any(|d| d.severity == Severity::Error) {
                failures += 1;
                let _ = writeln!(
                    cases,
                    "      <failure type=\"error\" message=\"{}\">{}</failure>",
                    attr(&list[0].message),
                    text(&report)
                );
            } else {
                let _ = writeln!(cases, "      <system-out>{}</system-out>", text(&report));
            }
            cases.push_str("    </testcase>\n");
        }

        let tests = groups.len().max(1);
        total_tests += tests;
        total_failures += failures;
        let _ = write!(
            suites,
            "  <testsuite name=\"{}\" tests=\"{tests}\" failures=\"{failures}\" errors=\"0\" skipped=\"0\" time=\"0\">\n{cases}  </testsuite>\n",
            attr(&title)
        );
    }

    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"aimsc\" tests=\"{total_tests}\" failures=\"{total_failures}\" errors=\"0\" time=\"0\">\n{suites}</testsuites>\n"
    )
}

/// `file:line:col: message`, then the help and notes indented:
/// the form editors and CI log viewers link to the source.
fn finding_line(d: &Diagnostic) -> String {
    let mut s = match &d.location {
        Some(l) => format!("{}:{}:{}: {}", l.file, l.line, l.column, d.message),
        None => d.message.clone(),
    };
    if let Some(help) = &d.help {
        let _ = write!(s, "\n    help: {help}");
    }
    for note in &d.notes {
        let _ = write!(s, "\n    note: {note}");
    }
    s
}

/// Escapes element text. Characters XML 1.0 cannot carry at all (control
/// characters other than tab and line breaks, U+FFFE, U+FFFF) are dropped:
/// even as `&#1;` they make the document ill-formed.
fn text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars().filter(|&c| is_xml_char(c)) {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            c => out.push(c),
        }
    }
    out
}

/// Escapes an attribute value (always written in double quotes). Tabs and
/// line breaks are written as character references, since a parser turns
/// literal ones into spaces.
fn attr(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars().filter(|&c| is_xml_char(c)) {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' => out.push_str("&#9;"),
            '\n' => out.push_str("&#10;"),
            '\r' => out.push_str("&#13;"),
            c => out.push(c),
        }
    }
    out
}

/// The XML 1.0 `Char` production (a Rust `char` is never a surrogate).
fn is_xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{FFFD}' | '\u{10000}'..)
}
