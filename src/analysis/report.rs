//! The compiled repository as one serialisable [`Report`]: what the portal
//! renders and what `aimsc.json` holds (its JSON Schema is
//! `docs/aimsc.schema.json`). Built once from a [`Compilation`] and its
//! [`Ledger`], so every figure and every SoA row says exactly what the rules
//! decided; nothing here re-derives coverage.
//!
//! Everything is sorted (catalog order for requirements, path order for
//! documents, ID order for lists of IDs) so that the same repository always
//! gives the same bytes.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use jiff::civil::Date;
use serde::Serialize;

use super::{Compilation, Coverage};
use crate::catalog::{Catalog, Kind, natural_cmp};
use crate::diagnostics::{Counts, Severity};
use crate::model::vocab::{DocType, Status};
use crate::model::{Document, Project};
use crate::rules::{Ledger, Row, StandardLedger, State};

/// Version of the `aimsc.json` format; bumped when a field changes meaning or goes away.
pub const FORMAT_VERSION: u32 = 1;

/// Everything the portal shows, in one value.
#[derive(Clone, Debug, Serialize)]
pub struct Report {
    pub format_version: u32,
    pub tool: Tool,
    pub organisation: Option<String>,
    /// The date the build was judged against (`--today`), never the wall clock.
    pub generated: String,
    pub review_warning_days: u32,
    pub summary: Summary,
    /// Enabled standards, ISO 42001 first.
    pub standards: Vec<StandardReport>,
    pub scope: Option<ScopeReport>,
    /// Every governed document, by path.
    pub documents: Vec<DocumentReport>,
    pub ai_systems: Vec<AiSystemReport>,
    pub risks: Vec<RiskReport>,
    /// Risk → control → implementing document → evidence record.
    pub traceability: Vec<Chain>,
    pub findings: Vec<Finding>,
    /// Whether document history could be read from Git: `available`,
    /// `shallow` (a shallow clone: none shown rather than wrong dates) or
    /// `unavailable` (not a Git work tree).
    pub history: &'static str,
    /// The ISO 27001 → ISO 42001 gap analysis, when ISO 42001 is enabled.
    pub gaps: Option<crate::analysis::gaps::Gaps>,
}

/// One commit that changed a document (clause 7.5.3: control of changes).
#[derive(Clone, Debug, Serialize)]
pub struct RevisionReport {
    pub commit: String,
    pub short: String,
    /// Author date, ISO 8601 with offset.
    pub date: String,
    /// Its calendar day, YYYY-MM-DD.
    pub day: String,
    pub author: String,
    pub subject: String,
    /// The document's path in that commit (differs before a rename).
    pub path: String,
}

#[derive(Clone, Debug, Serialize)]
pub struct Tool {
    pub name: String,
    pub version: String,
}

#[derive(Clone, Debug, Serialize)]
pub struct Summary {
    pub documents: usize,
    pub errors: usize,
    pub warnings: usize,
    pub infos: usize,
    /// Approved documents whose review date has passed.
    pub reviews_overdue: usize,
    /// Approved documents due for review within `review_warning_days`.
    pub reviews_due_soon: usize,
    /// Approved documents with no review date.
    pub reviews_unscheduled: usize,
}

/// One enabled standard: its coverage, its SoA and one row per requirement.
#[derive(Clone, Debug, Serialize)]
pub struct StandardReport {
    pub key: String,
    pub name: String,
    pub short_name: String,
    pub coverage: Coverage,
    /// The SoA in force and its document control, if there is one.
    pub soa: Option<SoaInfo>,
    /// Top-level clauses (4 to 10).
    pub sections: Vec<Heading>,
    /// Top-level Annex A groups.
    pub groups: Vec<Heading>,
    /// Lowest-level clauses, in catalog order.
    pub clauses: Vec<ClauseRow>,
    /// Annex A controls, in catalog order: the Statement of Applicability.
    pub controls: Vec<SoaRow>,
}

