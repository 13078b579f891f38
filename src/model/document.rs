//! Governed documents: splitting a Markdown file into front matter and body,
//! and reading every field into typed values with spans. A wrong field
//! becomes a diagnostic and the rest of the document is still read.

use std::collections::HashMap;
use std::ops::Range;
use std::sync::Arc;

use jiff::civil::Date;
use serde::Serialize;

use super::body::Body;
use super::rules::*;
use super::vocab::*;
use super::yaml::{self, Node, Value};
use crate::diagnostics::{Diagnostic, Location, SourceFile};

/// A value with the byte range it was read from.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Sp<T> {
    pub value: T,
    #[serde(skip)]
    pub span: Range<usize>,
}

impl<T> Sp<T> {
    pub fn new(value: T, span: Range<usize>) -> Self {
        Sp { value, span }
    }
}

/// A list of clause and control IDs under one standard key.
#[derive(Clone, Debug, Serialize)]
pub struct StandardIds {
    pub standard: Sp<String>,
    pub ids: Vec<Sp<String>>,
}

/// A review period such as `12 months`.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Period {
    pub count: i64,
    pub unit: PeriodUnit,
}

#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum PeriodUnit {
    Days,
    Weeks,
    Months,
    Years,
}

impl Period {
    pub fn after(self, date: Date) -> Option<Date> {
        let span = match self.unit {
            PeriodUnit::Days => jiff::Span::new().try_days(self.count).ok()?,
            PeriodUnit::Weeks => jiff::Span::new().try_weeks(self.count).ok()?,
            PeriodUnit::Months => jiff::Span::new().try_months(self.count).ok()?,
            PeriodUnit::Years => jiff::Span::new().try_years(self.count).ok()?,
        };
        date.checked_add(span).ok()
    }

    fn parse(text: &str) -> Option<Period> {
        let mut parts = text.split_whitespace();
        let count: i64 = parts.next()?.parse().ok()?;
        let unit = match parts.next()?.to_ascii_lowercase().trim_end_matches('s') {
            "day" => PeriodUnit::Days,
            "week" => PeriodUnit::Weeks,
            "month" => PeriodUnit::Months,
            "year" => PeriodUnit::Years,
            _ => return None,
        };
        if parts.next().is_some() || !(1..=100_000).contains(&count) {
            return None;
        }
        Some(Period { count, unit })
    }
}

#[derive(Clone, Debug, Serialize)]
pub struct SoaEntry {
    pub control: Sp<String>,
    pub applicable: Option<Sp<bool>>,
    pub status: Option<Sp<ImplStatus>>,
    pub justification: Option<Sp<String>>,
    pub title: Option<Sp<String>>,
}

#[derive(Clone, Debug, Serialize)]
pub struct Soa {
    pub standard: Option<Sp<String>>,
    pub controls: Vec<SoaEntry>,
    #[serde(skip)]
    pub controls_span: Option<Range<usize>>,
}

#[derive(Clone, Debug, Serialize)]
pub struct Exclusion {
    pub item: String,
    pub reason: Option<String>,
}

#[derive(Clone, Debug, Serialize)]
pub struct Scope {
    pub standards: Vec<Sp<String>>,
    pub ai_systems: Vec<Sp<String>>,
    pub units: Vec<String>,
    pub locations: Vec<String>,
    pub exclusions: Vec<Exclusion>,
}

#[derive(Clone, Debug, Serialize)]
pub struct AiSystem {
    pub purpose: Option<Sp<String>>,
    pub roles: Vec<Sp<Role>>,
    pub risk_level: Option<Sp<RiskLevel>>,
    pub lifecycle_stage: Option<Sp<Stage>>,
    pub in_scope: Option<Sp<bool>>,
}

#[derive(Clone, Debug, Serialize)]
pub struct Risk {
    pub ai_systems: Vec<Sp<String>>,
    pub organisational: bool,
    pub likelihood: Option<Sp<Likelihood>>,
    pub severity: Option<Sp<RiskSeverity>>,
    pub treatment: Option<Sp<Treatment>>,
    pub controls: Vec<StandardIds>,
    pub objectives: Vec<Sp<String>>,
    pub risk_sources: Vec<Sp<String>>,
}

#[derive(Clone, Debug, Serialize)]
pub struct ImpactAssessment {
    pub ai_system: Option<Sp<String>>,
    pub assessed_on: Option<Sp<Date>>,
    pub affects: Vec<Sp<Affected>>,
}

#[derive(Clone, Debug, Serialize)]
pub struct Record {
    pub recorded_on: Option<Sp<Date>>,
    pub evidence_for: Vec<Sp<String>>,
}

