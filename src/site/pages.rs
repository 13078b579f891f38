//! What each portal page shows, as plain serialisable values handed to its
//! template. Everything is taken from the [`Report`] (and so from the
//! ledger); this module only joins IDs to titles and page addresses, once,
//! through hash maps built up front.
//!
//! Addresses (`href`) are relative to the portal root; templates prefix them
//! with `root` (`""`, `"../"` ...) so the portal works from file:// and under
//! any sub-path.

use std::collections::{BTreeMap, HashMap};

use serde::Serialize;

use super::markdown::Links;
use crate::analysis::report::{
    AiSystemReport, Chain, DocumentReport, Finding, ReviewState, RiskReport, SoaRow, StandardReport,
};
use crate::analysis::report::{ClauseRow, Report};
use crate::diagnostics::Severity;
use crate::rules::State;

/// A traceability grid wider than this many documents is shown as lists
/// instead: a grid of thousands of columns helps nobody and weighs megabytes.
pub const MATRIX_MAX_COLUMNS: usize = 400;

/// A link to a document (or to an ID that no document has: `href` is then `None`).
#[derive(Clone, Debug, Serialize)]
pub struct DocLink {
    pub id: String,
    pub title: String,
    pub href: Option<String>,
    pub status: String,
    #[serde(rename = "type")]
    pub doc_type: String,
}

/// A link to a requirement page.
#[derive(Clone, Debug, Serialize)]
pub struct ReqLink {
    pub standard: String,
    pub standard_name: String,
    pub id: String,
    /// `control`, `clause`, or empty for an ID the standard does not have.
    pub kind: &'static str,
    pub title: String,
    pub href: Option<String>,
    pub state: Option<State>,
}

/// Joins IDs to what the pages say about them.
pub struct Lookup<'r> {
    pub report: &'r Report,
    /// Index in `report.documents` of the first document with each ID.
    docs: HashMap<&'r str, usize>,
    ai_systems: HashMap<&'r str, &'r AiSystemReport>,
    risks: HashMap<&'r str, &'r RiskReport>,
    /// Page of each document, by index in `report.documents`.
    pub doc_pages: Vec<String>,
    controls: HashMap<(&'r str, &'r str), &'r SoaRow>,
    clauses: HashMap<(&'r str, &'r str), &'r ClauseRow>,
    findings_by_doc: HashMap<&'r str, Vec<&'r Finding>>,
}