#[derive(Clone, Debug, Serialize)]
pub struct Heading {
    pub id: String,
    pub title: String,
}

#[derive(Clone, Debug, Serialize)]
pub struct SoaInfo {
    pub id: String,
    pub title: String,
    pub path: String,
    pub status: String,
    pub approved: bool,
    pub owner: Option<String>,
    pub version: Option<String>,
    pub approved_by: Option<String>,
    pub approved_on: Option<String>,
    pub next_review: Option<String>,
}

/// One row of a Statement of Applicability.
#[derive(Clone, Debug, Serialize)]
pub struct SoaRow {
    pub standard: String,
    pub control: String,
    pub title: String,
    /// Top-level Annex A group, e.g. `A.5`.
    pub group: String,
    /// The SoA's decision, as written (even while the SoA is unapproved).
    pub applicable: Option<bool>,
    pub justification: Option<String>,
    /// Declared implementation status (`implemented`, `partial`, `planned`, `not-implemented`).
    pub status: Option<String>,
    /// Approved documents implementing it.
    pub documents: Vec<String>,
    /// Claimants that count for nothing yet (drafts, in review, retired).
    pub pending: Vec<String>,
    /// Risks whose treatment selects it.
    pub risks: Vec<String>,
    /// Evidence records of the implementing documents.
    pub evidence: Vec<String>,
    /// What the ledger decided.
    pub state: State,
}

/// One lowest-level clause.
#[derive(Clone, Debug, Serialize)]
pub struct ClauseRow {
    pub standard: String,
    pub clause: String,
    pub title: String,
    /// Top-level clause, e.g. `6` for `6.1.2`.
    pub section: String,
    pub documents: Vec<String>,
    pub pending: Vec<String>,
    pub evidence: Vec<String>,
    pub state: State,
}

/// A requirement named by a document.
#[derive(Clone, Debug, Serialize, PartialEq, Eq, PartialOrd, Ord)]
pub struct RequirementRef {
    pub standard: String,
    pub id: String,
    /// Whether it is a clause or control of an enabled standard (and so has a page).
    pub known: bool,
}

/// Where a document stands against its review date.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ReviewState {
    Ok,
    DueSoon,
    Overdue,
    /// Approved, with no review date.
    Unscheduled,
    /// Not approved: reviews apply to approved documents only.
    NotApplicable,
}

#[derive(Clone, Debug, Serialize)]
pub struct DocumentReport {
    pub id: String,
    pub title: String,
    #[serde(rename = "type")]
    pub doc_type: String,
    pub status: String,
    pub owner: Option<String>,
    pub version: Option<String>,
    pub approved_by: Option<String>,
    pub approved_on: Option<String>,
    /// `next_review` as written.
    pub next_review: Option<String>,
    /// When the review is due: `next_review`, else `approved_on + review_every`.
    pub review_due: Option<String>,
    pub review: ReviewState,
    pub path: String,
    pub summary: Option<String>,
    pub tags: Vec<String>,
    pub satisfies: Vec<RequirementRef>,
    /// IDs in `references`, as written.
    pub references: Vec<String>,
    /// Documents that name this one (in a field or a `[[ID]]` in the body).
    pub backlinks: Vec<String>,
    /// Records whose `evidence_for` names this document.
    pub evidence: Vec<String>,
    pub words: usize,
    /// The newest revision; `null` when there is no history (see `Report::history`)
    /// or the document is not committed yet.
    pub last_change: Option<RevisionReport>,
    /// How many commits changed it; `null` without history.
    pub revisions: Option<usize>,
    /// Its revisions, newest first, followed across renames; `null` without history.
    pub history: Option<Vec<RevisionReport>>,
}

#[derive(Clone, Debug, Serialize)]
pub struct ScopeReport {
    pub id: String,
    pub title: String,
    pub standards: Vec<String>,
    pub ai_systems: Vec<String>,
    pub units: Vec<String>,
    pub locations: Vec<String>,
    pub exclusions: Vec<ExclusionReport>,
}

