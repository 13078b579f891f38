//! AI-governance checks: the mistakes auditors catch when an ISO 27001 ISMS
//! is extended into an ISO 42001 AIMS. A copied SoA, security documents
//! dressed up as AI controls, an incomplete AI-system inventory, missing
//! impact assessments, and risks that select nothing or the wrong thing.

use std::collections::{HashMap, HashSet};

use crate::diagnostics::{Diagnostic, Level, Rule};
use crate::model::config::ImpactScope;
use crate::model::document::{Document, did_you_mean};
use crate::model::vocab::{Affected, DocType, RiskLevel, Status, Treatment};

use super::Context;
use super::soa::{Ledger, State, soa_for};

pub static COPIED_SOA: Rule = Rule {
    code: "AIM060",
    name: "copied-soa-justification",
    default_level: Level::Warning,
    summary: "an ISO 42001 SoA justification repeats an ISO 27001 one",
    docs: "The trap auditors look for: the ISO 27001 SoA renamed into an ISO 42001 SoA. A \
justification that repeats, word for word or nearly, a justification of the ISO 27001 SoA says \
nothing about AI. Auditors raise a major nonconformity for it.\n\nFix: justify each ISO 42001 \
decision by the AI systems, roles and AI risks it concerns.",
};

pub static NOT_ABOUT_AI: Rule = Rule {
    code: "AIM061",
    name: "ai-control-without-ai-document",
    default_level: Level::Warning,
    summary: "an ISO 42001 control implemented only by documents that never concern AI",
    docs: "A document implements an ISO 42001 Annex A control credibly only if it concerns AI: it \
names an AI system (`[[AIS-001]]` or `references`), or its title or body speaks of AI, models or \
their data. An information-security document claimed as an AI control is flagged: that is \
re-labelling, not implementation.",
};

pub static AI_SYSTEM_INCOMPLETE: Rule = Rule {
    code: "AIM062",
    name: "ai-system-incomplete",
    default_level: Level::Error,
    summary: "an AI-system inventory entry without owner, purpose, roles, risk level or life-cycle stage",
    docs: "The AI-system inventory (ISO 42001 A.4.2, 4.3) needs, for every system: an owner, its \
purpose, the organisation's role(s) for it, its risk level and its life-cycle stage. These drive \
which controls apply and which impact assessments are due.",
};

pub static SCOPE_MISMATCH: Rule = Rule {
    code: "AIM063",
    name: "scope-ai-system-mismatch",
    default_level: Level::Error,
    summary: "the scope and the AI-system inventory disagree",
    docs: "Every AI system marked `in_scope: true` must be listed in `ai_systems` of the scope \
document, and every system listed there must be in scope. A scope statement that misses a system \
the inventory says is governed (or the reverse) is a finding on clause 4.3.",
};

pub static IMPACT_ASSESSMENT_MISSING: Rule = Rule {
    code: "AIM064",
    name: "impact-assessment-missing",
    default_level: Level::Error,
    summary: "an in-scope AI system lacks a current, approved impact assessment",
    docs: "ISO 42001 6.1.4, 8.4 and A.5.2-A.5.5 call for AI-system impact assessments. aimsc \
requires an approved `impact-assessment` document for each in-scope system with `risk_level: \
high` (or, with `require_impact_assessment = \"all-in-scope\"` in aimsc.toml, every in-scope \
system) that covers individuals or groups (A.5.4) and society (A.5.5), and whose review date \
(`next_review`, `review_every`, else 12 months after `assessed_on`) has not passed.",
};

pub static RISK_INCOMPLETE: Rule = Rule {
    code: "AIM065",
    name: "risk-incomplete",
    default_level: Level::Error,
    summary: "a risk that names no AI system, no treatment, or mitigates with no control",
    docs: "Each risk names the AI systems it concerns (or says `organisational: true`), a \
treatment, and for `mitigate` at least one control: the controls a risk selects are what \
justifies including them in the SoA.",
};

pub static RISK_CONTROL_NOT_APPLICABLE: Rule = Rule {
    code: "AIM066",
    name: "risk-control-not-applicable",
    default_level: Level::Error,
    summary: "a risk selects a control the SoA excludes or does not decide",
    docs: "A control chosen to treat a risk must be applicable in the SoA. If the SoA excludes it, \
the risk treatment plan and the SoA contradict each other (ISO 27001 and ISO 42001 6.1.3).",
};