/// The fields only some document types have.
#[derive(Clone, Debug, Serialize)]
#[serde(untagged)]
pub enum Details {
    None,
    Soa(Soa),
    Scope(Scope),
    AiSystem(AiSystem),
    Risk(Risk),
    ImpactAssessment(ImpactAssessment),
    Record(Record),
}

/// One governed document, as read from its file.
#[derive(Clone, Debug)]
pub struct Document {
    pub file: Arc<SourceFile>,
    pub id: Sp<String>,
    pub title: String,
    pub doc_type: DocType,
    pub owner: Option<Sp<String>>,
    pub status: Status,
    pub status_span: Option<Range<usize>>,
    pub version: Option<String>,
    pub approved_by: Option<Sp<String>>,
    pub approved_on: Option<Sp<Date>>,
    pub next_review: Option<Sp<Date>>,
    pub review_every: Option<Sp<Period>>,
    pub satisfies: Vec<StandardIds>,
    pub references: Vec<Sp<String>>,
    pub tags: Vec<String>,
    pub summary: Option<String>,
    /// Span of the whole front matter block, from the opening `---`.
    pub front_matter: Range<usize>,
    pub body: Body,
    pub details: Details,
}

impl Document {
    pub fn path(&self) -> &str {
        &self.file.path
    }

    pub fn loc(&self, span: &Range<usize>) -> Location {
        self.file.location(span.clone())
    }

    /// Location of the `id` field, used for findings about the whole document.
    pub fn id_loc(&self) -> Location {
        self.loc(&self.id.span)
    }

    pub fn is_approved(&self) -> bool {
        self.status == Status::Approved
    }

    /// When the next review is due: `next_review`, else `approved_on + review_every`.
    pub fn review_due(&self) -> Option<Date> {
        if let Some(d) = &self.next_review {
            return Some(d.value);
        }
        let (every, approved) = (self.review_every.as_ref()?, self.approved_on.as_ref()?);
        every.value.after(approved.value)
    }

    pub fn soa(&self) -> Option<&Soa> {
        match &self.details {
            Details::Soa(s) => Some(s),
            _ => None,
        }
    }

    pub fn scope(&self) -> Option<&Scope> {
        match &self.details {
            Details::Scope(s) => Some(s),
            _ => None,
        }
    }

    pub fn ai_system(&self) -> Option<&AiSystem> {
        match &self.details {
            Details::AiSystem(s) => Some(s),
            _ => None,
        }
    }

    pub fn risk(&self) -> Option<&Risk> {
        match &self.details {
            Details::Risk(s) => Some(s),
            _ => None,
        }
    }

    pub fn impact_assessment(&self) -> Option<&ImpactAssessment> {
        match &self.details {
            Details::ImpactAssessment(s) => Some(s),
            _ => None,
        }
    }

    pub fn record(&self) -> Option<&Record> {
        match &self.details {
            Details::Record(s) => Some(s),
            _ => None,
        }
    }
}

/// Fields every document may have.
pub const COMMON_FIELDS: &[&str] = &[
    "id",
    "title",
    "type",
    "owner",
    "status",
    "version",
    "approved_by",
    "approved_on",
    "next_review",
    "review_every",
    "satisfies",
    "references",
    "tags",
    "summary",
];

/// Fields only some types have.
pub fn type_fields(t: DocType) -> &'static [&'static str] {
    match t {
        DocType::Soa => &["standard", "controls"],
        DocType::Scope => &["standards", "ai_systems", "units", "locations", "exclusions"],
        DocType::AiSystem => &["purpose", "roles", "risk_level", "lifecycle_stage", "in_scope"],
        DocType::Risk => &[
            "ai_systems",
            "organisational",
            "likelihood",
            "severity",
            "treatment",
            "controls",
            "objectives",
            "risk_sources",
        ],
        DocType::ImpactAssessment => &["ai_system", "assessed_on", "affects"],
        DocType::Record => &["recorded_on", "evidence_for"],
        DocType::Policy | DocType::Procedure | DocType::Standard | DocType::Guideline | DocType::Plan => &[],
    }
}

/// Fields of an SoA control entry.
pub const SOA_ENTRY_FIELDS: &[&str] = &["applicable", "status", "justification", "title"];

/// What splitting a Markdown file found.
pub enum Split<'a> {
    /// No front matter: not a governed document.
    Plain,
    /// `yaml` starts at byte `yaml_start`; the body at `body_start`.
    Document {
        yaml: &'a str,
        yaml_start: usize,
        body_start: usize,
        end_of_front_matter: usize,
    },
    /// Opened with `---` and never closed.
    Unclosed,
}