#[derive(Clone, Debug, Serialize)]
pub struct ExclusionReport {
    pub item: String,
    pub reason: Option<String>,
}

#[derive(Clone, Debug, Serialize)]
pub struct AiSystemReport {
    pub id: String,
    pub title: String,
    pub status: String,
    pub owner: Option<String>,
    pub purpose: Option<String>,
    pub roles: Vec<String>,
    pub risk_level: Option<String>,
    pub lifecycle_stage: Option<String>,
    pub in_scope: Option<bool>,
    /// Impact assessments of this system.
    pub impact_assessments: Vec<ImpactAssessmentRef>,
    /// Risks that name this system.
    pub risks: Vec<String>,
}

#[derive(Clone, Debug, Serialize)]
pub struct ImpactAssessmentRef {
    pub id: String,
    pub status: String,
    pub assessed_on: Option<String>,
}

#[derive(Clone, Debug, Serialize)]
pub struct RiskReport {
    pub id: String,
    pub title: String,
    pub status: String,
    pub owner: Option<String>,
    pub ai_systems: Vec<String>,
    pub organisational: bool,
    pub likelihood: Option<String>,
    pub severity: Option<String>,
    pub treatment: Option<String>,
    pub controls: Vec<RequirementRef>,
    pub objectives: Vec<String>,
    pub risk_sources: Vec<String>,
}

/// One link of the chain an auditor follows: a risk, a control it selects,
/// the approved documents implementing that control and their evidence.
#[derive(Clone, Debug, Serialize)]
pub struct Chain {
    pub risk: String,
    pub standard: String,
    pub control: String,
    pub title: String,
    /// The control's state; `null` when the risk names an ID the standard does not have.
    pub state: Option<State>,
    pub documents: Vec<ChainDocument>,
    /// Implemented, and at least one implementing document has an evidence record.
    pub evidenced: bool,
}

#[derive(Clone, Debug, Serialize)]
pub struct ChainDocument {
    pub id: String,
    pub evidence: Vec<String>,
}

#[derive(Clone, Debug, Serialize)]
pub struct Finding {
    pub code: String,
    pub name: String,
    pub severity: Severity,
    pub message: String,
    pub file: Option<String>,
    pub line: Option<u32>,
    pub column: Option<u32>,
    /// The document in `file`, when it is one.
    pub document: Option<String>,
    pub help: Option<String>,
    pub notes: Vec<String>,
}

impl Report {
    /// Builds the report of a compilation.
    pub fn build(c: &Compilation) -> Report {
        let cx = c.context();
        let ledger = Ledger::build(&cx);
        Report::from_ledger(c, &ledger)
    }

    /// Builds the report from a compilation and the ledger of its context.
    pub fn from_ledger(c: &Compilation, ledger: &Ledger) -> Report {
        let p = &c.project;
        let index = Index::new(p);
        let warn_days = p.config.review_warning_days;
        let documents: Vec<DocumentReport> = p
            .documents
            .iter()
            .map(|d| document_report(c, &index, d, warn_days))
            .collect();
        let standards: Vec<StandardReport> = ledger.standards.iter().map(|sl| standard_report(sl, &index)).collect();
        let counts = Counts::of(&c.diagnostics);
        let review_count = |s: ReviewState| documents.iter().filter(|d| d.review == s).count();
        let summary = Summary {
            documents: documents.len(),
            errors: counts.errors,
            warnings: counts.warnings,
            infos: counts.infos,
            reviews_overdue: review_count(ReviewState::Overdue),
            reviews_due_soon: review_count(ReviewState::DueSoon),
            reviews_unscheduled: review_count(ReviewState::Unscheduled),
        };
        Report {
            format_version: FORMAT_VERSION,
            tool: Tool {
                name: "aimsc".into(),
                version: env!("CARGO_PKG_VERSION").into(),
            },
            organisation: p.config.organisation.clone(),
            generated: c.today.to_string(),
            review_warning_days: warn_days,
            summary,
            scope: scope_report(p),
            ai_systems: ai_systems(p),
            risks: risks(c),
            traceability: chains(c, ledger, &index),
            findings: findings(c),
            standards,
            documents,
            history: match &p.history {
                crate::model::history::History::Available(_) => "available",
                crate::model::history::History::Shallow => "shallow",
                crate::model::history::History::NotGit => "unavailable",
            },
            gaps: crate::analysis::gaps::Gaps::new(c).ok(),
        }
    }