pub static UNKNOWN_ANNEX_C: Rule = Rule {
    code: "AIM067",
    name: "unknown-annex-c-term",
    default_level: Level::Error,
    summary: "a risk's `objectives` or `risk_sources` tag is not in ISO 42001 Annex C",
    docs: "Risks may be tagged with the AI objectives (Annex C.2) and risk sources (Annex C.3) they \
concern. `aimsc catalog iso42001` lists the tags.",
};

pub static ROLE_EXCLUSION: Rule = Rule {
    code: "AIM068",
    name: "life-cycle-control-excluded-by-builder",
    default_level: Level::Error,
    summary: "a life-cycle control (A.6.x) is excluded although the organisation builds an in-scope AI system",
    docs: "The AI system life-cycle controls of ISO 42001 (A.6.1.x, A.6.2.x) apply to whoever \
designs and develops the system. An organisation that is provider, producer or developer of an \
in-scope system cannot exclude them. A deployer-only organisation may, with a justification.",
};

pub static ALL: &[&Rule] = &[
    &COPIED_SOA,
    &NOT_ABOUT_AI,
    &AI_SYSTEM_INCOMPLETE,
    &SCOPE_MISMATCH,
    &IMPACT_ASSESSMENT_MISSING,
    &RISK_INCOMPLETE,
    &RISK_CONTROL_NOT_APPLICABLE,
    &UNKNOWN_ANNEX_C,
    &ROLE_EXCLUSION,
];

pub fn check(cx: &Context, ledger: &Ledger, out: &mut Vec<Diagnostic>) {
    copied_soa(cx, out);
    not_about_ai(cx, ledger, out);
    inventory(cx, out);
    impact_assessments(cx, out);
    risks(cx, ledger, out);
    role_exclusions(cx, ledger, out);
}

/// Lower-case words, for comparing justifications.
fn words(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect()
}

fn similarity(a: &[String], b: &[String]) -> f64 {
    let sa: HashSet<&String> = a.iter().collect();
    let sb: HashSet<&String> = b.iter().collect();
    let common = sa.intersection(&sb).count() as f64;
    let union = sa.union(&sb).count() as f64;
    if union == 0.0 { 0.0 } else { common / union }
}

fn copied_soa(cx: &Context, out: &mut Vec<Diagnostic>) {
    let (Some(ai), Some(is)) = (soa_for(cx.project, "iso42001"), soa_for(cx.project, "iso27001")) else {
        return;
    };
    let (Some(ai_soa), Some(is_soa)) = (ai.soa(), is.soa()) else {
        return;
    };
    let isms: Vec<(&str, Vec<String>)> = is_soa
        .controls
        .iter()
        .filter_map(|e| {
            e.justification
                .as_ref()
                .map(|j| (e.control.value.as_str(), words(&j.value)))
        })
        .filter(|(_, w)| w.len() >= 4)
        .collect();
    for entry in &ai_soa.controls {
        let Some(j) = &entry.justification else { continue };
        let w = words(&j.value);
        if w.len() < 4 {
            continue;
        }
        let best = isms
            .iter()
            .map(|(id, iw)| (*id, similarity(&w, iw)))
            .max_by(|a, b| a.1.total_cmp(&b.1));
        if let Some((id, score)) = best.filter(|(_, s)| *s >= 0.8) {
            let how = if score >= 0.999 {
                "word for word"
            } else {
                "nearly word for word"
            };
            out.push(
                Diagnostic::new(
                    &COPIED_SOA,
                    format!(
                        "the justification for {} repeats the ISO 27001 SoA's for {id} {how}",
                        entry.control.value
                    ),
                )
                .at(ai.loc(&j.span))
                .note(format!("{} ({}) justifies {id} the same way", is.id.value, is.path()))
                .help("justify the ISO 42001 decision by the AI systems, AI roles and AI risks it concerns"),
            );
        }
    }
}

/// Whether a document concerns AI: names an AI system, or speaks of AI.
fn concerns_ai(cx: &Context, doc: &Document) -> bool {
    let is_system = |id: &str| cx.project.document(id).is_some_and(|d| d.doc_type == DocType::AiSystem);
    doc.doc_type == DocType::AiSystem
        || doc.references.iter().any(|r| is_system(&r.value))
        || doc
            .body
            .id_refs
            .iter()
            .any(|r| r.standard.is_none() && is_system(&r.id))
        || crate::model::body::mentions_ai(&doc.title)
        || doc.body.mentions_ai
}

