//! GitHub Actions output: workflow commands (`::error file=…::…`) that show
//! findings as annotations on the pull request diff, and a Markdown job
//! summary (for `$GITHUB_STEP_SUMMARY`) that lists every finding.
//!
//! The summary exists because GitHub shows at most 10 annotations of each
//! level per step; past that, findings are only visible in the summary.

use std::fmt::Write as _;

use super::Sources;
use crate::diagnostics::{Counts, Diagnostic, Severity, plural};

/// Most findings listed in the summary table: the job summary is capped at
/// 1 MiB by GitHub, and a longer table is unreadable anyway.
pub const MAX_SUMMARY_ROWS: usize = 1000;

/// One workflow command per diagnostic, each on its own line.
pub fn render(diagnostics: &[Diagnostic], sources: &Sources) -> String {
    let mut out = String::new();
    for d in diagnostics {
        let command = match d.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "notice",
        };
        let mut props: Vec<(&str, String)> = Vec::new();
        if let Some(loc) = &d.location {
            props.push(("file", loc.file.clone()));
            props.push(("line", loc.line.max(1).to_string()));
            props.push(("col", loc.column.max(1).to_string()));
            if let Some(file) = sources.get(&loc.file) {
                let end = file.location(loc.end..loc.end);
                // An end before the start (a wrong span) is dropped rather
                // than sent: GitHub would mis-draw the annotation.
                if (end.line, end.column) >= (loc.line, loc.column) {
                    props.push(("endLine", end.line.to_string()));
                    props.push(("endColumn", end.column.to_string()));
                }
            }
        }
        props.push(("title", format!("{} {}", d.rule.code, d.rule.name)));

        let mut message = d.message.clone();
        // Annotations show only the message, so help and notes go in it,
        // each on its own line.
        if let Some(help) = &d.help {
            let _ = write!(message, "\nhelp: {help}");
        }
        for note in &d.notes {
            let _ = write!(message, "\nnote: {note}");
        }

        let props: Vec<String> = props
            .iter()
            .map(|(k, v)| format!("{k}={}", escape_property(v)))
            .collect();
        let _ = writeln!(out, "::{command} {}::{}", props.join(","), escape_data(&message));
    }
    out
}

/// Escapes a workflow command's message, as the Actions runner's
/// `toCommandValue` does: `%` first, so that the escapes are not escaped.
pub fn escape_data(s: &str) -> String {
    s.replace('%', "%25").replace('\r', "%0D").replace('\n', "%0A")
}

/// Escapes a workflow command property value: as the message, plus `:` and
/// `,`, which would otherwise end the value.
pub fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

/// A Markdown job summary: verdict, counts, coverage and a table of every
/// finding (errors first, then warnings, then infos; at most
/// [`MAX_SUMMARY_ROWS`] rows).
pub fn summary_markdown(diagnostics: &[Diagnostic], counts: Counts, coverage_lines: &[String]) -> String {
    let mut out = String::from("## aimsc check\n\n");
    if counts.errors == 0 {
        out.push_str("✅ no errors");
    } else {
        let _ = write!(out, "❌ {}", plural(counts.errors, "error"));
    }
    if counts.warnings > 0 {
        let _ = write!(out, ", {}", plural(counts.warnings, "warning"));
    }
    out.push_str("\n\n");

    out.push_str("| errors | warnings | infos |\n|---:|---:|---:|\n");
    let _ = writeln!(out, "| {} | {} | {} |\n", counts.errors, counts.warnings, counts.infos);

    if !coverage_lines.is_empty() {
        out.push_str("### Coverage\n\n");
        for line in coverage_lines {
            let _ = writeln!(out, "- {}", line.replace('\n', " "));
        }
        out.push('\n');
    }

    out.push_str("### Findings\n\n");
    if diagnostics.is_empty() {
        out.push_str("No findings.\n");
        return out;
    }
    // Stable sort: errors first, so a capped table never hides an error
    // behind infos; the renderers' file order is kept within each severity.
    let mut ordered: Vec<&Diagnostic> = diagnostics.iter().collect();
    ordered.sort_by_key(|d| d.severity);
    out.push_str("| severity | code | location | message |\n|---|---|---|---|\n");
    for d in ordered.iter().take(MAX_SUMMARY_ROWS) {
        let location = match &d.location {
            Some(l) => format!("`{}:{}`", l.file, l.line),
            None => "repository".to_string(),
        };
        let mut message = d.message.clone();
        if let Some(help) = &d.help {
            let _ = write!(message, "\nhelp: {help}");
        }
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} |",
            d.severity,
            cell(&format!("{} {}", d.rule.code, d.rule.name)),
            cell(&location),
            cell(&message),
        );
    }
    if ordered.len() > MAX_SUMMARY_ROWS {
        let _ = writeln!(out, "\n… and {} more", ordered.len() - MAX_SUMMARY_ROWS);
    }
    out
}

/// Makes text safe inside a Markdown table cell: `|` would end the cell and
/// a line break the row; `<` is escaped so a message quoting HTML is shown,
/// not interpreted.
fn cell(s: &str) -> String {
    s.replace('|', "\\|")
        .replace('<', "&lt;")
        .replace("\r\n", "<br>")
        .replace('\n', "<br>")
}