    pub fn standard(&self, key: &str) -> Option<&StandardReport> {
        self.standards.iter().find(|s| s.key == key)
    }
}

/// Reverse indexes built once, so that no step joins documents pairwise.
struct Index {
    /// Record IDs by the document they evidence.
    evidence: HashMap<String, BTreeSet<String>>,
    /// Documents naming a document, by the named ID.
    backlinks: HashMap<String, BTreeSet<String>>,
    /// Risks selecting a control, by (standard, control).
    risks: HashMap<(String, String), BTreeSet<String>>,
}

impl Index {
    fn new(p: &Project) -> Index {
        let mut evidence: HashMap<String, BTreeSet<String>> = HashMap::new();
        let mut backlinks: HashMap<String, BTreeSet<String>> = HashMap::new();
        let mut risks: HashMap<(String, String), BTreeSet<String>> = HashMap::new();
        for d in &p.documents {
            let from = &d.id.value;
            let mut named: Vec<&str> = d.references.iter().map(|r| r.value.as_str()).collect();
            named.extend(
                d.body
                    .id_refs
                    .iter()
                    .filter(|r| r.standard.is_none())
                    .map(|r| r.id.as_str()),
            );
            if let Some(s) = d.scope() {
                named.extend(s.ai_systems.iter().map(|r| r.value.as_str()));
            }
            if let Some(r) = d.risk() {
                named.extend(r.ai_systems.iter().map(|r| r.value.as_str()));
                if d.status != Status::Retired {
                    for s in &r.controls {
                        for id in &s.ids {
                            risks
                                .entry((s.standard.value.clone(), id.value.clone()))
                                .or_default()
                                .insert(from.clone());
                        }
                    }
                }
            }
            if let Some(ia) = d.impact_assessment() {
                named.extend(ia.ai_system.iter().map(|r| r.value.as_str()));
            }
            if let Some(rec) = d.record() {
                for target in &rec.evidence_for {
                    named.push(&target.value);
                    if d.status != Status::Retired {
                        evidence.entry(target.value.clone()).or_default().insert(from.clone());
                    }
                }
            }
            for id in named {
                if id != from {
                    backlinks.entry(id.to_string()).or_default().insert(from.clone());
                }
            }
        }
        Index {
            evidence,
            backlinks,
            risks,
        }
    }

    fn evidence_of(&self, id: &str) -> Vec<String> {
        sorted_ids(self.evidence.get(id).into_iter().flatten().cloned())
    }
}

/// IDs in natural order (`REC-2` before `REC-10`), without duplicates.
fn sorted_ids(ids: impl IntoIterator<Item = String>) -> Vec<String> {
    let mut v: Vec<String> = ids.into_iter().collect::<BTreeSet<_>>().into_iter().collect();
    v.sort_by(|a, b| natural_cmp(a, b).then_with(|| a.cmp(b)));
    v
}

fn date(d: Option<Date>) -> Option<String> {
    d.map(|d| d.to_string())
}

fn ids_of(docs: &[&Document]) -> Vec<String> {
    sorted_ids(docs.iter().map(|d| d.id.value.clone()))
}

fn evidence_of_docs(index: &Index, docs: &[&Document]) -> Vec<String> {
    sorted_ids(docs.iter().flat_map(|d| index.evidence_of(&d.id.value)))
}

