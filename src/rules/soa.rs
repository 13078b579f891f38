//! Statements of Applicability and coverage. The [`Ledger`] is the one
//! place that decides what counts: a control is implemented only when an
//! approved document claims it and an approved SoA keeps it applicable; a
//! clause is addressed only by an approved document. Drafts, retired
//! documents and unknown IDs count for nothing.

use std::collections::{HashMap, HashSet};

use crate::catalog::{Catalog, Entry, Kind};
use crate::diagnostics::{Diagnostic, Level, Rule};
use crate::model::document::{SoaEntry, is_placeholder};
use crate::model::vocab::{ImplStatus, Status};
use crate::model::{Document, Project};

use super::Context;
use super::requirements::{STANDARD_NOT_ENABLED, resolve, resolve_standard};

pub static CLAUSE_NOT_COVERED: Rule = Rule {
    code: "AIM040",
    name: "clause-not-covered",
    default_level: Level::Warning,
    summary: "a lowest-level clause of an enabled standard that no approved document addresses",
    docs: "Clauses 4 to 10 are mandatory: each lowest-level clause (6.1.2, 9.2.1 ...) must be \
addressed by at least one approved document that lists it in `satisfies`. Claims of drafts, \
documents in review and retired documents do not count; the message names them when they exist.",
};

pub static CONTROL_NOT_IMPLEMENTED: Rule = Rule {
    code: "AIM041",
    name: "control-not-implemented",
    default_level: Level::Warning,
    summary: "an applicable Annex A control that no approved document implements",
    docs: "A control the SoA keeps applicable is implemented only when an approved document \
claims it in `satisfies`. Until then it is a gap: expected while the SoA says `planned`, but a \
gap all the same.\n\nFix: write (and approve) the document that implements it, or revisit the \
applicability decision.",
};

pub static SOA_MISSING: Rule = Rule {
    code: "AIM042",
    name: "soa-missing",
    default_level: Level::Error,
    summary: "an enabled standard has no Statement of Applicability",
    docs: "ISO 27001 6.1.3 d) and ISO 42001 6.1.3 require a Statement of Applicability. Without one \
no Annex A control is decided, so none can count as implemented or excluded.\n\nFix: add a \
document with `type: soa` and `standard:` the standard's key (`aimsc init` writes one).",
};

pub static SOA_CONTROL_MISSING: Rule = Rule {
    code: "AIM043",
    name: "soa-control-missing",
    default_level: Level::Error,
    summary: "the SoA has no entry for some Annex A controls",
    docs: "Every Annex A control needs a decision: applicable with its implementation status, or \
excluded with a justification. A control that is simply absent is the finding auditors raise \
first.",
};

pub static SOA_NO_JUSTIFICATION: Rule = Rule {
    code: "AIM044",
    name: "soa-no-justification",
    default_level: Level::Error,
    summary: "an SoA decision without a justification",
    docs: "Both inclusion and exclusion of a control need a justification in the SoA. `TBD` and \
empty text do not count.\n\n```yaml\nA.7.4:\n  applicable: false\n  justification: \"No physical \
premises: staff work remotely and data centres are the cloud provider's.\"\n```",
};

pub static SOA_IMPLEMENTED_UNBACKED: Rule = Rule {
    code: "AIM045",
    name: "soa-implemented-unbacked",
    default_level: Level::Error,
    summary: "the SoA says `implemented` but no approved document implements the control",
    docs: "A status of `implemented` is a claim an auditor will test. aimsc requires an approved \
document that lists the control in `satisfies`. Drafts do not count.\n\nFix: approve the \
implementing document, or set the status to `partial` or `planned`.",
};

pub static CLAIM_EXCLUDED: Rule = Rule {
    code: "AIM046",
    name: "claim-of-excluded-control",
    default_level: Level::Error,
    summary: "a document claims a control that the SoA excludes",
    docs: "If the SoA says a control is not applicable, a document implementing it contradicts the \
SoA: one of them is wrong. The claim does not count.",
};

