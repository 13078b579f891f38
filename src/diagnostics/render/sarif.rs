//! SARIF 2.1.0 output, for GitHub code scanning and any other SARIF viewer.
//!
//! The log is made from hand-written serde structs (as ruff does) rather than
//! a SARIF crate: we emit a small, fixed subset of the format and want every
//! field we write to be visible here. The output is checked against the
//! official OASIS schema in `tests/formats.rs`.

use std::collections::{BTreeMap, HashMap};

use serde::Serialize;

use super::Sources;
use crate::diagnostics::{Diagnostic, Level, Location, Rule, Severity};

const SCHEMA: &str = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json";
const INFORMATION_URI: &str = "https://github.com/aimsc/aimsc";
/// Key of our entry in `partialFingerprints`. Versioned so that a change of
/// what is hashed can ship under a new key instead of silently reopening
/// every alert.
pub const FINGERPRINT_KEY: &str = "aimscFingerprint/v1";

/// Renders `diagnostics` as a pretty-printed SARIF 2.1.0 log with one run.
///
/// `rules` is the full rule registry (`rules::registry()`): every rule is
/// listed in `tool.driver.rules`, so viewers can show docs for rules that
/// found nothing, and each result's `ruleIndex` points into that list.
pub fn render(diagnostics: &[Diagnostic], sources: &Sources, rules: &[&'static Rule], tool_version: &str) -> String {
    // A diagnostic whose rule is missing from `rules` (a registry omission)
    // still gets a descriptor, so that `ruleIndex` is always valid.
    let mut all: Vec<&'static Rule> = rules.to_vec();
    for d in diagnostics {
        if !all.iter().any(|r| r.code == d.rule.code) {
            all.push(d.rule);
        }
    }

    let mut fingerprints = Occurrences::default();
    let results = diagnostics
        .iter()
        .map(|d| {
            let rule_index = all.iter().position(|r| r.code == d.rule.code).unwrap_or_default();
            let hash = fingerprint(d, sources);
            SarifResult {
                rule_id: d.rule.code,
                rule_index,
                level: result_level(d.severity),
                message: Message { text: message_text(d) },
                locations: d.location.as_ref().map(|l| vec![physical_location(l, sources)]),
                partial_fingerprints: [(FINGERPRINT_KEY, fingerprints.tag(hash))].into(),
            }
        })
        .collect();

    let log = Log {
        schema: SCHEMA,
        version: "2.1.0",
        runs: [Run {
            tool: Tool {
                driver: Driver {
                    name: "aimsc",
                    information_uri: INFORMATION_URI,
                    version: tool_version,
                    rules: all.iter().map(|r| descriptor(r)).collect(),
                },
            },
            // Location columns count Unicode scalar values, not UTF-16 units.
            column_kind: "unicodeCodePoints",
            results,
        }],
    };
    let mut out = serde_json::to_string_pretty(&log).expect("a SARIF log always serializes");
    out.push('\n');
    out
}

fn descriptor(rule: &'static Rule) -> ReportingDescriptor {
    let first_paragraph = match rule.docs.split("\n\n").next().map(str::trim) {
        Some(p) if !p.is_empty() => p,
        _ => rule.summary,
    };
    ReportingDescriptor {
        id: rule.code,
        // Kept kebab-case: it is the name users write in `[rules]`.
        name: rule.name,
        short_description: Text {
            text: rule.summary.to_string(),
        },
        full_description: Text {
            text: first_paragraph.to_string(),
        },
        help: Help {
            text: rule.docs,
            markdown: rule.docs,
        },
        default_configuration: Configuration {
            level: descriptor_level(rule.default_level),
        },
    }
}

fn descriptor_level(level: Level) -> &'static str {
    match level {
        Level::Error => "error",
        Level::Warning => "warning",
        Level::Info => "note",
        Level::Off => "none",
    }
}

fn result_level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

/// The message with help and notes appended: SARIF viewers show only
/// `message.text`, and the help is often the most useful part.
fn message_text(d: &Diagnostic) -> String {
    let mut text = d.message.clone();
    if let Some(help) = &d.help {
        text.push_str(" — help: ");
        text.push_str(help);
    }
    for note in &d.notes {
        text.push_str(" — note: ");
        text.push_str(note);
    }
    text
}

