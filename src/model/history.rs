//! Document control from Git (ISO 27001 and ISO 42001 7.5.3): each
//! document's revisions, read with one `git log` over the repository and
//! followed across renames. A shallow clone has no history; that is said
//! once, and no date is guessed.

use std::collections::HashMap;
use std::path::Path;
use std::process::Command;

use serde::Serialize;

/// One commit that changed a document.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct Revision {
    pub commit: String,
    /// Author date, ISO 8601 with offset.
    pub date: String,
    pub author: String,
    pub subject: String,
    /// The document's path in that commit (differs before a rename).
    pub path: String,
    /// The path before this commit, when the commit renamed the document.
    pub renamed_from: Option<String>,
}

impl Revision {
    /// The calendar day of the revision, as written in the author's time zone.
    pub fn day(&self) -> Option<jiff::civil::Date> {
        self.date.get(..10)?.parse().ok()
    }
}

/// What Git can tell about the repository's history.
#[derive(Debug, Default)]
pub enum History {
    /// Not a Git work tree (or git is not installed): nothing to say.
    #[default]
    NotGit,
    /// A shallow clone: the history is incomplete, so none is shown.
    Shallow,
    /// Revisions per current document path, newest first.
    Available(HashMap<String, Vec<Revision>>),
}

impl History {
    pub fn of(&self, path: &str) -> Option<&[Revision]> {
        match self {
            History::Available(map) => Some(map.get(path).map(Vec::as_slice).unwrap_or(&[])),
            _ => None,
        }
    }
}

fn git(root: &Path, args: &[&str]) -> Option<Vec<u8>> {
    let out = Command::new("git").arg("-C").arg(root).args(args).output().ok()?;
    out.status.success().then_some(out.stdout)
}

/// Reads the history of `paths` (repository-relative, as they are now).
pub fn load(root: &Path, paths: &[&str]) -> History {
    let Some(inside) = git(root, &["rev-parse", "--is-inside-work-tree"]) else {
        return History::NotGit;
    };
    if inside.trim_ascii() != b"true" {
        return History::NotGit;
    }
    if git(root, &["rev-parse", "--is-shallow-repository"]).is_some_and(|s| s.trim_ascii() == b"true") {
        return History::Shallow;
    }
    // No commit yet: an empty history, not an error.
    if git(root, &["rev-parse", "--verify", "--quiet", "HEAD"]).is_none() {
        return History::Available(HashMap::new());
    }
    let Some(log) = git(
        root,
        &[
            "log",
            "--relative",
            "-M",
            "--name-status",
            "-z",
            "--format=%x1e%H%x1f%aI%x1f%an%x1f%s",
            "--",
            ".",
        ],
    ) else {
        return History::NotGit;
    };
    History::Available(follow(&log, paths))
}

/// Walks the log newest first, following each current path back through renames.
fn follow(log: &[u8], paths: &[&str]) -> HashMap<String, Vec<Revision>> {
    // Path as it was at the commit being read → the document's current path.
    let mut alias: HashMap<String, String> = paths.iter().map(|p| (p.to_string(), p.to_string())).collect();
    let mut out: HashMap<String, Vec<Revision>> = HashMap::new();
    for chunk in log.split(|&b| b == 0x1e).filter(|c| !c.is_empty()) {
        let mut tokens = chunk
            .split(|&b| b == 0)
            .map(|t| String::from_utf8_lossy(t).trim_start_matches('\n').to_string());
        let Some(header) = tokens.next() else { continue };
        let mut fields = header.split('\x1f');
        let (Some(commit), Some(date), Some(author), Some(subject)) =
            (fields.next(), fields.next(), fields.next(), fields.next())
        else {
            continue;
        };
        let rev = |path: &str, renamed_from: Option<&String>| Revision {
            commit: commit.to_string(),
            date: date.to_string(),
            author: author.to_string(),
            subject: subject.to_string(),
            path: path.to_string(),
            renamed_from: renamed_from.cloned(),
        };
        let tokens: Vec<String> = tokens.filter(|t| !t.is_empty()).collect();
        let mut i = 0;
        while i < tokens.len() {
            let status = tokens[i].as_str();
            if status.starts_with('R') || status.starts_with('C') {
                let (Some(old), Some(new)) = (tokens.get(i + 1), tokens.get(i + 2)) else {
                    break;
                };
                if let Some(current) = alias.get(new).cloned() {
                    out.entry(current.clone())
                        .or_default()
                        .push(rev(new, Some(old).filter(|_| status.starts_with('R'))));
                    if status.starts_with('R') {
                        alias.remove(new);
                    }
                    alias.insert(old.clone(), current);
                }
                i += 3;
            } else {
                let Some(path) = tokens.get(i + 1) else { break };
                if let Some(current) = alias.get(path).cloned() {
                    out.entry(current).or_default().push(rev(path, None));
                    // Before it was added, this path was not the document.
                    if status == "A" {
                        alias.remove(path);
                    }
                }
                i += 2;
            }
        }
    }
    out
}

/// A document's bytes after a revision and before it (`None` where the file did not exist).
pub type AfterBefore = (Option<Vec<u8>>, Option<Vec<u8>>);

/// The document's content after and before each revision, read with one
/// `git cat-file --batch` for all of them (one process, not two per revision).
pub fn contents_around(root: &Path, revisions: &[&Revision]) -> Vec<AfterBefore> {
    let mut names = Vec::with_capacity(revisions.len() * 2);
    for r in revisions {
        names.push(format!("{}:./{}", r.commit, r.path));
        names.push(format!(
            "{}^:./{}",
            r.commit,
            r.renamed_from.as_ref().unwrap_or(&r.path)
        ));
    }
    let mut found = super::git::read_objects(root, &names).unwrap_or_default().into_iter();
    revisions
        .iter()
        .map(|_| (found.next().flatten(), found.next().flatten()))
        .collect()
}
