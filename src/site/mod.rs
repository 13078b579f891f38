//! `aimsc build`: the static compliance portal. The checked repository's
//! [`Report`] is rendered with tera into a self-contained folder of HTML
//! (no CDN, font or remote script; every link relative, so it works from
//! file:// and under any sub-path), plus the SoA downloads, the search index
//! and `aimsc.json`.
//!
//! Pipeline: check the output folder → load templates (built-in, or the
//! repository's overrides) → build the report once → render every page in
//! parallel, in memory ([`render`], which `aimsc serve` serves as it is) →
//! write it into a staging folder → swap it in atomically (see [`output`]).
//! Any failure before the swap leaves the previous portal untouched.

pub mod charts;
pub mod downloads;
pub mod markdown;
pub mod memo;
pub mod output;
pub mod pages;
pub mod search;
pub mod templates;

use std::path::PathBuf;
use std::sync::Arc;

use rayon::prelude::*;
use serde::Serialize;

use crate::analysis::Compilation;
use crate::analysis::report::Report;
use markdown::Links;
use pages::Lookup;

/// A failure of the build (an unsafe output folder, a broken template
/// override, a write error): reported to the user, never a panic.
#[derive(Debug)]
pub struct SiteError(pub String);

impl SiteError {
    pub fn new(message: impl Into<String>) -> SiteError {
        SiteError(message.into())
    }
}

impl std::fmt::Display for SiteError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for SiteError {}

/// How to build.
#[derive(Clone, Debug)]
pub struct Options {
    /// The output folder (replaced as a whole).
    pub out: PathBuf,
    /// Where the portal will be served from, for `<link rel="canonical">` only;
    /// links inside the portal stay relative.
    pub base_url: Option<String>,
}

/// What a build produced.
#[derive(Debug)]
pub struct Built {
    pub dir: PathBuf,
    pub pages: usize,
    pub files: usize,
    /// Templates and assets the repository overrides.
    pub overridden: Vec<String>,
}

/// One page to render: its template, its path in the portal and what it shows.
enum Job {
    Gaps,
    Dashboard,
    Soa(usize),
    Scope,
    Traceability,
    Documents,
    AiSystems,
    Risks,
    Findings,
    Search,
    Document(usize),
    Control(usize, usize),
    Clause(usize, usize),
}

struct Renderer<'a> {
    c: &'a Compilation,
    report: &'a Report,
    lookup: Lookup<'a>,
    links: Arc<Links>,
    theme: &'a templates::Theme,
    site: pages::SiteInfo,
    memo: &'a memo::Memo,
}

/// `../` once per folder level of `path`.
fn root_of(path: &str) -> String {
    "../".repeat(path.matches('/').count())
}

#[derive(Serialize)]
struct PageInfo<'a> {
    title: &'a str,
    section: &'a str,
    path: &'a str,
}

