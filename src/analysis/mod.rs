//! Analyses built on the checked repository: the coverage figures of each
//! standard. Every figure is derived from the rules' [`Ledger`], so the
//! numbers and the findings can never disagree.

pub mod diff;
pub mod gaps;

use serde::Serialize;

use crate::catalog::Catalogs;
use crate::diagnostics::Diagnostic;
use crate::model::Project;
use crate::model::vocab::ImplStatus;
use crate::rules::{self, Context, Ledger, State};

/// A repository after loading and checking.
pub struct Compilation {
    pub project: Project,
    pub catalogs: Catalogs,
    pub diagnostics: Vec<Diagnostic>,
    pub today: jiff::civil::Date,
}

impl Compilation {
    /// Loads and checks the repository at `root`.
    pub fn run(root: &std::path::Path, today: jiff::civil::Date) -> Result<Compilation, crate::model::ToolError> {
        Compilation::run_input(&crate::model::Input::Folder(root), today)
    }

    /// Loads and checks a repository from a folder or a Git revision.
    pub fn run_input(
        input: &crate::model::Input,
        today: jiff::civil::Date,
    ) -> Result<Compilation, crate::model::ToolError> {
        let catalogs = Catalogs::builtin();
        let (project, mut diagnostics) = crate::model::load_input(input)?;
        let cx = Context {
            project: &project,
            catalogs: &catalogs,
            today,
        };
        diagnostics.extend(rules::check(&cx));
        let diagnostics = rules::finish(&project, diagnostics);
        Ok(Compilation {
            project,
            catalogs,
            diagnostics,
            today,
        })
    }

    pub fn context(&self) -> Context<'_> {
        Context {
            project: &self.project,
            catalogs: &self.catalogs,
            today: self.today,
        }
    }

    pub fn coverage(&self) -> Vec<Coverage> {
        let cx = self.context();
        let ledger = Ledger::build(&cx);
        ledger.standards.iter().map(Coverage::of).collect()
    }
}

/// Coverage figures of one standard.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct Coverage {
    pub standard: String,
    pub name: String,
    /// Whether an SoA exists and is approved (its decisions count only then).
    pub soa: Option<String>,
    pub soa_approved: bool,
    pub clauses: usize,
    pub clauses_addressed: usize,
    pub controls: usize,
    pub controls_undecided: usize,
    pub controls_excluded: usize,
    pub controls_applicable: usize,
    /// Applicable and implemented by an approved document.
    pub controls_implemented: usize,
    /// Applicable with no approved document.
    pub controls_gap: usize,
    /// SoA statuses of applicable controls, as declared.
    pub declared_implemented: usize,
    pub declared_partial: usize,
    pub declared_planned: usize,
    pub declared_not_implemented: usize,
}

impl Coverage {
    pub fn of(sl: &rules::StandardLedger) -> Coverage {
        let count = |f: &dyn Fn(&rules::Row) -> bool| sl.rows.iter().filter(|r| f(r)).count();
        let is_control = |r: &rules::Row| r.entry.kind == crate::catalog::Kind::Control;
        let applicable = |r: &rules::Row| is_control(r) && matches!(r.state, State::Covered | State::Gap);
        let declared = |s: ImplStatus| count(&|r| applicable(r) && r.soa_status() == Some(s));
        Coverage {
            standard: sl.catalog.key.clone(),
            name: sl.catalog.name.clone(),
            soa: sl.soa.map(|d| d.id.value.clone()),
            soa_approved: sl.soa.is_some_and(|d| d.is_approved()),
            clauses: count(&|r| !is_control(r)),
            clauses_addressed: count(&|r| !is_control(r) && r.state == State::Covered),
            controls: count(&is_control),
            controls_undecided: count(&|r| is_control(r) && r.state == State::Undecided),
            controls_excluded: count(&|r| is_control(r) && r.state == State::Excluded),
            controls_applicable: count(&applicable),
            controls_implemented: count(&|r| is_control(r) && r.state == State::Covered),
            controls_gap: count(&|r| is_control(r) && r.state == State::Gap),
            declared_implemented: declared(ImplStatus::Implemented),
            declared_partial: declared(ImplStatus::Partial),
            declared_planned: declared(ImplStatus::Planned),
            declared_not_implemented: declared(ImplStatus::NotImplemented),
        }
    }

    /// One line for the human summary.
    pub fn line(&self) -> String {
        let soa = match (&self.soa, self.soa_approved) {
            (None, _) => ", no SoA".to_string(),
            (Some(_), false) => ", SoA not approved".to_string(),
            _ => String::new(),
        };
        format!(
            "{}: clauses {}/{} addressed; Annex A {}/{} applicable controls implemented, {} excluded, {} undecided{soa}",
            self.name,
            self.clauses_addressed,
            self.clauses,
            self.controls_implemented,
            self.controls_applicable,
            self.controls_excluded,
            self.controls_undecided,
        )
    }
}