pub static SOA_TITLE_MISMATCH: Rule = Rule {
    code: "AIM047",
    name: "soa-title-mismatch",
    default_level: Level::Warning,
    summary: "an SoA row's title reads like a different control",
    docs: "SoA rows copied between spreadsheets drift: the ID says A.5.15 while the title is that \
of A.5.18. When the optional `title` of an entry is much closer to another control's title than \
to its own, the row is flagged so the decision can be checked against the right control.",
};

pub static SOA_DUPLICATE: Rule = Rule {
    code: "AIM048",
    name: "soa-duplicate",
    default_level: Level::Error,
    summary: "two Statements of Applicability for the same standard",
    docs: "There is one SoA per standard. With two, which decision holds is ambiguous. Retire the \
old one (`status: retired`).",
};

pub static SOA_INCOMPLETE_ENTRY: Rule = Rule {
    code: "AIM049",
    name: "soa-incomplete-entry",
    default_level: Level::Error,
    summary: "an SoA entry without an implementation status, or with one that contradicts it",
    docs: "An applicable control needs `status` (implemented, partial, planned, not-implemented). \
An excluded control must not say `implemented` or `partial`.",
};

pub static SOA_NOT_APPROVED: Rule = Rule {
    code: "AIM050",
    name: "soa-not-approved",
    default_level: Level::Warning,
    summary: "the SoA is not approved, so none of its decisions count yet",
    docs: "Applicability decisions take effect when the SoA is approved. Until then every control \
counts as undecided in coverage figures.",
};

pub static ALL: &[&Rule] = &[
    &CLAUSE_NOT_COVERED,
    &CONTROL_NOT_IMPLEMENTED,
    &SOA_MISSING,
    &SOA_CONTROL_MISSING,
    &SOA_NO_JUSTIFICATION,
    &SOA_IMPLEMENTED_UNBACKED,
    &CLAIM_EXCLUDED,
    &SOA_TITLE_MISMATCH,
    &SOA_DUPLICATE,
    &SOA_INCOMPLETE_ENTRY,
    &SOA_NOT_APPROVED,
];

/// Where a requirement stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum State {
    /// A clause addressed, or an applicable control implemented, by an approved document.
    Covered,
    /// A control the approved SoA excludes.
    Excluded,
    /// Required (a clause, or an applicable control) but no approved document.
    Gap,
    /// A control with no decision in an approved SoA.
    Undecided,
}

/// One clause or control of one standard, with everything that decides its state.
#[derive(Debug)]
pub struct Row<'a> {
    pub entry: &'a Entry,
    /// The SoA decision (controls only; from the SoA even if unapproved).
    pub decision: Option<&'a SoaEntry>,
    /// Approved documents that claim it.
    pub approved: Vec<&'a Document>,
    /// Claimants that count for nothing: drafts, in review, retired.
    pub unapproved: Vec<&'a Document>,
    pub state: State,
}

impl Row<'_> {
    pub fn applicable(&self) -> Option<bool> {
        self.decision.and_then(|d| d.applicable.as_ref()).map(|a| a.value)
    }

    pub fn soa_status(&self) -> Option<ImplStatus> {
        self.decision.and_then(|d| d.status.as_ref()).map(|s| s.value)
    }
}

#[derive(Debug)]
pub struct StandardLedger<'a> {
    pub catalog: &'a Catalog,
    pub soa: Option<&'a Document>,
    /// Leaf clauses then controls, in catalog order.
    pub rows: Vec<Row<'a>>,
}

impl StandardLedger<'_> {
    pub fn clauses(&self) -> impl Iterator<Item = &Row<'_>> {
        self.rows.iter().filter(|r| r.entry.kind == Kind::Clause)
    }

    pub fn controls(&self) -> impl Iterator<Item = &Row<'_>> {
        self.rows.iter().filter(|r| r.entry.kind == Kind::Control)
    }

    pub fn row(&self, id: &str) -> Option<&Row<'_>> {
        self.rows.iter().find(|r| r.entry.id == id)
    }
}

