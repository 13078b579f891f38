//! The compliance impact of a change: two compilations of the repository
//! (at two Git revisions, or a revision and the working tree) compared by
//! ID, not by line. Documents, coverage, SoA decisions and findings.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt::Write as _;

use serde::Serialize;

use super::{Compilation, Coverage};
use crate::model::Document;
use crate::rules::{Ledger, State};

/// One side of the comparison, as shown to the reader (`main (1a2b3c4)`).
pub struct Side {
    pub label: String,
    pub compilation: Compilation,
}

#[derive(Debug, Serialize)]
pub struct DocRef {
    pub id: String,
    pub title: String,
    pub path: String,
    pub status: String,
}

#[derive(Debug, Serialize)]
pub struct FieldChange {
    pub field: &'static str,
    pub before: String,
    pub after: String,
}

#[derive(Debug, Serialize)]
pub struct DocChange {
    pub id: String,
    pub title: String,
    pub path: String,
    pub changes: Vec<FieldChange>,
}

#[derive(Debug, Serialize)]
pub struct RequirementChange {
    pub id: String,
    pub title: String,
    pub kind: &'static str,
    pub before: State,
    pub after: State,
    /// Approved documents that implement it after the change.
    pub documents: Vec<String>,
}

#[derive(Debug, Serialize)]
pub struct StandardDiff {
    pub standard: String,
    pub name: String,
    pub before: Coverage,
    pub after: Coverage,
    pub gained: Vec<RequirementChange>,
    pub lost: Vec<RequirementChange>,
}

impl StandardDiff {
    /// "30 → 28/32": clauses addressed before and after, of all.
    fn clauses_cell(&self) -> String {
        arrow(
            self.before.clauses_addressed,
            self.after.clauses_addressed,
            Some(self.after.clauses),
        )
    }

    /// Applicable controls implemented before and after, of those applicable.
    fn controls_cell(&self) -> String {
        arrow(
            self.before.controls_implemented,
            self.after.controls_implemented,
            Some(self.after.controls_applicable),
        )
    }
}

#[derive(Debug, Serialize)]
pub struct SoaChange {
    pub standard: String,
    pub control: String,
    pub title: String,
    pub field: &'static str,
    pub before: String,
    pub after: String,
    /// Documents whose claims point at this control (after the change).
    pub claimed_by: Vec<String>,
}

#[derive(Debug, Serialize, PartialEq, Eq, PartialOrd, Ord, Clone)]
pub struct Finding {
    pub code: String,
    pub severity: String,
    pub file: Option<String>,
    pub line: Option<u32>,
    pub message: String,
}

#[derive(Debug, Serialize)]
pub struct Diff {
    pub base: String,
    pub head: String,
    pub documents_added: Vec<DocRef>,
    pub documents_removed: Vec<DocRef>,
    pub documents_changed: Vec<DocChange>,
    pub coverage: Vec<StandardDiff>,
    pub soa_changes: Vec<SoaChange>,
    pub findings_introduced: Vec<Finding>,
    pub findings_resolved: Vec<Finding>,
}

