//! The command line: parses arguments, runs a stage, renders its result and
//! returns the exit code (0 clean, 1 findings, 2 usage or tool failure).

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};
use serde::Serialize;

use crate::analysis::{Compilation, Coverage};
use crate::catalog::{Catalog, Catalogs, Kind};
use crate::diagnostics::render::{self, Sources};
use crate::diagnostics::{Counts, Diagnostic, Severity};
use crate::rules;

#[derive(Parser)]
#[command(
    name = "aimsc",
    version,
    about = "Compliance compiler for ISO/IEC 27001 and ISO/IEC 42001 documentation repositories"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Check a repository and report every problem.
    Check(CheckArgs),
    /// Print the built-in catalog of a standard (clauses and Annex A controls).
    Catalog(CatalogArgs),
    /// Explain a rule, or list all rules.
    Explain(ExplainArgs),
    /// Compliance impact between two Git revisions (HEAD defaults to the working tree).
    Diff(DiffArgs),
    /// ISO 27001 to ISO 42001 gap analysis: covered, reuse or new, per clause and control.
    Gaps(GapsArgs),
    /// Print the JSON Schema of document front matter, for editors.
    Schema(SchemaArgs),
    /// Create a repository to start from: configuration, scope, SoAs and draft policies.
    Init(InitArgs),
    /// Build the static compliance portal (HTML, SoA downloads, aimsc.json).
    Build(BuildArgs),
    /// Serve the portal from memory, rebuilding and reloading on every change.
    Serve(ServeArgs),
}

#[derive(clap::Args)]
struct CheckArgs {
    /// Repository root.
    #[arg(default_value = ".")]
    repo: PathBuf,
    #[arg(long, value_enum, default_value_t = Format::Human)]
    format: Format,
    /// Treat warnings as failures too (`--deny warnings`).
    #[arg(long, value_enum)]
    deny: Option<Deny>,
    #[command(flatten)]
    common: Common,
}

#[derive(clap::Args)]
struct Common {
    /// The date reviews are judged against (YYYY-MM-DD); default: today.
    #[arg(long, value_parser = parse_date)]
    today: Option<jiff::civil::Date>,
    /// When to colour human output.
    #[arg(long, value_enum, default_value_t = Color::Auto)]
    color: Color,
}

#[derive(clap::Args)]
struct CatalogArgs {
    /// Standard key (iso27001, iso42001), or `crosswalk` for the built-in ISO 42001 to ISO 27001
    /// mapping of clauses and Annex A controls; all standards when omitted.
    standard: Option<String>,
    #[arg(long, value_enum, default_value_t = ListFormat::Human)]
    format: ListFormat,
}

#[derive(clap::Args)]
struct InitArgs {
    /// Folder to create (or fill, when empty).
    #[arg(default_value = ".")]
    dir: PathBuf,
    /// Organisation name for aimsc.toml and the README.
    #[arg(long, default_value = "Our organisation")]
    org: String,
    /// Write into a folder that is not empty.
    #[arg(long)]
    force: bool,
}

#[derive(clap::Args)]
struct SchemaArgs {
    /// One document type (policy, soa, ai-system ...); all types when omitted.
    #[arg(long = "type")]
    doc_type: Option<String>,
}

#[derive(clap::Args)]
struct GapsArgs {
    /// Repository root.
    #[arg(default_value = ".")]
    repo: PathBuf,
    #[arg(long, value_enum, default_value_t = DiffFormat::Human)]
    format: DiffFormat,
    #[command(flatten)]
    common: Common,
}

#[derive(clap::Args)]
struct DiffArgs {
    /// The revision to compare from (a branch, tag or commit).
    base: String,
    /// The revision to compare to; the working tree when omitted. A folder here is taken as REPO.
    head: Option<String>,
    /// Repository root (a folder inside a Git work tree).
    repo: Option<PathBuf>,
    #[arg(long, value_enum, default_value_t = DiffFormat::Human)]
    format: DiffFormat,
    /// Exit 1 when the change loses coverage of any clause or control.
    #[arg(long, value_enum)]
    fail_on: Option<FailOn>,
    #[command(flatten)]
    common: Common,
}

