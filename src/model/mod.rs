//! The compiled repository: configuration, every governed document with
//! typed, spanned fields, and the indexes other stages join on (documents by
//! ID, claims by requirement). Loading reads each file once, in parallel.

pub mod body;
pub mod config;
pub mod document;
pub mod git;
pub mod history;
pub mod rules;
pub mod schema;
pub mod vocab;
pub mod yaml;

use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rayon::prelude::*;

use crate::diagnostics::render::Sources;
use crate::diagnostics::{Diagnostic, SourceFile};
pub use config::{CONFIG_FILE, Config};
pub use document::{Document, Sp, StandardIds};
use rules::UNREADABLE_FILE;

/// A failure that stops the tool (exit 2), as opposed to a finding.
#[derive(Debug)]
pub struct ToolError(pub String);

impl std::fmt::Display for ToolError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ToolError {}

/// A loaded repository.
#[derive(Debug)]
pub struct Project {
    pub root: PathBuf,
    pub config: Config,
    pub config_file: Option<Arc<SourceFile>>,
    /// Governed documents, sorted by path.
    pub documents: Vec<Document>,
    /// Every file the walk found (repository-relative, `/`-separated), for link checks.
    pub files: BTreeSet<String>,
    /// Heading anchors of Markdown files that are not governed documents.
    pub plain_anchors: HashMap<String, Vec<String>>,
    pub sources: Sources,
    /// Index of the first document with each ID.
    pub by_id: HashMap<String, usize>,
    /// Index of each document by its path.
    pub by_path: HashMap<String, usize>,
    /// Revisions of each document from Git (working trees only).
    pub history: history::History,
    /// The catalog files named in `catalogs` of aimsc.toml, read (missing ones are findings).
    pub catalog_files: Vec<Arc<SourceFile>>,
    /// The crosswalk files named in `crosswalks` of aimsc.toml.
    pub crosswalk_files: Vec<Arc<SourceFile>>,
}

impl Project {
    pub fn document(&self, id: &str) -> Option<&Document> {
        self.by_id.get(id).map(|&i| &self.documents[i])
    }

    /// Documents that claim a requirement, by (standard, id).
    pub fn claims(&self) -> HashMap<(&str, &str), Vec<&Document>> {
        let mut out: HashMap<(&str, &str), Vec<&Document>> = HashMap::new();
        for d in &self.documents {
            for s in &d.satisfies {
                for id in &s.ids {
                    out.entry((s.standard.value.as_str(), id.value.as_str()))
                        .or_default()
                        .push(d);
                }
            }
        }
        out
    }

    /// Anchors of the Markdown file at `path`, if it is one.
    pub fn anchors(&self, path: &str) -> Option<Vec<&str>> {
        if let Some(&i) = self.by_path.get(path) {
            return Some(
                self.documents[i]
                    .body
                    .headings
                    .iter()
                    .map(|h| h.anchor.as_str())
                    .collect(),
            );
        }
        self.plain_anchors
            .get(path)
            .map(|v| v.iter().map(String::as_str).collect())
    }
}

enum Loaded {
    Document(Box<Document>, Arc<SourceFile>),
    /// A governed file that could not be indexed; kept for snippets.
    Broken(Arc<SourceFile>),
    Plain(String, Vec<String>),
    Skipped,
}

/// Where a repository's files come from.
pub enum Input<'a> {
    /// The working tree at this folder.
    Folder(&'a Path),
    /// A Git revision read from the object database; `root` is the folder it belongs to.
    Revision {
        root: &'a Path,
        snapshot: &'a git::Snapshot,
    },
}

impl Input<'_> {
    fn root(&self) -> &Path {
        match self {
            Input::Folder(root) | Input::Revision { root, .. } => root,
        }
    }

    fn read(&self, rel: &str) -> std::io::Result<Vec<u8>> {
        match self {
            Input::Folder(root) => std::fs::read(root.join(rel)),
            Input::Revision { snapshot, .. } => snapshot
                .files
                .get(rel)
                .cloned()
                .ok_or_else(|| std::io::Error::from(std::io::ErrorKind::NotFound)),
        }
    }

    fn exists(&self, rel: &str) -> bool {
        match self {
            Input::Folder(root) => root.join(rel).is_file(),
            Input::Revision { snapshot, .. } => snapshot.files.contains_key(rel),
        }
    }
}