impl Renderer<'_> {
    fn render<T: Serialize + ?Sized>(
        &self,
        template: &str,
        path: &str,
        title: &str,
        section: &str,
        data: &T,
    ) -> Result<String, SiteError> {
        self.memo.page(template, path, title, section, data, || {
            let mut cx = tera::Context::new();
            cx.insert("root", &root_of(path));
            cx.insert("site", &self.site);
            cx.insert("page", &PageInfo { title, section, path });
            cx.insert("data", data);
            self.theme.tera.render(template, &cx).map_err(|e| {
                SiteError::new(format!(
                    "cannot render {path} with template {template}: {}",
                    templates::error_text(&e)
                ))
            })
        })
    }

    fn body_of(&self, index: usize, root: &str) -> String {
        let d = &self.c.project.documents[index];
        let text: &str = &d.file.text;
        let start = d.body.start.min(text.len());
        let src = &text[start..];
        self.memo.body(src, &d.body.headings, &d.title, d.path(), root, || {
            markdown::render(src, &d.body.headings, &d.title, d.path(), root, &self.links)
        })
    }

    fn job(&self, job: &Job) -> Result<(String, String), SiteError> {
        let r = self.report;
        Ok(match job {
            Job::Dashboard => {
                let path = "index.html".to_string();
                let data = pages::dashboard(&self.lookup);
                let html = self.render("dashboard.html", &path, "Dashboard", "dashboard", &data)?;
                (path, html)
            }
            Job::Soa(i) => {
                let s = &r.standards[*i];
                let path = format!("soa/{}.html", s.key);
                let data = pages::soa(&self.lookup, s);
                let title = format!("Statement of Applicability: {}", s.name);
                let html = self.render("soa.html", &path, &title, &format!("soa-{}", s.key), &data)?;
                (path, html)
            }
            Job::Scope => {
                let path = "scope.html".to_string();
                let body = r
                    .scope
                    .as_ref()
                    .and_then(|s| {
                        self.c
                            .project
                            .documents
                            .iter()
                            .position(|d| d.id.value == s.id && d.scope().is_some())
                    })
                    .map(|i| self.body_of(i, ""))
                    .unwrap_or_default();
                let data = pages::scope(&self.lookup, body);
                (path.clone(), self.render("scope.html", &path, "Scope", "scope", &data)?)
            }
            Job::Traceability => {
                let path = "traceability.html".to_string();
                let data = pages::traceability(&self.lookup);
                let html = self.render("traceability.html", &path, "Traceability", "traceability", &data)?;
                (path, html)
            }
            Job::Documents => {
                let path = "registers/documents.html".to_string();
                let data = pages::documents_register(&self.lookup);
                let html = self.render("documents.html", &path, "Document register", "documents", &data)?;
                (path, html)
            }
            Job::AiSystems => {
                let path = "registers/ai-systems.html".to_string();
                let data = pages::ai_register(&self.lookup);
                let html = self.render("ai-systems.html", &path, "AI system inventory", "ai-systems", &data)?;
                (path, html)
            }
            Job::Risks => {
                let path = "registers/risks.html".to_string();
                let data = pages::risk_register(&self.lookup);
                let html = self.render("risks.html", &path, "Risk register", "risks", &data)?;
                (path, html)
            }
            Job::Findings => {
                let path = "findings.html".to_string();
                let data = pages::findings(&self.lookup);
                let html = self.render("findings.html", &path, "Findings", "findings", &data)?;
                (path, html)
            }
            Job::Gaps => {
                let path = "gaps.html".to_string();
                let gaps = self
                    .report
                    .gaps
                    .as_ref()
                    .ok_or_else(|| SiteError::new("no gap analysis to render"))?;
                let data = pages::gaps(&self.lookup, gaps);
                let html = self.render("gaps.html", &path, "Gap analysis", "gaps", &data)?;
                (path, html)
            }
            Job::Search => {
                let path = "search.html".to_string();
                let html = self.render("search.html", &path, "Search", "search", &())?;
                (path, html)
            }
            Job::Document(i) => {
                let d = &r.documents[*i];
                let path = self.lookup.doc_pages[*i].clone();
                let body = self.body_of(*i, &root_of(&path));
                let data = pages::document(&self.lookup, self.c, d, body);
                let title = format!("{} {}", d.id, d.title);
                let html = self.render("document.html", &path, &title, "document", &data)?;
                (path, html)
            }
            Job::Control(si, ri) => {
                let s = &r.standards[*si];
                let row = &s.controls[*ri];
                let path = Links::requirement_page(&s.key, &row.control);
                let data = pages::control_page(&self.lookup, s, row);
                let title = format!("{} {} {}", s.short_name, row.control, row.title);
                let html = self.render("requirement.html", &path, &title, &format!("soa-{}", s.key), &data)?;
                (path, html)
            }
            Job::Clause(si, ri) => {
                let s = &r.standards[*si];
                let row = &s.clauses[*ri];
                let path = Links::requirement_page(&s.key, &row.clause);
                let data = pages::clause_page(&self.lookup, s, row);
                let title = format!("{} clause {} {}", s.short_name, row.clause, row.title);
                let html = self.render("requirement.html", &path, &title, "traceability", &data)?;
                (path, html)
            }
        })
    }
}

/// A portal rendered in memory: every file by its `/`-separated path inside
/// the portal (the portal marker excepted, which belongs to the folder on
/// disk), for [`build`] to write or for `aimsc serve` to serve.
#[derive(Debug)]
pub struct Rendered {
    pub files: Vec<(String, Vec<u8>)>,
    /// How many of `files` are rendered pages.
    pub pages: usize,
    /// Templates and assets the repository overrides.
    pub overridden: Vec<String>,
}