fn standard_report(sl: &StandardLedger, index: &Index) -> StandardReport {
    let cat = sl.catalog;
    let heading = |id: &str| Heading {
        id: id.to_string(),
        title: cat.get(id).map_or(String::new(), |e| e.title.clone()),
    };
    let top_of = |id: &str| cat.top_group(id).map_or(id.to_string(), |e| e.id.clone());
    let mut sections: Vec<Heading> = Vec::new();
    let mut groups: Vec<Heading> = Vec::new();
    let mut clauses = Vec::new();
    let mut controls = Vec::new();
    for row in &sl.rows {
        let top = top_of(&row.entry.id);
        let list = if row.entry.kind == Kind::Control {
            &mut groups
        } else {
            &mut sections
        };
        if list.last().is_none_or(|h| h.id != top) {
            list.push(heading(&top));
        }
        match row.entry.kind {
            Kind::Control => controls.push(soa_row(cat, row, top, index)),
            _ => clauses.push(ClauseRow {
                standard: cat.key.clone(),
                clause: row.entry.id.clone(),
                title: row.entry.title.clone(),
                section: top,
                documents: ids_of(&row.approved),
                pending: ids_of(&row.unapproved),
                evidence: evidence_of_docs(index, &row.approved),
                state: row.state,
            }),
        }
    }
    StandardReport {
        key: cat.key.clone(),
        name: cat.name.clone(),
        short_name: cat.short_name.clone(),
        coverage: Coverage::of(sl),
        soa: sl.soa.map(soa_info),
        sections,
        groups,
        clauses,
        controls,
    }
}

fn soa_row(cat: &Catalog, row: &Row, group: String, index: &Index) -> SoaRow {
    let key = (cat.key.clone(), row.entry.id.clone());
    SoaRow {
        standard: cat.key.clone(),
        control: row.entry.id.clone(),
        title: row.entry.title.clone(),
        group,
        applicable: row.applicable(),
        justification: row
            .decision
            .and_then(|d| d.justification.as_ref())
            .map(|j| j.value.clone()),
        status: row.soa_status().map(|s| s.to_string()),
        documents: ids_of(&row.approved),
        pending: ids_of(&row.unapproved),
        risks: sorted_ids(index.risks.get(&key).into_iter().flatten().cloned()),
        evidence: evidence_of_docs(index, &row.approved),
        state: row.state,
    }
}

fn soa_info(d: &Document) -> SoaInfo {
    SoaInfo {
        id: d.id.value.clone(),
        title: d.title.clone(),
        path: d.path().to_string(),
        status: d.status.to_string(),
        approved: d.is_approved(),
        owner: d.owner.as_ref().map(|o| o.value.clone()),
        version: d.version.clone(),
        approved_by: d.approved_by.as_ref().map(|o| o.value.clone()),
        approved_on: date(d.approved_on.as_ref().map(|o| o.value)),
        next_review: date(d.review_due()),
    }
}

fn review_state(d: &Document, today: Date, warn_days: u32) -> ReviewState {
    if !d.is_approved() {
        return ReviewState::NotApplicable;
    }
    let Some(due) = d.review_due() else {
        return if d.doc_type == DocType::Record {
            ReviewState::NotApplicable
        } else {
            ReviewState::Unscheduled
        };
    };
    let soon = today
        .checked_add(jiff::Span::new().days(i64::from(warn_days)))
        .unwrap_or(Date::MAX);
    if due < today {
        ReviewState::Overdue
    } else if due <= soon {
        ReviewState::DueSoon
    } else {
        ReviewState::Ok
    }
}