/// Splits a file into front matter and body. A UTF-8 BOM and CRLF line ends
/// are accepted.
pub fn split(text: &str) -> Split<'_> {
    let start = if text.starts_with('\u{feff}') { 3 } else { 0 };
    let rest = &text[start..];
    let first_end = rest.find('\n').unwrap_or(rest.len());
    if rest[..first_end].trim_end() != "---" {
        return Split::Plain;
    }
    let yaml_start = start + (first_end + 1).min(rest.len());
    let mut pos = yaml_start;
    while pos < text.len() {
        let end = text[pos..].find('\n').map_or(text.len(), |i| pos + i);
        let line = text[pos..end].trim_end();
        if line == "---" || line == "..." {
            let body_start = (end + 1).min(text.len());
            return Split::Document {
                yaml: &text[yaml_start..pos],
                yaml_start,
                body_start,
                end_of_front_matter: end,
            };
        }
        pos = end + 1;
    }
    Split::Unclosed
}

/// Reads one governed document's front matter. Returns `None` when the
/// document cannot be indexed (no usable `id` or `type`); the reasons are in
/// `diags` either way.
pub fn read(file: &Arc<SourceFile>, diags: &mut Vec<Diagnostic>) -> Option<Document> {
    let text: &str = &file.text;
    let (yaml_text, yaml_start, body_start, fm_end) = match split(text) {
        Split::Plain => return None,
        Split::Unclosed => {
            let start = if text.starts_with('\u{feff}') { 3 } else { 0 };
            diags.push(
                Diagnostic::new(&UNCLOSED_FRONT_MATTER, "front matter opened with `---` is never closed")
                    .at(file.location(start..start + 3))
                    .label("opened here")
                    .help("add a line with only `---` after the last front matter field"),
            );
            return None;
        }
        Split::Document {
            yaml,
            yaml_start,
            body_start,
            end_of_front_matter,
        } => (yaml, yaml_start, body_start, end_of_front_matter),
    };
    let root = match yaml::parse(yaml_text, yaml_start) {
        Ok(root) => root,
        Err(e) => {
            let loc = file.location(e.offset..e.offset);
            diags.push(
                Diagnostic::new(&YAML_SYNTAX, format!("invalid YAML in front matter: {}", e.message))
                    .at(loc)
                    .help("fix the YAML syntax; quote values that contain `: `, `#` or start with `[`, `{`, `*`, `&`"),
            );
            return None;
        }
    };
    let mut r = Reader { file, diags };
    let Some(map) = root.as_map() else {
        let span = if root.span.is_empty() {
            yaml_start.saturating_sub(4)..yaml_start.saturating_sub(1)
        } else {
            root.span.clone()
        };
        r.push(
            Diagnostic::new(
                &FRONT_MATTER_NOT_MAPPING,
                format!("front matter is {}, not a mapping of fields", root.kind_name()),
            )
            .at(file.location(span))
            .help("write the fields as `key: value` lines, e.g. `id: POL-001`"),
        );
        return None;
    };
    let fields = r.index(map);
    let doc_type = fields.get("type").and_then(|n| r.vocab::<DocType>("type", n));
    if !fields.contains_key("type") {
        r.missing(
            "type",
            &root,
            Some(format!("add `type:` with one of: {}", DocType::names().join(", "))),
        );
    }
    r.unknown_fields(&fields, doc_type.clone(), map);

    let id = match fields.get("id") {
        Some(n) => r.id(n),
        None => {
            r.missing(
                "id",
                &root,
                Some("add `id:` with a short unique identifier, e.g. `id: POL-AI-001`".into()),
            );
            None
        }
    };
    let title = match fields.get("title") {
        Some(n) => r.text("title", n),
        None => {
            r.missing("title", &root, None);
            None
        }
    };
    let owner = fields.get("owner").and_then(|n| r.person("owner", n));
    let status = fields.get("status").and_then(|n| r.vocab::<Status>("status", n));
    let version = fields
        .get("version")
        .and_then(|n| r.text("version", n))
        .map(|s| s.value);
    let approved_by = fields.get("approved_by").and_then(|n| r.person("approved_by", n));
    let approved_on = fields.get("approved_on").and_then(|n| r.date("approved_on", n));
    let next_review = fields.get("next_review").and_then(|n| r.date("next_review", n));
    let review_every = fields.get("review_every").and_then(|n| r.period(n));
    let satisfies = fields
        .get("satisfies")
        .map(|n| r.standard_ids("satisfies", n))
        .unwrap_or_default();
    let references = fields
        .get("references")
        .map(|n| r.text_list("references", n))
        .unwrap_or_default();
    let tags = fields
        .get("tags")
        .map(|n| r.text_list("tags", n))
        .unwrap_or_default()
        .into_iter()
        .map(|t| t.value)
        .collect();
    let summary = fields
        .get("summary")
        .and_then(|n| r.text("summary", n))
        .map(|s| s.value);

    let details = match doc_type.as_ref().map(|t| t.value) {
        Some(DocType::Soa) => Details::Soa(r.soa(&fields, &root)),
        Some(DocType::Scope) => Details::Scope(r.scope(&fields)),
        Some(DocType::AiSystem) => Details::AiSystem(r.ai_system(&fields)),
        Some(DocType::Risk) => Details::Risk(r.risk(&fields)),
        Some(DocType::ImpactAssessment) => Details::ImpactAssessment(r.impact_assessment(&fields, &root)),
        Some(DocType::Record) => Details::Record(r.record(&fields)),
        _ => Details::None,
    };

    let body = Body::parse(text, body_start);
    let (id, doc_type) = (id?, doc_type?);
    let title = title.map(|t| t.value).unwrap_or_else(|| id.value.clone());
    Some(Document {
        file: file.clone(),
        title,
        id,
        doc_type: doc_type.value,
        owner,
        status: status.as_ref().map_or(Status::Draft, |s| s.value),
        status_span: status.map(|s| s.span),
        version,
        approved_by,
        approved_on,
        next_review,
        review_every,
        satisfies,
        references,
        tags,
        summary,
        front_matter: yaml_start.saturating_sub(4)..fm_end,
        body,
        details,
    })
}