impl<'r> Lookup<'r> {
    pub fn new(report: &'r Report) -> Lookup<'r> {
        let mut docs = HashMap::new();
        for (i, d) in report.documents.iter().enumerate() {
            docs.entry(d.id.as_str()).or_insert(i);
        }
        let ai_systems = report.ai_systems.iter().map(|a| (a.id.as_str(), a)).collect();
        let risks = report.risks.iter().map(|a| (a.id.as_str(), a)).collect();
        let doc_pages = page_names(report);
        let mut controls = HashMap::new();
        let mut clauses = HashMap::new();
        for s in &report.standards {
            for r in &s.controls {
                controls.insert((s.key.as_str(), r.control.as_str()), r);
            }
            for r in &s.clauses {
                clauses.insert((s.key.as_str(), r.clause.as_str()), r);
            }
        }
        let mut findings_by_doc: HashMap<&str, Vec<&Finding>> = HashMap::new();
        for f in &report.findings {
            if let Some(d) = &f.document {
                findings_by_doc.entry(d.as_str()).or_default().push(f);
            }
        }
        Lookup {
            report,
            docs,
            ai_systems,
            risks,
            doc_pages,
            controls,
            clauses,
            findings_by_doc,
        }
    }

    /// The shared link table used by the Markdown renderer.
    pub fn links(&self) -> Links {
        let mut links = Links::default();
        for (d, page) in self.report.documents.iter().zip(&self.doc_pages) {
            links.by_id.entry(d.id.clone()).or_insert_with(|| page.clone());
            links.by_path.insert(d.path.clone(), page.clone());
        }
        for s in &self.report.standards {
            for r in &s.controls {
                links.requirements.insert((s.key.clone(), r.control.clone()));
            }
            for r in &s.clauses {
                links.requirements.insert((s.key.clone(), r.clause.clone()));
            }
        }
        links
    }

    pub fn doc(&self, id: &str) -> DocLink {
        match self.docs.get(id) {
            Some(&i) => {
                let d = &self.report.documents[i];
                DocLink {
                    id: d.id.clone(),
                    title: d.title.clone(),
                    href: Some(self.doc_pages[i].clone()),
                    status: d.status.clone(),
                    doc_type: d.doc_type.clone(),
                }
            }
            None => DocLink {
                id: id.to_string(),
                title: String::new(),
                href: None,
                status: String::new(),
                doc_type: String::new(),
            },
        }
    }

    pub fn docs(&self, ids: &[String]) -> Vec<DocLink> {
        ids.iter().map(|id| self.doc(id)).collect()
    }

    pub fn req(&self, standard: &str, id: &str) -> ReqLink {
        let standard_name = self
            .report
            .standard(standard)
            .map_or(standard.to_string(), |s| s.short_name.clone());
        if let Some(r) = self.controls.get(&(standard, id)) {
            return ReqLink {
                standard: standard.to_string(),
                standard_name,
                id: id.to_string(),
                kind: "control",
                title: r.title.clone(),
                href: Some(Links::requirement_page(standard, id)),
                state: Some(r.state),
            };
        }
        if let Some(r) = self.clauses.get(&(standard, id)) {
            return ReqLink {
                standard: standard.to_string(),
                standard_name,
                id: id.to_string(),
                kind: "clause",
                title: r.title.clone(),
                href: Some(Links::requirement_page(standard, id)),
                state: Some(r.state),
            };
        }
        ReqLink {
            standard: standard.to_string(),
            standard_name,
            id: id.to_string(),
            kind: "",
            title: String::new(),
            href: None,
            state: None,
        }
    }
}

/// One page file name per document: the ID, made unique even on file
/// systems that ignore case (`documents/POL-1.html`, `documents/pol-1-2.html`).
fn page_names(report: &Report) -> Vec<String> {
    let mut used: HashMap<String, usize> = HashMap::new();
    report
        .documents
        .iter()
        .map(|d| {
            // IDs are checked to be `[A-Za-z0-9._-]`; anything else is replaced all the same.
            let base: String =
                d.id.chars()
                    .map(|c| {
                        if c.is_ascii_alphanumeric() || "._-".contains(c) {
                            c
                        } else {
                            '_'
                        }
                    })
                    .collect();
            let n = used.entry(base.to_ascii_lowercase()).or_insert(0);
            *n += 1;
            if *n == 1 {
                format!("documents/{base}.html")
            } else {
                format!("documents/{base}-{n}.html")
            }
        })
        .collect()
}

/// What every page shares.
#[derive(Serialize)]
pub struct SiteInfo {
    pub organisation: Option<String>,
    pub generated: String,
    pub tool_version: String,
    pub standards: Vec<StandardNav>,
    pub errors: usize,
    pub warnings: usize,
    pub review_warning_days: u32,
    pub base_url: Option<String>,
    /// Whether the gap analysis page exists (ISO 42001 enabled).
    pub gaps: bool,
    /// `available`, `shallow` or `unavailable`: whether Git history is shown.
    pub history: &'static str,
}

#[derive(Serialize)]
pub struct StandardNav {
    pub key: String,
    pub name: String,
    pub short_name: String,
}

pub fn site_info(report: &Report, base_url: Option<&str>) -> SiteInfo {
    SiteInfo {
        organisation: report.organisation.clone(),
        generated: report.generated.clone(),
        tool_version: report.tool.version.clone(),
        standards: report
            .standards
            .iter()
            .map(|s| StandardNav {
                key: s.key.clone(),
                name: s.name.clone(),
                short_name: s.short_name.clone(),
            })
            .collect(),
        errors: report.summary.errors,
        warnings: report.summary.warnings,
        review_warning_days: report.review_warning_days,
        base_url: base_url.map(|u| u.trim_end_matches('/').to_string()),
        gaps: report.gaps.is_some(),
        history: report.history,
    }
}

// ---------------------------------------------------------------- dashboard

#[derive(Serialize)]
pub struct Dashboard {
    pub standards: Vec<DashboardStandard>,
    pub findings_chart: String,
    pub top_rules: Vec<RuleCount>,
    pub overdue: Vec<ReviewItem>,
    pub due_soon: Vec<ReviewItem>,
    pub by_type: Vec<TypeCount>,
    pub ai_systems: usize,
    pub ai_systems_in_scope: usize,
    pub risks: usize,
}

#[derive(Serialize)]
pub struct DashboardStandard {
    pub key: String,
    pub name: String,
    pub short_name: String,
    pub coverage: crate::analysis::Coverage,
    pub soa: Option<DocLink>,
    pub soa_status: Option<String>,
    pub controls_ring: String,
    pub controls_bar: String,
    pub clauses_chart: String,
    pub declared_chart: String,
}

#[derive(Serialize)]
pub struct RuleCount {
    pub code: String,
    pub name: String,
    pub severity: Severity,
    pub count: usize,
}

#[derive(Serialize)]
pub struct ReviewItem {
    pub doc: DocLink,
    pub owner: Option<String>,
    pub due: Option<String>,
}

#[derive(Serialize)]
pub struct TypeCount {
    #[serde(rename = "type")]
    pub doc_type: String,
    pub count: usize,
}

pub fn dashboard(l: &Lookup) -> Dashboard {
    let r = l.report;
    let standards = r
        .standards
        .iter()
        .map(|s| DashboardStandard {
            key: s.key.clone(),
            name: s.name.clone(),
            short_name: s.short_name.clone(),
            coverage: s.coverage.clone(),
            soa: s.soa.as_ref().map(|x| l.doc(&x.id)),
            soa_status: s.soa.as_ref().map(|x| x.status.clone()),
            controls_ring: super::charts::controls_ring(s),
            controls_bar: super::charts::controls_bar(s),
            clauses_chart: super::charts::clauses(s),
            declared_chart: super::charts::declared(s),
        })
        .collect();
    let mut rules: BTreeMap<(Severity, &str), (usize, &str)> = BTreeMap::new();
    for f in &r.findings {
        rules
            .entry((f.severity, f.code.as_str()))
            .or_insert((0, f.name.as_str()))
            .0 += 1;
    }
    let mut top_rules: Vec<RuleCount> = rules
        .into_iter()
        .map(|((severity, code), (count, name))| RuleCount {
            code: code.to_string(),
            name: name.to_string(),
            severity,
            count,
        })
        .collect();
    top_rules.sort_by(|a, b| {
        a.severity
            .cmp(&b.severity)
            .then(b.count.cmp(&a.count))
            .then(a.code.cmp(&b.code))
    });
    top_rules.truncate(10);
    let reviews = |state: ReviewState| {
        let mut v: Vec<ReviewItem> = r
            .documents
            .iter()
            .filter(|d| d.review == state)
            .map(|d| ReviewItem {
                doc: l.doc(&d.id),
                owner: d.owner.clone(),
                due: d.review_due.clone(),
            })
            .collect();
        v.sort_by(|a, b| a.due.cmp(&b.due).then_with(|| a.doc.id.cmp(&b.doc.id)));
        v
    };
    let mut types: BTreeMap<&str, usize> = BTreeMap::new();
    for d in &r.documents {
        *types.entry(d.doc_type.as_str()).or_default() += 1;
    }
    Dashboard {
        standards,
        findings_chart: super::charts::findings(&r.summary),
        top_rules,
        overdue: reviews(ReviewState::Overdue),
        due_soon: reviews(ReviewState::DueSoon),
        by_type: types
            .into_iter()
            .map(|(t, count)| TypeCount {
                doc_type: t.to_string(),
                count,
            })
            .collect(),
        ai_systems: r.ai_systems.len(),
        ai_systems_in_scope: r.ai_systems.iter().filter(|a| a.in_scope == Some(true)).count(),
        risks: r.risks.len(),
    }
}

// ---------------------------------------------------------------- SoA

#[derive(Serialize)]
pub struct SoaPage {
    pub key: String,
    pub name: String,
    pub short_name: String,
    pub coverage: crate::analysis::Coverage,
    pub soa: Option<crate::analysis::report::SoaInfo>,
    pub soa_link: Option<DocLink>,
    pub groups: Vec<SoaGroup>,
    pub filters: Vec<FilterOption>,
    pub csv: String,
    pub xlsx: String,
}

#[derive(Serialize)]
pub struct SoaGroup {
    pub id: String,
    pub title: String,
    pub rows: Vec<SoaRowView>,
}

#[derive(Serialize)]
pub struct SoaRowView {
    pub control: String,
    pub title: String,
    pub href: String,
    pub applicable: Option<bool>,
    pub justification: Option<String>,
    pub status: Option<String>,
    pub state: State,
    pub documents: Vec<DocLink>,
    pub pending: Vec<DocLink>,
    pub risks: Vec<DocLink>,
    pub evidence: Vec<DocLink>,
}

#[derive(Serialize)]
pub struct FilterOption {
    pub value: String,
    pub label: String,
    pub count: usize,
}

pub fn soa(l: &Lookup, s: &StandardReport) -> SoaPage {
    let groups = s
        .groups
        .iter()
        .map(|g| SoaGroup {
            id: g.id.clone(),
            title: g.title.clone(),
            rows: s
                .controls
                .iter()
                .filter(|r| r.group == g.id)
                .map(|r| SoaRowView {
                    control: r.control.clone(),
                    title: r.title.clone(),
                    href: Links::requirement_page(&s.key, &r.control),
                    applicable: r.applicable,
                    justification: r.justification.clone(),
                    status: r.status.clone(),
                    state: r.state,
                    documents: l.docs(&r.documents),
                    pending: l.docs(&r.pending),
                    risks: l.docs(&r.risks),
                    evidence: l.docs(&r.evidence),
                })
                .collect(),
        })
        .collect();
    let count = |st: State| s.controls.iter().filter(|r| r.state == st).count();
    let filters = vec![
        FilterOption {
            value: "all".into(),
            label: "All controls".into(),
            count: s.controls.len(),
        },
        FilterOption {
            value: "covered".into(),
            label: "Implemented".into(),
            count: count(State::Covered),
        },
        FilterOption {
            value: "gap".into(),
            label: "Gap (applicable, not implemented)".into(),
            count: count(State::Gap),
        },
        FilterOption {
            value: "excluded".into(),
            label: "Excluded".into(),
            count: count(State::Excluded),
        },
        FilterOption {
            value: "undecided".into(),
            label: "Undecided".into(),
            count: count(State::Undecided),
        },
    ];
    SoaPage {
        key: s.key.clone(),
        name: s.name.clone(),
        short_name: s.short_name.clone(),
        coverage: s.coverage.clone(),
        soa: s.soa.clone(),
        soa_link: s.soa.as_ref().map(|x| l.doc(&x.id)),
        groups,
        filters,
        csv: format!("downloads/soa-{}.csv", s.key),
        xlsx: format!("downloads/soa-{}.xlsx", s.key),
    }
}

// ---------------------------------------------------------------- requirement

#[derive(Serialize)]
pub struct RequirementPage {
    pub standard: String,
    pub standard_name: String,
    pub short_name: String,
    pub kind: String,
    pub id: String,
    pub title: String,
    pub parent: Option<ParentHeading>,
    pub state: State,
    pub applicable: Option<bool>,
    pub status: Option<String>,
    pub justification: Option<String>,
    pub soa: Option<DocLink>,
    pub soa_approved: bool,
    pub documents: Vec<DocLink>,
    pub pending: Vec<DocLink>,
    pub evidence: Vec<DocLink>,
    pub risks: Vec<DocLink>,
}

#[derive(Serialize)]
pub struct ParentHeading {
    pub id: String,
    pub title: String,
}

pub fn control_page(l: &Lookup, s: &StandardReport, r: &SoaRow) -> RequirementPage {
    RequirementPage {
        standard: s.key.clone(),
        standard_name: s.name.clone(),
        short_name: s.short_name.clone(),
        kind: "control".into(),
        id: r.control.clone(),
        title: r.title.clone(),
        parent: s.groups.iter().find(|g| g.id == r.group).map(|g| ParentHeading {
            id: g.id.clone(),
            title: g.title.clone(),
        }),
        state: r.state,
        applicable: r.applicable,
        status: r.status.clone(),
        justification: r.justification.clone(),
        soa: s.soa.as_ref().map(|x| l.doc(&x.id)),
        soa_approved: s.soa.as_ref().is_some_and(|x| x.approved),
        documents: l.docs(&r.documents),
        pending: l.docs(&r.pending),
        evidence: l.docs(&r.evidence),
        risks: l.docs(&r.risks),
    }
}

pub fn clause_page(l: &Lookup, s: &StandardReport, r: &ClauseRow) -> RequirementPage {
    RequirementPage {
        standard: s.key.clone(),
        standard_name: s.name.clone(),
        short_name: s.short_name.clone(),
        kind: "clause".into(),
        id: r.clause.clone(),
        title: r.title.clone(),
        parent: s.sections.iter().find(|g| g.id == r.section).map(|g| ParentHeading {
            id: g.id.clone(),
            title: g.title.clone(),
        }),
        state: r.state,
        applicable: None,
        status: None,
        justification: None,
        soa: None,
        soa_approved: false,
        documents: l.docs(&r.documents),
        pending: l.docs(&r.pending),
        evidence: l.docs(&r.evidence),
        risks: Vec::new(),
    }
}

// ---------------------------------------------------------------- document

#[derive(Serialize)]
pub struct DocumentPage<'a> {
    pub doc: &'a DocumentReport,
    pub satisfies: Vec<ReqLink>,
    pub references: Vec<DocLink>,
    pub backlinks: Vec<DocLink>,
    pub evidence: Vec<DocLink>,
    pub facts: Vec<Fact>,
    pub findings: Vec<&'a Finding>,
    pub body: String,
}