/// The coverage of every enabled standard.
#[derive(Debug)]
pub struct Ledger<'a> {
    pub standards: Vec<StandardLedger<'a>>,
}

impl<'a> Ledger<'a> {
    pub fn build(cx: &'a Context) -> Ledger<'a> {
        let claims = cx.project.claims();
        let standards = cx
            .enabled()
            .map(|catalog| {
                let soa = soa_for(cx.project, &catalog.key);
                let decisions: HashMap<&str, &SoaEntry> = soa
                    .and_then(|d| d.soa())
                    .map(|s| s.controls.iter().map(|e| (e.control.value.as_str(), e)).collect())
                    .unwrap_or_default();
                let soa_counts = soa.is_some_and(Document::is_approved);
                let rows = catalog
                    .leaf_clauses()
                    .chain(catalog.controls())
                    .map(|entry| {
                        let claimants = claims.get(&(catalog.key.as_str(), entry.id.as_str()));
                        let (approved, unapproved): (Vec<&Document>, Vec<&Document>) = claimants
                            .map(|v| v.iter().copied().partition(|d| d.is_approved()))
                            .unwrap_or_default();
                        let decision = decisions.get(entry.id.as_str()).copied();
                        let state = if entry.kind == Kind::Clause {
                            if approved.is_empty() {
                                State::Gap
                            } else {
                                State::Covered
                            }
                        } else {
                            match decision.and_then(|d| d.applicable.as_ref()).filter(|_| soa_counts) {
                                None => State::Undecided,
                                Some(a) if !a.value => State::Excluded,
                                Some(_) if approved.is_empty() => State::Gap,
                                Some(_) => State::Covered,
                            }
                        };
                        Row {
                            entry,
                            decision,
                            approved,
                            unapproved,
                            state,
                        }
                    })
                    .collect();
                StandardLedger { catalog, soa, rows }
            })
            .collect();
        Ledger { standards }
    }
}

/// The SoA in force for a standard: the first non-retired one, approved first.
pub fn soa_for<'a>(p: &'a Project, key: &str) -> Option<&'a Document> {
    let mut candidates: Vec<&Document> = p
        .documents
        .iter()
        .filter(|d| {
            d.status != Status::Retired
                && d.soa()
                    .and_then(|s| s.standard.as_ref())
                    .is_some_and(|s| s.value == key)
        })
        .collect();
    candidates.sort_by_key(|d| (!d.is_approved(), d.path().to_string()));
    candidates.first().copied()
}

