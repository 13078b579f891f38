//! Renderers: the same diagnostics as rustc-style text, JSON, SARIF, GitHub
//! workflow commands or JUnit XML. Each
//! renderer reads only [`Diagnostic`] and the [`Sources`]; none decides what
//! is a finding.

pub mod github;
pub mod junit;
pub mod sarif;

use std::collections::HashMap;
use std::fmt::Write as _;
use std::sync::Arc;

use annotate_snippets::{AnnotationKind, Group, Level as SnippetLevel, Renderer, Snippet};
use serde::Serialize;

use super::{Counts, Diagnostic, Severity, SourceFile, plural};

/// The source files of a run, by repository-relative path, so that renderers
/// can print the offending line.
#[derive(Default, Debug)]
pub struct Sources {
    files: HashMap<String, Arc<SourceFile>>,
}

impl Sources {
    pub fn insert(&mut self, file: Arc<SourceFile>) {
        self.files.insert(file.path.clone(), file);
    }

    pub fn get(&self, path: &str) -> Option<&Arc<SourceFile>> {
        self.files.get(path)
    }
}

/// At most this many source lines are shown for one diagnostic.
const MAX_SNIPPET_LINES: usize = 6;

/// Renders diagnostics like rustc: header with code, `-->` location, the
/// source line with a caret under the exact value, then help and notes.
pub fn human(diagnostics: &[Diagnostic], sources: &Sources, color: bool) -> String {
    let renderer = if color { Renderer::styled() } else { Renderer::plain() };
    let mut out = String::new();
    for d in diagnostics {
        let level = snippet_level(d.severity);
        let title = level.primary_title(d.message.as_str()).id(d.rule.code);
        let mut group = Group::with_title(title);
        if let Some(loc) = &d.location {
            match sources.get(&loc.file) {
                Some(file) if !file.text.is_empty() => {
                    let first = file.line_range(loc.start);
                    let mut last = file.line_range(loc.end.max(loc.start));
                    // Cap multi-line spans so one diagnostic never prints a whole file.
                    let mut lines = file.text[first.start..last.end].lines().count();
                    while lines > MAX_SNIPPET_LINES {
                        last = file.line_range(last.start.saturating_sub(1));
                        lines -= 1;
                    }
                    let slice = &file.text[first.start..last.end.max(first.end)];
                    let start = loc.start - first.start;
                    let end = loc.end.clamp(loc.start, first.start + slice.len()) - first.start;
                    let mut annotation = AnnotationKind::Primary.span(start..end);
                    if let Some(label) = &d.label {
                        annotation = annotation.label(label.as_str());
                    }
                    group = group.element(
                        Snippet::source(slice)
                            .line_start(loc.line as usize)
                            .path(loc.file.as_str())
                            .fold(false)
                            .annotation(annotation),
                    );
                }
                _ => {
                    group = group.element(
                        annotate_snippets::Origin::path(loc.file.as_str())
                            .line(loc.line as usize)
                            .char_column(loc.column as usize),
                    );
                }
            }
        }
        for note in &d.notes {
            group = group.element(SnippetLevel::NOTE.message(note.as_str()));
        }
        if let Some(help) = &d.help {
            group = group.element(SnippetLevel::HELP.message(help.as_str()));
        }
        out.push_str(&renderer.render(&[group]));
        out.push_str("\n\n");
    }
    out
}

fn snippet_level(severity: Severity) -> SnippetLevel<'static> {
    match severity {
        Severity::Error => SnippetLevel::ERROR,
        Severity::Warning => SnippetLevel::WARNING,
        Severity::Info => SnippetLevel::INFO,
    }
}

/// The closing line of a human report, e.g.
/// `checked 42 documents: 2 errors, 5 warnings`.
pub fn human_summary(counts: Counts, documents: usize) -> String {
    let mut s = format!("checked {}: ", plural(documents, "document"));
    if counts.errors + counts.warnings + counts.infos == 0 {
        s.push_str("no findings");
        return s;
    }
    let mut parts = Vec::new();
    if counts.errors > 0 {
        parts.push(plural(counts.errors, "error"));
    }
    if counts.warnings > 0 {
        parts.push(plural(counts.warnings, "warning"));
    }
    if counts.infos > 0 {
        parts.push(plural(counts.infos, "info"));
    }
    let _ = write!(s, "{}", parts.join(", "));
    s
}

/// One diagnostic as it appears in JSON output.
#[derive(Serialize)]
pub struct JsonDiagnostic<'a> {
    pub code: &'static str,
    pub name: &'static str,
    pub severity: Severity,
    pub message: &'a str,
    pub file: Option<&'a str>,
    pub line: Option<u32>,
    pub column: Option<u32>,
    pub end_line: Option<u32>,
    pub end_column: Option<u32>,
    pub help: Option<&'a str>,
    pub notes: &'a [String],
}

/// Converts diagnostics to their JSON form (end positions need the sources).
pub fn json_diagnostics<'a>(diagnostics: &'a [Diagnostic], sources: &Sources) -> Vec<JsonDiagnostic<'a>> {
    diagnostics
        .iter()
        .map(|d| {
            let end = d
                .location
                .as_ref()
                .and_then(|l| sources.get(&l.file).map(|f| f.location(l.end..l.end)));
            JsonDiagnostic {
                code: d.rule.code,
                name: d.rule.name,
                severity: d.severity,
                message: &d.message,
                file: d.location.as_ref().map(|l| l.file.as_str()),
                line: d.location.as_ref().map(|l| l.line),
                column: d.location.as_ref().map(|l| l.column),
                end_line: end.as_ref().map(|l| l.line),
                end_column: end.as_ref().map(|l| l.column),
                help: d.help.as_deref(),
                notes: &d.notes,
            }
        })
        .collect()
}