/// Renders the portal of a checked repository in memory, writing nothing.
/// Only `opts.base_url` is used; where the files go is the caller's business.
pub fn render(c: &Compilation, opts: &Options) -> Result<Rendered, SiteError> {
    render_with(c, opts, &memo::Memo::off())
}

/// [`render`], reusing the document bodies and pages in `memo` that the
/// previous build rendered from identical inputs (see [`memo`]); `aimsc
/// serve` keeps one memo for its whole run.
pub fn render_with(c: &Compilation, opts: &Options, memo: &memo::Memo) -> Result<Rendered, SiteError> {
    let theme = templates::load(&c.project.root)?;
    let report = Report::build(c);
    let lookup = Lookup::new(&report);
    let links = Arc::new(lookup.links());
    let renderer = Renderer {
        c,
        report: &report,
        site: pages::site_info(&report, opts.base_url.as_deref()),
        lookup,
        links,
        theme: &theme,
        memo,
    };
    let builtin_templates = !theme
        .overridden
        .iter()
        .any(|name| templates::TEMPLATES.iter().any(|(t, _)| t == name));
    memo.begin(&renderer.links, &renderer.site, builtin_templates);

    let mut jobs: Vec<Job> = vec![
        Job::Dashboard,
        Job::Scope,
        Job::Traceability,
        Job::Documents,
        Job::AiSystems,
        Job::Risks,
        Job::Findings,
        Job::Search,
    ];
    if report.gaps.is_some() {
        jobs.push(Job::Gaps);
    }
    for (si, s) in report.standards.iter().enumerate() {
        jobs.push(Job::Soa(si));
        jobs.extend((0..s.controls.len()).map(|ri| Job::Control(si, ri)));
        jobs.extend((0..s.clauses.len()).map(|ri| Job::Clause(si, ri)));
    }
    jobs.extend((0..report.documents.len()).map(Job::Document));

    // The pages in parallel, and beside them the files made in one piece, so
    // that a core left idle at the end of the pages is used.
    let (pages, extra) = rayon::join(
        || -> Result<Vec<(String, Vec<u8>)>, SiteError> {
            jobs.par_iter()
                .map(|job| renderer.job(job).map(|(path, html)| (path, html.into_bytes())))
                .collect()
        },
        || -> Result<Vec<(String, Vec<u8>)>, SiteError> {
            let mut extra: Vec<(String, Vec<u8>)> = Vec::new();
            for (name, text) in &theme.assets {
                extra.push((format!("assets/{name}"), text.as_bytes().to_vec()));
            }
            let index = search::index_js(c, &report, &renderer.lookup.doc_pages)?;
            extra.push(("assets/search-index.js".into(), index.into_bytes()));
            for s in &report.standards {
                extra.push((format!("downloads/soa-{}.csv", s.key), downloads::soa_csv(s)?));
                extra.push((
                    format!("downloads/soa-{}.xlsx", s.key),
                    downloads::soa_xlsx(&report, s)?,
                ));
            }
            let mut json = serde_json::to_string_pretty(&report)
                .map_err(|e| SiteError::new(format!("cannot write aimsc.json: {e}")))?;
            json.push('\n');
            extra.push(("aimsc.json".into(), json.into_bytes()));
            Ok(extra)
        },
    );
    let mut files = pages?;
    let pages = files.len();
    files.extend(extra?);
    memo.end();
    Ok(Rendered {
        files,
        pages,
        overridden: theme.overridden.clone(),
    })
}

/// Builds the portal of a checked repository into `opts.out`: the output
/// folder is checked first, the portal rendered in memory, written into a
/// staging folder and swapped in.
pub fn build(c: &Compilation, opts: &Options) -> Result<Built, SiteError> {
    let target = output::check_target(&c.project.root, &opts.out)?;
    let rendered = render(c, opts)?;
    // Dropped (and so deleted) on any write error, leaving the previous portal.
    let staging = output::Staging::new(&target)?;
    rendered
        .files
        .par_iter()
        .try_for_each(|(path, bytes)| staging.write(path, bytes))?;
    staging.publish()?;
    Ok(Built {
        dir: target.dir,
        pages: rendered.pages,
        // The portal marker is the one file not rendered.
        files: rendered.files.len() + 1,
        overridden: rendered.overridden,
    })
}