/// Checks each SoA document on its own terms.
pub fn check_soas(cx: &Context, out: &mut Vec<Diagnostic>) {
    let selected = selected_by_risks(cx.project);
    let mut first_for: HashMap<&str, &Document> = HashMap::new();
    for doc in &cx.project.documents {
        let Some(soa) = doc.soa() else { continue };
        let Some(std) = &soa.standard else { continue };
        let catalog = match resolve_standard(cx, doc, std) {
            Ok(c) => c,
            Err(d) => {
                out.push(d);
                continue;
            }
        };
        if doc.status != Status::Retired {
            if let Some(first) = first_for.get(catalog.key.as_str()) {
                out.push(
                    Diagnostic::new(
                        &SOA_DUPLICATE,
                        format!("a second Statement of Applicability for {}", catalog.short_name),
                    )
                    .at(doc.loc(&std.span))
                    .note(format!("the other is {} ({})", first.id.value, first.path()))
                    .help("keep one SoA per standard; mark the old one `status: retired`"),
                );
            } else {
                first_for.insert(&catalog.key, doc);
            }
        }
        if !cx.is_enabled(&catalog.key) {
            out.push(
                Diagnostic::new(
                    &STANDARD_NOT_ENABLED,
                    format!(
                        "this SoA is for {}, which aimsc.toml does not enable",
                        catalog.short_name
                    ),
                )
                .at(doc.loc(&std.span))
                .help(format!("add \"{}\" to `standards` in aimsc.toml", catalog.key)),
            );
        }
        let mut decided = HashSet::new();
        for entry in &soa.controls {
            match resolve(cx.catalogs, catalog, doc, &entry.control) {
                Ok(e) if e.kind == Kind::Control => {
                    decided.insert(e.id.as_str());
                }
                Ok(e) => out.push(
                    Diagnostic::new(
                        &super::UNKNOWN_REQUIREMENT,
                        format!("`{}` is a clause; the SoA decides Annex A controls only", e.id),
                    )
                    .at(doc.loc(&entry.control.span))
                    .help("clauses 4 to 10 are mandatory and need no applicability decision; remove the entry"),
                ),
                Err(d) => {
                    out.push(d);
                    continue;
                }
            }
            let by_risk = selected.get(&(catalog.key.as_str(), entry.control.value.as_str()));
            check_entry(catalog, doc, entry, by_risk.map(Vec::as_slice), out);
        }
        let missing: Vec<&str> = catalog
            .controls()
            .map(|e| e.id.as_str())
            .filter(|id| !decided.contains(id))
            .collect();
        if !missing.is_empty() {
            let total = catalog.controls().count();
            let span = soa.controls_span.clone().unwrap_or(doc.id.span.clone());
            let shown: Vec<&str> = missing.iter().take(12).copied().collect();
            let more = if missing.len() > shown.len() {
                format!(" and {} more", missing.len() - shown.len())
            } else {
                String::new()
            };
            out.push(
                Diagnostic::new(
                    &SOA_CONTROL_MISSING,
                    format!(
                        "the SoA decides nothing for {} of the {total} {} controls",
                        missing.len(),
                        catalog.short_name
                    ),
                )
                .at(doc.file.location(span.start..span.start))
                .label(format!("missing: {}{more}", shown.join(", ")))
                .help(format!(
                    "add an entry for each: `{}: {{applicable: true, status: planned, justification: \"...\"}}`",
                    missing[0]
                )),
            );
        }
        if !doc.is_approved() && doc.status != Status::Retired {
            let span = doc.status_span.clone().unwrap_or(doc.id.span.clone());
            out.push(
                Diagnostic::new(
                    &SOA_NOT_APPROVED,
                    format!(
                        "the {} SoA is `{}`: none of its decisions count until it is approved",
                        catalog.short_name, doc.status
                    ),
                )
                .at(doc.loc(&span))
                .help("approve it (status, approved_by, approved_on) once the decisions are taken"),
            );
        }
    }
}

/// The controls each risk selects, by (standard, control), with the risks' IDs.
pub fn selected_by_risks(p: &Project) -> HashMap<(&str, &str), Vec<&str>> {
    let mut out: HashMap<(&str, &str), Vec<&str>> = HashMap::new();
    for doc in p.documents.iter().filter(|d| d.status != Status::Retired) {
        for list in doc.risk().map(|r| r.controls.as_slice()).unwrap_or(&[]) {
            for id in &list.ids {
                out.entry((list.standard.value.as_str(), id.value.as_str()))
                    .or_default()
                    .push(doc.id.value.as_str());
            }
        }
    }
    out
}