fn not_about_ai(cx: &Context, ledger: &Ledger, out: &mut Vec<Diagnostic>) {
    let Some(sl) = ledger.standards.iter().find(|s| s.catalog.key == "iso42001") else {
        return;
    };
    for row in sl.controls().filter(|r| r.state == State::Covered) {
        if row.approved.iter().any(|d| concerns_ai(cx, d)) {
            continue;
        }
        for doc in &row.approved {
            let span = doc
                .satisfies
                .iter()
                .filter(|s| s.standard.value == "iso42001")
                .flat_map(|s| &s.ids)
                .find(|i| i.value == row.entry.id)
                .map_or(doc.id.span.clone(), |i| i.span.clone());
            out.push(
                Diagnostic::new(
                    &NOT_ABOUT_AI,
                    format!("{} implements ISO 42001 {} \"{}\" but never concerns AI", doc.id.value, row.entry.id, row.entry.title),
                )
                .at(doc.loc(&span))
                .label("no AI system named; no mention of AI, models or their data")
                .help("say how this document applies to your AI systems (name them with [[AIS-...]]), or implement the control in an AI document"),
            );
        }
    }
}

fn inventory(cx: &Context, out: &mut Vec<Diagnostic>) {
    let p = cx.project;
    let mut in_scope: Vec<&Document> = Vec::new();
    for doc in p.documents.iter().filter(|d| d.status != Status::Retired) {
        let Some(sys) = doc.ai_system() else { continue };
        let mut missing = Vec::new();
        if doc.owner.is_none() {
            missing.push("owner");
        }
        if sys.purpose.is_none() {
            missing.push("purpose");
        }
        if sys.roles.is_empty() {
            missing.push("roles");
        }
        if sys.risk_level.is_none() {
            missing.push("risk_level");
        }
        if sys.lifecycle_stage.is_none() {
            missing.push("lifecycle_stage");
        }
        if sys.in_scope.is_none() {
            missing.push("in_scope");
        }
        if !missing.is_empty() {
            let list: Vec<String> = missing.iter().map(|m| format!("`{m}`")).collect();
            out.push(
                Diagnostic::new(&AI_SYSTEM_INCOMPLETE, format!("AI system {} has no {}", doc.id.value, list.join(", ")))
                    .at(doc.id_loc())
                    .help("the inventory needs owner, purpose, roles, risk_level, lifecycle_stage and in_scope for every system"),
            );
        }
        if sys.in_scope.as_ref().is_some_and(|s| s.value) {
            in_scope.push(doc);
        }
    }
    let scopes: Vec<&Document> = p
        .documents
        .iter()
        .filter(|d| d.status != Status::Retired && d.scope().is_some())
        .collect();
    let Some(scope_doc) = scopes.first() else { return };
    let Some(scope) = scope_doc.scope() else { return };
    let listed: HashSet<&str> = scope.ai_systems.iter().map(|s| s.value.as_str()).collect();
    for sys in &in_scope {
        if !listed.contains(sys.id.value.as_str()) {
            out.push(
                Diagnostic::new(
                    &SCOPE_MISMATCH,
                    format!(
                        "AI system {} is in scope but the scope statement does not list it",
                        sys.id.value
                    ),
                )
                .at(sys.id_loc())
                .note(format!(
                    "scope statement: {} ({})",
                    scope_doc.id.value,
                    scope_doc.path()
                ))
                .help(format!(
                    "add {} to `ai_systems` of {}, or set `in_scope: false`",
                    sys.id.value, scope_doc.id.value
                )),
            );
        }
    }
    for entry in &scope.ai_systems {
        if let Some(sys) = p.document(&entry.value).and_then(|d| d.ai_system().map(|s| (d, s)))
            && sys.1.in_scope.as_ref().is_some_and(|s| !s.value)
        {
            out.push(
                Diagnostic::new(
                    &SCOPE_MISMATCH,
                    format!(
                        "the scope lists {} but its inventory entry says `in_scope: false`",
                        entry.value
                    ),
                )
                .at(scope_doc.loc(&entry.span))
                .help(format!(
                    "remove it from the scope, or set `in_scope: true` in {}",
                    sys.0.path()
                )),
            );
        }
    }
}