/// One line of the type-specific panel: a label and text or links.
#[derive(Serialize)]
pub struct Fact {
    pub label: String,
    pub text: Option<String>,
    pub docs: Vec<DocLink>,
    pub reqs: Vec<ReqLink>,
}

impl Fact {
    fn text(label: &str, text: Option<String>) -> Option<Fact> {
        text.filter(|t| !t.is_empty()).map(|t| Fact {
            label: label.into(),
            text: Some(t),
            docs: Vec::new(),
            reqs: Vec::new(),
        })
    }

    fn docs(label: &str, docs: Vec<DocLink>) -> Option<Fact> {
        (!docs.is_empty()).then(|| Fact {
            label: label.into(),
            text: None,
            docs,
            reqs: Vec::new(),
        })
    }

    fn reqs(label: &str, reqs: Vec<ReqLink>) -> Option<Fact> {
        (!reqs.is_empty()).then(|| Fact {
            label: label.into(),
            text: None,
            docs: Vec::new(),
            reqs,
        })
    }
}

fn yes_no(b: Option<bool>) -> Option<String> {
    b.map(|b| if b { "yes" } else { "no" }.to_string())
}

fn facts(l: &Lookup, c: &crate::analysis::Compilation, d: &DocumentReport) -> Vec<Fact> {
    let mut out: Vec<Option<Fact>> = Vec::new();
    if let Some(a) = l.ai_systems.get(d.id.as_str()).filter(|_| d.doc_type == "ai-system") {
        out.push(Fact::text("Purpose", a.purpose.clone()));
        out.push(Fact::text("Roles", Some(a.roles.join(", "))));
        out.push(Fact::text("Risk level", a.risk_level.clone()));
        out.push(Fact::text("Life-cycle stage", a.lifecycle_stage.clone()));
        out.push(Fact::text("In AIMS scope", yes_no(a.in_scope)));
        let ias: Vec<String> = a.impact_assessments.iter().map(|x| x.id.clone()).collect();
        out.push(Fact::docs("Impact assessments", l.docs(&ias)));
        out.push(Fact::docs("Risks", l.docs(&a.risks)));
    }
    if let Some(k) = l.risks.get(d.id.as_str()).filter(|_| d.doc_type == "risk") {
        out.push(Fact::docs("AI systems", l.docs(&k.ai_systems)));
        if k.organisational {
            out.push(Fact::text("Organisational", Some("yes".into())));
        }
        out.push(Fact::text("Likelihood", k.likelihood.clone()));
        out.push(Fact::text("Severity", k.severity.clone()));
        out.push(Fact::text("Treatment", k.treatment.clone()));
        out.push(Fact::reqs(
            "Controls selected",
            k.controls.iter().map(|x| l.req(&x.standard, &x.id)).collect(),
        ));
        out.push(Fact::text("Objectives", Some(k.objectives.join(", "))));
        out.push(Fact::text("Risk sources", Some(k.risk_sources.join(", "))));
    }
    // Impact assessments and records are read from the model: the report keeps only their links.
    if let Some(doc) = c.project.by_path.get(&d.path).map(|&i| &c.project.documents[i]) {
        if let Some(ia) = doc.impact_assessment() {
            let sys: Vec<String> = ia.ai_system.iter().map(|s| s.value.clone()).collect();
            out.push(Fact::docs("AI system", l.docs(&sys)));
            out.push(Fact::text(
                "Assessed on",
                ia.assessed_on.as_ref().map(|x| x.value.to_string()),
            ));
            let affects: Vec<&str> = ia.affects.iter().map(|a| a.value.as_str()).collect();
            out.push(Fact::text("Affects", Some(affects.join(", "))));
        }
        if let Some(rec) = doc.record() {
            out.push(Fact::text(
                "Recorded on",
                rec.recorded_on.as_ref().map(|x| x.value.to_string()),
            ));
            let ev: Vec<String> = rec.evidence_for.iter().map(|s| s.value.clone()).collect();
            out.push(Fact::docs("Evidence for", l.docs(&ev)));
        }
    }
    out.into_iter().flatten().collect()
}

