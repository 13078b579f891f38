//! Document control: unique IDs, complete approvals, reviews on time, and a
//! configuration that names real rules and standards.

use std::collections::HashMap;

use crate::diagnostics::{Diagnostic, Level, Rule};
use crate::model::document::did_you_mean;
use crate::model::rules::INVALID_CONFIG;
use crate::model::vocab::{DocType, Status};

use super::Context;

pub static DUPLICATE_ID: Rule = Rule {
    code: "AIM013",
    name: "duplicate-id",
    default_level: Level::Error,
    summary: "two documents share an ID",
    docs: "IDs must be unique in the repository: references, the portal's pages and the \
traceability matrix all join on them. The second file with an ID is reported, with the first \
named in a note.",
};

pub static APPROVAL_INCOMPLETE: Rule = Rule {
    code: "AIM051",
    name: "approval-incomplete",
    default_level: Level::Error,
    summary: "an approved document without owner, approver or approval date",
    docs: "ISO 27001 and ISO 42001 7.5.2 expect documented information to be reviewed and approved. \
A document marked `approved` must say by whom (`approved_by`), when (`approved_on`, not in the \
future) and who owns it (`owner`). Without them the approval cannot be shown to an auditor.",
};

pub static REVIEW_OVERDUE: Rule = Rule {
    code: "AIM052",
    name: "review-overdue",
    default_level: Level::Warning,
    summary: "a document's review date has passed",
    docs: "The review date is `next_review`, or `approved_on` plus `review_every`. A passed date on \
an approved document means the document may no longer be suitable (clause 7.5.2 and the policy \
review controls A.5.1 of ISO 27001 and A.2.4 of ISO 42001).",
};

pub static REVIEW_NOT_SCHEDULED: Rule = Rule {
    code: "AIM053",
    name: "review-not-scheduled",
    default_level: Level::Info,
    summary: "an approved document has no review date",
    docs: "Approved documents should say when they are next reviewed: `next_review: 2027-06-30` or \
`review_every: 12 months`.",
};

pub static HISTORY_UNAVAILABLE: Rule = Rule {
    code: "AIM070",
    name: "history-unavailable",
    default_level: Level::Warning,
    summary: "the repository is a shallow clone, so document history cannot be shown",
    docs: "aimsc reads each document's revisions from Git (clause 7.5.3: control of changes). CI \
checkouts are often shallow (`actions/checkout` fetches one commit by default), which leaves the \
history incomplete. aimsc then shows no revision dates at all rather than wrong ones, and says \
so once.\n\nFix: fetch the full history: `fetch-depth: 0` in actions/checkout, `GIT_DEPTH: 0` in \
GitLab CI, or `git fetch --unshallow`.",
};

pub static EDITED_AFTER_APPROVAL: Rule = Rule {
    code: "AIM071",
    name: "edited-after-approval",
    default_level: Level::Warning,
    summary: "an approved document was changed in Git after its approval date without re-approval",
    docs: "A document marked `approved` whose content changed in a commit dated after `approved_on` \
is no longer the version that was approved. Commits that only touch the approval fields \
(`status`, `version`, `approved_by`, `approved_on`, `next_review`, `review_every`) and the commit \
that records a new approval date are not counted.\n\nFix: have the change approved and update \
`approved_on` (and `version`).",
};

pub static ALL: &[&Rule] = &[
    &DUPLICATE_ID,
    &APPROVAL_INCOMPLETE,
    &REVIEW_OVERDUE,
    &REVIEW_NOT_SCHEDULED,
    &HISTORY_UNAVAILABLE,
    &EDITED_AFTER_APPROVAL,
];

/// Approval metadata: a commit that changes only these does not change what was approved.
const APPROVAL_FIELDS: &[&str] = &[
    "status",
    "version",
    "approved_by",
    "approved_on",
    "next_review",
    "review_every",
];