fn document_report(c: &Compilation, index: &Index, d: &Document, warn_days: u32) -> DocumentReport {
    let mut satisfies: Vec<RequirementRef> = d
        .satisfies
        .iter()
        .flat_map(|s| {
            s.ids.iter().map(|id| RequirementRef {
                standard: s.standard.value.clone(),
                id: id.value.clone(),
                known: is_known(c, &s.standard.value, &id.value),
            })
        })
        .collect();
    satisfies.sort_by(|a, b| a.standard.cmp(&b.standard).then_with(|| natural_cmp(&a.id, &b.id)));
    satisfies.dedup();
    let history = c.project.history.of(d.path()).map(|revs| {
        revs.iter()
            .map(|r| RevisionReport {
                commit: r.commit.clone(),
                short: r.commit.chars().take(10).collect(),
                date: r.date.clone(),
                day: r.date.chars().take(10).collect(),
                author: r.author.clone(),
                subject: r.subject.clone(),
                path: r.path.clone(),
            })
            .collect::<Vec<_>>()
    });
    DocumentReport {
        id: d.id.value.clone(),
        title: d.title.clone(),
        doc_type: d.doc_type.to_string(),
        status: d.status.to_string(),
        owner: d.owner.as_ref().map(|o| o.value.clone()),
        version: d.version.clone(),
        approved_by: d.approved_by.as_ref().map(|o| o.value.clone()),
        approved_on: date(d.approved_on.as_ref().map(|o| o.value)),
        next_review: date(d.next_review.as_ref().map(|o| o.value)),
        review_due: date(d.review_due()),
        review: review_state(d, c.today, warn_days),
        path: d.path().to_string(),
        summary: d.summary.clone(),
        tags: d.tags.clone(),
        satisfies,
        references: d.references.iter().map(|r| r.value.clone()).collect(),
        backlinks: sorted_ids(index.backlinks.get(&d.id.value).into_iter().flatten().cloned()),
        evidence: index.evidence_of(&d.id.value),
        words: d.body.words,
        last_change: history.as_ref().and_then(|h| h.first().cloned()),
        revisions: history.as_ref().map(Vec::len),
        history,
    }
}

/// Whether `id` is a claimable requirement of an enabled standard.
fn is_known(c: &Compilation, standard: &str, id: &str) -> bool {
    c.project.config.standards.iter().any(|s| s == standard)
        && c.catalogs.get(standard).is_some_and(|cat| cat.is_claimable(id))
}

fn scope_report(p: &Project) -> Option<ScopeReport> {
    let mut docs: Vec<&Document> = p
        .documents
        .iter()
        .filter(|d| d.scope().is_some() && d.status != Status::Retired)
        .collect();
    docs.sort_by_key(|d| (!d.is_approved(), d.path().to_string()));
    let d = docs.first()?;
    let s = d.scope()?;
    Some(ScopeReport {
        id: d.id.value.clone(),
        title: d.title.clone(),
        standards: s.standards.iter().map(|x| x.value.clone()).collect(),
        ai_systems: s.ai_systems.iter().map(|x| x.value.clone()).collect(),
        units: s.units.clone(),
        locations: s.locations.clone(),
        exclusions: s
            .exclusions
            .iter()
            .map(|e| ExclusionReport {
                item: e.item.clone(),
                reason: e.reason.clone(),
            })
            .collect(),
    })
}

fn ai_systems(p: &Project) -> Vec<AiSystemReport> {
    let mut assessments: BTreeMap<&str, Vec<ImpactAssessmentRef>> = BTreeMap::new();
    let mut risks: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    for d in &p.documents {
        if let Some(ia) = d.impact_assessment()
            && let Some(sys) = &ia.ai_system
        {
            assessments.entry(&sys.value).or_default().push(ImpactAssessmentRef {
                id: d.id.value.clone(),
                status: d.status.to_string(),
                assessed_on: date(ia.assessed_on.as_ref().map(|a| a.value)),
            });
        }
        if let Some(r) = d.risk() {
            for sys in &r.ai_systems {
                risks.entry(&sys.value).or_default().push(d.id.value.clone());
            }
        }
    }
    p.documents
        .iter()
        .filter_map(|d| {
            let a = d.ai_system()?;
            let id = d.id.value.as_str();
            let mut ias = assessments.remove(id).unwrap_or_default();
            ias.sort_by(|x, y| natural_cmp(&x.id, &y.id));
            Some(AiSystemReport {
                id: id.to_string(),
                title: d.title.clone(),
                status: d.status.to_string(),
                owner: d.owner.as_ref().map(|o| o.value.clone()),
                purpose: a.purpose.as_ref().map(|x| x.value.clone()),
                roles: a.roles.iter().map(|r| r.value.to_string()).collect(),
                risk_level: a.risk_level.as_ref().map(|x| x.value.to_string()),
                lifecycle_stage: a.lifecycle_stage.as_ref().map(|x| x.value.to_string()),
                in_scope: a.in_scope.as_ref().map(|x| x.value),
                impact_assessments: ias,
                risks: sorted_ids(risks.remove(id).unwrap_or_default()),
            })
        })
        .collect()
}