/// Loads the repository at `root`.
pub fn load(root: &Path) -> Result<(Project, Vec<Diagnostic>), ToolError> {
    load_input(&Input::Folder(root))
}

/// Loads a repository from a folder or a Git revision.
pub fn load_input(input: &Input) -> Result<(Project, Vec<Diagnostic>), ToolError> {
    let root = input.root();
    if !root.is_dir() {
        return Err(ToolError(format!("`{}` is not a folder", root.display())));
    }
    let mut diags = Vec::new();
    let (config, config_file) = if input.exists(CONFIG_FILE) {
        let bytes = input
            .read(CONFIG_FILE)
            .map_err(|e| ToolError(format!("cannot read {CONFIG_FILE}: {e}")))?;
        let text = String::from_utf8(bytes).map_err(|_| ToolError(format!("{CONFIG_FILE} is not UTF-8")))?;
        let file = Arc::new(SourceFile::new(CONFIG_FILE, text));
        let (config, diag) = Config::parse(&file);
        diags.extend(diag);
        (config, Some(file))
    } else {
        (Config::default(), None)
    };

    let mut extension = |paths: &[String], what: &str| -> Vec<Arc<SourceFile>> {
        let mut out = Vec::new();
        for rel in paths {
            let rel = rel.trim_start_matches("./");
            let bytes = if rel.split('/').any(|p| p == "..") || rel.starts_with('/') {
                None
            } else {
                input.read(rel).ok()
            };
            match bytes.map(String::from_utf8) {
                Some(Ok(text)) => out.push(Arc::new(SourceFile::new(rel, text))),
                _ => {
                    let at = config_file.as_ref().map(|f| {
                        let start = f.text.find(&format!("\"{rel}\"")).unwrap_or(0);
                        f.location(start..start + rel.len() + 2)
                    });
                    diags.push(
                        Diagnostic::new(
                            &rules::INVALID_EXTENSION,
                            format!("cannot read the {what} file `{rel}`"),
                        )
                        .at_opt(at)
                        .help("paths are relative to the repository root, inside it, and the file must be UTF-8 YAML"),
                    );
                }
            }
        }
        out
    };
    let catalog_files = extension(&config.catalogs, "catalog");
    let crosswalk_files = extension(&config.crosswalks, "crosswalk");
    let overrides = excludes(root, &config)?;
    let files = match input {
        Input::Folder(_) => walk(root, overrides)?,
        Input::Revision { snapshot, .. } => snapshot
            .files
            .keys()
            .filter(|p| !is_excluded(&overrides, p))
            .cloned()
            .collect(),
    };
    let md: Vec<&String> = files.iter().filter(|p| p.ends_with(".md")).collect();
    let loaded: Vec<(Loaded, Vec<Diagnostic>)> = md.par_iter().map(|rel| load_file(input, rel)).collect();

    let mut sources = Sources::default();
    if let Some(f) = &config_file {
        sources.insert(f.clone());
    }
    let mut documents = Vec::new();
    let mut plain_anchors = HashMap::new();
    for (item, d) in loaded {
        diags.extend(d);
        match item {
            Loaded::Document(doc, file) => {
                sources.insert(file);
                documents.push(*doc);
            }
            Loaded::Broken(file) => sources.insert(file),
            Loaded::Plain(path, anchors) => {
                plain_anchors.insert(path, anchors);
            }
            Loaded::Skipped => {}
        }
    }
    let mut by_id = HashMap::new();
    for (i, d) in documents.iter().enumerate() {
        by_id.entry(d.id.value.clone()).or_insert(i);
    }
    let by_path = documents
        .iter()
        .enumerate()
        .map(|(i, d)| (d.path().to_string(), i))
        .collect();
    for f in catalog_files.iter().chain(&crosswalk_files) {
        sources.insert(f.clone());
    }
    let history = match input {
        Input::Folder(root) => {
            let paths: Vec<&str> = documents.iter().map(Document::path).collect();
            history::load(root, &paths)
        }
        // A revision's own history is not needed to compare it.
        Input::Revision { .. } => history::History::NotGit,
    };
    let project = Project {
        by_path,
        history,
        catalog_files,
        crosswalk_files,
        root: root.to_path_buf(),
        config,
        config_file,
        documents,
        files,
        plain_anchors,
        sources,
        by_id,
    };
    Ok((project, diags))
}