/// Values that stand for "not decided yet".
pub fn is_placeholder(text: &str) -> bool {
    let t = text.trim().to_ascii_lowercase();
    matches!(
        t.as_str(),
        "tbd"
            | "tbc"
            | "tba"
            | "todo"
            | "fixme"
            | "?"
            | "??"
            | "???"
            | "-"
            | "--"
            | "n/a"
            | "na"
            | "xxx"
            | "none"
            | "unknown"
            | "owner"
            | "name"
    ) || (t.starts_with('<') && t.ends_with('>'))
        || (t.starts_with("{{") && t.ends_with("}}"))
}

struct Reader<'a> {
    file: &'a Arc<SourceFile>,
    diags: &'a mut Vec<Diagnostic>,
}

impl<'a> Reader<'a> {
    fn push(&mut self, d: Diagnostic) {
        self.diags.push(d);
    }

    fn loc(&self, span: &Range<usize>) -> Location {
        self.file.location(span.clone())
    }

    /// Top-level keys by name, reporting duplicates and non-text keys.
    fn index<'n>(&mut self, map: &'n [(Node, Node)]) -> HashMap<&'n str, &'n Node> {
        let mut out: HashMap<&str, &Node> = HashMap::new();
        let mut first: HashMap<&str, &Node> = HashMap::new();
        for (k, v) in map {
            let Some(key) = k.as_scalar() else {
                self.push(
                    Diagnostic::new(
                        &INVALID_VALUE,
                        format!("a front matter key must be text, found {}", k.kind_name()),
                    )
                    .at(self.loc(&k.span)),
                );
                continue;
            };
            if let Some(prev) = first.get(key) {
                let prev_line = self.loc(&prev.span).line;
                self.push(
                    Diagnostic::new(&DUPLICATE_KEY, format!("`{key}` is given twice"))
                        .at(self.loc(&k.span))
                        .label("second occurrence")
                        .note(format!("first given on line {prev_line}"))
                        .help("keep one; YAML tools disagree on which one wins"),
                );
                continue;
            }
            first.insert(key, k);
            out.insert(key, v);
        }
        out
    }

    fn unknown_fields(&mut self, fields: &HashMap<&str, &Node>, doc_type: Option<Sp<DocType>>, map: &[(Node, Node)]) {
        let own: Vec<&str> = match &doc_type {
            Some(t) => COMMON_FIELDS.iter().chain(type_fields(t.value)).copied().collect(),
            // Without a type every type's fields are allowed, so that one
            // mistake does not cascade into a dozen.
            None => {
                let mut all = COMMON_FIELDS.to_vec();
                for (_, t) in DocType::VALUES {
                    all.extend_from_slice(type_fields(*t));
                }
                all
            }
        };
        for (k, _) in map {
            let Some(key) = k.as_scalar() else { continue };
            if own.contains(&key) || !fields.contains_key(key) {
                continue;
            }
            let owners: Vec<&str> = DocType::VALUES
                .iter()
                .filter(|(_, t)| type_fields(*t).contains(&key))
                .map(|(n, _)| *n)
                .collect();
            let tname = doc_type.as_ref().map_or("", |t| t.value.as_str());
            let (msg, help) = if !owners.is_empty() {
                (
                    format!("`{key}` is not a field of `{tname}` documents"),
                    format!(
                        "`{key}` belongs to {} documents; remove it or change `type`",
                        quote_list(&owners)
                    ),
                )
            } else {
                let help = match did_you_mean(key, &own) {
                    Some(s) => format!("did you mean `{s}`?"),
                    None => format!("known fields: {}", own.join(", ")),
                };
                (format!("unknown field `{key}`"), help)
            };
            self.push(Diagnostic::new(&UNKNOWN_FIELD, msg).at(self.loc(&k.span)).help(help));
        }
    }

    fn missing(&mut self, field: &str, root: &Node, help: Option<String>) {
        let span = root.span.start..root.span.start;
        self.push(
            Diagnostic::new(&MISSING_FIELD, format!("missing required field `{field}`"))
                .at(self.loc(&span))
                .help_opt(help),
        );
    }

    fn invalid(&mut self, node: &Node, msg: String, help: Option<String>) {
        self.push(
            Diagnostic::new(&INVALID_VALUE, msg)
                .at(self.loc(&node.span))
                .help_opt(help),
        );
    }

    fn text(&mut self, field: &str, node: &Node) -> Option<Sp<String>> {
        match node.as_scalar() {
            Some(_) if node.is_null() => {
                self.invalid(
                    node,
                    format!("`{field}` is empty"),
                    Some(format!("give `{field}` a value or remove the line")),
                );
                None
            }
            Some(t) => Some(Sp::new(t.trim().to_string(), node.span.clone())),
            None => {
                self.invalid(
                    node,
                    format!("`{field}` must be text, found {}", node.kind_name()),
                    None,
                );
                None
            }
        }
    }

    /// A person or role (`owner`, `approved_by`): text that is no placeholder.
    fn person(&mut self, field: &str, node: &Node) -> Option<Sp<String>> {
        if let Some(items) = node.as_seq() {
            let inner: Vec<&str> = items.iter().filter_map(Node::as_scalar).collect();
            if inner.len() == items.len() && inner.iter().all(|t| is_placeholder(t)) {
                self.push(
                    Diagnostic::new(
                        &PLACEHOLDER,
                        format!("`{field}` is the placeholder `[{}]`", inner.join(", ")),
                    )
                    .at(self.loc(&node.span))
                    .label("a YAML list holding a placeholder, not a name")
                    .help(format!(
                        "name the accountable role or person, e.g. `{field}: Head of Data Science`"
                    )),
                );
                return None;
            }
            self.invalid(
                node,
                format!("`{field}` must be one role or person, found a list"),
                Some(format!(
                    "write `{field}: Chief Information Security Officer`; `[...]` makes a YAML list"
                )),
            );
            return None;
        }
        let t = self.text(field, node)?;
        if is_placeholder(&t.value) {
            self.push(
                Diagnostic::new(&PLACEHOLDER, format!("`{field}` is the placeholder `{}`", t.value))
                    .at(self.loc(&t.span))
                    .help(format!(
                        "name the accountable role or person, e.g. `{field}: Head of Data Science`"
                    )),
            );
            return None;
        }
        Some(t)
    }

    fn id(&mut self, node: &Node) -> Option<Sp<String>> {
        let t = self.text("id", node)?;
        let ok = t.value.chars().next().is_some_and(|c| c.is_ascii_alphanumeric())
            && t.value
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'));
        if !ok {
            let suggestion: String = t
                .value
                .trim()
                .chars()
                .map(|c| {
                    if c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-') {
                        c
                    } else {
                        '-'
                    }
                })
                .collect();
            self.invalid(
                node,
                format!("`{}` is not a valid document ID", t.value),
                Some(format!(
                    "use letters, digits, `.`, `_` and `-` only, starting with a letter or digit, e.g. `{suggestion}`"
                )),
            );
            return None;
        }
        Some(t)
    }

    fn date(&mut self, field: &str, node: &Node) -> Option<Sp<Date>> {
        let t = self.text(field, node)?;
        let parsed = if t.value.len() == 10 {
            t.value.parse::<Date>().ok()
        } else {
            None
        };
        match parsed {
            Some(d) => Some(Sp::new(d, t.span)),
            None => {
                self.invalid(
                    node,
                    format!("`{field}` must be a date written YYYY-MM-DD, found `{}`", t.value),
                    Some(format!("e.g. `{field}: 2026-03-31`")),
                );
                None
            }
        }
    }

    fn bool(&mut self, field: &str, node: &Node) -> Option<Sp<bool>> {
        if let Some(b) = node.as_bool() {
            return Some(Sp::new(b, node.span.clone()));
        }
        let help = match node.as_scalar().map(|s| s.to_ascii_lowercase()) {
            Some(s) if matches!(s.as_str(), "yes" | "y" | "on") => {
                format!("YAML 1.2 has no `{s}` boolean; write `{field}: true`")
            }
            Some(s) if matches!(s.as_str(), "no" | "n" | "off") => {
                format!("YAML 1.2 has no `{s}` boolean; write `{field}: false`")
            }
            _ => format!("write `{field}: true` or `{field}: false`"),
        };
        self.invalid(
            node,
            format!("`{field}` must be true or false, found {}", describe(node)),
            Some(help),
        );
        None
    }

    fn vocab<T: Vocab>(&mut self, field: &str, node: &Node) -> Option<Sp<T>> {
        let t = self.text(field, node)?;
        if let Some(v) = T::parse(&t.value) {
            return Some(Sp::new(v, t.span));
        }
        let names = T::names();
        let lower = t.value.to_ascii_lowercase().replace([' ', '_'], "-");
        let help = match T::parse(&lower)
            .map(|_| lower.as_str())
            .or_else(|| did_you_mean(&t.value, &names))
        {
            Some(s) => format!(
                "did you mean `{s}`? {} values: {}",
                capitalise(T::WHAT),
                names.join(", ")
            ),
            None => format!("{} values: {}", capitalise(T::WHAT), names.join(", ")),
        };
        self.invalid(
            node,
            format!("`{}` is not a valid {} for `{field}`", t.value, T::WHAT),
            Some(help),
        );
        None
    }

    fn period(&mut self, node: &Node) -> Option<Sp<Period>> {
        let t = self.text("review_every", node)?;
        match Period::parse(&t.value) {
            Some(p) => Some(Sp::new(p, t.span)),
            None => {
                self.invalid(
                    node,
                    format!(
                        "`review_every` must be a period such as `12 months`, found `{}`",
                        t.value
                    ),
                    Some("write a number and a unit: days, weeks, months or years".into()),
                );
                None
            }
        }
    }

    fn list<'n>(&mut self, field: &str, node: &'n Node) -> &'n [Node] {
        match node.as_seq() {
            Some(items) => items,
            None if node.is_null() => &[],
            None => {
                let help = node.as_scalar().map(|s| format!("write a YAML list: `{field}: [{s}]`"));
                self.invalid(
                    node,
                    format!("`{field}` must be a list, found {}", node.kind_name()),
                    help,
                );
                &[]
            }
        }
    }

    fn text_list(&mut self, field: &str, node: &Node) -> Vec<Sp<String>> {
        let items = self.list(field, node);
        items.iter().filter_map(|n| self.text(field, n)).collect()
    }

    fn vocab_list<T: Vocab>(&mut self, field: &str, node: &Node) -> Vec<Sp<T>> {
        let items = self.list(field, node);
        items.iter().filter_map(|n| self.vocab::<T>(field, n)).collect()
    }

    /// A map from standard key to a list of IDs (`satisfies`, risk `controls`).
    fn standard_ids(&mut self, field: &str, node: &Node) -> Vec<StandardIds> {
        let Some(map) = node.as_map() else {
            if !node.is_null() {
                self.invalid(
                    node,
                    format!("`{field}` must map standards to ID lists, found {}", node.kind_name()),
                    Some(format!(
                        "e.g. `{field}: {{iso42001: [A.2.2, \"5.2\"], iso27001: [A.5.1]}}`"
                    )),
                );
            }
            return Vec::new();
        };
        let mut out = Vec::new();
        for (k, v) in map {
            let Some(key) = self.text(field, k) else { continue };
            let ids = self.text_list(&format!("{field}.{}", key.value), v);
            out.push(StandardIds { standard: key, ids });
        }
        out
    }

    fn soa(&mut self, fields: &HashMap<&str, &Node>, root: &Node) -> Soa {
        let standard = fields.get("standard").and_then(|n| self.text("standard", n));
        if !fields.contains_key("standard") {
            self.missing(
                "standard",
                root,
                Some("add `standard: iso42001` (one SoA per standard)".into()),
            );
        }
        let mut controls = Vec::new();
        let controls_node = fields.get("controls");
        match controls_node {
            None => self.missing(
                "controls",
                root,
                Some("add `controls:` with an entry for every Annex A control".into()),
            ),
            Some(n) => match n.as_map() {
                Some(map) => {
                    let mut seen: HashMap<String, usize> = HashMap::new();
                    for (k, v) in map {
                        let Some(control) = self.text("controls", k) else {
                            continue;
                        };
                        if let Some(line) = seen.get(&control.value) {
                            self.push(
                                Diagnostic::new(
                                    &DUPLICATE_KEY,
                                    format!("control `{}` has two SoA entries", control.value),
                                )
                                .at(self.loc(&control.span))
                                .note(format!("first entry on line {line}"))
                                .help("keep one decision per control"),
                            );
                            continue;
                        }
                        seen.insert(control.value.clone(), self.loc(&control.span).line as usize);
                        controls.push(self.soa_entry(control, v));
                    }
                }
                None => self.invalid(
                    n,
                    format!("`controls` must map control IDs to decisions, found {}", n.kind_name()),
                    Some(
                        "e.g. `controls: {A.2.2: {applicable: true, status: implemented, justification: ...}}`".into(),
                    ),
                ),
            },
        }
        Soa {
            standard,
            controls,
            controls_span: controls_node.map(|n| n.span.clone()),
        }
    }

    fn soa_entry(&mut self, control: Sp<String>, node: &Node) -> SoaEntry {
        let mut entry = SoaEntry {
            control,
            applicable: None,
            status: None,
            justification: None,
            title: None,
        };
        let Some(map) = node.as_map() else {
            let help = match node.as_bool() {
                Some(b) => format!(
                    "write `{}: {{applicable: {b}, justification: \"...\"}}`",
                    entry.control.value
                ),
                None => "write `{applicable: true, status: implemented, justification: \"...\"}`".to_string(),
            };
            self.invalid(
                node,
                format!(
                    "the SoA entry for `{}` must be a mapping, found {}",
                    entry.control.value,
                    node.kind_name()
                ),
                Some(help),
            );
            return entry;
        };
        let fields = self.index(map);
        for (k, _) in map {
            let Some(key) = k.as_scalar() else { continue };
            if !SOA_ENTRY_FIELDS.contains(&key) {
                let help = match did_you_mean(key, SOA_ENTRY_FIELDS) {
                    Some(s) => format!("did you mean `{s}`?"),
                    None => format!("SoA entries have: {}", SOA_ENTRY_FIELDS.join(", ")),
                };
                self.push(
                    Diagnostic::new(
                        &UNKNOWN_FIELD,
                        format!("unknown field `{key}` in the SoA entry for `{}`", entry.control.value),
                    )
                    .at(self.loc(&k.span))
                    .help(help),
                );
            }
        }
        entry.applicable = fields.get("applicable").and_then(|n| self.bool("applicable", n));
        entry.status = fields.get("status").and_then(|n| self.vocab::<ImplStatus>("status", n));
        entry.justification = fields.get("justification").and_then(|n| self.text("justification", n));
        entry.title = fields.get("title").and_then(|n| self.text("title", n));
        if !fields.contains_key("applicable") {
            self.push(
                Diagnostic::new(
                    &MISSING_FIELD,
                    format!(
                        "the SoA entry for `{}` does not say whether it is applicable",
                        entry.control.value
                    ),
                )
                .at(self.loc(&entry.control.span))
                .help("add `applicable: true` or `applicable: false`"),
            );
        }
        entry
    }

    fn scope(&mut self, fields: &HashMap<&str, &Node>) -> Scope {
        let exclusions = fields
            .get("exclusions")
            .map(|n| {
                let items = self.list("exclusions", n);
                items
                    .iter()
                    .filter_map(|item| {
                        if let Some(t) = item.as_scalar() {
                            return Some(Exclusion {
                                item: t.to_string(),
                                reason: None,
                            });
                        }
                        let map = item.as_map()?;
                        let f = self.index(map);
                        for (k, _) in map {
                            if let Some(key) = k.as_scalar().filter(|k| !["item", "reason"].contains(k)) {
                                self.push(
                                    Diagnostic::new(&UNKNOWN_FIELD, format!("unknown field `{key}` in an exclusion"))
                                        .at(self.loc(&k.span))
                                        .help("exclusions have `item` and `reason`"),
                                );
                            }
                        }
                        let it = f.get("item").and_then(|n| self.text("item", n))?;
                        let reason = f.get("reason").and_then(|n| self.text("reason", n)).map(|s| s.value);
                        Some(Exclusion { item: it.value, reason })
                    })
                    .collect()
            })
            .unwrap_or_default();
        Scope {
            standards: fields
                .get("standards")
                .map(|n| self.text_list("standards", n))
                .unwrap_or_default(),
            ai_systems: fields
                .get("ai_systems")
                .map(|n| self.text_list("ai_systems", n))
                .unwrap_or_default(),
            units: fields
                .get("units")
                .map(|n| self.text_list("units", n))
                .unwrap_or_default()
                .into_iter()
                .map(|s| s.value)
                .collect(),
            locations: fields
                .get("locations")
                .map(|n| self.text_list("locations", n))
                .unwrap_or_default()
                .into_iter()
                .map(|s| s.value)
                .collect(),
            exclusions,
        }
    }

    fn ai_system(&mut self, fields: &HashMap<&str, &Node>) -> AiSystem {
        AiSystem {
            purpose: fields.get("purpose").and_then(|n| self.text("purpose", n)),
            roles: fields
                .get("roles")
                .map(|n| self.vocab_list::<Role>("roles", n))
                .unwrap_or_default(),
            risk_level: fields
                .get("risk_level")
                .and_then(|n| self.vocab::<RiskLevel>("risk_level", n)),
            lifecycle_stage: fields
                .get("lifecycle_stage")
                .and_then(|n| self.vocab::<Stage>("lifecycle_stage", n)),
            in_scope: fields.get("in_scope").and_then(|n| self.bool("in_scope", n)),
        }
    }

    fn risk(&mut self, fields: &HashMap<&str, &Node>) -> Risk {
        Risk {
            ai_systems: fields
                .get("ai_systems")
                .map(|n| self.text_list("ai_systems", n))
                .unwrap_or_default(),
            organisational: fields
                .get("organisational")
                .and_then(|n| self.bool("organisational", n))
                .is_some_and(|b| b.value),
            likelihood: fields
                .get("likelihood")
                .and_then(|n| self.vocab::<Likelihood>("likelihood", n)),
            severity: fields
                .get("severity")
                .and_then(|n| self.vocab::<RiskSeverity>("severity", n)),
            treatment: fields
                .get("treatment")
                .and_then(|n| self.vocab::<Treatment>("treatment", n)),
            controls: fields
                .get("controls")
                .map(|n| self.standard_ids("controls", n))
                .unwrap_or_default(),
            objectives: fields
                .get("objectives")
                .map(|n| self.text_list("objectives", n))
                .unwrap_or_default(),
            risk_sources: fields
                .get("risk_sources")
                .map(|n| self.text_list("risk_sources", n))
                .unwrap_or_default(),
        }
    }

    fn impact_assessment(&mut self, fields: &HashMap<&str, &Node>, root: &Node) -> ImpactAssessment {
        if !fields.contains_key("ai_system") {
            self.missing(
                "ai_system",
                root,
                Some("name the assessed system: `ai_system: AIS-001`".into()),
            );
        }
        ImpactAssessment {
            ai_system: fields.get("ai_system").and_then(|n| self.text("ai_system", n)),
            assessed_on: fields.get("assessed_on").and_then(|n| self.date("assessed_on", n)),
            affects: fields
                .get("affects")
                .map(|n| self.vocab_list::<Affected>("affects", n))
                .unwrap_or_default(),
        }
    }

    fn record(&mut self, fields: &HashMap<&str, &Node>) -> Record {
        Record {
            recorded_on: fields.get("recorded_on").and_then(|n| self.date("recorded_on", n)),
            evidence_for: fields
                .get("evidence_for")
                .map(|n| self.text_list("evidence_for", n))
                .unwrap_or_default(),
        }
    }
}

fn describe(node: &Node) -> String {
    match &node.value {
        Value::Scalar { text, .. } if !node.is_null() => format!("`{text}`"),
        _ => node.kind_name().to_string(),
    }
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

fn quote_list(items: &[&str]) -> String {
    let q: Vec<String> = items.iter().map(|s| format!("`{s}`")).collect();
    q.join(" and ")
}

/// The closest candidate to `word`, if it is close enough to be a likely typo.
pub fn did_you_mean<'c>(word: &str, candidates: &[&'c str]) -> Option<&'c str> {
    closest(word, candidates, 0.82)
}

/// Like [`did_you_mean`] with a similarity threshold (0 to 1); IDs need a
/// stricter one than field names, since `IA-001` and `AIS-001` look alike.
pub fn closest<'c>(word: &str, candidates: &[&'c str], threshold: f64) -> Option<&'c str> {
    let lower = word.to_ascii_lowercase();
    candidates
        .iter()
        .map(|c| (strsim::jaro_winkler(&lower, &c.to_ascii_lowercase()), *c))
        .filter(|(score, _)| *score >= threshold)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| c)
}