#[derive(Clone, Copy, ValueEnum)]
enum DiffFormat {
    Human,
    Markdown,
    Json,
}

#[derive(Clone, Copy, ValueEnum)]
enum FailOn {
    CoverageLoss,
}

#[derive(clap::Args)]
struct ExplainArgs {
    /// Rule code (AIM021) or name (unknown-requirement); all rules when omitted.
    rule: Option<String>,
    #[arg(long, value_enum, default_value_t = ListFormat::Human)]
    format: ListFormat,
}

#[derive(Clone, Copy, ValueEnum, PartialEq)]
enum Format {
    /// rustc-style text with source snippets.
    Human,
    /// `{"diagnostics": [...], "summary": {...}}`.
    Json,
    /// SARIF 2.1.0, for GitHub code scanning and other SARIF viewers.
    Sarif,
    /// GitHub Actions workflow commands, plus a job summary when GITHUB_STEP_SUMMARY is set.
    Github,
    /// JUnit XML: one test case per rule and file.
    Junit,
}

#[derive(Clone, Copy, ValueEnum)]
enum ListFormat {
    Human,
    Json,
}

#[derive(Clone, Copy, ValueEnum)]
enum Deny {
    Warnings,
}

#[derive(Clone, Copy, ValueEnum)]
enum Color {
    Auto,
    Always,
    Never,
}

fn parse_date(s: &str) -> Result<jiff::civil::Date, String> {
    s.parse().map_err(|e| format!("expected YYYY-MM-DD: {e}"))
}

/// Runs the CLI with the process arguments.
pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() {
                ExitCode::from(2)
            } else {
                ExitCode::SUCCESS
            };
        }
    };
    let result = match cli.command {
        Command::Check(args) => check(args),
        Command::Catalog(args) => catalog(args),
        Command::Explain(args) => explain(args),
        Command::Diff(args) => diff(args),
        Command::Gaps(args) => gaps(args),
        Command::Schema(args) => schema(args),
        Command::Init(args) => init(args),
        Command::Build(args) => build(args),
        Command::Serve(args) => serve(args),
    };
    match result {
        Ok(code) => code,
        // A closed pipe (`aimsc catalog | head`) is the reader's choice, not a failure.
        Err(e) if is_broken_pipe(e.as_ref()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(2)
        }
    }
}

type CliResult = Result<ExitCode, Box<dyn std::error::Error>>;

fn today(common: &Common) -> jiff::civil::Date {
    common.today.unwrap_or_else(|| jiff::ZonedDateTime::now().date())
}

fn use_color(color: Color) -> bool {
    match color {
        Color::Always => true,
        Color::Never => false,
        Color::Auto => std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none(),
    }
}

/// Writes a compilation's findings and coverage in one of the output formats.
fn write_report(c: &Compilation, format: Format, color: bool, out: &mut impl Write) -> std::io::Result<()> {
    let counts = Counts::of(&c.diagnostics);
    let coverage = c.coverage();
    match format {
        Format::Human => {
            let text = render::human(&c.diagnostics, &c.project.sources, color);
            write!(out, "{text}")?;
            for cov in &coverage {
                writeln!(out, "{}", cov.line())?;
            }
            writeln!(out, "{}", render::human_summary(counts, c.project.documents.len()))?;
        }
        Format::Json => {
            let report = JsonReport::new(
                &c.diagnostics,
                &c.project.sources,
                counts,
                c.project.documents.len(),
                &coverage,
            );
            serde_json::to_writer_pretty(&mut *out, &report)?;
            writeln!(out)?;
        }
        Format::Sarif => {
            let version = env!("CARGO_PKG_VERSION");
            write!(
                out,
                "{}",
                render::sarif::render(&c.diagnostics, &c.project.sources, &rules::registry(), version)
            )?;
        }
        Format::Github => {
            write!(out, "{}", render::github::render(&c.diagnostics, &c.project.sources))?;
            if let Some(path) = std::env::var_os("GITHUB_STEP_SUMMARY").filter(|p| !p.is_empty()) {
                let lines: Vec<String> = coverage.iter().map(Coverage::line).collect();
                let md = render::github::summary_markdown(&c.diagnostics, counts, &lines);
                std::fs::OpenOptions::new()
                    .create(true)
                    .append(true)
                    .open(path)?
                    .write_all(md.as_bytes())?;
            }
        }
        Format::Junit => {
            let files: Vec<String> = c.project.documents.iter().map(|d| d.path().to_string()).collect();
            write!(
                out,
                "{}",
                render::junit::render(&c.diagnostics, &rules::registry(), &files)
            )?;
        }
    }
    Ok(())
}