fn load_file(input: &Input, rel: &str) -> (Loaded, Vec<Diagnostic>) {
    let mut diags = Vec::new();
    let bytes = match input.read(rel) {
        Ok(b) => b,
        Err(e) => {
            let file = Arc::new(SourceFile::new(rel, ""));
            diags.push(Diagnostic::new(&UNREADABLE_FILE, format!("cannot read file: {e}")).at(file.file_location()));
            return (Loaded::Broken(file), diags);
        }
    };
    let text = match String::from_utf8(bytes) {
        Ok(t) => t,
        Err(e) => {
            let valid = e.utf8_error().valid_up_to();
            let lossy = String::from_utf8_lossy(e.as_bytes()).into_owned();
            let is_governed = lossy.trim_start_matches('\u{feff}').starts_with("---");
            if !is_governed && !lossy.starts_with('\u{fffd}') {
                // A non-UTF-8 file that is not a governed document is not ours to judge.
                return (Loaded::Skipped, diags);
            }
            let prefix = String::from_utf8_lossy(&e.as_bytes()[..valid]);
            let offset = prefix.len();
            let file = Arc::new(SourceFile::new(rel, lossy));
            let utf16 = e.as_bytes().starts_with(&[0xff, 0xfe]) || e.as_bytes().starts_with(&[0xfe, 0xff]);
            diags.push(
                Diagnostic::new(
                    &UNREADABLE_FILE,
                    format!("file is not valid UTF-8 (bad byte at offset {valid})"),
                )
                .at(file.location(offset..offset + 1))
                .label("not UTF-8")
                .help(if utf16 {
                    "the file looks like UTF-16; re-save it as UTF-8"
                } else {
                    "re-save the file as UTF-8"
                }),
            );
            return (Loaded::Broken(file), diags);
        }
    };
    let file = Arc::new(SourceFile::new(rel, text));
    match document::read(&file, &mut diags) {
        Some(doc) => (Loaded::Document(Box::new(doc), file), diags),
        None if diags.is_empty() => (Loaded::Plain(rel.to_string(), body::anchors_of(&file.text)), diags),
        None => (Loaded::Broken(file), diags),
    }
}

/// The output folder, `.git` and the configured excludes, as ignore rules.
fn excludes(root: &Path, config: &Config) -> Result<ignore::overrides::Override, ToolError> {
    let mut overrides = ignore::overrides::OverrideBuilder::new(root);
    let output = config.output.trim_matches('/');
    for glob in [format!("!/{output}/"), "!.git/".to_string()]
        .into_iter()
        .chain(config.exclude.iter().map(|g| format!("!{g}")))
    {
        overrides
            .add(&glob)
            .map_err(|e| ToolError(format!("invalid exclude pattern `{glob}` in {CONFIG_FILE}: {e}")))?;
    }
    overrides
        .build()
        .map_err(|e| ToolError(format!("invalid exclude patterns: {e}")))
}

/// Whether a repository-relative path, or a folder above it, is excluded.
fn is_excluded(overrides: &ignore::overrides::Override, rel: &str) -> bool {
    let mut prefix = String::new();
    for part in rel.split('/') {
        if !prefix.is_empty() {
            prefix.push('/');
        }
        prefix.push_str(part);
        let is_dir = prefix.len() < rel.len();
        if overrides.matched(&prefix, is_dir).is_ignore() {
            return true;
        }
    }
    rel.split('/').any(|p| p.starts_with('.') && p.len() > 1)
}

/// Every file of the working tree that aimsc may read, sorted.
fn walk(root: &Path, overrides: ignore::overrides::Override) -> Result<BTreeSet<String>, ToolError> {
    let walker = ignore::WalkBuilder::new(root)
        .hidden(true)
        .parents(false)
        .require_git(false)
        .follow_links(false)
        .overrides(overrides)
        .build();
    let mut files = BTreeSet::new();
    for entry in walker {
        let Ok(entry) = entry else { continue };
        if !entry.file_type().is_some_and(|t| t.is_file()) {
            continue;
        }
        let Ok(rel) = entry.path().strip_prefix(root) else {
            continue;
        };
        let rel: Vec<String> = rel
            .components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect();
        files.insert(rel.join("/"));
    }
    Ok(files)
}
