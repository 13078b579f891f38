//! Analyses built on the checked repository: the coverage figures of each
//! standard. Every figure is derived from the rules' [`Ledger`], so the
//! numbers and the findings can never disagree.

pub mod diff;
pub mod gaps;
pub mod report;

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
    /// The built-in ISO 42001 → ISO 27001 crosswalk with the repository's additions.
    pub crosswalk: crate::catalog::crosswalk::Crosswalk,
    pub diagnostics: Vec<Diagnostic>,
    coverage: Vec<Coverage>,
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
        let (project, mut diagnostics) = crate::model::load_input(input)?;
        let (catalogs, crosswalk) = extensions(&project, &mut diagnostics);
        let cx = Context {
            project: &project,
            catalogs: &catalogs,
            today,
        };
        // One ledger for the checks and the figures, so they cannot disagree.
        let ledger = Ledger::build(&cx);
        diagnostics.extend(rules::check(&cx, &ledger));
        let coverage = ledger.standards.iter().map(Coverage::of).collect();
        drop(ledger);
        let diagnostics = rules::finish(&project, diagnostics);
        Ok(Compilation {
            project,
            catalogs,
            crosswalk,
            diagnostics,
            coverage,
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

    /// Coverage of each enabled standard, from the ledger the checks used.
    pub fn coverage(&self) -> Vec<Coverage> {
        self.coverage.clone()
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

/// The built-in catalogs and crosswalk plus the repository's own files; a
/// broken file becomes a finding and is left out.
fn extensions(
    project: &Project,
    diagnostics: &mut Vec<Diagnostic>,
) -> (Catalogs, crate::catalog::crosswalk::Crosswalk) {
    use crate::catalog::crosswalk::Crosswalk;
    use crate::model::rules::INVALID_EXTENSION;
    let mut catalogs = Catalogs::builtin();
    for file in &project.catalog_files {
        if let Err(e) = catalogs.add(&file.text) {
            diagnostics.push(
                Diagnostic::new(&INVALID_EXTENSION, format!("invalid catalog file: {e}"))
                    .at(error_location(file, &e))
                    .help("a catalog has `key`, `name`, `short_name` and `entries` of `{id, kind, parent, title}`; see docs/catalogs.md"),
            );
        }
    }
    let mut crosswalk = Crosswalk::builtin();
    for file in &project.crosswalk_files {
        let result = Crosswalk::from_yaml(&file.text).and_then(|cw| {
            let mut merged = crosswalk.clone();
            merged.apply(cw)?;
            let problems = merged.validate(&catalogs);
            if problems.is_empty() {
                Ok(merged)
            } else {
                Err(problems.join("; "))
            }
        });
        match result {
            Ok(merged) => crosswalk = merged,
            Err(e) => diagnostics.push(
                Diagnostic::new(&INVALID_EXTENSION, format!("invalid crosswalk file: {e}"))
                    .at(error_location(file, &e))
                    .help("a crosswalk has `from: iso42001`, `to: iso27001` and `clauses`/`controls` entries of `{id, maps, rationale}`; see docs/catalogs.md"),
            ),
        }
    }
    (catalogs, crosswalk)
}

/// Where a YAML parser's "... at line L, column C" message points, else the file.
fn error_location(file: &crate::diagnostics::SourceFile, message: &str) -> crate::diagnostics::Location {
    let parsed = message.rsplit_once("at line ").and_then(|(_, rest)| {
        let (line, col) = rest.split_once(", column ")?;
        let col: String = col.chars().take_while(char::is_ascii_digit).collect();
        Some((line.trim().parse::<usize>().ok()?, col.parse::<usize>().ok()?))
    });
    match parsed {
        Some((line, col)) => {
            let start = file.line_location(line);
            let offset = file.text[start.start..]
                .char_indices()
                .nth(col.saturating_sub(1))
                .map_or(0, |(i, _)| i);
            file.location(start.start + offset..start.start + offset)
        }
        None => file.file_location(),
    }
}