fn impact_assessments(cx: &Context, out: &mut Vec<Diagnostic>) {
    let p = cx.project;
    let mut by_system: HashMap<&str, Vec<&Document>> = HashMap::new();
    for doc in &p.documents {
        if let Some(sys) = doc.impact_assessment().and_then(|ia| ia.ai_system.as_ref()) {
            by_system.entry(sys.value.as_str()).or_default().push(doc);
        }
    }
    let all = p.config.require_impact_assessment == ImpactScope::AllInScope;
    for doc in p.documents.iter().filter(|d| d.status != Status::Retired) {
        let Some(sys) = doc.ai_system() else { continue };
        if !sys.in_scope.as_ref().is_some_and(|s| s.value) {
            continue;
        }
        let high = sys
            .risk_level
            .as_ref()
            .is_some_and(|r| matches!(r.value, RiskLevel::High | RiskLevel::Unacceptable));
        if !(high || all) {
            continue;
        }
        let assessments = by_system.get(doc.id.value.as_str()).map(Vec::as_slice).unwrap_or(&[]);
        let problem = match assessments.iter().find(|ia| ia.is_approved()) {
            None if assessments.is_empty() => Some("has no impact assessment".to_string()),
            None => Some(format!(
                "has no approved impact assessment ({} is {})",
                assessments[0].id.value, assessments[0].status
            )),
            Some(ia) => {
                let a = ia.impact_assessment().expect("filtered on impact assessments");
                let covers = |x: Affected| a.affects.iter().any(|f| f.value == x);
                let due = ia.review_due().or_else(|| {
                    a.assessed_on
                        .as_ref()
                        .and_then(|d| d.value.checked_add(jiff::Span::new().years(1)).ok())
                });
                let mut left_out = Vec::new();
                if !(covers(Affected::Individuals) || covers(Affected::Groups)) {
                    left_out.push("individuals or groups (A.5.4)");
                }
                if !covers(Affected::Society) {
                    left_out.push("society (A.5.5)");
                }
                if !left_out.is_empty() {
                    Some(format!(
                        "has an impact assessment ({}) whose `affects` leaves out {}",
                        ia.id.value,
                        left_out.join(" and ")
                    ))
                } else if a.assessed_on.is_none() {
                    Some(format!(
                        "has an impact assessment ({}) with no `assessed_on` date",
                        ia.id.value
                    ))
                } else if due.is_some_and(|d| d < cx.today) {
                    Some(format!(
                        "has an impact assessment ({}) past its review date {}",
                        ia.id.value,
                        due.map_or(String::new(), |d| d.to_string())
                    ))
                } else {
                    None
                }
            }
        };
        if let Some(problem) = problem {
            let why = if high {
                "a high-risk in-scope system"
            } else {
                "an in-scope system"
            };
            out.push(
                Diagnostic::new(&IMPACT_ASSESSMENT_MISSING, format!("AI system {} {problem}", doc.id.value))
                    .at(sys.risk_level.as_ref().map_or(doc.id_loc(), |r| doc.loc(&r.span)))
                    .note(format!("{} is {why}", doc.id.value))
                    .help(format!(
                        "add an approved `type: impact-assessment` document with `ai_system: {}`, `assessed_on` and `affects: [individuals, groups, society]`",
                        doc.id.value
                    )),
            );
        }
    }
}