fn check_entry(catalog: &Catalog, doc: &Document, entry: &SoaEntry, risks: Option<&[&str]>, out: &mut Vec<Diagnostic>) {
    let id = &entry.control.value;
    let applicable = entry.applicable.as_ref().map(|a| a.value);
    let justified = entry
        .justification
        .as_ref()
        .is_some_and(|j| !is_placeholder(&j.value) && j.value.trim().len() > 3);
    // A risk that selects a control is the justification for including it.
    let risk_justified =
        applicable == Some(true) && entry.justification.is_none() && risks.is_some_and(|r| !r.is_empty());
    // Until the entry says whether the control applies, that is the one decision to report.
    let undecided = applicable.is_none() && entry.justification.is_none();
    if !justified && !risk_justified && !undecided {
        let (span, what) = match &entry.justification {
            Some(j) => (
                j.span.clone(),
                format!("the justification for {id} is the placeholder `{}`", j.value),
            ),
            None => (
                entry.control.span.clone(),
                format!("no justification for the decision on {id}"),
            ),
        };
        let verb = if applicable == Some(false) {
            "excluding"
        } else {
            "including"
        };
        out.push(
            Diagnostic::new(&SOA_NO_JUSTIFICATION, what)
                .at(doc.loc(&span))
                .help(format!(
                    "add `justification:` saying why {verb} {id} ({}) is right for this organisation{}",
                    catalog.get(id).map_or("", |e| e.title.as_str()),
                    if applicable == Some(false) {
                        ""
                    } else {
                        ", or select it in the risk it treats"
                    }
                )),
        );
    }
    match (applicable, &entry.status) {
        (Some(true), None) => out.push(
            Diagnostic::new(
                &SOA_INCOMPLETE_ENTRY,
                format!("{id} is applicable but has no implementation status"),
            )
            .at(doc.loc(&entry.control.span))
            .help("add `status:` implemented, partial, planned or not-implemented"),
        ),
        (Some(false), Some(s)) if matches!(s.value, ImplStatus::Implemented | ImplStatus::Partial) => out.push(
            Diagnostic::new(
                &SOA_INCOMPLETE_ENTRY,
                format!("{id} is excluded but its status says `{}`", s.value),
            )
            .at(doc.loc(&s.span))
            .help("an excluded control has no implementation status: remove `status`, or make it applicable"),
        ),
        _ => {}
    }
    if let Some(t) = &entry.title
        && let Some((other, score_other, score_own)) = title_match(catalog, id, &t.value)
        && score_other > score_own + 0.25
    {
        out.push(
            Diagnostic::new(
                &SOA_TITLE_MISMATCH,
                format!("the title of the {id} row reads like {} \"{}\"", other.id, other.title),
            )
            .at(doc.loc(&t.span))
            .label(format!(
                "{id} is \"{}\"",
                catalog.get(id).map_or("", |e| e.title.as_str())
            ))
            .help(format!(
                "check which control this decision is about; rows copied between SoAs drift (is it {}?)",
                other.id
            )),
        );
    }
}

/// The control whose title best matches `title`, with its score and the
/// score of the row's own control (word overlap, 0 to 1).
fn title_match<'c>(catalog: &'c Catalog, id: &str, title: &str) -> Option<(&'c Entry, f64, f64)> {
    let words = title_words(title);
    if words.is_empty() {
        return None;
    }
    let score = |e: &Entry| {
        let w = title_words(&e.title);
        let common = words.iter().filter(|x| w.contains(x)).count() as f64;
        common / (words.len().max(w.len()) as f64)
    };
    let own = catalog.get(id).map_or(0.0, score);
    catalog
        .controls()
        .filter(|e| e.id != id)
        .map(|e| (e, score(e)))
        .max_by(|a, b| a.1.total_cmp(&b.1))
        .filter(|(_, s)| *s >= 0.5)
        .map(|(e, s)| (e, s, own))
}

fn title_words(title: &str) -> Vec<String> {
    const STOP: &[&str] = &[
        "of",
        "and",
        "the",
        "for",
        "in",
        "to",
        "a",
        "an",
        "on",
        "with",
        "ai",
        "system",
        "systems",
        "information",
    ];
    title
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| {
            let w = w.to_lowercase();
            // Cheap stemming so "policies" matches "policy".
            w.strip_suffix("ies")
                .map(|s| format!("{s}y"))
                .or_else(|| w.strip_suffix('s').filter(|s| s.len() > 3).map(str::to_string))
                .unwrap_or(w)
        })
        .filter(|w| !STOP.contains(&w.as_str()))
        .collect()
}