pub fn document<'a>(
    l: &'a Lookup,
    c: &crate::analysis::Compilation,
    d: &'a DocumentReport,
    body: String,
) -> DocumentPage<'a> {
    DocumentPage {
        doc: d,
        satisfies: d.satisfies.iter().map(|s| l.req(&s.standard, &s.id)).collect(),
        references: l.docs(&d.references),
        backlinks: l.docs(&d.backlinks),
        evidence: l.docs(&d.evidence),
        facts: facts(l, c, d),
        findings: l.findings_by_doc.get(d.id.as_str()).cloned().unwrap_or_default(),
        body,
    }
}

// ---------------------------------------------------------------- traceability

#[derive(Serialize)]
pub struct Traceability {
    pub matrices: Vec<Matrix>,
    pub chains: Vec<ChainView>,
    pub max_columns: usize,
}

#[derive(Serialize)]
pub struct Matrix {
    pub key: String,
    pub name: String,
    pub short_name: String,
    /// Documents that claim something of this standard (the grid's columns).
    pub columns: Vec<DocLink>,
    /// Too many documents for a grid: rows list their documents instead.
    pub compact: bool,
    pub groups: Vec<MatrixGroup>,
}

#[derive(Serialize)]
pub struct MatrixGroup {
    pub id: String,
    pub title: String,
    pub rows: Vec<MatrixRow>,
}

