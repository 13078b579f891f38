//! Checks across the loaded repository, and the registry of every rule
//! aimsc reports (the loader's and these), from which `explain`, SARIF and
//! the rule docs are made.

mod control;
pub mod governance;
mod references;
pub mod requirements;
mod soa;

use std::collections::HashSet;

use jiff::civil::Date;

use crate::catalog::Catalogs;
use crate::diagnostics::{Diagnostic, Level, Rule};
use crate::model::{self, Project};

pub use control::{APPROVAL_INCOMPLETE, DUPLICATE_ID, REVIEW_NOT_SCHEDULED, REVIEW_OVERDUE};
pub use references::{BROKEN_ANCHOR, BROKEN_LINK, DANGLING_REFERENCE};
pub use requirements::{REQUIREMENT_GROUP, STANDARD_NOT_ENABLED, UNKNOWN_REQUIREMENT, UNKNOWN_STANDARD};
pub use soa::{Ledger, Row, StandardLedger, State, soa_for};

/// Every rule, in code order.
pub fn registry() -> Vec<&'static Rule> {
    let mut all: Vec<&'static Rule> = model::rules::ALL.to_vec();
    all.extend_from_slice(requirements::ALL);
    all.extend_from_slice(references::ALL);
    all.extend_from_slice(soa::ALL);
    all.extend_from_slice(control::ALL);
    all.extend_from_slice(governance::ALL);
    all.sort_by_key(|r| r.code);
    all
}

/// Finds a rule by code (`AIM021`, any case) or name (`unknown-requirement`).
pub fn find(key: &str) -> Option<&'static Rule> {
    registry()
        .into_iter()
        .find(|r| r.code.eq_ignore_ascii_case(key) || r.name == key)
}

/// What the checks need besides the project.
pub struct Context<'a> {
    pub project: &'a Project,
    pub catalogs: &'a Catalogs,
    pub today: Date,
}

impl Context<'_> {
    /// Catalogs of the standards enabled in `aimsc.toml` that aimsc knows.
    pub fn enabled(&self) -> impl Iterator<Item = &crate::catalog::Catalog> {
        self.catalogs
            .list
            .iter()
            .filter(|c| self.project.config.standards.contains(&c.key))
    }

    pub fn is_enabled(&self, key: &str) -> bool {
        self.project.config.standards.iter().any(|s| s == key)
    }
}

/// Runs every check against a ledger built once by the caller. The result is
/// not yet filtered by configured levels.
pub fn check(cx: &Context, ledger: &Ledger) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    control::check_config(cx, &mut out);
    control::check_duplicates(cx, &mut out);
    control::check_approval(cx, &mut out);
    control::check_history(cx, &mut out);
    requirements::check_claims(cx, &mut out);
    references::check_references(cx, &mut out);
    references::check_links(cx, &mut out);
    soa::check_soas(cx, &mut out);
    soa::check_coverage(ledger, &mut out);
    governance::check(cx, ledger, &mut out);
    out
}

/// Applies `[rules]` levels from `aimsc.toml` and sorts for output.
pub fn finish(project: &Project, mut diags: Vec<Diagnostic>) -> Vec<Diagnostic> {
    let levels: Vec<(&'static Rule, Level)> = project
        .config
        .rules
        .iter()
        .filter_map(|(k, l)| find(k).map(|r| (r, *l)))
        .collect();
    diags.retain_mut(|d| match levels.iter().find(|(r, _)| std::ptr::eq(*r, d.rule)) {
        Some((_, level)) => match level.severity() {
            Some(s) => {
                d.severity = s;
                true
            }
            None => false,
        },
        None => true,
    });
    // Stable: equal positions keep the order the checks emitted them in.
    diags.sort_by_cached_key(|d| d.sort_key());
    let mut seen = HashSet::new();
    diags.retain(|d| seen.insert((d.sort_key(), d.rule.code, d.message.clone())));
    diags
}