fn risks(cx: &Context, ledger: &Ledger, out: &mut Vec<Diagnostic>) {
    let iso42001 = cx.catalogs.get("iso42001");
    let objectives: Vec<&str> = iso42001
        .map(|c| c.objectives.iter().map(|t| t.id.as_str()).collect())
        .unwrap_or_default();
    let sources: Vec<&str> = iso42001
        .map(|c| c.risk_sources.iter().map(|t| t.id.as_str()).collect())
        .unwrap_or_default();
    for doc in cx.project.documents.iter().filter(|d| d.status != Status::Retired) {
        let Some(risk) = doc.risk() else { continue };
        if risk.ai_systems.is_empty() && !risk.organisational {
            out.push(
                Diagnostic::new(&RISK_INCOMPLETE, format!("risk {} names no AI system", doc.id.value))
                    .at(doc.id_loc())
                    .help("add `ai_systems: [AIS-...]`, or `organisational: true` for a risk to the organisation as a whole"),
            );
        }
        match &risk.treatment {
            None => out.push(
                Diagnostic::new(&RISK_INCOMPLETE, format!("risk {} has no treatment", doc.id.value))
                    .at(doc.id_loc())
                    .help("add `treatment:` mitigate, accept, avoid or transfer"),
            ),
            Some(t) if t.value == Treatment::Mitigate && risk.controls.iter().all(|c| c.ids.is_empty()) => out.push(
                Diagnostic::new(
                    &RISK_INCOMPLETE,
                    format!("risk {} is mitigated but selects no control", doc.id.value),
                )
                .at(doc.loc(&t.span))
                .help("list the controls that treat it: `controls: {iso42001: [A.x.y], iso27001: [A.x.y]}`"),
            ),
            _ => {}
        }
        for list in &risk.controls {
            let Some(sl) = ledger.standards.iter().find(|s| s.catalog.key == list.standard.value) else {
                continue;
            };
            for id in &list.ids {
                let Some(row) = sl.row(&id.value) else { continue };
                let why = match row.state {
                    State::Excluded => "excludes",
                    State::Undecided if row.decision.is_none() => "has no decision on",
                    _ => continue,
                };
                if sl.soa.is_none() || !sl.soa.is_some_and(Document::is_approved) {
                    continue;
                }
                out.push(
                    Diagnostic::new(
                        &RISK_CONTROL_NOT_APPLICABLE,
                        format!(
                            "risk {} selects {} {}, which the SoA {why}",
                            doc.id.value, sl.catalog.short_name, id.value
                        ),
                    )
                    .at(doc.loc(&id.span))
                    .help("make the control applicable in the SoA, or choose another control for this risk"),
                );
            }
        }
        for (field, tags, known) in [
            ("objectives", &risk.objectives, &objectives),
            ("risk_sources", &risk.risk_sources, &sources),
        ] {
            for tag in tags {
                if !known.contains(&tag.value.as_str()) {
                    let help = match did_you_mean(&tag.value, known) {
                        Some(k) => format!("did you mean `{k}`? Known: {}", known.join(", ")),
                        None => format!("known {field}: {}", known.join(", ")),
                    };
                    out.push(
                        Diagnostic::new(
                            &UNKNOWN_ANNEX_C,
                            format!(
                                "`{}` is not an ISO 42001 Annex C {}",
                                tag.value,
                                if field == "objectives" {
                                    "objective"
                                } else {
                                    "risk source"
                                }
                            ),
                        )
                        .at(doc.loc(&tag.span))
                        .help(help),
                    );
                }
            }
        }
    }
}

fn role_exclusions(cx: &Context, ledger: &Ledger, out: &mut Vec<Diagnostic>) {
    let builder = cx.project.documents.iter().find(|d| {
        d.status != Status::Retired
            && d.ai_system().is_some_and(|s| {
                s.in_scope.as_ref().is_some_and(|i| i.value) && s.roles.iter().any(|r| r.value.builds())
            })
    });
    let Some(builder) = builder else { return };
    let Some(sl) = ledger.standards.iter().find(|s| s.catalog.key == "iso42001") else {
        return;
    };
    let (Some(soa_doc), true) = (sl.soa, sl.soa.is_some_and(Document::is_approved)) else {
        return;
    };
    for row in sl
        .controls()
        .filter(|r| r.entry.id.starts_with("A.6.") && r.state == State::Excluded)
    {
        let Some(dec) = row.decision else { continue };
        let roles: Vec<&str> = builder
            .ai_system()
            .map(|s| s.roles.iter().map(|r| r.value.as_str()).collect())
            .unwrap_or_default();
        out.push(
            Diagnostic::new(
                &ROLE_EXCLUSION,
                format!(
                    "{} \"{}\" is excluded, but the organisation builds an in-scope AI system",
                    row.entry.id, row.entry.title
                ),
            )
            .at(soa_doc.loc(&dec.control.span))
            .note(format!(
                "{} is in scope with roles: {}",
                builder.id.value,
                roles.join(", ")
            ))
            .help("life-cycle controls apply to providers, producers and developers; make it applicable"),
        );
    }
}