#[derive(Serialize)]
pub struct MatrixRow {
    pub id: String,
    pub title: String,
    pub href: String,
    pub state: State,
    /// Per column: `a` (approved claim, counts), `p` (pending claim) or empty.
    pub cells: Vec<&'static str>,
    /// In compact mode: the claimants.
    pub documents: Vec<DocLink>,
    pub pending: Vec<DocLink>,
}

#[derive(Serialize)]
pub struct ChainView {
    pub risk: DocLink,
    pub control: ReqLink,
    pub documents: Vec<ChainDoc>,
    pub evidenced: bool,
}

#[derive(Serialize)]
pub struct ChainDoc {
    pub doc: DocLink,
    pub evidence: Vec<DocLink>,
}

pub fn traceability(l: &Lookup) -> Traceability {
    let r = l.report;
    let matrices = r
        .standards
        .iter()
        .map(|s| {
            // Columns: every document claiming a requirement of this standard, in path order.
            let mut claimed: HashMap<&str, ()> = HashMap::new();
            for id in s
                .clauses
                .iter()
                .flat_map(|c| c.documents.iter().chain(&c.pending))
                .chain(s.controls.iter().flat_map(|c| c.documents.iter().chain(&c.pending)))
            {
                claimed.insert(id.as_str(), ());
            }
            let columns: Vec<&DocumentReport> = {
                let mut seen = std::collections::HashSet::new();
                r.documents
                    .iter()
                    .filter(|d| claimed.contains_key(d.id.as_str()) && seen.insert(d.id.as_str()))
                    .collect()
            };
            let compact = columns.len() > MATRIX_MAX_COLUMNS;
            let position: HashMap<&str, usize> = columns.iter().enumerate().map(|(i, d)| (d.id.as_str(), i)).collect();
            let row = |id: &str, title: &str, state: State, docs: &[String], pending: &[String]| {
                let mut cells = Vec::new();
                if !compact {
                    cells = vec![""; columns.len()];
                    for p in pending {
                        if let Some(&i) = position.get(p.as_str()) {
                            cells[i] = "p";
                        }
                    }
                    for d in docs {
                        if let Some(&i) = position.get(d.as_str()) {
                            cells[i] = "a";
                        }
                    }
                }
                MatrixRow {
                    id: id.to_string(),
                    title: title.to_string(),
                    href: Links::requirement_page(&s.key, id),
                    state,
                    cells,
                    documents: if compact { l.docs(docs) } else { Vec::new() },
                    pending: if compact { l.docs(pending) } else { Vec::new() },
                }
            };
            let mut groups: Vec<MatrixGroup> = s
                .sections
                .iter()
                .map(|g| MatrixGroup {
                    id: g.id.clone(),
                    title: format!("Clause {} {}", g.id, g.title),
                    rows: s
                        .clauses
                        .iter()
                        .filter(|c| c.section == g.id)
                        .map(|c| row(&c.clause, &c.title, c.state, &c.documents, &c.pending))
                        .collect(),
                })
                .collect();
            groups.extend(s.groups.iter().map(|g| {
                MatrixGroup {
                    id: g.id.clone(),
                    title: format!("{} {}", g.id, g.title),
                    rows: s
                        .controls
                        .iter()
                        .filter(|c| c.group == g.id)
                        .map(|c| row(&c.control, &c.title, c.state, &c.documents, &c.pending))
                        .collect(),
                }
            }));
            Matrix {
                key: s.key.clone(),
                name: s.name.clone(),
                short_name: s.short_name.clone(),
                columns: columns.iter().map(|d| l.doc(&d.id)).collect(),
                compact,
                groups,
            }
        })
        .collect();
    Traceability {
        matrices,
        chains: r.traceability.iter().map(|c| chain(l, c)).collect(),
        max_columns: MATRIX_MAX_COLUMNS,
    }
}