/// The file without its top-level approval fields, and its `approved_on`, for comparing revisions.
fn without_approval(bytes: &[u8]) -> (String, Option<String>) {
    let text = String::from_utf8_lossy(bytes);
    let mut approved_on = None;
    let kept: Vec<&str> = text
        .lines()
        .filter(|l| {
            let key = l.split(':').next().unwrap_or("").trim_end();
            if key == "approved_on" {
                approved_on = Some(l.split_once(':').map_or("", |x| x.1).trim().to_string());
            }
            !APPROVAL_FIELDS.contains(&key)
        })
        .collect();
    (kept.join("\n"), approved_on)
}

/// A shallow clone, and approved documents edited after their approval.
pub fn check_history(cx: &Context, out: &mut Vec<Diagnostic>) {
    use crate::model::history::{self, History};
    let p = cx.project;
    match &p.history {
        History::Shallow => out.push(
            Diagnostic::new(
                &HISTORY_UNAVAILABLE,
                "this is a shallow Git clone: document history and change dates are not shown",
            )
            .help("fetch the full history: `fetch-depth: 0` in actions/checkout, or `git fetch --unshallow`"),
        ),
        History::NotGit => {}
        History::Available(_) => {
            // Every revision dated after its document's approval, read from Git in one batch.
            let mut candidates: Vec<(&crate::model::Document, &history::Revision)> = Vec::new();
            for doc in p.documents.iter().filter(|d| d.is_approved()) {
                let Some(approved) = &doc.approved_on else { continue };
                let revisions = p.history.of(doc.path()).unwrap_or(&[]);
                candidates.extend(
                    revisions
                        .iter()
                        .filter(|r| r.day().is_some_and(|d| d > approved.value))
                        .map(|r| (doc, r)),
                );
            }
            let revs: Vec<&history::Revision> = candidates.iter().map(|(_, r)| *r).collect();
            let contents = history::contents_around(&p.root, &revs);
            let mut reported: Vec<&str> = Vec::new();
            for ((doc, rev), (after, before)) in candidates.iter().zip(contents) {
                if reported.contains(&doc.id.value.as_str()) {
                    continue;
                }
                let (Some(after), Some(approved)) = (after, &doc.approved_on) else {
                    continue;
                };
                let (after_text, after_date) = without_approval(&after);
                let (before_text, before_date) = before.as_deref().map(without_approval).unwrap_or_default();
                // The commit that records a new approval date is the approval, not an edit after it.
                if after_date != before_date || after_text == before_text {
                    continue;
                }
                let short = &rev.commit[..rev.commit.len().min(10)];
                let day = rev.date.get(..10).unwrap_or(&rev.date);
                out.push(
                    Diagnostic::new(
                        &EDITED_AFTER_APPROVAL,
                        format!(
                            "{} was edited after its approval on {} without re-approval",
                            doc.id.value, approved.value
                        ),
                    )
                    .at(doc.loc(&approved.span))
                    .note(format!(
                        "changed in {short} on {day} by {}: {}",
                        rev.author, rev.subject
                    ))
                    .help("have the change approved, then update `approved_on` (and `version`)"),
                );
                reported.push(&doc.id.value);
            }
        }
    }
}

/// Unknown rule names and standards in `aimsc.toml`.
pub fn check_config(cx: &Context, out: &mut Vec<Diagnostic>) {
    let p = cx.project;
    let Some(file) = &p.config_file else { return };
    let find_span = |needle: &str| {
        let start = file.text.find(needle).unwrap_or(0);
        start..start + needle.len()
    };
    let names: Vec<&str> = super::registry().iter().map(|r| r.name).collect();
    for key in p.config.rules.keys() {
        if super::find(key).is_none() {
            let help = match did_you_mean(key, &names) {
                Some(n) => format!("did you mean `{n}`? `aimsc explain` lists the rules"),
                None => "`aimsc explain` lists the rules by code and name".to_string(),
            };
            out.push(
                Diagnostic::new(&INVALID_CONFIG, format!("unknown rule `{key}` in [rules]"))
                    .at(file.location(find_span(key)))
                    .help(help),
            );
        }
    }
    let keys = cx.catalogs.keys();
    for s in &p.config.standards {
        if cx.catalogs.get(s).is_none() {
            let help = match did_you_mean(s, &keys) {
                Some(k) => format!("did you mean `{k}`?"),
                None => format!("known standards: {}", keys.join(", ")),
            };
            out.push(
                Diagnostic::new(&INVALID_CONFIG, format!("unknown standard `{s}` in `standards`"))
                    .at(file.location(find_span(&format!("\"{s}\""))))
                    .help(help),
            );
        }
    }
}