fn risks(c: &Compilation) -> Vec<RiskReport> {
    c.project
        .documents
        .iter()
        .filter_map(|d| {
            let r = d.risk()?;
            Some(RiskReport {
                id: d.id.value.clone(),
                title: d.title.clone(),
                status: d.status.to_string(),
                owner: d.owner.as_ref().map(|o| o.value.clone()),
                ai_systems: r.ai_systems.iter().map(|x| x.value.clone()).collect(),
                organisational: r.organisational,
                likelihood: r.likelihood.as_ref().map(|x| x.value.to_string()),
                severity: r.severity.as_ref().map(|x| x.value.to_string()),
                treatment: r.treatment.as_ref().map(|x| x.value.to_string()),
                controls: r
                    .controls
                    .iter()
                    .flat_map(|s| {
                        s.ids.iter().map(|id| RequirementRef {
                            standard: s.standard.value.clone(),
                            id: id.value.clone(),
                            known: is_known(c, &s.standard.value, &id.value),
                        })
                    })
                    .collect(),
                objectives: r.objectives.iter().map(|x| x.value.clone()).collect(),
                risk_sources: r.risk_sources.iter().map(|x| x.value.clone()).collect(),
            })
        })
        .collect()
}

fn chains(c: &Compilation, ledger: &Ledger, index: &Index) -> Vec<Chain> {
    let rows: HashMap<(&str, &str), &Row> = ledger
        .standards
        .iter()
        .flat_map(|sl| {
            sl.controls()
                .map(move |r| ((sl.catalog.key.as_str(), r.entry.id.as_str()), r))
        })
        .collect();
    let mut out = Vec::new();
    for d in c.project.documents.iter().filter(|d| d.status != Status::Retired) {
        let Some(risk) = d.risk() else { continue };
        for s in &risk.controls {
            for id in &s.ids {
                let row = rows.get(&(s.standard.value.as_str(), id.value.as_str()));
                let documents: Vec<ChainDocument> = row
                    .map(|r| {
                        ids_of(&r.approved)
                            .into_iter()
                            .map(|doc| ChainDocument {
                                evidence: index.evidence_of(&doc),
                                id: doc,
                            })
                            .collect()
                    })
                    .unwrap_or_default();
                let state = row.map(|r| r.state);
                out.push(Chain {
                    risk: d.id.value.clone(),
                    standard: s.standard.value.clone(),
                    control: id.value.clone(),
                    title: row.map_or(String::new(), |r| r.entry.title.clone()),
                    evidenced: state == Some(State::Covered) && documents.iter().any(|x| !x.evidence.is_empty()),
                    state,
                    documents,
                });
            }
        }
    }
    out
}

fn findings(c: &Compilation) -> Vec<Finding> {
    let p = &c.project;
    c.diagnostics
        .iter()
        .map(|d| {
            let loc = d.location.as_ref();
            Finding {
                code: d.rule.code.to_string(),
                name: d.rule.name.to_string(),
                severity: d.severity,
                message: d.message.clone(),
                file: loc.map(|l| l.file.clone()),
                line: loc.map(|l| l.line),
                column: loc.map(|l| l.column),
                document: loc
                    .and_then(|l| p.by_path.get(&l.file))
                    .map(|&i| p.documents[i].id.value.clone()),
                help: d.help.clone(),
                notes: d.notes.clone(),
            }
        })
        .collect()
}