fn chain(l: &Lookup, c: &Chain) -> ChainView {
    ChainView {
        risk: l.doc(&c.risk),
        control: l.req(&c.standard, &c.control),
        documents: c
            .documents
            .iter()
            .map(|d| ChainDoc {
                doc: l.doc(&d.id),
                evidence: l.docs(&d.evidence),
            })
            .collect(),
        evidenced: c.evidenced,
    }
}

// ---------------------------------------------------------------- registers

#[derive(Serialize)]
pub struct DocumentRow<'a> {
    pub doc: DocLink,
    pub report: &'a DocumentReport,
}

pub fn documents_register<'a>(l: &'a Lookup) -> Vec<DocumentRow<'a>> {
    l.report
        .documents
        .iter()
        .map(|d| DocumentRow {
            doc: l.doc(&d.id),
            report: d,
        })
        .collect()
}

#[derive(Serialize)]
pub struct AiSystemRow<'a> {
    pub doc: DocLink,
    pub system: &'a AiSystemReport,
    pub assessments: Vec<AssessmentLink>,
    pub risks: Vec<DocLink>,
}

#[derive(Serialize)]
pub struct AssessmentLink {
    pub doc: DocLink,
    pub assessed_on: Option<String>,
}

pub fn ai_register<'a>(l: &'a Lookup) -> Vec<AiSystemRow<'a>> {
    l.report
        .ai_systems
        .iter()
        .map(|a| AiSystemRow {
            doc: l.doc(&a.id),
            system: a,
            assessments: a
                .impact_assessments
                .iter()
                .map(|x| AssessmentLink {
                    doc: l.doc(&x.id),
                    assessed_on: x.assessed_on.clone(),
                })
                .collect(),
            risks: l.docs(&a.risks),
        })
        .collect()
}