impl Diff {
    pub fn new(base: &Side, head: &Side) -> Diff {
        let (b, h) = (&base.compilation, &head.compilation);
        let bdocs = docs_by_id(b);
        let hdocs = docs_by_id(h);
        let documents_added = hdocs
            .iter()
            .filter(|(id, _)| !bdocs.contains_key(*id))
            .map(|(_, d)| doc_ref(d))
            .collect();
        let documents_removed = bdocs
            .iter()
            .filter(|(id, _)| !hdocs.contains_key(*id))
            .map(|(_, d)| doc_ref(d))
            .collect();
        let documents_changed = hdocs
            .iter()
            .filter_map(|(id, after)| {
                let before = bdocs.get(id)?;
                let changes = field_changes(before, after);
                (!changes.is_empty()).then(|| DocChange {
                    id: id.to_string(),
                    title: after.title.clone(),
                    path: after.path().to_string(),
                    changes,
                })
            })
            .collect();

        let (bcx, hcx) = (b.context(), h.context());
        let (bl, hl) = (Ledger::build(&bcx), Ledger::build(&hcx));
        let mut coverage = Vec::new();
        let mut soa_changes = Vec::new();
        for hs in &hl.standards {
            let Some(bs) = bl.standards.iter().find(|s| s.catalog.key == hs.catalog.key) else {
                continue;
            };
            let before_rows: HashMap<&str, &crate::rules::Row> =
                bs.rows.iter().map(|r| (r.entry.id.as_str(), r)).collect();
            let (mut gained, mut lost) = (Vec::new(), Vec::new());
            for row in &hs.rows {
                let Some(old) = before_rows.get(row.entry.id.as_str()) else {
                    continue;
                };
                if old.state == row.state {
                    continue;
                }
                let change = RequirementChange {
                    id: row.entry.id.clone(),
                    title: row.entry.title.clone(),
                    kind: if row.entry.kind == crate::catalog::Kind::Clause {
                        "clause"
                    } else {
                        "control"
                    },
                    before: old.state,
                    after: row.state,
                    documents: row.approved.iter().map(|d| d.id.value.clone()).collect(),
                };
                // Excluded → undecided is not a loss of coverage, it is an open decision.
                match (old.state, row.state) {
                    (_, State::Covered) => gained.push(change),
                    (State::Covered, _) => lost.push(change),
                    (State::Excluded, State::Gap) | (State::Undecided, State::Gap) => lost.push(change),
                    _ => gained.push(change),
                }
            }
            for row in &hs.rows {
                let Some(old) = before_rows.get(row.entry.id.as_str()) else {
                    continue;
                };
                let fields: [(&'static str, String, String); 3] = [
                    ("applicable", opt(old.applicable()), opt(row.applicable())),
                    ("status", opt(old.soa_status()), opt(row.soa_status())),
                    (
                        "justification",
                        old.decision
                            .and_then(|d| d.justification.as_ref())
                            .map_or(String::new(), |j| j.value.clone()),
                        row.decision
                            .and_then(|d| d.justification.as_ref())
                            .map_or(String::new(), |j| j.value.clone()),
                    ),
                ];
                for (field, before, after) in fields {
                    if before != after {
                        let claimed_by = row
                            .approved
                            .iter()
                            .chain(&row.unapproved)
                            .map(|d| d.id.value.clone())
                            .collect();
                        soa_changes.push(SoaChange {
                            standard: hs.catalog.key.clone(),
                            control: row.entry.id.clone(),
                            title: row.entry.title.clone(),
                            field,
                            before,
                            after,
                            claimed_by,
                        });
                    }
                }
            }
            coverage.push(StandardDiff {
                standard: hs.catalog.key.clone(),
                name: hs.catalog.name.clone(),
                before: Coverage::of(bs),
                after: Coverage::of(hs),
                gained,
                lost,
            });
        }

        let bf = findings(b);
        let hf = findings(h);
        let key = |f: &Finding| (f.code.clone(), f.file.clone(), f.message.clone());
        let bkeys: BTreeSet<_> = bf.iter().map(key).collect();
        let hkeys: BTreeSet<_> = hf.iter().map(key).collect();
        Diff {
            base: base.label.clone(),
            head: head.label.clone(),
            documents_added,
            documents_removed,
            documents_changed,
            coverage,
            soa_changes,
            findings_introduced: hf.iter().filter(|f| !bkeys.contains(&key(f))).cloned().collect(),
            findings_resolved: bf.iter().filter(|f| !hkeys.contains(&key(f))).cloned().collect(),
        }
    }

    pub fn coverage_lost(&self) -> usize {
        self.coverage.iter().map(|c| c.lost.len()).sum()
    }

    pub fn coverage_gained(&self) -> usize {
        self.coverage.iter().map(|c| c.gained.len()).sum()
    }

    /// The one-line verdict that opens every form of the report.
    pub fn verdict(&self) -> String {
        let lost = self.coverage_lost();
        let mut parts = Vec::new();
        if lost > 0 {
            parts.push(format!(
                "coverage lost for {}",
                crate::diagnostics::plural(lost, "requirement")
            ));
        }
        let gained = self.coverage_gained();
        if gained > 0 {
            parts.push(format!("{} gained", crate::diagnostics::plural(gained, "requirement")));
        }
        let errors = self
            .findings_introduced
            .iter()
            .filter(|f| f.severity == "error")
            .count();
        if errors > 0 {
            parts.push(format!("{} introduced", crate::diagnostics::plural(errors, "error")));
        }
        let resolved = self.findings_resolved.len();
        if resolved > 0 {
            parts.push(format!("{} resolved", crate::diagnostics::plural(resolved, "finding")));
        }
        if !self.soa_changes.is_empty() {
            parts.push(format!(
                "{} changed",
                crate::diagnostics::plural(self.soa_changes.len(), "SoA decision")
            ));
        }
        let docs = [
            (self.documents_added.len(), "added"),
            (self.documents_removed.len(), "removed"),
            (self.documents_changed.len(), "changed"),
        ];
        for (n, what) in docs {
            if n > 0 {
                parts.push(format!("{} {what}", crate::diagnostics::plural(n, "document")));
            }
        }
        let mark = if lost > 0 || errors > 0 { "❌" } else { "✅" };
        if parts.is_empty() {
            return format!(
                "{mark} No compliance impact: documents, coverage, SoA decisions and findings are unchanged."
            );
        }
        format!("{mark} {}.", capitalise(&parts.join(", ")))
    }

    /// Markdown for a pull-request comment: the verdict, then tables.
    pub fn markdown(&self) -> String {
        let mut s = String::new();
        let _ = writeln!(s, "{}\n", self.verdict());
        let _ = writeln!(s, "_aimsc diff `{}` → `{}`_\n", self.base, self.head);
        let _ = writeln!(
            s,
            "### Coverage\n\n| standard | clauses addressed | applicable controls implemented | excluded | undecided |\n|---|---|---|---|---|"
        );
        for c in &self.coverage {
            let _ = writeln!(
                s,
                "| {} | {} | {} | {} | {} |",
                c.name,
                c.clauses_cell(),
                c.controls_cell(),
                arrow(c.before.controls_excluded, c.after.controls_excluded, None),
                arrow(c.before.controls_undecided, c.after.controls_undecided, None),
            );
        }
        let changes: Vec<(&StandardDiff, &RequirementChange, &str)> = self
            .coverage
            .iter()
            .flat_map(|c| {
                c.lost
                    .iter()
                    .map(move |r| (c, r, "lost"))
                    .chain(c.gained.iter().map(move |r| (c, r, "gained")))
            })
            .collect();
        if !changes.is_empty() {
            let _ = writeln!(
                s,
                "\n### Requirements that changed state\n\n| | standard | requirement | before | after | implemented by |\n|---|---|---|---|---|---|"
            );
            for (c, r, what) in changes {
                let mark = if what == "lost" { "🔻" } else { "🔺" };
                let _ = writeln!(
                    s,
                    "| {mark} | {} | {} {} | {} | {} | {} |",
                    c.standard,
                    r.id,
                    cell(&r.title),
                    state(r.before),
                    state(r.after),
                    cell(&r.documents.join(", "))
                );
            }
        }
        if !self.soa_changes.is_empty() {
            let _ = writeln!(
                s,
                "\n### SoA decisions changed\n\n| standard | control | field | before | after | documents claiming it |\n|---|---|---|---|---|---|"
            );
            for c in &self.soa_changes {
                let _ = writeln!(
                    s,
                    "| {} | {} {} | {} | {} | {} | {} |",
                    c.standard,
                    c.control,
                    cell(&c.title),
                    c.field,
                    cell(&c.before),
                    cell(&c.after),
                    cell(&c.claimed_by.join(", "))
                );
            }
        }
        if !(self.documents_added.is_empty() && self.documents_removed.is_empty() && self.documents_changed.is_empty())
        {
            let _ = writeln!(s, "\n### Documents\n\n| | document | change |\n|---|---|---|");
            for d in &self.documents_added {
                let _ = writeln!(s, "| ➕ | {} {} | added ({}) |", d.id, cell(&d.title), d.status);
            }
            for d in &self.documents_removed {
                let _ = writeln!(s, "| ➖ | {} {} | removed |", d.id, cell(&d.title));
            }
            for d in &self.documents_changed {
                let list: Vec<String> = d
                    .changes
                    .iter()
                    .map(|c| format!("{}: {} → {}", c.field, show(&c.before), show(&c.after)))
                    .collect();
                let _ = writeln!(s, "| ✏️ | {} {} | {} |", d.id, cell(&d.title), cell(&list.join("; ")));
            }
        }
        for (title, list) in [
            ("Findings introduced", &self.findings_introduced),
            ("Findings resolved", &self.findings_resolved),
        ] {
            if list.is_empty() {
                continue;
            }
            let _ = writeln!(
                s,
                "\n### {title}\n\n| severity | code | where | message |\n|---|---|---|---|"
            );
            for f in list.iter().take(200) {
                let at = match (&f.file, f.line) {
                    (Some(file), Some(line)) => format!("`{file}:{line}`"),
                    (Some(file), None) => format!("`{file}`"),
                    _ => "repository".into(),
                };
                let _ = writeln!(s, "| {} | {} | {at} | {} |", f.severity, f.code, cell(&f.message));
            }
            if list.len() > 200 {
                let _ = writeln!(s, "\nand {} more.", list.len() - 200);
            }
        }
        s
    }

    /// Plain text for the terminal.
    pub fn human(&self) -> String {
        let mut s = format!("{}\n{} → {}\n", self.verdict(), self.base, self.head);
        for c in &self.coverage {
            let _ = writeln!(
                s,
                "\n{}: clauses {}, applicable controls implemented {}",
                c.name,
                c.clauses_cell(),
                c.controls_cell(),
            );
            for r in &c.lost {
                let _ = writeln!(
                    s,
                    "  - lost    {} {} ({} → {})",
                    r.id,
                    r.title,
                    state(r.before),
                    state(r.after)
                );
            }
            for r in &c.gained {
                let _ = writeln!(
                    s,
                    "  + gained  {} {} ({} → {})",
                    r.id,
                    r.title,
                    state(r.before),
                    state(r.after)
                );
            }
        }
        if !self.soa_changes.is_empty() {
            let _ = writeln!(s, "\nSoA decisions changed:");
            for c in &self.soa_changes {
                let _ = writeln!(
                    s,
                    "  {} {} {}: {} → {}",
                    c.standard,
                    c.control,
                    c.field,
                    show(&c.before),
                    show(&c.after)
                );
                if !c.claimed_by.is_empty() {
                    let _ = writeln!(s, "      claimed by {}", c.claimed_by.join(", "));
                }
            }
        }
        for d in &self.documents_added {
            let _ = writeln!(s, "\n+ {} \"{}\" added ({})", d.id, d.title, d.path);
        }
        for d in &self.documents_removed {
            let _ = writeln!(s, "\n- {} \"{}\" removed", d.id, d.title);
        }
        for d in &self.documents_changed {
            let _ = writeln!(s, "\n~ {} \"{}\"", d.id, d.title);
            for c in &d.changes {
                let _ = writeln!(s, "    {}: {} → {}", c.field, show(&c.before), show(&c.after));
            }
        }
        for (title, list) in [
            ("findings introduced", &self.findings_introduced),
            ("findings resolved", &self.findings_resolved),
        ] {
            if !list.is_empty() {
                let _ = writeln!(s, "\n{} {title}:", list.len());
                for f in list {
                    let at = f
                        .file
                        .as_ref()
                        .map_or(String::new(), |file| format!(" {file}:{}", f.line.unwrap_or(1)));
                    let _ = writeln!(s, "  {}[{}]{at}: {}", f.severity, f.code, f.message);
                }
            }
        }
        s
    }
}

fn docs_by_id(c: &Compilation) -> BTreeMap<&str, &Document> {
    let mut m = BTreeMap::new();
    for d in &c.project.documents {
        m.entry(d.id.value.as_str()).or_insert(d);
    }
    m
}

fn doc_ref(d: &Document) -> DocRef {
    DocRef {
        id: d.id.value.clone(),
        title: d.title.clone(),
        path: d.path().to_string(),
        status: d.status.to_string(),
    }
}

fn field_changes(a: &Document, b: &Document) -> Vec<FieldChange> {
    let text = |s: &Option<crate::model::Sp<String>>| s.as_ref().map_or(String::new(), |v| v.value.clone());
    let date =
        |s: &Option<crate::model::Sp<jiff::civil::Date>>| s.as_ref().map_or(String::new(), |v| v.value.to_string());
    let claims = |d: &Document| {
        let mut v: Vec<String> = d
            .satisfies
            .iter()
            .flat_map(|s| s.ids.iter().map(move |i| format!("{}:{}", s.standard.value, i.value)))
            .collect();
        v.sort();
        v.join(", ")
    };
    let fields = [
        ("title", a.title.clone(), b.title.clone()),
        ("path", a.path().to_string(), b.path().to_string()),
        ("type", a.doc_type.to_string(), b.doc_type.to_string()),
        ("status", a.status.to_string(), b.status.to_string()),
        ("owner", text(&a.owner), text(&b.owner)),
        (
            "version",
            a.version.clone().unwrap_or_default(),
            b.version.clone().unwrap_or_default(),
        ),
        ("approved_by", text(&a.approved_by), text(&b.approved_by)),
        ("approved_on", date(&a.approved_on), date(&b.approved_on)),
        ("satisfies", claims(a), claims(b)),
    ];
    fields
        .into_iter()
        .filter(|(_, x, y)| x != y)
        .map(|(field, before, after)| FieldChange { field, before, after })
        .collect()
}

fn findings(c: &Compilation) -> Vec<Finding> {
    c.diagnostics
        .iter()
        .map(|d| Finding {
            code: d.rule.code.to_string(),
            severity: d.severity.to_string(),
            file: d.location.as_ref().map(|l| l.file.clone()),
            line: d.location.as_ref().map(|l| l.line),
            message: d.message.clone(),
        })
        .collect()
}

fn opt<T: ToString>(v: Option<T>) -> String {
    v.map_or(String::new(), |x| x.to_string())
}

fn show(s: &str) -> String {
    if s.is_empty() { "(none)".into() } else { s.to_string() }
}

fn state(s: State) -> &'static str {
    match s {
        State::Covered => "covered",
        State::Excluded => "excluded",
        State::Gap => "gap",
        State::Undecided => "undecided",
    }
}

fn arrow(before: usize, after: usize, of: Option<usize>) -> String {
    let total = of.map_or(String::new(), |t| format!("/{t}"));
    if before == after {
        format!("{after}{total}")
    } else {
        format!("{before} → {after}{total}")
    }
}

/// A Markdown table cell: pipes escaped, line breaks folded.
fn cell(s: &str) -> String {
    s.replace('|', "\\|").replace(['\n', '\r'], " ")
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    c.next().map_or(String::new(), |f| f.to_uppercase().chain(c).collect())
}