/// Coverage findings from the ledger.
pub fn check_coverage(ledger: &Ledger, out: &mut Vec<Diagnostic>) {
    for sl in &ledger.standards {
        let name = &sl.catalog.short_name;
        // A catalog of clauses only (a custom one) has nothing for an SoA to decide.
        if sl.soa.is_none() && sl.catalog.controls().next().is_some() {
            out.push(
                Diagnostic::new(
                    &SOA_MISSING,
                    format!("{name} is enabled but has no Statement of Applicability"),
                )
                .help(format!(
                    "add a document with `type: soa` and `standard: {}` deciding each Annex A control",
                    sl.catalog.key
                )),
            );
        }
        let soa_counts = sl.soa.is_some_and(Document::is_approved);
        for row in &sl.rows {
            let e = row.entry;
            let pending = pending_note(&row.unapproved);
            match (e.kind, row.state) {
                (Kind::Clause, State::Gap) => out.push(
                    Diagnostic::new(
                        &CLAUSE_NOT_COVERED,
                        format!(
                            "{name} clause {} \"{}\" is addressed by no approved document",
                            e.id, e.title
                        ),
                    )
                    .help(format!(
                        "list \"{}\" under `satisfies: {{{}: [...]}}` in the approved document that addresses it",
                        e.id, sl.catalog.key
                    ))
                    .notes_opt(pending),
                ),
                (Kind::Control, State::Gap) if soa_counts => {
                    let (Some(dec), Some(soa_doc)) = (row.decision, sl.soa) else {
                        continue;
                    };
                    let at = soa_doc.loc(&dec.control.span);
                    if row.soa_status() == Some(ImplStatus::Implemented) {
                        out.push(
                            Diagnostic::new(&SOA_IMPLEMENTED_UNBACKED, format!("the SoA says {} is implemented, but no approved document implements it", e.id))
                                .at(dec.status.as_ref().map_or(at.clone(), |s| soa_doc.loc(&s.span)))
                                .help(format!("approve a document that lists {} in `satisfies`, or set the status to `partial` or `planned`", e.id))
                                .notes_opt(pending),
                        );
                    } else {
                        let status = row
                            .soa_status()
                            .map_or(String::new(), |s| format!(" (SoA status: {s})"));
                        out.push(
                            Diagnostic::new(&CONTROL_NOT_IMPLEMENTED, format!("{} \"{}\" is applicable but no approved document implements it{status}", e.id, e.title))
                                .at(at)
                                .help(format!("write and approve the document that implements {}, listing it under `satisfies: {{{}: [...]}}`", e.id, sl.catalog.key))
                                .notes_opt(pending),
                        );
                    }
                }
                (Kind::Control, State::Excluded) => {
                    let Some(soa_doc) = sl.soa else { continue };
                    for doc in row
                        .approved
                        .iter()
                        .chain(&row.unapproved)
                        .filter(|d| d.status != Status::Retired)
                    {
                        let span = doc
                            .satisfies
                            .iter()
                            .filter(|s| s.standard.value == sl.catalog.key)
                            .flat_map(|s| &s.ids)
                            .find(|i| i.value == e.id)
                            .map(|i| i.span.clone())
                            .unwrap_or(doc.id.span.clone());
                        out.push(
                            Diagnostic::new(
                                &CLAIM_EXCLUDED,
                                format!("{} claims {} {}, which the SoA excludes", doc.id.value, name, e.id),
                            )
                            .at(doc.loc(&span))
                            .note(format!(
                                "{} ({}) decides it is not applicable",
                                soa_doc.id.value,
                                soa_doc.path()
                            ))
                            .help("remove the claim, or make the control applicable in the SoA"),
                        );
                    }
                }
                _ => {}
            }
        }
    }
}

fn pending_note(unapproved: &[&Document]) -> Option<String> {
    if unapproved.is_empty() {
        return None;
    }
    let list: Vec<String> = unapproved
        .iter()
        .map(|d| format!("{} ({})", d.id.value, d.status))
        .collect();
    let verb = if list.len() == 1 { "counts" } else { "count" };
    Some(format!(
        "claimed by {}, which {verb} for nothing until approved",
        list.join(", ")
    ))
}

trait NotesOpt {
    fn notes_opt(self, note: Option<String>) -> Self;
}

impl NotesOpt for Diagnostic {
    fn notes_opt(self, note: Option<String>) -> Self {
        match note {
            Some(n) => self.note(n),
            None => self,
        }
    }
}