#[derive(Serialize)]
pub struct RiskRow<'a> {
    pub doc: DocLink,
    pub risk: &'a RiskReport,
    pub ai_systems: Vec<DocLink>,
    pub controls: Vec<ReqLink>,
}

pub fn risk_register<'a>(l: &'a Lookup) -> Vec<RiskRow<'a>> {
    l.report
        .risks
        .iter()
        .map(|k| RiskRow {
            doc: l.doc(&k.id),
            risk: k,
            ai_systems: l.docs(&k.ai_systems),
            controls: k.controls.iter().map(|x| l.req(&x.standard, &x.id)).collect(),
        })
        .collect()
}

// ---------------------------------------------------------------- scope

#[derive(Serialize)]
pub struct ScopePage {
    pub scope: Option<crate::analysis::report::ScopeReport>,
    pub doc: Option<DocLink>,
    pub standards: Vec<String>,
    pub ai_systems: Vec<ScopeSystem>,
    pub body: String,
}

#[derive(Serialize)]
pub struct ScopeSystem {
    pub doc: DocLink,
    pub listed: bool,
    pub in_scope: Option<bool>,
    pub purpose: Option<String>,
}

pub fn scope(l: &Lookup, body: String) -> ScopePage {
    let r = l.report;
    let scope = r.scope.clone();
    let listed: Vec<&str> = scope
        .iter()
        .flat_map(|s| s.ai_systems.iter().map(String::as_str))
        .collect();
    let mut ai_systems: Vec<ScopeSystem> = r
        .ai_systems
        .iter()
        .map(|a| ScopeSystem {
            doc: l.doc(&a.id),
            listed: listed.contains(&a.id.as_str()),
            in_scope: a.in_scope,
            purpose: a.purpose.clone(),
        })
        .collect();
    // Listed IDs with no inventory entry are shown too: the gap is the point.
    for id in &listed {
        if !l.ai_systems.contains_key(id) {
            ai_systems.push(ScopeSystem {
                doc: l.doc(id),
                listed: true,
                in_scope: None,
                purpose: None,
            });
        }
    }
    let standards = scope
        .iter()
        .flat_map(|s| &s.standards)
        .map(|k| r.standard(k).map_or(k.clone(), |s| s.name.clone()))
        .collect();
    ScopePage {
        doc: scope.as_ref().map(|s| l.doc(&s.id)),
        scope,
        standards,
        ai_systems,
        body,
    }
}