pub fn check_duplicates(cx: &Context, out: &mut Vec<Diagnostic>) {
    let mut first: HashMap<&str, &crate::model::Document> = HashMap::new();
    for doc in &cx.project.documents {
        match first.get(doc.id.value.as_str()) {
            Some(f) => out.push(
                Diagnostic::new(
                    &DUPLICATE_ID,
                    format!("the ID `{}` is already used by {}", doc.id.value, f.path()),
                )
                .at(doc.id_loc())
                .label("duplicate ID")
                .note(format!("first used for \"{}\" ({})", f.title, f.path()))
                .help("give this document its own ID; references to it resolve to the first one"),
            ),
            None => {
                first.insert(&doc.id.value, doc);
            }
        }
    }
}

pub fn check_approval(cx: &Context, out: &mut Vec<Diagnostic>) {
    for doc in &cx.project.documents {
        if !doc.is_approved() {
            continue;
        }
        let at = doc.loc(doc.status_span.as_ref().unwrap_or(&doc.id.span));
        let mut missing = Vec::new();
        if doc.owner.is_none() {
            missing.push("owner");
        }
        if doc.approved_by.is_none() {
            missing.push("approved_by");
        }
        if doc.approved_on.is_none() {
            missing.push("approved_on");
        }
        if !missing.is_empty() {
            let list: Vec<String> = missing.iter().map(|m| format!("`{m}`")).collect();
            out.push(
                Diagnostic::new(&APPROVAL_INCOMPLETE, format!("{} is approved but has no {}", doc.id.value, list.join(", ")))
                    .at(at.clone())
                    .help("record who owns it, who approved it and when, e.g. `approved_by: CISO` and `approved_on: 2026-04-30`"),
            );
        }
        if let Some(on) = doc.approved_on.as_ref().filter(|d| d.value > cx.today) {
            out.push(
                Diagnostic::new(
                    &APPROVAL_INCOMPLETE,
                    format!("`approved_on` {} is in the future", on.value),
                )
                .at(doc.loc(&on.span))
                .help("an approval is recorded after it happens; set the date it was approved"),
            );
        }
        // Records evidence a moment in time; they are not reviewed.
        match doc.review_due() {
            Some(due) if due < cx.today => {
                let span = doc
                    .next_review
                    .as_ref()
                    .map(|n| n.span.clone())
                    .or(doc.review_every.as_ref().map(|r| r.span.clone()))
                    .unwrap_or(doc.id.span.clone());
                let ago = cx.today.since((jiff::Unit::Day, due)).map_or(0, |s| s.get_days());
                out.push(
                    Diagnostic::new(
                        &REVIEW_OVERDUE,
                        format!(
                            "{} was due for review on {due} ({} ago)",
                            doc.id.value,
                            crate::diagnostics::plural(ago as usize, "day")
                        ),
                    )
                    .at(doc.loc(&span))
                    .help("review the document, then record the new approval and next review date"),
                );
            }
            Some(_) => {}
            None if doc.doc_type != DocType::Record && doc.status == Status::Approved => out.push(
                Diagnostic::new(&REVIEW_NOT_SCHEDULED, format!("{} has no review date", doc.id.value))
                    .at(at)
                    .help("add `next_review: YYYY-MM-DD` or `review_every: 12 months`"),
            ),
            None => {}
        }
    }
}