fn physical_location(loc: &Location, sources: &Sources) -> SarifLocation {
    let start_line = loc.line.max(1);
    let start_column = loc.column.max(1);
    // The end needs the file's line index. Without it only the start is
    // given, which SARIF reads as "to the end of the start line".
    let (end_line, end_column) = match sources.get(&loc.file) {
        Some(file) => {
            let end = file.location(loc.end..loc.end);
            // SARIF requires the end not to precede the start; a span from a
            // stale or wrong offset is collapsed to an insertion point.
            if (end.line, end.column) < (start_line, start_column) {
                (Some(start_line), Some(start_column))
            } else {
                (Some(end.line), Some(end.column.max(1)))
            }
        }
        None => (None, None),
    };
    SarifLocation {
        physical_location: PhysicalLocation {
            artifact_location: ArtifactLocation {
                uri: uri_path(&loc.file),
                uri_base_id: "%SRCROOT%",
            },
            region: Region {
                start_line,
                start_column,
                end_line,
                end_column,
            },
        },
    }
}

/// A repository-relative path as a relative URI reference: `uri` must be a
/// valid URI, so a space, `#` or `%` in a file name is percent-encoded
/// (GitHub decodes it back to the path).
fn uri_path(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for b in path.bytes() {
        if b.is_ascii_alphanumeric() || b"/-._~".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// A stable digest identifying a finding across commits: rule, file, the
/// trimmed text of the line(s) it is on, and the message. The line number
/// is deliberately left out, so editing lines above a finding does not make
/// code scanning close the alert and open a new one.
fn fingerprint(d: &Diagnostic, sources: &Sources) -> u64 {
    let mut h = Fnv1a::default();
    h.write(d.rule.code.as_bytes());
    h.write(&[0]);
    if let Some(loc) = &d.location {
        h.write(loc.file.as_bytes());
        h.write(&[0]);
        if let Some(file) = sources.get(&loc.file) {
            let first = file.line_range(loc.start);
            // A span ending just after a line break ends on the line before.
            let last_char = if loc.end > loc.start { loc.end - 1 } else { loc.start };
            let last = file.line_range(last_char.max(loc.start));
            let end = last.end.max(first.end);
            for line in file.text[first.start..end].lines() {
                h.write(line.trim().as_bytes());
                h.write(b"\n");
            }
        }
    }
    h.write(&[0]);
    h.write(d.message.as_bytes());
    h.finish()
}

/// FNV-1a, 64 bit: tiny and fixed by its specification, unlike
/// `std::hash::DefaultHasher`, whose output may change between Rust
/// releases and would churn every fingerprint on a toolchain upgrade.
struct Fnv1a(u64);

impl Default for Fnv1a {
    fn default() -> Self {
        Fnv1a(0xcbf2_9ce4_8422_2325)
    }
}

impl Fnv1a {
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 ^= u64::from(b);
            self.0 = self.0.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

/// Numbers repeated hashes `hash:1`, `hash:2`, … in output order (as
/// GitHub's own line hashes do), so that two identical findings in one file
/// stay two alerts instead of being merged into one.
#[derive(Default)]
struct Occurrences(HashMap<u64, usize>);

impl Occurrences {
    fn tag(&mut self, hash: u64) -> String {
        let n = self.0.entry(hash).or_default();
        *n += 1;
        format!("{hash:016x}:{n}")
    }
}

#[derive(Serialize)]
struct Log<'a> {
    #[serde(rename = "$schema")]
    schema: &'static str,
    version: &'static str,
    runs: [Run<'a>; 1],
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Run<'a> {
    tool: Tool<'a>,
    column_kind: &'static str,
    results: Vec<SarifResult>,
}

#[derive(Serialize)]
struct Tool<'a> {
    driver: Driver<'a>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Driver<'a> {
    name: &'static str,
    information_uri: &'static str,
    version: &'a str,
    rules: Vec<ReportingDescriptor>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ReportingDescriptor {
    id: &'static str,
    name: &'static str,
    short_description: Text,
    full_description: Text,
    help: Help,
    default_configuration: Configuration,
}

#[derive(Serialize)]
struct Text {
    text: String,
}

#[derive(Serialize)]
struct Help {
    text: &'static str,
    markdown: &'static str,
}

#[derive(Serialize)]
struct Configuration {
    level: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifResult {
    rule_id: &'static str,
    rule_index: usize,
    level: &'static str,
    message: Message,
    #[serde(skip_serializing_if = "Option::is_none")]
    locations: Option<Vec<SarifLocation>>,
    partial_fingerprints: BTreeMap<&'static str, String>,
}

#[derive(Serialize)]
struct Message {
    text: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifLocation {
    physical_location: PhysicalLocation,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PhysicalLocation {
    artifact_location: ArtifactLocation,
    region: Region,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ArtifactLocation {
    uri: String,
    uri_base_id: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Region {
    start_line: u32,
    start_column: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    end_line: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    end_column: Option<u32>,
}