// ---------------------------------------------------------------- findings

#[derive(Serialize)]
pub struct FindingGroup<'a> {
    pub severity: Severity,
    pub label: String,
    pub items: Vec<FindingView<'a>>,
}

#[derive(Serialize)]
pub struct FindingView<'a> {
    pub finding: &'a Finding,
    pub doc: Option<DocLink>,
}

pub fn findings<'a>(l: &'a Lookup) -> Vec<FindingGroup<'a>> {
    [
        (Severity::Error, "Errors"),
        (Severity::Warning, "Warnings"),
        (Severity::Info, "Information"),
    ]
    .into_iter()
    .map(|(severity, label)| FindingGroup {
        severity,
        label: label.into(),
        items: l
            .report
            .findings
            .iter()
            .filter(|f| f.severity == severity)
            .map(|f| FindingView {
                finding: f,
                doc: f.document.as_ref().map(|d| l.doc(d)),
            })
            .collect(),
    })
    .collect()
}

/// The gap analysis page: totals and a bar per group, then the backlog with
/// the ISO 27001 documents each open row can start from.
#[derive(Serialize)]
pub struct GapsPage<'a> {
    pub totals: &'a crate::analysis::gaps::GroupTotals,
    pub chart: String,
    pub groups: Vec<GapGroup<'a>>,
    pub backlog: Vec<GapBacklogRow>,
}

#[derive(Serialize)]
pub struct GapGroup<'a> {
    pub totals: &'a crate::analysis::gaps::GroupTotals,
    pub chart: String,
}

#[derive(Serialize)]
pub struct GapBacklogRow {
    pub state: &'static str,
    pub req: ReqLink,
    pub soa_status: Option<String>,
    pub starting_points: Vec<GapStart>,
    pub pending: Vec<DocLink>,
    pub rationale: String,
}

#[derive(Serialize)]
pub struct GapStart {
    pub req: ReqLink,
    pub relation: &'static str,
    pub docs: Vec<DocLink>,
}

pub fn gaps<'a>(l: &'a Lookup, g: &'a crate::analysis::gaps::Gaps) -> GapsPage<'a> {
    let groups = g
        .groups
        .iter()
        .map(|t| GapGroup {
            totals: t,
            chart: super::charts::gaps_bar(&format!("{} {}", t.group, t.title), t),
        })
        .collect();
    let backlog = g
        .backlog()
        .into_iter()
        .map(|r| GapBacklogRow {
            state: r.state.as_str(),
            req: l.req("iso42001", &r.id),
            soa_status: r.soa_status.clone(),
            starting_points: r
                .starting_points
                .iter()
                .map(|p| GapStart {
                    req: l.req("iso27001", &p.iso27001),
                    relation: p.relation.as_str(),
                    docs: p.documents.iter().map(|d| l.doc(d)).collect(),
                })
                .collect(),
            pending: r.pending.iter().map(|d| l.doc(d)).collect(),
            rationale: r.rationale.clone(),
        })
        .collect();
    GapsPage {
        totals: &g.totals,
        chart: super::charts::gaps_bar("ISO 42001 in all", &g.totals),
        groups,
        backlog,
    }
}
