//! The one diagnostic type that every part of aimsc reports through, the rule
//! declaration type that gives each diagnostic its stable code, and the source
//! map that turns byte offsets into `file:line:column`.
//!
//! Renderers for each output format live in [`render`]; nothing else formats
//! diagnostics, so every format shows the same facts.

pub mod render;

use std::fmt;
use std::ops::Range;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

/// How serious a finding is. `Error` fails `check` (exit 1); `Warning` and
/// `Info` are reported but pass, unless `--deny warnings` is given.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
    Info,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A rule's configured level: a severity, or switched off.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    Error,
    Warning,
    Info,
    Off,
}

impl Level {
    pub fn severity(self) -> Option<Severity> {
        match self {
            Level::Error => Some(Severity::Error),
            Level::Warning => Some(Severity::Warning),
            Level::Info => Some(Severity::Info),
            Level::Off => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Level::Error => "error",
            Level::Warning => "warning",
            Level::Info => "info",
            Level::Off => "off",
        }
    }
}

/// A rule, declared once where it is emitted and listed in
/// `rules::REGISTRY`, from which `explain`, SARIF and the docs read.
#[derive(Debug)]
pub struct Rule {
    /// Stable code, e.g. `AIM021`. Never reused for another meaning.
    pub code: &'static str,
    /// Kebab-case name, e.g. `unknown-requirement`; usable wherever a code is.
    pub name: &'static str,
    pub default_level: Level,
    /// One line: what the rule finds.
    pub summary: &'static str,
    /// Markdown: why it matters, an example that fires, how to fix it.
    pub docs: &'static str,
}

/// A position in a source file. Lines and columns are 1-based; columns count
/// Unicode scalar values. `start..end` are byte offsets into the file.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Location {
    pub file: String,
    pub line: u32,
    pub column: u32,
    #[serde(skip)]
    pub start: usize,
    #[serde(skip)]
    pub end: usize,
}

/// One finding.
#[derive(Clone, Debug)]
pub struct Diagnostic {
    pub rule: &'static Rule,
    pub severity: Severity,
    pub message: String,
    pub location: Option<Location>,
    /// A short label under the caret, e.g. "not an ISO 42001 control".
    pub label: Option<String>,
    pub help: Option<String>,
    pub notes: Vec<String>,
}

impl Diagnostic {
    pub fn new(rule: &'static Rule, message: impl Into<String>) -> Self {
        Diagnostic {
            rule,
            severity: rule.default_level.severity().unwrap_or(Severity::Info),
            message: message.into(),
            location: None,
            label: None,
            help: None,
            notes: Vec::new(),
        }
    }

    pub fn at(mut self, location: Location) -> Self {
        self.location = Some(location);
        self
    }

    pub fn at_opt(mut self, location: Option<Location>) -> Self {
        self.location = location;
        self
    }

    pub fn label(mut self, label: impl Into<String>) -> Self {
        self.label = Some(label.into());
        self
    }

    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    pub fn help_opt(mut self, help: Option<String>) -> Self {
        self.help = help;
        self
    }

    pub fn note(mut self, note: impl Into<String>) -> Self {
        self.notes.push(note.into());
        self
    }

    pub fn code(&self) -> &'static str {
        self.rule.code
    }

    /// Ordering used by every renderer: findings in files by file and
    /// position, then repository-wide findings (no file) in the order the
    /// checks emitted them, which follows the catalogs.
    pub fn sort_key(&self) -> (bool, String, u32, u32) {
        match &self.location {
            Some(l) => (false, l.file.clone(), l.line, l.column),
            None => (true, String::new(), 0, 0),
        }
    }
}

/// One source file's text and line index. Shared by the model (which records
/// spans) and the renderers (which print snippets).
#[derive(Debug)]
pub struct SourceFile {
    /// Repository-relative path with `/` separators.
    pub path: String,
    pub text: Arc<str>,
    line_starts: Vec<usize>,
}

impl SourceFile {
    pub fn new(path: impl Into<String>, text: impl Into<Arc<str>>) -> Self {
        let text = text.into();
        let mut line_starts = vec![0];
        line_starts.extend(memchr_newlines(&text));
        SourceFile {
            path: path.into(),
            text,
            line_starts,
        }
    }

    /// Location of a byte range; out-of-range offsets are clamped so that a
    /// wrong span can never panic a renderer.
    pub fn location(&self, range: Range<usize>) -> Location {
        let start = self.clamp(range.start);
        let end = self.clamp(range.end.max(start));
        let line_idx = self.line_starts.partition_point(|&s| s <= start) - 1;
        let line_start = self.line_starts[line_idx];
        let column = self.text[line_start..start].chars().count() + 1;
        Location {
            file: self.path.clone(),
            line: (line_idx + 1) as u32,
            column: column as u32,
            start,
            end,
        }
    }

    /// Location of the start of a 1-based line.
    pub fn line_location(&self, line: usize) -> Location {
        let idx = line.clamp(1, self.line_starts.len()) - 1;
        let start = self.line_starts[idx];
        let end = self.line_end(start);
        self.location(start..end)
    }

    /// Byte range of the line holding `offset`, without its line break.
    pub fn line_range(&self, offset: usize) -> Range<usize> {
        let offset = self.clamp(offset);
        let idx = self.line_starts.partition_point(|&s| s <= offset) - 1;
        let start = self.line_starts[idx];
        start..self.line_end(start)
    }

    fn line_end(&self, start: usize) -> usize {
        let rest = &self.text[start..];
        let mut end = start + rest.find('\n').unwrap_or(rest.len());
        if end > start && self.text.as_bytes()[end - 1] == b'\r' {
            end -= 1;
        }
        end
    }

    fn clamp(&self, offset: usize) -> usize {
        let mut offset = offset.min(self.text.len());
        while !self.text.is_char_boundary(offset) {
            offset -= 1;
        }
        offset
    }

    /// Location of the whole file (line 1), for file-level findings.
    pub fn file_location(&self) -> Location {
        Location {
            file: self.path.clone(),
            line: 1,
            column: 1,
            start: 0,
            end: 0,
        }
    }
}

fn memchr_newlines(text: &str) -> impl Iterator<Item = usize> + '_ {
    text.bytes()
        .enumerate()
        .filter(|&(_, b)| b == b'\n')
        .map(|(i, _)| i + 1)
}

/// Counts of a run's findings by severity.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Counts {
    pub errors: usize,
    pub warnings: usize,
    pub infos: usize,
}

impl Counts {
    pub fn of(diagnostics: &[Diagnostic]) -> Self {
        let mut c = Counts::default();
        for d in diagnostics {
            match d.severity {
                Severity::Error => c.errors += 1,
                Severity::Warning => c.warnings += 1,
                Severity::Info => c.infos += 1,
            }
        }
        c
    }
}

/// Plural helper for messages: `plural(3, "error")` is "3 errors".
pub fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("1 {word}")
    } else {
        format!("{n} {word}s")
    }
}