fn check(args: CheckArgs) -> CliResult {
    let c = Compilation::run(&args.repo, today(&args.common))?;
    write_report(
        &c,
        args.format,
        use_color(args.common.color),
        &mut std::io::stdout().lock(),
    )?;
    Ok(exit_for(&c.diagnostics, args.deny.is_some()))
}

fn exit_for(diags: &[Diagnostic], deny_warnings: bool) -> ExitCode {
    let fails = diags
        .iter()
        .any(|d| d.severity == Severity::Error || (deny_warnings && d.severity == Severity::Warning));
    if fails { ExitCode::from(1) } else { ExitCode::SUCCESS }
}

#[derive(Serialize)]
struct JsonReport<'a> {
    diagnostics: Vec<render::JsonDiagnostic<'a>>,
    summary: JsonSummary<'a>,
}

#[derive(Serialize)]
struct JsonSummary<'a> {
    documents: usize,
    errors: usize,
    warnings: usize,
    infos: usize,
    coverage: &'a [Coverage],
}

impl<'a> JsonReport<'a> {
    fn new(
        diags: &'a [Diagnostic],
        sources: &Sources,
        counts: Counts,
        documents: usize,
        coverage: &'a [Coverage],
    ) -> Self {
        JsonReport {
            diagnostics: render::json_diagnostics(diags, sources),
            summary: JsonSummary {
                documents,
                errors: counts.errors,
                warnings: counts.warnings,
                infos: counts.infos,
                coverage,
            },
        }
    }
}

#[derive(Serialize)]
struct CatalogItem<'a> {
    standard: &'a str,
    id: &'a str,
    title: &'a str,
    kind: &'static str,
    parent: Option<&'a str>,
}

fn catalog_items(c: &Catalog) -> Vec<CatalogItem<'_>> {
    let mut items: Vec<CatalogItem> = c
        .entries
        .iter()
        .map(|e| CatalogItem {
            standard: &c.key,
            id: &e.id,
            title: &e.title,
            kind: match e.kind {
                Kind::Clause => "clause",
                Kind::Group => "group",
                Kind::Control => "control",
            },
            parent: e.parent.as_deref(),
        })
        .collect();
    items.extend(c.objectives.iter().map(|t| CatalogItem {
        standard: &c.key,
        id: &t.id,
        title: &t.title,
        kind: "objective",
        parent: None,
    }));
    items.extend(c.risk_sources.iter().map(|t| CatalogItem {
        standard: &c.key,
        id: &t.id,
        title: &t.title,
        kind: "risk-source",
        parent: None,
    }));
    items
}

fn catalog(args: CatalogArgs) -> CliResult {
    let catalogs = Catalogs::builtin();
    let mut out = std::io::stdout().lock();
    if args.standard.as_deref() == Some("crosswalk") {
        let cw = crate::catalog::crosswalk::Crosswalk::builtin();
        let rows = cw.rows(&catalogs);
        match args.format {
            ListFormat::Json => {
                serde_json::to_writer_pretty(&mut out, &rows)?;
                writeln!(out)?;
            }
            ListFormat::Human => {
                use crate::catalog::crosswalk::Relation;
                let name = |key: &str| catalogs.get(key).map_or(key.to_string(), |c| c.name.clone());
                writeln!(
                    out,
                    "{} to {} crosswalk: {} lowest-level clauses, {} Annex A controls",
                    name(&cw.from),
                    name(&cw.to),
                    cw.clauses.len(),
                    cw.controls.len()
                )?;
                let counts: Vec<String> = Relation::ALL
                    .iter()
                    .map(|&r| format!("{} {}", cw.count(r), r.as_str()))
                    .collect();
                writeln!(
                    out,
                    "Mappings: {}; {} with none (no counterpart, new AI work)",
                    counts.join(", "),
                    cw.count_none()
                )?;
                let from = catalogs.get(&cw.from);
                let mut group = None;
                for row in &rows {
                    let heading = match row.kind {
                        "clause" => "Clauses (harmonized structure: same number, different subject)".to_string(),
                        _ => match from.and_then(|c| c.top_group(row.id)) {
                            Some(g) => format!("{} {}", g.id, g.title),
                            None => "Annex A".to_string(),
                        },
                    };
                    if group.as_ref() != Some(&heading) {
                        writeln!(out, "\n{heading}")?;
                        group = Some(heading);
                    }
                    if row.maps.is_empty() {
                        writeln!(out, "  {:<8} {:<11} (new AI work) — {}", row.id, "none", row.rationale)?;
                        continue;
                    }
                    let mut first = true;
                    for r in Relation::ALL {
                        let targets: Vec<&str> = row.maps.iter().filter(|m| m.relation == r).map(|m| m.to).collect();
                        if targets.is_empty() {
                            continue;
                        }
                        let id = if first { row.id } else { "" };
                        write!(out, "  {id:<8} {:<11} {}", r.as_str(), targets.join(", "))?;
                        if first {
                            write!(out, " — {}", row.rationale)?;
                        }
                        writeln!(out)?;
                        first = false;
                    }
                }
            }
        }
        return Ok(ExitCode::SUCCESS);
    }
    let selected: Vec<&Catalog> = match &args.standard {
        Some(key) => match catalogs.get(key) {
            Some(c) => vec![c],
            None => {
                return Err(format!(
                    "unknown standard `{key}`; known: {}, crosswalk",
                    catalogs.keys().join(", ")
                )
                .into());
            }
        },
        None => catalogs.list.iter().collect(),
    };
    match args.format {
        ListFormat::Json => {
            let items: Vec<CatalogItem> = selected.iter().flat_map(|c| catalog_items(c)).collect();
            serde_json::to_writer_pretty(&mut out, &items)?;
            writeln!(out)?;
        }
        ListFormat::Human => {
            for c in selected {
                let controls = c.controls().count();
                let clauses = c.leaf_clauses().count();
                writeln!(
                    out,
                    "{} ({}): {clauses} lowest-level clauses, {controls} Annex A controls",
                    c.name, c.key
                )?;
                for e in &c.entries {
                    let depth = depth(c, &e.id);
                    let kind = match e.kind {
                        Kind::Clause => "",
                        Kind::Group => "  [group]",
                        Kind::Control => "",
                    };
                    writeln!(out, "{:indent$}{:<10} {}{kind}", "", e.id, e.title, indent = depth * 2)?;
                }
                if !c.objectives.is_empty() {
                    writeln!(out, "Annex C objectives (use in risk `objectives`):")?;
                    for t in &c.objectives {
                        writeln!(out, "  {:<24} {}", t.id, t.title)?;
                    }
                }
                if !c.risk_sources.is_empty() {
                    writeln!(out, "Annex C risk sources (use in risk `risk_sources`):")?;
                    for t in &c.risk_sources {
                        writeln!(out, "  {:<24} {}", t.id, t.title)?;
                    }
                }
                writeln!(out)?;
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn depth(c: &Catalog, id: &str) -> usize {
    let mut d = 0;
    let mut cur = c.get(id);
    while let Some(p) = cur.and_then(|e| e.parent.as_deref()) {
        d += 1;
        cur = c.get(p);
    }
    d
}

#[derive(Serialize)]
struct RuleItem {
    code: &'static str,
    name: &'static str,
    default_level: &'static str,
    summary: &'static str,
    docs: &'static str,
}

fn explain(args: ExplainArgs) -> CliResult {
    let mut out = std::io::stdout().lock();
    let selected = match &args.rule {
        Some(key) => match rules::find(key) {
            Some(r) => vec![r],
            None => return Err(format!("no rule `{key}`; `aimsc explain` lists them").into()),
        },
        None => rules::registry(),
    };
    match args.format {
        ListFormat::Json => {
            let items: Vec<RuleItem> = selected
                .iter()
                .map(|r| RuleItem {
                    code: r.code,
                    name: r.name,
                    default_level: r.default_level.as_str(),
                    summary: r.summary,
                    docs: r.docs,
                })
                .collect();
            serde_json::to_writer_pretty(&mut out, &items)?;
            writeln!(out)?;
        }
        ListFormat::Human if args.rule.is_some() => {
            let r = selected[0];
            writeln!(
                out,
                "{} {} (default: {})\n\n{}\n\n{}",
                r.code,
                r.name,
                r.default_level.as_str(),
                r.summary,
                r.docs
            )?;
        }
        ListFormat::Human => {
            for r in selected {
                writeln!(
                    out,
                    "{}  {:<28} {:<8} {}",
                    r.code,
                    r.name,
                    r.default_level.as_str(),
                    r.summary
                )?;
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn diff(args: DiffArgs) -> CliResult {
    use crate::analysis::diff::{Diff, Side};
    use crate::model::{Input, git};

    let today = today(&args.common);
    // `aimsc diff main path/to/repo`: a folder where HEAD would be is the repository.
    let (head, repo) = match (args.head, args.repo) {
        (Some(h), None)
            if std::path::Path::new(&h).is_dir() && git::resolve(std::path::Path::new("."), &h).is_err() =>
        {
            (None, PathBuf::from(h))
        }
        (h, r) => (h, r.unwrap_or_else(|| PathBuf::from("."))),
    };
    let base_snapshot = git::snapshot(&repo, &args.base)?;
    let head_snapshot = head.as_deref().map(|h| git::snapshot(&repo, h)).transpose()?;
    let short = |s: &git::Snapshot| format!("{} ({})", s.revision, &s.commit[..s.commit.len().min(10)]);
    let (base, head) = rayon::join(
        || {
            Compilation::run_input(
                &Input::Revision {
                    root: &repo,
                    snapshot: &base_snapshot,
                },
                today,
            )
        },
        || match &head_snapshot {
            Some(s) => Compilation::run_input(
                &Input::Revision {
                    root: &repo,
                    snapshot: s,
                },
                today,
            ),
            None => Compilation::run(&repo, today),
        },
    );
    let base = Side {
        label: short(&base_snapshot),
        compilation: base?,
    };
    let head_label = head_snapshot.as_ref().map_or_else(|| "working tree".to_string(), short);
    let head = Side {
        label: head_label,
        compilation: head?,
    };
    let d = Diff::new(&base, &head);
    let mut out = std::io::stdout().lock();
    match args.format {
        DiffFormat::Human => write!(out, "{}", d.human())?,
        DiffFormat::Markdown => write!(out, "{}", d.markdown())?,
        DiffFormat::Json => {
            serde_json::to_writer_pretty(&mut out, &d)?;
            writeln!(out)?;
        }
    }
    let fail = matches!(args.fail_on, Some(FailOn::CoverageLoss)) && d.coverage_lost() > 0;
    Ok(if fail { ExitCode::from(1) } else { ExitCode::SUCCESS })
}

fn gaps(args: GapsArgs) -> CliResult {
    let c = Compilation::run(&args.repo, today(&args.common))?;
    let g = crate::analysis::gaps::Gaps::new(&c)?;
    let mut out = std::io::stdout().lock();
    match args.format {
        DiffFormat::Human => write!(out, "{}", g.human())?,
        DiffFormat::Markdown => write!(out, "{}", g.markdown())?,
        DiffFormat::Json => {
            serde_json::to_writer_pretty(&mut out, &g)?;
            writeln!(out)?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn schema(args: SchemaArgs) -> CliResult {
    use crate::model::vocab::{DocType, Vocab};
    let catalogs = Catalogs::builtin();
    let value = match &args.doc_type {
        Some(t) => match DocType::parse(t) {
            Some(t) => crate::model::schema::for_type(t, &catalogs),
            None => return Err(format!("unknown document type `{t}`; types: {}", DocType::names().join(", ")).into()),
        },
        None => crate::model::schema::all(&catalogs),
    };
    let mut out = std::io::stdout().lock();
    serde_json::to_writer_pretty(&mut out, &value)?;
    writeln!(out)?;
    Ok(ExitCode::SUCCESS)
}

fn is_broken_pipe(e: &(dyn std::error::Error + 'static)) -> bool {
    let broken = std::io::ErrorKind::BrokenPipe;
    e.downcast_ref::<std::io::Error>().is_some_and(|e| e.kind() == broken)
        || e.downcast_ref::<serde_json::Error>()
            .is_some_and(|e| e.io_error_kind() == Some(broken))
}

#[derive(clap::Args)]
struct BuildArgs {
    /// Repository root.
    #[arg(default_value = ".")]
    repo: PathBuf,
    /// Output folder, replaced as a whole; default: `output` of aimsc.toml (`_site`) in the repository.
    #[arg(long)]
    out: Option<PathBuf>,
    /// Publish even when check finds errors (the findings page lists them).
    #[arg(long)]
    allow_errors: bool,
    /// Public address of the portal, used only for canonical links; links inside stay relative.
    #[arg(long)]
    base_url: Option<String>,
    /// Also write every finding to standard output in this format (for CI: github, sarif, junit ...).
    #[arg(long, value_enum)]
    format: Option<Format>,
    /// Refuse to publish on warnings too (`--deny warnings`).
    #[arg(long, value_enum)]
    deny: Option<Deny>,
    #[command(flatten)]
    common: Common,
}

/// `aimsc build`: refuses to publish a repository with errors unless told to,
/// then renders the portal (see `crate::site`).
fn build(args: BuildArgs) -> CliResult {
    let c = Compilation::run(&args.repo, today(&args.common))?;
    let counts = Counts::of(&c.diagnostics);
    if let Some(format) = args.format {
        write_report(&c, format, use_color(args.common.color), &mut std::io::stdout().lock())?;
    }
    let mut err = std::io::stderr().lock();
    if args.deny.is_some() && counts.warnings > 0 && counts.errors == 0 && !args.allow_errors {
        writeln!(
            err,
            "error: the portal was not published: `aimsc check` finds {} and --deny warnings is set",
            crate::diagnostics::plural(counts.warnings, "warning")
        )?;
        return Ok(ExitCode::from(1));
    }
    if counts.errors > 0 {
        let errors: Vec<Diagnostic> = c
            .diagnostics
            .iter()
            .filter(|d| d.severity == Severity::Error)
            .cloned()
            .collect();
        write!(
            err,
            "{}",
            render::human(&errors, &c.project.sources, use_color(args.common.color))
        )?;
        let n = crate::diagnostics::plural(counts.errors, "error");
        if !args.allow_errors {
            writeln!(
                err,
                "error: the portal was not published: `aimsc check` finds {n}; fix them, or pass --allow-errors to publish anyway"
            )?;
            return Ok(ExitCode::from(1));
        }
        writeln!(
            err,
            "warning: publishing despite {n} (--allow-errors); the portal's findings page lists them"
        )?;
    }
    let out = args
        .out
        .clone()
        .unwrap_or_else(|| args.repo.join(&c.project.config.output));
    let built = crate::site::build(
        &c,
        &crate::site::Options {
            out,
            base_url: args.base_url.clone(),
        },
    )?;
    if !built.overridden.is_empty() {
        writeln!(
            err,
            "using the repository's templates/: {}",
            built.overridden.join(", ")
        )?;
    }
    let line = format!(
        "built the portal: {} pages, {} files in {}",
        built.pages,
        built.files,
        built.dir.display()
    );
    // With --format, standard output carries the report alone.
    if args.format.is_some() {
        writeln!(err, "{line}")?;
    } else {
        writeln!(std::io::stdout().lock(), "{line}")?;
    }
    Ok(ExitCode::SUCCESS)
}

fn init(args: InitArgs) -> CliResult {
    let written = crate::scaffold::init(&args.dir, &args.org, args.force)?;
    let mut out = std::io::stdout().lock();
    writeln!(out, "created {} files in {}:", written.len(), args.dir.display())?;
    for f in &written {
        writeln!(out, "  {f}")?;
    }
    writeln!(
        out,
        "\nnext: `aimsc check {}` lists the decisions to take; every document starts as a draft and counts for no coverage until approved",
        args.dir.display()
    )?;
    Ok(ExitCode::SUCCESS)
}

#[derive(clap::Args)]
struct ServeArgs {
    /// Repository root.
    #[arg(default_value = ".")]
    repo: PathBuf,
    /// Port to listen on; 0 picks a free one.
    #[arg(long, default_value_t = 8000)]
    port: u16,
    /// Address to listen on. The default answers this machine only; `0.0.0.0` exposes the
    /// portal to the network.
    #[arg(long, default_value = "127.0.0.1")]
    bind: std::net::IpAddr,
    /// Poll for changes instead of relying on file system events (network drives, containers).
    #[arg(long)]
    poll: bool,
    /// The date reviews are judged against (YYYY-MM-DD); default: the day of each build.
    #[arg(long, value_parser = parse_date)]
    today: Option<jiff::civil::Date>,
}

/// `aimsc serve`: builds, serves from memory and rebuilds on change (see
/// `crate::serve`); prints what happens and runs until interrupted.
fn serve(args: ServeArgs) -> CliResult {
    use crate::serve::{Note, Options, Server};
    let notes = std::sync::Arc::new(|note: &Note| {
        let mut err = std::io::stderr().lock();
        // A closed stderr must not stop the server; the browser still shows everything.
        let _ = match note {
            Note::Built {
                pages,
                files,
                warnings,
                elapsed,
                overridden,
                trigger,
            } => {
                if trigger.is_none() && !overridden.is_empty() {
                    let _ = writeln!(err, "using the repository's templates/: {}", overridden.join(", "));
                }
                let what = match trigger {
                    None => "built the portal".to_string(),
                    Some(t) => format!("{t} changed: rebuilt the portal"),
                };
                let warned = match warnings {
                    0 => String::new(),
                    n => format!(
                        ", {} (see the findings page)",
                        crate::diagnostics::plural(*n, "warning")
                    ),
                };
                writeln!(
                    err,
                    "{what} in {} ms: {pages} pages, {files} files{warned}",
                    elapsed.as_millis()
                )
            }
            Note::Failed { text, trigger, .. } => {
                let what = match trigger {
                    None => "the portal did not build".to_string(),
                    Some(t) => format!("{t} changed: the portal did not build; still serving the previous one"),
                };
                write!(err, "{text}").and_then(|()| writeln!(err, "{what} (the browser shows why)"))
            }
            Note::Watch(problem) => writeln!(err, "warning: watching the repository: {problem}"),
            Note::Accept(problem) => writeln!(err, "warning: cannot accept a connection: {problem}"),
        };
    });
    let server = Server::start(
        Options {
            repo: args.repo,
            bind: args.bind,
            port: args.port,
            poll: args.poll,
            today: args.today,
        },
        notes,
    )?;
    if !server.addr().ip().is_loopback() {
        eprintln!(
            "warning: listening on {}: anyone who can reach this machine can read the portal",
            server.addr()
        );
    }
    let mut out = std::io::stdout().lock();
    writeln!(out, "serving {} (Ctrl-C to stop)", server.url())?;
    out.flush()?;
    drop(out);
    server.run()
}
